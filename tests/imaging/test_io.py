import io
import logging
import os

import numpy as np
import pytest
import torch
from PIL import Image, ImageCms, ImageOps

from enhancer.imaging.io import (
    ImageError,
    Photo,
    photo_to_tensors,
    read_image,
    tensors_to_photo,
    write_image,
)
from tests.sample_images import (
    gradient,
    gray_alpha_png_16,
    png_bomb,
    ramp_alpha,
    srgb_profile,
    write_broken_files,
    write_good_files,
    write_odd_files,
)

GRADIENT, GRADIENT_16 = gradient(), gradient(dtype=np.uint16)


def noisy(height=16, width=24, *, dtype=np.uint8, channels=3, seed=0):
    """Samples that use every bit, so a lost low byte or a rounding shows."""
    peak = np.iinfo(dtype).max
    return np.random.default_rng(seed).integers(0, peak + 1, (height, width, channels), dtype=dtype)


def largest_difference(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.abs(a.astype(np.int64) - b.astype(np.int64)).max())


def camera_exif(orientation=1, *, interoperability=True) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Enhancer Test Camera"  # Make
    exif[0x0110] = "Model 1"  # Model
    exif[0x0112] = orientation
    exif[0x8769] = {0x9003: "2021:06:05 14:30:00", 0x829A: (1, 250)}  # taken at, exposure
    if interoperability:
        exif[0x8769][0xA005] = {1: "R98"}  # follows the sRGB rules
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}  # GPS latitude
    return exif.tobytes()


def tags_of(exif: bytes) -> tuple[dict, dict, dict]:
    """IFD0, the Exif sub-directory (its interoperability one inlined) and the GPS one."""
    parsed = Image.Exif()
    parsed.load(exif)
    exif_ifd = dict(parsed.get_ifd(0x8769))
    if 0xA005 in exif_ifd:
        exif_ifd[0xA005] = parsed.get_ifd(0xA005)
    return dict(parsed), exif_ifd, parsed.get_ifd(0x8825)


# ---- reading the sample files -------------------------------------------------------------------


def sample_path(tmp_path, name):
    folder = tmp_path / "samples"
    paths = {path.name: path for path in write_good_files(folder) + write_odd_files(folder)}
    return paths[name]


@pytest.mark.parametrize(("name", "expected", "tolerance"), [
    ("good.png", GRADIENT, 0),
    ("fotografía_ß.png", GRADIENT, 0),
    ("odd.bmp", GRADIENT, 0),
    ("odd.webp", GRADIENT, 0),
    ("odd-16bit.png", GRADIENT_16, 0),
    ("odd-16bit.tif", GRADIENT_16, 0),
    ("good.jpg", GRADIENT, 16),  # JPEG: lossy, colour at half resolution
    ("odd-icc.jpg", GRADIENT, 16),
    ("odd-cmyk.jpg", GRADIENT, 16),
    ("odd-rotated.jpg", np.rot90(GRADIENT, -1), 16),
])
def test_reads_sample_files_as_upright_rgb(tmp_path, name, expected, tolerance):
    photo = read_image(sample_path(tmp_path, name))
    assert photo.rgb.dtype == expected.dtype and photo.rgb.shape == expected.shape
    assert largest_difference(photo.rgb, expected) <= tolerance
    assert photo.alpha is None and not photo.grayscale
    assert photo.rgb.flags.c_contiguous and photo.rgb.flags.writeable


def test_sample_file_formats_and_metadata(tmp_path):
    folder = tmp_path / "samples"
    paths = write_good_files(folder) + write_odd_files(folder)
    photos = {path.name: read_image(path) for path in paths}
    assert {name: photo.format for name, photo in photos.items()} == {
        "good.png": "PNG", "good.jpg": "JPEG", "odd-16bit.png": "PNG", "odd-rgba.png": "PNG",
        "odd-cmyk.jpg": "JPEG", "odd-palette.png": "PNG", "odd-rotated.jpg": "JPEG",
        "odd-icc.jpg": "JPEG", "fotografía_ß.png": "PNG", "odd-16bit.tif": "TIFF",
        "odd.webp": "WEBP", "odd.bmp": "BMP", "odd-gray.png": "PNG"}
    assert photos["odd-icc.jpg"].icc_profile == srgb_profile()
    assert tags_of(photos["odd-rotated.jpg"].exif)[0][0x0112] == 1
    assert photos["odd-16bit.png"].bit_depth == 16 and photos["good.png"].bit_depth == 8
    assert photos["good.png"].source == folder / "good.png"


