import numpy as np
from PySide6.QtGui import QImage

from enhancer.imaging.io import Photo
from enhancer.ui.photo_image import photo_to_qimage


def make_photo(rgb: np.ndarray, alpha: np.ndarray | None = None) -> Photo:
    return Photo(rgb=rgb, alpha=alpha, icc_profile=None, exif=None, grayscale=False, format="PNG")


def test_8_bit_pixels_keep_their_values_and_place():
    rgb = np.zeros((3, 5, 3), dtype=np.uint8)
    rgb[2, 4] = (10, 200, 30)

    image = photo_to_qimage(make_photo(rgb))

    assert (image.width(), image.height()) == (5, 3)
    assert image.format() == QImage.Format.Format_RGB888
    assert image.pixelColor(4, 2).getRgb()[:3] == (10, 200, 30)
    assert image.pixelColor(0, 0).getRgb()[:3] == (0, 0, 0)


def test_16_bit_pixels_are_rounded_to_8_bits_for_display():
    rgb = np.zeros((2, 2, 3), dtype=np.uint16)
    rgb[0, 1] = (65535, 257 * 100, 257 * 100 + 100)

    image = photo_to_qimage(make_photo(rgb))

    assert image.pixelColor(1, 0).getRgb()[:3] == (255, 100, 100)


def test_alpha_is_kept():
    rgb = np.full((2, 3, 3), 128, dtype=np.uint8)
    alpha = np.array([[0, 128, 255], [255, 255, 255]], dtype=np.uint8)

    image = photo_to_qimage(make_photo(rgb, alpha))

    assert image.hasAlphaChannel()
    assert [image.pixelColor(x, 0).alpha() for x in range(3)] == [0, 128, 255]


def test_image_outlives_the_photo_array():
    rgb = np.full((4, 4, 3), 77, dtype=np.uint8)
    image = photo_to_qimage(make_photo(rgb))

    rgb[:] = 0
    del rgb

    assert image.pixelColor(3, 3).getRgb()[:3] == (77, 77, 77)
