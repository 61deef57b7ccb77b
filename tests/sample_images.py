"""Small image files for tests, written by Pillow, OpenCV or by hand, never by the code under test.

Every image is a few dozen pixels with gradients in it, so a flip, a swapped channel or a lost
bit shows. The writers return the paths they made, in a stable order.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageCms

HEIGHT, WIDTH = 16, 24


def gradient(height: int = HEIGHT, width: int = WIDTH, *, dtype=np.uint8) -> np.ndarray:
    """H x W x 3 RGB: red grows to the right, green downwards, blue along the diagonal."""
    peak = np.iinfo(dtype).max
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float64)
    red = columns / max(width - 1, 1)
    green = rows / max(height - 1, 1)
    blue = (red + green) / 2
    return np.rint(np.stack([red, green, blue], axis=2) * peak).astype(dtype)


def ramp_alpha(height: int = HEIGHT, width: int = WIDTH, *, dtype=np.uint8) -> np.ndarray:
    """H x W alpha, transparent at the left, opaque at the right."""
    peak = np.iinfo(dtype).max
    return np.rint(np.tile(np.linspace(0, peak, width), (height, 1))).astype(dtype)


@functools.cache
def srgb_profile() -> bytes:
    """An sRGB ICC profile, made once: LittleCMS stamps each new profile with the time, so two
    made a second apart differ and a round-trip test comparing them would fail now and then."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def write_good_files(folder: Path) -> list[Path]:
    """An RGB PNG and an RGB JPEG."""
    folder.mkdir(parents=True, exist_ok=True)
    png, jpeg = folder / "good.png", folder / "good.jpg"
    Image.fromarray(gradient()).save(png)
    Image.fromarray(gradient()).save(jpeg, quality=95)
    return [png, jpeg]


def write_odd_files(folder: Path) -> list[Path]:
    """Readable files that each take another path through a reader."""
    folder.mkdir(parents=True, exist_ok=True)
    rgb, rgb16 = gradient(), gradient(dtype=np.uint16)
    written = []

    def save_with_pillow(name: str, image: Image.Image, **options) -> None:
        image.save(folder / name, **options)
        written.append(folder / name)

    def save_with_opencv(name: str, pixels_rgb: np.ndarray) -> None:
        ok, data = cv2.imencode(Path(name).suffix, np.ascontiguousarray(pixels_rgb[..., ::-1]))
        assert ok
        (folder / name).write_bytes(data.tobytes())
        written.append(folder / name)

    save_with_opencv("odd-16bit.png", rgb16)
    save_with_pillow("odd-rgba.png", Image.fromarray(np.dstack([rgb, ramp_alpha()])))
    save_with_pillow("odd-cmyk.jpg", Image.fromarray(rgb).convert("CMYK"), quality=95)
    palette = Image.fromarray(rgb).quantize(colors=16)
    save_with_pillow("odd-palette.png", palette, transparency=0)
    rotated = Image.Exif()
    rotated[0x0112] = 6  # stored pixels must turn 90 degrees clockwise to stand upright
    save_with_pillow("odd-rotated.jpg", Image.fromarray(rgb), quality=95, exif=rotated.tobytes())
    save_with_pillow("odd-icc.jpg", Image.fromarray(rgb), quality=95, icc_profile=srgb_profile())
    save_with_pillow("fotografía_ß.png", Image.fromarray(rgb))
    save_with_opencv("odd-16bit.tif", rgb16)
    save_with_pillow("odd.webp", Image.fromarray(rgb), lossless=True)
    save_with_pillow("odd.bmp", Image.fromarray(rgb))
    save_with_pillow("odd-gray.png", Image.fromarray(rgb[..., 0]))
    return written


def write_broken_files(folder: Path) -> list[Path]:
    """An empty PNG, a truncated JPEG, a text file named .png and a PNG bomb, in that order."""
    folder.mkdir(parents=True, exist_ok=True)
    empty, truncated, text, bomb = (folder / name for name in (
        "broken-empty.png", "broken-truncated.jpg", "broken-text.png", "broken-bomb.png"))
    empty.write_bytes(b"")
    truncated.write_bytes(truncated_jpeg())
    text.write_text("This is a shopping list, not a photo.\n", encoding="utf-8")
    bomb.write_bytes(png_bomb(30000, 30000))
    return [empty, truncated, text, bomb]


def truncated_jpeg() -> bytes:
    """A JPEG cut in the middle of its compressed pixels, past every table a decoder needs."""
    noise = np.random.default_rng(0).integers(-40, 40, (64, 64, 3))
    noisy = (gradient(64, 64) + noise).clip(0, 255).astype(np.uint8)
    stream = io.BytesIO()
    Image.fromarray(noisy).save(stream, "JPEG", quality=95)
    data = stream.getvalue()
    start_of_scan = data.index(b"\xff\xda")
    return data[: (start_of_scan + len(data)) // 2]


def png_bomb(width: int, height: int, *, bit_depth: int = 8) -> bytes:
    """A PNG of a few hundred bytes that declares width x height RGB pixels."""
    first_rows = bytes(4 * (1 + 3 * width * bit_depth // 8))
    return _png(width, height, bit_depth, 2, zlib.compress(first_rows))


def gray_alpha_png_16(gray: np.ndarray, alpha: np.ndarray) -> bytes:
    """A 16-bit gray + alpha PNG, which neither Pillow nor OpenCV writes."""
    samples = np.dstack([gray, alpha]).astype(">u2")
    rows = b"".join(b"\x00" + row.tobytes() for row in samples)  # filter 0: the row as it is
    return _png(gray.shape[1], gray.shape[0], 16, 4, zlib.compress(rows))


def _png(width: int, height: int, bit_depth: int, colour_type: int, compressed: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", compressed)
            + chunk(b"IEND", b""))
