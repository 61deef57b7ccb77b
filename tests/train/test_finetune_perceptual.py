import pytest

from enhancer import paths
from enhancer.engine.generators import run_to_end
from enhancer.models import registry
from enhancer.models.archs.srgan import SPECS
from enhancer.models.weights import save_weights
from enhancer.train.checkpoint import checkpoint_path, load_checkpoint
from enhancer.train.finetune import FinetuneError, finetune, trainable_models
from enhancer.train.finetune_objective import on_vgg
from enhancer.train.perceptual_fit import ContentConfig
from tests.features.test_extractor import torchvision_vgg_file
from tests.train.finetune_setup import (
    install_tiny_base,
    replan_at_once,
    tiny_config,
    write_tiny_photos,
)


@pytest.fixture(autouse=True)
def tiny_gan():
    """An SRGAN generator with 8 features and one block for x2, whose card names the shipped
    SRGAN recipe (content and adversarial terms)."""
    network = SPECS[0].network(scale=2, features=8, blocks=1)
    save_weights(paths.user_models_dir() / "tinygan-x2.safetensors", network, name="tinygan",
                 arch="srgan", scales=(2,), config={"features": 8, "blocks": 1},
                 card={"recipe": "srgan.toml"})


def gan_config(photos, **changes):
    return tiny_config(photos, base="tinygan", **changes)


def test_a_perceptual_model_is_finetuned_against_a_discriminator(tmp_path):
    write_tiny_photos(tmp_path / "photos")
    assert "tinygan" in trainable_models(2)
    config = gan_config(tmp_path / "photos")
    run = finetune(config)
    next(p for p in run if p.stage == "training")
    run.close()
    # The checkpoint carries the discriminator trained alongside the generator.
    assert "discriminator" in load_checkpoint(checkpoint_path(config.output))["objective"]

    result = run_to_end(finetune(config))  # resumed under the same objective
    model = registry.resolve("mine", 2)
    assert model.spec.id == "srgan" and model.weights.card["base_model"] == "tinygan"
    assert model.weights.card["iterations"] == 20
    assert result.after != result.before


def test_a_vgg_file_replaces_each_efficientnet_stage_by_the_layer_at_its_resolution(tmp_path):
    content = ContentConfig(feature_layers=("stage2", "stage3"), texture_layers=("stage1",),
                            texture_weight=1.0)
    torchvision_vgg_file(tmp_path / "vgg16.pth", 16)
    torchvision_vgg_file(tmp_path / "vgg19.pth", 19)
    vgg16 = on_vgg(content, tmp_path / "vgg16.pth")
    assert vgg16.feature_layers == ("relu3_3", "relu4_3") and vgg16.texture_layers == ("relu2_2",)
    assert vgg16.features == str(tmp_path / "vgg16.pth")
    assert on_vgg(content, tmp_path / "vgg19.pth").feature_layers == ("relu3_4", "relu4_4")


def test_a_finetune_on_the_users_vgg_file_records_it_in_the_command(tmp_path):
    write_tiny_photos(tmp_path / "photos")
    torchvision_vgg_file(tmp_path / "vgg16.pth", 16)
    run_to_end(finetune(gan_config(tmp_path / "photos", iterations=4,
                                   features=tmp_path / "vgg16.pth")))
    command = registry.resolve("mine", 2).weights.card["command"]
    assert f"--features {(tmp_path / 'vgg16.pth').as_posix()}" in command


def test_a_feature_network_is_refused_for_a_pixel_model_and_a_bad_file_is_named(tmp_path):
    install_tiny_base()
    write_tiny_photos(tmp_path / "photos")
    (tmp_path / "vgg.pth").write_bytes(b"not weights")
    with pytest.raises(FinetuneError, match="only for perceptual models"):
        next(finetune(tiny_config(tmp_path / "photos", features=tmp_path / "vgg.pth")))
    with pytest.raises(FinetuneError, match="vgg.pth: not usable as VGG16/VGG19 weights"):
        next(finetune(gan_config(tmp_path / "photos", features=tmp_path / "vgg.pth")))


def test_a_perceptual_finetune_goes_on_under_a_new_plan(tmp_path, monkeypatch):
    write_tiny_photos(tmp_path / "photos")
    replan_at_once(monkeypatch)
    result = run_to_end(finetune(gan_config(tmp_path / "photos", iterations=30, minutes=5.0)))
    assert result.iterations == 30  # resumed from the checkpoint under the new plan
