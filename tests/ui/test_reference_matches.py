"""The reference-matches view: where a reference-based model found its texture, over its result."""

import torch

from enhancer import paths
from enhancer.models.archs.srntt import SRNTT
from enhancer.models.weights import save_weights
from tests.ui.photos import write_photo
from tests.ui.test_references import drop_files

TINY = dict(features=8, fine_features=4, trunk_blocks=1, level_blocks=[1, 1, 1])


def install_tiny_srntt():
    torch.manual_seed(0)
    network = SRNTT(**{**TINY, "level_blocks": (1, 1, 1)})
    save_weights(paths.user_models_dir() / "srntt-tiny-x4.safetensors", network, name="srntt-tiny",
                 arch="srntt", scales=(4,), config=TINY, card={})


def test_a_reference_run_shows_its_matches_and_other_runs_cannot(qtbot, make_window, tmp_path):
    install_tiny_srntt()
    window = make_window()
    window.open_path(write_photo(tmp_path / "scene.png", width=24, height=20))
    drop_files(window.references, [write_photo(tmp_path / "ref.png", width=64, height=48)])
    window.models.select("srntt-tiny", 4)
    with qtbot.waitSignal(window.tasks.done, timeout=30_000):
        window.actions.run.trigger()
    assert window.actions.matches.isEnabled()

    with qtbot.waitSignal(window.tasks.done, timeout=30_000):
        window.actions.matches.trigger()
    result = window.results.current()
    shown = window._match_views[result]
    assert (shown.width, shown.height) == (96, 80)
    assert "Texture from the references" in window.view.caption.text()

    window.models.select("bicubic", 4)
    with qtbot.waitSignal(window.tasks.done, timeout=30_000):
        window.actions.run.trigger()
    assert not window.actions.matches.isEnabled()
    assert window.actions.wipe.isChecked()
