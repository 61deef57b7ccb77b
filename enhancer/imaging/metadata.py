"""What a photo carries besides its pixels, and how each container carries it.

A camera rarely stores pixels upright: it stores them as the sensor saw them and records in EXIF
how to turn them. The reader applies that turn once, so everything past it sees upright pixels, and
keeps the rest of the EXIF with the orientation reset to 1, so no viewer turns the result again.

EXIF travels between formats as the bytes of a JPEG APP1 segment ("Exif\\0\\0" and a TIFF
structure). PNG and TIFF need help that Pillow and OpenCV do not give for 16-bit colour: the PNG
chunks are inserted into OpenCV's output here, and TIFF files are written here whole.
"""

from __future__ import annotations

import io
import itertools
import struct
import zlib
from typing import Any

import numpy as np
from PIL import Image, TiffImagePlugin, TiffTags
from PIL.TiffImagePlugin import (
    BITSPERSAMPLE,
    COMPRESSION,
    EXIFIFD,
    EXTRASAMPLES,
    ICCPROFILE,
    IMAGELENGTH,
    IMAGEWIDTH,
    PHOTOMETRIC_INTERPRETATION,
    PLANAR_CONFIGURATION,
    PREDICTOR,
    RESOLUTION_UNIT,
    ROWSPERSTRIP,
    SAMPLESPERPIXEL,
    STRIPBYTECOUNTS,
    STRIPOFFSETS,
    X_RESOLUTION,
    Y_RESOLUTION,
)

EXIF_HEADER = b"Exif\x00\x00"
ORIENTATION = 0x0112
GPS_IFD = 0x8825
INTEROP_IFD = 0xA005

# Tags that say how a TIFF lays out its pixels rather than what the photo is. A TIFF's own tags
# double as its EXIF, so these are left out when that EXIF moves to another file. XMP goes too:
# it can hold an orientation of its own that would contradict the upright pixels.
_LAYOUT_TAGS = frozenset({
    254, 255, 256, 257, 258, 259, 262, 263, 264, 265, 266, 273, 277, 278, 279, 284, 317, 320,
    322, 323, 324, 325, 330, 338, 339, 340, 341, 347, 512, 513, 514, 515, 517, 518, 519, 520,
    521, 529, 530, 531, 532, 700, ICCPROFILE,
})

# The transposition that makes pixels stored with each EXIF orientation upright (rows first).
_UPRIGHT = {
    1: lambda pixels: pixels,
    2: lambda pixels: pixels[:, ::-1],
    3: lambda pixels: pixels[::-1, ::-1],
    4: lambda pixels: pixels[::-1],
    5: lambda pixels: pixels.swapaxes(0, 1),
    6: lambda pixels: np.rot90(pixels, -1),
    7: lambda pixels: np.rot90(pixels, -1)[::-1],
    8: lambda pixels: np.rot90(pixels, 1),
}

# TIFF strips of about a megabyte keep readers' buffers small without many tiny zlib streams.
_TIFF_STRIP_BYTES = 1 << 20


def read_exif(image: Image.Image) -> tuple[int, bytes | None]:
    """The EXIF orientation of an opened file and its EXIF with the orientation reset to 1.

    Reads no pixels. A PNG whose eXIf chunk follows the pixel data shows it only once Pillow has
    decoded the file, so a 16-bit PNG (decoded by OpenCV) loses such a late chunk. A TIFF keeps
    its EXIF in its own tags; see `detach_tiff_orientation` for its orientation.
    """
    source = image.getexif() if image.format == "TIFF" else _exif_block(image.info.get("exif"))
    tags = _portable_tags(source)
    orientation = tags.get(ORIENTATION, 1)
    if orientation not in _UPRIGHT:
        orientation = 1
    if ORIENTATION in tags:
        tags[ORIENTATION] = 1
    if not tags:
        return orientation, None
    exif = Image.Exif()  # a classic TIFF structure, as EXIF must be, even from a BigTIFF
    exif.update(tags)
    return orientation, exif.tobytes()


def detach_tiff_orientation(tiff: bytes) -> tuple[bytes, int]:
    """A TIFF's orientation, and the file with its orientation tag set to 1.

    Pillow and OpenCV turn TIFF pixels upright while decoding them, or not, depending on their
    versions. With the tag at 1, every decoder returns the pixels as stored, and `upright` turns
    them once. A file too damaged to find the tag in is returned as it is, to fail in a decoder.
    """
    order = "<" if tiff[:2] == b"II" else ">"
    big = tiff[2:4] in (b"+\x00", b"\x00+")  # BigTIFF: 8-byte counts and offsets
    count_format, offset_format, entry_size = ("Q", "Q", 20) if big else ("H", "I", 12)
    value_at = entry_size - struct.calcsize(offset_format)
    try:
        (directory,) = struct.unpack_from(order + offset_format, tiff, 8 if big else 4)
        (count,) = struct.unpack_from(order + count_format, tiff, directory)
        first_entry = directory + struct.calcsize(count_format)
        for entry in range(first_entry, first_entry + count * entry_size, entry_size):
            tag, kind = struct.unpack_from(order + "HH", tiff, entry)
            if tag == ORIENTATION and kind == TiffTags.SHORT:
                (orientation,) = struct.unpack_from(order + "H", tiff, entry + value_at)
                detached = bytearray(tiff)
                struct.pack_into(order + "H", detached, entry + value_at, 1)
                return bytes(detached), orientation if orientation in _UPRIGHT else 1
    except struct.error:
        pass
    return tiff, 1


