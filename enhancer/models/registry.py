"""From a model name and a scale to an architecture and its weights.

Architectures are found through the import system (`enhancer.models.archs` imports each of its
modules), so a PyInstaller bundle holds them all. Named models are the interpolations, which need
no weights, and every weights file in the shipped and user model folders, by the name in its
metadata.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from torch import nn

from enhancer import paths
from enhancer.models import archs
from enhancer.models.spec import ArchSpec
from enhancer.models.weights import WeightsError, WeightsFile, load_state_dict, read_header

log = logging.getLogger(__name__)


class UnknownModelError(LookupError):
    """A model name, or a name and scale, with nothing behind it; the message lists what exists."""


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    spec: ArchSpec
    scale: int
    weights: WeightsFile | None

    def build(self) -> nn.Module:
        """The network on the CPU in float32, weights loaded, in eval mode."""
        config = dict(self.weights.config) if self.weights else {}
        network = self.spec.network(scale=self.scale, **config)
        if self.weights is not None:
            network.load_state_dict(load_state_dict(self.weights))
        return network.eval()


@cache
def architectures() -> dict[str, ArchSpec]:
    specs: dict[str, ArchSpec] = {}
    for module in archs.MODULES:
        for spec in module.SPECS:
            if spec.id in specs:
                raise RuntimeError(f"architecture id {spec.id!r} is declared twice")
            specs[spec.id] = spec
    return specs


def weights_dirs() -> tuple[Path, ...]:
    return (paths.shipped_models_dir(), paths.user_models_dir())


def weights_files() -> list[WeightsFile]:
    """Every usable weights file, shipped ones first; unusable ones are logged and skipped."""
    found = []
    for folder in weights_dirs():
        for path in sorted(folder.glob("*.safetensors")):
            try:
                weights = read_header(path)
            except WeightsError as error:
                log.warning("%s", error)
                continue
            if weights.arch not in architectures():
                log.warning("%s: unknown architecture %r", path, weights.arch)
                continue
            found.append(weights)
    return found


def model_names() -> list[str]:
    """Every name `resolve` accepts, interpolations first."""
    names = [spec.id for spec in architectures().values() if not spec.needs_weights]
    for weights in weights_files():
        if weights.name not in names:
            names.append(weights.name)
    return names


def resolve(name: str, scale: int) -> ResolvedModel:
    specs = architectures()
    spec = specs.get(name)
    if spec is not None and not spec.needs_weights:
        if scale not in spec.scales:
            raise UnknownModelError(f"{name} has no x{scale}; it serves {_scales(spec.scales)}")
        return ResolvedModel(name, spec, scale, None)
    candidates = [w for w in weights_files() if w.name == name]
    if not candidates:
        raise UnknownModelError(
            f"no model named {name!r}; known models: {', '.join(model_names())}"
        )
    for weights in candidates:
        if weights.serves(scale):
            return ResolvedModel(name, specs[weights.arch], scale, weights)
    served = sorted({s for w in candidates for s in w.scales})
    raise UnknownModelError(f"{name} has no weights for x{scale}; it has {_scales(served)}")


def _scales(scales) -> str:
    return ", ".join(f"x{s}" for s in scales)
