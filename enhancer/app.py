"""The GUI's entry point: the one place where the Qt application meets the core.

`enhancer` with no arguments (or with only image paths) lands here from the CLI.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication

from enhancer import paths
from enhancer.engine.device import choose_device, describe_device
from enhancer.ui.main_window import MainWindow
from enhancer.ui.theme import apply_theme

SAMPLE_HINT = ("This is a sample photo: press Ctrl+R to upscale it, or open your own with Ctrl+O, "
               "drop it here or paste it.")
DEFAULT_WINDOW_SIZE = (1360, 860)
# Never open larger than this share of the screen, so small laptop screens keep room around it.
MAX_SCREEN_SHARE = 0.9


def run_gui(photos: Sequence[Path]) -> int:
    """Open the main window on the first photo given (or the sample) and run until it closes."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    # QSettings files are named after these.
    app.setApplicationName(paths.APP_NAME)
    app.setOrganizationName(paths.APP_NAME)
    apply_theme(app)
    window = create_main_window(photos)
    window.show()
    return app.exec()


def create_main_window(photos: Sequence[Path]) -> MainWindow:
    """The main window, sized for the screen, showing the first photo or else the sample photo."""
    window = MainWindow(device_description=describe_device(choose_device()))
    window.resize(*_window_size(window))
    if photos:
        window.open_path(photos[0])
    elif window.open_path(paths.sample_photo()):
        window.status.show_hint(SAMPLE_HINT)
    return window


def _window_size(window: MainWindow) -> tuple[int, int]:
    screen = window.screen().availableGeometry()
    width, height = DEFAULT_WINDOW_SIZE
    return (min(width, int(screen.width() * MAX_SCREEN_SHARE)),
            min(height, int(screen.height() * MAX_SCREEN_SHARE)))
