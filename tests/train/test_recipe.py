import pytest

from enhancer.train.recipe import RecipeError, load_recipe
from tests.train.recipes import TINY, write_tiny_recipe


def test_a_recipe_parses_into_typed_settings_with_paths_from_its_folder(tmp_path):
    recipe = load_recipe(write_tiny_recipe(tmp_path))
    assert (recipe.name, recipe.arch, recipe.scales) == ("tiny", "espcn", (2, 3))
    assert recipe.data.train == ((tmp_path / "photos").resolve(),)
    assert recipe.network["features"] == [6, 4]
    assert recipe.optimizer.lr == 0.01 and recipe.optimizer.name == "adam"
    assert recipe.schedule.iterations == 6 and recipe.loss.name == "mse"


@pytest.mark.parametrize("change, message", [
    (("batch_size = 4", "batch_sise = 4"), "[data] unknown key 'batch_sise'"),
    (("iterations = 6", "iterations = 6.5"), "[schedule] iterations must be a whole number"),
    (("lr = 0.01", "lr = \"fast\""), "[optimizer] lr must be a number"),
    (("[optimizer]", "[optimizer]\nclip = \"sometimes\""), "clip = 'sometimes' is not one of"),
    (("[optimizer]", "[optimizer]\nclip = \"norm\""), "needs a positive clip_value"),
    (("scales = [2, 3]", "scales = [2, \"x3\"]"), "scales must be a list of values each a whole"),
    (("name = \"tiny\"\n", ""), "missing key 'name'"),
    (("ema = 0.9", "ema = 1.5"), "ema must be in [0, 1)"),
    (("seed = 3", "seed = 3\nloss = \"mse\""), "[loss] must be a table"),
    (("name = \"cosine\"", "name = \"cosine\"\nname = \"step\""), "not valid TOML"),
])
def test_recipe_mistakes_name_the_file_and_the_key(tmp_path, change, message):
    path = write_tiny_recipe(tmp_path, TINY.replace(*change))
    with pytest.raises(RecipeError) as error:
        load_recipe(path)
    assert str(error.value).startswith(str(path))
    assert message in str(error.value)


def test_a_missing_recipe_file_is_a_recipe_error(tmp_path):
    with pytest.raises(RecipeError, match="cannot read"):
        load_recipe(tmp_path / "nope.toml")


def test_the_fingerprint_follows_what_the_run_computes(tmp_path):
    base = load_recipe(write_tiny_recipe(tmp_path))
    same = load_recipe(write_tiny_recipe(tmp_path, TINY.replace("[data]", "# a comment\n[data]")))
    other = load_recipe(write_tiny_recipe(tmp_path, TINY.replace("lr = 0.01", "lr = 0.02")))
    assert base.fingerprint() == same.fingerprint() != other.fingerprint()
