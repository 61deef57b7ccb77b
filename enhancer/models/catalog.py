"""The list of models a user can pick, as `enhancer models` prints it and the app shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from enhancer import paths
from enhancer.models import registry
from enhancer.models.weights import count_values


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
            )
        )
    return entries
