"""RAISR's learner: least squares that recover known filters, symmetries that equal transformed
photos, and a fit on a few small photos that beats the cheap upscale on them."""

import math
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from enhancer.imaging.color import rgb_to_y
from enhancer.imaging.resize import imresize
from enhancer.models.archs.raisr import Raisr, Window
from enhancer.train.raisr_equations import NormalEquations, solve_bank, windowed, with_symmetries
from enhancer.train.raisr_fit import (
    FitProgress,
    RaisrFitConfig,
    TrainingImage,
    fit_raisr,
    normal_equations,
    refine_equations,
    training_images,
)

RECIPE = Path(__file__).parents[2] / "recipes" / "raisr.toml"


def drain(generator):
    steps = []
    while True:
        try:
            steps.append(next(generator))
        except StopIteration as finished:
            return steps, finished.value


def write_photo(path: Path, seed: int, size=(36, 44)) -> Path:
    """Smooth random shapes plus a little texture, 8-bit RGB."""
    generator = np.random.default_rng(seed)
    ys, xs = np.mgrid[: size[0], : size[1]].astype(np.float64)
    image = np.zeros(size)
    for _ in range(6):
        cy, cx, r = generator.uniform(0, size[0]), generator.uniform(0, size[1]), generator.uniform(4, 14)
        image += generator.uniform(-0.5, 0.5) / (1 + np.exp((np.hypot(ys - cy, xs - cx) - r) * 1.5))
    image += 0.04 * generator.standard_normal(size)
    rgb = np.clip((image - image.min()) / np.ptp(image) * 255, 0, 255).astype(np.uint8)
    Image.fromarray(np.stack([rgb, rgb[::-1], rgb[:, ::-1]], axis=-1)).save(path)
    return path


def write_variants(photo: Path, folder: Path) -> None:
    """The photo's 8 rotations and flips, into `folder`."""
    rgb = np.asarray(Image.open(photo))
    folder.mkdir(exist_ok=True)
    for transpose in (False, True):
        for flip_rows in (False, True):
            for flip_columns in (False, True):
                image = rgb.transpose(1, 0, 2) if transpose else rgb
                image = image[::-1] if flip_rows else image
                image = image[:, ::-1] if flip_columns else image
                name = f"{photo.stem}-{transpose:d}{flip_rows:d}{flip_columns:d}.png"
                Image.fromarray(np.ascontiguousarray(image)).save(folder / name)


def test_least_squares_recover_filters_made_from_a_known_basis():
    model = Raisr(scale=2, angle_bins=2, strength_bins=1, coherence_bins=1, basis_size=2)
    generator = torch.Generator().manual_seed(0)
    basis = torch.linalg.qr(torch.randn(121, 2, dtype=torch.float64, generator=generator))[0].t()
    coefficients = torch.randn(model.buckets, 2, dtype=torch.float64, generator=generator)
    known = coefficients @ basis  # (buckets, 121): the residual of every bucket's filter
    bucket = torch.randint(0, model.buckets, (4000,), generator=generator)
    patches = torch.rand(4000, 121, dtype=torch.float64, generator=generator)
    equations = NormalEquations.zeros(model.buckets, 121)
    equations.add(patches, (patches * known[bucket]).sum(1), bucket)
    learned_basis, learned_coefficients = solve_bank(equations, phases=4, rank=2, regularisation=1e-9)
    learned = torch.cat([learned_coefficients[p * 2 : p * 2 + 2] @ learned_basis[p] for p in range(4)])
    torch.testing.assert_close(learned.double(), known, atol=1e-4, rtol=0)
    assert equations.count.sum() == 4000


def test_the_equations_of_a_window_are_those_of_its_phases_taps():
    window = Window(2, 6)
    generator = torch.Generator().manual_seed(1)
    patches = torch.rand(3000, window.cover**2, dtype=torch.float64, generator=generator)
    target = torch.rand(3000, dtype=torch.float64, generator=generator)
    bucket = torch.randint(0, 4 * 5, (3000,), generator=generator)  # 4 phases x 5 hashes, phase first
    on_cover = NormalEquations.zeros(20, window.cover**2)
    on_cover.add(patches, target, bucket)
    direct = NormalEquations.zeros(20, 36)
    for phase in range(4):
        mine = bucket // 5 == phase
        direct.add(patches[mine][:, window.cover_taps(*divmod(phase, 2))], target[mine], bucket[mine])
    taken = windowed(on_cover, window)
    torch.testing.assert_close(taken.gram, direct.gram)
    torch.testing.assert_close(taken.moment, direct.moment)
    assert windowed(on_cover, Window(2, 7)) is on_cover


