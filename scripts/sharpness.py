"""How sharp super-resolved photos are next to the ground truth, with their PSNR and perceptual
distance, in one pass over a benchmark folder.

Sharpness is the mean gradient magnitude of the Y channel (0..255 levels, central differences,
`scale` border pixels dropped) over the set, as a fraction of the HR images' own: an MSE-trained
model averages the plausible answers and comes out well below 1; a perceptual model should be
near 1 (the issue's target: within 15%). Gradient energy can also come from artefacts, so the
grid column measures the one a pixel-shuffle upsampler makes: the RMS over the `scale` x `scale`
positions of a cell of their mean high-pass level (Y, 0..255), about 0.15 for a natural photo.
PSNR-Y and the feature distance are computed by the benchmark's own code
(`enhancer.train.evaluate`), so they equal what `enhancer bench` prints.

    python scripts/sharpness.py -m bicubic,srresnet,srgan,perceptual -s 4 \
        --data ../shared/data/bench/BSD100 ../shared/data/bench/Set14 --json sharpness.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np
import torch

from enhancer.engine.batch import IMAGE_SUFFIXES
from enhancer.engine.generators import run_to_end
from enhancer.engine.upscaler import Upscaler
from enhancer.imaging.io import photo_to_tensors, read_image
from enhancer.models.registry import resolve
from enhancer.train.evaluate import PerceptualScorer, make_lr, mod_crop, score, y_levels


def mean_gradient(y: np.ndarray, border: int) -> float:
    """Mean |grad Y| of a 2-D array, `border` pixels dropped from every side."""
    gy, gx = np.gradient(y)
    magnitude = np.hypot(gx, gy)
    return float(magnitude[border:-border, border:-border].mean())


def grid_level(y: np.ndarray, period: int) -> float:
    """RMS deviation of the mean high-pass level at each of the period x period positions of a
    cell from their average: a pattern repeating every `period` pixels, whatever the content."""
    y = y[period:-period, period:-period].astype(np.float32)
    h, w = y.shape[0] // period * period, y.shape[1] // period * period
    high = (y - cv2.blur(y, (period, period)))[:h, :w]
    phases = high.reshape(h // period, period, w // period, period).mean(axis=(0, 2))
    return float(np.sqrt(np.square(phases - phases.mean()).mean()))


def measure(model: str, scale: int, folder: Path, perceptual: PerceptualScorer) -> dict:
    upscaler = Upscaler(resolve(model, scale), device="cpu", tile=0)
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    rows = []
    for path in files:
        photo = read_image(path)
        hr = mod_crop(photo_to_tensors(photo)[0], scale)
        sr = run_to_end(upscaler.enhance(make_lr(hr, scale)))
        psnr, _ = score(sr, hr, scale=scale, grayscale=photo.grayscale)
        y = y_levels(sr, grayscale=photo.grayscale)
        rows.append((psnr, perceptual(sr, hr, scale=scale), mean_gradient(y, scale),
                     mean_gradient(y_levels(hr, grayscale=photo.grayscale), scale),
                     grid_level(y, scale)))
    psnr, distance, sr_gradient, hr_gradient, grid = np.mean(rows, axis=0)
    return {"model": model, "scale": scale, "dataset": folder.name, "images": len(files),
            "psnr_y": round(float(psnr), 4), "feature_distance": round(float(distance), 6),
            "gradient_sr": round(float(sr_gradient), 4), "gradient_hr": round(float(hr_gradient), 4),
            "gradient_ratio": round(float(sr_gradient / hr_gradient), 4),
            "grid": round(float(grid), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-m", "--model", required=True, help="comma-separated model names")
    parser.add_argument("-s", "--scale", type=int, default=4)
    parser.add_argument("--data", required=True, nargs="+", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(1)
    perceptual = PerceptualScorer()
    results = []
    print(f"{'model':<12}{'dataset':<9}{'PSNR-Y':>8}{'features':>10}{'grad SR':>9}{'grad HR':>9}"
          f"{'SR/HR':>7}{'grid':>6}")
    for folder in args.data:
        for model in args.model.split(","):
            r = measure(model, args.scale, folder, perceptual)
            results.append(r)
            print(f"{model:<12}{r['dataset']:<9}{r['psnr_y']:>8.2f}{r['feature_distance']:>10.4f}"
                  f"{r['gradient_sr']:>9.2f}{r['gradient_hr']:>9.2f}{r['gradient_ratio']:>7.2f}"
                  f"{r['grid']:>6.2f}",
                  flush=True)
    if args.json:
        args.json.write_text(json.dumps({"results": results}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
