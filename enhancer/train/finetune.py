"""Fine-tuning a shipped model on the user's own photos, as a generator.

The run is the training loop of `fit.py` with a recipe derived from the base model: its recipe's
patch and batch sizes, loss and weight average, its network configuration, its peak learning rate
(times `lr_factor`) warmed up and annealed to zero over the run, and the base weights as the
starting point: a warm restart of the base model's own training, on the user's photos (for a
perceptual model, with its recipe's content and adversarial terms: `finetune_objective`). A time
budget is turned into iterations by timing a few training steps first (`finetune_speed`, which
also picks the CPU thread count), so the schedule ends when the time does; from a quarter, a half
and three quarters into the budget on, the plan is made again when the speed the run itself has
measured says it is off (another program may have started or stopped meanwhile), and the run goes
on from a checkpoint under the new plan. The starting point is handed over as a checkpoint at iteration 0, which is
also what makes a fine-tune resumable after a cancel, a crash or closing the app: every later
session resumes the latest checkpoint of the same output name, with the latest plan.

About a tenth of the photos is held out (see `finetune_photos`); the base model is scored on them
before training, the fine-tuned one after, with the benchmark code, and both figures go on the card.
The model is saved to the user models folder under its new name, so `resolve` finds it at once.
"""

from __future__ import annotations

import errno
import json
import logging
import shutil
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import torch

from enhancer import paths
from enhancer.engine.device import choose_device
from enhancer.engine.generators import run_to_end
from enhancer.engine.upscaler import Upscaler
from enhancer.imaging.io import photo_to_tensors, read_image
from enhancer.models.catalog import PERCEPTUAL_KINDS
from enhancer.models.importing import ModelImportError, check_new_name
from enhancer.models.registry import (
    ResolvedModel,
    UnknownModelError,
    architectures,
    resolve,
    weights_files,
)
from enhancer.models.weights import WeightsFile, load_state_dict
from enhancer.train.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from enhancer.train.ema import WeightAverage
from enhancer.train.evaluate import make_lr, mod_crop
from enhancer.train.export import export_model, make_card
from enhancer.train.finetune_photos import link_photos, split_photos, survey_photos, write_crops
from enhancer.train.finetune_speed import (
    COLLAPSE_FRACTION,
    TrainingSpeed,
    measure_speed,
    planned_iterations,
)
from enhancer.train.finetune_objective import (
    FeatureNetworkError,
    base_recipe,
    derive_objective,
    is_perceptual,
)
from enhancer.train.fit import FitProgress, FitResult, checkpoint_fingerprint, fit, translated
from enhancer.train.optimization import make_optimizer
from enhancer.train.perceptual_fit import PerceptualObjective, perceptual_plan
from enhancer.train.recipe import (
    DataConfig,
    Recipe,
    ScheduleConfig,
    ValidationConfig,
)
from enhancer.train.validation import score

log = logging.getLogger(__name__)

DEGRADATIONS = ("bicubic",)
# Fine-tuned by their recipe's objective: a pixel loss, or content and adversarial terms.
TRAINABLE_KINDS = ("cnn", *PERCEPTUAL_KINDS)
PREVIEW_SIDE = 48  # LR pixels of the preview crop
# Held-out scores per run when `validate_every` is not given (besides the before and after ones).
VALIDATIONS = 4
# Iterations of learning-rate warm-up: Adam starts afresh, with no gradient statistics yet.
WARMUP_ITERATIONS = 100
# Fractions of a time budget from which the plan is checked against the speed measured in the
# run, and made again when it is off by more than REPLAN_TOLERANCE (not in the last tenth).
REPLAN_AT = (0.25, 0.5, 0.75)
REPLAN_TOLERANCE = 0.1
REPLAN_UNTIL = 0.9
# A session's speed is trusted once it has trained this fraction of the budget.
REPLAN_WINDOW = 0.1
# Of the time left, the share planned for (the checkpoint saved when time is up takes some).
REPLAN_SHARE = 0.95


