"""Reference photos for benchmarking reference-based models on a benchmark folder.

    python scripts/reference_cases.py ../shared/data/bench/Set5 /tmp/refs/Set5-related
    python scripts/reference_cases.py ../shared/data/bench/Set5 /tmp/refs/Set5-unrelated --unrelated
    enhancer bench -m srntt-rec -s 4 --data ../shared/data/bench/Set5 --ref-dir /tmp/refs/Set5-related

writes one reference per photo, under the photo's own file name (what `--ref-dir` pairs by):

- related (the default): the same scene from elsewhere. The photo shifted by a quarter of its
  width and height (the part shifted out is lost, so three quarters of each side overlaps),
  rescaled by `--rescale`, relit by `--gain` with a warmer white balance;
- `--unrelated`: the next photo of the folder, in sorted order, relit the same way.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from enhancer.data.folders import image_files
from enhancer.imaging.io import photo_to_tensors, read_image, tensors_to_photo, write_image
from enhancer.imaging.resize import imresize

WARMER = torch.tensor([1.04, 1.0, 0.94]).view(1, 3, 1, 1)


def related(rgb: torch.Tensor, *, shift: float, rescale: float) -> torch.Tensor:
    """The view of a camera moved by `shift` of each side, zoomed by `rescale`."""
    height, width = rgb.shape[-2:]
    moved = rgb[..., round(height * shift):, round(width * shift):]
    if rescale == 1:
        return moved
    return imresize(moved.double(), scale=rescale).float()


def relit(rgb: torch.Tensor, gain: float) -> torch.Tensor:
    return (rgb * gain * WARMER).clamp(0, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--unrelated", action="store_true")
    parser.add_argument("--shift", type=float, default=0.25)
    parser.add_argument("--rescale", type=float, default=0.9)
    parser.add_argument("--gain", type=float, default=0.85)
    args = parser.parse_args()
    paths = image_files([args.data])
    args.out.mkdir(parents=True, exist_ok=True)
    for index, path in enumerate(paths):
        source = paths[(index + 1) % len(paths)] if args.unrelated else path
        photo = read_image(source)
        rgb, _ = photo_to_tensors(photo)
        if not args.unrelated:
            rgb = related(rgb, shift=args.shift, rescale=args.rescale)
        write_image(args.out / path.name,
                    tensors_to_photo(relit(rgb, args.gain), None, photo))


if __name__ == "__main__":
    main()
