"""Tiny models for the GUI flows: one that waits at a gate per tile, one that records references.

They are added to the registry beside the real ones, so the window lists and runs them like any
other model.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import partial

import torch
from torch import nn

from enhancer.models import registry
from enhancer.models.spec import ArchSpec


@dataclass
class Probe:
    """What the fake networks saw, and the gate the gated one waits at before each tile."""

    gate: threading.Event = field(default_factory=threading.Event)
    entered: threading.Event = field(default_factory=threading.Event)
    tiles: int = 0
    references: list[tuple[int, ...]] = field(default_factory=list)


class GatedNet(nn.Module):
    def __init__(self, *, scale: int, probe: Probe) -> None:
        super().__init__()
        self.scale, self.probe = scale, probe

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.probe.tiles += 1
        self.probe.entered.set()
        self.probe.gate.wait(timeout=10)
        return nn.functional.interpolate(x, scale_factor=self.scale, mode="nearest")


class ReferenceNet(nn.Module):
    def __init__(self, *, scale: int, probe: Probe) -> None:
        super().__init__()
        self.scale, self.probe = scale, probe

    def prepare(self, refs: list[torch.Tensor]) -> None:
        """Nothing to make of them ahead of the tiles."""

    def forward(self, x: torch.Tensor, refs: list[torch.Tensor]) -> torch.Tensor:
        self.probe.references = [tuple(ref.shape) for ref in refs]
        return nn.functional.interpolate(x, scale_factor=self.scale, mode="nearest")


def install_fake_models(monkeypatch) -> Probe:
    probe = Probe()
    common = dict(paper="test", kind="cnn", scales=(2,), overlap=0, needs_weights=False)
    specs = {
        **registry.architectures(),
        "gated": ArchSpec(id="gated", name="Gated", network=partial(GatedNet, probe=probe), **common),
        "ref-probe": ArchSpec(id="ref-probe", name="Reference probe", uses_reference=True,
                              network=partial(ReferenceNet, probe=probe),
                              **{**common, "kind": "reference"}),
    }
    monkeypatch.setattr(registry, "architectures", lambda: specs)
    return probe
