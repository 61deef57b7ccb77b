"""The settings dialog: General, Models and Fine-tune tabs, opened with Ctrl+, from the window.

It is not modal: a fine-tune runs in its tab while the window keeps working, and every change to
the list of models (a fine-tune saved, a model imported, renamed or deleted) is announced with
`models_changed`, so the window's model picker shows it at once.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from enhancer.ui.settings import Settings
from enhancer.ui.settings_finetune import FinetuneTab
from enhancer.ui.settings_general import GeneralTab
from enhancer.ui.settings_models import ModelsTab


class SettingsDialog(QDialog):
    models_changed = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.general = GeneralTab(settings)
        self.models = ModelsTab()
        self.finetune = FinetuneTab()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.general, "General")
        self.tabs.addTab(self.models, "Models")
        self.tabs.addTab(self.finetune, "Fine-tune")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.general.save)
        buttons.rejected.connect(self.close)
        self.models.models_changed.connect(self.models_changed)
        self.models.models_changed.connect(self.finetune.refresh_models)
        self.finetune.model_saved.connect(self._on_model_saved)
        self.resize(760, 720)

    def _on_model_saved(self, name: str) -> None:
        self.models.refresh(name)
        self.finetune.refresh_models()
        self.models_changed.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing stops a fine-tune at a checkpoint; reopening and Start resumes it."""
        self.finetune.cancel()
        self.finetune.wait()
        super().closeEvent(event)
