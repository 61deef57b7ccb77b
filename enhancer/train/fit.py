"""The training loop of the CNN models, as a generator.

`fit` yields a `FitProgress` every few iterations and returns a `FitResult`; the CLI draws it as a
progress bar and the GUI's fine-tune dialog drives the same generator from its worker. Closing the
generator (the GUI's cancel) or a Ctrl+C inside it saves a checkpoint first; the next run of the
same recipe for the same output resumes from it and continues exactly as if never stopped: the
batches and the learning rate are functions of the iteration number, and the weights, optimiser
state and weight average are in the checkpoint.

On CUDA the forward and backward passes run under bf16 autocast with channels_last tensors, and
the training photos and their LR versions live on the GPU, so the GPU is not left waiting.

What a step minimises is an `Objective`: by default the recipe's pixel loss; the perceptual
trainer (`perceptual_fit.py`) passes one with feature, texture and adversarial terms and its own
discriminator, and gets the same schedule, checkpoints, weight average and measurement.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import torch
from torch import nn

from enhancer.data.folders import load_images
from enhancer.data.patches import PatchBatch, PatchSampler
from enhancer.engine.device import choose_device, describe_device
from enhancer.engine.generators import run_to_end
from enhancer.models.registry import architectures
from enhancer.models.spec import ArchSpec
from enhancer.train.checkpoint import load_checkpoint, save_checkpoint
from enhancer.train.ema import WeightAverage
from enhancer.train.evaluate import BenchResult
from enhancer.train.losses import Loss, make_loss
from enhancer.train.optimization import (
    clip_gradients,
    learning_rate,
    make_optimizer,
    set_learning_rate,
)
from enhancer.train.recipe import Recipe, RecipeError
from enhancer.train.validation import measure, score

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class FitProgress:
    """Where a run stands. `stage` is "training", "validating" or "measuring"; `elapsed` and
    `eta` are seconds (over every resumed session); `validation` is the latest PSNR-Y on the
    recipe's first validation folder, if one was scored yet."""

    stage: str
    iteration: int
    total: int
    loss: float | None
    lr: float
    patches_per_second: float
    elapsed: float
    eta: float | None
    validation: float | None


@dataclass(frozen=True)
class FitResult:
    """The trained network (CPU, float32, eval mode; the weight average when the recipe keeps
    one) and what its card needs."""

    network: nn.Module
    # The network's constructor arguments, stored in the weights' metadata.
    config: Mapping[str, Any]
    scales: tuple[int, ...]
    iterations: int
    planned: int
    finished: bool
    seconds: float
    hardware: str
    measurements: tuple[BenchResult, ...]
    # Whether fp16 storage moves no measurement by more than 0.01 dB (see validation.measure).
    half_precision: bool


class Objective(Protocol):
    """What the optimisation steps of `fit` minimise, with any state of its own (a discriminator
    and its optimiser) that the checkpoint must keep."""

    # Mixed into the recipe's fingerprint: a checkpoint resumes only under the same objective.
    fingerprint: str

    def start(self, network: nn.Module, device: torch.device) -> None:
        """Called once the network is built on `device`, before a checkpoint is restored."""

    def step(self, network: nn.Module, optimizer: torch.optim.Optimizer, batch: PatchBatch,
             recipe: Recipe, lr: float, *, fast: bool) -> torch.Tensor:
        """One optimisation step on `batch`; returns the loss (on the device, not waited for)."""

    def state_dict(self) -> dict: ...

    def load_state_dict(self, state: dict) -> None: ...


class PixelObjective:
    """The recipe's pixel loss (MSE, L1 or Charbonnier) between the output and the HR patch."""

    fingerprint = ""

    def __init__(self, loss: Loss) -> None:
        self.loss = loss

    def start(self, network: nn.Module, device: torch.device) -> None:
        pass

    def step(self, network: nn.Module, optimizer: torch.optim.Optimizer, batch: PatchBatch,
             recipe: Recipe, lr: float, *, fast: bool) -> torch.Tensor:
        inputs = batch.lr.contiguous(memory_format=torch.channels_last) if fast else batch.lr
        with torch.autocast(inputs.device.type, dtype=torch.bfloat16, enabled=fast):
            output = network(inputs)
        loss = self.loss(output.float(), batch.hr)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        clip_gradients(network.parameters(), recipe.optimizer, lr)
        optimizer.step()
        return loss

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass


