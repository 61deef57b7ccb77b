"""The picture of where a reference-based model found its texture, for the app's match view.

The result is shown in grey, tinted by how well each part matched the references: deep blue where
no reference patch resembled it (the model upscaled it alone), through teal, to yellow where the
reference showed the same thing (its texture was taken from there).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from enhancer.imaging.color import rgb_to_y

# Tint colours at similarity 0, 0.5 and 1 (below 0 counts as 0).
_PALETTE = torch.tensor([[0.13, 0.17, 0.55], [0.12, 0.62, 0.58], [0.99, 0.88, 0.15]])
# How much of the tint is mixed into the grey result.
TINT = 0.6


def similarity_overlay(image: torch.Tensor, similarity: torch.Tensor) -> torch.Tensor:
    """(1, 3, H, W) RGB result tinted by (1, 1, h, w) similarity in [-1, 1], h and w dividing H and W."""
    grey = ((rgb_to_y(image) - 16 / 255) * 255 / 219).clamp(0, 1)
    level = F.interpolate(similarity, size=image.shape[-2:], mode="nearest").clamp(0, 1) * 2
    lower = level.floor().clamp(max=1).long()
    mix = level - lower
    palette = _PALETTE.to(image.device)
    colour = (palette[lower[0, 0]] * (1 - mix[0, 0, ..., None])
              + palette[lower[0, 0] + 1] * mix[0, 0, ..., None])
    colour = colour.permute(2, 0, 1).unsqueeze(0)
    return grey * (1 - TINT) + colour * TINT * (0.35 + 0.65 * grey)
