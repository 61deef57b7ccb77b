"""SRCNN: Dong et al., "Image Super-Resolution Using Deep Convolutional Networks", TPAMI 2016.

Three convolutions on the Y channel of a bicubic upscale: patch extraction (9 x 9, 64 filters),
non-linear mapping (1 x 1 or, in the paper's better variant, 5 x 5, 32 filters) and reconstruction
(5 x 5). The paper trains on valid convolutions; here every layer is zero-padded so the output has
the input's size, as the engine needs, and the border pixels the benchmark drops are the only ones
this changes.

The weights do not depend on the scale (the network only sees the bicubic upscale), so `scale` is a
plain attribute and one set of weights could serve every scale; the shipped files are trained one
per scale, as in the paper.
"""

from __future__ import annotations

import torch
from torch import nn

from enhancer.imaging.resize import imresize
from enhancer.models.spec import ArchSpec


class SRCNN(nn.Module):
    def __init__(
        self,
        *,
        scale: int,
        channels: int = 1,
        kernels: tuple[int, int, int] = (9, 1, 5),
        features: tuple[int, int] = (64, 32),
    ) -> None:
        super().__init__()
        self.scale = scale
        first, second, third = kernels
        self.body = nn.Sequential(
            nn.Conv2d(channels, features[0], first, padding=first // 2),
            nn.ReLU(inplace=True),
            nn.Conv2d(features[0], features[1], second, padding=second // 2),
            nn.ReLU(inplace=True),
            nn.Conv2d(features[1], channels, third, padding=third // 2),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(imresize(x, scale=self.scale))


SPECS = (
    ArchSpec(
        id="srcnn",
        name="SRCNN",
        paper="Dong et al., TPAMI 2016",
        kind="cnn",
        scales=(2, 3, 4),
        network=SRCNN,
        color_space="y",
        # Receptive-field radius 8 HR pixels (9-5-5), at most 4 LR pixels at x2, plus the bicubic's 2.
        overlap=8,
        bytes_per_pixel=(1 + 64 + 32 + 1) * 4 * 16 * 2,
    ),
)
