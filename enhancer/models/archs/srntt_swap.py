"""Feature swapping for SRNTT: find, for every patch of the upscaled input, the most similar patch
of the reference photos, and rebuild the reference's texture at the input's positions.

Matching compares 3 x 3 patches of features at the matching level (a quarter of the output
resolution, the input's own grid at x4) by their cosine similarity, the paper's normalised
cross-correlation: the input's features come from its bicubic upscale and the reference's from the
reference blurred the same way (downscaled and upscaled back), so blur does not decide the match.
Several references are searched as one set (the best match over all).

While the input and references are small (benchmark photos, training cases), every input patch
meets every reference patch, as the paper's convolution with the normalised reference patches does,
in chunks so that memory stays bounded. That is quadratic: a 3 MP input against a 12 MP reference
would take hours on a CPU. Beyond `EXHAUSTIVE_PAIRS`, PatchMatch (Barnes et al., SIGGRAPH 2009)
searches instead: neighbouring patches tend to match neighbouring patches, so good matches are
passed on to neighbours (near and, in early rounds, far ones, so they spread in few rounds) and
refined by random tries at distances shrinking fourfold. It finds the same matches wherever the reference
shows the same scene, at a cost linear in the input.

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
# Input-reference patch pairs up to which the search is exhaustive (about 2 x 10^10 multiply-adds
# at 9 x 24 features: seconds on a CPU).
EXHAUSTIVE_PAIRS = 1 << 27
# PatchMatch rounds; each passes matches on from neighbours 2^(rounds - round) positions away.
PATCH_MATCH_ROUNDS = 5
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
    """(C, H, W) features -> (H * W, 9 C): every 3 x 3 patch (zero beyond the border), unit length,
    position by position (row by row) and the C features of each position together."""
    channels, height, width = features.shape
    patches = F.unfold(features.unsqueeze(0), 3, padding=1)[0].view(channels, 9, height * width)
    patches = patches.permute(2, 1, 0).reshape(height * width, 9 * channels)
    return patches / patches.norm(dim=1, keepdim=True).clamp_min(1e-6)


class ReferencePatches:
    """The unit patches of every reference's matching features, one list with the references one
    after the other; a position in it is (reference, row, column) on that reference's grid.

    The patches are cut from the features when searched, not stored: stored, they take nine times
    the features' memory (650 MB for a 12 MP reference). What is kept is each reference's features,
    zero-padded by one position and flattened into one (positions, C) table, so that a patch is
    nine runs of C neighbouring numbers, and each patch's norm.
    """

    def __init__(self, features: Sequence[torch.Tensor]) -> None:
        device = features[0].device if features else None
        self.heights = torch.tensor([f.shape[-2] for f in features], device=device)
        self.widths = torch.tensor([f.shape[-1] for f in features], device=device)
        sizes = self.heights * self.widths
        self.starts = torch.cumsum(sizes, 0) - sizes
        padded_sizes = (self.heights + 2) * (self.widths + 2)
        self._padded_starts = torch.cumsum(padded_sizes, 0) - padded_sizes
        self._count = int(sizes.sum())
        if features:
            self._table = torch.cat([F.pad(f.float(), (1, 1, 1, 1)).flatten(1).T for f in features])
            self._norms = torch.cat([_patch_norms(f.float()) for f in features])

    def __len__(self) -> int:
        return self._count

    def unit(self, found: torch.Tensor) -> torch.Tensor:
        """The unit patches at list positions `found` -> (len(found), 9 C), laid out as
        `unit_patches` lays them out."""
        reference, row, column = self.locate(found)
        stride = self.widths[reference, None] + 2
        centre = (self._padded_starts[reference, None] + (row[:, None] + 1) * stride
                  + column[:, None] + 1)
        offsets = torch.cat([down * stride + across for down in (-1, 0, 1) for across in (-1, 0, 1)],
                            dim=1)
        patches = self._table[centre + offsets]  # (len(found), 9, C)
        return patches.reshape(len(found), -1) / self._norms[found, None]

    def locate(self, found: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Positions in the list -> (reference, row, column)."""
        reference = torch.searchsorted(self.starts, found, right=True) - 1
        local = found - self.starts[reference]
        width = self.widths[reference]
        return reference, local // width, local % width

    def position(self, reference: torch.Tensor, row: torch.Tensor, column: torch.Tensor
                 ) -> torch.Tensor:
        """(reference, row, column), clamped onto that reference's grid -> position in the list."""
        row = torch.minimum(row.clamp_min(0), self.heights[reference] - 1)
        column = torch.minimum(column.clamp_min(0), self.widths[reference] - 1)
        return self.starts[reference] + row * self.widths[reference] + column


