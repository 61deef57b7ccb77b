"""Comparing models side by side: the ticked models run in turn and their views move together."""

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent

from tests.ui.photos import write_photo


@pytest.fixture
def compared(qtbot, window, tmp_path):
    window.open_path(write_photo(tmp_path / "garden.png", width=120, height=80))
    window.models.simulate.setChecked(True)
    window.models.select("bicubic", 2)
    window.models.set_compared(["nearest", "bilinear", "bicubic"])
    window.actions.compare_models.trigger()
    qtbot.waitUntil(lambda: len(window.results.results) == 3 and not window.tasks.busy,
                    timeout=20_000)
    return window


def test_ticked_models_are_shown_side_by_side_with_their_scores(compared):
    window = compared
    views = window.compare.views
    assert window.stack.currentWidget() is window.compare
    assert len(views) == 3
    captions = [view.caption.text() for view in views]
    for model, caption in zip(("nearest", "bilinear", "bicubic"), captions):
        assert caption.startswith(f"{model} ×2") and " dB · SSIM " in caption


def test_zooming_one_view_moves_the_others_to_the_same_place(compared):
    views = compared.compare.views
    leader = views[1]
    cursor = QPointF(leader.viewport().width() * 0.3, leader.viewport().height() * 0.6)

    leader.wheelEvent(QWheelEvent(cursor, leader.mapToGlobal(cursor), QPoint(), QPoint(0, 360),
                                  Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                                  Qt.ScrollPhase.NoScrollPhase, False))
    leader.horizontalScrollBar().setValue(leader.horizontalScrollBar().value() + 15)

    state = leader.state()
    assert leader.zoom > 1
    assert compared.status.zoom.text() == f"Zoom {views[0].zoom:.0%}"
    for view in (views[0], views[2]):
        assert view.zoom == pytest.approx(leader.zoom)
        assert view.state().center_x == pytest.approx(state.center_x, abs=0.01)
        assert view.state().center_y == pytest.approx(state.center_y, abs=0.01)


def test_comparing_needs_two_models(qtbot, window, tmp_path):
    window.open_path(write_photo(tmp_path / "garden.png", width=40, height=30))
    window.models.set_compared(["bicubic"])

    window.actions.compare_models.trigger()

    assert not window.tasks.busy
    assert "at least two" in window.status.notice.text()
