import dataclasses
import logging

import pytest
import torch

from enhancer.engine.generators import run_to_end
from enhancer.engine.upscaler import TileProgress, Upscaler
from enhancer.imaging.color import rgb_to_ycbcr, ycbcr_to_rgb
from enhancer.imaging.resize import imresize
from tests.engine.nets import CONV, CONV_Y, DOWN_UP, REFERENCE, model
from tests.engine.photos import photo


def upscale(resolved, image, **options):
    return run_to_end(Upscaler(resolved, device="cpu", **options).enhance(image))


@pytest.mark.parametrize("tile", [13, 17, 32])
@pytest.mark.parametrize("scale", [2, 3])
def test_tiles_blend_into_the_untiled_result(tile, scale):
    image = photo(41, 57)
    whole = upscale(model(CONV, scale), image, tile=0)
    tiled = upscale(model(CONV, scale), image, tile=tile)
    assert whole.shape == tiled.shape == (1, 3, 41 * scale, 57 * scale)
    assert (whole - tiled).abs().max() < 1e-5


def test_tiles_of_a_downsampling_network_stay_on_its_grid():
    image = photo(43, 37)  # odd sides: padded to the network's multiple of 2
    whole = upscale(model(DOWN_UP), image, tile=0)
    tiled = upscale(model(DOWN_UP), image, tile=30)
    assert tiled.shape == (1, 3, 86, 74)
    assert (whole - tiled).abs().max() < 1e-5


def test_tiny_images_are_padded_to_the_minimum_and_cropped_back():
    image = photo(3, 4)
    assert upscale(model(DOWN_UP), image, tile=0).shape == (1, 3, 6, 8)


def test_y_models_run_on_luma_and_take_chroma_from_bicubic():
    image = photo(30, 22)
    upscaler = Upscaler(model(CONV_Y), device="cpu", tile=0)
    channels = []
    upscaler.network.register_forward_pre_hook(lambda _, args: channels.append(args[0].shape[1]))
    result = run_to_end(upscaler.enhance(image))
    assert channels == [1]
    ycbcr = rgb_to_ycbcr(image)
    with torch.inference_mode():
        luma = upscaler.network(ycbcr[:, :1])
    expected = ycbcr_to_rgb(torch.cat([luma, imresize(ycbcr[:, 1:], scale=2)], dim=1)).clamp(0, 1)
    assert (result - expected).abs().max() < 1e-5
    tiled = upscale(model(CONV_Y), image, tile=13)
    assert (tiled - result).abs().max() < 1e-5


def test_automatic_tiles_follow_the_memory_figure_of_the_scale(monkeypatch):
    monkeypatch.setattr("enhancer.engine.tiling.available_ram", lambda: 4 * 2**20)  # 1 MiB to use
    spec = dataclasses.replace(CONV, bytes_per_pixel={2: 16, 3: 64})
    # 2**20 / 16 bytes = 256 x 256 pixels at x2; a quarter of that area at x3.
    assert Upscaler(model(spec, scale=2), device="cpu")._tile_side(1000, 1000) == 256
    assert Upscaler(model(spec, scale=3), device="cpu")._tile_side(1000, 1000) == 128
    with pytest.raises(ValueError, match="one figure for each scale"):
        dataclasses.replace(CONV, bytes_per_pixel={2: 16})


def test_progress_counts_every_tile_once():
    upscaler = Upscaler(model(CONV), device="cpu", tile=12)
    progress = list(upscaler.enhance(photo(30, 40)))
    total = progress[0].total
    assert total > 4
    assert progress == [TileProgress(done, total) for done in range(1, total + 1)]
    assert upscaler.network.calls == total


def test_closing_the_generator_stops_the_work():
    upscaler = Upscaler(model(CONV), device="cpu", tile=12)
    work = upscaler.enhance(photo(30, 40))
    first = next(work)
    work.close()
    assert first.done == 1 and first.total > 4
    assert upscaler.network.calls == 1


def test_out_of_memory_halves_the_tile_and_retries(caplog):
    image = photo(48, 64)
    whole = upscale(model(CONV), image, tile=0)
    upscaler = Upscaler(model(CONV, max_pixels=20 * 20), device="cpu", tile=0)
    with caplog.at_level(logging.WARNING):
        result = run_to_end(upscaler.enhance(image))
    # 64 px side: out of memory; 32: out of memory (32 x 32 > 400); 16: fits.
    assert upscaler.network.out_of_memory == 2
    assert "retrying with 16 px tiles" in caplog.text
    assert (result - whole).abs().max() < 1e-5
    # The next photo starts from the side that worked.
    run_to_end(upscaler.enhance(image))
    assert upscaler.network.out_of_memory == 2


def test_out_of_memory_at_the_smallest_tile_is_raised():
    upscaler = Upscaler(model(CONV, max_pixels=8), device="cpu", tile=0)
    with pytest.raises(torch.OutOfMemoryError):
        run_to_end(upscaler.enhance(photo(20, 20)))


def test_the_result_is_clipped_to_the_unit_range():
    result = upscale(model(CONV), photo(16, 16), tile=0)
    raw = Upscaler(model(CONV), device="cpu").network(photo(16, 16)).detach()
    assert raw.min() < 0 or raw.max() > 1
    assert result.min() >= 0 and result.max() <= 1
    assert torch.equal(result, raw.clamp(0, 1))


def test_reference_models_get_the_references_in_every_tile():
    refs = [torch.full((1, 3, 5, 5), 0.25), torch.full((1, 3, 7, 9), 0.125)]
    upscaler = Upscaler(model(REFERENCE), device="cpu", tile=4)
    result = run_to_end(upscaler.enhance(torch.zeros(1, 3, 8, 8), refs=refs))
    assert len(upscaler.network.seen) == 4
    assert all(len(seen) == 2 for seen in upscaler.network.seen)
    assert torch.allclose(result, torch.full_like(result, 0.375))


def test_references_prepared_ahead_are_not_prepared_again_for_the_tiles():
    refs = [torch.full((1, 3, 5, 5), 0.25)]
    upscaler = Upscaler(model(REFERENCE), device="cpu", tile=4)
    prepared = upscaler.prepare_references(refs)
    assert len(upscaler.network.prepared) == 1
    result = run_to_end(upscaler.enhance(torch.zeros(1, 3, 8, 8), refs=prepared))
    assert len(upscaler.network.seen) == 4 and len(upscaler.network.prepared) == 1
    assert torch.allclose(result, torch.full_like(result, 0.25))
    assert upscaler.prepare_references([]) == []


def test_models_without_references_ignore_them():
    upscaler = Upscaler(model(CONV), device="cpu", tile=0)
    result = run_to_end(upscaler.enhance(photo(8, 8), refs=[torch.rand(1, 3, 4, 4)]))
    assert torch.equal(result, upscale(model(CONV), photo(8, 8), tile=0))


def test_the_upscaler_describes_its_model_and_placement():
    upscaler = Upscaler(model(CONV, 3), device="cpu", precision="fp32")
    assert (upscaler.name, upscaler.scale, upscaler.spec) == ("conv", 3, CONV)
    assert (upscaler.device, upscaler.dtype) == (torch.device("cpu"), torch.float32)


@pytest.mark.parametrize(
    "image", [torch.rand(3, 8, 8), torch.rand(1, 1, 8, 8), torch.rand(1, 3, 8, 8).double()]
)
def test_images_other_than_one_rgb_float32_are_refused(image):
    with pytest.raises(ValueError, match="float32"):
        next(Upscaler(model(CONV), device="cpu").enhance(image))
