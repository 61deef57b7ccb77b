"""Learning RAISR in closed form, in minutes on a CPU.

Three or four passes over the training photos, each pairing a photo's Y channel with the cheap
upscale of its benchmark-style LR image (MATLAB bicubic down, bicubic back up); with `rescales`,
every photo also takes part shrunk by each factor (`TrainingImage`):

1. thresholds: strength and coherence quantiles of a random sample of pixels split their bins;
2. filters: every bucket's normal equations (`raisr_equations`), taken over every pixel whose
   11 x 11 patch (the cover of its window) lies inside its photo, then those of the 7 other
   rotations and flips of every photo (by re-indexing), then the ridge solve into each phase's
   basis and coefficients;
3. blending: per number of census bits that filtering flipped (and per bucket, with
   `blend_per_bucket`), the weight between the filtered and the cheap upscale that minimises the
   squared error (a scalar least squares each);
4. refining (with `refine_size`): the second bank, solved as the first but on patches of the
   blended output of the first three passes, the cascade's input.

`fit_raisr` is the generator `enhancer train` drives; `python -m enhancer.train.raisr_fit` runs it
directly and writes a weights file.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import tomllib
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from enhancer.data.folders import image_files
from enhancer.imaging.color import rgb_to_y
from enhancer.imaging.io import photo_to_tensors, read_image
from enhancer.imaging.resize import imresize
from enhancer.models.archs.raisr import CENSUS_BITS, Raisr
from enhancer.models.weights import save_weights
from enhancer.train.evaluate import make_lr, mod_crop
from enhancer.train.raisr_equations import NormalEquations, solve_bank, windowed, with_symmetries

log = logging.getLogger(__name__)

# Patches turned into one band of matrix products: bounds memory to about 250 MB.
_BAND_PIXELS = 1 << 18


@dataclass(frozen=True)
class RaisrFitConfig:
    """One scale's recipe; recipes/raisr.toml says what each value is for."""

    scale: int
    patch_size: int = 11
    gradient_window: int = 5
    angle_bins: int = 24
    strength_bins: int = 4
    coherence_bins: int = 4
    # Fractions of the training pixels below each strength / coherence threshold.
    strength_quantiles: tuple[float, ...] = (0.3, 0.6, 0.85)
    coherence_quantiles: tuple[float, ...] = (0.3, 0.6, 0.85)
    threshold_samples_per_photo: int = 20_000
    # Ridge added to the diagonal of the normal equations (pixel values in [0, 1]).
    regularisation: float = 0.01
    basis_size: int = 12
    # The second bank's filter side on the output grid (0: none), its basis filters per phase, and
    # the census counts that start a new group of its filters.
    refine_size: int = 0
    refine_basis_size: int = 6
    refine_census_bounds: tuple[int, ...] = ()
    # A blend weight per bucket and census count (not per count only), and its ridge towards the
    # count's weight over all buckets, per training image.
    blend_per_bucket: bool = False
    blend_regularisation: float = 0.0
    # Each training photo is also used shrunk by each of these factors (MATLAB bicubic).
    rescales: tuple[float, ...] = ()
    seed: int = 0

    def __post_init__(self) -> None:
        if len(self.strength_quantiles) != self.strength_bins - 1:
            raise ValueError("strength_quantiles needs strength_bins - 1 values")
        if len(self.coherence_quantiles) != self.coherence_bins - 1:
            raise ValueError("coherence_quantiles needs coherence_bins - 1 values")
        if self.angle_bins % 2:
            raise ValueError("angle_bins must be even (a transpose must map bins onto bins)")
        if not all(0 < factor < 1 for factor in self.rescales):
            raise ValueError("rescales must lie between 0 and 1 (photos are only shrunk)")

    @classmethod
    def from_recipe(cls, recipe: Mapping[str, Any], *, scale: int) -> RaisrFitConfig:
        """The config for `scale` from a recipe's keys; unknown keys are refused, not ignored.

        A value may be a table by scale (`basis_size = { 2 = 12, 4 = 24 }`).
        """
        if "scales" in recipe and scale not in recipe["scales"]:
            raise ValueError(f"the recipe serves scales {recipe['scales']}, not x{scale}")
        values = {k: v for k, v in recipe.items() if k not in ("arch", "scales")}
        unknown = set(values) - {f.name for f in fields(cls)} - {"scale"}
        if unknown:
            raise ValueError(f"unknown RAISR recipe keys: {', '.join(sorted(unknown))}")
        for key, value in values.items():
            if isinstance(value, Mapping):
                if str(scale) not in value:
                    raise ValueError(f"{key} has no value for scale {scale}")
                value = value[str(scale)]
            values[key] = tuple(value) if isinstance(value, list) else value
        return cls(scale=scale, **values)

    def network_config(self) -> dict[str, int | bool | list[int]]:
        """The constructor arguments of `Raisr` besides the scale, as weights metadata keeps them."""
        return {
            "patch_size": self.patch_size,
            "gradient_window": self.gradient_window,
            "angle_bins": self.angle_bins,
            "strength_bins": self.strength_bins,
            "coherence_bins": self.coherence_bins,
            "basis_size": self.basis_size,
            "refine_size": self.refine_size,
            "refine_basis_size": self.refine_basis_size,
            "refine_census_bounds": list(self.refine_census_bounds),
            "blend_per_bucket": self.blend_per_bucket,
        }

    @property
    def passes(self) -> tuple[str, ...]:
        """The stages of `FitProgress`, in order."""
        return ("thresholds", "filters", "blending") + (("refining",) if self.refine_size else ())


