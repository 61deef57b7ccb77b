"""The General tab's output settings decide how the app's saves and batches name and write files."""

from pathlib import Path

import numpy as np
from PIL import Image

from enhancer.imaging.io import read_image
from enhancer.ui import main_window as main_window_module
from tests.imaging.test_io import camera_exif, tags_of
from tests.sample_images import srgb_profile
from tests.ui.test_runs import run_and_wait


def write_camera_photo(path: Path) -> Path:
    """A JPEG with a colour profile and camera EXIF (make, date, GPS), as phones write them."""
    ys, xs = np.mgrid[0:24, 0:32]
    rgb = np.dstack([xs * 8, ys * 10, np.full_like(xs, 90)]).astype(np.uint8)
    Image.fromarray(rgb).save(path, quality=95, icc_profile=srgb_profile(), exif=camera_exif())
    return path


def set_output(window, *, format: str, quality: int, template: str, keep: bool) -> None:
    general = window.open_settings().general
    general.output_format.setCurrentText(format)
    general.quality.setValue(quality)
    general.naming.setText(template)
    general.keep_metadata.setChecked(keep)
    assert general.save()


def has_metadata(path: Path) -> tuple[bool, bool]:
    photo = read_image(path)
    tags = tags_of(photo.exif)[0] if photo.exif else {}
    return photo.icc_profile is not None, 0x010F in tags


def test_a_batch_writes_files_named_formatted_and_stripped_as_the_settings_say(
        qtbot, window, tmp_path):
    album = tmp_path / "album"
    album.mkdir()
    write_camera_photo(album / "beach.jpg")
    window.models.select("bicubic", 2)
    window.batch.add_inputs([album])
    window.batch.output.setText(str(tmp_path / "out"))

    set_output(window, format="png", quality=95, template="{stem}_{model}_x{scale}", keep=True)
    run_and_wait(qtbot, window, window.batch.start_button.click)
    kept = tmp_path / "out" / "album" / "beach_bicubic_x2.png"
    assert has_metadata(kept) == (True, True)

    set_output(window, format="jpg", quality=40, template="{model}-{stem}", keep=False)
    run_and_wait(qtbot, window, window.batch.start_button.click)
    stripped = tmp_path / "out" / "album" / "bicubic-beach.jpg"
    assert read_image(stripped).rgb.shape == (48, 64, 3)
    assert has_metadata(stripped) == (False, False)

    set_output(window, format="jpg", quality=95, template="{model}-{stem}-q95", keep=False)
    run_and_wait(qtbot, window, window.batch.start_button.click)
    assert (stripped.with_name("bicubic-beach-q95.jpg").stat().st_size
            > stripped.stat().st_size)


def test_save_suggests_the_template_name_and_writes_without_metadata_when_told(
        qtbot, window, tmp_path, monkeypatch):
    source = write_camera_photo(tmp_path / "beach.jpg")
    window.open_path(source)
    window.models.select("bicubic", 2)
    run_and_wait(qtbot, window)
    set_output(window, format="webp", quality=70, template="{stem}-big", keep=False)
    shown = []

    def accept(dialog) -> int:
        shown.append((dialog.chosen_path(), dialog.format.currentText(), dialog.quality.value()))
        return 1

    monkeypatch.setattr(main_window_module.SaveDialog, "exec", accept)
    run_and_wait(qtbot, window, window.choose_save_path)

    assert shown == [(tmp_path / "beach-big.webp", "WebP", 70)]
    assert has_metadata(tmp_path / "beach-big.webp") == (False, False)


def test_a_template_that_cannot_name_files_is_not_stored(window):
    general = window.open_settings().general
    general.naming.setText("{stem}/{model}")

    assert not general.save()
    assert "does not make a file name" in general.message.text()
    assert window.settings.text("naming_template", "unset") == "unset"
