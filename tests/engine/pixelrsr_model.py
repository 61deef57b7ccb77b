"""A tiny random pixel recursive SR model saved as a user model, for tests that resolve it by name."""

import torch

from enhancer import paths
from enhancer.models.archs.pixelrsr import PixelRSR
from enhancer.models.weights import WeightsFile, save_weights

TINY = dict(features=8, blocks=1, prior_features=8, prior_layers=2, hidden=8)


def save_tiny_pixelrsr(name: str = "tiny-pixelrsr") -> WeightsFile:
    torch.manual_seed(0)
    network = PixelRSR(scale=4, **TINY)
    return save_weights(paths.user_models_dir() / f"{name}.safetensors", network, name=name,
                        arch="pixelrsr", scales=(4,), config=TINY, card={}, half=False)
