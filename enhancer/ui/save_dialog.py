"""Where and how to save a result: file, format and quality, with a default name.

The file keeps the source's colour profile, EXIF data and bit depth where the format allows, as
the imaging layer writes it; the dialog says so, since users check.
"""

from __future__ import annotations

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

FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WebP": ".webp", "TIFF": ".tif"}
LOSSY = ("JPEG", "WebP")
DEFAULT_QUALITY = 95


def default_output_name(source: Path | None, model: str, scale: int, suffix: str = ".png") -> str:
    """"garden-espcn-x2.png" for garden.jpg upscaled x2 by espcn."""
    stem = source.stem if source is not None else "pasted"
    return f"{stem}-{model}-x{scale}{suffix}"


class SaveDialog(QDialog):
    def __init__(self, default_path: Path, *, quality: int = DEFAULT_QUALITY,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save Result")
        self.path = QLineEdit(str(default_path))
        self.format = QComboBox()
        self.format.addItems(list(FORMATS))
        self.quality = QSpinBox()
        self.quality.setRange(1, 100)
        self.quality.setValue(quality)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.format.currentTextChanged.connect(self._on_format)
        for name, suffix in FORMATS.items():
            if default_path.suffix.lower() in (suffix, ".jpeg" if name == "JPEG" else suffix):
                self.format.setCurrentText(name)
        self._on_format(self.format.currentText())

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
        note = QLabel("Keeps the colour profile, EXIF data (date, GPS) and 16-bit depth where the "
                      "format allows.")
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(buttons)
        self.resize(560, self.sizeHint().height())

    def chosen_path(self) -> Path:
        return Path(self.path.text()).expanduser()

    def _on_format(self, name: str) -> None:
        self.quality.setEnabled(name in LOSSY)
        path = Path(self.path.text())
        if path.name:
            self.path.setText(str(path.with_suffix(FORMATS[name])))

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Save Result", self.path.text())
        if chosen:
            self.path.setText(chosen)
            suffix = Path(chosen).suffix.lower()
            for name, known in FORMATS.items():
                if suffix == known or (name == "JPEG" and suffix == ".jpeg"):
                    self.format.setCurrentText(name)
