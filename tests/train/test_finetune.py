import pytest

from enhancer import paths
from enhancer.cli import main
from enhancer.data.folders import DataError
from enhancer.engine.generators import run_to_end
from enhancer.models import registry
from enhancer.train.checkpoint import checkpoint_path, load_checkpoint
from enhancer.train.finetune import FinetuneError, finetune, trainable_models
from enhancer.train.finetune_photos import split_photos
from tests.train.finetune_setup import (
    install_tiny_base,
    replan_at_once,
    tiny_config,
    write_tiny_photos,
)


@pytest.fixture(autouse=True)
def tiny_base():
    return install_tiny_base()


def test_a_finetune_is_saved_as_a_user_model_with_its_card(tmp_path):
    write_tiny_photos(tmp_path / "photos" / "nested")
    result = run_to_end(finetune(tiny_config(tmp_path / "photos")))
    model = registry.resolve("mine", 2)
    assert model.weights.path.parent == paths.user_models_dir()
    assert model.weights.path == result.weights.path
    card = model.weights.card
    assert card["base_model"] == "tinybase" and card["photos"] == 10
    assert card["held_out_photos"] == 1 and card["iterations"] == 20
    assert card["held_out_psnr_before"] == round(result.before, 2)
    assert card["held_out_psnr_after"] == round(result.after, 2)
    assert result.after != result.before  # it learned something
    assert not checkpoint_path(result.weights.path).exists()
    assert "mine" in trainable_models(2)


def test_the_held_out_photos_are_chosen_by_name_and_never_trained_on(tmp_path):
    photos = write_tiny_photos(tmp_path / "photos", count=20)
    split = split_photos(photos)
    assert len(split.held_out) == 2
    assert not set(split.held_out) & set(split.training)
    assert set(split.held_out) | set(split.training) == set(photos)
    assert split_photos(list(reversed(photos))).held_out == tuple(
        p for p in reversed(photos) if p in split.held_out)

    run = finetune(tiny_config(tmp_path / "photos"))
    next(p for p in run if p.stage == "training")
    run.close()
    work = paths.user_data_dir() / "finetune" / "mine-x2"
    trained = {p.resolve() for p in (work / "train").iterdir()}
    scored = {p.name.split("-", 1)[1] for p in (work / "held-out").iterdir()}
    assert scored == {p.name for p in split.held_out}
    assert trained == {p.resolve() for p in split.training}


def test_a_cancelled_finetune_resumes_from_its_checkpoint(tmp_path):
    write_tiny_photos(tmp_path / "photos")
    config = tiny_config(tmp_path / "photos")
    run = finetune(config)
    first = next(p for p in run if p.stage == "training")
    run.close()
    saved = load_checkpoint(checkpoint_path(config.output))
    assert saved["iteration"] == first.iteration == 10
    resumed = finetune(config)
    iterations = [p.iteration for p in resumed if p.stage == "training"]
    assert iterations == [20]
    assert registry.resolve("mine", 2).weights.card["iterations"] == 20


def test_a_name_that_exists_is_refused(tmp_path):
    write_tiny_photos(tmp_path / "photos")
    with pytest.raises(FinetuneError, match="exists already"):
        next(finetune(tiny_config(tmp_path / "photos", name="tinybase")))
    with pytest.raises(FinetuneError, match="not a usable model name"):
        next(finetune(tiny_config(tmp_path / "photos", name="../evil")))


def test_a_folder_without_usable_photos_is_refused_with_the_reasons(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"not a png")
    (folder / "b.jpg").write_bytes(b"")
    with pytest.raises(DataError, match="2 unreadable"):
        run_to_end(finetune(tiny_config(folder)))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no images"):
        run_to_end(finetune(tiny_config(tmp_path / "empty")))


def test_photos_smaller_than_a_patch_are_skipped_or_refused(tmp_path):
    from tests.data.photos import write_photos

    write_photos(tmp_path / "small", count=3, size=(8, 8), seed=4)
    with pytest.raises(DataError, match="3 smaller than 12 px"):
        run_to_end(finetune(tiny_config(tmp_path / "small")))
    write_tiny_photos(tmp_path / "mixed")
    write_photos(tmp_path / "mixed" / "thumbs", count=2, size=(8, 8), seed=4)
    (tmp_path / "mixed" / "broken.png").write_bytes(b"xx")
    result = run_to_end(finetune(tiny_config(tmp_path / "mixed")))
    assert result.photos == 10
    assert sum("too small" in s for s in result.skipped) == 2 and len(result.skipped) == 3


