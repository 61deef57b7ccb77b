"""A tiny base model in the user models folder and a tiny photo folder, for fine-tune tests."""

from pathlib import Path

import torch

from enhancer import paths
from enhancer.models.archs.espcn import SPECS
from enhancer.models.weights import save_weights
from enhancer.train.finetune import FinetuneConfig
from tests.data.photos import write_photos


def install_tiny_base(name: str = "tinybase") -> Path:
    """An ESPCN with 6 and 4 filters for x2, saved as a user model named `name`."""
    torch.manual_seed(0)
    network = SPECS[0].network(scale=2, features=[6, 4])
    return save_weights(paths.user_models_dir() / f"{name}-x2.safetensors", network, name=name,
                        arch="espcn", scales=(2,), config={"features": [6, 4]}, card={}).path


def tiny_config(photos: Path, **changes) -> FinetuneConfig:
    options = dict(base="tinybase", scale=2, photos=(photos,), name="mine", iterations=20,
                   device="cpu", patch_size=12, batch_size=4, validate_every=10)
    return FinetuneConfig(**{**options, **changes})


def write_tiny_photos(folder: Path, count: int = 10) -> list[Path]:
    return write_photos(folder, count=count, size=(30, 36))


def replan_at_once(monkeypatch) -> None:
    """The timing says 0.1 it/s (25 iterations in 5 minutes), the run goes far faster, and the
    plan is checked from its first iteration on: it is made again at once."""
    from enhancer.train import finetune as finetune_module
    from enhancer.train.finetune_speed import TrainingSpeed

    monkeypatch.setattr(finetune_module, "measure_speed",
                        lambda *args, **kwargs: TrainingSpeed(1, 0.1, 4))
    monkeypatch.setattr(finetune_module, "REPLAN_AT", (1e-6,))
    monkeypatch.setattr(finetune_module, "REPLAN_WINDOW", 0.0)