def test_reads_rgba_with_its_alpha(tmp_path):
    photo = read_image(sample_path(tmp_path, "odd-rgba.png"))
    np.testing.assert_array_equal(photo.rgb, GRADIENT)
    np.testing.assert_array_equal(photo.alpha, ramp_alpha())


def test_reads_palette_png_with_transparency_as_rgba(tmp_path):
    path = sample_path(tmp_path, "odd-palette.png")
    expected = np.asarray(Image.open(path).convert("RGBA"))
    photo = read_image(path)
    np.testing.assert_array_equal(photo.rgb, expected[..., :3])
    np.testing.assert_array_equal(photo.alpha, expected[..., 3])
    assert set(np.unique(photo.alpha)) == {0, 255}


def test_reads_palette_png_without_transparency_as_rgb(tmp_path):
    path = tmp_path / "palette.png"
    Image.fromarray(GRADIENT).quantize(colors=16).save(path)
    photo = read_image(path)
    assert photo.alpha is None
    np.testing.assert_array_equal(photo.rgb, np.asarray(Image.open(path).convert("RGB")))


def test_reads_gray_as_three_equal_channels(tmp_path):
    photo = read_image(sample_path(tmp_path, "odd-gray.png"))
    assert photo.grayscale
    for channel in range(3):
        np.testing.assert_array_equal(photo.rgb[..., channel], GRADIENT[..., 0])


def test_reads_16_bit_gray_and_gray_with_alpha(tmp_path):
    gray16 = GRADIENT_16[..., 1]
    Image.fromarray(gray16).save(tmp_path / "gray16.png")
    Image.fromarray(np.dstack([GRADIENT[..., 0], ramp_alpha()]), "LA").save(tmp_path / "la.png")
    photo = read_image(tmp_path / "gray16.png")
    assert photo.grayscale and photo.bit_depth == 16
    np.testing.assert_array_equal(photo.rgb, np.dstack([gray16] * 3))
    photo = read_image(tmp_path / "la.png")
    assert photo.grayscale
    np.testing.assert_array_equal(photo.rgb, np.dstack([GRADIENT[..., 0]] * 3))
    np.testing.assert_array_equal(photo.alpha, ramp_alpha())


def test_reads_16_bit_gray_with_alpha(tmp_path):
    gray, alpha = GRADIENT_16[..., 0], ramp_alpha(dtype=np.uint16)
    (tmp_path / "la16.png").write_bytes(gray_alpha_png_16(gray, alpha))
    photo = read_image(tmp_path / "la16.png")
    assert photo.grayscale and photo.bit_depth == 16
    np.testing.assert_array_equal(photo.rgb, np.dstack([gray] * 3))
    np.testing.assert_array_equal(photo.alpha, alpha)


def test_reads_cmyk_tiff_as_rgb(tmp_path):
    Image.fromarray(GRADIENT).convert("CMYK").save(tmp_path / "cmyk.tif")
    photo = read_image(tmp_path / "cmyk.tif")
    assert photo.format == "TIFF"
    np.testing.assert_array_equal(photo.rgb, GRADIENT)


def test_reads_a_multi_picture_jpeg_as_jpeg(tmp_path):
    pictures = [Image.fromarray(GRADIENT), Image.fromarray(GRADIENT[::-1].copy())]
    pictures[0].save(tmp_path / "camera.jpg", "MPO", save_all=True, append_images=pictures[1:])
    assert Image.open(tmp_path / "camera.jpg").format == "MPO"
    photo = read_image(tmp_path / "camera.jpg")
    assert photo.format == "JPEG"
    assert largest_difference(photo.rgb, GRADIENT) <= 16


