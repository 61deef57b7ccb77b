"""Self-describing weights files.

A shipped or user model is one safetensors file whose metadata names the architecture, the model
name users type, the scales it serves, the constructor arguments it was trained with and its card
(training data, recipe, measured figures). Loading never runs pickle: foreign PyTorch files go
through `torch.load(weights_only=True)`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import save
from torch import nn

from enhancer.files import write_atomically

FORMAT_VERSION = "1"


class WeightsError(Exception):
    """A weights file that cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class WeightsFile:
    path: Path
    name: str
    arch: str
    scales: tuple[int, ...]
    config: Mapping[str, Any] = field(default_factory=dict)
    card: Mapping[str, Any] = field(default_factory=dict)

    def serves(self, scale: int) -> bool:
        return scale in self.scales


def read_header(path: Path) -> WeightsFile:
    """Read the metadata of a weights file without loading its tensors."""
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
    except Exception as error:  # safetensors raises several unrelated types
        raise WeightsError(f"{path}: not a readable safetensors file ({error})") from error
    missing = [key for key in ("name", "arch", "scales") if key not in meta]
    if missing:
        raise WeightsError(f"{path}: metadata lacks {', '.join(missing)}")
    try:
        scales = tuple(int(s) for s in meta["scales"].split(","))
        config = json.loads(meta.get("config", "{}"))
        card = json.loads(meta.get("card", "{}"))
    except ValueError as error:
        raise WeightsError(f"{path}: malformed metadata ({error})") from error
    return WeightsFile(path, meta["name"], meta["arch"], scales, config, card)


def load_state_dict(weights: WeightsFile) -> dict[str, torch.Tensor]:
    """The tensors of a weights file, as float32 where they are floating point."""
    with safe_open(str(weights.path), framework="pt") as f:
        return {key: _as_float32(f.get_tensor(key)) for key in f.keys()}


def save_weights(
    path: Path,
    network: nn.Module,
    *,
    name: str,
    arch: str,
    scales: tuple[int, ...],
    config: Mapping[str, Any],
    card: Mapping[str, Any],
    half: bool = True,
) -> WeightsFile:
    """Write `network`'s state as a self-describing file, atomically.

    `half` stores floating-point tensors as fp16: half the size, and the models here lose
    nothing measurable by it (the loaded tensors are float32 again).
    """
    state = {
        key: (value.half() if half and value.is_floating_point() else value).contiguous().cpu()
        for key, value in network.state_dict().items()
    }
    metadata = {
        "format": FORMAT_VERSION,
        "name": name,
        "arch": arch,
        "scales": ",".join(str(s) for s in scales),
        "config": json.dumps(dict(config), sort_keys=True),
        "card": json.dumps(dict(card), sort_keys=True),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, save(state, metadata=metadata))
    return read_header(path)


def load_foreign_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """Tensors from a `.pth`/`.pt` file of another project, without executing pickle code.

    Such files often wrap the state dict (`{"params_ema": ...}`, `{"state_dict": ...}`); the
    first wrapper found is unwrapped, and a `module.` prefix (DataParallel) is stripped.
    """
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise WeightsError(f"{path}: not a loadable PyTorch weights file ({error})") from error
    for key in ("params_ema", "params", "state_dict", "model", "generator"):
        if isinstance(obj, dict) and isinstance(obj.get(key), dict):
            obj = obj[key]
            break
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise WeightsError(f"{path}: holds no state dict of tensors")
    return {key.removeprefix("module."): _as_float32(value) for key, value in obj.items()}


def _as_float32(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.float() if tensor.is_floating_point() else tensor


def count_values(weights: WeightsFile) -> int:
    """How many numbers the file holds (parameters and learned buffers), from its header alone."""
    with safe_open(str(weights.path), framework="pt") as f:
        return sum(math.prod(f.get_slice(key).get_shape()) for key in f.keys())
