"""Exponential moving average of a network's weights.

The average of the last few thousand iterates sits nearer the optimum than any one of them, which
is worth a few hundredths of a dB for free; it is what gets validated and exported.
"""

from __future__ import annotations

import copy

import torch
from torch import nn


class WeightAverage:
    """A copy of `network` whose floating-point weights follow `decay * avg + (1 - decay) * w`.

    Buffers that are not floating point (BatchNorm's batch counter) are copied as they are. Early
    on the decay is lowered to (1 + n) / (10 + n) after n updates, so the average is not stuck
    near the random initialisation.
    """

    def __init__(self, network: nn.Module, *, decay: float) -> None:
        self.decay = decay
        self.updates = 0
        self.network = copy.deepcopy(network).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, network: nn.Module) -> None:
        self.updates += 1
        decay = min(self.decay, (1 + self.updates) / (10 + self.updates))
        averaged = self.network.state_dict()
        for key, value in network.state_dict().items():
            if value.is_floating_point():
                averaged[key].lerp_(value.detach(), 1 - decay)
            else:
                averaged[key].copy_(value)

    def state_dict(self) -> dict:
        return {"updates": self.updates, "network": self.network.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.updates = state["updates"]
        self.network.load_state_dict(state["network"])
