"""VGG16 and VGG19 (Simonyan and Zisserman, ICLR 2015), the feature networks of the perceptual-loss
papers (Johnson et al. use VGG16's relu2_2, SRGAN VGG19's conv5_4 after its ReLU), loaded from a
user's torchvision-format weights file (`features.N.weight`, `features.N.bias`; the classifier is
ignored). The depth is read from the file. Layer names follow the papers: `relu{block}_{conv}`.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

# Convolutions per block; 64, 128, 256, 512, 512 channels.
_BLOCK_CONVS = {16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}
_BLOCK_CHANNELS = (64, 128, 256, 512, 512)


class VGGFeatures(nn.Module):
    """torchvision's `features` stack (conv, ReLU, ..., max pool), numbered as torchvision numbers
    it so its weights load unchanged; `forward` returns the output of each ReLU by its name."""

    def __init__(self, *, depth: int = 19, last: str | None = None) -> None:
        super().__init__()
        if depth not in _BLOCK_CONVS:
            raise ValueError(f"VGG{depth} is not one of VGG16, VGG19")
        layers: list[nn.Module] = []
        names: dict[int, str] = {}  # index of a ReLU in `features` -> its name
        inputs = 3
        for block, (convs, channels) in enumerate(zip(_BLOCK_CONVS[depth], _BLOCK_CHANNELS), 1):
            if block > 1:
                layers.append(nn.MaxPool2d(2))
            for conv in range(1, convs + 1):
                layers += [nn.Conv2d(inputs, channels, 3, padding=1), nn.ReLU()]
                names[len(layers) - 1] = f"relu{block}_{conv}"
                inputs = channels
        # Only the layers up to `last` are built (and need weights).
        end = len(layers) if last is None else 1 + next(i for i, n in names.items() if n == last)
        self.features = nn.Sequential(*layers[:end])
        self.names = {index: name for index, name in names.items() if index < end}

    @staticmethod
    def layer_names(depth: int) -> list[str]:
        return [f"relu{b}_{c}" for b, n in enumerate(_BLOCK_CONVS[depth], 1) for c in range(1, n + 1)]

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        outputs = {}
        for index, layer in enumerate(self.features):
            x = layer(x)
            if index in self.names:
                outputs[self.names[index]] = x
        return outputs


def load_vgg_state(path: Path) -> tuple[int, dict[str, torch.Tensor]]:
    """(depth, the `features.*` tensors) of a torchvision VGG16/VGG19 file (.pth or .safetensors)."""
    path = Path(path)
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        state = load_file(path)
    else:
        state = torch.load(path, map_location="cpu", weights_only=True)
    state = {k: v for k, v in state.items() if k.startswith("features.")}
    convs = sum(1 for k, v in state.items() if k.endswith(".weight") and v.dim() == 4)
    depth = {13: 16, 16: 19}.get(convs)
    if depth is None:
        raise ValueError(f"{path}: {convs} convolutions under features.*; not a torchvision "
                         "VGG16 (13) or VGG19 (16) file")
    return depth, state
