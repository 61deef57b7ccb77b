"""Training pixel recursive super resolution and its baselines on 32 x 32 thumbnails.

A recipe with `trainer = "pixelrsr"` sets `objective`:
- "pixelrsr": conditioning ResNet + PixelCNN prior; the loss is the cross-entropy of the summed
  logits plus that of the conditioning logits alone (the paper adds the latter so the
  conditioning network does not leave everything to the prior);
- "conditioning": the same ResNet alone, same cross-entropy (pixels independent given the input);
- "l2": the same ResNet regressing the pixels with a mean squared error (`pixelrsr-l2`).

The whole view set is made once in memory (thumbnails are tiny), batches are drawn from it with
random horizontal flips, Adam with a cosine schedule. Runs last minutes, so there is no
checkpoint: a run that `minutes` stops is written as it stands.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Generator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from enhancer.data.thumbnails import ThumbnailConfig, Thumbnails, make_thumbnails
from enhancer.engine.device import choose_device, describe_device
from enhancer.models.archs.pixelrsr import PixelRSR, PixelRSRRegressor
from enhancer.models.registry import architectures
from enhancer.models.weights import load_state_dict, read_header
from enhancer.train.export import export_model
from enhancer.train.fit import FitProgress, FitResult
from enhancer.train.optimization import learning_rate, set_learning_rate
from enhancer.train.recipe import Recipe, RecipeError, ScheduleConfig, load_recipe

log = logging.getLogger(__name__)

OBJECTIVES = ("pixelrsr", "conditioning", "l2")
_SHARED_KEYS = ("name", "arch", "scales", "trainer", "data", "validation")


@dataclass(frozen=True)
class PixelRSRFitConfig:
    objective: str = "pixelrsr"
    # Constructor arguments of the network (PixelRSR, or PixelRSRRegressor for "l2").
    network: Mapping[str, Any] = field(default_factory=dict)
    thumbnails: ThumbnailConfig = ThumbnailConfig()
    iterations: int = 1000
    batch_size: int = 16
    lr: float = 1e-3
    min_lr: float = 1e-5
    warmup: int = 50
    clip_norm: float = 5.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective = {self.objective!r} is not one of {', '.join(OBJECTIVES)}")
        if self.iterations < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError("iterations, batch_size and lr must be positive")

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> PixelRSRFitConfig:
        """The config from a recipe's own keys; unknown keys are refused, not ignored."""
        values = {key: value for key, value in table.items() if key not in _SHARED_KEYS}
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown pixelrsr recipe keys: {', '.join(sorted(unknown))}")
        if "thumbnails" in values:
            values["thumbnails"] = ThumbnailConfig(
                **{k: tuple(v) if isinstance(v, list) else v for k, v in values["thumbnails"].items()})
        return cls(**values)

    def build(self) -> nn.Module:
        network = PixelRSRRegressor if self.objective == "l2" else PixelRSR
        config = dict(self.network)
        if self.objective == "conditioning":
            config["prior_layers"] = 0
        return network(scale=self.thumbnails.scale, **config)

    def network_config(self) -> dict[str, Any]:
        config = dict(self.network)
        if self.objective == "conditioning":
            config["prior_layers"] = 0
        return config


