import numpy as np
import pytest
from PIL import Image

from enhancer.data import folders
from enhancer.data.folders import DataError, image_files, load_images
from tests.data.photos import write_photos


def test_images_are_found_recursively_in_a_stable_order(tmp_path):
    top = write_photos(tmp_path / "a", count=2)
    nested = write_photos(tmp_path / "a" / "deeper" / "still", count=1, suffix=".jpg")
    (tmp_path / "a" / "notes.txt").write_text("not an image")
    assert image_files([tmp_path / "a"]) == sorted(top + nested)


def test_loaded_images_are_uint8_rgb_chw_with_the_file_pixels(tmp_path):
    path = write_photos(tmp_path, count=1, size=(20, 30))[0]
    (image,) = load_images([tmp_path])
    assert image.dtype.is_floating_point is False and image.shape == (3, 20, 30)
    assert np.array_equal(image.permute(1, 2, 0).numpy(), np.asarray(Image.open(path)))


def test_each_file_is_decoded_once_until_it_changes(tmp_path, monkeypatch):
    path = write_photos(tmp_path, count=1)[0]
    folders._decoded.cache_clear()
    reads = []
    real = folders.read_image
    monkeypatch.setattr(folders, "read_image", lambda p: reads.append(p) or real(p))
    load_images([tmp_path])
    load_images([tmp_path])
    assert len(reads) == 1
    Image.new("RGB", (30, 30), "red").save(path)  # other size and time: decoded anew
    (image,) = load_images([tmp_path])
    assert len(reads) == 2 and image.shape == (3, 30, 30)


def test_unreadable_files_are_skipped_but_no_images_is_an_error(tmp_path):
    write_photos(tmp_path / "good", count=1)
    (tmp_path / "good" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    assert len(load_images([tmp_path / "good"])) == 1
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no images"):
        load_images([tmp_path / "empty"])
    with pytest.raises(DataError, match="not a folder"):
        load_images([tmp_path / "missing"])
