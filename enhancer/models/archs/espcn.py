"""ESPCN: Shi et al., "Real-Time Single Image and Video Super-Resolution Using an Efficient
Sub-Pixel Convolutional Neural Network", CVPR 2016.

All convolutions run at low resolution and the last one produces scale**2 channels that a pixel
shuffle rearranges into the high-resolution grid: this is what makes it real-time. Layout 5-3-3
with 64 and 32 filters and tanh, on the Y channel, as in the paper.
"""

from __future__ import annotations

import torch
from torch import nn

from enhancer.models.spec import ArchSpec


class ESPCN(nn.Module):
    def __init__(self, *, scale: int, channels: int = 1, features: tuple[int, int] = (64, 32)) -> None:
        super().__init__()
        first, second = features
        self.body = nn.Sequential(
            nn.Conv2d(channels, first, 5, padding=2),
            nn.Tanh(),
            nn.Conv2d(first, second, 3, padding=1),
            nn.Tanh(),
            nn.Conv2d(second, channels * scale * scale, 3, padding=1),
        )
        self.shuffle = nn.PixelShuffle(scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shuffle(self.body(x))


SPECS = (
    ArchSpec(
        id="espcn",
        name="ESPCN",
        paper="Shi et al., CVPR 2016",
        kind="cnn",
        scales=(2, 3, 4),
        network=ESPCN,
        color_space="y",
        overlap=6,  # receptive-field radius 4 low-resolution pixels, plus margin
        bytes_per_pixel=(64 + 64 + 32 + 32 + 16) * 4,
    ),
)
