"""The General tab: where models run and how results are written, kept in the app's settings.

Device, precision and tile are the same settings the model panel shows, under the same keys.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from enhancer.ui.model_panel import engine_controls
from enhancer.ui.settings import Settings

OUTPUT_FORMATS = ("png", "jpg", "webp", "tif")
DEFAULT_TEMPLATE = "{stem}_{model}_x{scale}"


class GeneralTab(QWidget):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.device, self.precision, self.tile = engine_controls()
        self.output_format = QComboBox()
        self.output_format.addItems(list(OUTPUT_FORMATS))
        self.quality = QSpinBox()
        self.quality.setRange(1, 100)
        self.naming = QLineEdit()
        self.naming.setToolTip("{stem}: the photo's name, {model}, {scale}")
        self.keep_metadata = QCheckBox("Keep EXIF and colour profile")

        form = QFormLayout(self)
        form.addRow("Device", self.device)
        form.addRow("Precision", self.precision)
        form.addRow("Tile", self.tile)
        form.addRow("Output format", self.output_format)
        form.addRow("Quality", self.quality)
        form.addRow("File names", self.naming)
        form.addRow("", self.keep_metadata)

        self.device.setCurrentText(settings.text("device", "auto"))
        self.precision.setCurrentText(settings.text("precision", "auto"))
        self.tile.setValue(settings.number("tile", 0))
        self.output_format.setCurrentText(settings.text("output_format", "png"))
        self.quality.setValue(settings.number("quality", 95))
        self.naming.setText(settings.text("naming_template", DEFAULT_TEMPLATE))
        self.keep_metadata.setChecked(settings.flag("keep_metadata", True))

    def save(self) -> None:
        self.settings.set("device", self.device.currentText())
        self.settings.set("precision", self.precision.currentText())
        self.settings.set("tile", self.tile.value())
        self.settings.set("output_format", self.output_format.currentText())
        self.settings.set("quality", self.quality.value())
        self.settings.set("naming_template", self.naming.text().strip() or DEFAULT_TEMPLATE)
        self.settings.set("keep_metadata", self.keep_metadata.isChecked())
