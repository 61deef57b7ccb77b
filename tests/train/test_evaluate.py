"""The benchmark protocol on a tiny folder of images made here."""

import math
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

from enhancer.engine.upscaler import TileProgress, Upscaler
from enhancer.imaging.resize import imresize
from enhancer.models.registry import resolve
from enhancer.train.evaluate import (
    BenchProgress,
    benchmark,
    difference_map,
    make_lr,
    mod_crop,
    score,
    simulate_low_resolution,
    y_levels,
)


class ReplayUpscaler:
    """Answers each call with the next of `outputs`, and records the inputs and references it got."""

    def __init__(
        self, outputs: Sequence[torch.Tensor], *, scale: int = 2, uses_reference: bool = False
    ) -> None:
        self.name = "replay"
        self.scale = scale
        self.spec = SimpleNamespace(uses_reference=uses_reference)
        self.device = torch.device("cpu")
        self.outputs = list(outputs)
        self.calls: list[tuple[torch.Tensor, list[torch.Tensor]]] = []

    def enhance(self, image, *, refs=()):
        self.calls.append((image, list(refs)))
        yield TileProgress(1, 1)
        return self.outputs.pop(0)


def _gradient(height: int, width: int) -> np.ndarray:
    """A smooth 8-bit colour image."""
    rows, cols = np.mgrid[0:height, 0:width]
    red = rows * 200 / height + 20
    green = cols * 180 / width + 40
    blue = (rows + cols) * 90 / (height + width) + 80
    rgb = np.stack([red, green, blue], -1)
    return rgb.round().astype(np.uint8)


