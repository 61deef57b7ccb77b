"""Losses measured in a frozen feature network's space (Johnson et al., ECCV 2016; Ledig et al.,
CVPR 2017): the output should have the target's features, not its exact pixels, which MSE would
ask for and can only meet by averaging the plausible answers into blur.

The feature and texture losses take lists of feature maps, one per named layer, as
`FeatureExtractor` returns them; the target's are taken as constants. `total_variation` is
Johnson et al.'s regulariser on the output image itself: features at a quarter of the resolution
cannot see a pattern repeating every few pixels, and this penalises it. `periodic_error` is aimed
at the pattern a sub-pixel (pixel-shuffle) upsampler makes, without smoothing anything else.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F


def feature_reconstruction(output: Sequence[torch.Tensor],
                           target: Sequence[torch.Tensor]) -> torch.Tensor:
    """Johnson's feature reconstruction (SRGAN's content) loss: the mean squared difference of the
    features, averaged over the layers."""
    return torch.stack([F.mse_loss(o, t.detach()) for o, t in zip(output, target, strict=True)]).mean()


def gram(features: torch.Tensor) -> torch.Tensor:
    """(N, C, C) Gram matrices of (N, C, H, W) features, divided by C * H * W: which channels fire
    together, wherever in the image; that is texture without layout."""
    n, c, h, w = features.shape
    flat = features.reshape(n, c, h * w)
    return flat @ flat.transpose(1, 2) / (c * h * w)


def texture(output: Sequence[torch.Tensor], target: Sequence[torch.Tensor]) -> torch.Tensor:
    """Gram-matrix (style) loss: the squared Frobenius distance of the Gram matrices, averaged
    over the batch and summed over the layers (Johnson et al.'s style reconstruction loss)."""
    return sum((gram(o) - gram(t.detach())).square().sum(dim=(1, 2)).mean()
               for o, t in zip(output, target, strict=True))


def tiles(features: torch.Tensor, side: int) -> torch.Tensor:
    """(N, C, H, W) features cut into side x side tiles, as (N * tiles, C, side, side); a remainder
    narrower than `side` is left out. The texture loss on tiles (EnhanceNet's, on 16 x 16 pixel
    patches) asks every region for its own texture, where one Gram matrix of a whole patch would
    let the sharp edges of one part stand in for the missing grain of another."""
    n, c, h, w = features.shape
    rows, columns = h // side, w // side
    cut = features[..., :rows * side, :columns * side]
    cut = cut.reshape(n, c, rows, side, columns, side).permute(0, 2, 4, 1, 3, 5)
    return cut.reshape(n * rows * columns, c, side, side)


def total_variation(images: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference between horizontally and vertically adjacent pixels, summed over
    the two directions (the anisotropic, edge-preserving total variation)."""
    return ((images[..., 1:, :] - images[..., :-1, :]).abs().mean()
            + (images[..., :, 1:] - images[..., :, :-1]).abs().mean())


def periodic_error(output: torch.Tensor, target: torch.Tensor, period: int) -> torch.Tensor:
    """The error's part that repeats every `period` pixels: for each image and channel, the mean
    error at each of the period x period positions within a cell, less their average, squared and
    averaged.

    A network that upsamples with pixel shuffle computes each of those positions with its own
    filters, and any bias between them is a grid over the whole photo. Adversarial and texture
    losses push it up early in training (it adds gradient energy the discriminator has not yet
    learned to reject), and feature networks whose first layer has stride 2 hardly see it. The
    grid is a content-independent offset, so this term removes it without asking for smoothness.
    """
    n, c, h, w = output.shape
    h, w = h - h % period, w - w % period
    error = (output - target.detach())[..., :h, :w]
    phases = error.reshape(n, c, h // period, period, w // period, period).mean(dim=(2, 4))
    return (phases - phases.mean(dim=(2, 3), keepdim=True)).square().mean()