def checkpoint_fingerprint(recipe: Recipe, objective: Objective | None = None) -> str:
    """What a checkpoint resumes only under: the recipe and the objective (None: its pixel loss)."""
    return recipe.fingerprint() + (objective or PixelObjective).fingerprint


def fit(
    recipe: Recipe,
    *,
    scales: Sequence[int],
    checkpoint: Path,
    data: Sequence[Path] = (),
    device: str | torch.device = "auto",
    minutes: float | None = None,
    fresh: bool = False,
    objective: Objective | None = None,
) -> Generator[FitProgress, None, FitResult]:
    """Train the recipe's network for `scales` (one scale, or all of them for a shared model).

    `data` replaces the recipe's training folders; `minutes` stops this session after that much
    wall time (checkpointed, to be resumed); `fresh` ignores an existing checkpoint; `objective`
    replaces the recipe's pixel loss.
    """
    spec = trainable_spec(recipe)
    scales = tuple(scales)
    device = device if isinstance(device, torch.device) else choose_device(device)
    fast = device.type == "cuda" and recipe.precision in ("auto", "bf16")
    network = _build(recipe, spec, scales).to(device)
    if fast:
        network = network.to(memory_format=torch.channels_last)
    objective = objective or PixelObjective(make_loss(recipe.loss.name, epsilon=recipe.loss.epsilon))
    objective.start(network, device)
    optimizer = make_optimizer(recipe.optimizer, network.parameters())
    average = WeightAverage(network, decay=recipe.ema) if recipe.ema else None
    fingerprint = checkpoint_fingerprint(recipe, objective)

    start, seconds_before, validation = 0, 0.0, None
    state = None if fresh else load_checkpoint(checkpoint)
    if state is not None:
        _restore(state, recipe, fingerprint, checkpoint, network, optimizer, average)
        objective.load_state_dict(state.get("objective", {}))
        start, seconds_before = state["iteration"], state["seconds"]
        validation = state["validation"]

    folders = tuple(data) or recipe.data.train
    if not folders:
        raise RecipeError(f"{recipe.path}: no training data; give --data or [data] train")
    sampler = PatchSampler(load_images(folders), scales=scales, patch_size=recipe.data.patch_size,
                           batch_size=recipe.data.batch_size, color_space=spec.color_space,
                           device=device, seed=recipe.seed)
    total = recipe.schedule.iterations
    session_started = time.monotonic()
    last_saved = session_started
    window_started, window_iterations = session_started, 0
    window_loss = torch.zeros((), device=device)
    done = start

    def elapsed() -> float:
        return seconds_before + time.monotonic() - session_started

    def save() -> None:
        nonlocal last_saved
        save_checkpoint(checkpoint, {
            "fingerprint": fingerprint,
            "iteration": done,
            "seconds": elapsed(),
            "validation": validation,
            "network": network.state_dict(),
            "optimizer": optimizer.state_dict(),
            "average": average.state_dict() if average is not None else {},
            "objective": objective.state_dict(),
        })
        last_saved = time.monotonic()

    exported = average.network if average is not None else network
    try:
        network.train()
        while done < total:
            if minutes is not None and time.monotonic() - session_started >= 60 * minutes:
                log.info("time limit of %g minutes reached at iteration %d", minutes, done)
                break
            lr = learning_rate(recipe.schedule, recipe.optimizer.lr, done)
            set_learning_rate(optimizer, lr)
            batch = sampler.batch(done)
            if recipe.shared_scales:
                network.scale = batch.scale
            loss = objective.step(network, optimizer, batch, recipe, lr, fast=fast)
            if average is not None:
                average.update(network)
            window_loss += loss.detach()
            window_iterations += 1
            done += 1

            if done % recipe.progress_every == 0 or done == total:
                mean_loss = window_loss.item() / window_iterations  # waits for the device
                now = time.monotonic()
                rate = window_iterations / max(now - window_started, 1e-9)
                window_started, window_iterations = now, 0
                window_loss = torch.zeros((), device=device)
                yield FitProgress("training", done, total, mean_loss, lr,
                                  rate * recipe.data.batch_size, elapsed(),
                                  (total - done) / rate, validation)
            if recipe.validation.every and done % recipe.validation.every == 0 \
                    and recipe.validation.folders and done < total:
                yield FitProgress("validating", done, total, None, lr, 0.0, elapsed(), None,
                                  validation)
                validating_since = time.monotonic()
                validation = _validate(exported, recipe, spec, max(scales), device)
                window_started += time.monotonic() - validating_since  # not training time
            if time.monotonic() - last_saved >= 60 * recipe.checkpoint_minutes:
                save()
        save()
    except (KeyboardInterrupt, GeneratorExit):
        save()
        raise

    finished = done >= total
    seconds = elapsed()
    result_network = _cpu_copy(exported)
    measuring = FitProgress("measuring", done, total, None, 0.0, 0.0, seconds, None, validation)
    measurements, half_precision = yield from translated(
        measure(result_network, name=recipe.name, spec=spec, config=recipe.network,
                scales=scales, folders=recipe.validation.folders, device=device),
        lambda _: measuring)
    return FitResult(result_network, dict(recipe.network), scales, done, total, finished,
                     seconds, describe_device(device), measurements, half_precision)


