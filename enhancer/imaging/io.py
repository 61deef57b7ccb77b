"""Photo files in and out: the one place where pixels are uint8/uint16 arrays and files are bytes.

Reading opens the header with Pillow, refuses images too large to decode safely before a single
pixel is decoded, then decodes with Pillow, whose errors tell a truncated file from a good one;
files with 16-bit samples go to OpenCV instead, because Pillow cuts 16-bit colour to 8 bits.
Pixels come out RGB and upright. CMYK becomes RGB by Pillow's plain conversion, and a CMYK (or
any other non-RGB, non-gray) ICC profile is dropped with a warning. XMP is not carried, and
neither is the EXIF thumbnail, which would show the old pixels.

Writing keeps what a format can hold: the ICC profile and EXIF in PNG, JPEG, WebP and TIFF, at
8 and 16 bits; 16 bits in PNG and TIFF (rounded to 8 elsewhere); transparency in PNG, TIFF and
WebP (dropped with a warning in JPEG and BMP); a single gray channel everywhere but WebP. Gray
with transparency is written as RGBA: OpenCV writes no gray + alpha PNG and reads no gray + alpha
TIFF. TIFFs are Deflate-compressed (see `encode_tiff`). BMP holds no metadata. A file appears
whole or not at all, and never over the file a photo was read from.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from enhancer.files import write_atomically
from enhancer.imaging.metadata import (
    detach_tiff_orientation,
    encode_tiff,
    icc_describes,
    png_with_metadata,
    read_exif,
    upright,
)

log = logging.getLogger(__name__)

MAX_PIXELS = 200_000_000
"""Larger images are refused before decoding: a few kilobytes of PNG can declare gigapixels."""

# read_image checks MAX_PIXELS itself, and names the size; Pillow's own check would fire first.
Image.MAX_IMAGE_PIXELS = None

_READABLE = ("PNG", "JPEG", "TIFF", "WEBP", "BMP")
_MPO = "MPO"  # what Pillow calls a JPEG holding several pictures, as many cameras write
_TIFF_SIGNATURES = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # classic and BigTIFF
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"BM", *_TIFF_SIGNATURES)
_GRAY_MODES = frozenset({"1", "L", "LA", "La", "I;16", "I;16B", "I;16L", "I;16N"})
_DECODABLE_MODES = frozenset({"1", "L", "LA", "La", "P", "PA", "RGB", "RGBX", "RGBA", "RGBa",
                              "CMYK", "YCbCr"})
_SUFFIX_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".tif": "TIFF",
                   ".tiff": "TIFF", ".webp": "WEBP", ".bmp": "BMP"}
_KEEPS_ALPHA = frozenset({"PNG", "TIFF", "WEBP"})
_KEEPS_16_BIT = frozenset({"PNG", "TIFF"})
_KEEPS_METADATA = frozenset({"PNG", "JPEG", "TIFF", "WEBP"})
# Rows of a result converted to integer samples at once.
_SAMPLE_ROWS = 256
CORRUPT = "truncated or corrupt image data"


class ImageError(Exception):
    """A file that cannot be read or written as a photo: str() is "<path>: <reason>"."""

    def __init__(self, path: str | os.PathLike, reason: str) -> None:
        super().__init__(path, reason)
        self.path = Path(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, kw_only=True, eq=False)
class Photo:
    """Upright RGB pixels and what the file said about them.

    A grayscale photo holds three equal channels, so models see RGB; `grayscale` makes the
    writer store one channel again.
    """

    rgb: np.ndarray  # H x W x 3, uint8 or uint16
    alpha: np.ndarray | None = None  # H x W, same dtype as rgb
    icc_profile: bytes | None = None
    exif: bytes | None = None  # "Exif\0\0" + TIFF structure, orientation 1
    grayscale: bool = False  # the file stored a single gray channel
    format: str = "PNG"  # of the file read: PNG, JPEG, TIFF, WEBP or BMP
    source: Path | None = None  # the file read, which write_image never replaces

    def __post_init__(self) -> None:
        if self.rgb.ndim != 3 or self.rgb.shape[2] != 3 or 0 in self.rgb.shape:
            raise ValueError(f"rgb must be H x W x 3, not {self.rgb.shape}")
        if self.rgb.dtype not in (np.uint8, np.uint16):
            raise ValueError(f"rgb must be uint8 or uint16, not {self.rgb.dtype}")
        if self.alpha is not None and (
            self.alpha.shape != self.rgb.shape[:2] or self.alpha.dtype != self.rgb.dtype
        ):
            raise ValueError(f"alpha must be {self.rgb.shape[:2]} {self.rgb.dtype}, "
                             f"not {self.alpha.shape} {self.alpha.dtype}")

    @property
    def bit_depth(self) -> int:
        return 8 if self.rgb.dtype == np.uint8 else 16


def read_image(path: str | os.PathLike) -> Photo:
    """The photo in a PNG, JPEG, TIFF, WebP or BMP file; ImageError says why not."""
    path = Path(path)
    data = _read_bytes(path)
    tiff_orientation = 1
    if data.startswith(_TIFF_SIGNATURES):
        data, tiff_orientation = detach_tiff_orientation(data)
    with _open_header(path, data) as header:
        width, height = header.size
        if width * height > MAX_PIXELS:
            raise ImageError(path, f"image is {width} x {height} = {width * height / 1e6:.0f} "
                                   f"megapixels; the limit is {MAX_PIXELS // 1_000_000}")
        gray = _stores_gray(header, data)
        if _bits_per_sample(header, data) == 16:
            colour, alpha = _decode_with_opencv(path, data)
        else:
            colour, alpha = _decode_with_pillow(path, header, gray=gray)
        icc_profile = header.info.get("icc_profile") or None
        try:  # after decoding, which brings a PNG's late eXIf chunk into view
            orientation, exif = read_exif(header)
        except Exception as error:  # Pillow raises many unrelated types for damaged EXIF
            log.warning("%s: ignoring unreadable EXIF (%s)", path, error)
            orientation, exif = 1, None
        if header.format == "TIFF":
            orientation = tiff_orientation
        file_format = "JPEG" if header.format == _MPO else header.format
    if icc_profile is not None and not icc_describes(icc_profile, gray=gray):
        log.warning("%s: ignoring an ICC profile for %r pixels; colours may shift",
                    path, icc_profile[16:20].decode("latin-1").strip())
        icc_profile = None
    rgb = np.repeat(colour[..., None], 3, axis=2) if colour.ndim == 2 else colour
    return Photo(
        rgb=upright(rgb, orientation),
        alpha=None if alpha is None else upright(alpha, orientation),
        icc_profile=icc_profile,
        exif=exif,
        grayscale=gray,
        format=file_format,
        source=path,
    )


def write_image(
    path: str | os.PathLike, photo: Photo, *, quality: int = 95,
    protect: Iterable[str | os.PathLike] = (),
) -> None:
    """Write `photo` in the format its suffix names, atomically.

    Never writes over the photo's source or any path in `protect` (the other inputs of a batch).
    `quality` (1-100) applies to JPEG and WebP.
    """
    path = Path(path)
    file_format = _SUFFIX_FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise ImageError(path, f"cannot write {path.suffix or 'files without a suffix'}; "
                               f"use {', '.join(_SUFFIX_FORMATS)}")
    for guarded in [photo.source, *protect]:
        if guarded is not None and _same_file(path, Path(guarded)):
            raise ImageError(path, f"refusing to write over the input file {guarded}")
    data = _encode(path, photo, file_format, quality)
    try:
        write_atomically(path, data)
    except OSError as error:
        raise ImageError(path, f"cannot write the file ({error.strerror or error})") from error


def photo_to_tensors(photo: Photo) -> tuple[torch.Tensor, torch.Tensor | None]:
    """RGB (1, 3, H, W) and alpha (1, 1, H, W) or None, float32 in [0, 1]."""
    peak = np.float32(np.iinfo(photo.rgb.dtype).max)
    rgb = torch.from_numpy(np.divide(photo.rgb, peak, dtype=np.float32))
    rgb = rgb.permute(2, 0, 1).unsqueeze(0).contiguous()
    if photo.alpha is None:
        return rgb, None
    return rgb, torch.from_numpy(np.divide(photo.alpha, peak, dtype=np.float32))[None, None]


def tensors_to_photo(rgb: torch.Tensor, alpha: torch.Tensor | None, like: Photo) -> Photo:
    """A photo of `rgb` (1, 3, H, W) and `alpha` (1, 1, H, W) or None, values in [0, 1].

    Takes the bit depth, metadata, format and grayness of `like`, the photo these pixels were
    made from. A gray photo keeps the luma (0.299 R + 0.587 G + 0.114 B) in all three channels.
    """
    if rgb.ndim != 4 or rgb.shape[:2] != (1, 3):
        raise ValueError(f"rgb must be (1, 3, H, W), not {tuple(rgb.shape)}")
    if alpha is not None and (alpha.ndim != 4 or alpha.shape[:2] != (1, 1)
                              or alpha.shape[2:] != rgb.shape[2:]):
        raise ValueError(f"alpha must be (1, 1, {rgb.shape[2]}, {rgb.shape[3]}), "
                         f"not {tuple(alpha.shape)}")
    colour = rgb[0].detach().to("cpu", torch.float32).permute(1, 2, 0)
    if like.grayscale:
        luma = colour @ torch.tensor([0.299, 0.587, 0.114])
        colour = luma[..., None].expand(-1, -1, 3)
    return Photo(
        rgb=_samples(colour, like.rgb.dtype),
        alpha=None if alpha is None else _samples(alpha[0, 0], like.rgb.dtype),
        icc_profile=like.icc_profile,
        exif=like.exif,
        grayscale=like.grayscale,
        format=like.format,
    )


def _samples(values: torch.Tensor, dtype: np.dtype) -> np.ndarray:
    """Values in [0, 1] as rounded integer samples of `dtype`, made a band of rows at a time: whole,
    the float intermediates of a 192 MP result took three times its 2.3 GB."""
    peak = np.float32(np.iinfo(dtype).max)
    samples = np.empty(tuple(values.shape), dtype=dtype)
    for top in range(0, values.shape[0], _SAMPLE_ROWS):
        band = values[top : top + _SAMPLE_ROWS].detach().to("cpu", torch.float32)
        samples[top : top + _SAMPLE_ROWS] = np.rint(band.clamp(0, 1).numpy() * peak)
    return samples


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise ImageError(path, "is a folder, not an image file")
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise ImageError(path, "no such file") from error
    except PermissionError as error:
        raise ImageError(path, "permission denied") from error
    except OSError as error:
        raise ImageError(path, f"cannot read the file ({error.strerror or error})") from error
    if not data:
        raise ImageError(path, "empty file")
    return data


def _open_header(path: Path, data: bytes) -> Image.Image:
    """The file opened by Pillow, pixels not yet decoded."""
    try:
        return Image.open(io.BytesIO(data), formats=_READABLE)
    except UnidentifiedImageError:
        pass
    except Exception as error:  # Pillow's format plugins raise many unrelated types
        raise ImageError(path, CORRUPT) from error
    if data.startswith(_SIGNATURES) or data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        raise ImageError(path, CORRUPT)
    try:  # name a known format that is not one of ours (GIF, ...); opening decodes nothing
        with Image.open(io.BytesIO(data)) as other:
            raise ImageError(path, f"unsupported format {other.format}; "
                                   "readable are PNG, JPEG, TIFF, WebP and BMP")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageError(path, "not an image (unrecognised format)") from None


def _bits_per_sample(header: Image.Image, data: bytes) -> int:
    if header.format == "PNG":
        return data[24]  # in IHDR, the first chunk
    if header.format == "TIFF":
        bits = header.tag_v2.get(258, 1)  # BitsPerSample: one per channel
        return max(bits) if isinstance(bits, tuple) else bits
    return 8


def _stores_gray(header: Image.Image, data: bytes) -> bool:
    if header.format == "PNG":  # Pillow calls 16-bit gray + alpha RGBA
        return data[25] in (0, 4)  # IHDR colour type: gray, gray + alpha
    return header.mode in _GRAY_MODES


def _decode_with_pillow(
    path: Path, image: Image.Image, *, gray: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Colour (H x W or H x W x 3) and alpha samples, 8 bit."""
    if image.mode not in _DECODABLE_MODES:
        raise ImageError(path, f"unsupported pixel format ({image.mode})")
    try:
        image.load()
    except Exception as error:  # Pillow's decoders raise many unrelated types for bad data
        raise ImageError(path, CORRUPT) from error
    has_alpha = image.mode in ("LA", "La", "PA", "RGBA", "RGBa") or "transparency" in image.info
    target = ("LA" if has_alpha else "L") if gray else ("RGBA" if has_alpha else "RGB")
    pixels = np.array(image.convert(target))  # a copy numpy owns: writable, like OpenCV's
    if not has_alpha:
        return pixels, None
    return pixels[..., 0] if gray else pixels[..., :3], pixels[..., -1]


