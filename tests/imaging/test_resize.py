"""MATLAB-compatible resize, checked against weights derived by hand from MATLAB's rules."""

import pytest
import torch

from enhancer.imaging.resize import KERNELS, imresize


def _row(values, dtype=torch.float64) -> torch.Tensor:
    return torch.tensor(values, dtype=dtype).view(1, 1, 1, -1)


@pytest.mark.parametrize("kernel", sorted(KERNELS))
@pytest.mark.parametrize("scale", [2, 3, 0.5, 0.25, 1.7])
def test_a_constant_image_stays_constant(kernel, scale):
    image = torch.full((1, 3, 12, 9), 0.37)

    resized = imresize(image, scale=scale, kernel=kernel)

    torch.testing.assert_close(resized, torch.full_like(resized, 0.37))


def test_cubic_upscale_x2_uses_keys_weights_and_mirrors_the_edge():
    # Output pixel u reads x = u / 2 + 1/4, so the four taps sit at distances 1.25, 0.25, 0.75, 1.75:
    # cubic weights -9/128, 111/128, 29/128, -3/128. At the left edge index 0 mirrors to index 1.
    upscaled = imresize(_row([0.0, 1.0, 0.0, 0.0]), scale=2)

    expected_left_half = torch.tensor([-12, 29, 111, 111], dtype=torch.float64) / 128
    torch.testing.assert_close(upscaled[0, 0, 0, :4], expected_left_half)
    assert upscaled.shape == (1, 1, 2, 8)
    torch.testing.assert_close(upscaled[0, 0, 0], upscaled[0, 0, 1])


@pytest.mark.parametrize("kernel", sorted(KERNELS))
@pytest.mark.parametrize("factor", [2, 3, 4])
@pytest.mark.parametrize("shape", [(5, 7), (1, 2)])  # (1, 2): mirrored past the far edge too
def test_a_whole_factor_enlargement_equals_the_same_resize_written_as_a_matrix(kernel, factor, shape):
    # The whole-factor path interleaves shifted sums; MATLAB's definition is one weighted sum per
    # output pixel. Build that as a dense matrix per axis: output = rows @ image @ columns^T.
    image = torch.rand(1, 2, *shape, dtype=torch.float64, generator=torch.Generator().manual_seed(0))

    def matrix(length: int) -> torch.Tensor:
        out = torch.zeros(factor * length, length, dtype=torch.float64)
        for u in range(factor * length):
            position = (u + 1) / factor + 0.5 * (1 - 1 / factor)  # 1-based, in input pixels
            for index in range(int(position) - 4, int(position) + 5):
                weight = KERNELS[kernel].function(torch.tensor(position - index, dtype=torch.float64))
                mirrored = index - 1
                while not 0 <= mirrored < length:
                    mirrored = -1 - mirrored if mirrored < 0 else 2 * length - 1 - mirrored
                out[u, mirrored] += weight
        return out / out.sum(dim=1, keepdim=True)

    expected = matrix(shape[0]) @ image @ matrix(shape[1]).t()

    torch.testing.assert_close(imresize(image, scale=factor, kernel=kernel), expected)


def test_cubic_downscale_x2_widens_the_kernel_and_mirrors_the_edge():
    # Shrinking by 2 stretches the kernel to width 8: output 1 reads x = 1.5 with weights
    # (-3, -9, 29, 111, 111, 29, -9, -3) / 256 on 1-based indices -2..5, which mirror to 3, 2, 1, 1..5.
    values = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
    v = values

    shrunk = imresize(_row(values), size=(1, 4))

    expected_first = (140 * v[0] + 102 * v[1] + 26 * v[2] - 9 * v[3] - 3 * v[4]) / 256
    assert shrunk.shape == (1, 1, 1, 4)
    assert shrunk[0, 0, 0, 0].item() == pytest.approx(expected_first, abs=1e-12)


def test_cubic_downscale_without_antialias_samples_between_pixels():
    # Without widening, output 2 reads x = 3.5: halfway between pixels 3 and 4 (weights 9/16 each,
    # -1/16 on their outer neighbours 2 and 5).
    values = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]

    shrunk = imresize(_row(values), size=(1, 4), antialias=False)

    assert shrunk[0, 0, 0, 1].item() == pytest.approx((-1 * 1 + 9 * 4 + 9 * 1 - 1 * 5) / 16)


