import math

import pytest
import torch

from enhancer.train.losses import charbonnier, make_loss


def test_mse_and_l1_are_the_mean_errors():
    output, target = torch.tensor([0.0, 1.0, 3.0]), torch.tensor([1.0, 1.0, 1.0])
    assert make_loss("mse")(output, target).item() == pytest.approx(5 / 3)
    assert make_loss("l1")(output, target).item() == pytest.approx(1.0)


def test_charbonnier_is_l1_away_from_zero_and_epsilon_at_zero():
    target = torch.zeros(4)
    assert charbonnier(target, target, epsilon=1e-3).item() == pytest.approx(1e-3)
    far = torch.full((4,), 2.0)
    assert make_loss("charbonnier", epsilon=1e-3)(far, target).item() == pytest.approx(
        math.sqrt(4 + 1e-6))


def test_an_unknown_loss_names_the_choices():
    with pytest.raises(ValueError, match="charbonnier"):
        make_loss("huber")
