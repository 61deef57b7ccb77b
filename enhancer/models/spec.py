"""What an architecture declares about itself, so the engine, the registry and the UI need no
special cases."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    # Largest input side a model accepts, for models that make no sense on whole photos (one that
    # samples pixel by pixel); the engine refuses larger inputs and never tiles these models.
    max_size: int | None = None
    # Interpolations need no weights; every learned model does.
    needs_weights: bool = True
    # Whether the network takes a list of reference images as `forward(x, refs)`; such a network
    # also makes what it needs of them ahead of the tiles, as `prepare(refs)` (kept for the same
    # tensors), and says where it found texture, as `matches(x, refs)` (see archs/srntt.py).
    uses_reference: bool = False
    # Rough activation memory per low-resolution input pixel at fp32, for choosing tile sizes: one
    # figure, or one per scale where the scale changes it several times over.
    bytes_per_pixel: int | Mapping[int, int] = 4096

    def __post_init__(self) -> None:
        if not self.scales:
            raise ValueError(f"{self.id}: an architecture needs at least one scale")
        if self.overlap < 0 or self.min_size < 1 or self.multiple_of < 1:
            raise ValueError(f"{self.id}: overlap, min_size and multiple_of must be positive")
        if self.max_size is not None and self.max_size < self.min_size:
            raise ValueError(f"{self.id}: max_size is below min_size")
        if isinstance(self.bytes_per_pixel, Mapping) and set(self.bytes_per_pixel) != set(self.scales):
            raise ValueError(f"{self.id}: bytes_per_pixel needs one figure for each scale")

    def memory_per_pixel(self, scale: int) -> int:
        """Bytes of activations per low-resolution input pixel at `scale`, at fp32."""
        if isinstance(self.bytes_per_pixel, Mapping):
            return self.bytes_per_pixel[scale]
        return self.bytes_per_pixel
