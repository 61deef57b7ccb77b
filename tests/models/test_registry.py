import logging

import pytest
import torch
from torch import nn

from enhancer.models import registry
from enhancer.models.catalog import catalog
from enhancer.models.spec import ArchSpec
from enhancer.models.weights import (
    WeightsError,
    load_foreign_state_dict,
    read_header,
    save_weights,
)


class TinyNet(nn.Module):
    def __init__(self, *, scale: int, width: int = 4) -> None:
        super().__init__()
        self.scale = scale
        self.body = nn.Conv2d(3, width, 3, padding=1)
        self.tail = nn.Conv2d(width, 3 * scale * scale, 3, padding=1)

    def forward(self, x):
        return nn.functional.pixel_shuffle(self.tail(self.body(x)), self.scale)


TINY = ArchSpec(id="tiny", name="Tiny", paper="test", kind="cnn", scales=(2, 4), network=TinyNet)


@pytest.fixture
def with_tiny(monkeypatch):
    specs = dict(registry.architectures())
    specs["tiny"] = TINY
    monkeypatch.setattr(registry, "architectures", lambda: specs)


def save_tiny(user_home, name="mine", scales=(2,), width=4):
    network = TinyNet(scale=scales[0], width=width)
    path = user_home / "models" / f"{name}-x{scales[0]}.safetensors"
    save_weights(path, network, name=name, arch="tiny", scales=scales, config={"width": width},
                 card={"data": "none", "psnr": {"Set5": 1.0}})
    return network, path


def test_interpolations_resolve_without_weights():
    model = registry.resolve("bicubic", 3)
    assert model.weights is None
    assert model.build()(torch.rand(1, 3, 5, 7)).shape == (1, 3, 15, 21)


def test_unknown_name_lists_known_models():
    with pytest.raises(registry.UnknownModelError, match="bicubic"):
        registry.resolve("no-such-model", 2)


def test_unserved_scale_lists_the_scales_there_are(with_tiny, user_home):
    save_tiny(user_home, scales=(2,))
    with pytest.raises(registry.UnknownModelError, match="has x2"):
        registry.resolve("mine", 4)


def test_user_model_resolves_with_its_own_hyper_parameters(with_tiny, user_home):
    network, path = save_tiny(user_home, width=6)
    model = registry.resolve("mine", 2)
    assert model.weights.path == path
    built = model.build()
    assert built.body.out_channels == 6
    x = torch.rand(1, 3, 8, 8)
    # fp16 storage: the loaded network agrees with the trained one to fp16 precision
    assert torch.allclose(built(x), network(x), atol=1e-2)
    assert "mine" in registry.model_names()


def test_weights_metadata_describes_the_file(user_home):
    path = user_home / "m.safetensors"
    save_weights(path, TinyNet(scale=2), name="m", arch="tiny", scales=(2, 4), config={"width": 4},
                 card={"iterations": 10})
    header = read_header(path)
    assert (header.name, header.arch, header.scales) == ("m", "tiny", (2, 4))
    assert header.config == {"width": 4} and header.card == {"iterations": 10}
    assert not list(path.parent.glob("*.tmp"))


def test_broken_weights_file_is_skipped_with_a_warning(with_tiny, user_home, caplog):
    save_tiny(user_home)
    (user_home / "models" / "broken.safetensors").write_bytes(b"not safetensors")
    with caplog.at_level(logging.WARNING):
        files = registry.weights_files()
    assert [w.name for w in files if w.path.parent == user_home / "models"] == ["mine"]
    assert "broken.safetensors" in caplog.text


def test_catalog_lists_user_models_with_parameter_counts(with_tiny, user_home):
    network, _ = save_tiny(user_home)
    entry = next(e for e in catalog() if e.id == "mine")
    assert entry.user and entry.arch == "tiny" and entry.scales == (2,)
    assert entry.parameters == sum(p.numel() for p in network.parameters())
    assert entry.as_json()["weights"] == ["mine-x2.safetensors"]


def test_foreign_pth_is_unwrapped_without_pickle_code(tmp_path):
    state = TinyNet(scale=2).state_dict()
    path = tmp_path / "model.pth"
    torch.save({"params_ema": {f"module.{k}": v for k, v in state.items()}}, path)
    loaded = load_foreign_state_dict(path)
    assert loaded.keys() == state.keys()


class Payload:
    def __reduce__(self):
        return (print, ("pickle code ran",))


def test_foreign_pth_with_arbitrary_objects_is_refused(tmp_path):
    path = tmp_path / "evil.pth"
    torch.save({"state_dict": Payload()}, path)
    with pytest.raises(WeightsError, match="evil.pth"):
        load_foreign_state_dict(path)
