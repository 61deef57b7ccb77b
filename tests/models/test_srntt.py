import torch

from enhancer.imaging.resize import imresize
from enhancer.features.extractor import FeatureExtractor
from enhancer.models.archs.srntt import SRNTT, PreparedReferences, features_in_tiles
from enhancer.models.archs.srntt_swap import best_matches


def tiny_srntt():
    torch.manual_seed(0)
    return SRNTT(features=8, fine_features=4, trunk_blocks=1, level_blocks=(1, 1, 1)).eval()


def photo(seed, size=(48, 40)):
    coarse = torch.rand(1, 3, size[0] // 8, size[1] // 8, generator=torch.Generator().manual_seed(seed))
    return imresize(coarse, size=size).clamp(0, 1)


def test_no_reference_is_the_single_image_path_and_a_reference_changes_the_result():
    network, hr = tiny_srntt(), photo(0)
    lr = imresize(hr, scale=0.25)
    with torch.no_grad():
        alone, with_none, with_ref = network(lr), network(lr, []), network(lr, [hr])
        too_small = network(lr, [hr[..., :8, :8]])
    assert torch.equal(alone, with_none) and torch.equal(alone, too_small)
    assert alone.shape == (1, 3, 48, 40)
    assert not torch.allclose(alone, with_ref)


def test_the_input_matches_itself_best_as_a_reference_among_others():
    network, hr = tiny_srntt(), photo(1)
    lr = imresize(hr, scale=0.25)
    refs = [photo(2), hr, photo(3)]
    matches = network.matches(lr, refs)
    assert matches.score.shape == (1, 12, 10)
    assert (network.prepare(refs).photos[matches.reference] == 1).float().mean() > 0.9
    assert network.matches(lr, []) is None


def test_references_are_prepared_once_for_the_same_tensors_and_again_for_new_ones():
    network, hr = tiny_srntt(), photo(4)
    with torch.no_grad():
        first = network.prepare([hr])
        assert network.prepare([hr]) is first
        assert network.prepare([hr.clone()]) is not first
        changed = hr.clone()
        again = network.prepare([changed])
        changed.mul_(0.5)
        assert network.prepare([changed]) is not again


def test_a_rescaled_reference_matches_better_when_searched_at_other_scales_too():
    network, hr = tiny_srntt(), photo(5, size=(96, 80))
    upscaled = imresize(imresize(hr, scale=0.25), scale=4)
    nearer = imresize(hr, scale=2 ** (1 / 6))
    with torch.no_grad():
        queries = network.extractor(upscaled)[1]
        one_scale = PreparedReferences([nearer], network.extractor, scales=(1.0,))
        every_scale = PreparedReferences([nearer], network.extractor)
    assert len(one_scale) == 1 and len(every_scale) == 3
    assert every_scale.photos.tolist() == [0, 0, 0]
    score_one = best_matches(queries, one_scale.keys).score.mean()
    assert best_matches(queries, every_scale.keys).score.mean() > score_one + 0.01


def test_features_computed_in_tiles_equal_those_of_the_whole_photo():
    extractor, image = FeatureExtractor(layers=("stage1", "stage2")), photo(6, size=(136, 200))
    with torch.no_grad():
        whole, tiled = extractor(image), features_in_tiles(extractor, image, tile=32, margin=16)
    for expected, got in zip(whole, tiled):
        assert got.shape == expected.shape
        torch.testing.assert_close(got, expected, atol=1e-4, rtol=1e-4)
