import pytest
import torch

from enhancer.data.thumbnails import Thumbnails
from enhancer.engine.generators import run_to_end
from enhancer.imaging.resize import imresize
from enhancer.models.archs.pixelrsr import PixelRSR
from enhancer.train.pixelrsr_scores import bits_per_dimension, consistency_psnr, gradient_magnitude


def test_a_model_that_knows_nothing_costs_8_bits_per_value():
    model = PixelRSR(features=8, blocks=1, prior_layers=0, hidden=4).eval()
    torch.nn.init.zeros_(model.conditioning_head.logits.weight)
    torch.nn.init.zeros_(model.conditioning_head.logits.bias)
    views = Thumbnails(high=torch.randint(0, 256, (5, 3, 8, 8), dtype=torch.uint8),
                       low=torch.randint(0, 256, (5, 3, 2, 2), dtype=torch.uint8))
    assert run_to_end(bits_per_dimension(model, views, batch_size=2)) == pytest.approx((8.0, 8.0))


def test_consistency_is_high_for_the_true_image_and_low_for_another():
    generator = torch.Generator().manual_seed(0)
    high = torch.rand(2, 3, 16, 16, generator=generator).mul(255).round().div(255)
    low = imresize(high, scale=0.25).clamp(0, 1).mul(255).round().div(255)
    own = consistency_psnr(high, low)
    other = consistency_psnr(high.flip(0), low)
    assert (own > 60).all() and (other < 25).all()


def test_gradient_magnitude_of_flat_and_striped_images():
    flat = torch.full((1, 3, 8, 8), 0.5)
    stripes = torch.zeros(1, 3, 8, 8)
    stripes[..., ::2] = 1.0
    assert gradient_magnitude(flat).item() == 0
    assert gradient_magnitude(stripes).item() == pytest.approx(1.0)
