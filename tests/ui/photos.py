"""Small photo files for the GUI tests, written fresh into each test's folder."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def write_photo(path: Path, *, width: int, height: int) -> Path:
    """A PNG with a distinct colour gradient, so a wrong size or orientation would show."""
    ys, xs = np.mgrid[0:height, 0:width]
    rgb = np.dstack([xs * 255 // max(width - 1, 1), ys * 255 // max(height - 1, 1),
                     np.full_like(xs, 90)]).astype(np.uint8)
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return path


def write_broken_file(path: Path) -> Path:
    path.write_bytes(b"this is not an image")
    return path
