import json

import numpy as np

from enhancer.cli import main
from enhancer.imaging.io import read_image
from tests.sample_images import write_broken_files, write_good_files, write_odd_files


def test_upscale_one_file_writes_the_output_file(tmp_path):
    source = write_good_files(tmp_path)[0]
    output = tmp_path / "out" / "big.png"
    assert main(["upscale", str(source), "-o", str(output), "-m", "bicubic", "-s", "2"]) == 0
    before, after = read_image(source), read_image(output)
    assert after.rgb.shape == (2 * before.rgb.shape[0], 2 * before.rgb.shape[1], 3)


def test_upscale_folder_writes_good_files_and_names_broken_ones(tmp_path, capsys):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    good = write_good_files(inputs) + write_odd_files(inputs)
    broken = write_broken_files(inputs)
    output = tmp_path / "upscaled"

    status = main(["upscale", str(inputs), "-o", str(output), "-m", "bicubic", "-s", "2"])

    assert status == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    for path in broken:
        assert not (output / "inputs" / path.name).exists()
        assert sum(path.name in line for line in errors) == 1, path.name
    assert len(errors) == len(broken)
    for path in good:
        before, after = read_image(path), read_image(output / "inputs" / path.name)
        assert after.rgb.shape[:2] == (2 * before.rgb.shape[0], 2 * before.rgb.shape[1])
        assert after.bit_depth == before.bit_depth
        assert (after.alpha is None) == (before.alpha is None) or path.suffix in {".jpg", ".bmp"}
        assert after.icc_profile == before.icc_profile
        assert after.grayscale == before.grayscale
    assert not list(output.rglob("*.tmp")) and not list(output.rglob(".*"))


def test_upscale_refuses_to_write_over_its_input(tmp_path, capsys):
    source = write_good_files(tmp_path)[0]
    original = source.read_bytes()
    assert main(["upscale", str(source), "-o", str(source), "-m", "bicubic", "-s", "2"]) == 2
    assert source.read_bytes() == original
    assert source.name in capsys.readouterr().err


def test_unknown_model_is_a_clear_error(tmp_path, capsys):
    source = write_good_files(tmp_path)[0]
    assert main(["upscale", str(source), "-o", str(tmp_path / "x.png"), "-m", "nope"]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "bicubic" in err


def test_models_json_lists_every_registry_model(capsys):
    assert main(["models", "--json"]) == 0
    entries = {entry["id"]: entry for entry in json.loads(capsys.readouterr().out)}
    assert {"nearest", "bilinear", "bicubic", "lanczos"} <= entries.keys()
    assert entries["bicubic"]["scales"] == [2, 3, 4, 8]
    assert entries["bicubic"]["parameters"] == 0


def test_bench_writes_the_json_contract(tmp_path, capsys):
    data = tmp_path / "Tiny"
    data.mkdir()
    write_good_files(data)
    report = tmp_path / "bench.json"
    status = main(["bench", "-m", "bicubic,nearest", "-s", "2", "--data", str(data),
                   "--json", str(report)])
    assert status == 0
    document = json.loads(report.read_text())
    assert document["protocol"] == "bt601-y, crop=scale, matlab-bicubic"
    rows = {row["model"]: row for row in document["results"]}
    assert rows.keys() == {"bicubic", "nearest"}
    for row in rows.values():
        assert row.keys() == {"model", "scale", "dataset", "images", "psnr_y", "ssim_y",
                              "seconds_per_image", "feature_distance"}
        assert (row["scale"], row["dataset"], row["images"]) == (2, "Tiny", len(list(data.iterdir())))
        assert np.isfinite(row["psnr_y"]) and 0 < row["ssim_y"] <= 1
    assert rows["bicubic"]["psnr_y"] > rows["nearest"]["psnr_y"]
    assert 0 < rows["bicubic"]["feature_distance"] < rows["nearest"]["feature_distance"]
    assert "bicubic" in capsys.readouterr().out


def test_bench_on_an_empty_folder_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "Empty").mkdir()
    assert main(["bench", "-m", "bicubic", "-s", "2", "--data", str(tmp_path / "Empty")]) == 2
    assert "no images" in capsys.readouterr().err


def test_upscale_with_pixelrsr_refuses_a_photo_over_its_size_limit(tmp_path, capsys):
    from enhancer.imaging.io import Photo, write_image
    from tests.engine.pixelrsr_model import save_tiny_pixelrsr

    save_tiny_pixelrsr()
    small, large = tmp_path / "small.png", tmp_path / "large.png"
    write_image(small, Photo(rgb=np.full((8, 8, 3), 120, np.uint8)))
    write_image(large, Photo(rgb=np.full((20, 30, 3), 120, np.uint8)))
    output = tmp_path / "out"

    status = main(["upscale", str(small), str(large), "-o", str(output), "-m", "tiny-pixelrsr", "-s", "4"])

    assert status == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert len(errors) == 1 and "large.png" in errors[0] and "16 x 16 px at most" in errors[0]
    assert read_image(output / "small.png").rgb.shape == (32, 32, 3)
    assert not (output / "large.png").exists()
