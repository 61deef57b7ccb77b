"""Photos of 1500 x 996 pixels (996 x 1500 if portrait) for speed runs: `enhancer bench -s 2` on
them times enhances with 1.5 MP outputs, as the README's RAISR and SRCNN figures are measured.

    python scripts/speed_set.py ../shared/data/bench/BSD100 /tmp/speed-set
    OMP_NUM_THREADS=1 enhancer bench -m srcnn,raisr,bicubic -s 2 --data /tmp/speed-set

The first `--count` photos of the folder (sorted by name), enlarged with MATLAB's bicubic. The
models' time does not depend on what the photos show, only on their size.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from enhancer.data.folders import image_files
from enhancer.imaging.io import photo_to_tensors, read_image, tensors_to_photo, write_image
from enhancer.imaging.resize import imresize

LONG_SIDE, SHORT_SIDE = 1500, 996


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=4)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in image_files([args.source])[: args.count]:
        photo = read_image(path)
        rgb, _ = photo_to_tensors(photo)
        portrait = rgb.shape[-2] > rgb.shape[-1]
        size = (LONG_SIDE, SHORT_SIDE) if portrait else (SHORT_SIDE, LONG_SIDE)
        enlarged = imresize(rgb, size=size).clamp(0, 1)
        write_image(args.out / f"{path.stem}.png", tensors_to_photo(enlarged, None, photo))
        print(args.out / f"{path.stem}.png")


if __name__ == "__main__":
    main()
