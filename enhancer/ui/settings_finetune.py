"""The Fine-tune tab: photo folders, base model, scale, degradation, budget and name; then the run,
with its loss and held-out PSNR curves and a before/after crop of a held-out photo.

A perceptual base model (SRGAN, Johnson et al.) is fine-tuned against features of
EfficientNet-Lite0, installed with the app, or of the VGG16/VGG19 file the user points the tab at
(remembered).

The run is `enhancer.train.finetune` pulled by the tab's own `TaskRunner`, so photos can still be
upscaled in the window meanwhile. Pause stops the run at a checkpoint and Resume starts it again
from there, so a pause spends none of the time budget; Cancel stops it the same way, and Start with
the same name later resumes it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PySide6.QtCore import Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from enhancer.imaging.io import Photo
from enhancer.models.catalog import PERCEPTUAL_KINDS
from enhancer.models.registry import architectures, weights_files
from enhancer.train.finetune import (
    DEGRADATIONS,
    FinetuneConfig,
    FinetuneError,
    FinetuneProgress,
    FinetuneResult,
    finetune,
    trainable_models,
)
from enhancer.ui.curve_plot import CurvePlot
from enhancer.ui.photo_image import photo_to_qimage
from enhancer.ui.settings import Settings
from enhancer.ui.worker import TaskCallbacks, TaskRunner

PREVIEW_PIXELS = 160
VGG_WEIGHTS_KEY = "finetune/vgg_weights"


class FinetuneTab(QWidget):
    model_saved = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = TaskRunner(self)
        self.config: FinetuneConfig | None = None
        self.paused = False

        self.folders = QListWidget()
        add_folder = QPushButton("Add Folder…")
        remove_folder = QPushButton("Remove")
        self.base = QComboBox()
        self.scale = QComboBox()
        self.degradation = QComboBox()
        self.degradation.addItems(list(DEGRADATIONS))
        self.budget = QSpinBox()
        self.budget.setRange(1, 1_000_000)
        self.budget.setValue(10)
        self.budget_unit = QComboBox()
        self.budget_unit.addItems(["minutes", "iterations"])
        self.features = QLineEdit(Settings().text(VGG_WEIGHTS_KEY, ""))
        self.features.setPlaceholderText("EfficientNet-Lite0 (installed)")
        self.features.setToolTip("For perceptual models: a torchvision VGG16/VGG19 weights file "
                                 "(the papers' feature network); empty for EfficientNet-Lite0")
        self.choose_features = QPushButton("Choose…")
        self.name = QLineEdit()
        self.name.setPlaceholderText("name of the new model")
        self.start_button = QPushButton("Start")
        self.pause_button = QPushButton("Pause")
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.status = QLabel("Choose photo folders, a base model and a name.")
        self.status.setWordWrap(True)
        self.loss_plot = CurvePlot("Training loss")
        self.psnr_plot = CurvePlot("Held-out PSNR-Y", unit="dB")
        self.before_image, self.after_image = QLabel("before"), QLabel("after")

        folder_buttons = QHBoxLayout()
        folder_buttons.addWidget(add_folder)
        folder_buttons.addWidget(remove_folder)
        folder_buttons.addStretch(1)
        budget = QHBoxLayout()
        budget.addWidget(self.budget)
        budget.addWidget(self.budget_unit)
        form = QFormLayout()
        form.addRow("Base model", self.base)
        form.addRow("Scale", self.scale)
        form.addRow("Degradation", self.degradation)
        form.addRow("Budget", budget)
        features = QHBoxLayout()
        features.addWidget(self.features, 1)
        features.addWidget(self.choose_features)
        form.addRow("Feature network", features)
        form.addRow("New model", self.name)
        controls = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.cancel_button):
            controls.addWidget(button)
        controls.addWidget(self.progress, 1)
        plots = QGridLayout()
        plots.addWidget(self.loss_plot, 0, 0)
        plots.addWidget(self.psnr_plot, 0, 1)
        plots.addWidget(self.before_image, 1, 0)
        plots.addWidget(self.after_image, 1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Photo folders (searched with their subfolders; about 10% is "
                                "held out to score the model)"))
        layout.addWidget(self.folders)
        layout.addLayout(folder_buttons)
        layout.addLayout(form)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addLayout(plots, 1)

        add_folder.clicked.connect(self._ask_folder)
        remove_folder.clicked.connect(lambda: self.folders.takeItem(self.folders.currentRow()))
        self.base.currentTextChanged.connect(self._fill_scales)
        self.base.currentTextChanged.connect(self._enable_features)
        self.choose_features.clicked.connect(self._ask_features)
        self.features.editingFinished.connect(self._remember_features)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.pause_or_resume)
        self.cancel_button.clicked.connect(self.cancel)
        self.tasks.busy_changed.connect(self._show_state)
        self.refresh_models()
        self._show_state()

    def refresh_models(self) -> None:
        """List the models a fine-tune can start from now (after an import, a rename, a delete
        or a finished fine-tune), keeping the chosen one and its scale when they still exist."""
        chosen, scale = self.base.currentText(), self.scale.currentText()
        self.base.blockSignals(True)
        self.base.clear()
        self.base.addItems(trainable_models())
        self.base.setCurrentIndex(max(self.base.findText(chosen), 0))
        self.base.blockSignals(False)
        self._fill_scales()
        self._enable_features()
        self.scale.setCurrentIndex(max(self.scale.findText(scale), 0))

    def add_folder(self, folder: Path) -> None:
        self.folders.addItem(str(folder))

    def start(self) -> None:
        """Start a fine-tune with the tab's choices (resuming one stopped under the same name)."""
        try:
            self.config = self._config()
        except FinetuneError as error:
            self.status.setText(str(error))
            return
        self.loss_plot.clear()
        self.psnr_plot.clear()
        self._launch()

    def pause_or_resume(self) -> None:
        if self.paused:
            self.paused = False
            self._launch()
        elif self.tasks.busy:
            self.paused = True
            self.tasks.cancel()

    def cancel(self) -> None:
        self.paused = False
        if self.tasks.busy:
            self.tasks.cancel()
        self._show_state()

    def _launch(self) -> None:
        config = self.config
        self.tasks.start(lambda: finetune(config), TaskCallbacks(
            progress=self._on_progress, finished=self._on_finished, failed=self._on_failed,
            cancelled=self._on_stopped))

    def _config(self) -> FinetuneConfig:
        folders = tuple(Path(self.folders.item(row).text()) for row in range(self.folders.count()))
        minutes = self.budget_unit.currentText() == "minutes"
        features = self.features.text().strip()
        return FinetuneConfig(
            base=self.base.currentText(), scale=int(self.scale.currentText().lstrip("×") or 0),
            photos=folders, name=self.name.text().strip(),
            minutes=self.budget.value() if minutes else None,
            iterations=None if minutes else self.budget.value(),
            degradation=self.degradation.currentText(),
            features=Path(features) if self.features.isEnabled() and features else None,
            device=self._device())

    def _device(self) -> str:
        return Settings().text("device", "auto")

    def _on_progress(self, progress: FinetuneProgress) -> None:
        self.progress.setValue(round(100 * progress.fraction))
        self.status.setText(progress.text)
        if progress.stage == "training" and progress.loss is not None:
            self.loss_plot.add(progress.iteration, progress.loss)
            if progress.validation is not None and (
                    not self.psnr_plot.points or self.psnr_plot.points[-1][1] != progress.validation):
                self.psnr_plot.add(progress.iteration, progress.validation)
        if progress.preview is not None:
            self.before_image.setPixmap(_pixmap(progress.preview.before))
            self.after_image.setPixmap(_pixmap(progress.preview.after))

    def _on_finished(self, result: FinetuneResult) -> None:
        self.progress.setValue(100)
        self.status.setText(
            f"Saved {result.weights.name}: held-out PSNR-Y {result.before:.2f} → "
            f"{result.after:.2f} dB on {result.held_out} photo(s), {result.iterations} iterations"
            + (f"; skipped {len(result.skipped)} file(s)" if result.skipped else ""))
        self.model_saved.emit(result.weights.name)

    def _on_failed(self, message: str) -> None:
        self.paused = False
        self.status.setText(f"Stopped: {message}")

    def _on_stopped(self) -> None:
        if self.paused:
            self.status.setText("Paused at the last checkpoint; Resume continues from there.")
        else:
            self.status.setText("Cancelled; what it learned is kept in a checkpoint: Start with "
                                "the same name resumes it.")

    def _show_state(self) -> None:
        busy = self.tasks.busy
        self.start_button.setEnabled(not busy and not self.paused)
        self.pause_button.setEnabled(busy or self.paused)
        self.pause_button.setText("Resume" if self.paused else "Pause")
        self.cancel_button.setEnabled(busy or self.paused)

    def _fill_scales(self) -> None:
        scales = sorted({s for w in weights_files() if w.name == self.base.currentText()
                         for s in w.scales})
        self.scale.clear()
        self.scale.addItems([f"×{s}" for s in scales])

    def _enable_features(self) -> None:
        """The feature network is read only by perceptual models' content loss."""
        perceptual = any(architectures()[w.arch].kind in PERCEPTUAL_KINDS
                         for w in weights_files() if w.name == self.base.currentText())
        self.features.setEnabled(perceptual)
        self.choose_features.setEnabled(perceptual)

    def _ask_features(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose VGG16/VGG19 weights", "",
                                              "Weights (*.pth *.pt *.safetensors)")
        if path:
            self.features.setText(path)
            self._remember_features()

    def _remember_features(self) -> None:
        Settings().set(VGG_WEIGHTS_KEY, self.features.text().strip())

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a photo folder")
        if folder:
            self.add_folder(Path(folder))

    def wait(self) -> None:
        self.tasks.wait()


def _pixmap(image: torch.Tensor) -> QPixmap:
    pixels = (image[0].clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    photo = Photo(rgb=np.ascontiguousarray(pixels), alpha=None, icc_profile=None, exif=None,
                  grayscale=False, format="PNG")
    pixmap = QPixmap.fromImage(photo_to_qimage(photo))
    return pixmap.scaledToWidth(min(PREVIEW_PIXELS, pixmap.width() * 4))
