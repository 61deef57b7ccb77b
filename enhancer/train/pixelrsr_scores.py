"""What the pixel recursive SR paper measures, on held-out thumbnails.

- Negative log-likelihood in bits per dimension (per 8-bit value): how much probability the model
  gives the true image; lower is better, and only a model with a prior can beat independent pixels.
- Consistency: a sample shrunk back with the same bicubic should give the input (PSNR at 8 x 8).
- Sharpness: mean gradient magnitude, against the true image's: an L2 network averages plausible
  answers into a blur, so its output has less gradient than the truth.
"""

from __future__ import annotations

import math
from collections.abc import Generator

import torch
import torch.nn.functional as F
from torch import nn

from enhancer.data.thumbnails import Thumbnails
from enhancer.imaging.resize import imresize


def bits_per_dimension(network: nn.Module, views: Thumbnails, *, batch_size: int = 32
                       ) -> Generator[int, None, tuple[float, float]]:
    """Mean negative log2-likelihood of the true values under the model, and under its
    conditioning logits alone (what the prior adds is the difference); yields the views done."""
    model = conditioning = 0.0
    with torch.inference_mode():
        for start in range(0, len(views), batch_size):
            indices = torch.arange(start, min(start + batch_size, len(views)))
            low, high = views.pairs(indices)
            logits, alone = network.logits(low, high.float() / 255)
            model += F.cross_entropy(logits, high, reduction="sum").item()
            conditioning += F.cross_entropy(alone, high, reduction="sum").item()
            yield int(indices[-1]) + 1
    values = len(views) * views.high[0].numel()
    return model / values / math.log(2), conditioning / values / math.log(2)


def consistency_psnr(samples: torch.Tensor, low: torch.Tensor) -> torch.Tensor:
    """Per image, PSNR (dB, peak 1, RGB) of `samples` shrunk by the bicubic against `low`."""
    scale = low.shape[-1] / samples.shape[-1]
    back = imresize(samples, scale=scale).clamp(0, 1).mul(255).round().div(255)
    error = (back - low).pow(2).mean(dim=(1, 2, 3))
    return 10 * torch.log10(1 / error.clamp(min=1e-10))


def gradient_magnitude(images: torch.Tensor) -> torch.Tensor:
    """Per image, the mean of sqrt(dx^2 + dy^2) over the pixels and channels (values in [0, 1])."""
    dx = images[..., :-1, 1:] - images[..., :-1, :-1]
    dy = images[..., 1:, :-1] - images[..., :-1, :-1]
    return (dx.pow(2) + dy.pow(2)).sqrt().mean(dim=(1, 2, 3))


def psnr(images: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """Per image, PSNR (dB, peak 1, RGB)."""
    return 10 * torch.log10(1 / (images - truth).pow(2).mean(dim=(1, 2, 3)).clamp(min=1e-10))
