"""Tiny training views for pixel recursive super resolution: 32 x 32 thumbnails and their 8 x 8
inputs.

Each photo gives a few square views at several scales: the whole photo (its centre square) and
random square crops of a half, a quarter and an eighth of its short side, each shrunk to 32 x 32
with the MATLAB-compatible bicubic, then rounded to 8 bits (the 256 values the model predicts).
The 8 x 8 input is the same bicubic applied to the rounded view, rounded again, as a saved
thumbnail would be. Photos are held out by a hash of their file name, so a photo's views are all
on one side of the split.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from enhancer.data.folders import DataError, image_files
from enhancer.imaging.io import ImageError, photo_to_tensors, read_image
from enhancer.imaging.resize import imresize

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThumbnailConfig:
    side: int = 32
    scale: int = 4
    # Crop sides as fractions of the photo's short side, and how many random crops of each.
    crop_fractions: tuple[float, ...] = (1.0, 0.5, 0.25, 0.125)
    crops_per_fraction: tuple[int, ...] = (1, 6, 12, 12)
    # One photo in `held_out_every` (by name hash) is kept for evaluation.
    held_out_every: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        if len(self.crop_fractions) != len(self.crops_per_fraction):
            raise ValueError("crop_fractions and crops_per_fraction need one entry each")
        if self.side % self.scale:
            raise ValueError(f"side {self.side} is not a multiple of scale {self.scale}")


@dataclass(frozen=True)
class Thumbnails:
    """Views as uint8 tensors: `high` (V, 3, side, side) and `low` (V, 3, side / scale, ...)."""

    high: torch.Tensor
    low: torch.Tensor

    def __len__(self) -> int:
        return self.high.shape[0]

    def pairs(self, indices: torch.Tensor, device: torch.device | str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
        """(low float32 in [0, 1], high uint8 values as int64) for the views at `indices`."""
        low = self.low[indices].to(device, torch.float32) / 255
        return low, self.high[indices].to(device, torch.int64)


def is_held_out(path: Path, config: ThumbnailConfig) -> bool:
    return zlib.crc32(path.name.encode()) % config.held_out_every == 0


def make_thumbnails(folders: Sequence[Path], config: ThumbnailConfig = ThumbnailConfig(), *,
                    held_out: bool) -> Thumbnails:
    """The views of the training photos (`held_out` False) or of the held-out ones (True)."""
    files = [path for path in image_files(folders) if is_held_out(path, config) == held_out]
    generator = torch.Generator().manual_seed(config.seed)
    views = []
    for path in files:
        try:
            rgb, _ = photo_to_tensors(read_image(path))
        except ImageError as error:
            log.warning("skipping %s", error)
            continue
        views += photo_views(rgb, config, generator)
    if not views:
        raise DataError(f"no usable photos in {', '.join(str(f) for f in folders)}")
    high = torch.cat(views)
    low = _to_bytes(imresize(high, scale=1 / config.scale))
    log.info("%d views of %d photos (%s)", len(high), len(files), "held out" if held_out else "training")
    return Thumbnails(_to_bytes(high), low)


def photo_views(rgb: torch.Tensor, config: ThumbnailConfig, generator: torch.Generator) -> list[torch.Tensor]:
    """Square views of a (1, 3, H, W) photo in [0, 1], each (1, 3, side, side) rounded to 8 bits."""
    height, width = rgb.shape[-2:]
    short = min(height, width)
    views = []
    for fraction, count in zip(config.crop_fractions, config.crops_per_fraction):
        crop = round(short * fraction)
        if crop < config.side:
            continue  # a view must shrink the photo, never enlarge it
        for _ in range(count):
            if fraction == 1.0:
                top, left = (height - crop) // 2, (width - crop) // 2
            else:
                top = int(torch.randint(height - crop + 1, (), generator=generator))
                left = int(torch.randint(width - crop + 1, (), generator=generator))
            square = rgb[:, :, top : top + crop, left : left + crop]
            view = imresize(square, size=(config.side, config.side)).clamp(0, 1)
            views.append(view.mul(255).round().div(255))
    return views


def _to_bytes(image: torch.Tensor) -> torch.Tensor:
    return image.clamp(0, 1).mul(255).round().to(torch.uint8)
