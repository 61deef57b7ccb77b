"""Training cases for reference-based SR, made from single photos.

SRNTT must learn to take texture from a reference that shows the same scene from elsewhere, and to
ignore one that does not. From a batch of training patches this makes, for each patch, a smaller
target (LR and HR) and a reference that is one of:

- related: another view of the same patch, its centre moved by up to half the target's side
  (so it overlaps the target only in part), slightly rotated and rescaled, relit (brightness,
  contrast and colour balance changed);
- unrelated: the related view made for another patch of the batch (another photo, as a rule);
- none: no reference at all, the single-image case.

All randomness comes from the `torch.Generator` passed in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F

Relation = Literal["related", "unrelated", "none"]


@dataclass(frozen=True)
class ViewsConfig:
    # HR side of the target taken from each patch; a multiple of the scale.
    target_size: int = 96
    # Shares of unrelated references and of none; the rest are related.
    unrelated: float = 0.2
    none: float = 0.1
    # Largest rotation (degrees) and rescaling (a factor or its inverse) of a related view.
    rotation: float = 10.0
    rescale: float = 1.25
    # Share of related views kept exact: only moved, by whole pixels, and relit.
    exact: float = 0.5
    # Largest change of brightness gain, per-channel colour gain and contrast (as fractions).
    relight: float = 0.2

    def __post_init__(self) -> None:
        if self.unrelated < 0 or self.none < 0 or self.unrelated + self.none > 1:
            raise ValueError("unrelated and none are shares: each at least 0, together at most 1")
        if self.rescale < 1 or self.rotation < 0 or not 0 <= self.exact <= 1 or self.relight < 0:
            raise ValueError("rescale is a factor of at least 1; rotation, exact and relight "
                             "cannot be negative, exact is at most 1")


@dataclass(frozen=True)
class ReferenceCases:
    """`lr` (N, 3, t, t) and `hr` (N, 3, t * scale, ...) targets; `references` one (3, R, R) photo
    or None per target; `relations` what each reference is to its target."""

    lr: torch.Tensor
    hr: torch.Tensor
    references: list[torch.Tensor | None]
    relations: list[Relation]


def reference_cases(hr: torch.Tensor, lr: torch.Tensor, scale: int, config: ViewsConfig,
                    generator: torch.Generator) -> ReferenceCases:
    """Targets and references from (N, 3, S, S) HR patches and their (N, 3, S / scale, ...) LR."""
    n, _, side, _ = hr.shape
    target = config.target_size
    if target % scale or target > side:
        raise ValueError(f"target_size {target} must be a multiple of x{scale} within {side} px")
    cells = (side - target) // scale + 1
    corners = torch.randint(cells, (n, 2), generator=generator) * scale
    hrs, lrs, views = [], [], []
    for index, (top, left) in enumerate(corners.tolist()):
        hrs.append(hr[index, :, top : top + target, left : left + target])
        lrs.append(lr[index, :, top // scale : (top + target) // scale,
                      left // scale : (left + target) // scale])
        views.append(_related_view(hr[index], (top + target / 2, left + target / 2), config,
                                   generator))
    draws = torch.rand(n, generator=generator).tolist()
    references: list[torch.Tensor | None] = []
    relations: list[Relation] = []
    for index, draw in enumerate(draws):
        if draw < config.none:
            references.append(None)
            relations.append("none")
        elif draw < config.none + config.unrelated and n > 1:
            references.append(views[(index + 1) % n])
            relations.append("unrelated")
        else:
            references.append(views[index])
            relations.append("related")
    return ReferenceCases(torch.stack(lrs), torch.stack(hrs), references, relations)


def _related_view(photo: torch.Tensor, centre: tuple[float, float], config: ViewsConfig,
                  generator: torch.Generator) -> torch.Tensor:
    """A (3, T, T) view of `photo` around a point near `centre`: moved, turned, rescaled, relit."""
    _, height, width = photo.shape
    target = config.target_size
    uniform = torch.rand(8, generator=generator).tolist()
    angle = zoom = 0.0
    if uniform[0] >= config.exact:
        angle = math.radians(config.rotation * (2 * uniform[1] - 1))
        zoom = math.log(config.rescale) * (2 * uniform[2] - 1)
    shift = target / 2
    down = round(centre[0] + shift * (2 * uniform[3] - 1))
    across = round(centre[1] + shift * (2 * uniform[4] - 1))
    # Affine map from the view's normalised coordinates to the photo's (align_corners=False).
    factor = math.exp(zoom)
    cos, sin = math.cos(angle) * factor, math.sin(angle) * factor
    theta = torch.tensor([
        [cos * target / width, -sin * target / width, 2 * across / width - 1],
        [sin * target / height, cos * target / height, 2 * down / height - 1],
    ], dtype=photo.dtype, device=photo.device)
    grid = F.affine_grid(theta.unsqueeze(0), [1, 3, target, target], align_corners=False)
    view = F.grid_sample(photo.unsqueeze(0), grid, mode="bilinear", padding_mode="reflection",
                         align_corners=False)[0]
    return _relit(view, config.relight, torch.rand(5, generator=generator))


def _relit(view: torch.Tensor, amount: float, uniform: torch.Tensor) -> torch.Tensor:
    """Another exposure and white balance: a gain, per-channel gains and contrast about the mean."""
    spread = (2 * uniform - 1) * amount
    colour = (1 + spread[:3]).view(3, 1, 1).to(view)
    gain, contrast = 1 + float(spread[3]), 1 + float(spread[4])
    mean = view.mean()
    return ((view - mean) * contrast + mean).mul(gain * colour).clamp(0, 1)
