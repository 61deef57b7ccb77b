"""RAISR recipes through `enhancer train`: the least-squares fit of `raisr_fit` as a trainer.

A RAISR recipe sets `trainer = "raisr"`; besides the keys every recipe has (name, arch, scales,
[data] train, [validation] folders), its keys are `RaisrFitConfig`'s. The fit takes minutes, so
it is neither checkpointed nor time-limited; its passes are reported as iterations.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Sequence
from pathlib import Path

import torch

from enhancer.engine.device import choose_device, describe_device
from enhancer.models.registry import architectures
from enhancer.train.fit import FitProgress, FitResult, translated
from enhancer.train.raisr_fit import RaisrFitConfig, fit_raisr
from enhancer.train.recipe import Recipe, RecipeError
from enhancer.train.validation import measure

_SHARED_KEYS = ("name", "trainer", "data", "validation")


def fit_raisr_recipe(
    recipe: Recipe,
    *,
    scales: Sequence[int],
    checkpoint: Path,
    data: Sequence[Path] = (),
    device: str | torch.device = "auto",
    minutes: float | None = None,
    fresh: bool = False,
) -> Generator[FitProgress, None, FitResult]:
    """Fit one scale's filters (`checkpoint`, `minutes` and `fresh` do not apply)."""
    (scale,) = scales
    own = {key: value for key, value in recipe.table.items() if key not in _SHARED_KEYS}
    try:
        config = RaisrFitConfig.from_recipe(own, scale=scale)
    except (TypeError, ValueError) as error:
        raise RecipeError(f"{recipe.path}: {error}") from None
    folders = tuple(data) or recipe.data.train
    if not folders:
        raise RecipeError(f"{recipe.path}: no training data; give --data or [data] train")
    device = device if isinstance(device, torch.device) else choose_device(device)
    started = time.monotonic()

    passes = config.passes

    def progress(step) -> FitProgress:
        done = passes.index(step.stage) * step.total + step.done
        return FitProgress(step.stage, done, len(passes) * step.total, None, 0.0, 0.0,
                           time.monotonic() - started, None, None)

    network = yield from translated(fit_raisr(config, folders), progress)
    seconds = time.monotonic() - started
    spec = architectures()[recipe.arch]
    measuring = FitProgress("measuring", 1, 1, None, 0.0, 0.0, seconds, None, None)
    measurements, half_precision = yield from translated(
        measure(network, name=recipe.name, spec=spec, config=config.network_config(),
                scales=scales, folders=recipe.validation.folders, device=device),
        lambda _: measuring)
    return FitResult(network.eval(), config.network_config(), tuple(scales), len(passes),
                     len(passes), True, seconds, describe_device(device), measurements,
                     half_precision)
