"""SRResNet: Ledig et al., "Photo-Realistic Single Image Super-Resolution Using a Generative
Adversarial Network", CVPR 2017 (the generator, trained with MSE).

A 9 x 9 convolution with PReLU, 16 residual blocks (conv-BN-PReLU-conv-BN plus the identity), a
convolution and BN closed by a skip from before the blocks, then x2 sub-pixel stages (a
convolution to 256 channels, pixel shuffle, PReLU): one for x2, two for x4, and a final 9 x 9
convolution to RGB. Everything before the last stage runs at low resolution. In eval mode BatchNorm
uses its running statistics, so inference is a fixed function of the input whatever the tiling.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from enhancer.models.spec import ArchSpec


class ResidualBlock(nn.Module):
    def __init__(self, features: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(features, features, 3, padding=1),
            nn.BatchNorm2d(features),
            nn.PReLU(features),
            nn.Conv2d(features, features, 3, padding=1),
            nn.BatchNorm2d(features),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class SRResNet(nn.Module):
    def __init__(self, *, scale: int, channels: int = 3, features: int = 64, blocks: int = 16) -> None:
        super().__init__()
        stages = int(math.log2(scale))
        if 2**stages != scale:
            raise ValueError(f"SRResNet upsamples by powers of 2, not x{scale}")
        self.head = nn.Sequential(nn.Conv2d(channels, features, 9, padding=4), nn.PReLU(features))
        self.blocks = nn.Sequential(*(ResidualBlock(features) for _ in range(blocks)))
        self.fuse = nn.Sequential(nn.Conv2d(features, features, 3, padding=1), nn.BatchNorm2d(features))
        self.upsample = nn.Sequential(*(
            nn.Sequential(nn.Conv2d(features, 4 * features, 3, padding=1), nn.PixelShuffle(2),
                          nn.PReLU(features))
            for _ in range(stages)
        ))
        self.tail = nn.Conv2d(features, channels, 9, padding=4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        head = self.head(x)
        return self.tail(self.upsample(head + self.fuse(self.blocks(head))))


SPECS = (
    ArchSpec(
        id="srresnet",
        name="SRResNet",
        paper="Ledig et al., CVPR 2017",
        kind="cnn",
        scales=(2, 4),
        network=SRResNet,
        # Receptive-field radius: 4 + 16 x 2 + 1 LR pixels, then 1 + 4 HR pixels per stage and tail.
        overlap=40,
        bytes_per_pixel=(64 * 8 + 256 * 4 + 64 * 16 * 3) * 4,
    ),
)
