"""Training photos from folders: found recursively, decoded once per process.

A training run and the fine-tune dialog after it read the same folders; decoding hundreds of WebP
or JPEG files takes seconds, so decoded photos are cached by path, size and modification time (an
edited file is decoded again).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from enhancer.engine.batch import IMAGE_SUFFIXES
from enhancer.imaging.io import ImageError, read_image

log = logging.getLogger(__name__)


class DataError(ValueError):
    """Training data that cannot be used; the message names the folders and the reason."""


def image_files(folders: Sequence[Path]) -> list[Path]:
    """Every image file under `folders`, recursively, sorted so runs see them in one order."""
    missing = [str(folder) for folder in folders if not Path(folder).is_dir()]
    if missing:
        raise DataError(f"not a folder: {', '.join(missing)}")
    files = sorted(
        path
        for folder in folders
        for path in Path(folder).rglob("*")
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES
    )
    if not files:
        raise DataError(f"no images in {', '.join(str(f) for f in folders)}")
    return files


def load_images(folders: Sequence[Path]) -> list[torch.Tensor]:
    """The photos under `folders` as (3, H, W) uint8 RGB tensors; unreadable files are skipped.

    16-bit photos are rounded to 8 bits: the benchmark and every training set are 8-bit.
    """
    images = []
    for path in image_files(folders):
        stat = path.stat()
        try:
            images.append(_decoded(str(path), stat.st_size, stat.st_mtime_ns))
        except ImageError as error:
            log.warning("skipping %s", error)
    if not images:
        raise DataError(f"no readable images in {', '.join(str(f) for f in folders)}")
    return images


@lru_cache(maxsize=4096)
def _decoded(path: str, size: int, modified_ns: int) -> torch.Tensor:
    rgb = read_image(path).rgb
    if rgb.dtype != np.uint8:
        rgb = np.round(rgb / 257.0).astype(np.uint8)
    return torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1).contiguous()
