import pytest
import torch
from torch.nn.modules.module import register_module_forward_pre_hook

from enhancer.engine.generators import run_to_end
from enhancer.models.archs.vdsr import VDSR
from enhancer.train.fit import fit
from enhancer.train.recipe import RecipeError, load_recipe
from tests.train.recipes import TINY, losses_and_result, write_tiny_recipe


def test_a_resumed_run_continues_exactly_as_an_uninterrupted_one(tmp_path):
    recipe = load_recipe(write_tiny_recipe(tmp_path))
    straight, result = losses_and_result(fit, recipe, tmp_path / "straight.ckpt")
    assert len(straight) == 6 and result.iterations == 6 and result.finished

    checkpoint = tmp_path / "interrupted.ckpt"
    first, _ = losses_and_result(fit, recipe, checkpoint, stop_after=2)
    assert checkpoint.is_file()
    rest, resumed = losses_and_result(fit, recipe, checkpoint)
    assert first + rest == straight
    for key, value in result.network.state_dict().items():
        assert torch.equal(resumed.network.state_dict()[key], value), key


def test_training_lowers_the_loss_and_returns_the_average_on_the_cpu(tmp_path):
    recipe = load_recipe(write_tiny_recipe(tmp_path, TINY.replace("iterations = 6", "iterations = 20")
                                           .replace("progress_every = 1", "progress_every = 5")))
    losses, result = losses_and_result(fit, recipe, tmp_path / "run.ckpt")
    assert losses[-1] < losses[0]
    assert not result.network.training
    assert next(result.network.parameters()).device.type == "cpu"


def test_validation_uses_the_benchmark_and_is_measured_at_the_end(tmp_path):
    recipe = load_recipe(write_tiny_recipe(tmp_path, validation=True))
    run = fit(recipe, scales=(3,), checkpoint=tmp_path / "run.ckpt", device="cpu")
    stages, validations = [], []
    while True:
        try:
            progress = next(run)
        except StopIteration as finished:
            result = finished.value
            break
        stages.append(progress.stage)
        validations.append(progress.validation)
    assert "validating" in stages and stages[-1] == "measuring"
    assert validations[-1] is not None and validations[0] is None
    (measured,) = result.measurements
    assert (measured.dataset, measured.scale, measured.images) == ("Bench", 3, 2)
    assert result.half_precision  # fp16 storage of so small a network changes nothing measurable


def test_a_checkpoint_of_another_recipe_is_not_resumed(tmp_path):
    checkpoint = tmp_path / "run.ckpt"
    recipe = load_recipe(write_tiny_recipe(tmp_path))
    losses_and_result(fit, recipe, checkpoint, stop_after=1)
    changed = load_recipe(write_tiny_recipe(tmp_path, TINY.replace("lr = 0.01", "lr = 0.02")))
    with pytest.raises(RecipeError, match="another version"):
        run_to_end(fit(changed, scales=(2,), checkpoint=checkpoint, device="cpu"))
    result = run_to_end(fit(changed, scales=(2,), checkpoint=checkpoint, device="cpu", fresh=True))
    assert result.iterations == 6


def test_a_time_limit_stops_early_and_keeps_the_checkpoint(tmp_path):
    recipe = load_recipe(write_tiny_recipe(tmp_path))
    checkpoint = tmp_path / "run.ckpt"
    result = run_to_end(fit(recipe, scales=(2,), checkpoint=checkpoint, device="cpu", minutes=0))
    assert result.iterations == 0 and not result.finished
    assert torch.load(checkpoint, weights_only=True)["iteration"] == 0


def test_a_shared_model_needs_weights_that_do_not_depend_on_the_scale(tmp_path):
    recipe = load_recipe(write_tiny_recipe(tmp_path, TINY.replace("seed = 3", "seed = 3\nshared_scales = true")))
    with pytest.raises(RecipeError, match="cannot share weights"):
        run_to_end(fit(recipe, scales=(2, 3), checkpoint=tmp_path / "c.ckpt", device="cpu"))


def test_a_shared_model_trains_on_every_scale(tmp_path):
    text = (TINY.replace('arch = "espcn"', 'arch = "vdsr"').replace("features = [6, 4]", "depth = 3\nfeatures = 4")
            .replace("seed = 3", "seed = 3\nshared_scales = true"))
    recipe = load_recipe(write_tiny_recipe(tmp_path, text))
    seen = []

    def record_scale(module, args):
        if isinstance(module, VDSR):
            seen.append(module.scale)

    hook = register_module_forward_pre_hook(record_scale)
    try:
        result = run_to_end(fit(recipe, scales=(2, 3), checkpoint=tmp_path / "c.ckpt", device="cpu"))
    finally:
        hook.remove()
    assert set(seen) == {2, 3} and result.scales == (2, 3)
