"""Checkpoints of a training run, so a crash, a Ctrl+C or a time limit costs minutes, not hours.

A checkpoint lives in the user data folder (never in the repo), named after the weights file the
run will write, and holds tensors, numbers and strings only, so loading it runs no pickle code.
"""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path
from typing import Any

import torch

from enhancer import paths
from enhancer.files import write_atomically

log = logging.getLogger(__name__)


def checkpoint_path(weights: Path) -> Path:
    """Where the run that writes `weights` keeps its checkpoint."""
    digest = hashlib.sha256(str(Path(weights).resolve()).encode()).hexdigest()[:8]
    return paths.user_data_dir() / "checkpoints" / f"{Path(weights).stem}-{digest}.ckpt"


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write `state` atomically: a crash while saving leaves the previous checkpoint intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.save(state, buffer)
    write_atomically(path, buffer.getvalue())
    log.info("checkpoint at iteration %d: %s", state.get("iteration", -1), path)


def load_checkpoint(path: Path) -> dict[str, Any] | None:
    """The state saved at `path` (on the CPU), or None when there is none."""
    if not path.is_file():
        return None
    return torch.load(path, map_location="cpu", weights_only=True)
