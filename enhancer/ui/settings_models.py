"""The Models tab: every model with its card; import a weights file; rename or delete user models.

The work is done by `enhancer.models.importing`; refusals are shown in the tab's message line.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from enhancer.models.catalog import CatalogEntry, catalog
from enhancer.models.importing import (
    ModelImportError,
    delete_user_model,
    import_model,
    rename_user_model,
)
from enhancer.ui.model_panel import card_html


class ModelsTab(QWidget):
    models_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.card = QLabel()
        self.card.setWordWrap(True)
        self.card.setTextFormat(Qt.TextFormat.RichText)
        self.card.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.import_button = QPushButton("Import…")
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete")
        buttons = QHBoxLayout()
        for button in (self.import_button, self.rename_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 2)
        layout.addWidget(self.card, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

        self.list.currentItemChanged.connect(self._show_selected)
        self.import_button.clicked.connect(self._ask_import)
        self.rename_button.clicked.connect(self._ask_rename)
        self.delete_button.clicked.connect(self._ask_delete)
        self.refresh()

    def refresh(self, select: str | None = None) -> None:
        current = select or (self.selected().id if self.list.currentItem() else None)
        self.list.clear()
        for entry in catalog():
            item = QListWidgetItem(f"{entry.id}  ·  {entry.name}" + ("  (yours)" if entry.user else ""))
            item.setData(Qt.ItemDataRole.UserRole, entry)
            self.list.addItem(item)
            if entry.id == current:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)

    def selected(self) -> CatalogEntry:
        return self.list.currentItem().data(Qt.ItemDataRole.UserRole)

    def import_file(self, path: Path) -> bool:
        try:
            weights = import_model(path)
        except ModelImportError as error:
            self.message.setText(f"Not imported: {error}")
            return False
        self.message.setText(f"Imported {weights.name} ({weights.arch}, "
                             + ", ".join(f"×{s}" for s in weights.scales) + ")")
        self._changed(weights.name)
        return True

    def rename_selected(self, new_name: str) -> bool:
        try:
            rename_user_model(self.selected().id, new_name)
        except ModelImportError as error:
            self.message.setText(f"Not renamed: {error}")
            return False
        self.message.setText(f"Renamed to {new_name}")
        self._changed(new_name)
        return True

    def delete_selected(self) -> bool:
        name = self.selected().id
        try:
            delete_user_model(name)
        except ModelImportError as error:
            self.message.setText(f"Not deleted: {error}")
            return False
        self.message.setText(f"Deleted {name}")
        self._changed(None)
        return True

    def _changed(self, select: str | None) -> None:
        self.refresh(select)
        self.models_changed.emit()

    def _show_selected(self) -> None:
        if self.list.currentItem() is None:
            return
        entry = self.selected()
        self.card.setText(card_html(entry) + _finetune_rows(entry))
        self.rename_button.setEnabled(entry.user)
        self.delete_button.setEnabled(entry.user)

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a model", "",
                                              "Weights (*.safetensors *.pth *.pt)")
        if path:
            self.import_file(Path(path))

    def _ask_rename(self) -> None:
        name, accepted = QInputDialog.getText(self, "Rename model", "New name",
                                              text=self.selected().id)
        if accepted and name:
            self.rename_selected(name.strip())

    def _ask_delete(self) -> None:
        answer = QMessageBox.question(self, "Delete model", f"Delete {self.selected().id}?")
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_selected()


def _finetune_rows(entry: CatalogEntry) -> str:
    card = entry.card
    if "base_model" not in card:
        return ""
    return (f"<p>Fine-tuned from {card['base_model']} on {card.get('photos', '?')} photos, "
            f"{card.get('iterations', '?')} iterations; held-out PSNR "
            f"{card.get('held_out_psnr_before', '?')} → {card.get('held_out_psnr_after', '?')} dB</p>")
