"""Per-image model time of several models, interleaved, so that a machine whose speed drifts
(shared or throttled CPUs) slows every model alike; prints medians and per-image time ratios.

    python scripts/speed_ratio.py --data DIR -s 2 -m raisr,srcnn,bicubic

Times exactly what `enhancer bench` times (the engine's `enhance` on the benchmark's LR input),
only in another order: image by image, every model in turn, over several rounds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from enhancer.data.folders import image_files
from enhancer.engine.generators import run_to_end
from enhancer.engine.upscaler import Upscaler
from enhancer.imaging.io import photo_to_tensors, read_image
from enhancer.models.registry import resolve
from enhancer.train.evaluate import make_lr, mod_crop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("-s", "--scale", type=int, default=2)
    parser.add_argument("-m", "--models", default="raisr,srcnn,bicubic", help="the first is the one compared")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    names = args.models.split(",")
    inputs = [make_lr(mod_crop(photo_to_tensors(read_image(path))[0], args.scale), args.scale)
              for path in image_files([args.data])]
    upscalers = {name: Upscaler(resolve(name, args.scale), device="cpu") for name in names}
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(args.rounds):
        for image in inputs:
            for name, upscaler in upscalers.items():
                started = time.perf_counter()
                run_to_end(upscaler.enhance(image))
                seconds[name].append(time.perf_counter() - started)
    megapixels = statistics.mean(args.scale**2 * image.shape[-1] * image.shape[-2] for image in inputs) / 1e6
    first = names[0]
    for name in names:
        median = statistics.median(seconds[name])
        line = f"{name}: median {median:.3f} s per image, {megapixels / median:.1f} MP/s output"
        if name != first:
            ratios = [other / mine for other, mine in zip(seconds[name], seconds[first])]
            line += (f"; time per image against {first}: median {statistics.median(ratios):.2f}x"
                     f" (min {min(ratios):.2f}, max {max(ratios):.2f})")
        print(line)


if __name__ == "__main__":
    main()
