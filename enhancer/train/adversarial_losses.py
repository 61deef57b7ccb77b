"""Adversarial losses, on the discriminator's raw scores (logits) of real and generated patches.

- "standard": the GAN of Goodfellow et al. as SRGAN uses it: the discriminator classifies real
  against generated, the generator minimises -log D(G(x)) (the non-saturating form).
- "relativistic": the relativistic average GAN (Jolicoeur-Martineau, 2018; ESRGAN): the
  discriminator judges whether a real patch looks more real than the average generated one, and
  the generator gets gradients from the real patches too.
- "wgan-gp": Wasserstein GAN with gradient penalty (Gulrajani et al., 2017): an unbounded critic
  kept near 1-Lipschitz by penalising its gradient norm away from 1 between real and generated.

`feature_matching` compares the discriminator's intermediate features of real and generated
patches (pix2pixHD's form: paired data, so per patch), a steadier signal than the score alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

ADVERSARIAL = ("standard", "relativistic", "wgan-gp")


def _real(logits: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))


def _fake(logits: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.zeros_like(logits))


def discriminator_loss(kind: str, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """What the discriminator minimises, given its scores of real and generated patches
    (the gradient penalty of "wgan-gp" is added separately)."""
    if kind == "standard":
        return _real(real) + _fake(fake)
    if kind == "relativistic":
        return _real(real - fake.mean()) + _fake(fake - real.mean())
    if kind == "wgan-gp":
        return fake.mean() - real.mean()
    raise ValueError(f"unknown adversarial loss {kind!r}; choose one of {', '.join(ADVERSARIAL)}")


def generator_loss(kind: str, real: torch.Tensor | None, fake: torch.Tensor) -> torch.Tensor:
    """What the generator minimises. The relativistic loss is the discriminator's with the roles
    of real and generated swapped; the others do not read `real` (it may be None)."""
    if kind == "standard":
        return _real(fake)
    if kind == "relativistic":
        return discriminator_loss(kind, fake, real)
    if kind == "wgan-gp":
        return -fake.mean()
    raise ValueError(f"unknown adversarial loss {kind!r}; choose one of {', '.join(ADVERSARIAL)}")


def gradient_penalty(critic: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor,
                     fake: torch.Tensor, *, generator: torch.Generator | None = None) -> torch.Tensor:
    """E[(|grad critic(x)| - 1)^2] at random points x on the segments from real to generated
    patches; differentiable with respect to the critic's weights."""
    mix = torch.rand(real.shape[0], 1, 1, 1, generator=generator, device=real.device)
    points = (mix * real.detach() + (1 - mix) * fake.detach()).requires_grad_(True)
    (gradient,) = torch.autograd.grad(critic(points).sum(), points, create_graph=True)
    return (gradient.flatten(1).norm(dim=1) - 1).square().mean()


def feature_matching(fake: Sequence[torch.Tensor], real: Sequence[torch.Tensor]) -> torch.Tensor:
    """Mean absolute difference of the discriminator's features, averaged over its layers."""
    return torch.stack([F.l1_loss(f, r.detach()) for f, r in zip(fake, real, strict=True)]).mean()
