"""Test photos made on the spot: smooth gradients plus noise, so networks see structure and no flat
area hides an error."""

import torch


def photo(height: int, width: int, seed: int = 0) -> torch.Tensor:
    """(1, 3, height, width) float32 RGB in [0, 1]."""
    generator = torch.Generator().manual_seed(seed)
    y = torch.linspace(0, 1, height)[:, None]
    x = torch.linspace(0, 1, width)[None, :]
    waves = 0.5 + 0.5 * torch.sin(6 * x + 4 * y)
    smooth = torch.stack(torch.broadcast_tensors(x * y, (1 - x) * y, waves))
    return (0.8 * smooth + 0.2 * torch.rand(3, height, width, generator=generator))[None]
