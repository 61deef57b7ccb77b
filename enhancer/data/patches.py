"""Random training patches: aligned (LR, HR) pairs with flips and 90-degree rotations.

Each photo is mod-cropped and downscaled once per scale with the benchmark's own MATLAB-compatible
bicubic (`make_lr`), so a patch's LR input is exactly what the benchmark would feed the model for
that part of the photo, with no border effects from resizing a small crop. Photos and their LR
versions live on the training device, so on a GPU the crops are made there and the GPU is never
waiting on the CPU.

Batch `i` depends only on the seed and `i` (a fresh `torch.Generator` is seeded from both), so a
resumed run sees exactly the batches an uninterrupted one would, with no sampler state to save.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from enhancer.data.folders import DataError
from enhancer.imaging.color import rgb_to_y
from enhancer.train.evaluate import make_lr, mod_crop

# The eight rotations and flips of a square patch, by the bits of a number 0..7.
TRANSFORMS = 8


@dataclass(frozen=True)
class PatchBatch:
    """`lr` (N, C, h, w) and `hr` (N, C, h * scale, w * scale), float32 on the sampler's device."""

    lr: torch.Tensor
    hr: torch.Tensor
    scale: int


@dataclass(frozen=True)
class _Pair:
    hr: torch.Tensor  # (C, H, W), sides multiples of the scale
    lr: torch.Tensor  # (C, H / scale, W / scale)


class PatchSampler:
    """Batches of random patches from `images` ((3, H, W) uint8 RGB tensors).

    `patch_size` is the HR side; at each scale the LR side is `patch_size // scale`. With several
    scales, each batch is at one scale drawn uniformly (VDSR's multi-scale training). Photos are
    drawn in proportion to how many patch positions they have, so every pixel is equally likely.
    """

    def __init__(
        self,
        images: Sequence[torch.Tensor],
        *,
        scales: Sequence[int],
        patch_size: int,
        batch_size: int,
        color_space: str = "rgb",
        device: torch.device | str = "cpu",
        seed: int = 0,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.scales = tuple(scales)
        self.batch_size = batch_size
        self.seed = seed
        self._pairs: dict[int, list[_Pair]] = {}
        self._weights: dict[int, torch.Tensor] = {}
        for scale in self.scales:
            side = patch_size // scale
            if side < 1:
                raise ValueError(f"patch_size {patch_size} is smaller than the scale {scale}")
            pairs = [
                _pair(image, scale, color_space, torch.device(device))
                for image in images
                if min(image.shape[-2:]) >= side * scale
            ]
            if not pairs:
                raise DataError(f"no training image is at least {side * scale} px on each side")
            self._pairs[scale] = pairs
            self._weights[scale] = torch.tensor(
                [(p.lr.shape[1] - side + 1) * (p.lr.shape[2] - side + 1) for p in pairs],
                dtype=torch.float64,
            )
        self._lr_side = {scale: patch_size // scale for scale in self.scales}

    def batch(self, index: int) -> PatchBatch:
        """The `index`-th batch: the same for the same seed and index, whatever came before."""
        generator = torch.Generator().manual_seed(_batch_seed(self.seed, index))
        scale = self.scales[int(torch.randint(len(self.scales), (1,), generator=generator))]
        side, pairs = self._lr_side[scale], self._pairs[scale]
        picks = torch.multinomial(self._weights[scale], self.batch_size, replacement=True,
                                  generator=generator).tolist()
        corners = torch.rand(self.batch_size, 2, generator=generator, dtype=torch.float64).tolist()
        transforms = torch.randint(TRANSFORMS, (self.batch_size,), generator=generator).tolist()
        lrs, hrs = [], []
        for pick, (down, across), transform in zip(picks, corners, transforms):
            pair = pairs[pick]
            top = int(down * (pair.lr.shape[1] - side + 1))
            left = int(across * (pair.lr.shape[2] - side + 1))
            lr = pair.lr[:, top : top + side, left : left + side]
            hr = pair.hr[:, top * scale : (top + side) * scale, left * scale : (left + side) * scale]
            lrs.append(dihedral(lr, transform))
            hrs.append(dihedral(hr, transform))
        return PatchBatch(torch.stack(lrs), torch.stack(hrs), scale)


def dihedral(patch: torch.Tensor, transform: int) -> torch.Tensor:
    """One of the 8 rotations and flips of a square (C, S, S) patch: bit 2 transposes, bit 0
    flips left-right, bit 1 flips top-bottom."""
    if transform & 4:
        patch = patch.transpose(-1, -2)
    if transform & 1:
        patch = patch.flip(-1)
    if transform & 2:
        patch = patch.flip(-2)
    return patch


def _batch_seed(seed: int, index: int) -> int:
    """A 32-bit seed per (seed, index): torch's CPU generator keeps only the low 32 bits of a seed.

    Odd multipliers make it one-to-one in `index` for a given seed.
    """
    return (seed * 0x9E3779B1 + index * 0x85EBCA77) & 0xFFFFFFFF


def _pair(image: torch.Tensor, scale: int, color_space: str, device: torch.device) -> _Pair:
    rgb = mod_crop(image.to(device).unsqueeze(0).float().div_(255), scale)
    hr = rgb_to_y(rgb) if color_space == "y" else rgb
    return _Pair(hr[0], make_lr(hr, scale)[0])
