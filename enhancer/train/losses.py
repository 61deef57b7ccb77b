"""Pixel losses between a network's output and the HR patch.

MSE is what SRCNN, ESPCN, VDSR and SRResNet were trained with (it is the loss PSNR measures); L1
and Charbonnier (a smooth L1) converge to sharper results and are the usual choice of later work.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
LOSSES = ("mse", "l1", "charbonnier")


def charbonnier(output: torch.Tensor, target: torch.Tensor, *, epsilon: float = 1e-3) -> torch.Tensor:
    """mean(sqrt((output - target)^2 + epsilon^2)): L1 away from zero, quadratic near it."""
    return torch.sqrt((output - target).square() + epsilon**2).mean()


def make_loss(name: str, *, epsilon: float = 1e-3) -> Loss:
    if name == "mse":
        return F.mse_loss
    if name == "l1":
        return F.l1_loss
    if name == "charbonnier":
        return lambda output, target: charbonnier(output, target, epsilon=epsilon)
    raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
