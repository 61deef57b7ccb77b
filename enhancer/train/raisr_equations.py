"""The least squares behind RAISR's filter bank: normal equations per bucket, the symmetries of the
training data, and the solve into a per-phase basis with per-bucket coefficients.

A's rows are 11 x 11 patches of the cheap upscale, b the HR pixel minus the patch's centre pixel,
so every solution is a filter's difference from the identity, and the ridge pulls a bucket with
few samples towards the cheap upscale. The second bank's equations are the same, with smaller
patches of the blended first output. A bank whose filters lean towards their cell (an even side,
see `Window`) takes its equations on the odd cover of every phase's window, then keeps each
phase's own taps (`windowed`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from enhancer.models.archs.raisr import Raisr, Window


@dataclass(frozen=True)
class NormalEquations:
    """Per bucket: A^T A (buckets, K, K), A^T b (buckets, K) and the sample count, in float64."""

    gram: torch.Tensor
    moment: torch.Tensor
    count: torch.Tensor

    @classmethod
    def zeros(cls, buckets: int, taps: int) -> NormalEquations:
        return cls(
            torch.zeros(buckets, taps, taps, dtype=torch.float64),
            torch.zeros(buckets, taps, dtype=torch.float64),
            torch.zeros(buckets, dtype=torch.int64),
        )

    def add(self, patches: torch.Tensor, target: torch.Tensor, bucket: torch.Tensor) -> None:
        """Add samples (patches (L, K), targets (L,), buckets (L,)): sorted by bucket, one matrix
        product per bucket."""
        order = torch.argsort(bucket)
        patches, target = patches[order], target[order]
        buckets, counts = torch.unique_consecutive(bucket[order], return_counts=True)
        start = 0
        for index, count in zip(buckets.tolist(), counts.tolist()):
            rows = patches[start : start + count]
            self.gram[index].addmm_(rows.t(), rows)
            self.moment[index].addmv_(rows.t(), target[start : start + count])
            start += count
        self.count.index_add_(0, buckets, counts)


def with_symmetries(equations: NormalEquations, model: Raisr) -> NormalEquations:
    """The statistics of the photos and of their 7 other rotations and flips, summed.

    Nothing is recomputed: transposing or flipping a photo (its sides are multiples of the scale,
    so its LR image and upscale transform with it) permutes the taps of its patches, its pixel
    phases and its angle bins, and leaves strength, coherence and targets as they are. The
    equations may be of either bank, or the blend's scalar ones: buckets and patch side are read
    off their size.
    """
    total = NormalEquations.zeros(*equations.moment.shape)
    for transpose in (False, True):
        for flip_rows in (False, True):
            for flip_columns in (False, True):
                source, tap = _symmetry(model, equations, transpose, flip_rows, flip_columns)
                total.gram.add_(equations.gram[source[:, None, None], tap[None, :, None], tap[None, None, :]])
                total.moment.add_(equations.moment[source[:, None], tap[None, :]])
                total.count.add_(equations.count[source])
    return total


def _symmetry(
    model: Raisr, equations: NormalEquations, transpose: bool, flip_rows: bool, flip_columns: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """What transposing the photos, then flipping their rows and columns, does to the statistics:
    new bucket i holds what old bucket source[i] held, its new tap k what old tap tap[k] held.

    Buckets are laid out (row phase, column phase, angle, then anything that no rotation or flip
    changes: strength and coherence, and the census count of per-bucket blend weights); a flip mirrors
    that axis's phases and the angle (theta -> pi - theta), a transpose swaps the two phases and
    maps theta -> pi / 2 - theta, which moves bins onto bins because angle_bins is even.
    """
    scale, angles = model.scale, model.angle_bins
    patch = math.isqrt(equations.moment.shape[-1])
    source = torch.arange(len(equations.count)).view(scale, scale, angles, -1)
    tap = torch.arange(patch * patch).view(patch, patch)
    if transpose:
        source = source.transpose(0, 1)[:, :, (angles // 2 - 1 - torch.arange(angles)) % angles]
        tap = tap.t()
    if flip_rows:
        source, tap = source.flip(0, 2), tap.flip(0)
    if flip_columns:
        source, tap = source.flip(1, 2), tap.flip(1)
    return source.reshape(-1), tap.reshape(-1)


def windowed(equations: NormalEquations, window: Window) -> NormalEquations:
    """Each bucket's equations on its phase's window, from those on the window's cover (buckets
    laid out phase first, as `Raisr` lays out its banks); the same equations where the two are one
    (an odd side)."""
    if window.side == window.cover:
        return equations
    s, cover = window.scale, window.cover**2
    gram = equations.gram.view(s * s, -1, cover, cover)
    moment = equations.moment.view(s * s, -1, cover)
    grams, moments = [], []
    for phase in range(s * s):
        taps = window.cover_taps(*divmod(phase, s))
        grams.append(gram[phase][:, taps[:, None], taps[None, :]])
        moments.append(moment[phase][:, taps])
    taps = window.side**2
    return NormalEquations(torch.stack(grams).view(-1, taps, taps), torch.stack(moments).view(-1, taps),
                           equations.count)


def solve_bank(
    equations: NormalEquations, *, phases: int, rank: int, regularisation: float, iterations: int = 3
) -> tuple[torch.Tensor, torch.Tensor]:
    """(basis (phases, J, K), coefficients (buckets, J)) in float32: per phase, the J = `rank`
    basis filters and per-bucket coefficients that minimise the squared error summed over the
    phase's buckets (buckets are laid out phase first).

    Starts from the leading singular vectors of the free per-bucket ridge solutions (weighted by
    their sample counts), then alternates two least-squares steps on the normal equations: each
    bucket's coefficients given the basis (J unknowns), the basis given every bucket's coefficients
    (J * K unknowns). More than 3 rounds measured no better on held-out photos.
    """
    taps = equations.gram.shape[-1]
    gram = equations.gram.view(phases, -1, taps, taps)
    moment = equations.moment.view(phases, -1, taps)
    weight = equations.count.view(phases, -1).double().sqrt()
    identity = torch.eye(taps, dtype=torch.float64)
    bases, coefficients = [], []
    for g, v, w in zip(gram, moment, weight):
        free = torch.linalg.solve(g + regularisation * identity, v)
        basis = torch.linalg.svd(free * w[:, None], full_matrices=False)[2][:rank]
        for _ in range(iterations):
            basis = _basis(g, v, _coefficients(g, v, basis, regularisation), regularisation)
        bases.append(basis)
        coefficients.append(_coefficients(g, v, basis, regularisation))
    return torch.stack(bases).float(), torch.cat(coefficients).float()


def _coefficients(
    gram: torch.Tensor, moment: torch.Tensor, basis: torch.Tensor, regularisation: float
) -> torch.Tensor:
    """Per bucket, argmin_c |A basis^T c - b|^2 + regularisation |c|^2 (basis rows orthonormal)."""
    ridge = regularisation * torch.eye(len(basis), dtype=gram.dtype)
    return torch.linalg.solve(basis @ gram @ basis.t() + ridge, moment @ basis.t())


def _basis(
    gram: torch.Tensor, moment: torch.Tensor, coefficients: torch.Tensor, regularisation: float
) -> torch.Tensor:
    """argmin over B of sum_b |A_b B^T c_b - b_b|^2 + regularisation |B|^2, rows orthonormalised
    (which keeps the span, all the next coefficient step sees)."""
    buckets, rank = coefficients.shape
    taps = gram.shape[-1]
    outer = (coefficients[:, :, None] * coefficients[:, None, :]).reshape(buckets, -1)
    system = (outer.t() @ gram.reshape(buckets, -1)).view(rank, rank, taps, taps)
    system = system.permute(0, 2, 1, 3).reshape(rank * taps, rank * taps)
    system += regularisation * torch.eye(rank * taps, dtype=gram.dtype)
    basis = torch.linalg.solve(system, (coefficients.t() @ moment).reshape(-1)).view(rank, taps)
    return torch.linalg.qr(basis.t())[0].t()
