"""MATLAB-compatible `imresize`, the resize every super-resolution table was made with.

The benchmark's low-resolution inputs come from MATLAB's bicubic downscale, and OpenCV's or
Pillow's bicubic give other pixels (they do not widen the kernel when shrinking, or sample other
positions), so published numbers are only reproduced by following MATLAB's rules:

- the output has ceil(in * scale) pixels per side, or the size asked for;
- output pixel u (1-based) reads the input around x = u / scale + 0.5 * (1 - 1 / scale);
- when shrinking with antialiasing, the kernel is stretched by 1 / scale (a low-pass filter);
- each output pixel's weights are normalised to sum to 1;
- positions outside the image are mirrored, the edge pixel repeated (symmetric padding);
- the dimension shrunk most (smallest scale) is resized first, rows first on ties (equal
  enlargements, where the order changes only rounding, go columns first: it is faster).

Each dimension's resize is a table of input indices and weights per output pixel, applied as a
gather and weighted sum one tap at a time, so memory stays within two output-sized tensors. An
enlargement by a whole factor s repeats the same s rows of weights along the image, so it is
computed as s weighted sums of shifted views of the edge-extended input, interleaved: the same
arithmetic without a gather per tap, and several times faster.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

Kernel = Callable[[torch.Tensor], torch.Tensor]


def _cubic(x: torch.Tensor) -> torch.Tensor:
    """Keys' cubic convolution with a = -0.5."""
    a = x.abs()
    near = (1.5 * a**3 - 2.5 * a**2 + 1) * (a <= 1)
    far = (-0.5 * a**3 + 2.5 * a**2 - 4 * a + 2) * ((a > 1) & (a <= 2))
    return near + far


def _triangle(x: torch.Tensor) -> torch.Tensor:
    return (1 - x.abs()).clamp(min=0)


def _box(x: torch.Tensor) -> torch.Tensor:
    # Half-open, as MATLAB's: a sample exactly between two pixels takes the right-hand one.
    return ((x >= -0.5) & (x < 0.5)).to(x.dtype)


def _lanczos(lobes: int) -> Kernel:
    def kernel(x: torch.Tensor) -> torch.Tensor:
        return torch.sinc(x) * torch.sinc(x / lobes) * (x.abs() < lobes)

    return kernel


@dataclass(frozen=True)
class _KernelShape:
    function: Kernel
    width: float


KERNELS: dict[str, _KernelShape] = {
    "cubic": _KernelShape(_cubic, 4.0),
    "triangle": _KernelShape(_triangle, 2.0),
    "box": _KernelShape(_box, 1.0),
    "lanczos2": _KernelShape(_lanczos(2), 4.0),
    "lanczos3": _KernelShape(_lanczos(3), 6.0),
}


def imresize(
    x: torch.Tensor,
    *,
    scale: float | None = None,
    size: tuple[int, int] | None = None,
    kernel: str = "cubic",
    antialias: bool = True,
) -> torch.Tensor:
    """Resize (N, C, H, W) images by `scale`, or to `size` = (height, width), as MATLAB does.

    Works on any device; computes in float64 for float64 input and in float32 otherwise, and returns
    the input's dtype. Values are not clipped: cubic and Lanczos overshoot near edges.
    """
    if x.ndim != 4 or not x.is_floating_point():
        raise ValueError(f"imresize needs a float (N, C, H, W) tensor, got {x.dtype} {tuple(x.shape)}")
    if kernel not in KERNELS:
        raise ValueError(f"unknown kernel {kernel!r}; choose from {', '.join(KERNELS)}")
    if (scale is None) == (size is None):
        raise ValueError("give exactly one of scale and size")
    in_size = (x.shape[2], x.shape[3])
    if scale is not None:
        if scale <= 0:
            raise ValueError(f"scale must be positive, got {scale}")
        scales = (float(scale), float(scale))
        out_size = (_output_length(in_size[0], scale), _output_length(in_size[1], scale))
    else:
        if len(size) != 2 or min(size) < 1:
            raise ValueError(f"size must be two positive lengths, got {size}")
        out_size = (int(size[0]), int(size[1]))
        scales = (out_size[0] / in_size[0], out_size[1] / in_size[1])

    compute_dtype = torch.float64 if x.dtype == torch.float64 else torch.float32
    y = x.to(compute_dtype)
    for dim in sorted((0, 1), key=lambda d: _pass_order(d, scales[d])):
        if scales[dim] == 1:
            continue  # every kernel is 1 at 0 and 0 at the other integers: nothing to do
        indices, weights = _contributions(
            in_size[dim], out_size[dim], scales[dim], KERNELS[kernel], antialias=antialias
        )
        weights = weights.to(x.device, compute_dtype)
        factor = out_size[dim] // in_size[dim]
        if factor > 1 and factor * in_size[dim] == out_size[dim]:
            y = _enlarge_along(y, dim + 2, indices[:factor], weights[:factor])
        else:
            y = _resize_along(y, dim + 2, _mirror(indices, in_size[dim]).to(x.device), weights)
    return y.to(x.dtype)


