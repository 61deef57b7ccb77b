"""BT.601 YCbCr with MATLAB's rgb2ycbcr constants, on the [0, 1] scale."""

import pytest
import torch

from enhancer.imaging.color import rgb_to_luma, rgb_to_y, rgb_to_ycbcr, ycbcr_to_rgb


def _pixel(r: float, g: float, b: float) -> torch.Tensor:
    return torch.tensor([r, g, b], dtype=torch.float64).view(1, 3, 1, 1)


@pytest.mark.parametrize(("rgb", "ycbcr_255"), [
    ((0.0, 0.0, 0.0), (16.0, 128.0, 128.0)),
    ((1.0, 1.0, 1.0), (235.0, 128.0, 128.0)),
    ((1.0, 0.0, 0.0), (16 + 65.481, 128 - 37.797, 128 + 112.0)),
    ((0.0, 0.0, 1.0), (16 + 24.966, 128 + 112.0, 128 - 18.214)),
])
def test_rgb_to_ycbcr_uses_studio_range_constants(rgb, ycbcr_255):
    ycbcr = rgb_to_ycbcr(_pixel(*rgb))

    torch.testing.assert_close(ycbcr.flatten() * 255, torch.tensor(ycbcr_255, dtype=torch.float64))


def test_round_trip_returns_the_original_colours():
    rgb = torch.rand(2, 3, 5, 4)

    back = ycbcr_to_rgb(rgb_to_ycbcr(rgb))

    torch.testing.assert_close(back, rgb, atol=1e-6, rtol=0)


def test_rgb_to_y_is_the_first_channel_of_ycbcr():
    rgb = torch.rand(2, 3, 5, 4)

    y = rgb_to_y(rgb)

    assert y.shape == (2, 1, 5, 4)
    torch.testing.assert_close(y, rgb_to_ycbcr(rgb)[:, :1])


def test_luma_has_no_offset_and_keeps_gray_levels():
    gray = torch.linspace(0, 1, 7).view(1, 1, 1, 7).expand(1, 3, 1, 7)

    torch.testing.assert_close(rgb_to_luma(gray), gray[:, :1])
    assert rgb_to_luma(_pixel(0.0, 1.0, 0.0)).item() == pytest.approx(0.587)


def test_dtype_is_kept():
    rgb = torch.rand(1, 3, 2, 2, dtype=torch.float64)

    assert rgb_to_ycbcr(rgb).dtype == torch.float64
    assert rgb_to_y(rgb.float()).dtype == torch.float32


def test_a_tensor_without_three_channels_is_refused():
    with pytest.raises(ValueError, match="N, 3, H, W"):
        rgb_to_y(torch.zeros(1, 1, 4, 4))
