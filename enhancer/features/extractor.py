"""The frozen feature extractor behind the perceptual losses and the perceptual metric.

`FeatureExtractor` takes RGB in [0, 1] (the core's convention), applies ImageNet's normalisation,
and returns the named layers it was built for. It never trains: its weights need no gradient and
it stays in eval mode (BatchNorm on its ImageNet statistics) even inside a model in train mode,
while gradients still flow through it to the images.

`network` is "efficientnet-lite0" (the weights installed with the app) or the path of a
torchvision-format VGG16/VGG19 file (the papers' choice, if the user has one).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from enhancer.features.efficientnet_lite import LAYERS, EfficientNetLite0Features
from enhancer.features.vgg import VGGFeatures, load_vgg_state

EFFICIENTNET = "efficientnet-lite0"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class FeatureExtractor(nn.Module):
    def __init__(self, *, network: str | Path = EFFICIENTNET,
                 layers: Sequence[str] = ("stage2", "stage3")) -> None:
        super().__init__()
        if not layers:
            raise ValueError("a feature extractor needs at least one layer")
        self.layers = tuple(layers)
        if str(network) == EFFICIENTNET:
            unknown = [name for name in self.layers if name not in LAYERS]
            if unknown:
                raise ValueError(f"{EFFICIENTNET} has no layer {unknown[0]!r}; "
                                 f"choose from {', '.join(LAYERS)}")
            self.backbone = EfficientNetLite0Features(blocks=max(LAYERS[n] for n in self.layers) + 1)
            self.backbone.load_imagenet()
            self._pick = lambda outputs: [outputs[LAYERS[name]] for name in self.layers]
        else:
            depth, state = load_vgg_state(Path(network))
            names = VGGFeatures.layer_names(depth)
            unknown = [name for name in self.layers if name not in names]
            if unknown:
                raise ValueError(f"VGG{depth} has no layer {unknown[0]!r}; choose from "
                                 f"{', '.join(names)}")
            deepest = max(self.layers, key=names.index)
            self.backbone = VGGFeatures(depth=depth, last=deepest)
            self.backbone.load_state_dict({k: v for k, v in state.items()
                                           if k in self.backbone.state_dict()}, strict=True)
            self._pick = lambda outputs: [outputs[name] for name in self.layers]
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)
        self.requires_grad_(False)
        self.eval()

    def train(self, mode: bool = True) -> FeatureExtractor:
        """Always eval: the ImageNet BatchNorm statistics are part of the features."""
        return super().train(False)

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        """The named layers' activations of (N, 3, H, W) RGB in [0, 1], in `layers` order."""
        return self._pick(self.backbone((images - self.mean) / self.std))
