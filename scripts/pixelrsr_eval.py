"""Measure the shipped pixel recursive SR models on held-out 32 x 32 views and draw the README
figure.

    python scripts/pixelrsr_eval.py            # writes docs/pixelrsr-results.json, docs/pixelrsr-samples.png

The held-out views are those of recipes/pixelrsr.toml (1 photo in 10 of T91 + BSD200, by name
hash). Likelihood on every held-out view; samples, consistency and sharpness on `--views` of them
spread evenly; the time to draw 8 candidates for one 8 x 8 input through the engine's sampler.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
import tomllib
from pathlib import Path

import cv2
import numpy as np
import torch

from enhancer.data.thumbnails import make_thumbnails
from enhancer.engine.candidates import CandidateSampler
from enhancer.engine.generators import run_to_end
from enhancer.imaging.io import Photo, write_image
from enhancer.models.archs.pixelrsr import sample_rows
from enhancer.models.registry import resolve
from enhancer.train.pixelrsr_fit import PixelRSRFitConfig
from enhancer.train.pixelrsr_scores import bits_per_dimension, consistency_psnr, gradient_magnitude, psnr

log = logging.getLogger("pixelrsr_eval")
ROOT = Path(__file__).resolve().parent.parent
DATA = [ROOT.parent / "shared/data/train/T91", ROOT.parent / "shared/data/train/BSD200"]
FIGURE_ROWS, FIGURE_SAMPLES, FIGURE_ZOOM = 4, 4, 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", default=DATA)
    parser.add_argument("--views", type=int, default=64, help="held-out views to sample")
    parser.add_argument("--temperatures", type=float, nargs="+", default=[0.8, 1.0])
    parser.add_argument("--json", type=Path, default=ROOT / "docs/pixelrsr-results.json")
    parser.add_argument("--figure", type=Path, default=ROOT / "docs/pixelrsr-samples.png")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(1)

    recipe = tomllib.loads((ROOT / "recipes/pixelrsr.toml").read_text(encoding="utf-8"))
    views = make_thumbnails(args.data, PixelRSRFitConfig.from_table(recipe).thumbnails, held_out=True)
    full, conditioning, l2 = (resolve(name, 4).build() for name in
                              ("pixelrsr", "pixelrsr-conditioning", "pixelrsr-l2"))
    results = {"held_out_views": len(views), "sampled_views": args.views}
    for name, network in (("pixelrsr", full), ("pixelrsr-conditioning", conditioning)):
        model, alone = run_to_end(bits_per_dimension(network, views))
        results[f"{name}_bits_per_dim"] = round(model, 4)
        log.info("%s: %.4f bits/dim (%.4f from its conditioning logits alone)", name, model, alone)
        if network.prior is not None:
            results[f"{name}_conditioning_logits_alone_bits_per_dim"] = round(alone, 4)

    chosen = torch.linspace(0, len(views) - 1, args.views).round().long()
    low, high = views.pairs(chosen)
    truth = high.float() / 255
    with torch.inference_mode():
        blurry = l2(low).clamp(0, 1).mul(255).round().div(255)
    results["truth_gradient"] = _mean(gradient_magnitude(truth))
    results["l2"] = _summary(blurry, low, truth)
    for temperature in args.temperatures:
        for name, network in (("pixelrsr", full), ("pixelrsr-conditioning", conditioning)):
            started = time.perf_counter()
            samples = _samples(network, low, temperature, seed=0)
            results[f"{name}_t{temperature}"] = _summary(samples, low, truth)
            log.info("%s at %.1f: %s (%.0f s)", name, temperature, results[f"{name}_t{temperature}"],
                     time.perf_counter() - started)

    wall, cpu = _time_candidates(low[:1])
    results["seconds_for_8_candidates"] = {"wall": wall, "cpu": cpu}
    log.info("8 candidates: %.2f s wall, %.2f s of CPU", wall, cpu)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    _figure(args.figure, full, low, blurry, truth, temperature=args.temperatures[0])
    log.info("wrote %s and %s", args.json, args.figure)


def _samples(network, low, temperature, *, seed):
    generator = torch.Generator().manual_seed(seed)
    return run_to_end(sample_rows(network, low, temperature=temperature, generator=generator))


def _summary(images, low, truth) -> dict:
    return {"consistency_psnr_8x8": _mean(consistency_psnr(images, low)),
            "psnr_32x32": _mean(psnr(images, truth)),
            "gradient": _mean(gradient_magnitude(images))}


def _mean(values: torch.Tensor) -> float:
    return round(values.mean().item(), 4)


def _time_candidates(image) -> tuple[float, float]:
    """Median wall and CPU seconds of three draws of 8 candidates (on a busy shared machine the
    CPU time is what one free core would take)."""
    sampler = CandidateSampler(resolve("pixelrsr", 4), device="cpu")
    walls, cpus = [], []
    for seed in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        run_to_end(sampler.candidates(image, count=8, temperature=0.8, seed=seed))
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return round(statistics.median(walls), 2), round(statistics.median(cpus), 2)


def _figure(path: Path, full, low, blurry, truth, *, temperature: float) -> None:
    """Rows of: input, L2, samples, truth; the views with the most detail, enlarged."""
    rows = gradient_magnitude(truth).argsort(descending=True)[:FIGURE_ROWS]
    repeated = low[rows].repeat_interleave(FIGURE_SAMPLES, dim=0)
    samples = _samples(full, repeated, temperature, seed=1).view(FIGURE_ROWS, FIGURE_SAMPLES, 3, 32, 32)
    upsampled_input = low[rows].repeat_interleave(4, dim=-1).repeat_interleave(4, dim=-2)
    columns = ["input", "L2", *[f"sample {i + 1}" for i in range(FIGURE_SAMPLES)], "truth"]
    side, gap = 32 * FIGURE_ZOOM, 4
    header = 24
    canvas = np.full((header + FIGURE_ROWS * (side + gap), len(columns) * (side + gap), 3), 255, np.uint8)
    for c, label in enumerate(columns):
        cv2.putText(canvas, label, (c * (side + gap) + 4, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1,
                    cv2.LINE_AA)
    for r, view in enumerate(rows):
        tiles = [upsampled_input[r], blurry[view], *samples[r], truth[view]]
        for c, tile in enumerate(tiles):
            pixels = (tile.clamp(0, 1).permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
            pixels = pixels.repeat(FIGURE_ZOOM, axis=0).repeat(FIGURE_ZOOM, axis=1)
            top, left = header + r * (side + gap), c * (side + gap)
            canvas[top : top + side, left : left + side] = pixels
    path.parent.mkdir(parents=True, exist_ok=True)
    write_image(path, Photo(rgb=canvas))


if __name__ == "__main__":
    main()