@pytest.mark.parametrize("orientation", range(1, 9))
def test_applies_every_exif_orientation(tmp_path, orientation):
    path = tmp_path / f"oriented-{orientation}.png"
    Image.fromarray(noisy(10, 24)).save(path, exif=camera_exif(orientation))
    with Image.open(path) as reference:
        expected = np.asarray(ImageOps.exif_transpose(reference))
    photo = read_image(path)
    np.testing.assert_array_equal(photo.rgb, expected)
    assert tags_of(photo.exif)[0][0x0112] == 1


TURNED = {3: lambda pixels: pixels[::-1, ::-1], 6: lambda pixels: np.rot90(pixels, -1),
          8: lambda pixels: np.rot90(pixels)}


@pytest.mark.parametrize("orientation", [3, 6])
@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_applies_the_orientation_of_16_bit_files_once(tmp_path, suffix, orientation):
    stored = noisy(10, 24, dtype=np.uint16)
    write_image(tmp_path / f"turned{suffix}", Photo(rgb=stored, exif=camera_exif(orientation)))
    photo = read_image(tmp_path / f"turned{suffix}")
    np.testing.assert_array_equal(photo.rgb, TURNED[orientation](stored))
    assert tags_of(photo.exif)[0][0x0112] == 1


@pytest.mark.parametrize("big_tiff", [False, True])
@pytest.mark.parametrize("orientation", [3, 8])
def test_applies_the_orientation_tag_of_a_tiff_once_and_to_alpha_too(
    tmp_path, orientation, big_tiff
):
    path = tmp_path / "oriented.tif"
    rgba = np.dstack([noisy(10, 24), ramp_alpha(10, 24)])
    exif = camera_exif(orientation, interoperability=False)  # Pillow's TIFF writer would garble it
    Image.fromarray(rgba).save(path, exif=exif, big_tiff=big_tiff)
    photo = read_image(path)
    np.testing.assert_array_equal(photo.rgb, TURNED[orientation](rgba[..., :3]))
    np.testing.assert_array_equal(photo.alpha, TURNED[orientation](rgba[..., 3]))
    tags, exif_ifd, _ = tags_of(photo.exif)
    assert tags[0x0112] == 1 and tags[0x010F] == "Enhancer Test Camera"
    assert exif_ifd[0x9003] == "2021:06:05 14:30:00"
    assert 273 not in tags and 256 not in tags  # the TIFF's strip offsets and width stay behind


# ---- files that are not photos ------------------------------------------------------------------


@pytest.mark.parametrize(("index", "reason"), [
    (0, "empty file"),
    (1, "truncated or corrupt image data"),
    (2, "not an image (unrecognised format)"),
    (3, "image is 30000 x 30000 = 900 megapixels; the limit is 200"),
])
def test_broken_sample_files_raise_image_error_with_the_reason(tmp_path, index, reason):
    path = write_broken_files(tmp_path)[index]
    with pytest.raises(ImageError) as caught:
        read_image(path)
    assert caught.value.path == path and caught.value.reason == reason
    assert str(caught.value) == f"{path}: {reason}"


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tif", ".webp", ".bmp"])
def test_half_a_file_is_truncated(tmp_path, suffix):
    whole = tmp_path / f"whole{suffix}"
    Image.fromarray(noisy(64, 64)).save(whole)
    data = whole.read_bytes()
    half = tmp_path / f"half{suffix}"
    half.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match="truncated or corrupt image data"):
        read_image(half)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_half_a_16_bit_file_is_truncated(tmp_path, suffix):
    whole = tmp_path / f"whole{suffix}"
    write_image(whole, Photo(rgb=noisy(64, 64, dtype=np.uint16)))
    data = whole.read_bytes()
    half = tmp_path / f"half{suffix}"
    half.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match="truncated or corrupt image data"):
        read_image(half)


