from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QWheelEvent
from PySide6.QtWidgets import QFileDialog

from enhancer.ui.main_window import MainWindow
from tests.ui.photos import write_broken_file, write_photo


def shown_size(window: MainWindow) -> tuple[int, int]:
    return window.view.picture_size()


def test_opening_a_photo_shows_it_and_names_it(window, tmp_path):
    path = write_photo(tmp_path / "garden.png", width=64, height=48)

    assert window.open_path(path)

    assert shown_size(window) == (64, 48)
    assert window.view.scene().sceneRect().size().toSize().toTuple() == (64, 48)
    assert "garden.png" in window.windowTitle()
    assert "garden.png" in window.status.photo.text()
    assert "64 × 48" in window.status.photo.text()
    assert "Test CPU (1 thread)" in window.status.device.text()


def test_broken_file_is_named_in_the_status_bar_and_the_photo_stays(window, tmp_path):
    window.open_path(write_photo(tmp_path / "good.png", width=40, height=30))
    broken = write_broken_file(tmp_path / "broken.png")

    assert not window.open_path(broken)

    assert "broken.png" in window.status.notice.text()
    assert shown_size(window) == (40, 30)
    assert window.photo_path == tmp_path / "good.png"
    assert "good.png" in window.windowTitle()


def test_missing_file_is_reported_without_a_dialog(window, tmp_path):
    assert not window.open_path(tmp_path / "gone.jpg")

    assert "gone.jpg" in window.status.notice.text()
    assert window.photo is None


def test_open_action_replaces_the_photo(window, tmp_path, monkeypatch):
    window.open_path(write_photo(tmp_path / "first.png", width=40, height=30))
    second = write_photo(tmp_path / "second.png", width=50, height=20)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args: (str(second), "Images")))

    window.actions.open.trigger()

    assert shown_size(window) == (50, 20)
    assert window.photo_path == second


def test_open_dialog_cancelled_keeps_the_photo(window, tmp_path, monkeypatch):
    window.open_path(write_photo(tmp_path / "first.png", width=40, height=30))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *args: ("", "")))

    window.actions.open.trigger()

    assert shown_size(window) == (40, 30)


def file_drag(path: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    return mime


def test_dropping_an_image_file_replaces_the_photo(window, tmp_path):
    window.open_path(write_photo(tmp_path / "first.png", width=40, height=30))
    dropped = write_photo(tmp_path / "dropped.png", width=24, height=36)
    mime = file_drag(dropped)
    centre = QPointF(window.width() / 2, window.height() / 2)

    enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()

    window.dropEvent(QDropEvent(centre, Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))

    assert shown_size(window) == (24, 36)
    assert window.photo_path == dropped


def test_dragging_text_is_refused(window):
    mime = QMimeData()
    mime.setText("just words")
    enter = QDragEnterEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter.ignore()

    window.dragEnterEvent(enter)

    assert not enter.isAccepted()


def test_large_photo_is_fitted_and_small_photo_shown_at_actual_size(window, tmp_path):
    window.open_path(write_photo(tmp_path / "large.png", width=3000, height=2000))
    view = window.view
    viewport = view.viewport().rect()
    assert view.zoom == pytest.approx(min((viewport.width() - 2) / 3000, (viewport.height() - 2) / 2000))
    # All of it is in sight: there is nothing to scroll to.
    assert view.horizontalScrollBar().maximum() == 0
    assert view.verticalScrollBar().maximum() == 0

    window.open_path(write_photo(tmp_path / "small.png", width=64, height=48))
    assert window.view.zoom == 1
    assert window.status.zoom.text() == "Zoom 100%"


def test_wheel_zooms_in_about_the_point_under_the_cursor(window, tmp_path):
    window.open_path(write_photo(tmp_path / "large.png", width=3000, height=2000))
    view = window.view
    cursor = QPointF(view.viewport().width() * 0.3, view.viewport().height() * 0.4)
    under_cursor = view.mapToScene(cursor.toPoint())
    zoom_before = view.zoom

    view.wheelEvent(QWheelEvent(cursor, view.mapToGlobal(cursor), QPoint(), QPoint(0, 120),
                                Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                                Qt.ScrollPhase.NoScrollPhase, False))

    assert view.zoom == pytest.approx(zoom_before * 1.25)
    after = view.mapToScene(cursor.toPoint())
    assert abs(after.x() - under_cursor.x()) < 2 / view.zoom
    assert abs(after.y() - under_cursor.y()) < 2 / view.zoom


def test_zoom_actions_change_the_zoom_and_fit_restores_it(window, tmp_path):
    window.open_path(write_photo(tmp_path / "large.png", width=3000, height=2000))
    fitted = window.view.zoom

    window.actions.zoom_in.trigger()
    assert window.view.zoom == pytest.approx(fitted * 1.25)
    window.actions.actual_size.trigger()
    assert window.view.zoom == 1
    window.actions.fit.trigger()
    assert window.view.zoom == pytest.approx(fitted)
