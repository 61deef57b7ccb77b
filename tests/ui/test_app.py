from enhancer import paths
from enhancer.app import SAMPLE_HINT, create_main_window
from enhancer.engine.device import choose_device, describe_device
from enhancer.imaging.io import read_image
from tests.ui.photos import write_photo


def test_first_start_shows_the_sample_photo_with_a_hint(qtbot):
    window = create_main_window([])
    qtbot.addWidget(window)

    height, width = read_image(paths.sample_photo()).rgb.shape[:2]
    assert window.view.picture_size() == (width, height)
    assert window.status.notice.text() == SAMPLE_HINT
    assert describe_device(choose_device()) in window.status.device.text()


def test_a_photo_given_on_the_command_line_is_shown_instead(qtbot, tmp_path):
    photo = write_photo(tmp_path / "mine.png", width=30, height=20)

    window = create_main_window([photo])
    qtbot.addWidget(window)

    assert window.photo_path == photo
    assert window.status.notice.text() == ""
