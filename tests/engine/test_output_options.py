"""Output options: file names from a template, refused templates, metadata kept or stripped."""

from pathlib import Path

import pytest

from enhancer.engine.batch import PlanError, plan_jobs
from enhancer.engine.output_options import OutputOptions, OutputOptionsError
from enhancer.imaging.io import Photo, read_image, write_image
from tests.imaging.test_io import camera_exif, tags_of
from tests.sample_images import gradient, srgb_profile


def test_the_template_names_the_file_and_the_format_gives_the_suffix():
    options = OutputOptions(format="webp", template="{model}-{scale}x-{stem}")

    assert options.file_name(Path("/photos/garden.jpg"), model="espcn", scale=4) == \
        "espcn-4x-garden.webp"
    assert OutputOptions().file_name(None, model="srcnn", scale=2) == "pasted_srcnn_x2.png"


@pytest.mark.parametrize(("template", "complaint"), [
    ("{stem}_{date}", "unknown field {date}"),
    ("{stem", "file name template"),
    ("sub/{stem}", "does not make a file name"),
    ("", "does not make a file name"),
    ("{scale:q}", "file name template"),
])
def test_a_template_that_cannot_name_a_file_is_refused(template, complaint):
    with pytest.raises(OutputOptionsError, match=complaint):
        OutputOptions(template=template)


def test_other_bad_options_are_refused():
    with pytest.raises(OutputOptionsError, match="format"):
        OutputOptions(format="gif")
    with pytest.raises(OutputOptionsError, match="quality"):
        OutputOptions(quality=0)


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".webp", ".tif"])
def test_metadata_is_written_only_when_kept(tmp_path, suffix):
    photo = Photo(rgb=gradient(), icc_profile=srgb_profile(), exif=camera_exif())
    for keep in (True, False):
        path = tmp_path / f"keep-{keep}{suffix}"
        write_image(path, OutputOptions(keep_metadata=keep).prepared(photo))
        back = read_image(path)
        # A TIFF always carries its resolution tags; the camera's and the GPS tags are the test.
        tags, _, gps = tags_of(back.exif) if back.exif else ({}, {}, {})
        assert (back.icc_profile is not None, 0x010F in tags, bool(gps)) == (keep, keep, keep)


def test_a_batch_names_outputs_by_the_template_and_refuses_two_photos_on_one_name(tmp_path):
    album = tmp_path / "album"
    (album / "day1").mkdir(parents=True)
    for name in ("day1/a.png", "b.jpg", "b.png"):
        (album / name).write_bytes(b"x")
    options = OutputOptions(template="{stem}-{model}", format="jpg")

    def name(source: Path) -> str:
        return options.file_name(source, model="espcn", scale=2)

    jobs = plan_jobs([album / "day1"], tmp_path / "out", file_name=name)
    assert [job.destination.relative_to(tmp_path / "out").as_posix() for job in jobs] == [
        "day1/a-espcn.jpg"]
    with pytest.raises(PlanError, match="would both be written to"):
        plan_jobs([album], tmp_path / "out", file_name=name)
