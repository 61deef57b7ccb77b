"""Training recipes: TOML files in the repo, parsed into frozen dataclasses.

A recipe says everything a run needs except where the data is on this machine (paths in it are
relative to the recipe's folder, and `enhancer train --data` replaces them). Unknown keys and
wrong types are errors naming the file and the key, never silently ignored: a typo in a recipe
would otherwise cost hours of training with the default.

`trainer` picks the training code: "sgd" (the gradient-descent loop of `fit.py`), "raisr" (the
least-squares filter fit of `raisr_fit.py`), "pixelrsr" (`pixelrsr_fit.py`, on thumbnails) or
"perceptual" (`perceptual_fit.py`: feature, texture and adversarial losses) or "srntt"
(`srntt_fit.py`: the perceptual trainer on reference cases); these read their own keys from the
same file.
"""

from __future__ import annotations

import hashlib
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from enhancer.train.losses import LOSSES

TRAINERS = ("sgd", "raisr", "pixelrsr", "perceptual", "srntt")
OPTIMIZERS = ("adam", "sgd")
CLIPPING = ("none", "norm", "adjustable")
SCHEDULES = ("constant", "step", "cosine")
PRECISIONS = ("auto", "fp32", "bf16")


class RecipeError(ValueError):
    """A recipe that cannot be used; the message names the file, the key and what is wrong."""


