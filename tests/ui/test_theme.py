"""Light and dark palettes, with icons drawn in a colour that shows on them."""

import qtawesome
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from enhancer.ui.theme import DARK, apply_theme


def test_dark_and_light_palettes(qapp: QApplication):
    original = qapp.palette()
    try:
        apply_theme(qapp, dark=True)
        window = qapp.palette().color(QPalette.ColorRole.Window)
        assert window == DARK[QPalette.ColorRole.Window]
        assert window.lightness() < 80
        icon = qtawesome.icon("mdi6.play").pixmap(32, 32).toImage()
        drawn = [icon.pixelColor(x, y) for y in range(32) for x in range(32)]
        assert max(c.lightness() for c in drawn if c.alpha() > 200) > 180

        apply_theme(qapp, dark=False)
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 180
    finally:
        qapp.setPalette(original)
