"""Running models from the window: results shown, cancelled, failed, scored and saved."""

import pytest

from enhancer.engine.output_options import OutputOptions
from enhancer.imaging.io import read_image
from tests.ui.fake_models import install_fake_models
from tests.ui.photos import write_photo

WAIT_MS = 20_000


def run_and_wait(qtbot, window, start=None):
    with qtbot.waitSignal(window.tasks.done, timeout=WAIT_MS):
        (start or window.actions.run.trigger)()


def test_run_shows_the_result_over_the_photo_with_a_split(qtbot, window, tmp_path):
    window.open_path(write_photo(tmp_path / "garden.png", width=40, height=30))
    window.models.select("bicubic", 2)

    run_and_wait(qtbot, window)

    result = window.results.current()
    assert result is not None and result.request.model == "bicubic"
    assert result.photo.rgb.shape == (60, 80, 3)
    assert window.view.picture_size() == (80, 60)
    assert window.view.photo_item.split == 0.5
    assert "bicubic ×2" in window.view.caption.text()
    assert not window.status.progress.isVisible()
    assert window.actions.save.isEnabled()


def test_the_split_line_follows_a_drag(qtbot, window, tmp_path):
    window.open_path(write_photo(tmp_path / "garden.png", width=40, height=30))
    window.models.select("nearest", 2)
    run_and_wait(qtbot, window)
    view = window.view

    view.drag_split_to(view.mapFromScene(20, 30).toPointF())

    assert view.photo_item.split == pytest.approx(0.25, abs=0.02)


def test_cancel_stops_within_a_tile_and_adds_no_result(qtbot, monkeypatch, make_window, tmp_path):
    probe = install_fake_models(monkeypatch)
    window = make_window()
    window.open_path(write_photo(tmp_path / "garden.png", width=64, height=64))
    window.models.select("gated", 2)
    window.models.tile.setValue(16)

    with qtbot.waitSignal(window.tasks.done, timeout=WAIT_MS):
        window.actions.run.trigger()
        assert probe.entered.wait(timeout=10)
        assert window.actions.cancel.isEnabled()
        window.actions.cancel.trigger()
        probe.gate.set()

    assert probe.tiles == 1
    assert window.results.current() is None
    assert "Cancelled" in window.status.notice.text()


def test_a_failing_run_names_the_photo_and_the_reason(qtbot, window, tmp_path):
    window.open_path(write_photo(tmp_path / "garden.png", width=40, height=30))
    window.models.select("bicubic", 2)
    window.models.device.addItem("cuda:7")
    window.models.device.setCurrentText("cuda:7")

    run_and_wait(qtbot, window)

    notice = window.status.notice.text()
    assert "garden.png" in notice and "cuda:7" in notice
    assert window.results.current() is None


def test_simulated_low_resolution_scores_each_result(qtbot, window, tmp_path):
    window.open_path(write_photo(tmp_path / "garden.png", width=41, height=30))
    window.models.simulate.setChecked(True)
    window.models.select("bicubic", 2)

    run_and_wait(qtbot, window)

    result = window.results.current()
    # The truth is the photo cropped to a multiple of the scale; the result matches it in size.
    assert result.photo.rgb.shape == (30, 40, 3)
    assert (result.before.width, result.before.height) == (20, 15)
    assert result.psnr > 20 and 0 < result.ssim <= 1
    assert f"PSNR {result.psnr:.2f} dB" in window.view.caption.text()


def test_save_writes_the_result_next_to_nothing_it_should_not(qtbot, window, tmp_path):
    source = write_photo(tmp_path / "garden.png", width=40, height=30)
    window.open_path(source)
    window.models.select("bicubic", 2)
    run_and_wait(qtbot, window)
    target = tmp_path / "out" / "garden-bicubic-x2.jpg"
    target.parent.mkdir()

    run_and_wait(qtbot, window, lambda: window.save_result(target,
                                                           options=OutputOptions(quality=80)))

    assert read_image(target).rgb.shape == (60, 80, 3)
    assert "Saved" in window.status.notice.text()

    run_and_wait(qtbot, window, lambda: window.save_result(source))
    assert "Could not save garden.png" in window.status.notice.text()
    assert read_image(source).rgb.shape == (30, 40, 3)


def brightest(image) -> int:
    return max(max(image.pixelColor(x, y).getRgb()[:3])
               for y in range(image.height()) for x in range(image.width()))


@pytest.mark.parametrize(("model", "differs"), [("bicubic", False), ("nearest", True)])
def test_difference_view_shows_what_the_model_changed_from_bicubic(qtbot, window, tmp_path,
                                                                   model, differs):
    window.open_path(write_photo(tmp_path / "garden.png", width=40, height=30))
    window.models.select(model, 2)
    run_and_wait(qtbot, window)

    with qtbot.waitSignal(window.tasks.done, timeout=WAIT_MS):
        window.actions.difference.trigger()

    shown = window.view.photo_item
    assert shown.split is None and (shown.after.width, shown.after.height) == (80, 60)
    # Rounding the result to 8 bits leaves half a level, brightened 4 times.
    assert (brightest(shown.after.full) > 4) == differs
    assert "Difference from bicubic" in window.view.caption.text()
