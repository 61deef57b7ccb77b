import pytest
import torch

from enhancer.models.archs.srntt import SRNTT
from enhancer.train.recipe import RecipeError, load_recipe
from enhancer.train.srntt_fit import SrnttObjective, fit_srntt
from tests.train.recipes import write_tiny_recipe

SRNTT_RECIPE = """
name = "tiny-srntt"
arch = "srntt"
trainer = "srntt"
scales = [4]
seed = 3
progress_every = 1
texture_weight = 0.5

[network]
features = 8
fine_features = 4
trunk_blocks = 1
level_blocks = [1, 1, 1]

[content]
pixel = "l1"
pixel_weight = 1.0
feature_weight = 0.0

[views]
target_size = 16
unrelated = 0.3
none = 0.2

[data]
train = ["photos"]
patch_size = 32
batch_size = 3

[optimizer]
lr = 0.001

[schedule]
name = "constant"
iterations = 3
"""


def run(recipe, checkpoint, *, stop_after=None):
    losses, training = [], fit_srntt(recipe, scales=(4,), checkpoint=checkpoint, device="cpu")
    while True:
        try:
            losses.append(next(training).loss)
        except StopIteration as finished:
            return losses, finished.value
        if len(losses) == stop_after:
            training.close()
            return losses, None


def test_a_resumed_run_sees_the_same_reference_cases_and_ends_where_a_straight_one_does(tmp_path):
    recipe = load_recipe(write_tiny_recipe(tmp_path, SRNTT_RECIPE))
    straight, result = run(recipe, tmp_path / "straight.ckpt")
    assert len(straight) == 3 and result.finished and all(loss > 0 for loss in straight)
    first, _ = run(recipe, tmp_path / "resumed.ckpt", stop_after=2)
    rest, resumed = run(recipe, tmp_path / "resumed.ckpt")
    assert first + rest == straight
    for key, value in result.network.state_dict().items():
        assert torch.equal(resumed.network.state_dict()[key], value), key


def test_an_iteration_override_reaches_a_trainer_that_reads_its_own_keys(tmp_path):
    recipe = load_recipe(write_tiny_recipe(tmp_path, SRNTT_RECIPE)).with_iterations(2)
    losses, result = run(recipe, tmp_path / "run.ckpt")
    assert len(losses) == 2 and result.planned == 2


def test_the_texture_loss_asks_for_the_reference_features_only_where_they_matched():
    torch.manual_seed(0)
    network = SRNTT(features=8, fine_features=4, trunk_blocks=1, level_blocks=(1, 1, 1))
    output = torch.rand(1, 3, 32, 32)
    middle, coarse = network.extractor(output)
    unmatched = [torch.zeros(1, 4, 32, 32),
                 torch.cat([torch.randn_like(middle), torch.full_like(middle[:, :1], -0.5)], 1),
                 torch.cat([torch.randn_like(coarse), torch.full_like(coarse[:, :1], -0.5)], 1)]
    assert SrnttObjective.texture_loss(network, output, unmatched) == 0
    matched = [unmatched[0]] + [torch.cat([level[:, :-1], torch.ones_like(level[:, -1:])], 1)
                                for level in unmatched[1:]]
    assert SrnttObjective.texture_loss(network, output, matched) > 0
    same = [unmatched[0], torch.cat([middle, torch.ones_like(middle[:, :1])], 1),
            torch.cat([coarse, torch.ones_like(coarse[:, :1])], 1)]
    assert SrnttObjective.texture_loss(network, output, same) < 1e-9


def test_a_bad_views_section_names_the_file_and_the_key(tmp_path):
    recipe = load_recipe(write_tiny_recipe(tmp_path, SRNTT_RECIPE.replace("none = 0.2", "nothing = 0.2")))
    with pytest.raises(RecipeError, match=r"\[views\] unknown key 'nothing'"):
        run(recipe, tmp_path / "run.ckpt")
