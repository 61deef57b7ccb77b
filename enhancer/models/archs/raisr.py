"""RAISR (Romano, Isidoro and Milanfar, 2017): a cheap upscale sharpened by hashed learned filters.

The low-resolution Y channel is upscaled with bicubic interpolation; every output pixel is then
replaced by a learned 11 x 11 filter (12 x 12 at x2, see `Window`) applied to the upscale around
it, chosen from a bank by the pixel's phase on the upscale grid and a hash of the local gradients:
the angle, strength and coherence of the Gaussian-weighted structure tensor. Where filtering
changed the local structure a lot (many bits of the 3 x 3 census transform flipped), the result is
blended back towards the cheap upscale, with one learned weight per number of flipped bits (or per
bucket and number, with `blend_per_bucket`); where few flipped, the weight goes above 1.
Optionally, a second, smaller bank of filters (`refine_size`, e.g. 6 x 6 at x2) then sharpens that
result the same way, chosen by the same phase and hash (and optionally by the most census bits
that the first bank flipped in the pixel's cell): a cascade, as the paper's discussion suggests.
Because it filters the blended output, which is no linear function of the input, it adds what no
larger first bank could.

Three things make it fast on a CPU:

- the hash is taken on the low-resolution input, once per input pixel, and shared by the scale²
  output pixels of its cell (the paper hashes the upscale: scale² times the work, for about
  0.03 dB at x2); the filters stay per output pixel, one per phase and hash;
- the bank is stored as a learned basis: each phase's filters are the identity plus combinations
  of `basis_size` basis filters (`enhancer.train.raisr_fit` learns basis and coefficients
  together; 12 to 24 of them lose about 0.01 dB against a free bank). So the network filters the
  image densely with the few basis filters and mixes their responses per pixel with the
  coefficients of the pixel's bucket, instead of gathering a 121-tap filter for every pixel;
- the bicubic upscale is linear, so each phase's basis filter composed with it is one small filter
  on the low-resolution image: one convolution of the input gives the cheap upscale and every
  basis response at once.

The second bank is stored and applied the same way: a basis per phase and coefficients per bucket
(and census group), its basis responses from one convolution of the first output's cells
(pixel-unshuffled).

Everything learned is a buffer (bases, coefficients, thresholds, blend weights), so the weights
file, the devices and the engine treat RAISR like any other model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from enhancer.imaging.resize import imresize, pad_symmetric
from enhancer.models.spec import ArchSpec

# The cheap upscale (a kernel of enhancer.imaging.resize).
CHEAP_KERNEL = "cubic"
# Coefficients gathered at once when filtering: a few MB, so they are reused from the cache.
_BAND_VALUES = 1 << 19
# Neighbours in the census transform of a 3 x 3 neighbourhood: 0..8 bits can flip.
CENSUS_BITS = 8


@dataclass(frozen=True)
class GradientStructure:
    """Per upscaled pixel, what the hash is made of; each (N, H, W)."""

    angle: torch.Tensor  # orientation of the dominant gradient, in [0, pi)
    strength: torch.Tensor  # the larger eigenvalue of the structure tensor
    coherence: torch.Tensor  # (sqrt l1 - sqrt l2) / (sqrt l1 + sqrt l2), in [0, 1]


@dataclass(frozen=True)
class Window:
    """Where a filter of `side` x `side` taps lies around a pixel of each phase, along one axis.

    An odd side centres the window on the pixel. An even side (at an even scale) centres it on the
    pixel's cell instead, so every phase's window covers the same output pixels: at x2, a 6 x 6
    second-bank filter covers exactly the 3 x 3 cells around its own, which the bank's convolution
    reads anyway (a 5 x 5 filter leaves 11 of those 36 pixels unused), and a 12 x 12 first-bank filter
    reads the same input pixels as an 11 x 11 one.
    """

    scale: int
    side: int

    def __post_init__(self) -> None:
        if self.side % 2 == 0 and self.scale % 2:
            raise ValueError(f"an even filter side ({self.side}) needs an even scale, not x{self.scale}")

    def start(self, phase: int) -> int:
        """Offset from a pixel of this phase to its window's first tap."""
        return -(self.side // 2) if self.side % 2 else (self.scale - self.side) // 2 - phase

    @property
    def first(self) -> int:
        """Offset from a cell's first pixel to the lowest tap of any of its pixels' windows."""
        return min(phase + self.start(phase) for phase in range(self.scale))

    @property
    def last(self) -> int:
        """Offset from a cell's first pixel to the highest tap of any of its pixels' windows."""
        return max(phase + self.start(phase) for phase in range(self.scale)) + self.side - 1

    @property
    def cover(self) -> int:
        """The odd side of the smallest window centred on a pixel that holds every phase's window
        (the patches the fit takes its equations from)."""
        radius = max(max(-self.start(p), self.start(p) + self.side - 1) for p in range(self.scale))
        return 2 * radius + 1

    def cover_taps(self, row_phase: int, column_phase: int) -> torch.Tensor:
        """Indices into a flattened cover patch of the taps of this phase's window, row by row."""
        radius = self.cover // 2
        rows = torch.arange(self.side) + radius + self.start(row_phase)
        columns = torch.arange(self.side) + radius + self.start(column_phase)
        return (rows[:, None] * self.cover + columns[None, :]).view(-1)


class Raisr(nn.Module):
    """Maps a low-resolution Y channel (N, 1, H, W) to (N, 1, H * scale, W * scale)."""

    def __init__(
        self,
        *,
        scale: int,
        patch_size: int = 11,
        gradient_window: int = 5,
        angle_bins: int = 24,
        strength_bins: int = 4,
        coherence_bins: int = 4,
        basis_size: int = 12,
        refine_size: int = 0,
        refine_basis_size: int = 6,
        refine_census_bounds: Sequence[int] = (),
        blend_per_bucket: bool = False,
    ) -> None:
        """`patch_size` and `refine_size` are the sides of the first and second bank's filters on
        the output grid (odd, or even at an even scale: see `Window`); refine_size 0 leaves the
        blended first output as it is. `refine_census_bounds` split the census counts (flipped
        bits, 0 to 8) into groups, and the second bank has a filter per bucket and group: a cell
        whose pixels flipped at most c bits is in group (number of bounds at or below c); none:
        one group. `blend_per_bucket` gives every filter its own blend weight per census count,
        instead of one per count for all."""
        super().__init__()
        if gradient_window % 2 == 0:
            raise ValueError("gradient_window must be odd")
        self.scale = scale
        self.patch_size = patch_size
        self.gradient_window = gradient_window
        self.angle_bins = angle_bins
        self.strength_bins = strength_bins
        self.coherence_bins = coherence_bins
        self.basis_size = basis_size
        self.refine_size = refine_size
        self.refine_basis_size = refine_basis_size
        self.refine_census_bounds = tuple(refine_census_bounds)
        self.blend_per_bucket = blend_per_bucket
        phases, taps = scale * scale, patch_size * patch_size
        # Untrained, every filter is the identity and every blend weight 1: the cheap upscale.
        self.register_buffer("basis", torch.zeros(phases, basis_size, taps))
        self.register_buffer("coefficients", torch.zeros(self.buckets, basis_size))
        self.register_buffer("strength_thresholds", torch.linspace(0, 1, strength_bins + 1)[1:-1])
        self.register_buffer("coherence_thresholds", torch.linspace(0, 1, coherence_bins + 1)[1:-1])
        blends = (self.buckets, CENSUS_BITS + 1) if blend_per_bucket else (CENSUS_BITS + 1,)
        self.register_buffer("blend_weights", torch.ones(blends))
        self.patch_window = Window(scale, patch_size)
        rows = _bicubic_rows(scale, self.patch_window.first, self.patch_window.last)
        self.lr_radius = rows.shape[-1] // 2
        self.register_buffer("bicubic_rows", rows, persistent=False)
        self.window_taps = _gaussian(gradient_window)
        if refine_size:
            self.refine_window = Window(scale, refine_size)
            # Untrained, the second bank is the identity too.
            self.register_buffer("refine_basis", torch.zeros(phases, refine_basis_size, refine_size**2))
            refine_buckets = self.buckets * (len(self.refine_census_bounds) + 1)
            self.register_buffer("refine_coefficients", torch.zeros(refine_buckets, refine_basis_size))
            # The census group of each count of flipped bits.
            counts = torch.arange(CENSUS_BITS + 1)
            groups = (counts[:, None] >= torch.tensor(self.refine_census_bounds, dtype=torch.int64)).sum(1)
            self.register_buffer("refine_groups", groups.int(), persistent=False)
            # Cells on each side that a filter reaches from any phase.
            self.refine_reach = max(-(self.refine_window.first // scale), self.refine_window.last // scale)
            placement = _cell_placement(self.refine_window, self.refine_reach)
            self.register_buffer("refine_placement", placement, persistent=False)

    @property
    def hashes_per_phase(self) -> int:
        return self.angle_bins * self.strength_bins * self.coherence_bins

    @property
    def buckets(self) -> int:
        """Filters in the bank: one per pixel phase and hash."""
        return self.scale * self.scale * self.hashes_per_phase

    @property
    def filters(self) -> torch.Tensor:
        """The whole bank, (buckets, patch_size ** 2), each filter on its phase's window:
        identity plus coefficients times basis."""
        s, side, window = self.scale, self.patch_size, self.patch_window
        coefficients = self.coefficients.view(s * s, self.hashes_per_phase, self.basis_size)
        bank = torch.bmm(coefficients, self.basis).view(s, s, self.hashes_per_phase, side, side)
        for r in range(s):
            for c in range(s):
                bank[r, c, :, -window.start(r), -window.start(c)] += 1
        return bank.view(self.buckets, -1)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        hashes = self.cell_hash(y)
        upscaled, filtered = self.upscale_and_filter(y, hashes)
        changed = self.census_change(upscaled, filtered)
        blended = self.blend(upscaled, filtered, hashes, changed)
        return self.refine(blended, hashes, changed) if self.refine_size else blended

    def upscale_and_filter(self, y: torch.Tensor, hashes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(cheap upscale, filtered upscale), each (N, 1, sH, sW), before blending; `hashes` is
        `cell_hash(y)`."""
        upscaled, responses = self._responses(y)
        corrections = _mixed(responses, hashes, _by_hash(self.coefficients.to(y.dtype), self.scale))
        return upscaled, upscaled + _from_cells(corrections)

    def refine(self, image: torch.Tensor, hashes: torch.Tensor, changed: torch.Tensor) -> torch.Tensor:
        """The second bank applied to the blended output `image` (N, 1, sH, sW): each output pixel
        plus its filter's correction over the refine_size x refine_size pixels around it (its
        phase's `Window`). `hashes` and `changed` (the census change of the first bank) choose the
        filters."""
        s, reach = self.scale, self.refine_reach
        padded = F.pad(image, (reach * s,) * 4, mode="replicate")
        # The cells of the output, (N, H, W, s, s) in memory, are its pixel-unshuffle channels-last:
        # one copy, and a convolution over s * s channels-last inputs runs several times faster than
        # over rows stacked as channels.
        cells = _cells(padded[:, 0], s)
        unshuffled = cells.view(*cells.shape[:3], s * s).permute(0, 3, 1, 2)
        kernels = self._refine_kernels(image.dtype).contiguous(memory_format=torch.channels_last)
        responses = F.conv2d(unshuffled, kernels).permute(0, 2, 3, 1)
        responses = responses.reshape(*hashes.shape, s, s, self.refine_basis_size)
        coefficients = _by_hash(self.refine_coefficients.to(image.dtype), s)
        return image + _from_cells(_mixed(responses, self.refine_index(hashes, changed), coefficients))

    def refine_index(self, hashes: torch.Tensor, changed: torch.Tensor) -> torch.Tensor:
        """(N, H, W) int32: which filters of the second bank each cell's pixels take, as a row of
        its coefficients laid out by hash (`_by_hash`): the cell's hash, then its census group,
        from the most bits that the first bank flipped (`changed`, (N, 1, sH, sW)) at any of its
        pixels.

        The group is the cell's, not each pixel's own: a cell's pixels then take their coefficients
        in one gather, and at x2 the cell's measured better (recipes/raisr.toml)."""
        if not self.refine_census_bounds:
            return hashes
        s, (n, height, width) = self.scale, hashes.shape
        most = _cells(changed[:, 0], s).view(n, height, width, s * s).amax(-1)
        group = self.refine_groups.index_select(0, most.view(-1)).view(n, height, width)
        return hashes * (len(self.refine_census_bounds) + 1) + group

    def cheap_upscale(self, y: torch.Tensor) -> torch.Tensor:
        return imresize(y, scale=self.scale, kernel=CHEAP_KERNEL)

    def gradient_structure(self, y: torch.Tensor) -> GradientStructure:
        """Eigen-analysis of the Gaussian-weighted structure tensor around every pixel."""
        image = F.pad(y, (1, 1, 1, 1), mode="replicate")[:, 0]
        gx = (image[:, 1:-1, 2:] - image[:, 1:-1, :-2]).mul_(0.5)
        gy = (image[:, 2:, 1:-1] - image[:, :-2, 1:-1]).mul_(0.5)
        products = gx.new_empty((gx.shape[0], 3, *gx.shape[1:]))
        torch.mul(gx, gx, out=products[:, 0])
        torch.mul(gx, gy, out=products[:, 1])
        torch.mul(gy, gy, out=products[:, 2])
        xx, xy, yy = self._window_sums(products).unbind(1)
        # In place where a temporary is done with: this runs over every input pixel.
        half_difference = (xx - yy).mul_(0.5)
        half_trace = (xx + yy).mul_(0.5)
        spread = half_difference.square().addcmul_(xy, xy).sqrt_()
        large = half_trace + spread
        root_large, root_small = large.sqrt(), half_trace.sub_(spread).clamp_(min=0).sqrt_()
        coherence = (root_large - root_small).div_(root_large.add_(root_small).clamp_(min=1e-12))
        angle = torch.atan2(xy, half_difference).mul_(0.5).remainder_(math.pi)
        return GradientStructure(angle=angle, strength=large, coherence=coherence)

    def cell_hash(self, y: torch.Tensor) -> torch.Tensor:
        """(N, H, W) int32: the gradient hash of each low-resolution pixel, which every output
        pixel of its cell shares."""
        structure = self.gradient_structure(y)
        # Counted in the float tensor and converted once: cheaper than integer arithmetic, and
        # exact (hashes are small whole numbers). Counting comparisons is several times faster
        # than torch.bucketize's binary search for a few thresholds.
        angle = structure.angle.mul(self.angle_bins / math.pi).floor_().clamp_(max=self.angle_bins - 1)
        hashes = angle.mul_(self.strength_bins * self.coherence_bins)
        for threshold in self.strength_thresholds.tolist():
            hashes.add_(structure.strength >= threshold, alpha=self.coherence_bins)
        for threshold in self.coherence_thresholds.tolist():
            hashes.add_(structure.coherence >= threshold)
        return hashes.int()

    def bucket_index(self, y: torch.Tensor) -> torch.Tensor:
        """(N, sH, sW) int64: which filter of the bank each output pixel of the LR `y` takes."""
        return self.buckets_of(self.cell_hash(y))

    def buckets_of(self, rows: torch.Tensor, *, per_phase: int | None = None) -> torch.Tensor:
        """(N, sH, sW) int64: each output pixel's row of a table laid out by phase, `per_phase` rows
        each (default: a hash's), from its cell's row within its phase (N, H, W), e.g. the hash."""
        s, (n, height, width) = self.scale, rows.shape
        per_phase = per_phase or self.hashes_per_phase
        phases = torch.arange(s * s, device=rows.device).view(1, 1, s, 1, s) * per_phase
        # Broadcast into (N, H, s, W, s), which is the output grid's memory layout.
        return (rows.view(n, height, 1, width, 1) + phases).view(n, s * height, s * width)

    def census_change(self, upscaled: torch.Tensor, filtered: torch.Tensor) -> torch.Tensor:
        """(N, 1, H, W) int32: bits of the 3 x 3 census transform that filtering flipped.

        A bit says whether a neighbour is brighter than the centre. The comparison of a pixel with
        its neighbour in direction d is the mirror of the neighbour's with it (up to ties), so four
        directions are compared and each flip is counted at both pixels.
        """
        a = F.pad(upscaled, (1, 1, 1, 1), mode="replicate")
        b = F.pad(filtered, (1, 1, 1, 1), mode="replicate")
        height, width = a.shape[-2:]
        changed = torch.zeros(a.shape, dtype=torch.uint8, device=a.device)
        for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
            here = (..., slice(0, height - dy), slice(max(0, -dx), width - max(0, dx)))
            there = (..., slice(dy, height), slice(max(0, dx), width + min(0, dx)))
            # In place and as bytes: this runs over every output pixel, four times.
            flipped = torch.gt(a[there], a[here]).ne_(torch.gt(b[there], b[here])).view(torch.uint8)
            changed[here] += flipped
            changed[there] += flipped
        return changed[..., 1:-1, 1:-1].int()  # int32: converting bytes to int64 takes 7 times as long

    def blend(
        self, upscaled: torch.Tensor, filtered: torch.Tensor, hashes: torch.Tensor, changed: torch.Tensor
    ) -> torch.Tensor:
        """Each output pixel between the cheap upscale and the filtered one, by its weight for the
        census bits that filtering flipped there (`changed`, from `census_change`), and for its
        bucket with `blend_per_bucket`."""
        index = self.blend_index(hashes, changed).view(-1)
        # index_select: several times faster than indexing with a tensor.
        weight = self.blend_weights.to(upscaled.dtype).view(-1).index_select(0, index).view(changed.shape)
        return torch.addcmul(upscaled, weight, filtered - upscaled)

    def blend_index(self, hashes: torch.Tensor, changed: torch.Tensor) -> torch.Tensor:
        """(N, sH, sW): each output pixel's blend weight, as an index into the flattened
        blend_weights: its census change (from `census_change`), and its bucket with
        `blend_per_bucket` (from its cell's hash)."""
        if not self.blend_per_bucket:
            return changed[:, 0]
        counts = CENSUS_BITS + 1
        return self.buckets_of(hashes * counts, per_phase=self.hashes_per_phase * counts) + changed[:, 0]

    def _responses(self, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The cheap upscale (N, 1, sH, sW) and every basis filter's response on it, per cell:
        (N, H, W, scale, scale, basis_size), all from one convolution of the input."""
        n, _, height, width = y.shape
        s, radius = self.scale, self.lr_radius
        padded = pad_symmetric(pad_symmetric(y, -2, radius, radius), -1, radius, radius)
        out = _stacked_conv(padded, self._lr_kernels(y.dtype))
        upscaled = out[..., : s * s].view(n, height, width, s, s)
        return _from_cells(upscaled), out[..., s * s :].view(n, height, width, s, s, self.basis_size)

    def _lr_kernels(self, dtype: torch.dtype) -> torch.Tensor:
        """(s * s * (J + 1), taps, 1, taps): per phase (r, c), the bicubic upscale, then per phase
        each basis filter applied to it, as filters on the low-resolution input. (The upscale's
        phases side by side let a cell's upscaled pixels move to the output grid as a block.)

        The upscale at phase (r, c) weighs the LR pixel at offset (u, v) by rows[r, u] * rows[c, v],
        so a filter f on the upscale is the LR filter rows_r^T f rows_c, with rows_r the rows that
        the filter's taps read from a pixel of phase r.
        """
        s, j, patch, window = self.scale, self.basis_size, self.patch_size, self.patch_window
        rows = self.bicubic_rows.to(dtype)
        # Row 0 of `rows` is the upscaled pixel window.first pixels from the cell's first pixel.
        tops = [r + window.start(r) - window.first for r in range(s)]
        reads = torch.stack([rows[top : top + patch] for top in tops])  # (phase, patch tap, LR tap)
        at_pixel = rows[[r - window.first for r in range(s)]]  # (phase, LR tap)
        basis = self.basis.to(dtype).view(s, s, j, patch, patch)
        composed = torch.einsum("rpu,rcjpq,cqv->rcjuv", reads, basis, reads)
        bicubic = torch.einsum("ru,cv->rcuv", at_pixel, at_pixel)
        taps = rows.shape[-1]
        kernels = torch.cat((bicubic.reshape(s * s, taps, taps), composed.reshape(s * s * j, taps, taps)))
        return kernels.view(s * s * (j + 1), 1, taps, taps)

    def _refine_kernels(self, dtype: torch.dtype) -> torch.Tensor:
        """(s * s * J, s * s, k, k): per phase (r, c), each second-bank basis filter as a filter on
        the pixel-unshuffled output, whose channel a * s + b holds the pixels of phase (a, b).

        Rows and columns place separately: tap p of a phase-r pixel lands at cell row u, sub-row a
        where placement[r, p, u, a] is 1.
        """
        s, j, side = self.scale, self.refine_basis_size, self.refine_size
        place = self.refine_placement.to(dtype)
        basis = self.refine_basis.to(dtype).view(s, s, j, side, side)
        kernels = torch.einsum("rcjpq,rpua,cqvb->rcjabuv", basis, place, place)
        k = place.shape[2]
        return kernels.reshape(s * s * j, s * s, k, k)

    def _window_sums(self, x: torch.Tensor) -> torch.Tensor:
        """Gaussian-weighted local sums of each channel, as two separable passes of shifted adds
        (several times faster on a CPU than a depthwise convolution)."""
        radius = len(self.window_taps) // 2
        height, width = x.shape[-2:]
        padded = F.pad(x, (radius,) * 4, mode="replicate")
        columns = padded[..., 0:height, :] * self.window_taps[0]
        for offset, tap in enumerate(self.window_taps[1:], start=1):
            columns.add_(padded[..., offset : offset + height, :], alpha=tap)
        sums = columns[..., 0:width] * self.window_taps[0]
        for offset, tap in enumerate(self.window_taps[1:], start=1):
            sums.add_(columns[..., offset : offset + width], alpha=tap)
        return sums


def _stacked_conv(padded: torch.Tensor, kernels: torch.Tensor) -> torch.Tensor:
    """conv2d of (N, C, H + k - 1, W + k - 1) with (O, C, k, k), as (N, H, W, O).

    Rows are stacked as channels: r consecutive rows as r channels, convolved with the kernel's
    rows r apart (a dilation of r), is the same filter, and runs several times faster on a CPU than
    a convolution over few channels. The stack is a copy of r times the input: 3 rows (where they
    divide k) measured fastest for x2's 9 x 9 kernels: 10.5 ms against 12.1 with all 9 stacked (a
    1.5 MP output, one thread)."""
    n, channels, padded_height, padded_width = padded.shape
    outputs, _, k, _ = kernels.shape
    rows = 3 if k % 3 == 0 else k
    height = padded_height - rows + 1
    # (N, H + k - r, W + k - 1, C, r) in memory, which is (N, C * r, H + k - r, W + k - 1)
    # channels-last.
    stacked = padded.unfold(2, height, 1).permute(0, 4, 3, 1, 2).contiguous()
    stacked = stacked.view(n, height, padded_width, channels * rows).permute(0, 3, 1, 2)
    weights = kernels.view(outputs, channels, k // rows, rows, k).transpose(2, 3)
    weights = weights.reshape(outputs, channels * rows, k // rows, k).contiguous(memory_format=torch.channels_last)
    return F.conv2d(stacked, weights, dilation=(rows, 1)).permute(0, 2, 3, 1)


def _by_hash(coefficients: torch.Tensor, scale: int) -> torch.Tensor:
    """(buckets, J) coefficients laid out by phase, then hash (then census group, in the second
    bank) -> (buckets / s², s² * J): each row holds one hash's coefficients for every phase, so a
    cell takes all of its own in one gather."""
    phases = scale * scale
    by_phase = coefficients.view(phases, -1, coefficients.shape[-1])
    return by_phase.transpose(0, 1).reshape(by_phase.shape[1], -1)


def _mixed(responses: torch.Tensor, index: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """Per cell and phase, the basis responses (N, H, W, s, s, J) weighed by coefficients: the
    row of `table` that `index` (N, H, W) picks for the cell, holding every phase's, as `_by_hash`
    lays them out. Returns (N, H, W, s, s)."""
    basis_size = responses.shape[-1]
    mixed = responses.new_empty(responses.shape[:-1])
    cells, rows = responses.flatten(0, 2), index.reshape(-1)
    pixels = mixed.view(len(cells), -1)
    # Summing the products is a product with ones: a matrix-vector product sums rows of J values
    # several times faster than a sum over the last dimension.
    ones = responses.new_ones(basis_size)
    # A band of cells at a time, so the gathered coefficients stay in the cache.
    band = max(1, _BAND_VALUES // cells[0].numel())
    for top in range(0, len(cells), band):
        products = table.index_select(0, rows[top : top + band]).view_as(cells[top : top + band])
        products.mul_(cells[top : top + band])
        torch.mv(products.view(-1, basis_size), ones, out=pixels[top : top + band].view(-1))
    return mixed


def _cells(image: torch.Tensor, scale: int) -> torch.Tensor:
    """(N, sH, sW) -> (N, H, W, s, s): each low-resolution pixel's block of output pixels."""
    n, height, width = image.shape
    wide = _wide_dtype(image, scale)
    if wide is None:
        blocks = image.view(n, height // scale, scale, width // scale, scale)
        return blocks.permute(0, 1, 3, 2, 4).contiguous()
    rows = image.view(wide).view(n, height // scale, scale, width // scale)
    cells = rows.permute(0, 1, 3, 2).contiguous().view(image.dtype)
    return cells.view(n, height // scale, width // scale, scale, scale)


def _from_cells(cells: torch.Tensor) -> torch.Tensor:
    """(N, H, W, s, s) -> (N, 1, sH, sW), the inverse of `_cells`."""
    n, height, width, scale, _ = cells.shape
    wide = _wide_dtype(cells, scale)
    if wide is None:
        return cells.permute(0, 1, 3, 2, 4).reshape(n, 1, height * scale, width * scale)
    rows = cells.view(wide).view(n, height, width, scale).permute(0, 1, 3, 2).contiguous()
    return rows.view(cells.dtype).view(n, 1, height * scale, width * scale)


def _wide_dtype(tensor: torch.Tensor, scale: int) -> torch.dtype | None:
    """An integer type as wide as `scale` contiguous elements of `tensor`, or None.

    Moving a cell row (scale elements) as one element makes the permutes between the output grid
    and its cells about 8 times faster (a copy with an inner size of 2 runs element by element).
    """
    if tensor.stride(-1) != 1 or any(stride % scale for stride in tensor.stride()[:-1]):
        return None
    return {2: torch.int16, 4: torch.int32, 8: torch.int64}.get(tensor.element_size() * scale)


def _bicubic_rows(scale: int, first: int, last: int) -> torch.Tensor:
    """rows[k, u]: the weight of LR pixel q + u - r in upscaled pixel q * scale + first + k.

    k covers the offsets first to last from a cell's first pixel (every tap that any phase's
    filter reaches); r is the smallest LR radius that holds every non-zero weight. Read off
    imresize itself, on a line of deltas.
    """
    reach = math.ceil((max(-first, last) + 1) / scale) + 3
    length = 4 * reach + 1
    centre = length // 2
    deltas = torch.eye(length, dtype=torch.float64)[:, None, None, :]
    upscaled = imresize(deltas, size=(1, length * scale), kernel=CHEAP_KERNEL)[:, 0, 0, :]  # (LR pixel, HR pixel)
    offsets = torch.arange(first, last + 1) + centre * scale
    weights = upscaled[centre - reach : centre + reach + 1, offsets].t()  # (k, u)
    used = weights.abs().sum(0) > 1e-12
    lr_radius = int(max(reach - used.nonzero()[0].item(), used.nonzero()[-1].item() - reach))
    return weights[:, reach - lr_radius : reach + lr_radius + 1].float()


def _cell_placement(window: Window, reach: int) -> torch.Tensor:
    """(phase, tap, cell offset + reach, sub-pixel) one-hot: along one axis, where the window's tap
    for a pixel of this phase lies in the pixel-unshuffled grid."""
    scale = window.scale
    placement = torch.zeros(scale, window.side, 2 * reach + 1, scale)
    for phase in range(scale):
        for tap in range(window.side):
            cell, sub = divmod(phase + window.start(phase) + tap, scale)
            placement[phase, tap, cell + reach, sub] = 1
    return placement


def _gaussian(window: int) -> list[float]:
    """Normalised 1-D Gaussian taps whose window holds +-2 sigma."""
    offsets = torch.arange(window, dtype=torch.float64) - (window - 1) / 2
    taps = torch.exp(-(offsets**2) / (2 * (window / 4) ** 2))
    return (taps / taps.sum()).tolist()


SPECS = (
    ArchSpec(
        id="raisr",
        name="RAISR",
        paper="Romano, Isidoro and Milanfar, RAISR: Rapid and Accurate Image Super Resolution, IEEE TCI 2017",
        kind="filters",
        scales=(2, 3, 4),
        network=Raisr,
        color_space="y",
        # An output pixel reads the input up to 5 pixels away at x4 (its 11 x 11 filter on the
        # upscale, which bicubic takes from 2 input pixels further, and the census neighbour); its
        # cell's hash reads 3 (gradient window 2, gradient 1). A second bank of filters up to
        # 2 * scale + 1 output pixels wide (the recipe's 7 x 7 at x3) reads one cell further.
        overlap=6,
        half_precision=False,
        # The network's measured peak (about 390, 860 and 1950 bytes per input pixel at x2, x3
        # and x4: the convolution's responses and the gathered coefficients grow with scale²),
        # plus the engine's colour planes.
        bytes_per_pixel={2: 768, 3: 1536, 4: 2560},
    ),
)
