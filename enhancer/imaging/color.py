"""ITU-R BT.601 colour conversions with MATLAB's `rgb2ycbcr` constants, on [0, 1] tensors.

Y-channel models and the benchmark's Y-PSNR use studio-range YCbCr (Y in 16..235, Cb and Cr in
16..240 on the 0..255 scale); every value here is that divided by 255, so tensors stay in [0, 1].
`rgb_to_luma` is the plain full-range luma that grayscale benchmark images are compared on.
"""

from __future__ import annotations

import torch

_RGB_TO_YCBCR = torch.tensor(
    [
        [65.481, 128.553, 24.966],
        [-37.797, -74.203, 112.0],
        [112.0, -93.786, -18.214],
    ],
    dtype=torch.float64,
)
_YCBCR_TO_RGB = torch.linalg.inv(_RGB_TO_YCBCR)
_YCBCR_OFFSET = torch.tensor([16.0, 128.0, 128.0], dtype=torch.float64)
_LUMA = torch.tensor([0.299, 0.587, 0.114], dtype=torch.float64)


def rgb_to_ycbcr(rgb: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) RGB in [0, 1] -> (N, 3, H, W) Y, Cb, Cr on the 0..255 scale divided by 255."""
    _check_three_channels(rgb)
    return (_mix(_RGB_TO_YCBCR, rgb) + _YCBCR_OFFSET.to(rgb)[:, None, None]) / 255


def ycbcr_to_rgb(ycbcr: torch.Tensor) -> torch.Tensor:
    """The inverse of `rgb_to_ycbcr` (no clipping: out-of-gamut values stay out of [0, 1])."""
    _check_three_channels(ycbcr)
    return _mix(_YCBCR_TO_RGB, ycbcr * 255 - _YCBCR_OFFSET.to(ycbcr)[:, None, None])


def rgb_to_y(rgb: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) RGB in [0, 1] -> (N, 1, H, W) studio-range Y divided by 255."""
    _check_three_channels(rgb)
    return (_mix(_RGB_TO_YCBCR[:1], rgb) + _YCBCR_OFFSET[0].item()) / 255


def rgb_to_luma(rgb: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) -> (N, 1, H, W): 0.299 R + 0.587 G + 0.114 B, no offset; gray stays gray."""
    _check_three_channels(rgb)
    return _mix(_LUMA[None], rgb)


def _mix(matrix: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Per pixel, matrix (O, 3) times the channel vector: (N, 3, H, W) -> (N, O, H, W)."""
    return torch.einsum("oc,nchw->nohw", matrix.to(x), x)


def _check_three_channels(x: torch.Tensor) -> None:
    if x.ndim != 4 or x.shape[1] != 3:
        raise ValueError(f"expected an (N, 3, H, W) tensor, got {tuple(x.shape)}")