def _choice(key: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{key} = {value!r} is not one of {', '.join(choices)}")


@dataclass(frozen=True)
class DataConfig:
    train: tuple[Path, ...] = ()
    # HR patch side; the LR side is patch_size // scale.
    patch_size: int = 48
    batch_size: int = 16


@dataclass(frozen=True)
class OptimizerConfig:
    name: str = "adam"
    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    momentum: float = 0.9
    weight_decay: float = 0.0
    # "norm" clips the gradient norm to clip_value; "adjustable" clips every gradient value to
    # clip_value / lr (VDSR: the bound loosens as the learning rate falls).
    clip: str = "none"
    clip_value: float = 0.0

    def __post_init__(self) -> None:
        _choice("name", self.name, OPTIMIZERS)
        _choice("clip", self.clip, CLIPPING)
        if self.lr <= 0:
            raise ValueError("lr must be positive")
        if self.clip != "none" and self.clip_value <= 0:
            raise ValueError(f"clip = {self.clip!r} needs a positive clip_value")


@dataclass(frozen=True)
class ScheduleConfig:
    name: str = "cosine"
    iterations: int = 10_000
    # Iterations of linear warm-up from 0 to the optimiser's lr.
    warmup: int = 0
    # Cosine: the lr at the last iteration.
    min_lr: float = 0.0
    # Step: the lr is multiplied by gamma at each milestone iteration.
    milestones: tuple[int, ...] = ()
    gamma: float = 0.1

    def __post_init__(self) -> None:
        _choice("name", self.name, SCHEDULES)
        if self.iterations < 1:
            raise ValueError("iterations must be at least 1")


@dataclass(frozen=True)
class LossConfig:
    name: str = "mse"
    epsilon: float = 1e-3  # Charbonnier only

    def __post_init__(self) -> None:
        _choice("name", self.name, LOSSES)


@dataclass(frozen=True)
class ValidationConfig:
    # Benchmark folders: the first is scored during training, all of them at the end.
    folders: tuple[Path, ...] = ()
    # Iterations between validations during training (0: only at the end).
    every: int = 0


@dataclass(frozen=True)
class Recipe:
    path: Path
    name: str
    arch: str
    scales: tuple[int, ...]
    trainer: str = "sgd"
    # One model serving every scale, trained on batches of all of them (VDSR), instead of one
    # model per scale.
    shared_scales: bool = False
    # Constructor arguments of the network, stored in the weights' metadata.
    network: Mapping[str, Any] = field(default_factory=dict)
    data: DataConfig = field(default_factory=DataConfig)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    validation: ValidationConfig = field(default_factory=ValidationConfig)
    # Decay of the exponential moving average of the weights that is exported (0: no average).
    ema: float = 0.0
    # "auto": bf16 autocast and channels_last on CUDA, fp32 elsewhere.
    precision: str = "auto"
    checkpoint_minutes: float = 5.0
    # Iterations per progress report (each report waits for the device to finish its work).
    progress_every: int = 10
    seed: int = 0
    # The whole parsed file, for trainers that read keys of their own.
    table: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        _choice("trainer", self.trainer, TRAINERS)
        _choice("precision", self.precision, PRECISIONS)
        if not self.scales or min(self.scales) < 1:
            raise ValueError("scales must list at least one positive scale")
        if not 0 <= self.ema < 1:
            raise ValueError("ema must be in [0, 1)")
        if self.progress_every < 1 or self.checkpoint_minutes <= 0:
            raise ValueError("progress_every and checkpoint_minutes must be positive")

    def with_iterations(self, iterations: int) -> Recipe:
        """The same recipe run for another number of iterations (the schedule stretched with it)."""
        if iterations < 1:
            raise RecipeError(f"{self.path}: iterations must be at least 1, not {iterations}")
        # Trainers that read their own keys parse the schedule again from the table.
        table = {**self.table, "schedule": {**self.table.get("schedule", {}), "iterations": iterations}}
        return replace(self, schedule=replace(self.schedule, iterations=iterations), table=table)

    def fingerprint(self) -> str:
        """A digest of what the run computes, so a checkpoint is only resumed by the same recipe."""
        text = repr((self.name, self.arch, self.scales, self.shared_scales, dict(self.network),
                     self.data.patch_size, self.data.batch_size, self.optimizer, self.schedule,
                     self.loss, self.ema, self.seed))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


_SECTIONS = {"data": DataConfig, "optimizer": OptimizerConfig, "schedule": ScheduleConfig,
             "loss": LossConfig, "validation": ValidationConfig}


def load_recipe(path: Path) -> Recipe:
    path = Path(path)
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RecipeError(f"{path}: cannot read the recipe ({error.strerror or error})") from error
    except tomllib.TOMLDecodeError as error:
        raise RecipeError(f"{path}: not valid TOML ({error})") from error
    return parse_recipe(table, path)


def parse_recipe(table: Mapping[str, Any], path: Path) -> Recipe:
    """The recipe in a parsed TOML `table`; relative paths are taken from `path`'s folder.

    For a trainer other than "sgd", only the keys every trainer shares are read here (name, arch,
    scales, trainer, [data] train, [validation]); the rest of the table is that trainer's.
    """
    base = path.parent
    shared = ("name", "arch", "scales", "trainer", "data", "validation")
    own = table.get("trainer", "sgd") == "sgd"
    values = {}
    for key, value in table.items():
        if not own and key not in shared:
            continue
        if key in _SECTIONS:
            if not isinstance(value, dict):
                raise RecipeError(f"{path}: [{key}] must be a table")
            values[key] = _build(_SECTIONS[key], value, path, base, where=f"[{key}] ")
        else:
            values[key] = value
    return _build(Recipe, values, path, base, extra={"path": path, "table": table})


def _build(cls, values: Mapping[str, Any], path: Path, base: Path, *, where: str = "",
           extra: Mapping[str, Any] | None = None):
    hints = typing.get_type_hints(cls)
    settable = {f.name: f for f in fields(cls) if f.name not in (extra or {})}
    unknown = sorted(set(values) - set(settable))
    if unknown:
        raise RecipeError(f"{path}: {where}unknown key {unknown[0]!r}; "
                          f"known keys: {', '.join(sorted(settable))}")
    missing = [name for name, f in settable.items() if name not in values
               and f.default is MISSING and f.default_factory is MISSING]
    if missing:
        raise RecipeError(f"{path}: {where}missing key {missing[0]!r}")
    converted = {}
    for key, value in values.items():
        if isinstance(value, (DataConfig, OptimizerConfig, ScheduleConfig, LossConfig,
                              ValidationConfig)):
            converted[key] = value
            continue
        try:
            converted[key] = _convert(value, hints[key], base)
        except TypeError as error:
            raise RecipeError(f"{path}: {where}{key} must be {error}, not {value!r}") from None
    try:
        return cls(**converted, **(extra or {}))
    except ValueError as error:
        raise RecipeError(f"{path}: {where}{error}") from None


def _convert(value: Any, hint: Any, base: Path) -> Any:
    """`value` from TOML as the annotated type; TypeError says what was expected."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is bool:
        if not isinstance(value, bool):
            raise TypeError("true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("a whole number")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("a number")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise TypeError("a string")
        return value
    if hint is Path:
        if not isinstance(value, str):
            raise TypeError("a path string")
        return (base / value).resolve()
    if origin is tuple:
        if not isinstance(value, list):
            raise TypeError("a list")
        item_types = [args[0]] * len(value) if args[-1] is Ellipsis else list(args)
        if len(item_types) != len(value):
            raise TypeError(f"a list of {len(item_types)} values")
        try:
            return tuple(_convert(v, t, base) for v, t in zip(value, item_types))
        except TypeError as error:
            raise TypeError(f"a list of values each {error}") from None
    if origin in (Mapping, dict) or hint is types.MappingProxyType:
        if not isinstance(value, dict):
            raise TypeError("a table")
        return types.MappingProxyType(dict(value))
    raise TypeError(f"a {hint}")  # a field type this parser does not know: a bug here
