"""Light and dark appearance that follows the system's colour scheme, icons included."""

from __future__ import annotations

import qtawesome
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

DARK = {
    QPalette.ColorRole.Window: QColor(45, 45, 48),
    QPalette.ColorRole.WindowText: QColor(230, 230, 230),
    QPalette.ColorRole.Base: QColor(30, 30, 32),
    QPalette.ColorRole.AlternateBase: QColor(45, 45, 48),
    QPalette.ColorRole.ToolTipBase: QColor(45, 45, 48),
    QPalette.ColorRole.ToolTipText: QColor(230, 230, 230),
    QPalette.ColorRole.Text: QColor(230, 230, 230),
    QPalette.ColorRole.Button: QColor(55, 55, 58),
    QPalette.ColorRole.ButtonText: QColor(230, 230, 230),
    QPalette.ColorRole.Highlight: QColor(74, 144, 217),
    QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
    QPalette.ColorRole.PlaceholderText: QColor(150, 150, 150),
}


def system_is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, *, dark: bool | None = None) -> None:
    """Style the app for the system's scheme (or `dark` when given), and follow later changes."""
    if dark is None:
        dark = system_is_dark()
        if not app.property("theme_follows_system"):
            app.setProperty("theme_follows_system", True)
            app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))
    app.setStyle("Fusion")
    palette = app.style().standardPalette()
    if dark:
        for role, color in DARK.items():
            palette.setColor(role, color)
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(120, 120, 120))
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText,
                         QColor(120, 120, 120))
    app.setPalette(palette)
    # qtawesome draws icons in the palette's text colour; icons made from now on follow the theme.
    qtawesome.reset_cache()
