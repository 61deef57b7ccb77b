"""GUI tests keep their settings in their own folder, never in the user's configuration."""

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture(autouse=True)
def private_settings(tmp_path):
    folder = tmp_path / "settings"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture
def make_window(qtbot):
    """Build a shown main window (after any registry changes the test made)."""
    from enhancer.ui.main_window import MainWindow

    def make() -> MainWindow:
        window = MainWindow(device_description="Test CPU (1 thread)")
        qtbot.addWidget(window)
        window.resize(1600, 800)
        window.show()
        qtbot.waitExposed(window)
        return window

    yield make


@pytest.fixture
def window(make_window):
    return make_window()