@dataclass(frozen=True)
class TrainingImage:
    """A training photo, shrunk by `factor` before it serves as the ground truth.

    Shrinking is the augmentation of SRCNN-era training sets: the shrunk photo has more detail per
    pixel than the original, closer to the benchmark's images than to soft, noisy photos.
    """

    path: Path
    factor: float = 1.0

    def pair(self, scale: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(HR Y, LR Y), each (1, 1, H, W) float32, with the benchmark's mod-crop and downscale.

        The shrunk photo is rounded to 8 bits, as a photo resized and saved would be.
        """
        rgb = photo_to_tensors(read_image(self.path))[0]
        if self.factor != 1:
            rgb = torch.round(imresize(rgb.double(), scale=self.factor).clamp(0, 1) * 255).float() / 255
        hr = mod_crop(rgb, scale)
        return rgb_to_y(hr), rgb_to_y(make_lr(hr, scale))


def training_images(photos: Sequence[Path], rescales: Sequence[float] = ()) -> list[TrainingImage]:
    """Every photo as it is, then shrunk by each factor of `rescales`."""
    return [TrainingImage(path, factor) for path in photos for factor in (1.0, *rescales)]


@dataclass(frozen=True)
class FitProgress:
    """`done` of `total` training images through the pass named by `stage`."""

    stage: str
    done: int
    total: int


def fit_raisr(config: RaisrFitConfig, folders: Sequence[Path]) -> Generator[FitProgress, None, Raisr]:
    """Learn a RAISR network for `config.scale` from every image under `folders`."""
    photos = training_images(image_files(folders), config.rescales)
    model = Raisr(scale=config.scale, **config.network_config())
    strengths, coherences = yield from _threshold_samples(model, config, photos)
    model.strength_thresholds.copy_(_quantiles(strengths, config.strength_quantiles))
    model.coherence_thresholds.copy_(_quantiles(coherences, config.coherence_quantiles))
    equations = with_symmetries((yield from normal_equations(model, photos)), model)
    basis, coefficients = solve_bank(windowed(equations, model.patch_window), phases=config.scale**2,
                                     rank=config.basis_size, regularisation=config.regularisation)
    model.basis.copy_(basis)
    model.coefficients.copy_(coefficients)
    model.blend_weights.copy_((yield from _blend_weights(model, config, photos)))
    if config.refine_size:
        refining = with_symmetries((yield from refine_equations(model, photos)), model)
        basis, coefficients = solve_bank(windowed(refining, model.refine_window), phases=config.scale**2,
                                         rank=config.refine_basis_size, regularisation=config.regularisation)
        model.refine_basis.copy_(basis)
        model.refine_coefficients.copy_(coefficients)
    counts = equations.count
    log.info(
        "x%d: %d photos; samples per bucket (8 symmetries) min %d, median %d; blend weights %s",
        config.scale, len(photos), int(counts.min()), int(counts.median()),
        [round(w, 3) for w in model.blend_weights.view(-1, CENSUS_BITS + 1).mean(0).tolist()],
    )
    return model.eval()


def _threshold_samples(
    model: Raisr, config: RaisrFitConfig, photos: list[TrainingImage]
) -> Generator[FitProgress, None, tuple[torch.Tensor, torch.Tensor]]:
    """A random sample of (strength, coherence) over the inner pixels of every photo."""
    generator = torch.Generator().manual_seed(config.seed)
    strengths, coherences = [], []
    for done, photo in enumerate(photos, start=1):
        _, lr = photo.pair(config.scale)
        structure = model.gradient_structure(lr)
        margin = model.patch_size // 2 // config.scale
        strength = _inner(structure.strength, margin).reshape(-1)
        pick = torch.randperm(strength.numel(), generator=generator)[: config.threshold_samples_per_photo]
        strengths.append(strength[pick])
        coherences.append(_inner(structure.coherence, margin).reshape(-1)[pick])
        yield FitProgress("thresholds", done, len(photos))
    return torch.cat(strengths), torch.cat(coherences)


def _quantiles(values: torch.Tensor, fractions: Sequence[float]) -> torch.Tensor:
    """torch.quantile's linear interpolation, by sorting: torch.quantile refuses more than 2^24
    values, fewer than the samples of a training set with rescaled copies."""
    ordered = values.double().sort().values
    positions = torch.tensor(fractions, dtype=torch.float64) * (len(ordered) - 1)
    below = positions.floor().long()
    above = torch.clamp(below + 1, max=len(ordered) - 1)
    weight = positions - below
    return (ordered[below] * (1 - weight) + ordered[above] * weight).float()


def normal_equations(model: Raisr, photos: list[TrainingImage]) -> Generator[FitProgress, None, NormalEquations]:
    """The first bank's: patches of the cheap upscale (the cover of each phase's window)."""
    cover = model.patch_window.cover
    equations = NormalEquations.zeros(model.buckets, cover**2)
    for done, photo in enumerate(photos, start=1):
        hr, lr = photo.pair(model.scale)
        upscaled = model.cheap_upscale(lr)
        bucket = model.bucket_index(lr)
        for patches, target, index in _bands(upscaled, hr, bucket, cover, cover // 2):
            equations.add(patches, target, index)
        yield FitProgress("filters", done, len(photos))
    return equations


def refine_equations(model: Raisr, photos: list[TrainingImage]) -> Generator[FitProgress, None, NormalEquations]:
    """The second bank's: patches of the blended first output (the cover of each phase's window),
    away from the photo's edges (where the first output saw the padding)."""
    cover = model.refine_window.cover
    equations = NormalEquations.zeros(len(model.refine_coefficients), cover**2)
    margin = model.patch_window.cover // 2 + cover // 2
    for done, photo in enumerate(photos, start=1):
        hr, lr = photo.pair(model.scale)
        hashes = model.cell_hash(lr)
        upscaled, filtered = model.upscale_and_filter(lr, hashes)
        changed = model.census_change(upscaled, filtered)
        blended = model.blend(upscaled, filtered, hashes, changed)
        per_phase = model.hashes_per_phase * (len(model.refine_census_bounds) + 1)
        bucket = model.buckets_of(model.refine_index(hashes, changed), per_phase=per_phase)
        for patches, target, index in _bands(blended, hr, bucket, cover, margin):
            equations.add(patches, target, index)
        yield FitProgress("refining", done, len(photos))
    return equations


