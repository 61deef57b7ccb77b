"""The window's commands as actions: icon, text and keyboard shortcut in one place."""

from __future__ import annotations

from collections.abc import Callable

import qtawesome
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QWidget

Key = QKeySequence.StandardKey


class WindowActions:
    """Every command of the main window; `handlers` names the slot of each."""

    def __init__(self, owner: QWidget, handlers: dict[str, Callable[[], object]]) -> None:
        def make(name: str, text: str, icon: str, shortcut: Key | str | None = None) -> QAction:
            action = QAction(qtawesome.icon(icon), text, owner)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
                action.setToolTip(f"{text} ({action.shortcut().toString(QKeySequence.NativeText)})")
            if name in handlers:
                action.triggered.connect(handlers[name])
            return action

        self.open = make("open", "Open…", "mdi6.folder-open-outline", Key.Open)
        self.paste = make("paste", "Paste", "mdi6.content-paste", Key.Paste)
        self.save = make("save", "Save Result As…", "mdi6.content-save-outline", Key.Save)
        self.quit = make("quit", "Quit", "mdi6.exit-to-app", Key.Quit)
        self.run = make("run", "Run", "mdi6.play", "Ctrl+R")
        self.compare_models = make("compare_models", "Compare Ticked Models", "mdi6.compare",
                                   "Ctrl+Shift+R")
        self.cancel = make("cancel", "Cancel", "mdi6.stop", "Esc")
        self.zoom_in = make("zoom_in", "Zoom In", "mdi6.magnify-plus-outline", Key.ZoomIn)
        self.zoom_out = make("zoom_out", "Zoom Out", "mdi6.magnify-minus-outline", Key.ZoomOut)
        self.fit = make("fit", "Fit to Window", "mdi6.fit-to-screen-outline", "Ctrl+0")
        self.actual_size = make("actual_size", "Actual Size", "mdi6.numeric-1-box-outline", "Ctrl+1")
        self.wipe = make("wipe", "Before / After", "mdi6.compare-horizontal", "Ctrl+2")
        self.side_by_side = make("side_by_side", "Side by Side", "mdi6.view-grid-outline", "Ctrl+3")
        self.difference = make("difference", "Difference", "mdi6.select-compare", "Ctrl+4")
        self.matches = make("matches", "Reference Matches", "mdi6.image-search-outline", "Ctrl+5")
        self.matches.setStatusTip("Where a reference-based model took texture from the references")
        self.modes = QActionGroup(owner)
        for action in (self.wipe, self.side_by_side, self.difference, self.matches):
            action.setCheckable(True)
            self.modes.addAction(action)
        self.wipe.setChecked(True)
        self.cancel.setEnabled(False)
        self.save.setEnabled(False)
