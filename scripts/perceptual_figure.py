"""The README's figure: the same crops upscaled x4 by bicubic, SRResNet (MSE), SRGAN and the
perceptual (Johnson) model, beside the ground truth, from the benchmark's LR inputs.

    python scripts/perceptual_figure.py --out docs/perceptual-comparison.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from enhancer.engine.generators import run_to_end
from enhancer.engine.upscaler import Upscaler
from enhancer.imaging.io import photo_to_tensors, read_image
from enhancer.models.registry import resolve
from enhancer.train.evaluate import make_lr, mod_crop

BENCH = Path(__file__).resolve().parents[2] / "shared" / "data" / "bench"
# (photo, top, left) of each HR crop: fur, line art, and foliage with fine branches.
CROPS = (("Set14/baboon.png", 40, 300), ("Set14/comic.png", 150, 40), ("BSD100/119082.png", 120, 200))
COLUMNS = (("bicubic", "Bicubic"), ("srresnet", "SRResNet (MSE)"), ("srgan", "SRGAN"),
           ("perceptual", "Perceptual (Johnson)"), (None, "Ground truth"))
SCALE, SIDE, ZOOM, LABEL = 4, 96, 2, 18


def crops(photo: str, top: int, left: int) -> list[np.ndarray]:
    hr = mod_crop(photo_to_tensors(read_image(BENCH / photo))[0], SCALE)
    lr = make_lr(hr, SCALE)
    images = []
    for model, _ in COLUMNS:
        image = hr if model is None else run_to_end(
            Upscaler(resolve(model, SCALE), device="cpu", tile=0).enhance(lr))
        crop = image[0, :, top:top + SIDE, left:left + SIDE].clamp(0, 1)
        images.append((crop.permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8))
    return images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/perceptual-comparison.png"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    cell = SIDE * ZOOM
    figure = Image.new("RGB", (cell * len(COLUMNS), LABEL + cell * len(CROPS)), "white")
    draw = ImageDraw.Draw(figure)
    for column, (_, title) in enumerate(COLUMNS):
        draw.text((column * cell + 4, 3), title, fill="black")
    for row, crop in enumerate(CROPS):
        for column, pixels in enumerate(crops(*crop)):
            tile = Image.fromarray(pixels).resize((cell, cell), Image.Resampling.NEAREST)
            figure.paste(tile, (column * cell, LABEL + row * cell))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figure.save(args.out, optimize=True)


if __name__ == "__main__":
    main()
