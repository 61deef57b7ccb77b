"""The main window: one photo in a zoomable view, opened from the File menu or by dropping a file.

A file that cannot be read leaves the current photo in place and says in the status bar which file
failed and why; nothing modal, so a batch of drops or a test is never held up by a dialog.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import qtawesome
from PySide6.QtCore import QSize
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QToolBar, QWidget

from enhancer.imaging.io import ImageError, Photo, read_image
from enhancer.paths import APP_NAME
from enhancer.ui.photo_image import photo_to_qimage
from enhancer.ui.photo_view import PhotoView
from enhancer.ui.status_bar import StatusBar

log = logging.getLogger(__name__)

OPEN_FILTER = "Images (*.png *.jpg *.jpeg *.tif *.tiff *.webp *.bmp);;All files (*)"


class MainWindow(QMainWindow):
    def __init__(self, *, device_description: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.photo: Photo | None = None
        self.photo_path: Path | None = None

        self.view = PhotoView(self)
        self.setCentralWidget(self.view)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.status.set_device(device_description)
        self.view.zoom_changed.connect(self.status.set_zoom)

        keys = QKeySequence.StandardKey
        self.open_action = self._action("Open…", "mdi6.folder-open-outline", keys.Open,
                                        self.choose_file)
        self.quit_action = self._action("Quit", "mdi6.exit-to-app", keys.Quit, self.close)
        self.zoom_in_action = self._action("Zoom In", "mdi6.magnify-plus-outline", keys.ZoomIn,
                                           self.view.zoom_in)
        self.zoom_out_action = self._action("Zoom Out", "mdi6.magnify-minus-outline", keys.ZoomOut,
                                            self.view.zoom_out)
        self.fit_action = self._action("Fit to Window", "mdi6.fit-to-screen-outline", "Ctrl+0",
                                       self.view.fit)
        self.actual_size_action = self._action("Actual Size", "mdi6.numeric-1-box-outline",
                                               "Ctrl+1", self.view.actual_size)
        self._build_menus()
        self._build_toolbar()

        self.setAcceptDrops(True)
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(qtawesome.icon("mdi6.image-auto-adjust", color="#4a90d9"))

    def open_path(self, path: Path) -> bool:
        """Show the photo at `path`; on failure keep the current one and say why. True if shown."""
        try:
            photo = read_image(path)
        except ImageError as error:
            log.warning("cannot open %s", error)
            self.status.show_error(f"Could not open {Path(error.path).name}: {error.reason}")
            return False
        self.photo, self.photo_path = photo, path
        height, width = photo.rgb.shape[:2]
        self.view.show_image(photo_to_qimage(photo))
        self.status.set_photo(path.name, width=width, height=height, bit_depth=photo.bit_depth)
        self.status.show_hint("")
        self.setWindowTitle(f"{path.name} — {APP_NAME}")
        return True

    def choose_file(self) -> None:
        start = str(self.photo_path.parent) if self.photo_path else ""
        chosen, _ = QFileDialog.getOpenFileName(self, "Open Photo", start, OPEN_FILTER)
        if chosen:
            self.open_path(Path(chosen))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_file(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_file(event)
        if path is not None:
            event.acceptProposedAction()
            self.open_path(path)

    def _action(self, text: str, icon: str, shortcut: QKeySequence.StandardKey | str,
                slot: Callable[[], object]) -> QAction:
        action = QAction(qtawesome.icon(icon), text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.open_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = self.menuBar().addMenu("&View")
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_action,
                       self.actual_size_action):
            view_menu.addAction(action)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(22, 22))
        toolbar.addAction(self.open_action)
        toolbar.addSeparator()
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_action,
                       self.actual_size_action):
            toolbar.addAction(action)
        self.addToolBar(toolbar)


def _dropped_file(event: QDragEnterEvent | QDropEvent) -> Path | None:
    """The first local file among the dragged URLs, if any."""
    for url in event.mimeData().urls():
        if url.isLocalFile():
            return Path(url.toLocalFile())
    return None
