"""The model set-up, recent files and pasted photos across windows."""

from PySide6.QtGui import QGuiApplication, QImage

from tests.ui.photos import write_photo


def test_model_choices_are_remembered_by_the_next_window(make_window):
    first = make_window()
    first.models.select("lanczos", 3)
    first.models.precision.setCurrentText("fp32")
    first.models.tile.setValue(256)
    first.models.simulate.setChecked(True)
    first.models.set_compared(["nearest", "lanczos"])

    second = make_window()

    request = second.models.request()
    assert (request.model, request.scale, request.precision, request.tile, request.simulate) == (
        "lanczos", 3, "fp32", 256, True)
    assert [r.model for r in second.models.compare_requests()[0]] == ["nearest", "lanczos"]


def test_opened_files_are_listed_as_recent_newest_first(make_window, tmp_path):
    first = make_window()
    a = write_photo(tmp_path / "a.png", width=10, height=10)
    b = write_photo(tmp_path / "b.png", width=10, height=10)
    first.open_path(a)
    first.open_path(b)
    first.open_path(a)

    second = make_window()

    assert [action.text() for action in second.recent_menu.actions()] == ["a.png", "b.png"]
    second.recent_menu.actions()[1].trigger()
    assert second.photo_path == b.resolve()


def test_a_pasted_picture_opens_like_a_file(window):
    image = QImage(30, 20, QImage.Format.Format_RGB888)
    image.fill(0x336699)
    QGuiApplication.clipboard().setImage(image)

    window.actions.paste.trigger()

    assert window.photo.rgb.shape == (20, 30, 3)
    assert tuple(window.photo.rgb[5, 5]) == (0x33, 0x66, 0x99)
    assert window.photo_path is None
