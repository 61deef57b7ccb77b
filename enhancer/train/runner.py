"""Running a recipe end to end: the trainer it names, for each model it makes, then the export.

This is what `enhancer train RECIPE.toml` drives. A recipe makes one model per scale, or one model
for all its scales (`shared_scales`); each is trained by the recipe's trainer (the SGD loop of
`fit.py`, or RAISR's least-squares fit), measured on the recipe's validation folders and written
with its card.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

from enhancer import paths
from enhancer.models.weights import WeightsFile
from enhancer.train.checkpoint import checkpoint_path
from enhancer.train.export import export_model, make_card
from enhancer.train.fit import FitProgress, fit
from enhancer.train.perceptual_fit import fit_perceptual
from enhancer.train.srntt_fit import fit_srntt
from enhancer.train.pixelrsr_fit import fit_pixelrsr_recipe
from enhancer.train.raisr_recipe import fit_raisr_recipe
from enhancer.train.recipe import Recipe, RecipeError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlannedRun:
    scales: tuple[int, ...]
    output: Path


@dataclass(frozen=True)
class RunProgress:
    """Run `run` of `runs`, writing `output`, is `fraction` done; `text` says how it goes."""

    output: Path
    run: int
    runs: int
    fraction: float
    text: str


def plan_runs(recipe: Recipe, *, scale: int | None = None, out: Path | None = None) -> list[PlannedRun]:
    """The models a recipe makes, and where each is written (by default, the user models folder)."""
    if scale is not None and scale not in recipe.scales:
        raise RecipeError(f"{recipe.path}: has no x{scale}; it trains "
                          + ", ".join(f"x{s}" for s in recipe.scales))
    if recipe.shared_scales:
        groups = [recipe.scales]
    else:
        groups = [(s,) for s in recipe.scales if scale is None or s == scale]
    if out is not None and len(groups) > 1:
        raise RecipeError(f"{recipe.path}: makes one model per scale; pick one with --scale "
                          "to write it to --out")
    folder = paths.user_models_dir()
    return [
        PlannedRun(group, out if out is not None else folder / _file_name(recipe, group))
        for group in groups
    ]


def train(
    recipe: Recipe,
    runs: Sequence[PlannedRun],
    *,
    data: Sequence[Path] = (),
    device: str = "auto",
    minutes: float | None = None,
    fresh: bool = False,
    command: str = "",
) -> Generator[RunProgress, None, list[WeightsFile]]:
    """Train, measure and write every planned run; returns the weights files written.

    `minutes` bounds the whole call: a run it stops is written as it stands (its card says how
    far it got) and its checkpoint kept, and later runs wait for the next call.
    """
    trainer = _trainer(recipe)
    started = time.monotonic()
    written = []
    for number, run in enumerate(runs, start=1):
        left = None if minutes is None else max(minutes - (time.monotonic() - started) / 60, 0)
        fitting = trainer(recipe, scales=run.scales, checkpoint=checkpoint_path(run.output),
                      data=data, device=device, minutes=left, fresh=fresh)
        while True:
            try:
                progress = next(fitting)
            except StopIteration as finished:
                result = finished.value
                break
            yield RunProgress(run.output, number, len(runs), progress.iteration / progress.total,
                              _describe(progress))
        card = make_card(recipe, scales=run.scales, data=tuple(data) or recipe.data.train,
                         iterations=result.iterations, planned=result.planned,
                         seconds=result.seconds, hardware=result.hardware,
                         measurements=result.measurements, half_precision=result.half_precision,
                         command=command)
        written.append(export_model(result.network, run.output, name=recipe.name, arch=recipe.arch,
                                    scales=run.scales, config=result.config, card=card,
                                    half_precision=result.half_precision))
        log.info("wrote %s", run.output)
        if not result.finished:
            log.info("%s stopped at iteration %d of %d; run again to resume", run.output.name,
                     result.iterations, result.planned)
            break
        checkpoint_path(run.output).unlink(missing_ok=True)
    return written


def _trainer(recipe: Recipe):
    """The generator function that trains the recipe's models (see `fit` for its signature)."""
    if recipe.trainer == "raisr":
        return fit_raisr_recipe
    if recipe.trainer == "pixelrsr":
        return fit_pixelrsr_recipe
    if recipe.trainer == "perceptual":
        return fit_perceptual
    if recipe.trainer == "srntt":
        return fit_srntt
    return fit


def _file_name(recipe: Recipe, scales: tuple[int, ...]) -> str:
    return f"{recipe.name}.safetensors" if len(scales) > 1 else f"{recipe.name}-x{scales[0]}.safetensors"


def _describe(progress: FitProgress) -> str:
    if progress.stage != "training":
        return f"{progress.stage} at iteration {progress.iteration}"
    text = (f"it {progress.iteration}/{progress.total} loss {progress.loss:.3g} "
            f"lr {progress.lr:.2g} {progress.patches_per_second:.0f} patches/s")
    if progress.validation is not None:
        text += f" val {progress.validation:.2f} dB"
    return text
