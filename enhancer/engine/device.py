"""Which device the models run on, chosen once from the user's preference.

"auto" takes the fastest device this machine has (a CUDA GPU, then Apple's MPS, then the CPU); an
explicit choice that cannot be honoured is an error rather than a silent fallback, because a user
who asked for the GPU and got the CPU would wait minutes without knowing why.
"""

from __future__ import annotations

import re

import torch

PREFERENCES = ("auto", "cpu", "cuda", "cuda:N", "mps")

_CUDA_INDEX = re.compile(r"cuda:(\d+)")


class DeviceError(RuntimeError):
    """A device preference that cannot be honoured on this machine; the message says why."""


def choose_device(preference: str = "auto") -> torch.device:
    preference = preference.strip().lower()
    if preference == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if preference == "cpu":
        return torch.device("cpu")
    if preference == "mps":
        if not torch.backends.mps.is_available():
            raise DeviceError("mps was asked for, but Apple's Metal (MPS) is not available here")
        return torch.device("mps")
    if preference == "cuda":
        _require_cuda(preference)
        return torch.device("cuda", torch.cuda.current_device())
    match = _CUDA_INDEX.fullmatch(preference)
    if match:
        _require_cuda(preference)
        index = int(match.group(1))
        count = torch.cuda.device_count()
        if index >= count:
            raise DeviceError(
                f"{preference} was asked for, but this machine has {count} CUDA GPU(s): "
                + ", ".join(f"cuda:{i}" for i in range(count))
            )
        return torch.device("cuda", index)
    raise DeviceError(f"unknown device {preference!r}; choose one of {', '.join(PREFERENCES)}")


def describe_device(device: torch.device) -> str:
    """A short human name, e.g. "CPU (2 threads)" or "NVIDIA H100 80GB HBM3 (79 GB)"."""
    if device.type == "cuda":
        properties = torch.cuda.get_device_properties(device)
        return f"{properties.name} ({properties.total_memory / 2**30:.0f} GB)"
    if device.type == "mps":
        return "Apple GPU (MPS)"
    return f"CPU ({torch.get_num_threads()} threads)"


def _require_cuda(preference: str) -> None:
    if torch.version.cuda is None:
        raise DeviceError(
            f"{preference} was asked for, but this PyTorch build has no CUDA support "
            "(install a CUDA build of PyTorch, or choose cpu)"
        )
    if not torch.cuda.is_available():
        raise DeviceError(
            f"{preference} was asked for, but no CUDA GPU is available (is its driver installed?)"
        )
