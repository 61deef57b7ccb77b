"""PSNR and SSIM as super-resolution tables compute them (DESIGN §4).

Both take two single-channel images on the 0..255 scale as 2-D float64 arrays (the Y channel), with
`border` pixels dropped from every side first, because the edges of an upscaled image depend on how
the resize padded and say nothing about the model. SSIM follows Wang et al.'s reference `ssim_index`:
an 11 x 11 Gaussian window with sigma 1.5, K1 = 0.01, K2 = 0.03, filtered over 'valid' positions
only, no downsampling.

`feature_distance` is a perceptual metric beside them: how far apart two images are in a frozen
ImageNet network's feature space, which tracks what people see better than PSNR does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

PEAK = 255.0
_WINDOW = 11
_SIGMA = 1.5
_K1, _K2 = 0.01, 0.03


def psnr(a: np.ndarray, b: np.ndarray, *, border: int = 0) -> float:
    """Peak signal-to-noise ratio in dB against a peak of 255; infinite for identical images."""
    a, b = _cropped_pair(a, b, border)
    mse = float(np.mean((a - b) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(PEAK**2 / mse)


def ssim(a: np.ndarray, b: np.ndarray, *, border: int = 0) -> float:
    """Mean structural similarity; 1 for identical images."""
    a, b = _cropped_pair(a, b, border)
    if min(a.shape) < _WINDOW:
        raise ValueError(f"SSIM needs at least {_WINDOW} x {_WINDOW} pixels, got {a.shape}")
    c1, c2 = (_K1 * PEAK) ** 2, (_K2 * PEAK) ** 2
    mu_a, mu_b = _gaussian_valid(a), _gaussian_valid(b)
    var_a = _gaussian_valid(a * a) - mu_a**2
    var_b = _gaussian_valid(b * b) - mu_b**2
    cov = _gaussian_valid(a * b) - mu_a * mu_b
    index = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return float(index.mean())


def feature_distance(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor]) -> float:
    """LPIPS (Zhang et al., CVPR 2018) without its learned channel weights: at each layer, every
    position's feature vector is scaled to unit length across the channels, the squared distance
    between the two images' vectors is averaged over the positions, and the layers are averaged.
    0 for identical features; 4 at most."""
    distances = []
    for x, y in zip(a, b, strict=True):
        x, y = _unit_channels(x.double()), _unit_channels(y.double())
        distances.append(float((x - y).square().sum(dim=1).mean()))
    return float(np.mean(distances))


def _unit_channels(features: torch.Tensor) -> torch.Tensor:
    return features / (features.norm(dim=1, keepdim=True) + 1e-10)


def _cropped_pair(a: np.ndarray, b: np.ndarray, border: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(f"expected two 2-D images of one size, got {a.shape} and {b.shape}")
    if border < 0 or min(a.shape) <= 2 * border:
        raise ValueError(f"cannot crop {border} pixels from each side of {a.shape}")
    if border:
        a, b = a[border:-border, border:-border], b[border:-border, border:-border]
    return a, b


def _gaussian_valid(x: np.ndarray) -> np.ndarray:
    """Weighted local means under the normalised Gaussian window, where it fits wholly inside.

    The 2-D Gaussian is the outer product of a 1-D one, so it runs as two 1-D passes.
    """
    offsets = np.arange(_WINDOW) - (_WINDOW - 1) / 2
    taps = np.exp(-(offsets**2) / (2 * _SIGMA**2))
    taps /= taps.sum()
    rows = sum(t * x[i : x.shape[0] - _WINDOW + 1 + i] for i, t in enumerate(taps))
    return sum(t * rows[:, i : x.shape[1] - _WINDOW + 1 + i] for i, t in enumerate(taps))