def _as_tensor(rgb: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(rgb).permute(2, 0, 1)[None].float() / 255


def _drain(run):
    progress = []
    while True:
        try:
            progress.append(next(run))
        except StopIteration as finished:
            return progress, finished.value


def _gray(size: int) -> np.ndarray:
    """A smooth 8-bit gray image."""
    return (np.add.outer(np.arange(size), np.arange(size)) * 4 + 30).astype(np.uint8)


@pytest.fixture
def bench_folder(tmp_path) -> Path:
    """Set2: a 24 x 24 grayscale image and a 25 x 30 colour one, plus a file that is no image."""
    folder = tmp_path / "Set2"
    folder.mkdir()
    Image.fromarray(_gray(24), mode="L").save(folder / "a_gray.png")
    Image.fromarray(_gradient(25, 30)).save(folder / "b_colour.png")
    (folder / "notes.txt").write_text("not an image")
    return folder


def test_mod_crop_keeps_the_top_left_multiple_of_the_scale():
    image = torch.arange(7 * 8.0).view(1, 1, 7, 8)

    cropped = mod_crop(image, 3)

    torch.testing.assert_close(cropped, image[:, :, :6, :6])


def test_make_lr_is_the_matlab_bicubic_downscale_kept_unrounded():
    hr = _as_tensor(_gradient(12, 18))

    lr = make_lr(hr, 3)

    assert lr.shape == (1, 3, 4, 6) and lr.dtype == torch.float32
    torch.testing.assert_close(lr, imresize(hr.double(), scale=1 / 3).float())
    assert not torch.equal(lr, (lr * 255).round() / 255)


def test_y_levels_are_whole_studio_range_levels():
    red = torch.tensor([1.0, 0.0, 0.0]).view(1, 3, 1, 1)

    assert y_levels(red).item() == 81.0  # 16 + 65.481, rounded


def test_y_levels_of_a_grayscale_original_are_its_gray_levels_rounded_half_up():
    gray = torch.full((1, 3, 1, 2), 76.5 / 255, dtype=torch.float64)
    gray[..., 1] = 200 / 255

    np.testing.assert_array_equal(y_levels(gray, grayscale=True), [[77.0, 200.0]])


def test_score_of_an_exact_answer_is_infinite_psnr_and_ssim_one():
    hr = _as_tensor(_gradient(30, 30))

    image_psnr, image_ssim = score(hr.clone(), hr, scale=2)

    assert image_psnr == math.inf and image_ssim == pytest.approx(1.0)


def test_benchmark_scores_every_image_of_the_folder_in_name_order(bench_folder):
    gray_hr = _as_tensor(np.repeat(_gray(24)[..., None], 3, axis=-1))
    colour_hr = mod_crop(_as_tensor(_gradient(25, 30)), 2)
    upscaler = ReplayUpscaler([gray_hr, colour_hr])

    progress, result = _drain(benchmark(upscaler, bench_folder))

    assert progress == [BenchProgress(1, 2, "a_gray.png"), BenchProgress(2, 2, "b_colour.png")]
    assert [call[0].shape for call in upscaler.calls] == [(1, 3, 12, 12), (1, 3, 12, 15)]
    assert (result.model, result.scale, result.dataset, result.images) == ("replay", 2, "Set2", 2)
    assert result.psnr_y == math.inf and result.ssim_y == pytest.approx(1.0)
    assert result.feature_distance == pytest.approx(0, abs=1e-9)
    assert result.seconds_per_image >= 0


def test_benchmark_compares_a_gray_file_on_its_gray_level(bench_folder):
    (bench_folder / "b_colour.png").unlink()
    brighter = torch.from_numpy(_gray(24).astype(np.float32) + 2) / 255
    upscaler = ReplayUpscaler([brighter.expand(1, 3, 24, 24)])

    _, result = _drain(benchmark(upscaler, bench_folder))

    # On studio-range Y the two-level error would shrink to 219/255 of itself and round unevenly.
    assert result.psnr_y == pytest.approx(20 * math.log10(255 / 2))


def test_benchmark_of_bicubic_through_the_engine_matches_the_protocol_by_hand(bench_folder):
    upscaler = Upscaler(resolve("bicubic", 2), device="cpu", tile=0)

    _, result = _drain(benchmark(upscaler, bench_folder))

    gray_hr = _as_tensor(np.repeat(_gray(24)[..., None], 3, axis=-1))
    colour_hr = mod_crop(_as_tensor(_gradient(25, 30)), 2)
    gray_scores = score(imresize(make_lr(gray_hr, 2), scale=2), gray_hr, scale=2, grayscale=True)
    colour_scores = score(imresize(make_lr(colour_hr, 2), scale=2), colour_hr, scale=2)
    assert 30 < colour_scores[0] < math.inf
    assert result.psnr_y == pytest.approx((gray_scores[0] + colour_scores[0]) / 2)
    assert result.ssim_y == pytest.approx((gray_scores[1] + colour_scores[1]) / 2)
    assert result.as_json() == {
        "model": "bicubic", "scale": 2, "dataset": "Set2", "images": 2,
        "psnr_y": round(result.psnr_y, 4), "ssim_y": round(result.ssim_y, 6),
        "seconds_per_image": round(result.seconds_per_image, 6),
        "feature_distance": round(result.feature_distance, 6),
    }
    assert 0 < result.feature_distance < 0.5


def test_benchmark_passes_the_same_named_reference_to_a_reference_model(bench_folder, tmp_path):
    refs = tmp_path / "refs"
    refs.mkdir()
    reference = _gradient(16, 20)[::-1].copy()
    Image.fromarray(reference).save(refs / "b_colour.png")
    (bench_folder / "a_gray.png").unlink()
    upscaler = ReplayUpscaler([torch.zeros(1, 3, 24, 30)], uses_reference=True)

    _drain(benchmark(upscaler, bench_folder, ref_dir=refs))

    (_, got_refs), = upscaler.calls
    assert len(got_refs) == 1
    torch.testing.assert_close(got_refs[0], _as_tensor(reference))


def test_benchmark_gives_no_reference_to_a_model_that_uses_none(bench_folder, tmp_path):
    (bench_folder / "a_gray.png").unlink()
    upscaler = ReplayUpscaler([torch.zeros(1, 3, 24, 30)])

    _drain(benchmark(upscaler, bench_folder, ref_dir=tmp_path))

    (_, got_refs), = upscaler.calls
    assert got_refs == []


def test_benchmark_of_a_folder_without_images_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no images"):
        next(benchmark(ReplayUpscaler([]), tmp_path))


def test_simulated_low_resolution_is_the_benchmark_input_clipped():
    photo = torch.rand(1, 3, 21, 30, generator=torch.Generator().manual_seed(3))

    truth, low = simulate_low_resolution(photo, 2)

    assert truth.shape == (1, 3, 20, 30) and torch.equal(truth, photo[..., :20, :30])
    assert low.shape == (1, 3, 10, 15)
    assert torch.equal(low, make_lr(truth, 2).clamp(0, 1))
    assert low.min() >= 0 and low.max() <= 1


def test_difference_map_amplifies_errors_and_refuses_other_sizes():
    truth = torch.full((1, 3, 4, 4), 0.5)
    image = truth.clone()
    image[0, :, 1, 2] = 0.55

    difference = difference_map(image, truth, gain=4)

    assert difference[0, 0, 1, 2].item() == pytest.approx(0.2)
    assert difference.sum().item() == pytest.approx(0.6)
    with pytest.raises(ValueError):
        difference_map(image[..., :3], truth)
