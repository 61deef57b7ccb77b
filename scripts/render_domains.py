"""Render photo sets of domains the shipped models never saw, for measuring fine-tuning.

    python scripts/render_domains.py /tmp/domains

writes `text/{a,b}` (pages of text in the Hershey fonts with UI panels, on paper or dark
backgrounds) and `drawings/{a,b}` (flat-colour shapes with ink outlines, strokes and hatching,
like comics), alternate images in `a` and `b`: fine-tune on one half, `enhancer bench` on the
other. Seeded, so every run writes the same files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

COUNT = 48
WORDS = ("enhancer photo model scale upscale settings folder batch output quality naming metadata "
         "the of and to in is for on with as by at from layer pixel train learn image resize font "
         "Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor 2026 42 x4"
         ).split()
FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
         cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_COMPLEX_SMALL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    for name, render in (("text", text_page), ("drawings", drawing)):
        rng = np.random.default_rng(7)
        for index in range(COUNT):
            folder = args.out / name / ("a" if index % 2 == 0 else "b")
            folder.mkdir(parents=True, exist_ok=True)
            image = render(rng)
            cv2.imwrite(str(folder / f"{name}{index:02d}.png"), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))


def text_page(rng: np.random.Generator) -> np.ndarray:
    height, width = 360, 480
    light = rng.random() < 0.7
    page = np.empty((height, width, 3), np.uint8)
    page[:] = rng.integers(200, 256, 3) if light else rng.integers(0, 60, 3)
    if rng.random() < 0.4:  # paper grain
        page = np.clip(page + rng.normal(0, 4, page.shape), 0, 255).astype(np.uint8)
    for _ in range(rng.integers(0, 4)):  # panels and buttons
        x, y = int(rng.integers(0, width - 60)), int(rng.integers(0, height - 30))
        corner = (x + int(rng.integers(40, 200)), y + int(rng.integers(20, 80)))
        cv2.rectangle(page, (x, y), corner, _colour(rng), -1 if rng.random() < 0.5 else 1,
                      cv2.LINE_AA)
    y = int(rng.integers(15, 40))
    while y < height - 5:
        size = float(rng.uniform(0.4, 1.3))
        ink = rng.integers(0, 90, 3) if light else rng.integers(170, 256, 3)
        colour = _colour(rng) if rng.random() < 0.2 else tuple(int(c) for c in ink)
        line = " ".join(rng.choice(WORDS, rng.integers(3, 9)))
        cv2.putText(page, line, (int(rng.integers(2, 30)), y), FONTS[rng.integers(len(FONTS))],
                    size, colour, int(rng.integers(1, 3)),
                    cv2.LINE_AA if rng.random() < 0.8 else cv2.LINE_8)
        y += int(size * 30 + rng.integers(4, 16))
    return page


def drawing(rng: np.random.Generator) -> np.ndarray:
    height, width = 384, 448
    image = np.empty((height, width, 3), np.uint8)
    image[:] = _colour(rng) if rng.random() < 0.5 else (250, 250, 245)
    for _ in range(rng.integers(6, 16)):
        fill, thickness = _colour(rng), int(rng.integers(1, 5))
        ink = (0, 0, 0) if rng.random() < 0.8 else _colour(rng)
        kind = rng.integers(4)
        if kind == 0:  # outlined ellipse
            centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            axes = (int(rng.integers(10, 120)), int(rng.integers(10, 120)))
            angle = float(rng.uniform(0, 180))
            cv2.ellipse(image, centre, axes, angle, 0, 360, fill, -1, cv2.LINE_AA)
            cv2.ellipse(image, centre, axes, angle, 0, 360, ink, thickness, cv2.LINE_AA)
        elif kind == 1:  # outlined polygon
            corners = rng.integers(0, [width, height], (int(rng.integers(3, 7)), 2)).astype(np.int32)
            cv2.fillPoly(image, [corners], fill, cv2.LINE_AA)
            cv2.polylines(image, [corners], True, ink, thickness, cv2.LINE_AA)
        elif kind == 2:  # hatching
            x, y, step = int(rng.integers(0, width - 80)), int(rng.integers(0, height - 80)), \
                int(rng.integers(3, 9))
            for offset in range(0, 80, step):
                cv2.line(image, (x + offset, y), (x, y + offset), ink, 1, cv2.LINE_AA)
        else:  # a pen stroke
            path = np.cumsum(rng.normal(0, 12, (30, 2)), axis=0) + rng.integers(50, [width - 50, height - 50])
            cv2.polylines(image, [path.astype(np.int32)], False, ink, thickness, cv2.LINE_AA)
    return image


def _colour(rng: np.random.Generator) -> tuple[int, int, int]:
    return tuple(int(c) for c in rng.integers(0, 256, 3))


if __name__ == "__main__":
    main()
