import json

import torch

from enhancer.cli import main
from enhancer.models import registry
from enhancer.models.weights import read_header
from tests.data.photos import write_photos
from tests.train.recipes import write_tiny_recipe


def test_train_writes_models_that_resolve_finds_in_the_user_models_folder(tmp_path, capsys):
    recipe = write_tiny_recipe(tmp_path, validation=True)
    assert main(["train", str(recipe)]) == 0
    for scale in (2, 3):
        model = registry.resolve("tiny", scale)
        assert model.weights.path.name == f"tiny-x{scale}.safetensors"
        assert model.build()(torch.rand(1, 1, 5, 6)).shape == (1, 1, 5 * scale, 6 * scale)
        card = model.weights.card
        assert card["iterations"] == 6 and card["recipe"] == "tiny.toml"
        assert [m["dataset"] for m in card["measured"]] == ["Bench"]
        markdown = model.weights.path.with_suffix(".md").read_text()
        assert "| Bench | x%d |" % scale in markdown
    assert "2 model(s) written" in capsys.readouterr().err


def test_train_one_scale_to_a_chosen_file(tmp_path):
    recipe = write_tiny_recipe(tmp_path)
    out = tmp_path / "mine.safetensors"
    assert main(["train", str(recipe), "--scale", "3", "--iterations", "4", "--out", str(out)]) == 0
    header = read_header(out)
    assert (header.name, header.arch, header.scales) == ("tiny", "espcn", (3,))
    assert header.card["iterations"] == header.card["planned_iterations"] == 4
    assert header.card["command"].endswith(f"--scale 3 --iterations 4 --out {out.as_posix()}")
    assert header.config == {"features": [6, 4]}


def test_train_mistakes_are_one_line_errors(tmp_path, capsys):
    recipe = write_tiny_recipe(tmp_path)
    assert main(["train", str(recipe), "--out", str(tmp_path / "x.safetensors")]) == 2
    assert "pick one with --scale" in capsys.readouterr().err
    assert main(["train", str(recipe), "--scale", "4"]) == 2
    assert "has no x4" in capsys.readouterr().err
    assert main(["train", str(recipe), "--scale", "2", "--data", str(tmp_path / "none")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_a_time_limited_run_is_written_and_resumed(tmp_path, capsys):
    recipe = write_tiny_recipe(tmp_path)
    out = tmp_path / "partial.safetensors"
    assert main(["train", str(recipe), "--scale", "2", "--out", str(out), "--minutes", "0"]) == 0
    assert read_header(out).card["iterations"] == 0
    assert main(["train", str(recipe), "--scale", "2", "--out", str(out)]) == 0
    assert read_header(out).card["iterations"] == 6
    assert json.dumps(read_header(out).card)  # the card is plain JSON


TINY_RAISR = """
name = "tiny-raisr"
arch = "raisr"
trainer = "raisr"
scales = [2]
angle_bins = 4
strength_bins = 2
coherence_bins = 2
strength_quantiles = [0.5]
coherence_quantiles = [0.5]
threshold_samples_per_photo = 500
basis_size = { 2 = 4 }

[data]
train = ["photos"]

[validation]
folders = ["Bench"]
"""


def test_train_hands_a_raisr_recipe_to_its_least_squares_fit(tmp_path, capsys):
    write_photos(tmp_path / "photos", count=3, size=(48, 40))
    write_photos(tmp_path / "Bench", count=1, size=(24, 24), seed=9)
    (tmp_path / "raisr.toml").write_text(TINY_RAISR)
    assert main(["train", str(tmp_path / "raisr.toml"), "--scale", "2"]) == 0
    model = registry.resolve("tiny-raisr", 2)
    assert model.spec.id == "raisr" and model.weights.config["angle_bins"] == 4
    assert model.build()(torch.rand(1, 1, 9, 7)).shape == (1, 1, 18, 14)
    assert [m["dataset"] for m in model.weights.card["measured"]] == ["Bench"]