def test_box_downscale_x2_averages_two_by_two_blocks():
    image = torch.rand(2, 3, 6, 8, dtype=torch.float64)

    shrunk = imresize(image, scale=0.5, kernel="box")

    blocks = image.view(2, 3, 3, 2, 4, 2).mean(dim=(3, 5))
    torch.testing.assert_close(shrunk, blocks)


def test_box_downscale_without_antialias_picks_every_second_pixel():
    image = torch.rand(1, 1, 6, 8)

    shrunk = imresize(image, scale=0.5, kernel="box", antialias=False)

    torch.testing.assert_close(shrunk, image[:, :, 1::2, 1::2])


def test_box_upscale_repeats_pixels():
    image = torch.rand(1, 2, 3, 4)

    upscaled = imresize(image, scale=3, kernel="box")

    torch.testing.assert_close(upscaled, image.repeat_interleave(3, dim=2).repeat_interleave(3, dim=3))


def test_triangle_upscale_x2_interpolates_linearly_inside():
    # Output 4 reads x = 2.25: a quarter of the way from pixel 2 to pixel 3. Output 1 reads
    # x = 0.75, between pixel 1 and the mirrored pixel 0, which is pixel 1 again.
    upscaled = imresize(_row([2.0, 4.0, 8.0, 2.0]), scale=2, kernel="triangle")

    assert upscaled[0, 0, 0, 3].item() == pytest.approx(0.75 * 4 + 0.25 * 8)
    assert upscaled[0, 0, 0, 0].item() == pytest.approx(2.0)


@pytest.mark.parametrize(("shape", "scale", "expected"), [
    ((5, 7), 0.5, (3, 4)),
    ((5, 7), 2, (10, 14)),
    ((255, 93), 1 / 3, (85, 31)),
    ((10, 20), 0.7, (7, 14)),
    ((7, 9), 1.5, (11, 14)),
])
def test_output_size_is_the_ceiling_of_size_times_scale(shape, scale, expected):
    resized = imresize(torch.zeros(1, 1, *shape), scale=scale)

    assert resized.shape[2:] == expected


def test_size_may_scale_each_side_differently():
    column = torch.rand(1, 1, 8, 1, dtype=torch.float64)
    image = column.expand(1, 1, 8, 6)

    resized = imresize(image, size=(4, 18))

    # Separable: widening leaves each row constant; the height follows the column's own resize.
    assert resized.shape == (1, 1, 4, 18)
    torch.testing.assert_close(resized, imresize(column, size=(4, 1)).expand(1, 1, 4, 18))


def test_batch_and_channels_are_resized_independently():
    images = torch.rand(3, 2, 9, 7)

    together = imresize(images, scale=0.5)

    one_by_one = torch.cat([imresize(images[i : i + 1, c : c + 1], scale=0.5)
                            for i in range(3) for c in range(2)])
    torch.testing.assert_close(together, one_by_one.view(3, 2, *one_by_one.shape[2:]))


def test_float64_is_kept_and_float32_agrees_with_it():
    image = torch.rand(1, 3, 10, 12, dtype=torch.float64)

    exact = imresize(image, scale=0.25)
    single = imresize(image.float(), scale=0.25)

    assert exact.dtype == torch.float64 and single.dtype == torch.float32
    torch.testing.assert_close(single.double(), exact, atol=1e-6, rtol=0)


def test_half_precision_input_comes_back_in_its_dtype():
    image = torch.rand(1, 1, 8, 8)

    resized = imresize(image.bfloat16(), scale=2)

    assert resized.dtype == torch.bfloat16
    torch.testing.assert_close(resized.float(), imresize(image, scale=2), atol=1e-2, rtol=0)


def test_lanczos3_upscale_keeps_the_original_samples_when_they_fall_on_the_grid():
    # x3 puts output pixel 3k + 2 (1-based) exactly on input pixel k + 1, where Lanczos is 1 and
    # every other tap is 0.
    image = torch.rand(1, 1, 8, 8, dtype=torch.float64)

    upscaled = imresize(image, scale=3, kernel="lanczos3")

    torch.testing.assert_close(upscaled[:, :, 1::3, 1::3], image)


def test_invalid_arguments_are_refused():
    image = torch.zeros(1, 1, 4, 4)
    with pytest.raises(ValueError, match="exactly one"):
        imresize(image, scale=2, size=(8, 8))
    with pytest.raises(ValueError, match="unknown kernel"):
        imresize(image, scale=2, kernel="bicubic")
    with pytest.raises(ValueError, match="float"):
        imresize(torch.zeros(1, 1, 4, 4, dtype=torch.uint8), scale=2)
