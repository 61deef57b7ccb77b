"""What the app remembers between runs: the model set-up, recent files, where batches go.

Stored with QSettings in INI format under the app's name, so a test can point every store at a
temporary folder with `QSettings.setPath` and never touch the user's configuration.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from enhancer.paths import APP_NAME

RECENT_LIMIT = 8


class Settings:
    def __init__(self) -> None:
        self._store = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                                APP_NAME, APP_NAME)

    def text(self, key: str, default: str) -> str:
        return str(self._store.value(key, default))

    def number(self, key: str, default: int) -> int:
        try:
            return int(self._store.value(key, default))
        except (TypeError, ValueError):
            return default

    def flag(self, key: str, default: bool) -> bool:
        value = self._store.value(key, default)
        return value if isinstance(value, bool) else str(value).lower() == "true"

    def names(self, key: str) -> list[str]:
        value = self._store.value(key, [])
        if isinstance(value, str):
            return [value] if value else []
        return [str(item) for item in value or []]

    def set(self, key: str, value: object) -> None:
        self._store.setValue(key, value)

    def recent_files(self) -> list[Path]:
        return [Path(name) for name in self.names("recent_files")]

    def add_recent_file(self, path: Path) -> list[Path]:
        """Put `path` first among the recent files; return the new list."""
        recent = [path.resolve(), *(p for p in self.recent_files() if p != path.resolve())]
        recent = recent[:RECENT_LIMIT]
        self.set("recent_files", [str(p) for p in recent])
        return recent
