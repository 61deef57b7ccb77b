"""Classical interpolation: the instant baselines, and bicubic as the yardstick of every table.

Each uses the MATLAB-compatible resize of `enhancer.imaging.resize`, so `bicubic` here is the same
operation that makes the benchmark's low-resolution inputs, run the other way.
"""

from __future__ import annotations

from functools import partial

import torch
from torch import nn

from enhancer.imaging.resize import imresize
from enhancer.models.spec import ArchSpec


class Interpolation(nn.Module):
    def __init__(self, *, scale: int, kernel: str = "cubic") -> None:
        super().__init__()
        self.scale = scale
        self.kernel = kernel

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return imresize(x, scale=self.scale, kernel=self.kernel)


def _interpolation(id: str, name: str, kernel: str, overlap: int) -> ArchSpec:
    return ArchSpec(
        id=id,
        name=name,
        paper="classical interpolation (MATLAB imresize)",
        kind="interpolation",
        scales=(2, 3, 4, 8),
        network=partial(Interpolation, kernel=kernel),
        overlap=overlap,
        needs_weights=False,
        bytes_per_pixel=256,
    )


SPECS = (
    _interpolation("nearest", "Nearest neighbour", "box", 1),
    _interpolation("bilinear", "Bilinear", "triangle", 1),
    _interpolation("bicubic", "Bicubic", "cubic", 2),
    _interpolation("lanczos", "Lanczos-3", "lanczos3", 3),
)
