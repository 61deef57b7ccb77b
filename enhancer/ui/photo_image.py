"""Photos (numpy, from enhancer.imaging) to QImages and back, and images ready to paint.

Screens show 8 bits per channel, so a 16-bit photo is rounded down to 8 bits for display only; the
photo itself keeps its depth for processing and saving.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from enhancer.imaging.io import Photo

# Long side of the preview painted when a large picture is shown smaller than its size.
PREVIEW_SIDE = 2048


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
    def of(cls, image: QImage) -> DisplayImage:
        if max(image.width(), image.height()) <= PREVIEW_SIDE:
            return cls(image, image)
        preview = image.scaled(PREVIEW_SIDE, PREVIEW_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
        return cls(image, preview)

    @classmethod
    def of_photo(cls, photo: Photo) -> DisplayImage:
        return cls.of(photo_to_qimage(photo))

    @property
    def width(self) -> int:
        return self.full.width()

    @property
    def height(self) -> int:
        return self.full.height()
