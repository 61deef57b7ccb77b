"""A batch from the window: folders mirrored, existing outputs skipped, failures listed.

Outputs are named by the General settings' default template, "{stem}_{model}_x{scale}.png".
"""

from enhancer.imaging.io import read_image
from tests.ui.photos import write_broken_file, write_photo


def test_batch_mirrors_folders_skips_done_files_and_lists_failures(qtbot, window, tmp_path):
    album = tmp_path / "album"
    (album / "day1").mkdir(parents=True)
    write_photo(album / "day1" / "a.png", width=20, height=10)
    write_photo(album / "b.png", width=12, height=8)
    write_broken_file(album / "day1" / "broken.png")
    single = write_photo(tmp_path / "single.png", width=10, height=10)
    output = tmp_path / "out"
    (output / "album").mkdir(parents=True)
    (output / "album" / "b_bicubic_x2.png").write_bytes(b"done before")
    window.models.select("bicubic", 2)
    window.batch.add_inputs([album, single])
    window.batch.output.setText(str(output))

    with qtbot.waitSignal(window.tasks.done, timeout=20_000):
        window.batch.start_button.click()

    assert read_image(output / "album" / "day1" / "a_bicubic_x2.png").rgb.shape == (20, 40, 3)
    assert read_image(output / "single_bicubic_x2.png").rgb.shape == (20, 20, 3)
    assert (output / "album" / "b_bicubic_x2.png").read_bytes() == b"done before"
    assert not (output / "album" / "day1" / "broken_bicubic_x2.png").exists()
    failures = [window.batch.failures.item(i).text() for i in range(window.batch.failures.count())]
    assert len(failures) == 1 and "broken.png" in failures[0]
    assert window.batch.state.text() == "Done: 2 written, 1 failed, 1 skipped"


def test_batch_without_an_output_folder_asks_for_one(window, tmp_path):
    window.batch.add_inputs([write_photo(tmp_path / "a.png", width=10, height=10)])

    window.batch.start_button.click()

    assert not window.tasks.busy
    assert "output folder" in window.batch.state.text()
