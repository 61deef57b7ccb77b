import pytest
import torch
from safetensors.torch import save_file

from enhancer import paths
from enhancer.models import registry
from enhancer.models.importing import (
    ModelImportError,
    delete_user_model,
    import_model,
    rename_user_model,
)
from enhancer.models.weights import save_weights


def _espcn(scale: int, **config):
    torch.manual_seed(scale)
    return registry.architectures()["espcn"].network(scale=scale, **config)


def test_our_own_file_is_imported_with_its_metadata(tmp_path):
    network = _espcn(2, features=[6, 4])
    source = save_weights(tmp_path / "theirs.safetensors", network, name="theirs", arch="espcn",
                          scales=(2,), config={"features": [6, 4]}, card={"iterations": 5}).path
    imported = import_model(source)
    assert imported.path.parent == paths.user_models_dir()
    model = registry.resolve("theirs", 2)
    assert model.weights.card["iterations"] == 5
    assert model.weights.card["imported_from"] == "theirs.safetensors"
    x = torch.rand(1, 1, 7, 9)
    assert torch.allclose(model.build()(x), network.half().float()(x), atol=1e-6)
    import_model(source, name="again")
    assert registry.resolve("again", 2).weights.config == {"features": [6, 4]}
    with pytest.raises(ModelImportError, match="exists already"):
        import_model(source)


def test_a_foreign_pth_of_a_known_architecture_is_recognised_by_its_tensors(tmp_path):
    network = _espcn(3)
    source = tmp_path / "x3_model.pth"
    torch.save({"params_ema": {f"module.{k}": v for k, v in network.state_dict().items()}}, source)
    imported = import_model(source)
    assert (imported.name, imported.arch, imported.scales) == ("x3_model", "espcn", (3,))
    x = torch.rand(1, 1, 6, 5)
    assert torch.equal(registry.resolve("x3_model", 3).build()(x), network.eval()(x))


def test_a_bare_safetensors_file_is_recognised_too(tmp_path):
    source = tmp_path / "bare.safetensors"
    save_file(_espcn(4).state_dict(), str(source))
    assert import_model(source).scales == (4,)


def test_files_that_are_no_model_here_are_refused_with_the_reason(tmp_path):
    names = registry.model_names()
    random = tmp_path / "random.pth"
    torch.save({"weight": torch.rand(3, 3)}, random)
    with pytest.raises(ModelImportError, match="match no architecture"):
        import_model(random)
    garbage = tmp_path / "garbage.pth"
    garbage.write_bytes(b"\x00not torch")
    with pytest.raises(ModelImportError, match="not a loadable PyTorch"):
        import_model(garbage)
    text = tmp_path / "notes.txt"
    text.write_text("hi")
    with pytest.raises(ModelImportError, match="not a .safetensors or .pth"):
        import_model(text)
    assert registry.model_names() == names


def test_user_models_can_be_renamed_and_deleted_but_shipped_ones_cannot(tmp_path):
    source = tmp_path / "first.pth"
    torch.save(_espcn(2).state_dict(), source)
    first = import_model(source)
    (renamed,) = rename_user_model("first", "second")
    assert not first.path.exists() and renamed.path.name == "second-x2.safetensors"
    assert "first" not in registry.model_names()
    assert registry.resolve("second", 2).weights.path == renamed.path
    delete_user_model("second")
    assert "second" not in registry.model_names()
    shipped = registry.weights_files()[0]
    with pytest.raises(ModelImportError, match="shipped"):
        delete_user_model(shipped.name)
    assert shipped.path.exists()