def upright(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """`pixels` (H x W or H x W x C) turned as EXIF `orientation` says, as a contiguous array."""
    return np.ascontiguousarray(_UPRIGHT[orientation](pixels))


def icc_describes(icc_profile: bytes | None, *, gray: bool) -> bool:
    """Whether a profile is for gray or RGB pixels as asked (its header names the colour space).

    A profile for another colour space (a CMYK one on a converted CMYK file, a gray one on
    pixels written as RGB) would make viewers show wrong colours, or refuse the file.
    """
    return icc_profile is not None and icc_profile[16:20] == (b"GRAY" if gray else b"RGB ")


def png_with_metadata(png: bytes, *, icc_profile: bytes | None, exif: bytes | None) -> bytes:
    """`png` with iCCP and eXIf chunks inserted right after its header chunk."""
    if png[12:16] != b"IHDR":
        raise ValueError("not a PNG stream")
    chunks = []
    if icc_profile:
        chunks.append(_png_chunk(b"iCCP", b"ICC profile\x00\x00" + zlib.compress(icc_profile)))
    if exif:
        chunks.append(_png_chunk(b"eXIf", exif.removeprefix(EXIF_HEADER)))
    end_of_header = 8 + 12 + 13  # signature, then IHDR: length, type, CRC and 13 bytes of data
    return png[:end_of_header] + b"".join(chunks) + png[end_of_header:]


def encode_tiff(samples: np.ndarray, *, icc_profile: bytes | None, exif: bytes | None) -> bytes:
    """A TIFF of H x W x C samples: gray (C=1), RGB or RGBA, 8 or 16 bit, with profile and EXIF.

    Written here because Pillow cannot write 16-bit colour and OpenCV writes no metadata into a
    TIFF. Deflate with the horizontal predictor, which libtiff-based readers (GIMP, Photoshop,
    darktable, OpenCV, Pillow) all read; readers without Deflate support cannot open it.
    The EXIF tags go into the TIFF's own directory, with the Exif and GPS sub-directories.
    """
    height, width, channels = samples.shape
    differences = samples.copy()
    differences[:, 1:] -= samples[:, :-1]  # TIFF predictor 2: wraps modulo 2**bits, as it should
    differences = differences.astype(samples.dtype.newbyteorder("<"), copy=False)
    rows_per_strip = max(1, _TIFF_STRIP_BYTES // (width * channels * samples.itemsize))
    strips = [zlib.compress(differences[top:top + rows_per_strip].tobytes())
              for top in range(0, height, rows_per_strip)]

    directory = TiffImagePlugin.ImageFileDirectory_v2(prefix=b"II")
    directory[X_RESOLUTION] = directory[Y_RESOLUTION] = 72  # baseline TIFF requires them
    directory[RESOLUTION_UNIT] = 2  # inch
    for tag, value in _portable_tags(_exif_block(exif)).items():
        directory[tag] = value
    directory[IMAGEWIDTH] = width
    directory[IMAGELENGTH] = height
    directory[BITSPERSAMPLE] = (samples.itemsize * 8,) * channels
    directory[COMPRESSION] = 8  # Deflate
    directory[PHOTOMETRIC_INTERPRETATION] = 1 if channels == 1 else 2  # black is zero, RGB
    directory[SAMPLESPERPIXEL] = channels
    directory[PLANAR_CONFIGURATION] = 1  # samples of a pixel side by side
    directory[PREDICTOR] = 2
    directory[ROWSPERSTRIP] = rows_per_strip
    # Offsets relative to the end of the directory: Pillow adds where that end falls.
    directory[STRIPOFFSETS] = tuple(itertools.accumulate((len(s) for s in strips[:-1]), initial=0))
    directory[STRIPBYTECOUNTS] = tuple(len(strip) for strip in strips)
    directory.tagtype[STRIPOFFSETS] = directory.tagtype[STRIPBYTECOUNTS] = TiffTags.LONG
    if channels == 4:
        directory[EXTRASAMPLES] = 2  # unassociated alpha
    if icc_profile:
        directory[ICCPROFILE] = icc_profile

    stream = io.BytesIO()
    directory.save(stream)
    for strip in strips:
        stream.write(strip)
    return stream.getvalue()


def _exif_block(raw: bytes | None) -> Image.Exif:
    exif = Image.Exif()
    if raw:
        exif.load(raw)
    return exif


def _portable_tags(exif: Image.Exif) -> dict[int, Any]:
    """The tags that describe the photo, sub-directories as nested dictionaries.

    Nested dictionaries are what Pillow writes as sub-directories, at whatever offsets the new
    file needs; the offsets of the old file would point at nothing.
    """
    tags: dict[int, Any] = {}
    for tag, value in exif.items():
        if tag in _LAYOUT_TAGS:
            continue
        if tag in (EXIFIFD, GPS_IFD):
            value = dict(exif.get_ifd(tag))
            if INTEROP_IFD in value:
                value[INTEROP_IFD] = dict(exif.get_ifd(INTEROP_IFD))
        tags[tag] = value
    return tags


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