class FinetuneError(ValueError):
    """A fine-tune that cannot start or finish; the message says why and what is kept."""


@dataclass(frozen=True)
class FinetuneConfig:
    base: str
    scale: int
    photos: tuple[Path, ...]
    name: str
    # The budget: whichever comes first (at least one is needed).
    minutes: float | None = None
    iterations: int | None = None
    degradation: str = "bicubic"
    device: str = "auto"
    # The fine-tune's peak learning rate as a fraction of the base recipe's. Measured for ESPCN x4
    # over 4000-6000 iterations: 0.1 and 0.3 learn too little, 1 and 2 gain most, 4 diverges
    # on text; 1 is the rate every shipped recipe is known to train stably with.
    lr_factor: float = 1.0
    # None: the base recipe's.
    patch_size: int | None = None
    batch_size: int | None = None
    # Iterations between held-out scores; None: VALIDATIONS in the run.
    validate_every: int | None = None
    # A perceptual model's feature network: None keeps its recipe's (EfficientNet-Lite0, installed
    # with the app); the path of a torchvision VGG16/VGG19 file uses the papers' network.
    features: Path | None = None
    checkpoint_minutes: float = 0.5
    fresh: bool = False
    command: str = ""

    def __post_init__(self) -> None:
        if self.minutes is None and self.iterations is None:
            raise FinetuneError("give a budget: minutes or iterations")
        if self.degradation not in DEGRADATIONS:
            raise FinetuneError(f"degradation {self.degradation!r} is not one of "
                                + ", ".join(DEGRADATIONS))
        if not self.photos:
            raise FinetuneError("choose at least one photo folder")
        if self.lr_factor <= 0:
            raise FinetuneError(f"the learning-rate factor must be positive, not {self.lr_factor}")

    @property
    def output(self) -> Path:
        return paths.user_models_dir() / f"{self.name}-x{self.scale}.safetensors"


@dataclass(frozen=True)
class FinetunePreview:
    """One crop of a held-out photo, (1, 3, H, W) float32 RGB: the truth, the base model's
    output and the fine-tuned model's at its latest checkpoint."""

    truth: torch.Tensor
    before: torch.Tensor
    after: torch.Tensor
    iteration: int


@dataclass(frozen=True)
class FinetuneProgress:
    """`stage`: "checking", "scoring", "training", "validating", "measuring" or "saving".

    `fraction` is of the whole budget; `validation` the latest held-out PSNR-Y (the base's until
    the first validation); `preview` is set when a new one was made.
    """

    stage: str
    fraction: float
    text: str
    iteration: int = 0
    loss: float | None = None
    validation: float | None = None
    preview: FinetunePreview | None = None


@dataclass(frozen=True)
class FinetuneResult:
    weights: WeightsFile
    before: float
    after: float
    photos: int
    held_out: int
    iterations: int
    seconds: float
    skipped: tuple[str, ...] = field(default=())


def trainable_models(scale: int | None = None) -> list[str]:
    """Names of the models a fine-tune can start from (networks trained by gradient descent)."""
    names = []
    for weights in weights_files():
        spec = architectures()[weights.arch]
        if spec.kind in TRAINABLE_KINDS and (scale is None or weights.serves(scale)) \
                and weights.name not in names:
            names.append(weights.name)
    return names


