"""Photos (numpy, from enhancer.imaging) to QImages and back, and images ready to paint.

Screens show 8 bits per channel, so a 16-bit photo is rounded down to 8 bits for display only; the
photo itself keeps its depth for processing and saving.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PySide6.QtGui import QImage

from enhancer.imaging.io import Photo

# Long side of the preview painted when a large picture is shown smaller than its size.
PREVIEW_SIDE = 2048


def photo_to_qimage(photo: Photo) -> QImage:
    """An RGB888 image, or RGBA8888 (straight alpha) when the photo has an alpha channel."""
    return _pixels_to_qimage(_display_pixels(photo))


def _display_pixels(photo: Photo) -> np.ndarray:
    pixels = photo.rgb
    if photo.alpha is not None:
        pixels = np.dstack([pixels, photo.alpha])
    return np.ascontiguousarray(_to_8_bits(pixels))


def _pixels_to_qimage(pixels: np.ndarray) -> QImage:
    pixels = np.ascontiguousarray(pixels)
    height, width, channels = pixels.shape
    layout = QImage.Format.Format_RGBA8888 if channels == 4 else QImage.Format.Format_RGB888
    # QImage borrows the buffer; the copy owns its pixels once `pixels` is gone.
    return QImage(pixels.data, width, height, width * channels, layout).copy()


def _to_8_bits(pixels: np.ndarray) -> np.ndarray:
    if pixels.dtype == np.uint8:
        return pixels
    return np.round(pixels.astype(np.float32) / 257).astype(np.uint8)


def qimage_to_photo(image: QImage) -> Photo:
    """A pasted picture as a Photo (8-bit RGB, alpha kept), so it runs like an opened file."""
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    height, width = rgba.height(), rgba.width()
    pixels = np.frombuffer(rgba.constBits(), dtype=np.uint8, count=rgba.sizeInBytes())
    pixels = pixels.reshape(height, rgba.bytesPerLine())[:, : width * 4].reshape(height, width, 4)
    alpha = pixels[..., 3].copy() if image.hasAlphaChannel() else None
    return Photo(rgb=pixels[..., :3].copy(), alpha=alpha, icc_profile=None, exif=None,
                 grayscale=False, format="PNG")


@dataclass(frozen=True)
class DisplayImage:
    """A picture ready to paint: full size for close looks, and a preview for zoomed-out ones.

    Painting a 48-megapixel image scaled down takes longer than a frame; the preview makes a fitted
    view cheap. Both are made wherever the picture is made, a worker thread for results.
    """

    full: QImage
    preview: QImage

    @classmethod
    def of_photo(cls, photo: Photo) -> DisplayImage:
        pixels = _display_pixels(photo)
        full = _pixels_to_qimage(pixels)
        height, width = pixels.shape[:2]
        shrink = PREVIEW_SIDE / max(height, width)
        if shrink >= 1:
            return cls(full, full)
        # OpenCV rather than QImage.scaled: it lets go of Python's lock while it works, so a
        # worker making a preview never holds up the GUI thread.
        size = (max(1, round(width * shrink)), max(1, round(height * shrink)))
        return cls(full, _pixels_to_qimage(cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)))

    @property
    def width(self) -> int:
        return self.full.width()

    @property
    def height(self) -> int:
        return self.full.height()
