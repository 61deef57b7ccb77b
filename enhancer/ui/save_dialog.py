"""Where and how to save a result: file, format and quality, starting from the General settings.

The suggested name comes from the settings' file name template and format; the note says whether
the colour profile and EXIF data go along, as the settings decide, since users check.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from enhancer.engine.output_options import OutputOptions

# The output formats by the names users know them by.
FORMAT_NAMES = {"png": "PNG", "jpg": "JPEG", "webp": "WebP", "tif": "TIFF"}
SUFFIX_ALIASES = {".jpeg": "jpg", ".tiff": "tif"}
LOSSY = ("jpg", "webp")


class SaveDialog(QDialog):
    def __init__(self, default_path: Path, *, options: OutputOptions = OutputOptions(),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save Result")
        self.options = options
        self.path = QLineEdit(str(default_path))
        self.format = QComboBox()
        for key, name in FORMAT_NAMES.items():
            self.format.addItem(name, key)
        self.quality = QSpinBox()
        self.quality.setRange(1, 100)
        self.quality.setValue(options.quality)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.format.currentIndexChanged.connect(self._on_format)
        self._select_format(_format_of(default_path) or options.format)
        self._on_format()

        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("File", path_row)
        form.addRow("Format", self.format)
        form.addRow("Quality", self.quality)
        if options.keep_metadata:
            text = ("Keeps the colour profile, EXIF data (date, GPS) and 16-bit depth where the "
                    "format allows.")
        else:
            text = ("Leaves out the colour profile and EXIF data (date, GPS, camera), as the "
                    "General settings say; keeps 16-bit depth where the format allows.")
        note = QLabel(text)
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(buttons)
        self.resize(560, self.sizeHint().height())

    def chosen_path(self) -> Path:
        return Path(self.path.text()).expanduser()

    def chosen_options(self) -> OutputOptions:
        """The settings' options with this save's format and quality."""
        return replace(self.options, format=self.format.currentData(),
                       quality=self.quality.value())

    def _select_format(self, key: str) -> None:
        self.format.setCurrentIndex(max(self.format.findData(key), 0))

    def _on_format(self) -> None:
        key = self.format.currentData()
        self.quality.setEnabled(key in LOSSY)
        path = Path(self.path.text())
        if path.name:
            self.path.setText(str(path.with_suffix(f".{key}")))

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Save Result", self.path.text())
        if chosen:
            self.path.setText(chosen)
            key = _format_of(Path(chosen))
            if key:
                self._select_format(key)


def _format_of(path: Path) -> str | None:
    """The output format a file name's suffix asks for, if any."""
    suffix = path.suffix.lower()
    key = SUFFIX_ALIASES.get(suffix, suffix.lstrip("."))
    return key if key in FORMAT_NAMES else None
