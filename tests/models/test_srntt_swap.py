import pytest
import torch

from enhancer.models.archs import srntt_swap
from enhancer.models.archs.srntt_swap import ReferencePatches, best_matches, swap, unit_patches
from enhancer.imaging.resize import imresize


def brute_force(query, keys):
    """(score, reference, index) of the best key patch for each query patch, one pair at a time."""
    candidates = [(k, j, patch) for k, key in enumerate(keys)
                  for j, patch in enumerate(unit_patches(key))]
    return [max((float(patch @ candidate), k, j) for k, j, candidate in candidates)
            for patch in unit_patches(query)]


def test_the_chunked_search_finds_what_an_exhaustive_one_does(monkeypatch):
    generator = torch.Generator().manual_seed(0)
    query = torch.randn(1, 4, 5, 6, generator=generator)
    keys = [torch.randn(4, 4, 7, generator=generator), torch.randn(4, 6, 3, generator=generator)]
    monkeypatch.setattr(srntt_swap, "CHUNK_ELEMENTS", 7)  # many chunks of odd sizes
    monkeypatch.setattr(srntt_swap, "_QUERY_BLOCK", 4)
    matches = best_matches(query, ReferencePatches(keys))
    for position, (score, key, index) in enumerate(brute_force(query[0], keys)):
        row, column = divmod(position, 6)
        width = keys[key].shape[-1]
        assert matches.score[0, row, column] == pytest.approx(score, abs=1e-5)
        assert matches.reference[0, row, column] == key
        assert (matches.row[0, row, column], matches.column[0, row, column]) == divmod(index, width)


def test_a_reference_equal_to_the_input_matches_every_patch_to_itself_and_swaps_back_exactly():
    generator = torch.Generator().manual_seed(1)
    features = torch.randn(3, 6, 5, generator=generator)
    unrelated = torch.randn(3, 8, 8, generator=generator)
    matches = best_matches(features.unsqueeze(0), ReferencePatches([unrelated, features]))
    assert torch.all(matches.reference == 1)
    assert torch.allclose(matches.score, torch.ones(1, 6, 5))
    rows, columns = torch.meshgrid(torch.arange(6), torch.arange(5), indexing="ij")
    assert torch.equal(matches.row[0], rows) and torch.equal(matches.column[0], columns)

    # A finer map of the same reference, 4 pixels per grid cell, comes back as it was.
    fine = torch.randn(2, 24, 20, generator=generator)
    fine_unrelated = torch.randn(2, 32, 32, generator=generator)
    assert torch.allclose(swap([fine_unrelated, fine], matches, 0, 4), fine, atol=1e-6)


def test_without_references_nothing_matches():
    matches = best_matches(torch.randn(2, 3, 4, 4), ReferencePatches([]))
    assert matches.score.shape == (2, 4, 4) and torch.all(matches.score == srntt_swap.NO_MATCH)


def test_a_shifted_reference_gives_back_the_input_where_they_overlap():
    generator = torch.Generator().manual_seed(2)
    scene = torch.randn(5, 10, 12, generator=generator)
    view, reference = scene[:, :, :8], scene[:, :, 4:]  # columns 4..7 are in both
    matches = best_matches(view.unsqueeze(0), ReferencePatches([reference]))
    inner = (slice(1, 9), slice(5, 7))  # overlap, away from the borders' zero padding
    assert torch.allclose(matches.score[0][inner], torch.ones(8, 2), atol=1e-5)
    assert torch.all(matches.column[0][inner] == torch.arange(5, 7) - 4)


def smooth_scene(seed, channels=6, size=(48, 64)):
    coarse = torch.randn(1, channels, size[0] // 6, size[1] // 6,
                         generator=torch.Generator().manual_seed(seed))
    return imresize(coarse, size=size)[0]


def test_patch_match_finds_a_moved_view_of_the_scene_exactly(monkeypatch):
    scene = smooth_scene(3)
    view, reference = scene[:, 4:40, :40], scene[:, 10:, 16:]  # moved 6 down and 16 across
    decoy = smooth_scene(4)
    monkeypatch.setattr(srntt_swap, "EXHAUSTIVE_PAIRS", 0)
    matches = best_matches(view.unsqueeze(0), ReferencePatches([decoy, reference]))
    inner = (slice(7, 35), slice(17, 39))  # in both, away from the borders' zero padding
    assert torch.all(matches.score[0][inner] > 0.9999)
    assert torch.all(matches.reference[0][inner] == 1)
    rows, columns = torch.meshgrid(torch.arange(7, 35), torch.arange(17, 39), indexing="ij")
    assert torch.equal(matches.row[0][inner], rows - 6)
    assert torch.equal(matches.column[0][inner], columns - 16)


def test_patch_match_comes_close_to_the_exhaustive_search_on_an_unrelated_reference(monkeypatch):
    query, reference = smooth_scene(5).unsqueeze(0), smooth_scene(6)
    exhaustive = best_matches(query, ReferencePatches([reference]))
    monkeypatch.setattr(srntt_swap, "EXHAUSTIVE_PAIRS", 0)
    approximate = best_matches(query, ReferencePatches([reference]))
    assert torch.all(approximate.score <= exhaustive.score + 1e-5)
    assert approximate.score.mean() > exhaustive.score.mean() - 0.02


def test_reference_patches_cut_the_same_unit_patches_as_unfolding_each_reference():
    torch.manual_seed(3)
    references = [torch.randn(5, 4, 6), torch.randn(5, 7, 3)]
    keys = ReferencePatches(references)
    expected = torch.cat([unit_patches(reference) for reference in references])
    torch.testing.assert_close(keys.unit(torch.arange(len(keys))), expected)
