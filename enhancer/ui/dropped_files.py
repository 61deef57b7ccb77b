"""Which local files a drag carries, for every widget that accepts dropped photos."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData

OPEN_FILTER = "Images (*.png *.jpg *.jpeg *.tif *.tiff *.webp *.bmp);;All files (*)"


def dropped_files(mime: QMimeData) -> list[Path]:
    """The local files and folders among the dragged URLs, in order."""
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