def _pass_order(dim: int, scale: float) -> tuple[float, int]:
    """Sort key of the two passes: the smaller scale first, as MATLAB does, rows first on ties;
    but between equal enlargements columns first, since interleaving columns is the costlier pass
    and costs half as much on the not yet enlarged image (the results agree to rounding)."""
    return scale, (-dim if scale > 1 else dim)


def _output_length(length: int, scale: float) -> int:
    """ceil(length * scale), forgiving the rounding error of a scale such as 1 / 3."""
    exact = length * scale
    nearest = round(exact)
    return nearest if math.isclose(exact, nearest, rel_tol=1e-9) else math.ceil(exact)


def _contributions(
    in_length: int, out_length: int, scale: float, shape: _KernelShape, *, antialias: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per output pixel, the input indices (0-based, before mirroring into range) and their weights.

    Both are (out_length, taps); taps whose weight is zero for every output pixel are dropped.
    """
    function, width = shape.function, shape.width
    if scale < 1 and antialias:
        # Stretching the kernel by 1 / scale (and its height by scale) makes it a low-pass filter.
        def kernel(t: torch.Tensor) -> torch.Tensor:
            return scale * function(scale * t)

        width = width / scale
    else:
        kernel = function

    u = torch.arange(1, out_length + 1, dtype=torch.float64)
    centre = u / scale + 0.5 * (1 - 1 / scale)
    left = torch.floor(centre - width / 2)
    taps = math.ceil(width) + 2
    indices = left[:, None] + torch.arange(taps, dtype=torch.float64)[None, :]
    weights = kernel(centre[:, None] - indices)
    weights = weights / weights.sum(dim=1, keepdim=True)

    used = weights.ne(0).any(dim=0)
    weights, indices = weights[:, used], indices[:, used]
    return indices.long() - 1, weights


def _mirror(indices: torch.Tensor, length: int) -> torch.Tensor:
    """Map any 0-based index into [0, length) by reflecting with the edge pixel repeated."""
    folded = torch.remainder(indices, 2 * length)
    return torch.where(folded < length, folded, 2 * length - 1 - folded)


def _enlarge_along(x: torch.Tensor, dim: int, indices: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Enlarge by a whole factor s: output pixel s * q + r is the sum over taps t of
    weights[r, t] * x[q + indices[r, t]], with `indices` and `weights` the (s, taps) rows of q = 0."""
    factor, length = indices.shape[0], x.shape[dim]
    before, after = max(0, -int(indices.min())), max(0, int(indices.max()))
    extended = pad_symmetric(x, dim, before, after)
    offsets, taps = (indices + before).tolist(), weights.tolist()
    shape = list(x.shape)
    shape.insert(dim + 1, factor)
    interleaved = torch.empty(shape, dtype=x.dtype, device=x.device)
    for r in range(factor):
        # Written in place into every factor-th pixel, so no interleaving copy follows.
        phase = interleaved.select(dim + 1, r)
        torch.mul(extended.narrow(dim, offsets[r][0], length), taps[r][0], out=phase)
        for offset, tap in zip(offsets[r][1:], taps[r][1:]):
            phase.add_(extended.narrow(dim, offset, length), alpha=tap)
    return interleaved.flatten(dim, dim + 1)


def pad_symmetric(x: torch.Tensor, dim: int, before: int, after: int) -> torch.Tensor:
    """`x` with `before` and `after` pixels mirrored on along `dim`, the edge repeated, as imresize
    extends an image: only the edges gathered and the rest copied whole, several times faster
    along the last dimension than gathering every index."""
    length = x.shape[dim]
    edges = (torch.arange(-before, 0), torch.arange(length, length + after))
    left, right = (x.index_select(dim, _mirror(edge, length).to(x.device)) for edge in edges)
    return torch.cat((left, x, right), dim)


def _resize_along(x: torch.Tensor, dim: int, indices: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """out[..., i, ...] = sum over taps t of weights[i, t] * x[..., indices[i, t], ...].

    One tap at a time, each freed once added, so at most two output-sized tensors exist.
    """
    view = [1] * x.ndim
    view[dim] = -1

    def tap(t: int) -> torch.Tensor:
        return x.index_select(dim, indices[:, t]).mul_(weights[:, t].view(view))

    out = tap(0)
    for t in range(1, indices.shape[1]):
        out.add_(tap(t))
    return out
