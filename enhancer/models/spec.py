"""What an architecture declares about itself, so the engine, the registry and the UI need no
special cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from torch import nn

# "gan" and "perceptual" models are trained for realistic texture rather than PSNR.
Kind = Literal["interpolation", "cnn", "gan", "perceptual", "filters", "reference", "generative"]
ColorSpace = Literal["rgb", "y"]


@dataclass(frozen=True)
class ArchSpec:
    """One architecture: its identity, what it expects and how to build it.

    `network` builds the `nn.Module` (a class, or a partial of one) from keyword-only arguments, `scale`
    among them; every other argument has a default, and the ones a weights file was trained with
    travel in its metadata. Every network maps a low-resolution tensor (N, C, H, W) in [0, 1],
    C = 3 for "rgb" models and 1 for "y" models, to (N, C, H * scale, W * scale).
    """

    id: str
    name: str
    paper: str
    kind: Kind
    scales: tuple[int, ...]
    network: Callable[..., nn.Module]
    color_space: ColorSpace = "rgb"
    # Low-resolution pixels of context a tile needs on each side so that its inner part equals
    # the untiled result (at least the receptive-field radius).
    overlap: int = 8
    # Whether fp16/bf16 inference keeps the result within one 8-bit level.
    half_precision: bool = True
    # Smallest input side, and the multiple the input sides must have, in low-resolution pixels.
    min_size: int = 1
    multiple_of: int = 1
    # Interpolations need no weights; every learned model does.
    needs_weights: bool = True
    # Whether the network takes a list of reference images as `forward(x, refs)`.
    uses_reference: bool = False
    # Rough activation memory per low-resolution input pixel at fp32, for choosing tile sizes.
    bytes_per_pixel: int = 4096

    def __post_init__(self) -> None:
        if not self.scales:
            raise ValueError(f"{self.id}: an architecture needs at least one scale")
        if self.overlap < 0 or self.min_size < 1 or self.multiple_of < 1:
            raise ValueError(f"{self.id}: overlap, min_size and multiple_of must be positive")
