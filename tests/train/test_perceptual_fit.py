import logging
import warnings

import pytest
import torch

from enhancer.models.archs.srresnet import SRResNet
from enhancer.models.weights import save_weights
from enhancer.train import perceptual_fit
from enhancer.train.perceptual_fit import fit_perceptual, perceptual_plan
from enhancer.train.recipe import RecipeError, load_recipe
from tests.train.recipes import losses_and_result, write_tiny_recipe

PERCEPTUAL = """
name = "tiny-gan"
arch = "perceptual"
trainer = "perceptual"
scales = [2]
seed = 3
ema = 0.9
progress_every = 1

[network]
features = 8
blocks = 1

[content]
feature_layers = ["stage1"]
feature_weight = 0.01
texture_layers = ["stage2"]
texture_weight = 0.1
texture_tile = 4
pixel = "l1"
pixel_weight = 1.0
grid_weight = 10.0
grid_period = 2

[adversarial]
loss = "relativistic"
weight = 0.01
feature_matching = 0.1

[data]
train = ["photos"]
patch_size = 16
batch_size = 2

[optimizer]
lr = 0.001

[schedule]
name = "constant"
iterations = 3
"""


def test_a_resumed_adversarial_run_continues_exactly_with_its_discriminator(tmp_path):
    recipe = load_recipe(write_tiny_recipe(tmp_path, PERCEPTUAL))
    straight, result = losses_and_result(fit_perceptual, recipe, tmp_path / "straight.ckpt")
    assert len(straight) == 3 and result.finished and all(loss > 0 for loss in straight)

    checkpoint = tmp_path / "interrupted.ckpt"
    first, _ = losses_and_result(fit_perceptual, recipe, checkpoint, stop_after=1)
    state = torch.load(checkpoint, weights_only=True)
    assert "discriminator" in state["objective"] and state["objective"]["steps"] == 1
    rest, resumed = losses_and_result(fit_perceptual, recipe, checkpoint)
    assert first + rest == straight
    for key, value in result.network.state_dict().items():
        assert torch.equal(resumed.network.state_dict()[key], value), key


def test_the_progress_log_reads_its_losses_without_a_warning(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(perceptual_fit, "_LOG_EVERY", 1)
    recipe = load_recipe(write_tiny_recipe(tmp_path, PERCEPTUAL))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a tensor that needs grad, turned into a number, warns
        with caplog.at_level(logging.INFO, logger=perceptual_fit.__name__):
            losses_and_result(fit_perceptual, recipe, tmp_path / "run.ckpt")
    assert sum("step" in message and "content" in message for message in caplog.messages) == 3


def test_wgan_gp_trains_its_critic_without_batch_norm(tmp_path):
    text = PERCEPTUAL.replace('"relativistic"', '"wgan-gp"').replace("iterations = 3", "iterations = 2")
    recipe = load_recipe(write_tiny_recipe(tmp_path, text))
    losses, result = losses_and_result(fit_perceptual, recipe, tmp_path / "run.ckpt")
    assert len(losses) == 2 and all(torch.isfinite(torch.tensor(losses)))


def test_initial_weights_are_where_training_starts(tmp_path):
    torch.manual_seed(1)
    start = SRResNet(scale=2, features=8, blocks=1)
    save_weights(tmp_path / "start.safetensors", start, name="start", arch="srresnet", scales=(2,),
                 config={"features": 8, "blocks": 1}, card={})
    text = (PERCEPTUAL.replace('arch = "perceptual"', 'arch = "srgan"\ninitial_weights = "start.safetensors"'))
    recipe = load_recipe(write_tiny_recipe(tmp_path, text))
    _, objective = perceptual_plan(recipe)
    network = SRResNet(scale=2, features=8, blocks=1)
    objective.start(network, torch.device("cpu"))
    for key, value in start.state_dict().items():
        expected = value.half().float() if value.is_floating_point() else value
        assert torch.equal(network.state_dict()[key], expected), key


@pytest.mark.parametrize(("old", "new", "message"), [
    ('pixel = "l1"', 'pixel = "l3"', "pixel = 'l3'"),
    ('loss = "relativistic"', 'loss = "hinge"', "hinge"),
    ("feature_matching = 0.1", "feature_matchin = 0.1", "unknown key 'feature_matchin'"),
    ('texture_layers = ["stage2"]', "texture_layers = []", "texture_weight needs texture_layers"),
    ("grid_period = 2", "grid_period = 1", "grid_period must be at least 2"),
    ("texture_tile = 4", "texture_tile = -1", "texture_tile cannot be negative"),
])
def test_recipe_mistakes_name_the_section_and_key(tmp_path, old, new, message):
    recipe = load_recipe(write_tiny_recipe(tmp_path, PERCEPTUAL.replace(old, new)))
    with pytest.raises(RecipeError, match=message):
        perceptual_plan(recipe)
