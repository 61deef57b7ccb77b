"""Feature swapping for SRNTT: find, for every patch of the upscaled input, the most similar patch
of the reference photos, and rebuild the reference's texture at the input's positions.

Matching compares 3 x 3 patches of features at the matching level (a quarter of the output
resolution, the input's own grid at x4) by their cosine similarity, the paper's normalised
cross-correlation: the input's features come from its bicubic upscale and the reference's from the
reference blurred the same way (downscaled and upscaled back), so blur does not decide the match.
Every input patch meets every reference patch, as the paper's convolution with the normalised
reference patches does; the products are taken in chunks, so memory stays bounded whatever the
sizes, and several references are searched as one set (the best match over all).

Swapping then takes, for each input position, the matched reference patch at each level of the
pyramid (the same patch, scaled to the level's resolution) and averages the overlapping patches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

# Similarity products held at once while matching: 2^24 floats, 64 MB.
CHUNK_ELEMENTS = 1 << 24
# Reported for positions without any reference: below every cosine similarity.
NO_MATCH = -1.0
# Input patches compared at once (against as many reference patches as CHUNK_ELEMENTS allows).
_QUERY_BLOCK = 4096


@dataclass(frozen=True)
class Matches:
    """For each matching-level position (N, h, w) of the input: the cosine similarity of its best
    reference patch (`score`, in [-1, 1]), the reference it lies in (`reference`) and its row and
    column on that reference's matching grid."""

    score: torch.Tensor
    reference: torch.Tensor
    row: torch.Tensor
    column: torch.Tensor


def unit_patches(features: torch.Tensor) -> torch.Tensor:
    """(C, H, W) features -> (H * W, 9 C): every 3 x 3 patch (zero beyond the border), unit length."""
    patches = F.unfold(features.unsqueeze(0), 3, padding=1)[0].T
    return patches / patches.norm(dim=1, keepdim=True).clamp_min(1e-6)


def best_matches(queries: torch.Tensor, keys: Sequence[torch.Tensor]) -> Matches:
    """The best patch of any of `keys` ((C, H_k, W_k) feature maps) for each 3 x 3 patch of
    `queries` ((N, C, h, w)): an exhaustive search, chunked."""
    n, _, h, w = queries.shape
    score = torch.full((n, h * w), NO_MATCH, device=queries.device)
    found = torch.zeros((n, h * w), dtype=torch.long, device=queries.device)
    if not keys:
        return _as_matches(score, found, keys, h, w)
    key_patches = [unit_patches(key.float()) for key in keys]
    offsets = torch.tensor([0] + [p.shape[0] for p in key_patches], device=queries.device).cumsum(0)
    for index in range(n):
        query = unit_patches(queries[index].float())
        for top in range(0, query.shape[0], _QUERY_BLOCK):
            block = query[top : top + _QUERY_BLOCK]
            columns = max(1, CHUNK_ELEMENTS // block.shape[0])
            rows = block.shape[0]
            best = score[index, top : top + rows]
            where = found[index, top : top + rows]
            for key, offset in zip(key_patches, offsets.tolist()):
                for left in range(0, key.shape[0], columns):
                    value, position = (block @ key[left : left + columns].T).max(dim=1)
                    better = value > best
                    best[better] = value[better]
                    where[better] = position[better] + offset + left
    return _as_matches(score, found, keys, h, w)


def _as_matches(score: torch.Tensor, found: torch.Tensor, keys: Sequence[torch.Tensor],
                h: int, w: int) -> Matches:
    """Split indices into the concatenated patch lists into (reference, row, column)."""
    n = score.shape[0]
    reference = torch.zeros_like(found)
    row = torch.zeros_like(found)
    column = torch.zeros_like(found)
    start = 0
    for index, key in enumerate(keys):
        height, width = key.shape[-2:]
        inside = (found >= start) & (found < start + height * width)
        local = found - start
        reference[inside] = index
        row[inside] = (local // width)[inside]
        column[inside] = (local % width)[inside]
        start += height * width
    shape = (n, h, w)
    return Matches(score.view(shape), reference.view(shape), row.view(shape), column.view(shape))


def swap(levels: Sequence[torch.Tensor], matches: Matches, index: int, factor: int) -> torch.Tensor:
    """Rebuild one sample's texture at one pyramid level from the references' maps at that level.

    `levels` holds, per reference, its (C, H_k * factor, W_k * factor) map at a resolution `factor`
    times the matching grid's; each input position receives the matched 3 x 3 patch at that
    resolution (3 factor pixels a side) and overlaps are averaged. Returns (C, h * factor, w * factor).
    """
    h, w = matches.score.shape[-2:]
    channels = levels[0].shape[0]
    side = 3 * factor
    steps = torch.arange(side, device=levels[0].device)
    patches = levels[0].new_zeros(h * w, channels, side, side)
    which = matches.reference[index].flatten()
    for number, level in enumerate(levels):
        chosen = (which == number).nonzero().flatten()
        if chosen.numel() == 0:
            continue
        # Padding the level by `factor` puts a patch centred on grid row r at padded row r * factor.
        padded = F.pad(level.unsqueeze(0), (factor,) * 4, mode="replicate")[0]
        rows = matches.row[index].flatten()[chosen, None] * factor + steps
        columns = matches.column[index].flatten()[chosen, None] * factor + steps
        picked = padded[:, rows[:, :, None], columns[:, None, :]]  # (C, L, side, side)
        patches[chosen] = picked.permute(1, 0, 2, 3)
    columns_of_patches = patches.reshape(h * w, -1).T.unsqueeze(0)
    size = (h * factor, w * factor)
    total = F.fold(columns_of_patches, size, side, stride=factor, padding=factor)
    count = F.fold(torch.ones_like(columns_of_patches[:, : side * side]), size, side,
                   stride=factor, padding=factor)
    return (total / count)[0]