@pytest.mark.parametrize(("bank", "patch_size", "refine_size"), [("first", 11, 5), ("second", 11, 5), ("first", 12, 6),
                                                                 ("second", 12, 6)])
def test_symmetrised_statistics_equal_those_of_the_rotated_and_flipped_photos(tmp_path, bank, patch_size, refine_size):
    photo = write_photo(tmp_path / "photo.png", seed=3)
    variants = tmp_path / "variants"
    write_variants(photo, variants)
    # Untrained, both banks see the bicubic upscale, which turns with the photo (and the census
    # change is 0 everywhere: one census group). Even sides take equations on their odd cover.
    model = Raisr(scale=2, patch_size=patch_size, refine_size=refine_size, refine_census_bounds=(1,))
    model.strength_thresholds.copy_(torch.tensor([2e-5, 3e-4, 2e-3]))
    model.coherence_thresholds.copy_(torch.tensor([0.3, 0.6, 0.8]))
    equations = normal_equations if bank == "first" else refine_equations
    _, one = drain(equations(model, training_images([photo])))
    _, eight = drain(equations(model, training_images(sorted(variants.iterdir()))))
    symmetrised = with_symmetries(one, model)
    assert (symmetrised.count == eight.count).all()
    assert len(one.count.nonzero()) > 50
    torch.testing.assert_close(symmetrised.gram, eight.gram, atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(symmetrised.moment, eight.moment, atol=1e-6, rtol=1e-6)


def test_a_fit_on_a_few_photos_beats_the_cheap_upscale_on_them(tmp_path):
    photos = [write_photo(tmp_path / f"{seed}.png", seed) for seed in range(4)]
    config = RaisrFitConfig(scale=2, basis_size=4, threshold_samples_per_photo=500)
    steps, model = drain(fit_raisr(config, [tmp_path]))
    assert [s.stage for s in steps] == ["thresholds"] * 4 + ["filters"] * 4 + ["blending"] * 4
    assert steps[-1] == FitProgress("blending", 4, 4)
    assert model.strength_thresholds[0] < model.strength_thresholds[1]
    assert not hasattr(model, "refine_basis")

    def error(network):
        total = 0.0
        for path in photos:
            hr, lr = TrainingImage(path).pair(2)
            total += float(((network(lr) - hr)[..., 6:-6, 6:-6] ** 2).mean())
        return total

    with torch.inference_mode():
        learned, cheap = error(model), error(Raisr(scale=2))
    assert learned < 0.9 * cheap


def test_a_rescaled_training_image_is_the_photo_shrunk_then_rounded_to_8_bits(tmp_path):
    photo = write_photo(tmp_path / "photo.png", seed=5, size=(40, 50))
    hr, lr = TrainingImage(photo, 0.6).pair(2)
    rgb = torch.from_numpy(np.array(Image.open(photo))).permute(2, 0, 1)[None].double() / 255
    shrunk = imresize(rgb, scale=0.6)  # 24 x 30, MATLAB bicubic with antialiasing
    expected = rgb_to_y(torch.round(shrunk.clamp(0, 1) * 255).float() / 255)
    assert hr.shape == lr.shape[:2] + (24, 30) and lr.shape[-2:] == (12, 15)
    torch.testing.assert_close(hr, expected)
    whole, _ = TrainingImage(photo).pair(2)
    assert whole.shape[-2:] == (40, 50)


def test_rescales_add_every_photo_once_per_factor_to_every_pass(tmp_path):
    for seed in range(2):
        write_photo(tmp_path / f"{seed}.png", seed)
    assert [(i.path.name, i.factor) for i in training_images(sorted(tmp_path.iterdir()), (0.8, 0.6))] == [
        ("0.png", 1.0), ("0.png", 0.8), ("0.png", 0.6), ("1.png", 1.0), ("1.png", 0.8), ("1.png", 0.6)]
    config = RaisrFitConfig(scale=2, basis_size=2, threshold_samples_per_photo=200, rescales=(0.8, 0.6))
    steps, _ = drain(fit_raisr(config, [tmp_path]))
    assert [s.stage for s in steps] == ["thresholds"] * 6 + ["filters"] * 6 + ["blending"] * 6
    with pytest.raises(ValueError, match="rescales"):
        RaisrFitConfig(scale=2, rescales=(1.5,))


def test_blend_weights_per_bucket_fit_the_photos_better_than_one_per_census_count(tmp_path):
    # With every rotation and flip in the folder, the symmetrised statistics are the photos' own,
    # so the per-bucket least squares (no ridge) cannot do worse on them than one weight per count.
    for seed in range(2):
        write_variants(write_photo(tmp_path / f"{seed}.png", seed), tmp_path / "variants")
    config = RaisrFitConfig(scale=2, basis_size=2, threshold_samples_per_photo=500)
    _, overall = drain(fit_raisr(config, [tmp_path / "variants"]))
    _, per_bucket = drain(fit_raisr(replace(config, blend_per_bucket=True), [tmp_path / "variants"]))
    _, pulled = drain(fit_raisr(replace(config, blend_per_bucket=True, blend_regularisation=1e6),
                                [tmp_path / "variants"]))
    assert per_bucket.blend_weights.shape == (per_bucket.buckets, 9)
    torch.testing.assert_close(pulled.blend_weights, overall.blend_weights.expand(pulled.buckets, 9), atol=1e-3, rtol=0)

    def error(model):
        total = 0.0
        for path in sorted((tmp_path / "variants").iterdir()):
            hr, lr = TrainingImage(path).pair(2)
            hashes = model.cell_hash(lr)
            upscaled, filtered = model.upscale_and_filter(lr, hashes)
            out = model.blend(upscaled, filtered, hashes, model.census_change(upscaled, filtered))
            total += float(((out - hr)[..., 5:-5, 5:-5] ** 2).sum())
        return total

    with torch.inference_mode():
        assert error(per_bucket) < 0.99 * error(overall)


@pytest.mark.parametrize(("bounds", "patch_size", "refine_size"), [((), 11, 5), ((1, 3), 11, 5), ((1, 3), 12, 6)])
def test_a_second_bank_lowers_the_error_of_the_first_on_the_photos_it_was_fitted_on(
    tmp_path, bounds, patch_size, refine_size
):
    photos = [write_photo(tmp_path / f"{seed}.png", seed, size=(48, 56)) for seed in range(4)]
    config = RaisrFitConfig(scale=2, angle_bins=4, strength_bins=2, coherence_bins=2,
                            strength_quantiles=(0.5,), coherence_quantiles=(0.5,), basis_size=1,
                            threshold_samples_per_photo=500, patch_size=patch_size, refine_size=refine_size,
                            refine_basis_size=4, refine_census_bounds=bounds)
    steps, model = drain(fit_raisr(config, [tmp_path]))
    assert [s.stage for s in steps][-5:] == ["blending"] + ["refining"] * 4
    assert model.refine_basis.abs().sum() > 0

    def error(refined: bool):
        total = 0.0
        for path in photos:
            hr, lr = TrainingImage(path).pair(2)
            hashes = model.cell_hash(lr)
            upscaled, filtered = model.upscale_and_filter(lr, hashes)
            changed = model.census_change(upscaled, filtered)
            out = model.blend(upscaled, filtered, hashes, changed)
            out = model.refine(out, hashes, changed) if refined else out
            total += float(((out - hr)[..., 8:-8, 8:-8] ** 2).mean())
        return total

    with torch.inference_mode():
        # Least squares on these very photos: any misplaced tap or bucket would raise the error.
        assert error(refined=True) < error(refined=False)


def test_the_shipped_recipe_gives_each_scale_its_basis_size():
    own = tomllib.loads(RECIPE.read_text())
    own = {k: v for k, v in own.items() if k not in ("name", "trainer", "data", "validation")}
    sizes = {scale: RaisrFitConfig.from_recipe(own, scale=scale).basis_size for scale in own["scales"]}
    assert sizes == {2: 3, 3: 16, 4: 24}
    refine = {scale: RaisrFitConfig.from_recipe(own, scale=scale).refine_size for scale in own["scales"]}
    assert refine == {2: 6, 3: 7, 4: 0}
    patches = {scale: RaisrFitConfig.from_recipe(own, scale=scale).patch_size for scale in own["scales"]}
    assert patches == {2: 12, 3: 11, 4: 11}
    x2, x3 = RaisrFitConfig.from_recipe(own, scale=2), RaisrFitConfig.from_recipe(own, scale=3)
    assert x2.rescales == (0.9, 0.8, 0.7, 0.6) and x3.rescales == ()
    assert (x2.refine_basis_size, x2.refine_census_bounds) == (4, (1, 2, 3, 4, 6))
    assert x2.network_config()["refine_census_bounds"] == [1, 2, 3, 4, 6]
    assert (x3.refine_basis_size, x3.refine_census_bounds) == (6, ())
    with pytest.raises(ValueError, match="not x8"):
        RaisrFitConfig.from_recipe(own, scale=8)
    with pytest.raises(ValueError, match="angel_bins"):
        RaisrFitConfig.from_recipe({**own, "angel_bins": 24}, scale=2)


def test_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no images"):
        next(fit_raisr(RaisrFitConfig(scale=2), [tmp_path]))
    assert math.isfinite(RaisrFitConfig(scale=3).regularisation)