def _decode_with_opencv(path: Path, data: bytes) -> tuple[np.ndarray, np.ndarray | None]:
    """Colour (H x W or H x W x 3, RGB) and alpha samples, 16 bit."""
    flags = cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION
    try:
        pixels = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    except cv2.error as error:
        raise ImageError(path, CORRUPT) from error
    if pixels is None:
        raise ImageError(path, CORRUPT)
    if pixels.dtype != np.uint16:
        raise ImageError(path, f"unsupported sample format ({pixels.dtype})")
    if pixels.ndim == 2:
        return pixels, None
    colour = pixels[..., 2::-1] if pixels.shape[2] >= 3 else pixels[..., 0]
    alpha = pixels[..., -1] if pixels.shape[2] in (2, 4) else None
    return colour, alpha


def _encode(path: Path, photo: Photo, file_format: str, quality: int) -> bytes:
    """The bytes of a `file_format` file of `photo`."""
    samples = _stored_samples(path, photo, file_format)
    gray = samples.shape[2] == 1
    icc_profile = photo.icc_profile
    exif = photo.exif
    if file_format not in _KEEPS_METADATA:
        icc_profile = exif = None
    elif icc_profile is not None and not icc_describes(icc_profile, gray=gray):
        log.warning("%s: leaving out the ICC profile, which is not for %s pixels",
                    path, "gray" if gray else "RGB")
        icc_profile = None
    try:
        if file_format == "PNG":
            ok, png = cv2.imencode(".png", _bgr(samples), [cv2.IMWRITE_PNG_COMPRESSION, 6])
            if not ok:
                raise ValueError("OpenCV could not encode the pixels")
            return png_with_metadata(png.tobytes(), icc_profile=icc_profile, exif=exif)
        if file_format == "TIFF":
            return encode_tiff(samples, icc_profile=icc_profile, exif=exif)
        options: dict[str, object] = {}
        if file_format in ("JPEG", "WEBP"):
            options["quality"] = quality
        if file_format == "JPEG":
            options["subsampling"] = 0  # 4:4:4: keeps the colour detail the upscaler made
        if icc_profile:
            options["icc_profile"] = icc_profile
        if exif:
            options["exif"] = exif
        stream = io.BytesIO()
        Image.fromarray(samples[..., 0] if gray else samples).save(stream, file_format, **options)
        return stream.getvalue()
    except (ValueError, OSError, cv2.error) as error:
        raise ImageError(path, f"cannot encode as {file_format} ({error})") from error


