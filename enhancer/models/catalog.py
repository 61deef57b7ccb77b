"""The list of models a user can pick, as `enhancer models` prints it and the app shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from enhancer import paths
from enhancer.models import registry
from enhancer.models.weights import count_values

# Parameter counts that separate a network that runs like a filter from a slow one, on a CPU.
SMALL_NETWORK = 100_000
LARGE_NETWORK = 2_000_000
# Kinds trained for realistic texture (feature and adversarial losses) rather than for PSNR.
PERCEPTUAL_KINDS = ("gan", "perceptual")


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    name: str
    arch: str
    kind: str
    paper: str
    scales: tuple[int, ...]
    parameters: int
    weights: tuple[str, ...] = ()
    user: bool = False
    card: dict[str, Any] = field(default_factory=dict)
    # What `enhancer bench` measured, from the cards of every weights file of the model.
    measured: tuple[dict[str, Any], ...] = ()

    @property
    def uses_reference(self) -> bool:
        return registry.architectures()[self.arch].uses_reference

    @property
    def speed_class(self) -> str:
        """A rough hint of how long a photo takes, for choosing before waiting."""
        if self.kind == "interpolation":
            return "instant"
        if self.kind == "filters" or self.parameters < SMALL_NETWORK:
            return "fast"
        if self.kind in ("gan", "perceptual", "cnn") and self.parameters < LARGE_NETWORK:
            return "moderate"
        return "slow"

    @property
    def perceptual(self) -> bool:
        """Whether the model aims at sharp, plausible texture: sharper output, lower PSNR."""
        return self.kind in PERCEPTUAL_KINDS

    @property
    def benchmark(self) -> dict[str, float]:
        """Measured PSNR-Y by "<dataset> x<scale>", as the cards record them (may be empty)."""
        return {f"{m['dataset']} x{m['scale']}": float(m["psnr_y"]) for m in self.measured}

    def as_json(self) -> dict[str, Any]:
        """File names, not paths, so a bundle and a source checkout print the same list."""
        return {
            "id": self.id,
            "name": self.name,
            "arch": self.arch,
            "kind": self.kind,
            "paper": self.paper,
            "scales": list(self.scales),
            "parameters": self.parameters,
            "weights": list(self.weights),
            "user": self.user,
        }


def reference_models(entries: list[CatalogEntry]) -> list[str]:
    """The ids of the models among `entries` that use reference photos."""
    return [entry.id for entry in entries if entry.uses_reference]


def catalog() -> list[CatalogEntry]:
    specs = registry.architectures()
    entries = [
        CatalogEntry(spec.id, spec.name, spec.id, spec.kind, spec.paper, spec.scales, 0)
        for spec in specs.values()
        if not spec.needs_weights
    ]
    by_name: dict[str, list] = {}
    for weights in registry.weights_files():
        by_name.setdefault(weights.name, []).append(weights)
    user_dir = paths.user_models_dir().resolve()
    for name, files in by_name.items():
        spec = specs[files[0].arch]
        entries.append(
            CatalogEntry(
                id=name,
                name=files[0].card.get("title", spec.name),
                arch=spec.id,
                kind=files[0].card.get("kind", spec.kind),
                paper=spec.paper,
                scales=tuple(sorted({s for w in files for s in w.scales})),
                parameters=count_values(files[0]),
                weights=tuple(w.path.name for w in files),
                user=files[0].path.resolve().parent == user_dir,
                card=dict(files[0].card),
                measured=tuple(m for w in files for m in w.card.get("measured", ())),
            )
        )
    return entries