def translated(generator: Generator[Item, None, Result],
               translate: Callable[[Item], FitProgress]) -> Generator[FitProgress, None, Result]:
    """Drive `generator`, yielding `translate(item)` for each of its items; return its result."""
    while True:
        try:
            item = next(generator)
        except StopIteration as finished:
            return finished.value
        yield translate(item)


def trainable_spec(recipe: Recipe) -> ArchSpec:
    """The recipe's architecture, checked to be trainable at the recipe's scales."""
    spec = architectures().get(recipe.arch)
    if spec is None or not spec.needs_weights:
        raise RecipeError(f"{recipe.path}: arch = {recipe.arch!r} is not a trainable architecture")
    unknown = sorted(set(recipe.scales) - set(spec.scales))
    if unknown:
        raise RecipeError(f"{recipe.path}: {spec.id} has no x{unknown[0]}")
    return spec


def _build(recipe: Recipe, spec: ArchSpec, scales: tuple[int, ...]) -> nn.Module:
    """The network with the recipe's seed as its initialisation, the global RNG left as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(recipe.seed)
        try:
            network = spec.network(scale=scales[0], **recipe.network)
        except TypeError as error:
            raise RecipeError(f"{recipe.path}: [network] {error}") from None
        if len(scales) > 1:
            # One set of weights for every scale: only a network that upsamples before it
            # learns anything (VDSR, SRCNN) has weights that do not depend on the scale.
            other = spec.network(scale=scales[-1], **recipe.network)
            shapes = [{k: v.shape for k, v in n.state_dict().items()} for n in (network, other)]
            if not hasattr(network, "scale") or shapes[0] != shapes[1]:
                raise RecipeError(f"{recipe.path}: {spec.id} cannot share weights across "
                                  "scales; set shared_scales = false")
    return network


def _restore(state: dict, recipe: Recipe, fingerprint: str, checkpoint: Path, network: nn.Module,
             optimizer: torch.optim.Optimizer, average: WeightAverage | None) -> None:
    if state["fingerprint"] != fingerprint:
        raise RecipeError(f"{checkpoint} was saved by another version of {recipe.path.name}; "
                          "start afresh (--fresh) or restore that recipe")
    network.load_state_dict(state["network"])
    optimizer.load_state_dict(state["optimizer"])
    if average is not None:
        average.load_state_dict(state["average"])
    log.info("resuming %s from iteration %d", checkpoint.name, state["iteration"])


def _validate(network: nn.Module, recipe: Recipe, spec: ArchSpec, scale: int,
              device: torch.device) -> float:
    result = run_to_end(score(network, name=recipe.name, spec=spec, config=recipe.network,
                              scale=scale, folder=recipe.validation.folders[0], device=device))
    log.info("iteration validation: %s x%d %.3f dB", result.dataset, scale, result.psnr_y)
    return result.psnr_y


def _cpu_copy(network: nn.Module) -> nn.Module:
    copied = copy.deepcopy(network).to("cpu", torch.float32)
    return copied.to(memory_format=torch.contiguous_format).eval()
