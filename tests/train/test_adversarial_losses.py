import pytest
import torch

from enhancer.train.adversarial_losses import (
    ADVERSARIAL,
    discriminator_loss,
    feature_matching,
    generator_loss,
    gradient_penalty,
)


def linear_critic(weight):
    return lambda x: (x.flatten(1) * weight.flatten()).sum(1, keepdim=True)


@pytest.mark.parametrize(("norm", "penalty"), [(1.0, 0.0), (2.0, 1.0), (0.5, 0.25)])
def test_the_gradient_penalty_measures_the_critic_slope_away_from_one(norm, penalty):
    torch.manual_seed(0)
    weight = torch.randn(3, 4, 4)
    weight *= norm / weight.norm()
    real, fake = torch.rand(5, 3, 4, 4), torch.rand(5, 3, 4, 4)
    assert gradient_penalty(linear_critic(weight), real, fake).item() == pytest.approx(penalty, abs=1e-5)


def test_the_gradient_penalty_trains_the_critic():
    weight = torch.full((3, 2, 2), 1.0, requires_grad=True)  # norm sqrt(12): too steep
    gradient_penalty(linear_critic(weight), torch.rand(2, 3, 2, 2), torch.rand(2, 3, 2, 2)).backward()
    assert (weight.grad > 0).all()  # descending shrinks the slope toward 1


def test_the_standard_loss_rewards_a_discriminator_that_tells_them_apart():
    real, fake = torch.full((4, 1), 5.0), torch.full((4, 1), -5.0)
    assert discriminator_loss("standard", real, fake) < 0.02
    assert discriminator_loss("standard", fake, real) > 9
    # The generator's loss falls as its patches are scored more real.
    assert generator_loss("standard", None, fake) > generator_loss("standard", None, real)


def test_the_relativistic_loss_depends_on_score_differences_and_swaps_roles():
    torch.manual_seed(0)
    real, fake = torch.randn(6, 1), torch.randn(6, 1)
    loss = discriminator_loss("relativistic", real, fake)
    assert torch.allclose(discriminator_loss("relativistic", real + 7, fake + 7), loss)
    assert torch.allclose(generator_loss("relativistic", real, fake),
                          discriminator_loss("relativistic", fake, real))
    # Unlike the standard loss, the generator's relativistic loss moves with the real scores.
    assert generator_loss("relativistic", real + 1, fake) > generator_loss("relativistic", real, fake)


def test_the_wasserstein_losses_are_score_differences():
    real, fake = torch.tensor([[3.0], [1.0]]), torch.tensor([[0.5], [-0.5]])
    assert discriminator_loss("wgan-gp", real, fake).item() == pytest.approx(0 - 2)
    assert generator_loss("wgan-gp", real, fake).item() == pytest.approx(0)


def test_unknown_losses_name_the_choices():
    with pytest.raises(ValueError, match=", ".join(ADVERSARIAL)):
        discriminator_loss("hinge", torch.zeros(1, 1), torch.zeros(1, 1))


def test_feature_matching_compares_layers_and_leaves_the_real_side_alone():
    real = [torch.zeros(1, 2, 4, 4, requires_grad=True), torch.ones(1, 3, 2, 2, requires_grad=True)]
    fake = [torch.ones(1, 2, 4, 4, requires_grad=True), torch.ones(1, 3, 2, 2, requires_grad=True)]
    loss = feature_matching(fake, real)
    assert loss.item() == pytest.approx(0.5)
    loss.backward()
    assert fake[0].grad is not None and real[0].grad is None