def test_the_finetune_command_makes_a_model_that_bench_can_use(tmp_path, capsys):
    from tests.data.photos import write_photos

    write_photos(tmp_path / "photos", count=3, size=(48, 52))  # the default patch is 48 px
    assert main(["finetune", "-m", "tinybase", "-s", "2", "--photos", str(tmp_path / "photos"),
                 "--out", "cli", "--iterations", "3", "--device", "cpu"]) == 0
    assert "held-out PSNR-Y" in capsys.readouterr().err
    assert main(["bench", "-m", "cli", "-s", "2", "--data", str(tmp_path / "photos")]) == 0
    assert "cli" in capsys.readouterr().out
    assert main(["finetune", "-m", "tinybase", "-s", "2", "--photos", str(tmp_path / "photos"),
                 "--out", "cli", "--iterations", "3"]) == 2
    assert "exists already" in capsys.readouterr().err


def test_a_full_disk_is_reported_and_what_was_learned_is_kept(tmp_path, monkeypatch):
    import errno

    from enhancer.train import finetune as finetune_module

    write_tiny_photos(tmp_path / "photos")
    config = tiny_config(tmp_path / "photos")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(finetune_module, "export_model", full)
        with pytest.raises(FinetuneError, match="disk is full.*checkpoint is kept"):
            run_to_end(finetune(config))
    assert load_checkpoint(checkpoint_path(config.output))["iteration"] == 20
    assert not config.output.exists()

    result = run_to_end(finetune(config))  # space freed: resumes, trains no further, saves
    assert result.iterations == 20 and config.output.is_file()


def test_a_time_budget_is_planned_from_the_measured_speed_and_kept_on_resume(
        tmp_path, monkeypatch):
    from enhancer.train import finetune as finetune_module
    from enhancer.train.finetune_speed import TrainingSpeed

    write_tiny_photos(tmp_path / "photos")
    config = tiny_config(tmp_path / "photos", iterations=None, minutes=5.0)
    monkeypatch.setattr(finetune_module, "measure_speed",
                        lambda *args, **kwargs: TrainingSpeed(1, 0.1, 4))
    run = finetune(config)
    first = next(p for p in run if p.stage == "training")
    run.close()
    assert first.iteration == 10 and first.fraction == pytest.approx(10 / 25)  # 0.85 * 30 s

    monkeypatch.setattr(finetune_module, "measure_speed",
                        lambda *args, **kwargs: TrainingSpeed(1, 1000.0, 4))
    result = run_to_end(finetune(config))  # a faster machine now: the first plan still holds
    assert result.iterations == 25


def test_threads_drop_to_one_when_training_slows_far_below_the_measured_speed(
        tmp_path, monkeypatch):
    import torch

    from enhancer.train import finetune as finetune_module
    from enhancer.train.finetune_speed import TrainingSpeed

    write_tiny_photos(tmp_path / "photos")
    monkeypatch.setattr(finetune_module, "measure_speed",
                        lambda *args, **kwargs: TrainingSpeed(2, 1e9, 4))
    calls = []
    monkeypatch.setattr(torch, "set_num_threads", calls.append)
    monkeypatch.setattr(torch, "get_num_threads", lambda: calls[-1] if calls else 3)
    run_to_end(finetune(tiny_config(tmp_path / "photos")))
    assert calls == [2, 1, 3]  # the measured best, the fall-back, the caller's again


def test_held_out_photos_are_scored_on_a_centre_crop(tmp_path):
    from enhancer.imaging.io import read_image
    from enhancer.train.finetune_photos import write_crops
    from tests.data.photos import write_photos

    big = write_photos(tmp_path / "big", count=1, size=(40, 30))[0]
    small = write_photos(tmp_path / "small", count=1, size=(10, 12))[0]
    folder = write_crops([big, small], tmp_path / "crops", side=16)
    crops = sorted(folder.iterdir())
    assert [read_image(p).rgb.shape for p in crops] == [(16, 16, 3), (10, 12, 3)]
    original = read_image(big).rgb
    top, left = (original.shape[0] - 16) // 2, (original.shape[1] - 16) // 2
    assert (read_image(crops[0]).rgb == original[top:top + 16, left:left + 16]).all()


def test_the_plan_is_made_again_from_the_speed_measured_in_the_run(tmp_path, monkeypatch):
    write_tiny_photos(tmp_path / "photos")
    replan_at_once(monkeypatch)
    config = tiny_config(tmp_path / "photos", iterations=40, minutes=5.0)
    result = run_to_end(finetune(config))
    assert result.iterations == 40  # the new plan, capped by the iteration budget
    assert registry.resolve("mine", 2).weights.card["iterations"] == 40