def _bands(
    image: torch.Tensor, hr: torch.Tensor, bucket: torch.Tensor, patch_size: int, margin: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """(patches (L, K) of `image`, HR minus image (L,), bucket (L,)) in float64 for the pixels at
    least `margin` (at least the patch radius) from every edge, a band of rows at a time."""
    radius = patch_size // 2
    height, width = image.shape[-2:]
    inner_width = width - 2 * margin
    if height <= 2 * margin or inner_width <= 0:
        return
    rows_per_band = max(1, _BAND_PIXELS // inner_width)
    residual = (hr - image)[0, 0].double()
    for top in range(margin, height - margin, rows_per_band):
        bottom = min(top + rows_per_band, height - margin)
        columns = slice(margin - radius, width - margin + radius)
        window = image[:, :, top - radius : bottom + radius, columns].double()
        patches = F.unfold(window, patch_size)[0].t()
        target = residual[top:bottom, margin : width - margin].reshape(-1)
        index = bucket[0, top:bottom, margin : width - margin].reshape(-1)
        yield patches, target, index


def _blend_weights(
    model: Raisr, config: RaisrFitConfig, photos: list[TrainingImage]
) -> Generator[FitProgress, None, torch.Tensor]:
    """Per number of flipped census bits, argmin_w |upscale + w (filtered - upscale) - HR|^2: a
    scalar least squares each. Not clamped to [0, 1]: where filtering flipped no bit, the best
    weight is about 1.2 (the ridge and the basis leave the filters too gentle there), and
    clamping it to 1 cost 0.06 / 0.04 dB on Set5 / Set14 at x2.

    With `blend_per_bucket`, one per bucket and count, symmetrised like the filters and pulled by
    `blend_regularisation` towards the weight for the count over all buckets.
    """
    counts = CENSUS_BITS + 1
    stats = NormalEquations.zeros(model.blend_weights.numel(), 1)
    for done, photo in enumerate(photos, start=1):
        hr, lr = photo.pair(model.scale)
        hashes = model.cell_hash(lr)
        upscaled, filtered = model.upscale_and_filter(lr, hashes)
        index = model.blend_index(hashes, model.census_change(upscaled, filtered))
        margin = model.patch_window.cover // 2
        index = _inner(index, margin).reshape(-1)
        step = _inner(filtered - upscaled, margin).reshape(-1).double()
        wanted = _inner(hr - upscaled, margin).reshape(-1).double()
        # Scalar normal equations: index_add, not NormalEquations.add's matrix product per bucket.
        stats.gram.view(-1).index_add_(0, index, step * step)
        stats.moment.view(-1).index_add_(0, index, step * wanted)
        stats.count.index_add_(0, index, torch.ones_like(index, dtype=stats.count.dtype))
        yield FitProgress("blending", done, len(photos))
    if model.blend_per_bucket:
        stats = with_symmetries(stats, model)
    squares, products = stats.gram.view(-1, counts), stats.moment.view(-1, counts)
    overall_squares, overall_products = squares.sum(0), products.sum(0)
    overall = torch.where(overall_squares > 0, overall_products / overall_squares.clamp(min=1e-12),
                          torch.ones_like(overall_squares))
    if not model.blend_per_bucket:
        return overall.float()
    ridge = config.blend_regularisation * len(photos)
    pulled = (products + ridge * overall) / (squares + ridge).clamp(min=1e-12)
    return torch.where(squares + ridge > 0, pulled, overall).float()  # no samples: the overall weight


def _inner(image: torch.Tensor, margin: int) -> torch.Tensor:
    """The pixels at least `margin` from every edge (those whose whole filter patch lies inside the
    photo, with the margin in the image's own pixels)."""
    return image[..., margin : image.shape[-2] - margin, margin : image.shape[-1] - margin]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Learn RAISR filters for one scale and write them.")
    parser.add_argument("--scale", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="the .safetensors file to write")
    parser.add_argument("--data", type=Path, nargs="+", help="training image folders (default: the recipe's)")
    parser.add_argument("--recipe", type=Path, default=Path("recipes/raisr.toml"))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(args.threads)
    recipe = tomllib.loads(args.recipe.read_text(encoding="utf-8"))
    own = {k: v for k, v in recipe.items() if k not in ("name", "trainer", "data", "validation")}
    config = RaisrFitConfig.from_recipe(own, scale=args.scale)
    folders = args.data or [(args.recipe.parent / f).resolve() for f in recipe["data"]["train"]]
    started = time.perf_counter()
    fitting = fit_raisr(config, folders)
    with torch.inference_mode():
        while True:
            try:
                progress = next(fitting)
            except StopIteration as finished:
                model = finished.value
                break
            if progress.done == progress.total:
                log.info("%s: %d photos after %.0f s", progress.stage, progress.total, time.perf_counter() - started)
    seconds = time.perf_counter() - started
    card = {
        "training_data": [Path(f).name for f in folders],
        "recipe": f"{args.recipe.as_posix()} ({asdict(config)})",
        "command": f"python -m enhancer.train.raisr_fit --scale {args.scale} --out {args.out.as_posix()}",
        "fit_seconds": round(seconds, 1),
        "hardware": f"{os.cpu_count()}-core CPU, {args.threads} threads",
    }
    save_weights(args.out, model, name=recipe.get("name", "raisr"), arch="raisr", scales=(config.scale,),
                 config=config.network_config(), card=card, half=False)
    log.info("wrote %s after %.0f s", args.out, seconds)


if __name__ == "__main__":
    main()
