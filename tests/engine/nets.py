"""Small networks with known receptive fields for engine tests, and a way to wrap them as models.

Weights come from a fixed seed, so two `Upscaler`s built from the same model hold the same network
and a tiled result can be compared with an untiled one.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import torch
from torch import nn

from enhancer.models.registry import ResolvedModel
from enhancer.models.spec import ArchSpec


class ConvNet(nn.Module):
    """Three 3x3 convolutions and a pixel shuffle: receptive-field radius 3 low-resolution px.

    Counts its forward calls, and raises CUDA's out-of-memory error for inputs of more than
    `max_pixels` pixels, counting those too.
    """

    def __init__(self, *, scale: int, channels: int = 3, max_pixels: int | None = None) -> None:
        super().__init__()
        self.scale = scale
        self.max_pixels = max_pixels
        self.calls = 0
        self.out_of_memory = 0
        self.body = nn.Sequential(
            nn.Conv2d(channels, 8, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(8, 8, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(8, channels * scale * scale, 3, padding=1),
        )
        _seed(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.max_pixels is not None and x.shape[-2] * x.shape[-1] > self.max_pixels:
            self.out_of_memory += 1
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        self.calls += 1
        return nn.functional.pixel_shuffle(self.body(x), self.scale) + nn.functional.interpolate(
            x, scale_factor=self.scale, mode="nearest"
        )


class DownUpNet(nn.Module):
    """A stride-2 encoder and an upsampling decoder: only shift-invariant by steps of 2 px.

    Receptive-field radius: 1 + 2 * (1 + 1) + 1 = 6 low-resolution px, rounded up here to 8.
    """

    def __init__(self, *, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self.head = nn.Conv2d(3, 8, 3, padding=1)
        self.down = nn.Conv2d(8, 8, 3, stride=2, padding=1)
        self.middle = nn.Conv2d(8, 8, 3, padding=1)
        self.tail = nn.Conv2d(8, 3 * scale * scale, 3, padding=1)
        _seed(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = torch.relu(self.head(x))
        coarse = torch.relu(self.middle(torch.relu(self.down(features))))
        features = features + nn.functional.interpolate(coarse, scale_factor=2, mode="nearest")
        return nn.functional.pixel_shuffle(self.tail(features), self.scale)


class ReferenceNet(nn.Module):
    """Adds the mean of its reference images to a nearest-neighbour upscale; records what it got,
    and how often it prepared references that it had not seen before (means, kept by identity)."""

    def __init__(self, *, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self.seen: list[list[torch.Tensor]] = []
        self.prepared: list[list[torch.Tensor]] = []
        self._means: tuple[list[torch.Tensor], torch.Tensor] | None = None

    def prepare(self, refs: list[torch.Tensor]) -> torch.Tensor:
        if self._means is None or len(refs) != len(self._means[0]) or \
                any(a is not b for a, b in zip(refs, self._means[0])):
            self.prepared.append(refs)
            self._means = (list(refs), sum(ref.mean() for ref in refs))
        return self._means[1]

    def forward(self, x: torch.Tensor, refs: list[torch.Tensor]) -> torch.Tensor:
        self.seen.append(refs)
        up = nn.functional.interpolate(x, scale_factor=self.scale, mode="nearest")
        return up + self.prepare(refs)


def _seed(network: nn.Module) -> None:
    generator = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for parameter in network.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.3)


CONV = ArchSpec(
    id="conv", name="Conv", paper="test", kind="cnn", scales=(2, 3), network=ConvNet, overlap=3
)
CONV_Y = ArchSpec(
    id="conv-y",
    name="Conv Y",
    paper="test",
    kind="cnn",
    scales=(2,),
    network=partial(ConvNet, channels=1),
    color_space="y",
    overlap=3,
)
DOWN_UP = ArchSpec(
    id="down-up",
    name="Down-up",
    paper="test",
    kind="cnn",
    scales=(2,),
    network=DownUpNet,
    overlap=8,
    multiple_of=2,
    min_size=6,
)
REFERENCE = ArchSpec(
    id="reference",
    name="Reference",
    paper="test",
    kind="reference",
    scales=(2,),
    network=ReferenceNet,
    overlap=0,
    uses_reference=True,
    needs_weights=False,
)


def model(spec: ArchSpec, scale: int = 2, **config) -> ResolvedModel:
    """`spec` as a resolved model with random weights; `config` goes to its network."""
    if config:
        spec = replace(spec, network=partial(spec.network, **config))
    return ResolvedModel(spec.id, spec, scale, None)
