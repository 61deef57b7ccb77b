"""The General tab: where models run and how results are written, kept in the app's settings.

Device, precision and tile are the same settings the model panel shows, under the same keys. The
output settings are one `OutputOptions` (`output_options` reads them back), which the save dialog
and the batch queue write files with.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from enhancer.engine.output_options import (
    DEFAULT_TEMPLATE,
    FORMATS,
    OutputOptions,
    OutputOptionsError,
)
from enhancer.ui.model_panel import engine_controls
from enhancer.ui.settings import Settings

log = logging.getLogger(__name__)


def output_options(settings: Settings) -> OutputOptions:
    """The stored output settings; the defaults where a stored value is unusable."""
    try:
        return OutputOptions(format=settings.text("output_format", "png"),
                             quality=settings.number("quality", 95),
                             template=settings.text("naming_template", DEFAULT_TEMPLATE),
                             keep_metadata=settings.flag("keep_metadata", True))
    except OutputOptionsError as error:
        log.warning("output settings ignored: %s", error)
        return OutputOptions()


class GeneralTab(QWidget):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.device, self.precision, self.tile = engine_controls()
        self.output_format = QComboBox()
        self.output_format.addItems(list(FORMATS))
        self.quality = QSpinBox()
        self.quality.setRange(1, 100)
        self.quality.setToolTip("JPEG and WebP")
        self.naming = QLineEdit()
        self.naming.setToolTip("{stem}: the photo's name, {model}, {scale}")
        self.keep_metadata = QCheckBox("Keep EXIF and colour profile")
        self.message = QLabel()
        self.message.setWordWrap(True)

        form = QFormLayout(self)
        form.addRow("Device", self.device)
        form.addRow("Precision", self.precision)
        form.addRow("Tile", self.tile)
        form.addRow("Output format", self.output_format)
        form.addRow("Quality", self.quality)
        form.addRow("File names", self.naming)
        form.addRow("", self.keep_metadata)
        form.addRow(self.message)

        self.device.setCurrentText(settings.text("device", "auto"))
        self.precision.setCurrentText(settings.text("precision", "auto"))
        self.tile.setValue(settings.number("tile", 0))
        options = output_options(settings)
        self.output_format.setCurrentText(options.format)
        self.quality.setValue(options.quality)
        self.naming.setText(options.template)
        self.keep_metadata.setChecked(options.keep_metadata)

    def save(self) -> bool:
        """Store the tab's values; a file name template that cannot name files is refused (and
        nothing is stored) with the reason shown."""
        try:
            options = OutputOptions(format=self.output_format.currentText(),
                                    quality=self.quality.value(),
                                    template=self.naming.text().strip() or DEFAULT_TEMPLATE,
                                    keep_metadata=self.keep_metadata.isChecked())
        except OutputOptionsError as error:
            self.message.setText(str(error))
            return False
        self.settings.set("device", self.device.currentText())
        self.settings.set("precision", self.precision.currentText())
        self.settings.set("tile", self.tile.value())
        self.settings.set("output_format", options.format)
        self.settings.set("quality", options.quality)
        self.settings.set("naming_template", options.template)
        self.settings.set("keep_metadata", options.keep_metadata)
        self.message.setText("Saved.")
        return True
