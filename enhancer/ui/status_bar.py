"""The window's status bar: a notice on the left, the progress of a run, facts about the photo and
the device on the right.

Problems are reported here rather than in a dialog, so a bad file never interrupts the user (or
blocks a test); the notice stays until the next one replaces it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

ERROR_STYLE = "color: #c9302c; font-weight: bold;"
LABEL_PADDING = 8
PROGRESS_STEPS = 1000
PROGRESS_WIDTH = 160


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notice = QLabel()
        self.photo = QLabel()
        self.zoom = QLabel()
        self.device = QLabel()
        self.progress_text = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setFixedWidth(PROGRESS_WIDTH)
        self.progress.setTextVisible(False)
        self.addWidget(self.notice, 1)
        self.notice.setContentsMargins(LABEL_PADDING, 0, LABEL_PADDING, 0)
        self.addPermanentWidget(self.progress_text)
        self.addPermanentWidget(self.progress)
        self.hide_progress()
        for label in (self.photo, self.zoom, self.device):
            label.setContentsMargins(LABEL_PADDING, 0, LABEL_PADDING, 0)
            self.addPermanentWidget(label)

    def show_hint(self, text: str) -> None:
        self.notice.setStyleSheet("")
        self.notice.setText(text)

    def show_error(self, text: str) -> None:
        self.notice.setStyleSheet(ERROR_STYLE)
        self.notice.setText(text)

    def set_photo(self, name: str, *, width: int, height: int, bit_depth: int) -> None:
        self.photo.setText(f"{name}  ·  {width} × {height}  ·  {bit_depth}-bit")

    def set_zoom(self, zoom: float) -> None:
        self.zoom.setText(f"Zoom {zoom:.0%}")

    def set_device(self, description: str) -> None:
        self.device.setText(f"Device: {description}")

    def show_progress(self, fraction: float | None, text: str) -> None:
        """Show a run's progress; `fraction` None keeps the bar where it is."""
        if fraction is not None:
            self.progress.setValue(round(fraction * PROGRESS_STEPS))
        self.progress_text.setText(text)
        self.progress.show()
        self.progress_text.show()

    def hide_progress(self) -> None:
        self.progress.setValue(0)
        self.progress.hide()
        self.progress_text.hide()
