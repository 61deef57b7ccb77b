"""PSNR and SSIM on 0..255 Y images, as the published tables compute them."""

import math

import numpy as np
import pytest

from enhancer.train.metrics import psnr, ssim

C1, C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2


def _gaussian_window() -> np.ndarray:
    offsets = np.arange(11) - 5
    window = np.exp(-(offsets[:, None] ** 2 + offsets[None, :] ** 2) / (2 * 1.5**2))
    return window / window.sum()


def _ssim_of_one_window(a: np.ndarray, b: np.ndarray) -> float:
    """Wang et al.'s formula for a single 11 x 11 patch, written out directly."""
    w = _gaussian_window()
    mu_a, mu_b = (w * a).sum(), (w * b).sum()
    var_a = (w * (a - mu_a) ** 2).sum()
    var_b = (w * (b - mu_b) ** 2).sum()
    cov = (w * (a - mu_a) * (b - mu_b)).sum()
    return ((2 * mu_a * mu_b + C1) * (2 * cov + C2)) / ((mu_a**2 + mu_b**2 + C1) * (var_a + var_b + C2))


def test_psnr_of_a_constant_error_of_five_levels():
    a = np.full((8, 8), 100.0)

    assert psnr(a, a + 5) == pytest.approx(20 * math.log10(255 / 5))


def test_psnr_ignores_the_cropped_border():
    a = np.zeros((10, 10))
    b = a.copy()
    b[:2, :] = 50.0
    b[5, 5] = 10.0

    # Only the one inner pixel differs once 2 pixels are cropped: MSE = 100 / 36.
    assert psnr(a, b, border=2) == pytest.approx(10 * math.log10(255**2 * 36 / 100))


def test_psnr_of_identical_images_is_infinite():
    a = np.random.default_rng(0).uniform(0, 255, (6, 6))

    assert psnr(a, a) == math.inf


def test_ssim_of_identical_images_is_one():
    a = np.random.default_rng(1).uniform(0, 255, (20, 17))

    assert ssim(a, a) == pytest.approx(1.0, abs=1e-12)


def test_ssim_of_two_flat_images_is_their_luminance_term():
    a, b = np.full((11, 11), 100.0), np.full((11, 11), 110.0)

    assert ssim(a, b) == pytest.approx((2 * 100 * 110 + C1) / (100**2 + 110**2 + C1))


def test_ssim_of_one_window_matches_the_formula():
    rng = np.random.default_rng(2)
    a = rng.uniform(0, 255, (11, 11))
    b = np.clip(a + rng.normal(0, 20, (11, 11)), 0, 255)

    assert ssim(a, b) == pytest.approx(_ssim_of_one_window(a, b), rel=1e-12)


def test_ssim_averages_every_valid_window_after_the_border_crop():
    rng = np.random.default_rng(3)
    a = rng.uniform(0, 255, (16, 17))
    b = rng.uniform(0, 255, (16, 17))

    inner_a, inner_b = a[2:-2, 2:-2], b[2:-2, 2:-2]  # 12 x 13: 2 x 3 window positions
    expected = np.mean([_ssim_of_one_window(inner_a[i : i + 11, j : j + 11], inner_b[i : i + 11, j : j + 11])
                        for i in range(2) for j in range(3)])
    assert ssim(a, b, border=2) == pytest.approx(expected, rel=1e-12)


def test_mismatched_or_too_small_images_are_refused():
    with pytest.raises(ValueError, match="one size"):
        psnr(np.zeros((4, 4)), np.zeros((4, 5)))
    with pytest.raises(ValueError, match="crop"):
        psnr(np.zeros((4, 4)), np.zeros((4, 4)), border=2)
    with pytest.raises(ValueError, match="11 x 11"):
        ssim(np.zeros((12, 12)), np.zeros((12, 12)), border=1)
