"""The user's photos for a fine-tune: which are usable, and which are held out to score it.

A fine-tune is judged on photos it never trained on. The held-out part is chosen by a hash of each
file's name, so the same folders always split the same way: a resumed run trains on exactly the
photos the interrupted one did, and never on one it scores with. It is scored on a centre crop of
each held-out photo, so that scoring several times during a run costs seconds even for photos of
a 50-megapixel camera.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections.abc import Generator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from enhancer.data.folders import DataError, image_files
from enhancer.imaging.io import ImageError, read_image, write_image

log = logging.getLogger(__name__)

HELD_OUT_FRACTION = 0.1
HELD_OUT_SIDE = 480  # px: the largest centre crop of a held-out photo that is scored


@dataclass(frozen=True)
class PhotoSurvey:
    """The usable photos, and the files left out with the reason for each."""

    usable: tuple[Path, ...]
    unreadable: tuple[str, ...]
    too_small: tuple[Path, ...]


@dataclass(frozen=True)
class PhotoSplit:
    training: tuple[Path, ...]
    held_out: tuple[Path, ...]


def survey_photos(folders: Sequence[Path], *, min_side: int) -> Generator[int, None, PhotoSurvey]:
    """Read every image under `folders` once; yields how many were read so far.

    A photo is usable when it decodes and is at least `min_side` pixels on each side (a training
    patch must fit in it). Raises DataError, naming what was wrong, when fewer than two are usable:
    one to train on and one to score on.
    """
    usable, unreadable, too_small = [], [], []
    for done, path in enumerate(image_files(folders), start=1):
        try:
            height, width = read_image(path).rgb.shape[:2]
        except ImageError as error:
            log.warning("skipping %s", error)
            unreadable.append(str(error))
        else:
            (usable if min(height, width) >= min_side else too_small).append(path)
        yield done
    if len(usable) < 2:
        reasons = []
        if unreadable:
            reasons.append(f"{len(unreadable)} unreadable")
        if too_small:
            reasons.append(f"{len(too_small)} smaller than {min_side} px on a side")
        found = f" ({', '.join(reasons)})" if reasons else ""
        raise DataError(f"{len(usable)} usable photo(s) in {', '.join(str(f) for f in folders)}"
                        f"{found}; a fine-tune needs at least 2 photos of at least {min_side} px")
    return PhotoSurvey(tuple(usable), tuple(unreadable), tuple(too_small))


def split_photos(photos: Sequence[Path], *, fraction: float = HELD_OUT_FRACTION) -> PhotoSplit:
    """About `fraction` of `photos` (at least one) held out, chosen by the hash of the file name."""
    ranked = sorted(photos, key=lambda path: (_name_hash(path), str(path)))
    count = min(max(1, round(fraction * len(ranked))), len(ranked) - 1)
    held_out = set(ranked[:count])
    return PhotoSplit(tuple(p for p in photos if p not in held_out),
                      tuple(p for p in photos if p in held_out))


def link_photos(photos: Sequence[Path], folder: Path) -> Path:
    """`folder` made afresh holding `photos` (symbolic links, or copies where links are not
    allowed), so the training and benchmark code, which read folders, read exactly these."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for index, photo in enumerate(photos):
        target = folder / f"{index:05d}-{photo.name}"
        try:
            os.symlink(photo.resolve(), target)
        except OSError:
            shutil.copy2(photo, target)
    return folder


def write_crops(photos: Sequence[Path], folder: Path, *, side: int = HELD_OUT_SIDE) -> Path:
    """`folder` made afresh holding a centre crop, at most `side` pixels square, of each photo,
    as PNG (lossless, 16 bits kept, gray stays gray)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for index, path in enumerate(photos):
        photo = read_image(path)
        height, width = photo.rgb.shape[:2]
        top, left = max((height - side) // 2, 0), max((width - side) // 2, 0)
        window = (slice(top, top + side), slice(left, left + side))
        crop = replace(photo, rgb=photo.rgb[window].copy(), source=None,
                       alpha=None if photo.alpha is None else photo.alpha[window].copy())
        write_image(folder / f"{index:05d}-{path.stem}.png", crop)
    return folder


def _name_hash(path: Path) -> str:
    return hashlib.sha256(path.name.encode("utf-8")).hexdigest()