def _stored_samples(path: Path, photo: Photo, file_format: str) -> np.ndarray:
    """H x W x C samples as the format stores them: C is 1 (gray), 3 (RGB) or 4 (RGBA)."""
    alpha = photo.alpha
    if alpha is not None and file_format not in _KEEPS_ALPHA:
        log.warning("%s: %s has no transparency; the alpha channel is dropped", path, file_format)
        alpha = None
    if photo.grayscale and alpha is None and file_format != "WEBP":
        samples = photo.rgb[..., :1]
    elif alpha is None:
        samples = photo.rgb
    else:
        samples = np.dstack([photo.rgb, alpha])
    if photo.bit_depth == 16 and file_format not in _KEEPS_16_BIT:
        rounded = (samples.astype(np.uint32) * 255 + 32767) // 65535
        samples = rounded.astype(np.uint8)
    return np.ascontiguousarray(samples)


def _bgr(samples: np.ndarray) -> np.ndarray:
    """OpenCV's channel order for 1, 3 or 4 channel samples."""
    if samples.shape[2] == 1:
        return samples[..., 0]
    return np.ascontiguousarray(np.concatenate([samples[..., 2::-1], samples[..., 3:]], axis=2))


def _same_file(path: Path, other: Path) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:  # one of them does not exist (yet): compare the names
        return os.path.normcase(os.path.abspath(path)) == os.path.normcase(os.path.abspath(other))