def loss_of(network: nn.Module, objective: str, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
    """The training loss for a batch: `low` in [0, 1], `high` the true values 0..255 (int64)."""
    if objective == "l2":
        return F.mse_loss(network(low), high.float() / 255)
    logits, conditioning = network.logits(low, high.float() / 255)
    loss = F.cross_entropy(logits, high)
    if objective == "pixelrsr":
        loss = loss + F.cross_entropy(conditioning, high)
    return loss


def fit_pixelrsr(
    config: PixelRSRFitConfig,
    folders: Sequence[Path],
    *,
    device: torch.device,
    minutes: float | None = None,
    views: Thumbnails | None = None,
    network: nn.Module | None = None,
) -> Generator[FitProgress, None, tuple[nn.Module, int]]:
    """Train; yields after every iteration, returns (the network in eval mode on the CPU,
    iterations done). `views` replaces the views made from `folders` (tests pass tiny ones);
    `network` continues a trained network instead of a new one."""
    torch.manual_seed(config.seed)
    if views is None:
        views = make_thumbnails(folders, config.thumbnails, held_out=False)
    network = (network if network is not None else config.build()).to(device).train()
    optimizer = torch.optim.Adam(network.parameters(), lr=config.lr)
    schedule = ScheduleConfig(name="cosine", iterations=config.iterations, warmup=config.warmup,
                              min_lr=config.min_lr)
    generator = torch.Generator().manual_seed(config.seed)
    started = time.monotonic()
    done = 0
    for iteration in range(1, config.iterations + 1):
        if minutes is not None and time.monotonic() - started > 60 * minutes:
            log.info("stopping after %d iterations: %.1f minutes are up", done, minutes)
            break
        lr = learning_rate(schedule, config.lr, iteration - 1)
        set_learning_rate(optimizer, lr)
        indices = torch.randint(len(views), (config.batch_size,), generator=generator)
        low, high = views.pairs(indices, device)
        if torch.rand((), generator=generator) < 0.5:
            low, high = low.flip(-1), high.flip(-1)
        loss = loss_of(network, config.objective, low, high)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(network.parameters(), config.clip_norm)
        optimizer.step()
        done = iteration
        elapsed = time.monotonic() - started
        yield FitProgress("training", iteration, config.iterations, loss.item(), lr,
                          config.batch_size * iteration / elapsed, elapsed,
                          elapsed / iteration * (config.iterations - iteration), None)
    return network.cpu().eval(), done


def fit_pixelrsr_recipe(
    recipe: Recipe,
    *,
    scales: Sequence[int],
    checkpoint: Path,
    data: Sequence[Path] = (),
    device: str | torch.device = "auto",
    minutes: float | None = None,
    fresh: bool = False,
) -> Generator[FitProgress, None, FitResult]:
    """`enhancer train`'s trainer for pixelrsr recipes (`checkpoint` and `fresh` do not apply)."""
    try:
        config = PixelRSRFitConfig.from_table(recipe.table)
    except (TypeError, ValueError) as error:
        raise RecipeError(f"{recipe.path}: {error}") from None
    if tuple(scales) != (config.thumbnails.scale,):
        raise RecipeError(f"{recipe.path}: trains x{config.thumbnails.scale} only")
    folders = tuple(data) or recipe.data.train
    if not folders:
        raise RecipeError(f"{recipe.path}: no training data; give --data or [data] train")
    device = device if isinstance(device, torch.device) else choose_device(device)
    started = time.monotonic()
    network, done = yield from fit_pixelrsr(config, folders, device=device, minutes=minutes)
    log.info("trained %s: %s", recipe.name, asdict(config))
    return FitResult(network, config.network_config(), tuple(scales), done, config.iterations,
                     done == config.iterations, time.monotonic() - started,
                     describe_device(device), (), True)


def main(argv: Sequence[str] | None = None) -> None:
    """Continue a shipped model's training with its recipe's schedule at a lower peak rate (the
    runs here are cut short by the time a shared CPU gives them); the card adds up both runs."""
    parser = argparse.ArgumentParser(description="Continue training a pixelrsr weights file in place.")
    parser.add_argument("weights", type=Path)
    parser.add_argument("--recipe", type=Path, required=True)
    parser.add_argument("--iterations", type=int, required=True)
    parser.add_argument("--lr", type=float, required=True, help="peak learning rate of this run")
    parser.add_argument("--minutes", type=float)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    recipe = load_recipe(args.recipe)
    config = replace(PixelRSRFitConfig.from_table(recipe.table), iterations=args.iterations, lr=args.lr,
                     warmup=0, seed=recipe.table.get("seed", 0) + 1)
    header = read_header(args.weights)
    network = architectures()[header.arch].network(scale=header.scales[0], **header.config)
    network.load_state_dict(load_state_dict(header))
    started, cpu = time.monotonic(), time.process_time()
    training = fit_pixelrsr(config, recipe.data.train, device=torch.device("cpu"), minutes=args.minutes,
                            network=network)
    while True:
        try:
            progress = next(training)
        except StopIteration as finished:
            network, done = finished.value
            break
        if progress.iteration % 25 == 0:
            log.info("it %d/%d loss %.3f", progress.iteration, progress.total, progress.loss)
    card = dict(header.card)
    card["iterations"] += done
    card["planned_iterations"] += config.iterations
    card["wall_time_s"] = round(card["wall_time_s"] + time.monotonic() - started, 1)
    card["command"] += (f"; then python -m enhancer.train.pixelrsr_fit {args.weights.as_posix()} --recipe "
                        f"{args.recipe.as_posix()} --iterations {args.iterations} --lr {args.lr}")
    log.info("continued %d iterations in %.0f s of CPU", done, time.process_time() - cpu)
    export_model(network, args.weights, name=header.name, arch=header.arch, scales=header.scales,
                 config=header.config, card=card, half_precision=card.get("stored_as") == "fp16")


if __name__ == "__main__":
    main()
