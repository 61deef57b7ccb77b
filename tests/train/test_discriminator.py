import torch
from torch import nn

from enhancer.train.discriminator import Discriminator


def test_any_patch_size_gets_one_logit_per_patch():
    torch.manual_seed(0)
    discriminator = Discriminator()
    for size in [(24, 24), (64, 48), (96, 96)]:
        assert discriminator(torch.rand(2, 3, *size)).shape == (2, 1)


def test_eight_convolutions_from_64_to_512_channels_halving_every_second():
    scores, features = Discriminator().scores_and_features(torch.rand(2, 3, 64, 64))
    assert [f.shape[1] for f in features] == [64, 64, 128, 128, 256, 256, 512, 512]
    assert [f.shape[-1] for f in features] == [64, 32, 32, 16, 16, 8, 8, 4]


def test_a_wgan_critic_has_no_batch_statistics():
    assert any(isinstance(m, nn.BatchNorm2d) for m in Discriminator().modules())
    critic = Discriminator(batch_norm=False)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in critic.modules())
    # Each patch's score is its own: it does not change with the rest of the batch.
    torch.manual_seed(0)
    patches = torch.rand(3, 3, 32, 32)
    assert torch.allclose(critic(patches)[:1], critic(patches[:1]), atol=1e-6)
