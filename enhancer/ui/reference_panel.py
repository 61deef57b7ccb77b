"""Reference photos: dropped or added, shown as thumbnails, removable.

Only a reference-based model uses them. For any other model the panel says so, and names the
models that would, so a user never wonders whether the photos they dropped had any effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import qtawesome
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QImageReader,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from enhancer.ui.dropped_files import OPEN_FILTER, dropped_files

THUMBNAIL = QSize(96, 96)


class ReferencePanel(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbnails = QListWidget()
        self.thumbnails.setViewMode(QListView.ViewMode.IconMode)
        self.thumbnails.setIconSize(THUMBNAIL)
        self.thumbnails.setResizeMode(QListView.ResizeMode.Adjust)
        self.thumbnails.setMovement(QListView.Movement.Static)
        self.thumbnails.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.thumbnails.setAcceptDrops(False)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.add_button = QPushButton(qtawesome.icon("mdi6.image-plus"), "Add…")
        self.remove_button = QPushButton(qtawesome.icon("mdi6.close"), "Remove")
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button.clicked.connect(self.remove_selected)
        QShortcut(QKeySequence.StandardKey.Delete, self.thumbnails, self.remove_selected)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        drop_here = QLabel("Drop reference photos of the same scene here.")
        drop_here.setWordWrap(True)
        layout.addWidget(drop_here)
        layout.addWidget(self.thumbnails, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.hint)
        self.setAcceptDrops(True)
        self.set_model("", uses_reference=False, reference_models=())

    def paths(self) -> list[Path]:
        return [Path(self.thumbnails.item(row).data(Qt.ItemDataRole.UserRole))
                for row in range(self.thumbnails.count())]

    def add_paths(self, paths: Sequence[Path]) -> None:
        known = set(self.paths())
        for path in paths:
            if path in known:
                continue
            item = QListWidgetItem(path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setIcon(_thumbnail(path))
            item.setToolTip(str(path))
            self.thumbnails.addItem(item)
        self.changed.emit()
        self._update_hint()

    def remove_selected(self) -> None:
        for item in self.thumbnails.selectedItems():
            self.thumbnails.takeItem(self.thumbnails.row(item))
        self.changed.emit()
        self._update_hint()

    def choose_files(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(self, "Add Reference Photos", "", OPEN_FILTER)
        self.add_paths([Path(name) for name in chosen])

    def set_model(self, model: str, *, uses_reference: bool, reference_models: Sequence[str]) -> None:
        """Say whether `model` will use the references, and which models would."""
        self._model, self._uses_reference = model, uses_reference
        self._reference_models = list(reference_models)
        self._update_hint()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = dropped_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.add_paths(files)

    def _update_hint(self) -> None:
        count = self.thumbnails.count()
        if self._uses_reference:
            text = (f"{self._model} will use these {count} photo(s)." if count
                    else f"{self._model} can use reference photos: drop some here.")
        elif self._reference_models:
            text = (f"Unused: {self._model or 'this model'} does not use reference photos. "
                    f"{', '.join(self._reference_models)} would.")
        else:
            text = (f"Unused: {self._model or 'this model'} does not use reference photos, and no "
                    "installed model does yet (a reference-based model such as SRNTT would).")
        self.hint.setText(text)


def _thumbnail(path: Path) -> QIcon:
    """A small picture of the file, decoded at reduced size; a placeholder icon if unreadable."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(size.scaled(THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return qtawesome.icon("mdi6.image-broken-variant")
    return QIcon(QPixmap.fromImage(image))
