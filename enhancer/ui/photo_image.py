"""Photo (numpy, from enhancer.imaging) to QImage, the one conversion the viewer needs.

Screens show 8 bits per channel, so a 16-bit photo is rounded down to 8 bits for display only; the
photo itself keeps its depth for processing and saving.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from enhancer.imaging.io import Photo


def photo_to_qimage(photo: Photo) -> QImage:
    """An RGB888 image, or RGBA8888 (straight alpha) when the photo has an alpha channel."""
    pixels = photo.rgb
    if photo.alpha is not None:
        pixels = np.dstack([pixels, photo.alpha])
    pixels = np.ascontiguousarray(_to_8_bits(pixels))
    height, width, channels = pixels.shape
    layout = QImage.Format.Format_RGBA8888 if channels == 4 else QImage.Format.Format_RGB888
    # QImage borrows the buffer; the copy owns its pixels once `pixels` is gone.
    return QImage(pixels.data, width, height, width * channels, layout).copy()


def _to_8_bits(pixels: np.ndarray) -> np.ndarray:
    if pixels.dtype == np.uint8:
        return pixels
    return np.round(pixels.astype(np.float32) / 257).astype(np.uint8)
