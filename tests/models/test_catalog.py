"""What the model picker shows beside each model: speed hint, measured figures, reference use."""

from dataclasses import replace

import pytest

from enhancer.models import registry
from enhancer.models.catalog import CatalogEntry, catalog, reference_models

REFERENCE_SPEC = replace(registry.architectures()["bicubic"], id="ref-bicubic", uses_reference=True)


@pytest.fixture
def with_reference_arch(monkeypatch):
    specs = {**registry.architectures(), REFERENCE_SPEC.id: REFERENCE_SPEC}
    monkeypatch.setattr(registry, "architectures", lambda: specs)


def entry(**changes) -> CatalogEntry:
    base = CatalogEntry(id="m", name="M", arch="bicubic", kind="cnn", paper="p", scales=(2,),
                        parameters=50_000)
    return replace(base, **changes)


def test_speed_class_follows_kind_and_size():
    assert entry(kind="interpolation", parameters=0).speed_class == "instant"
    assert entry(kind="filters", parameters=5_000_000).speed_class == "fast"
    assert entry(parameters=50_000).speed_class == "fast"
    assert entry(parameters=1_500_000).speed_class == "moderate"
    assert entry(parameters=20_000_000).speed_class == "slow"
    assert entry(kind="generative", parameters=500_000).speed_class == "slow"


def test_benchmark_figures_come_from_the_cards():
    assert entry().benchmark == {}
    measured = ({"dataset": "Set5", "scale": 2, "psnr_y": 36.5},
                {"dataset": "Set14", "scale": 4, "psnr_y": 28.1})
    assert entry(measured=measured).benchmark == {"Set5 x2": 36.5, "Set14 x4": 28.1}


def test_shipped_models_show_what_their_cards_measured():
    raisr = next(e for e in catalog() if e.id == "raisr")
    assert {"Set5 x2", "Set5 x3", "Set5 x4"} <= raisr.benchmark.keys()


def test_reference_models_are_the_ones_whose_architecture_takes_references(with_reference_arch):
    entries = catalog()
    ids = reference_models(entries)

    assert "ref-bicubic" in ids and "bicubic" not in ids
    specs = registry.architectures()
    assert {e.id for e in entries if specs[e.arch].uses_reference} == set(ids)
    assert not next(e for e in entries if e.id == "bicubic").uses_reference


def test_gan_and_perceptual_models_are_marked_as_perceptual():
    assert entry(kind="gan").perceptual and entry(kind="perceptual").perceptual
    assert not entry(kind="cnn").perceptual
    kinds = {e.id: e.perceptual for e in catalog() if e.id in ("srgan", "perceptual", "srresnet")}
    assert kinds == {"srgan": True, "perceptual": True, "srresnet": False}
