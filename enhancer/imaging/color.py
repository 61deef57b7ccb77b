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
_YCBCR_OFFSET = torch.tensor([16.0, 128.0, 128.0], dtype=torch.float64)
_YCBCR_TO_RGB = torch.linalg.inv(_RGB_TO_YCBCR)

# Each conversion as one affine map on [0, 1] values: (matrix, offset).
_TO_YCBCR = (_RGB_TO_YCBCR / 255, _YCBCR_OFFSET / 255)
_TO_RGB = (_YCBCR_TO_RGB * 255, -_YCBCR_TO_RGB @ _YCBCR_OFFSET)
_TO_LUMA = (torch.tensor([[0.299, 0.587, 0.114]], dtype=torch.float64),
            torch.zeros(1, dtype=torch.float64))


def rgb_to_ycbcr(rgb: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) RGB in [0, 1] -> (N, 3, H, W) Y, Cb, Cr on the 0..255 scale divided by 255."""
    return _affine(*_TO_YCBCR, rgb)


def ycbcr_to_rgb(ycbcr: torch.Tensor) -> torch.Tensor:
    """The inverse of `rgb_to_ycbcr` (no clipping: out-of-gamut values stay out of [0, 1])."""
    _check_three_channels(ycbcr)
    return luma_chroma_to_rgb(ycbcr[:, :1], ycbcr[:, 1:])


def luma_chroma_to_rgb(luma: torch.Tensor, chroma: torch.Tensor) -> torch.Tensor:
    """`ycbcr_to_rgb` of Y (N, 1, H, W) and Cb, Cr (N, 2, H, W) held apart, as a Y-channel model's
    output and the enlarged chroma are: the chroma's product, then the luma's column added, which
    is a third faster than concatenating the planes first."""
    matrix, offset = _TO_RGB
    n, _, height, width = luma.shape
    pixels = height * width
    rgb = torch.baddbmm(offset.to(chroma)[None, :, None], matrix[:, 1:].to(chroma).expand(n, -1, -1),
                        chroma.reshape(n, 2, pixels))
    rgb.addcmul_(luma.reshape(n, 1, pixels), matrix[:, :1].to(luma))
    return rgb.view(n, 3, height, width)


def rgb_to_y(rgb: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) RGB in [0, 1] -> (N, 1, H, W) studio-range Y divided by 255."""
    matrix, offset = _TO_YCBCR
    return _affine(matrix[:1], offset[:1], rgb)


def rgb_to_luma(rgb: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) -> (N, 1, H, W): 0.299 R + 0.587 G + 0.114 B, no offset; gray stays gray."""
    return _affine(*_TO_LUMA, rgb)


def _affine(matrix: torch.Tensor, offset: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Per pixel, matrix (O, 3) times the channel vector plus offset (O,): (N, 3, H, W) to
    (N, O, H, W).

    One batched matrix product over the flattened pixels, offset included: a single pass over
    the image, where a product then an addition (or an einsum) take two to three.
    """
    _check_three_channels(x)
    n, _, height, width = x.shape
    pixels = x.reshape(n, 3, height * width)
    mixed = torch.baddbmm(offset.to(x)[None, :, None], matrix.to(x).expand(n, -1, -1), pixels)
    return mixed.view(n, -1, height, width)


def _check_three_channels(x: torch.Tensor) -> None:
    if x.ndim != 4 or x.shape[1] != 3:
        raise ValueError(f"expected an (N, 3, H, W) tensor, got {tuple(x.shape)}")