def jpeg_declaring(width: int, height: int) -> bytes:
    stream = io.BytesIO()
    Image.fromarray(GRADIENT).save(stream, "JPEG")
    data = bytearray(stream.getvalue())
    frame = data.index(b"\xff\xc0")  # start of frame: length, precision, height, width
    data[frame + 5:frame + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


# A complete lossless WebP of 16383 x 16383 black pixels: 34 bytes.
WEBP_BOMB = bytes.fromhex("524946461a000000574542505650384c0e0000002ffebfff0f071011fd0f4444ff03")


@pytest.mark.parametrize(("name", "data", "size"), [
    ("bomb16.png", png_bomb(20000, 20000, bit_depth=16), "20000 x 20000 = 400"),
    ("bomb.jpg", jpeg_declaring(60000, 50000), "60000 x 50000 = 3000"),
    ("bomb.webp", WEBP_BOMB, "16383 x 16383 = 268"),
])
def test_bombs_of_every_format_are_refused_before_decoding(tmp_path, name, data, size):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ImageError, match=f"{size} megapixels; the limit is 200"):
        read_image(tmp_path / name)


def test_missing_file_folder_and_unsupported_format(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        read_image(tmp_path / "nowhere.png")
    with pytest.raises(ImageError, match="is a folder"):
        read_image(tmp_path)
    Image.fromarray(GRADIENT).save(tmp_path / "animation.gif")
    with pytest.raises(ImageError, match="unsupported format GIF"):
        read_image(tmp_path / "animation.gif")


def test_unreadable_file(tmp_path, monkeypatch):
    path = write_good_files(tmp_path)[0]

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(type(path), "read_bytes", refuse)
    with pytest.raises(ImageError, match="permission denied"):
        read_image(path)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_damaged_exif_is_dropped_not_fatal(tmp_path, caplog):
    path = tmp_path / "bad-exif.jpg"
    Image.fromarray(GRADIENT).save(path, exif=b"Exif\x00\x00MM\x00*\x00\x00\xff\xff\xff\xff")
    with caplog.at_level(logging.WARNING):
        photo = read_image(path)
    assert photo.exif is None and photo.rgb.shape == GRADIENT.shape


# ---- writing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".tif", ".tiff"])
def test_16_bit_rgba_round_trips_exactly(tmp_path, suffix):
    alpha = noisy(dtype=np.uint16, channels=1, seed=1)[..., 0]
    photo = Photo(rgb=noisy(dtype=np.uint16), alpha=alpha)
    write_image(tmp_path / f"out{suffix}", photo)
    back = read_image(tmp_path / f"out{suffix}")
    assert back.bit_depth == 16 and not back.grayscale
    np.testing.assert_array_equal(back.rgb, photo.rgb)
    np.testing.assert_array_equal(back.alpha, photo.alpha)


@pytest.mark.parametrize("suffix", [".png", ".tif", ".bmp"])
def test_8_bit_lossless_formats_round_trip_exactly(tmp_path, suffix):
    photo = Photo(rgb=noisy())
    write_image(tmp_path / f"out{suffix}", photo)
    np.testing.assert_array_equal(read_image(tmp_path / f"out{suffix}").rgb, photo.rgb)


@pytest.mark.parametrize("suffix", [".jpg", ".webp"])
def test_lossy_formats_stay_close(tmp_path, suffix):
    write_image(tmp_path / f"out{suffix}", Photo(rgb=GRADIENT))
    assert largest_difference(read_image(tmp_path / f"out{suffix}").rgb, GRADIENT) <= 16


def test_a_tiff_of_many_strips_round_trips_exactly(tmp_path):
    photo = Photo(rgb=noisy(300, 1000, dtype=np.uint16))  # 6 kB rows: several 1 MB strips
    write_image(tmp_path / "big.tif", photo)
    np.testing.assert_array_equal(read_image(tmp_path / "big.tif").rgb, photo.rgb)


@pytest.mark.parametrize("suffix", [".png", ".tif", ".webp"])
def test_alpha_is_kept_where_the_format_has_it(tmp_path, suffix):
    photo = Photo(rgb=GRADIENT, alpha=ramp_alpha())
    write_image(tmp_path / f"out{suffix}", photo)
    back = read_image(tmp_path / f"out{suffix}")
    np.testing.assert_array_equal(back.alpha, photo.alpha)


@pytest.mark.parametrize("suffix", [".jpg", ".bmp"])
def test_alpha_is_dropped_with_a_warning_elsewhere(tmp_path, suffix, caplog):
    with caplog.at_level(logging.WARNING):
        write_image(tmp_path / f"out{suffix}", Photo(rgb=GRADIENT, alpha=ramp_alpha()))
    assert "alpha channel is dropped" in caplog.text
    assert read_image(tmp_path / f"out{suffix}").alpha is None


@pytest.mark.parametrize(("suffix", "dtype"), [
    (".png", np.uint8), (".png", np.uint16), (".jpg", np.uint8), (".jpeg", np.uint8),
    (".webp", np.uint8), (".tif", np.uint8), (".tif", np.uint16),
])
def test_icc_profile_and_exif_survive_a_round_trip(tmp_path, suffix, dtype):
    photo = Photo(rgb=gradient(dtype=dtype), icc_profile=srgb_profile(), exif=camera_exif())
    write_image(tmp_path / f"out{suffix}", photo)
    back = read_image(tmp_path / f"out{suffix}")
    assert back.icc_profile == srgb_profile()
    assert back.bit_depth == photo.bit_depth
    tags, exif_ifd, gps_ifd = tags_of(back.exif)
    assert tags[0x010F] == "Enhancer Test Camera" and tags[0x0110] == "Model 1"
    assert tags[0x0112] == 1
    assert exif_ifd[0x9003] == "2021:06:05 14:30:00" and exif_ifd[0xA005] == {1: "R98"}
    assert gps_ifd[1] == "N"


def test_a_rotated_file_is_written_upright_with_orientation_1(tmp_path):
    source = sample_path(tmp_path, "odd-rotated.jpg")
    write_image(tmp_path / "upright.png", read_image(source))
    with Image.open(tmp_path / "upright.png") as written:
        assert written.size == (16, 24)
        assert written.getexif()[0x0112] == 1


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tif", ".bmp"])
def test_gray_stays_gray(tmp_path, suffix):
    photo = read_image(sample_path(tmp_path, "odd-gray.png"))
    write_image(tmp_path / f"gray{suffix}", photo)
    with Image.open(tmp_path / f"gray{suffix}") as written:
        assert written.mode == "L"
    back = read_image(tmp_path / f"gray{suffix}")
    assert back.grayscale
    assert largest_difference(back.rgb, photo.rgb) <= (2 if suffix == ".jpg" else 0)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16_bit_gray_stays_16_bit_gray(tmp_path, suffix):
    gray = noisy(dtype=np.uint16, channels=1)
    write_image(tmp_path / f"gray{suffix}", Photo(rgb=np.repeat(gray, 3, axis=2), grayscale=True))
    back = read_image(tmp_path / f"gray{suffix}")
    assert back.grayscale and back.bit_depth == 16
    np.testing.assert_array_equal(back.rgb[..., 0], gray[..., 0])


def test_gray_with_alpha_is_written_as_rgba(tmp_path):
    photo = Photo(rgb=np.dstack([GRADIENT[..., 0]] * 3), alpha=ramp_alpha(), grayscale=True)
    write_image(tmp_path / "la.png", photo)
    back = read_image(tmp_path / "la.png")
    np.testing.assert_array_equal(back.rgb, photo.rgb)
    np.testing.assert_array_equal(back.alpha, photo.alpha)


def test_16_bit_is_rounded_to_8_bit_where_the_format_has_no_more(tmp_path):
    samples = np.array([0, 128, 129, 256, 257, 385, 386, 65535], np.uint16)
    rgb = np.repeat(np.tile(samples, (4, 1))[..., None], 3, axis=2)
    write_image(tmp_path / "out.bmp", Photo(rgb=rgb))
    back = read_image(tmp_path / "out.bmp")
    assert back.bit_depth == 8
    assert back.rgb[0, :, 0].tolist() == [0, 0, 1, 1, 1, 1, 2, 255]


def test_a_profile_for_other_pixels_is_left_out(tmp_path, caplog):
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    with caplog.at_level(logging.WARNING):
        write_image(tmp_path / "out.png", Photo(rgb=GRADIENT, icc_profile=lab))
    assert "ICC profile" in caplog.text
    assert read_image(tmp_path / "out.png").icc_profile is None


def test_jpeg_quality_is_used(tmp_path):
    photo = Photo(rgb=noisy(64, 64))
    write_image(tmp_path / "low.jpg", photo, quality=20)
    write_image(tmp_path / "high.jpg", photo, quality=95)
    assert (tmp_path / "low.jpg").stat().st_size < (tmp_path / "high.jpg").stat().st_size / 2


def test_unknown_suffix_is_refused(tmp_path):
    with pytest.raises(ImageError, match="cannot write .gif"):
        write_image(tmp_path / "out.gif", Photo(rgb=GRADIENT))
    assert not list(tmp_path.iterdir())


def test_write_leaves_no_temporary_file_and_honours_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        write_image(tmp_path / "out.png", Photo(rgb=GRADIENT))
    finally:
        os.umask(previous)
    assert [path.name for path in tmp_path.iterdir()] == ["out.png"]
    assert (tmp_path / "out.png").stat().st_mode & 0o777 == 0o644


def test_failed_write_leaves_neither_a_partial_file_nor_a_temporary_one(tmp_path, monkeypatch):
    target = tmp_path / "out.png"
    target.write_bytes(b"the previous version")

    def fail(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(ImageError, match="cannot write the file .No space left on device."):
        write_image(target, Photo(rgb=GRADIENT))
    assert [path.name for path in tmp_path.iterdir()] == ["out.png"]
    assert target.read_bytes() == b"the previous version"


def test_writing_into_a_missing_folder_is_an_image_error(tmp_path):
    with pytest.raises(ImageError, match="cannot write the file"):
        write_image(tmp_path / "missing" / "out.png", Photo(rgb=GRADIENT))
    assert not list(tmp_path.iterdir())


def test_refuses_to_write_over_the_source(tmp_path):
    source = write_good_files(tmp_path)[0]
    original = source.read_bytes()
    photo = read_image(source)
    for spelling in (source, tmp_path / "." / source.name):
        with pytest.raises(ImageError, match="refusing to write over the input file"):
            write_image(spelling, photo)
    assert source.read_bytes() == original
    assert sorted(path.name for path in tmp_path.iterdir()) == ["good.jpg", "good.png"]


def test_refuses_to_write_over_a_protected_path_even_through_a_link(tmp_path):
    protected = tmp_path / "input.png"
    write_image(protected, Photo(rgb=GRADIENT))
    os.link(protected, tmp_path / "same-file.png")
    for target in (protected, tmp_path / "same-file.png"):
        with pytest.raises(ImageError, match="refusing to write over the input file"):
            write_image(target, Photo(rgb=noisy()), protect=[protected])
    write_image(tmp_path / "other.png", Photo(rgb=noisy()), protect=[protected])
    np.testing.assert_array_equal(read_image(protected).rgb, GRADIENT)


# ---- tensors -------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_tensors_round_trip_exactly(dtype):
    photo = Photo(rgb=noisy(dtype=dtype), alpha=noisy(dtype=dtype, channels=1, seed=2)[..., 0],
                  icc_profile=srgb_profile(), exif=camera_exif(), format="TIFF")
    rgb, alpha = photo_to_tensors(photo)
    assert rgb.shape == (1, 3, 16, 24) and rgb.dtype == torch.float32
    assert alpha.shape == (1, 1, 16, 24) and alpha.dtype == torch.float32
    peak = np.iinfo(dtype).max
    assert rgb[0, 1, 3, 5].item() == pytest.approx(photo.rgb[3, 5, 1] / peak)
    back = tensors_to_photo(rgb, alpha, photo)
    np.testing.assert_array_equal(back.rgb, photo.rgb)
    np.testing.assert_array_equal(back.alpha, photo.alpha)
    assert (back.icc_profile, back.exif, back.format) == (photo.icc_profile, photo.exif, "TIFF")
    assert back.rgb.dtype == dtype and back.source is None


def test_tensors_to_photo_rounds_and_clips():
    like = Photo(rgb=GRADIENT)
    values = torch.tensor([-0.5, 0.0, 0.4 / 255, 0.6 / 255, 1.0, 7.0]).reshape(1, 1, 1, 6)
    photo = tensors_to_photo(values.expand(1, 3, 1, 6), None, like)
    assert photo.rgb[0, :, 0].tolist() == [0, 0, 0, 1, 255, 255]
    assert photo.alpha is None


def test_tensors_taller_than_a_band_of_rows_convert_row_for_row():
    like = Photo(rgb=GRADIENT.astype(np.uint16) * 257)
    values = torch.rand(1, 3, 600, 5, generator=torch.Generator().manual_seed(4)) * 1.2 - 0.1
    photo = tensors_to_photo(values, None, like)
    expected = np.rint(values[0].permute(1, 2, 0).clamp(0, 1).numpy() * np.float32(65535))
    np.testing.assert_array_equal(photo.rgb, expected.astype(np.uint16))


def test_tensors_of_a_gray_photo_come_back_gray_as_luma():
    like = Photo(rgb=np.dstack([GRADIENT[..., 0]] * 3), grayscale=True)
    rgb, _ = photo_to_tensors(like)
    assert torch.equal(rgb[:, 0], rgb[:, 1]) and torch.equal(rgb[:, 1], rgb[:, 2])
    colour = torch.tensor([1.0, 0.5, 0.0]).reshape(1, 3, 1, 1).expand(1, 3, 2, 2)
    photo = tensors_to_photo(colour, None, like)
    assert photo.grayscale
    assert photo.rgb[0, 0].tolist() == [round(255 * (0.299 + 0.587 / 2))] * 3


def test_tensors_to_photo_takes_a_new_size_and_checks_shapes():
    like = Photo(rgb=GRADIENT, alpha=ramp_alpha())
    photo = tensors_to_photo(torch.rand(1, 3, 32, 48), torch.rand(1, 1, 32, 48), like)
    assert photo.rgb.shape == (32, 48, 3) and photo.alpha.shape == (32, 48)
    with pytest.raises(ValueError):
        tensors_to_photo(torch.rand(3, 32, 48), None, like)
    with pytest.raises(ValueError):
        tensors_to_photo(torch.rand(1, 3, 32, 48), torch.rand(1, 1, 16, 24), like)


def test_photo_checks_its_arrays():
    with pytest.raises(ValueError):
        Photo(rgb=GRADIENT[..., :2])
    with pytest.raises(ValueError):
        Photo(rgb=GRADIENT.astype(np.float32))
    with pytest.raises(ValueError):
        Photo(rgb=GRADIENT, alpha=ramp_alpha(dtype=np.uint16))


def test_image_error_pickles_with_its_path_and_reason(tmp_path):
    import pickle

    error = pickle.loads(pickle.dumps(ImageError(tmp_path / "a.png", "empty file")))
    assert (error.path, error.reason, str(error)) == (tmp_path / "a.png", "empty file",
                                                      f"{tmp_path / 'a.png'}: empty file")


def test_bytes_stream_is_not_needed_for_non_ascii_names(tmp_path):
    path = tmp_path / "ναός 写真.png"
    write_image(path, Photo(rgb=GRADIENT, exif=camera_exif()))
    np.testing.assert_array_equal(read_image(path).rgb, GRADIENT)
    assert Image.open(io.BytesIO(path.read_bytes())).size == (24, 16)
