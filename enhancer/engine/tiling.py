"""Cutting a photo into tiles that fit in memory, and blending them back without seams.

Along each axis the low-resolution image is covered by windows of one size that overlap their
neighbours by at least three times the architecture's `overlap` (its context, the receptive-field
radius). Near an edge it shares with a neighbour, a window's output is wrong: the network saw the
window's border there, not the photo. So a window's blend weight is zero for `overlap` pixels from
such an edge, then ramps linearly up to one across the rest of the shared strip while the
neighbour's ramps down. Every pixel with a nonzero weight was computed with its whole receptive
field inside the window, so the blend of a network whose receptive field fits in its declared
`overlap` equals the untiled result; for networks that reach further (GAN textures), the ramp
hides the seam.

Weights are separable (a tile's weight is its row weight times its column weight) and each axis's
weights sum to one at every pixel, so the 2-D weights sum to one too: tiles are accumulated into
the output as they come, with no weight canvas and no division at the end.

Window starts and sizes are multiples of the architecture's `multiple_of`, so networks that
downsample internally see every tile on the same pixel grid as the whole image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

# Tile sides beyond these gain little speed and make progress reports rare.
LARGEST_SIDE = {"cpu": 1024, "mps": 1024, "cuda": 2048}
# On the CPU, tile activations share RAM with the photo, the output and the rest of the app: a
# quarter of what is available, and never more than 1 GiB (a 512 x 512 tile for a typical CNN),
# keeps a 24-megapixel upscale within a few GB.
CPU_SHARE = 0.25
CPU_BUDGET = 2**30
GPU_SHARE = 0.5
RAM_WHEN_UNKNOWN = 4 * 2**30
MEMINFO = Path("/proc/meminfo")


@dataclass(frozen=True)
class Span:
    """A window along one axis: low-resolution pixels [start, stop), and the blend weight of each
    of the `scale * (stop - start)` high-resolution pixels it produces."""

    start: int
    stop: int
    weights: torch.Tensor


@dataclass(frozen=True)
class Tile:
    rows: Span
    cols: Span

    def weights(self) -> torch.Tensor:
        """(scale * rows, scale * cols) float32 blend weights of this tile's output."""
        return self.rows.weights[:, None] * self.cols.weights[None, :]


def padded_size(length: int, *, multiple_of: int, min_size: int) -> int:
    """The side the network is given for an image side of `length` (padded bottom and right)."""
    return _round_up(max(length, min_size), multiple_of)


def pad_image(image: torch.Tensor, *, multiple_of: int, min_size: int) -> torch.Tensor:
    """`image` padded at the bottom and right to sides the network accepts; itself if it fits.

    Reflection continues texture more naturally than repetition; it needs the image to be larger
    than the pad, so tiny images are padded by repeating their edge.
    """
    height, width = image.shape[-2:]
    down = padded_size(height, multiple_of=multiple_of, min_size=min_size) - height
    right = padded_size(width, multiple_of=multiple_of, min_size=min_size) - width
    if down == 0 and right == 0:
        return image
    mode = "reflect" if down < height and right < width else "replicate"
    return F.pad(image, (0, right, 0, down), mode=mode)


def fit_tile(side: int, *, overlap: int, multiple_of: int, min_size: int) -> int:
    """The usable tile side nearest to `side`: a multiple of `multiple_of`, at least `min_size`,
    and wide enough for `overlap` context on both sides, a blend ramp and a step forward."""
    smallest = _round_up(max(min_size, 3 * overlap + multiple_of), multiple_of)
    return max(smallest, side // multiple_of * multiple_of)


def plan_tiles(
    height: int, width: int, *, tile: int, overlap: int, scale: int, multiple_of: int = 1
) -> list[Tile]:
    """Tiles covering a (padded) low-resolution image of `height` x `width`, row by row.

    `tile` is a side from `fit_tile`; `height` and `width` are multiples of `multiple_of`.
    """
    rows = plan_axis(height, tile=tile, overlap=overlap, scale=scale, multiple_of=multiple_of)
    cols = plan_axis(width, tile=tile, overlap=overlap, scale=scale, multiple_of=multiple_of)
    return [Tile(row, col) for row in rows for col in cols]


def plan_axis(
    length: int, *, tile: int, overlap: int, scale: int, multiple_of: int = 1
) -> list[Span]:
    """Windows of side `tile` (or one of `length` when it fits) spread evenly over `length`."""
    size = min(tile, length)
    starts = _window_starts(length, tile=tile, overlap=overlap, multiple_of=multiple_of)
    stops = [start + size for start in starts]
    centres = torch.arange(scale * length, dtype=torch.float64) + 0.5
    raw = []
    for i, (start, stop) in enumerate(zip(starts, stops)):
        weight = torch.ones_like(centres)
        if i > 0:
            rise = _rise(centres, scale * (start + overlap), scale * (stops[i - 1] - overlap))
            weight = torch.minimum(weight, rise)
        if i + 1 < len(starts):
            fall = 1 - _rise(centres, scale * (starts[i + 1] + overlap), scale * (stop - overlap))
            weight = torch.minimum(weight, fall)
        raw.append(weight)
    # Complementary ramps already sum to one; normalising covers ramps that meet in small tiles.
    total = torch.stack(raw).sum(0)
    return [
        Span(start, stop, (weight / total)[scale * start : scale * stop].float())
        for start, stop, weight in zip(starts, stops, raw)
    ]


def _window_starts(length: int, *, tile: int, overlap: int, multiple_of: int) -> list[int]:
    """Evenly spread starts, on the grid, with neighbours sharing at least `3 * overlap` px."""
    if length <= tile:
        return [0]
    step = (tile - 3 * overlap) // multiple_of * multiple_of
    if step < multiple_of or tile % multiple_of or length % multiple_of:
        raise ValueError(f"a {tile} px tile cannot step over {length} px with {overlap} px context")
    count = 1 + -(-(length - tile) // step)
    slack = (length - tile) // multiple_of
    # Rounding an even spacing keeps consecutive starts at most `step` apart.
    return [multiple_of * ((2 * i * slack + count - 1) // (2 * (count - 1))) for i in range(count)]


def tile_for_memory(device: torch.device, *, bytes_per_pixel: int, dtype: torch.dtype) -> int:
    """The largest tile side whose activations fit the memory this device can spare now."""
    per_pixel = bytes_per_pixel * dtype.itemsize / 4
    side = int(math.sqrt(_memory_budget(device) / per_pixel))
    return min(side, LARGEST_SIDE.get(device.type, LARGEST_SIDE["cpu"]))


def _memory_budget(device: torch.device) -> float:
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return free * GPU_SHARE
    if device.type == "mps":
        free = torch.mps.recommended_max_memory() - torch.mps.driver_allocated_memory()
        return free * GPU_SHARE
    return min(available_ram() * CPU_SHARE, CPU_BUDGET)


def available_ram() -> int:
    """Bytes of RAM the system can give without swapping (Linux's MemAvailable), or a guess."""
    try:
        for line in MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return RAM_WHEN_UNKNOWN


def _rise(centres: torch.Tensor, low: int, high: int) -> torch.Tensor:
    """0 before `low`, a linear ramp up across [low, high), 1 from `high` on (a step if empty)."""
    if high <= low:
        return (centres >= low).to(centres.dtype)
    return ((centres - low) / (high - low)).clamp(0, 1)


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple
