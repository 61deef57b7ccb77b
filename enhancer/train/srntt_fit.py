"""Training SRNTT: reference cases made from single photos, and the paper's losses.

A recipe sets `trainer = "srntt"`. It is a perceptual recipe (`perceptual_fit.py`): `[content]`
holds the reconstruction (pixel, L1 in the paper) and perceptual terms, `[adversarial]` the
adversarial one; `srntt-rec` uses the reconstruction term alone. Its own keys:

- `[views]`: how the reference cases are made from each training patch (`ViewsConfig`): the
  target's size, the shares of unrelated and missing references, the moves of a related view;
- `texture_weight`: the paper's texture loss, Gram matrices of the output's features against those
  of the swapped reference features, both weighted by the match similarity, so that texture is asked
  for only where the reference had it to give.

The training patch (`[data] patch_size`) is the photo region a case is cut from: the target is a
smaller part of it and a related reference another view of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator, Sequence
from pathlib import Path

import torch
from torch import nn

from enhancer.data.patches import PatchBatch
from enhancer.data.reference_views import ViewsConfig, reference_cases
from enhancer.imaging.resize import imresize
from enhancer.train.fit import FitProgress, FitResult, fit
from enhancer.train.perceptual_fit import PerceptualObjective, parse_section, perceptual_plan
from enhancer.train.perceptual_losses import texture
from enhancer.train.recipe import Recipe, RecipeError

_OWN_KEYS = ("views", "texture_weight")


def fit_srntt(
    recipe: Recipe,
    *,
    scales: Sequence[int],
    checkpoint: Path,
    data: Sequence[Path] = (),
    device: str | torch.device = "auto",
    minutes: float | None = None,
    fresh: bool = False,
) -> Generator[FitProgress, None, FitResult]:
    """`fit` on reference cases with SRNTT's objective (same arguments and results as `fit`)."""
    base, perceptual = perceptual_plan(recipe, other_keys=_OWN_KEYS)
    views = parse_section(ViewsConfig, recipe.table.get("views", {}), recipe.path, "views")
    weight = recipe.table.get("texture_weight", 0.0)
    if not isinstance(weight, int | float) or weight < 0:
        raise RecipeError(f"{recipe.path}: texture_weight must be a number of at least 0")
    objective = SrnttObjective(perceptual, views=views, texture_weight=float(weight))
    return (yield from fit(base, scales=scales, checkpoint=checkpoint, data=data, device=device,
                           minutes=minutes, fresh=fresh, objective=objective))


class SrnttObjective(PerceptualObjective):
    """The perceptual objective on reference cases, plus the similarity-weighted texture loss."""

    def __init__(self, perceptual: PerceptualObjective, *, views: ViewsConfig,
                 texture_weight: float = 0.0) -> None:
        super().__init__(content=perceptual.content, adversarial=perceptual.adversarial,
                         initial_weights=perceptual.initial_weights, seed=perceptual.seed)
        self.views = views
        self.texture_weight = texture_weight
        text = self.fingerprint + repr((views, texture_weight))
        self.fingerprint = hashlib.sha256(text.encode()).hexdigest()[:8]

    def step(self, network: nn.Module, optimizer: torch.optim.Optimizer, batch: PatchBatch,
             recipe: Recipe, lr: float, *, fast: bool) -> torch.Tensor:
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + self.steps)
        cases = reference_cases(batch.hr, batch.lr, batch.scale, self.views, generator)
        upscaled = imresize(cases.lr, scale=batch.scale)
        with torch.no_grad():
            per_case = [network.transfer_maps(upscaled[i : i + 1],
                                              network.prepare([] if ref is None else [ref]))
                        for i, ref in enumerate(cases.references)]
        maps = [torch.cat(level) for level in zip(*per_case)]
        with torch.autocast(upscaled.device.type, dtype=torch.bfloat16, enabled=fast):
            output = upscaled + network.texture(cases.lr, maps)
        output = output.float()
        extra = (self.texture_weight * self.texture_loss(network, output, maps)
                 if self.texture_weight else 0.0)
        return self.optimise(network, optimizer, output, cases.hr, recipe, lr, extra)

    @staticmethod
    def texture_loss(network: nn.Module, output: torch.Tensor,
                     maps: Sequence[torch.Tensor]) -> torch.Tensor:
        """Gram matrices of the output's stage1 and stage2 features against the swapped reference
        features at the same levels, both weighted by the (positive) match similarity."""
        produced = network.extractor(output)
        weighted_output, weighted_swapped = [], []
        for features, swapped in zip(produced, maps[1:], strict=True):
            similarity = swapped[:, -1:].clamp_min(0)
            weighted_output.append(features * similarity)
            weighted_swapped.append(swapped[:, :-1] * similarity)
        return texture(weighted_output, weighted_swapped)