def finetune(config: FinetuneConfig) -> Generator[FinetuneProgress, None, FinetuneResult]:
    """Fine-tune `config.base` on `config.photos` and save it as user model `config.name`."""
    try:
        check_new_name(config.name)
    except ModelImportError as error:
        raise FinetuneError(str(error)) from None
    base = _base_model(config)
    draft = derive_recipe(base, config)
    data = draft.data
    objective = _objective(base, config)
    device = choose_device(config.device)
    work = paths.user_data_dir() / "finetune" / config.output.stem
    checkpoint = checkpoint_path(config.output)
    if config.fresh:
        checkpoint.unlink(missing_ok=True)

    yield FinetuneProgress("checking", 0.0, "checking the photos")
    survey = yield from translated(
        survey_photos(config.photos, min_side=data.patch_size),
        lambda done: FinetuneProgress("checking", 0.0, f"checked {done} photos"))
    split = split_photos(survey.usable)
    train_folder = link_photos(split.training, work / "train")
    held_out = write_crops(split.held_out, work / "held-out")

    yield FinetuneProgress("checking", 0.0, "timing training steps")
    speed = measure_speed(base.build(), channels=1 if base.spec.color_space == "y" else 3,
                          scale=config.scale, patch_size=data.patch_size,
                          batch_size=data.batch_size, device=device,
                          objective=None if objective is None else (objective, draft))
    planned = _planned_iterations(config, speed, work, checkpoint)
    every = config.validate_every or max(planned // (VALIDATIONS + 1), 1)
    recipe = replace(draft, schedule=_schedule(planned),
                     validation=ValidationConfig(folders=(held_out,), every=every))
    threads = torch.get_num_threads()
    torch.set_num_threads(speed.threads)
    try:
        before = yield from _before_score(base, recipe, objective, config, checkpoint, work,
                                          held_out, device)
        preview = _Preview(base, recipe, split.held_out[0])
        result, recipe, planned = yield from _sessions(recipe, objective, config, planned, speed,
                                                       work, train_folder, device, preview)
    finally:
        torch.set_num_threads(threads)

    yield FinetuneProgress("saving", 1.0, f"saving {config.name}")
    after = result.measurements[0].psnr_y
    card = make_card(recipe, scales=(config.scale,), data=config.photos,
                     iterations=result.iterations, planned=planned,
                     seconds=result.seconds, hardware=result.hardware,
                     measurements=result.measurements, half_precision=result.half_precision,
                     command=config.command or _command(config))
    card.update({
        "base_model": base.name,
        "photos": len(survey.usable),
        "held_out_photos": len(split.held_out),
        "held_out_psnr_before": round(before, 2),
        "held_out_psnr_after": round(after, 2),
        "degradation": config.degradation,
        "notes": (f"Fine-tuned from {base.name} x{config.scale} on {len(split.training)} of "
                  f"{len(survey.usable)} photos; the other {len(split.held_out)} scored it: "
                  f"{before:.2f} dB before, {after:.2f} dB after (PSNR-Y)."),
    })
    try:
        weights = export_model(result.network, config.output, name=config.name, arch=recipe.arch,
                               scales=(config.scale,), config=result.config, card=card,
                               half_precision=result.half_precision)
    except OSError as error:
        raise _disk_error(error, checkpoint) from error
    checkpoint.unlink(missing_ok=True)
    shutil.rmtree(work, ignore_errors=True)
    log.info("fine-tuned %s: held-out %.2f dB -> %.2f dB", config.name, before, after)
    return FinetuneResult(weights, before, after, len(survey.usable), len(split.held_out),
                          result.iterations, result.seconds,
                          survey.unreadable + tuple(f"{p}: too small" for p in survey.too_small))


def _sessions(recipe: Recipe, objective: PerceptualObjective | None, config: FinetuneConfig,
              planned: int, speed: TrainingSpeed, work: Path, train_folder: Path,
              device: torch.device, preview: _Preview,
              ) -> Generator[FinetuneProgress, None, tuple[FitResult, Recipe, int]]:
    """Run `fit` from the checkpoint until it finishes, stopping it only to re-plan; the result,
    with the recipe and plan it finished under."""
    checkpoint = checkpoint_path(config.output)
    while True:
        state = load_checkpoint(checkpoint)
        minutes_left = None
        if config.minutes is not None:
            minutes_left = max(config.minutes - state["seconds"] / 60, 0.0)
        fitting = fit(recipe, scales=(config.scale,), checkpoint=checkpoint, data=(train_folder,),
                      device=device, minutes=minutes_left, objective=objective)
        try:
            outcome = yield from _training(fitting, config, planned, speed, state, checkpoint,
                                           preview)
            if isinstance(outcome, FitResult):
                return outcome, recipe, planned
            fitting.close()  # fit saves a checkpoint at the iteration reached
            planned = outcome
            recipe = _replanned(recipe, objective, planned, checkpoint, work)
        except GeneratorExit:
            fitting.close()  # fit saves a checkpoint
            raise
        except OSError as error:
            raise _disk_error(error, checkpoint) from error


def derive_recipe(base: ResolvedModel, config: FinetuneConfig, *, iterations: int = 1) -> Recipe:
    """The base model's recipe (when the card names one that is here) turned into a fine-tune of
    `iterations`, over which the learning rate warms up and is annealed to zero. Of a perceptual
    recipe, the generator's part (its objective is `_objective`'s)."""
    original = base_recipe(base)
    if is_perceptual(original):
        original, _ = perceptual_plan(original)
    if original is None or original.trainer != "sgd":
        original = Recipe(path=Path(f"{base.spec.id}.toml"), name=base.name, arch=base.spec.id,
                          scales=(config.scale,), data=DataConfig(patch_size=48, batch_size=16),
                          ema=0.999)
    return replace(
        original,
        name=config.name,
        arch=base.spec.id,
        scales=(config.scale,),
        shared_scales=False,
        network=dict(base.weights.config),
        data=DataConfig(patch_size=config.patch_size or original.data.patch_size,
                        batch_size=config.batch_size or original.data.batch_size),
        optimizer=replace(original.optimizer, lr=original.optimizer.lr * config.lr_factor),
        schedule=_schedule(iterations),
        checkpoint_minutes=config.checkpoint_minutes,
        progress_every=min(original.progress_every, 10),
    )


def _schedule(iterations: int) -> ScheduleConfig:
    return ScheduleConfig(name="cosine", iterations=iterations,
                          warmup=min(WARMUP_ITERATIONS, iterations // 10), min_lr=0.0)


def _objective(base: ResolvedModel, config: FinetuneConfig) -> PerceptualObjective | None:
    """A perceptual base model's objective; None: the pixel loss of `derive_recipe`'s recipe."""
    recipe = base_recipe(base)
    if config.features is not None and not is_perceptual(recipe):
        raise FinetuneError(f"{base.name} is trained with a pixel loss; a feature network is "
                            "only for perceptual models")
    try:
        return derive_objective(recipe, config.features)
    except FeatureNetworkError as error:
        raise FinetuneError(str(error)) from None


def _base_model(config: FinetuneConfig) -> ResolvedModel:
    try:
        base = resolve(config.base, config.scale)
    except UnknownModelError as error:
        raise FinetuneError(str(error)) from None
    if base.weights is None or config.base not in trainable_models(config.scale):
        raise FinetuneError(f"{config.base} cannot be fine-tuned; trainable models: "
                            + ", ".join(trainable_models(config.scale)))
    return base


def _planned_iterations(config: FinetuneConfig, speed: TrainingSpeed, work: Path,
                        checkpoint: Path) -> int:
    """The run's length in iterations: the iteration budget, or what the time budget holds at the
    measured speed, whichever is less; a resumed run keeps its first session's plan."""
    remembered = work / "plan.json"
    if remembered.is_file() and load_checkpoint(checkpoint) is not None:
        return json.loads(remembered.read_text())["iterations"]
    budgets = [config.iterations] if config.iterations else []
    if config.minutes is not None:
        budgets.append(planned_iterations(speed, config.minutes))
    planned = min(budgets)
    log.info("planning %d iterations with %d thread(s) at %.1f it/s", planned, speed.threads,
             speed.iterations_per_second)
    _remember_plan(planned, work, checkpoint)
    return planned


def _replanned(recipe: Recipe, objective: PerceptualObjective | None, planned: int,
               checkpoint: Path, work: Path) -> Recipe:
    """`recipe` annealed over `planned` iterations instead, and the checkpoint handed over to it
    (the weights, optimiser state and iteration go on; only the schedule's length changes)."""
    replanned = replace(recipe, schedule=_schedule(planned))
    state = load_checkpoint(checkpoint)
    state["fingerprint"] = checkpoint_fingerprint(replanned, objective)
    save_checkpoint(checkpoint, state)
    _remember_plan(planned, work, checkpoint)
    log.info("planning %d iterations from iteration %d on", planned, state["iteration"])
    return replanned


def _remember_plan(planned: int, work: Path, checkpoint: Path) -> None:
    try:
        (work / "plan.json").write_text(json.dumps({"iterations": planned}))
    except OSError as error:
        raise _disk_error(error, checkpoint) from error


def _before_score(base: ResolvedModel, recipe: Recipe, objective: PerceptualObjective | None,
                  config: FinetuneConfig, checkpoint: Path, work: Path, held_out: Path,
                  device: torch.device) -> Generator[FinetuneProgress, None, float]:
    """The base model's held-out PSNR; on a first session, also the checkpoint to start from."""
    remembered = work / "before.json"
    resuming = load_checkpoint(checkpoint) is not None
    if resuming and remembered.is_file():
        return json.loads(remembered.read_text())["psnr_y"]
    network = base.build()
    result = yield from translated(
        score(network, name=base.name, spec=base.spec, config=recipe.network, scale=config.scale,
              folder=held_out, device=device),
        lambda p: FinetuneProgress("scoring", 0.0, f"scoring {base.name} {p.done}/{p.total}"))
    try:
        if not resuming:
            save_checkpoint(checkpoint, _starting_state(network, recipe, objective, result.psnr_y))
        remembered.write_text(json.dumps({"psnr_y": result.psnr_y}))
    except OSError as error:
        raise _disk_error(error, checkpoint) from error
    return result.psnr_y


def _starting_state(network: torch.nn.Module, recipe: Recipe,
                    objective: PerceptualObjective | None, validation: float) -> dict[str, Any]:
    """A checkpoint at iteration 0 holding the base weights, in the layout `fit` resumes (no
    objective state: a discriminator starts afresh)."""
    average = WeightAverage(network, decay=recipe.ema) if recipe.ema else None
    return {
        "fingerprint": checkpoint_fingerprint(recipe, objective),
        "iteration": 0,
        "seconds": 0.0,
        "validation": validation,
        "network": network.state_dict(),
        "optimizer": make_optimizer(recipe.optimizer, network.parameters()).state_dict(),
        "average": average.state_dict() if average is not None else {},
    }


def _training(fitting: Generator[FitProgress, None, FitResult], config: FinetuneConfig,
              planned: int, speed: TrainingSpeed, start: Mapping[str, Any], checkpoint: Path,
              preview: _Preview) -> Generator[FinetuneProgress, None, FitResult | int]:
    """Drive one session of `fit` from the checkpoint state `start`; its result, or a new plan
    (the iterations the time budget holds at the speed this session measured) when the current
    one is too far off."""
    seen = checkpoint.stat().st_mtime_ns if checkpoint.is_file() else 0
    first = True
    while True:
        try:
            progress = next(fitting)
        except StopIteration as finished:
            return finished.value
        replan = _better_plan(progress, config, planned, start)
        if replan is not None:
            return replan
        if progress.stage == "training" and torch.get_num_threads() > 1 \
                and progress.patches_per_second < COLLAPSE_FRACTION * speed.patches_per_second:
            log.warning("training slowed to %.0f patches/s with %d threads (other programs are "
                        "busy); going on with one", progress.patches_per_second,
                        torch.get_num_threads())
            torch.set_num_threads(1)
        made = None
        stamp = checkpoint.stat().st_mtime_ns if checkpoint.is_file() else 0
        if first or stamp != seen:
            made, seen, first = preview.at(load_checkpoint(checkpoint)), stamp, False
        yield FinetuneProgress(progress.stage, _fraction(progress, config, planned),
                               _describe(progress), progress.iteration, progress.loss,
                               progress.validation, made)


def _better_plan(progress: FitProgress, config: FinetuneConfig, planned: int,
                 start: Mapping[str, Any]) -> int | None:
    if progress.stage != "training" or config.minutes is None:
        return None
    budget = 60 * config.minutes
    due = any(start["seconds"] < fraction * budget <= progress.elapsed for fraction in REPLAN_AT)
    measured = progress.elapsed - start["seconds"]
    if not due or progress.elapsed > REPLAN_UNTIL * budget or measured < REPLAN_WINDOW * budget:
        return None
    rate = (progress.iteration - start["iteration"]) / max(measured, 1e-9)
    estimate = progress.iteration + int(rate * (budget - progress.elapsed) * REPLAN_SHARE)
    estimate = min(estimate, config.iterations or estimate)
    if abs(estimate - planned) <= REPLAN_TOLERANCE * planned:
        return None
    log.info("%.1f it/s measured in the run: %d iterations fit the budget, not %d", rate,
             estimate, planned)
    return estimate


def _fraction(progress: FitProgress, config: FinetuneConfig, planned: int) -> float:
    fractions = [progress.iteration / planned]
    if config.minutes is not None:
        fractions.append(progress.elapsed / max(60 * config.minutes, 1e-9))
    return min(max(fractions), 1.0)


def _describe(progress: FitProgress) -> str:
    if progress.stage != "training":
        return f"{progress.stage} at iteration {progress.iteration}"
    text = f"iteration {progress.iteration} loss {progress.loss:.3g}"
    if progress.validation is not None:
        text += f" held-out {progress.validation:.2f} dB"
    return text


class _Preview:
    """Before/after crops of one held-out photo, the "after" from the latest checkpoint."""

    def __init__(self, base: ResolvedModel, recipe: Recipe, photo: Path) -> None:
        self._spec = replace(base.spec, network=partial(base.spec.network, **recipe.network))
        self._scale = base.scale
        image = mod_crop(photo_to_tensors(read_image(photo))[0], base.scale)
        side = PREVIEW_SIDE * base.scale
        top = max((image.shape[-2] - side) // 2 // base.scale * base.scale, 0)
        left = max((image.shape[-1] - side) // 2 // base.scale * base.scale, 0)
        self._truth = image[..., top:top + side, left:left + side]
        self._low = make_lr(self._truth, base.scale)
        self._before = self._upscale(load_state_dict(base.weights))

    def at(self, state: Mapping[str, Any] | None) -> FinetunePreview | None:
        if state is None:
            return None
        weights = state["average"]["network"] if state["average"] else state["network"]
        return FinetunePreview(self._truth, self._before, self._upscale(weights),
                               state["iteration"])

    def _upscale(self, weights: Mapping[str, torch.Tensor]) -> torch.Tensor:
        upscaler = Upscaler(ResolvedModel("preview", self._spec, self._scale, None), device="cpu",
                            precision="fp32", tile=0)
        upscaler.network.load_state_dict(weights)
        return run_to_end(upscaler.enhance(self._low.clamp(0, 1)))


def _disk_error(error: OSError, checkpoint: Path) -> FinetuneError:
    kept = f"the last checkpoint is kept ({checkpoint})" if checkpoint.is_file() else "nothing was saved"
    if error.errno == errno.ENOSPC:
        return FinetuneError(f"the disk is full; free some space and start again to resume; {kept}")
    return FinetuneError(f"cannot write {error.filename or 'a file'} ({error.strerror or error}); {kept}")


def _command(config: FinetuneConfig) -> str:
    words = ["enhancer", "finetune", "-m", config.base, "-s", str(config.scale), "--photos",
             *(Path(p).as_posix() for p in config.photos), "--out", config.name]
    if config.minutes is not None:
        words += ["--minutes", f"{config.minutes:g}"]
    if config.iterations is not None:
        words += ["--iterations", str(config.iterations)]
    if config.features is not None:
        words += ["--features", Path(config.features).as_posix()]
    return " ".join([*words, "--lr-factor", f"{config.lr_factor:g}"])

