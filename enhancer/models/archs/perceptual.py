"""Johnson et al., "Perceptual Losses for Real-Time Style Transfer and Super-Resolution",
ECCV 2016: the super-resolution transform network, trained with a feature reconstruction loss.

A 9 x 9 convolution to 64 channels, four residual blocks (conv-BN-ReLU-conv-BN plus the
identity), one learned x2 upsampling per factor of two (a stride-2 transposed convolution with
BN and ReLU; two for x4), and a 9 x 9 convolution to RGB squashed into [0, 1] by a scaled tanh.
The paper's transposed convolutions are 3 x 3; here they are 4 x 4, which covers every output
pixel with the same number of taps and so avoids the checkerboard a 3 x 3 stride-2 kernel leaves.

Trained for features rather than pixels, its output is sharper than an MSE model's and scores a
lower PSNR: the spec's kind, "perceptual", tells the model picker to say so.
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
            nn.Conv2d(features, features, 3, padding=1), nn.BatchNorm2d(features), nn.ReLU(),
            nn.Conv2d(features, features, 3, padding=1), nn.BatchNorm2d(features),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class TransformNet(nn.Module):
    def __init__(self, *, scale: int, channels: int = 3, features: int = 64, blocks: int = 4) -> None:
        super().__init__()
        stages = int(math.log2(scale))
        if 2**stages != scale:
            raise ValueError(f"the transform network upsamples by powers of 2, not x{scale}")
        self.head = nn.Sequential(nn.Conv2d(channels, features, 9, padding=4),
                                  nn.BatchNorm2d(features), nn.ReLU())
        self.blocks = nn.Sequential(*(ResidualBlock(features) for _ in range(blocks)))
        self.upsample = nn.Sequential(*(
            nn.Sequential(nn.ConvTranspose2d(features, features, 4, stride=2, padding=1),
                          nn.BatchNorm2d(features), nn.ReLU())
            for _ in range(stages)
        ))
        self.tail = nn.Conv2d(features, channels, 9, padding=4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.tail(self.upsample(self.blocks(self.head(x))))
        return (torch.tanh(y) + 1) / 2


SPECS = (
    ArchSpec(
        id="perceptual",
        name="Perceptual (Johnson)",
        paper="Johnson et al., ECCV 2016",
        kind="perceptual",
        scales=(2, 4),
        network=TransformNet,
        # Receptive-field radius in LR pixels: 4 + 4 x 2, then 1 per upsampling and the tail.
        overlap=16,
        bytes_per_pixel=(64 * 10 + 64 * 4 * 2 + 64 * 16 * 2) * 4,
    ),
)
