"""Reference photos reach a reference model, and any other model says it leaves them unused."""

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from enhancer.imaging.io import read_image
from enhancer.ui.jobs import RunRequest, Step, upscale_photo
from tests.ui.fake_models import install_fake_models
from tests.ui.photos import write_photo


def drop_files(widget, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    widget.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))


def test_dropped_references_reach_a_reference_model(qtbot, monkeypatch, make_window, tmp_path):
    probe = install_fake_models(monkeypatch)
    window = make_window()
    window.open_path(write_photo(tmp_path / "scene.png", width=32, height=24))
    refs = [write_photo(tmp_path / "ref-a.png", width=50, height=40),
            write_photo(tmp_path / "ref-b.png", width=20, height=30)]

    drop_files(window.references, refs)
    window.models.select("ref-probe", 2)
    assert window.references.thumbnails.count() == 2
    assert "ref-probe will use these 2" in window.references.hint.text()
    with qtbot.waitSignal(window.tasks.done, timeout=20_000):
        window.actions.run.trigger()

    assert probe.references == [(1, 3, 40, 50), (1, 3, 30, 20)]


def test_a_run_says_it_prepares_the_references_before_its_tiles(monkeypatch, tmp_path):
    install_fake_models(monkeypatch)
    photo = read_image(write_photo(tmp_path / "scene.png", width=32, height=24))
    refs = [write_photo(tmp_path / "ref.png", width=20, height=30)]
    steps = list(upscale_photo(photo, RunRequest("ref-probe", 2, device="cpu"), references=refs))
    texts = [step.text for step in steps if isinstance(step, Step)]
    assert texts[:2] == ["Loading ref-probe ×2", "Preparing 1 reference photo(s)"]
    assert not any(isinstance(step, Step) for step in steps[2:-1])  # then the tiles


def test_other_models_say_the_references_are_unused_and_who_would_use_them(monkeypatch, make_window,
                                                                            tmp_path):
    install_fake_models(monkeypatch)
    window = make_window()
    drop_files(window.references, [write_photo(tmp_path / "ref.png", width=20, height=20)])

    window.models.select("bicubic", 2)

    hint = window.references.hint.text()
    assert "Unused: bicubic" in hint
    assert "ref-probe" in hint.split("does not use reference photos.")[1]


def test_removed_references_are_gone(window, tmp_path):
    refs = [write_photo(tmp_path / f"ref-{i}.png", width=20, height=20) for i in range(3)]
    drop_files(window.references, refs)

    window.references.thumbnails.item(1).setSelected(True)
    window.references.remove_selected()

    assert window.references.paths() == [refs[0], refs[2]]
