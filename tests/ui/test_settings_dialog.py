import torch
from PySide6.QtCore import Qt

from enhancer.models import registry
from enhancer.train.checkpoint import checkpoint_path
from tests.train.finetune_setup import install_tiny_base, write_tiny_photos


def _model_ids(window) -> list[str]:
    panel = window.models.models
    return [panel.item(row).data(Qt.ItemDataRole.UserRole) for row in range(panel.count())]


def _finetune_bases(tab) -> list[str]:
    return [tab.base.itemText(row) for row in range(tab.base.count())]


def _fill_finetune(tab, photos, *, name="mine", iterations=20):
    tab.add_folder(photos)
    tab.base.setCurrentText("tinybase")
    tab.budget_unit.setCurrentText("iterations")
    tab.budget.setValue(iterations)
    tab.name.setText(name)


def _tiny_patches(monkeypatch):
    """The tab's runs use the tiny model's small patches (the default 48 px needs big photos)."""
    from enhancer.ui import settings_finetune

    original = settings_finetune.FinetuneTab._config

    def config(self):
        from dataclasses import replace

        return replace(original(self), patch_size=12, batch_size=4, validate_every=10,
                       device="cpu")

    monkeypatch.setattr(settings_finetune.FinetuneTab, "_config", config)


def test_the_dialog_opens_from_the_window_and_saves_general_settings(window, qtbot):
    dialog = window.open_settings()
    assert dialog.isVisible()
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "General", "Models", "Fine-tune"]
    dialog.general.output_format.setCurrentText("webp")
    dialog.general.quality.setValue(80)
    dialog.general.save()
    assert window.settings.text("output_format", "") == "webp"
    assert window.settings.number("quality", 0) == 80
    assert window.open_settings() is dialog


def test_a_finetune_runs_to_the_end_and_its_model_appears_in_the_model_panel(
        make_window, qtbot, tmp_path, monkeypatch):
    install_tiny_base()
    _tiny_patches(monkeypatch)
    write_tiny_photos(tmp_path / "photos")
    window = make_window()
    tab = window.open_settings().finetune
    _fill_finetune(tab, tmp_path / "photos")
    with qtbot.waitSignal(tab.model_saved, timeout=60_000):
        tab.start()
    qtbot.waitUntil(lambda: not tab.tasks.busy)
    assert "mine" in _model_ids(window)
    assert "mine" in _finetune_bases(tab)
    assert tab.loss_plot.points and tab.psnr_plot.points
    assert tab.after_image.pixmap() is not None and not tab.after_image.pixmap().isNull()
    assert "held-out PSNR-Y" in tab.status.text()
    assert registry.resolve("mine", 2).weights.card["base_model"] == "tinybase"


def test_pause_resume_and_cancel_keep_what_was_learned(make_window, qtbot, tmp_path, monkeypatch):
    install_tiny_base()
    _tiny_patches(monkeypatch)
    write_tiny_photos(tmp_path / "photos")
    window = make_window()
    tab = window.open_settings().finetune
    _fill_finetune(tab, tmp_path / "photos", iterations=100_000)
    tab.start()
    qtbot.waitUntil(lambda: len(tab.loss_plot.points) >= 1, timeout=60_000)
    tab.pause_or_resume()
    qtbot.waitUntil(lambda: not tab.tasks.busy, timeout=30_000)
    assert tab.pause_button.text() == "Resume" and "Paused" in tab.status.text()
    checkpoint = checkpoint_path(tab.config.output)
    stopped_at = torch.load(checkpoint, weights_only=True)["iteration"]
    assert stopped_at >= 10
    tab.pause_or_resume()
    qtbot.waitUntil(lambda: tab.loss_plot.points[-1][0] > stopped_at, timeout=60_000)
    tab.cancel()
    qtbot.waitUntil(lambda: not tab.tasks.busy, timeout=30_000)
    assert "Cancelled" in tab.status.text() and tab.start_button.isEnabled()
    assert torch.load(checkpoint, weights_only=True)["iteration"] > stopped_at
    assert "mine" not in _model_ids(window)


def test_user_models_can_be_imported_renamed_and_deleted_from_the_models_tab(
        window, qtbot, tmp_path):
    source = tmp_path / "foreign.pth"
    torch.save(registry.architectures()["espcn"].network(scale=3).state_dict(), source)
    tab = window.open_settings().models
    assert tab.import_file(source)
    assert tab.selected().id == "foreign" and "foreign" in _model_ids(window)
    assert tab.rename_selected("renamed")
    assert "renamed" in _model_ids(window) and "foreign" not in _model_ids(window)
    assert tab.delete_selected()
    assert "renamed" not in _model_ids(window)
    bad = tmp_path / "bad.pth"
    torch.save({"weight": torch.rand(2)}, bad)
    assert not tab.import_file(bad)
    assert "match no architecture" in tab.message.text()
    tab.refresh("espcn")
    assert not tab.delete_button.isEnabled()
    assert not tab.delete_selected() and "shipped" in tab.message.text()


def test_the_finetune_tab_lists_models_imported_renamed_or_deleted_while_it_is_open(
        window, tmp_path):
    source = tmp_path / "foreign.pth"
    torch.save(registry.architectures()["espcn"].network(scale=3).state_dict(), source)
    dialog = window.open_settings()
    dialog.finetune.base.setCurrentText("espcn")
    assert "foreign" not in _finetune_bases(dialog.finetune)

    assert dialog.models.import_file(source)
    assert "foreign" in _finetune_bases(dialog.finetune)
    assert dialog.models.rename_selected("renamed")
    assert "renamed" in _finetune_bases(dialog.finetune)
    assert "foreign" not in _finetune_bases(dialog.finetune)
    assert dialog.finetune.base.currentText() == "espcn"
    assert dialog.models.delete_selected()
    assert "renamed" not in _finetune_bases(dialog.finetune)


def test_bad_photos_or_a_taken_name_stop_the_finetune_with_the_reason(
        make_window, qtbot, tmp_path, monkeypatch):
    install_tiny_base()
    _tiny_patches(monkeypatch)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "a.png").write_bytes(b"not a png")
    (broken / "b.jpg").write_bytes(b"")
    window = make_window()
    tab = window.open_settings().finetune
    _fill_finetune(tab, broken)
    tab.start()
    qtbot.waitUntil(lambda: "Stopped" in tab.status.text() and not tab.tasks.busy,
                    timeout=30_000)
    assert "2 unreadable" in tab.status.text() and tab.start_button.isEnabled()

    tab.name.setText("tinybase")
    tab.start()
    qtbot.waitUntil(lambda: "exists already" in tab.status.text() and not tab.tasks.busy,
                    timeout=30_000)
    assert tab.start_button.isEnabled()


def test_the_feature_network_is_offered_for_perceptual_models_and_remembered(make_window,
                                                                             tmp_path):
    tab = make_window().open_settings().finetune
    tab.add_folder(tmp_path)
    tab.name.setText("mine")
    tab.base.setCurrentText("espcn")
    assert not tab.features.isEnabled()
    tab.base.setCurrentText("srgan")
    assert tab.features.isEnabled()
    assert tab._config().features is None  # empty: EfficientNet-Lite0
    tab.features.setText(str(tmp_path / "vgg19.pth"))
    tab.features.editingFinished.emit()
    assert tab._config().features == tmp_path / "vgg19.pth"
    tab.base.setCurrentText("espcn")
    assert tab._config().features is None
    assert make_window().open_settings().finetune.features.text() == str(tmp_path / "vgg19.pth")
