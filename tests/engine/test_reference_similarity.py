import torch

from enhancer.engine.generators import run_to_end
from enhancer.engine.similarity_overlay import similarity_overlay
from enhancer.engine.upscaler import Upscaler
from enhancer.imaging.resize import imresize
from enhancer.models.archs import srntt_swap
from enhancer.models.registry import architectures
from tests.engine.nets import CONV, model
from tests.engine.photos import photo

TINY = dict(features=8, fine_features=4, trunk_blocks=1, level_blocks=(1, 1, 1))


def similarity(image, refs, **options):
    torch.manual_seed(0)
    upscaler = Upscaler(model(architectures()["srntt"], 4, **TINY), device="cpu", **options)
    return run_to_end(upscaler.reference_similarity(image, refs=refs))


def test_the_similarity_map_is_the_same_whole_or_in_tiles_and_high_where_the_reference_shows_it(
        monkeypatch):
    monkeypatch.setattr(srntt_swap, "EXHAUSTIVE_PAIRS", 1 << 40)  # the same search both ways
    scene = photo(480, 640, seed=1)
    image = imresize(scene[..., :320, :], scale=0.25)  # the top of the scene, 80 x 160
    reference = scene[..., 200:, :]  # the bottom: it shows the image's rows from 50 on
    whole = similarity(image, [reference], tile=0)
    tiled = similarity(image, [reference], tile=110)  # two tiles across
    assert whole.shape == (1, 1, 80, 160)
    assert (whole - tiled).abs().max() < 1e-4
    shown, hidden = whole[..., 55:75, 10:150], whole[..., 5:35, 10:150]
    assert shown.mean() > hidden.mean() + 0.02 and shown.mean() > 0.95


def test_no_similarity_without_references_or_for_a_model_that_takes_none():
    image = photo(16, 16)
    assert similarity(image, []) is None
    assert run_to_end(Upscaler(model(CONV), device="cpu").reference_similarity(
        image, refs=[photo(16, 16)])) is None


def test_the_overlay_is_yellow_where_texture_was_found_and_blue_where_not():
    image = torch.full((1, 3, 4, 8), 0.6)
    score = torch.tensor([[[[-0.5, 1.0]]]])
    overlay = similarity_overlay(image, score)
    unmatched, matched = overlay[0, :, 0, 0], overlay[0, :, 0, 7]
    assert unmatched[2] > unmatched[0] and matched[0] > matched[2]
    assert overlay.min() >= 0 and overlay.max() <= 1
