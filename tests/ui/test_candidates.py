"""The candidates view: draws N samples of a generative model through the task runner, the
temperature slider sets how varied they are, and the kept one becomes a result to save."""

from PySide6.QtCore import Qt

from tests.engine.pixelrsr_model import save_tiny_pixelrsr
from tests.ui.photos import write_photo

WAIT_MS = 60_000


def choose_tiny_model(dialog):
    """The tiny test model, among the shipped generative models listed too."""
    listed = [dialog.model.itemData(index) for index in range(dialog.model.count())]
    dialog.model.setCurrentIndex(listed.index(("tiny-pixelrsr", 4)))


def draw_and_wait(qtbot, dialog, window):
    with qtbot.waitSignal(window.tasks.done, timeout=WAIT_MS):
        assert dialog.draw()


def test_candidates_are_drawn_picked_and_kept_as_a_result(qtbot, make_window, tmp_path):
    save_tiny_pixelrsr()
    window = make_window()
    window.open_path(write_photo(tmp_path / "thumb.png", width=6, height=4))

    dialog = window.open_candidates()
    choose_tiny_model(dialog)
    dialog.count.setValue(3)
    dialog.temperature.setValue(120)
    assert dialog.temperature_label.text() == "1.20"
    draw_and_wait(qtbot, dialog, window)

    assert len(dialog.candidates) == 3 and len(dialog.choices.buttons()) == 3
    assert {c.photo.rgb.shape for c in dialog.candidates} == {(16, 24, 3)}
    assert len({c.photo.rgb.tobytes() for c in dialog.candidates}) == 3  # three different answers
    assert not dialog.keep_button.isEnabled()

    qtbot.mouseClick(dialog.choices.button(1), Qt.MouseButton.LeftButton)
    assert dialog.keep_button.isEnabled()
    qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)

    kept = window.results.current()
    assert kept is dialog.candidates[1]
    assert window.actions.save.isEnabled()

    first = [c.photo.rgb.tobytes() for c in dialog.candidates]
    draw_and_wait(qtbot, dialog, window)
    assert [c.photo.rgb.tobytes() for c in dialog.candidates] != first  # a new draw, new samples


def test_a_photo_over_the_size_limit_is_refused_in_words(qtbot, make_window, tmp_path):
    save_tiny_pixelrsr()
    window = make_window()
    window.open_path(write_photo(tmp_path / "photo.png", width=40, height=30))

    dialog = window.open_candidates()
    choose_tiny_model(dialog)
    draw_and_wait(qtbot, dialog, window)

    assert "16 x 16 px at most" in dialog.status.text()
    assert dialog.candidates == [] and dialog.draw_button.isEnabled()


def test_without_a_generative_model_the_window_says_so(qtbot, tmp_path):
    from enhancer.models.catalog import catalog
    from enhancer.ui.main_window import MainWindow

    window = MainWindow(entries=[entry for entry in catalog() if entry.kind != "generative"])
    qtbot.addWidget(window)
    window.open_path(write_photo(tmp_path / "thumb.png", width=6, height=4))
    assert window.open_candidates() is None
    assert "generative" in window.status.notice.text()



def chosen_at_start(qtbot, tmp_path, models):
    from enhancer.imaging.io import read_image
    from enhancer.ui.candidates_dialog import CandidatesDialog
    from enhancer.ui.worker import TaskRunner

    photo = read_image(write_photo(tmp_path / "thumb.png", width=6, height=4))
    dialog = CandidatesDialog(photo, models, TaskRunner())
    qtbot.addWidget(dialog)
    return dialog.model.currentData()


def test_the_full_pixelrsr_is_chosen_before_its_ablations(qtbot, tmp_path):
    models = [("pixelrsr-conditioning", 4), ("pixelrsr-l2", 4), ("pixelrsr", 4)]
    assert chosen_at_start(qtbot, tmp_path, models) == ("pixelrsr", 4)


def test_without_pixelrsr_the_first_model_is_chosen(qtbot, tmp_path):
    models = [("pixelrsr-conditioning", 4), ("tiny-pixelrsr", 4)]
    assert chosen_at_start(qtbot, tmp_path, models) == ("pixelrsr-conditioning", 4)
