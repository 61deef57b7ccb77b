"""Small training photos written on the fly: smooth random colour fields with some edges."""

from pathlib import Path

import numpy as np
from PIL import Image


def write_photos(folder: Path, *, count: int = 3, size: tuple[int, int] = (40, 52), seed: int = 0,
                 suffix: str = ".png") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for index in range(count):
        coarse = rng.integers(0, 256, (size[0] // 8 + 1, size[1] // 8 + 1, 3), dtype=np.uint8)
        image = Image.fromarray(coarse).resize((size[1], size[0]), Image.BICUBIC)
        path = folder / f"photo{index}{suffix}"
        image.save(path)
        paths.append(path)
    return paths
