"""SRGAN's discriminator (Ledig et al., CVPR 2017), used only while training: eight 3 x 3
convolutions from 64 to 512 channels with LeakyReLU 0.2, every second one strided to halve the
size, BatchNorm after all but the first, then dense 1024, LeakyReLU and dense 1 (a logit).

The paper's dense layer sees the 6 x 6 map of a 96 px patch; here an adaptive average pool to
4 x 4 comes first, so any patch of 16 px or more works (small CPU patches included). A WGAN-GP
critic is built without BatchNorm: its gradient penalty is per patch, which batch statistics mix.
"""

from __future__ import annotations

import torch
from torch import nn

_CHANNELS = (64, 64, 128, 128, 256, 256, 512, 512)
_POOLED = 4


class Discriminator(nn.Module):
    def __init__(self, *, channels: int = 3, batch_norm: bool = True) -> None:
        super().__init__()
        layers = []
        inputs = channels
        for index, outputs in enumerate(_CHANNELS):
            stride = 2 if index % 2 else 1
            layer = [nn.Conv2d(inputs, outputs, 3, stride=stride, padding=1)]
            if batch_norm and index > 0:
                layer.append(nn.BatchNorm2d(outputs))
            layer.append(nn.LeakyReLU(0.2))
            layers.append(nn.Sequential(*layer))
            inputs = outputs
        self.features = nn.ModuleList(layers)
        self.classifier = nn.Sequential(
            nn.AdaptiveAvgPool2d(_POOLED), nn.Flatten(),
            nn.Linear(_CHANNELS[-1] * _POOLED**2, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1) logits."""
        return self.scores_and_features(x)[0]

    def scores_and_features(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The logits and the output of every convolution layer (for feature matching)."""
        features = []
        for layer in self.features:
            x = layer(x)
            features.append(x)
        return self.classifier(x), features
