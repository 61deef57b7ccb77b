import pytest
import torch

from enhancer.engine import tiling
from enhancer.engine.tiling import fit_tile, pad_image, plan_axis, plan_tiles, tile_for_memory

# (length, tile, overlap, scale, multiple_of): tiles that step evenly, tiles whose ramps meet,
# a context of zero (hard cuts), a length that fits in one tile, grids of 2 and 4 pixels.
PLANS = [
    (100, 20, 3, 2, 1),
    (101, 13, 4, 3, 1),
    (64, 10, 3, 1, 1),
    (50, 7, 0, 4, 1),
    (30, 40, 5, 2, 1),
    (96, 30, 8, 2, 2),
    (120, 28, 4, 2, 4),
]


def sum_of_weights(length, spans, scale):
    total = torch.zeros(scale * length)
    for span in spans:
        total[scale * span.start : scale * span.stop] += span.weights
    return total


@pytest.mark.parametrize(("length", "tile", "overlap", "scale", "multiple_of"), PLANS)
def test_axis_weights_sum_to_one_at_every_pixel(length, tile, overlap, scale, multiple_of):
    spans = plan_axis(length, tile=tile, overlap=overlap, scale=scale, multiple_of=multiple_of)
    total = sum_of_weights(length, spans, scale)
    assert torch.allclose(total, torch.ones(scale * length), atol=1e-6)


@pytest.mark.parametrize(("length", "tile", "overlap", "scale", "multiple_of"), PLANS)
def test_windows_have_the_tile_size_on_the_grid_and_cover_the_axis(
    length, tile, overlap, scale, multiple_of
):
    spans = plan_axis(length, tile=tile, overlap=overlap, scale=scale, multiple_of=multiple_of)
    assert spans[0].start == 0 and spans[-1].stop == length
    for span in spans:
        assert span.stop - span.start == min(tile, length)
        assert span.start % multiple_of == 0
        assert span.weights.shape == (scale * (span.stop - span.start),)
    for left, right in zip(spans, spans[1:]):
        assert left.stop - right.start >= 3 * overlap


@pytest.mark.parametrize(("length", "tile", "overlap", "scale", "multiple_of"), PLANS)
def test_no_weight_within_the_context_of_an_inner_edge(length, tile, overlap, scale, multiple_of):
    spans = plan_axis(length, tile=tile, overlap=overlap, scale=scale, multiple_of=multiple_of)
    margin = scale * overlap
    for i, span in enumerate(spans):
        if i > 0:
            assert torch.count_nonzero(span.weights[:margin]) == 0
        if i + 1 < len(spans):
            assert torch.count_nonzero(span.weights[len(span.weights) - margin :]) == 0


def test_neighbours_blend_along_a_linear_ramp():
    first, second = plan_axis(16, tile=10, overlap=1, scale=1)
    assert (first.start, first.stop, second.start, second.stop) == (0, 10, 6, 16)
    # Shared strip [6, 10); the outer pixel on each side is context, [7, 9) is the ramp.
    assert second.weights[:4].tolist() == [0.0, 0.25, 0.75, 1.0]
    assert first.weights[6:].tolist() == [1.0, 0.75, 0.25, 0.0]


def test_tile_weights_cover_every_pixel_exactly_once():
    scale, height, width = 2, 37, 61
    total = torch.zeros(scale * height, scale * width)
    tiles = plan_tiles(height, width, tile=16, overlap=3, scale=scale)
    for tile in tiles:
        rows = slice(scale * tile.rows.start, scale * tile.rows.stop)
        cols = slice(scale * tile.cols.start, scale * tile.cols.stop)
        total[rows, cols] += tile.weights()
    assert len(tiles) > 4
    assert torch.allclose(total, torch.ones_like(total), atol=1e-6)


def test_fit_tile_respects_grid_minimum_and_context():
    assert fit_tile(100, overlap=4, multiple_of=1, min_size=1) == 100
    assert fit_tile(101, overlap=4, multiple_of=4, min_size=1) == 100
    assert fit_tile(1, overlap=4, multiple_of=1, min_size=1) == 13
    assert fit_tile(1, overlap=4, multiple_of=8, min_size=1) == 24
    assert fit_tile(1, overlap=0, multiple_of=1, min_size=48) == 48


def test_padding_reaches_the_grid_and_the_minimum_and_keeps_the_image():
    image = torch.rand(1, 3, 5, 9)
    assert pad_image(image, multiple_of=1, min_size=1) is image
    padded = pad_image(image, multiple_of=4, min_size=1)
    assert padded.shape[-2:] == (8, 12)
    assert torch.equal(padded[..., :5, :9], image)
    assert torch.equal(padded[..., 5, :9], image[..., 3, :])  # reflected
    tiny = pad_image(image, multiple_of=1, min_size=16)
    assert tiny.shape[-2:] == (16, 16)
    assert torch.equal(tiny[..., 15, :9], image[..., 4, :])  # repeated: too small to reflect


def test_cpu_tile_side_follows_available_memory(tmp_path, monkeypatch):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal: 8000000 kB\nMemAvailable: 1048576 kB\n")
    monkeypatch.setattr(tiling, "MEMINFO", meminfo)
    # A quarter of 1 GiB at 1024 bytes per pixel: 262144 pixels.
    assert tile_for_memory(torch.device("cpu"), bytes_per_pixel=1024, dtype=torch.float32) == 512
    assert tile_for_memory(torch.device("cpu"), bytes_per_pixel=1024, dtype=torch.bfloat16) == 724
    assert tile_for_memory(torch.device("cpu"), bytes_per_pixel=16, dtype=torch.float32) == 1024


def test_cpu_tile_budget_is_capped_and_has_a_fallback(tmp_path, monkeypatch):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemAvailable: 67108864 kB\n")  # 64 GiB
    monkeypatch.setattr(tiling, "MEMINFO", meminfo)
    assert tile_for_memory(torch.device("cpu"), bytes_per_pixel=4096, dtype=torch.float32) == 512
    monkeypatch.setattr(tiling, "MEMINFO", tmp_path / "missing")
    assert tiling.available_ram() == tiling.RAM_WHEN_UNKNOWN


def test_cuda_tile_side_follows_free_gpu_memory(monkeypatch):
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (4 * 2**30, 80 * 2**30))
    cuda = torch.device("cuda", 0)
    assert tile_for_memory(cuda, bytes_per_pixel=4096, dtype=torch.float16) == 1024
    assert tile_for_memory(cuda, bytes_per_pixel=64, dtype=torch.float16) == 2048
