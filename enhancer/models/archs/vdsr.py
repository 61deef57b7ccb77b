"""VDSR: Kim et al., "Accurate Image Super-Resolution Using Very Deep Convolutional Networks",
CVPR 2016.

Twenty 3 x 3 convolutions of 64 filters with ReLUs learn the residual between the bicubic upscale
of the Y channel and the HR image; adding it back is the "residual learning" that, with adjustable
gradient clipping, lets so deep a network train quickly. The network only sees the bicubic upscale,
so its weights do not depend on the scale: one model, trained on a mix of x2, x3 and x4 patches,
serves all three (`scale` is a plain attribute that training sets per batch).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from enhancer.imaging.resize import imresize
from enhancer.models.spec import ArchSpec


class VDSR(nn.Module):
    def __init__(self, *, scale: int, channels: int = 1, depth: int = 20, features: int = 64) -> None:
        super().__init__()
        self.scale = scale
        layers: list[nn.Module] = [nn.Conv2d(channels, features, 3, padding=1), nn.ReLU(inplace=True)]
        for _ in range(depth - 2):
            layers += [nn.Conv2d(features, features, 3, padding=1), nn.ReLU(inplace=True)]
        layers.append(nn.Conv2d(features, channels, 3, padding=1))
        self.body = nn.Sequential(*layers)
        for module in self.body:
            if isinstance(module, nn.Conv2d):
                # He et al.'s initialisation, as the paper uses, for the ReLU stack.
                nn.init.normal_(module.weight, std=math.sqrt(2 / (9 * module.out_channels)))
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        upscaled = imresize(x, scale=self.scale)
        return upscaled + self.body(upscaled)


SPECS = (
    ArchSpec(
        id="vdsr",
        name="VDSR",
        paper="Kim et al., CVPR 2016",
        kind="cnn",
        scales=(2, 3, 4),
        network=VDSR,
        color_space="y",
        # Receptive-field radius 20 HR pixels: 10 LR pixels at x2, plus the bicubic's 2.
        overlap=12,
        bytes_per_pixel=64 * 4 * 3 * 16,
    ),
)
