import pytest
import torch
import torch.nn.functional as F

from enhancer.train.evaluate import PerceptualScorer
from enhancer.train.metrics import feature_distance


def test_the_distance_compares_directions_of_the_feature_vectors():
    torch.manual_seed(0)
    a = [torch.rand(1, 8, 5, 5), torch.rand(1, 4, 3, 3)]
    assert feature_distance(a, a) == 0
    # Scaling a position's vector changes nothing: only its direction counts.
    assert feature_distance(a, [f * torch.rand(1, 1, *f.shape[2:]) + 0 * f for f in a]) < 1e-12
    # Opposite unit vectors are 2 apart, squared 4.
    assert feature_distance(a, [-f for f in a]) == pytest.approx(4)
    b = [torch.rand(1, 8, 5, 5), torch.rand(1, 4, 3, 3)]
    assert feature_distance(a, b) == pytest.approx(feature_distance(b, a))


def test_a_blurred_photo_is_farther_than_a_slightly_noisy_one():
    torch.manual_seed(0)
    texture = F.interpolate(torch.rand(1, 3, 16, 16), size=64, mode="bicubic").clamp(0, 1)
    texture = (texture * 255).round() / 255  # 8-bit, as HR photos are
    blurred = F.avg_pool2d(texture, 5, stride=1, padding=2, count_include_pad=False)
    noisy = (texture + 0.01 * torch.randn_like(texture)).clamp(0, 1)
    score = PerceptualScorer()
    assert score(texture, texture, scale=2) == 0
    assert score(blurred, texture, scale=2) > 2 * score(noisy, texture, scale=2)
