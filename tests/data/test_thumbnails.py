import torch

from enhancer.data.thumbnails import ThumbnailConfig, is_held_out, make_thumbnails
from enhancer.imaging.resize import imresize
from tests.data.photos import write_photos

CONFIG = ThumbnailConfig(side=16, scale=4, crop_fractions=(1.0, 0.5), crops_per_fraction=(1, 3),
                         held_out_every=3)


def test_views_are_8_bit_squares_with_their_bicubic_inputs(tmp_path):
    write_photos(tmp_path, count=6, size=(40, 52))
    training = make_thumbnails([tmp_path], CONFIG, held_out=False)
    held_out = make_thumbnails([tmp_path], CONFIG, held_out=True)
    photos = sorted(tmp_path.iterdir())
    kept = [p for p in photos if is_held_out(p, CONFIG)]

    assert 0 < len(kept) < len(photos)
    assert len(held_out) == 4 * len(kept) and len(training) == 4 * (len(photos) - len(kept))
    assert training.high.shape[1:] == (3, 16, 16) and training.low.shape[1:] == (3, 4, 4)
    assert training.high.dtype == torch.uint8
    expected = imresize(training.high.float() / 255, scale=0.25).clamp(0, 1).mul(255).round()
    assert torch.equal(training.low.float(), expected)
    low, high = training.pairs(torch.tensor([0, 2]))
    assert low.dtype == torch.float32 and low.max() <= 1 and high.dtype == torch.int64


def test_the_same_seed_makes_the_same_views(tmp_path):
    write_photos(tmp_path, count=4)
    first = make_thumbnails([tmp_path], CONFIG, held_out=False)
    again = make_thumbnails([tmp_path], CONFIG, held_out=False)
    assert torch.equal(first.high, again.high)