def _patch_norms(features: torch.Tensor) -> torch.Tensor:
    """(C, H, W) -> (H * W,): the length of every 3 x 3 patch (zero beyond the border), at least
    `unit_patches`' floor."""
    squares = features.pow(2).sum(0, keepdim=True).unsqueeze(0)
    sums = F.conv2d(squares, squares.new_ones(1, 1, 3, 3), padding=1)
    return sums.clamp_min(0).sqrt().flatten().clamp_min(1e-6)


def best_matches(queries: torch.Tensor, keys: ReferencePatches) -> Matches:
    """The best reference patch for each 3 x 3 patch of `queries` ((N, C, h, w) features)."""
    n, _, h, w = queries.shape
    score = torch.full((n, h * w), NO_MATCH, device=queries.device)
    found = torch.zeros((n, h * w), dtype=torch.long, device=queries.device)
    for index in range(n if len(keys) else 0):
        query = unit_patches(queries[index].float())
        if h * w * len(keys) <= EXHAUSTIVE_PAIRS:
            _search_all(query, keys, score[index], found[index])
        else:
            _patch_match(query, (h, w), keys, score[index], found[index])
    reference, row, column = keys.locate(found) if len(keys) else (found, found, found)
    shape = (n, h, w)
    return Matches(score.view(shape), reference.view(shape), row.view(shape), column.view(shape))


def _search_all(query: torch.Tensor, keys: ReferencePatches, score: torch.Tensor,
                found: torch.Tensor) -> None:
    """Exhaustive search, in chunks of `CHUNK_ELEMENTS` products; fills `score` and `found`."""
    columns = max(1, CHUNK_ELEMENTS // _QUERY_BLOCK)
    for left in range(0, len(keys), columns):
        chunk = keys.unit(torch.arange(left, min(left + columns, len(keys)), device=query.device))
        for top in range(0, query.shape[0], _QUERY_BLOCK):
            block = query[top : top + _QUERY_BLOCK]
            best = score[top : top + block.shape[0]]
            where = found[top : top + block.shape[0]]
            value, position = (block @ chunk.T).max(dim=1)
            better = value > best
            best[better] = value[better]
            where[better] = position[better] + left


def _patch_match(query: torch.Tensor, size: tuple[int, int], keys: ReferencePatches,
                 score: torch.Tensor, found: torch.Tensor) -> None:
    """PatchMatch over the query grid of `size`; fills `score` and `found`. Its random tries come
    from a generator seeded the same every time, so a photo gives the same result every run."""
    h, w = size
    device = query.device
    generator = torch.Generator(device=device).manual_seed(0)
    rows = torch.arange(h, device=device).repeat_interleave(w)
    columns = torch.arange(w, device=device).repeat(h)

    def offer(candidates: torch.Tensor) -> None:
        for top in range(0, query.shape[0], _QUERY_BLOCK * 16):
            part = slice(top, top + _QUERY_BLOCK * 16)
            value = torch.einsum("ij,ij->i", query[part], keys.unit(candidates[part]))
            better = value > score[part]
            score[part] = torch.where(better, value, score[part])
            found[part] = torch.where(better, candidates[part], found[part])

    for _ in range(2):
        offer(torch.randint(len(keys), (h * w,), generator=generator, device=device))
    farthest = int(max(keys.heights.max(), keys.widths.max()))
    for round_ in range(PATCH_MATCH_ROUNDS):
        jump = 2 ** (PATCH_MATCH_ROUNDS - 1 - round_)
        for step in dict.fromkeys((jump, 1)):
            for down, across in ((step, 0), (-step, 0), (0, step), (0, -step)):
                # The neighbour's match, moved back by the same step, is this position's candidate.
                neighbour = ((rows + down).clamp(0, h - 1) * w + (columns + across).clamp(0, w - 1))
                reference, row, column = keys.locate(found[neighbour])
                offer(keys.position(reference, row - down, column - across))
        radius = farthest
        while radius >= 1:
            reference, row, column = keys.locate(found)
            shift = torch.randint(-radius, radius + 1, (2, h * w), generator=generator, device=device)
            offer(keys.position(reference, row + shift[0], column + shift[1]))
            radius //= 4


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
