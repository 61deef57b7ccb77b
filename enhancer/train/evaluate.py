"""The evaluation protocol of super-resolution tables (DESIGN §4), as a generator.

Per image: mod-crop the HR image, make the LR input with MATLAB's bicubic downscale, run the model,
round its output to 8 bits, take the Y channel of both, drop `scale` pixels from every border, and
score PSNR and SSIM; the set's figures are the averages. Details that move the numbers, settled by
reproducing the published bicubic rows of Set5, Set14 and BSD100 within 0.01 dB:

- the LR input stays in floating point, neither rounded to 8 bits nor clipped (MATLAB's
  `imresize` on a double image); rounding or clipping it lowers Set14 by about 0.015 dB;
- Y is taken from the 8-bit images and rounded to whole levels, as MATLAB's `rgb2ycbcr` and
  `rgb2gray` return for uint8 input; unrounded Y puts SSIM about 0.001 too high;
- a grayscale HR file is compared on its gray level, and the output on its plain luma.

Beside PSNR and SSIM, each image gets a perceptual score: the feature distance (`metrics.
feature_distance`) between the 8-bit output and the HR image in RGB, `scale` pixels cropped, in
EfficientNet-Lite0's feature space; lower is closer.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from enhancer.engine.batch import IMAGE_SUFFIXES
from enhancer.engine.generators import run_to_end
from enhancer.engine.upscaler import Upscaler
from enhancer.features.extractor import FeatureExtractor
from enhancer.imaging.color import rgb_to_luma, rgb_to_y
from enhancer.imaging.io import photo_to_tensors, read_image
from enhancer.imaging.resize import imresize
from enhancer.train.metrics import feature_distance, psnr, ssim

log = logging.getLogger(__name__)

# The layers of the feature distance (EfficientNet-Lite0 at 1/2 to 1/16 resolution).
FEATURE_LAYERS = ("stage1", "stage2", "stage3", "stage4")


@dataclass(frozen=True)
class BenchProgress:
    """`done` of `total` images scored; `image` is the file name of the last one."""

    done: int
    total: int
    image: str


@dataclass(frozen=True)
class BenchResult:
    model: str
    scale: int
    dataset: str
    images: int
    psnr_y: float
    ssim_y: float
    # Wall time of the model call alone, device-synchronised, averaged over the images.
    seconds_per_image: float
    # Perceptual distance to the HR images (lower is better); see the module's docstring.
    feature_distance: float = math.nan

    def as_json(self) -> dict[str, object]:
        """One entry of the `results` list of `enhancer bench --json` (DESIGN §5)."""
        return {
            "model": self.model,
            "scale": self.scale,
            "dataset": self.dataset,
            "images": self.images,
            "psnr_y": round(self.psnr_y, 4),
            "ssim_y": round(self.ssim_y, 6),
            "seconds_per_image": round(self.seconds_per_image, 6),
            "feature_distance": round(self.feature_distance, 6),
        }


def mod_crop(image: torch.Tensor, scale: int) -> torch.Tensor:
    """The top-left part of (N, C, H, W) whose sides are multiples of `scale`."""
    height, width = image.shape[-2] // scale * scale, image.shape[-1] // scale * scale
    if height == 0 or width == 0:
        raise ValueError(f"an image of {tuple(image.shape[-2:])} is smaller than the scale {scale}")
    return image[..., :height, :width]


def make_lr(hr: torch.Tensor, scale: int) -> torch.Tensor:
    """The benchmark's LR input: MATLAB bicubic downscale of a mod-cropped HR image, in float32.

    Bicubic overshoot is kept (values slightly outside [0, 1]), as in the published tables.
    """
    return imresize(hr.double(), scale=1 / scale).float()


def simulate_low_resolution(photo: torch.Tensor, scale: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(truth, low resolution): a photo treated as the ground truth, and the input made from it.

    This is the benchmark's own degradation, so a model's score on a user's photo means what it
    means in the tables; the input is clipped to [0, 1], since it is also shown and saved as a photo.
    """
    truth = mod_crop(photo, scale)
    return truth, make_lr(truth, scale).clamp_(0, 1)


def difference_map(image: torch.Tensor, truth: torch.Tensor, *, gain: float = 4.0) -> torch.Tensor:
    """Per-pixel absolute difference of two same-sized (1, 3, H, W) images, brightened by `gain`.

    Errors of a few levels are what separates models, and they are invisible unamplified.
    """
    if image.shape != truth.shape:
        raise ValueError(f"cannot compare {tuple(image.shape)} with {tuple(truth.shape)}")
    return ((image - truth).abs() * gain).clamp_(0, 1)


def score(
    sr: torch.Tensor, hr: torch.Tensor, *, scale: int, grayscale: bool = False
) -> tuple[float, float]:
    """(PSNR, SSIM) on Y between (1, 3, H, W) output and HR in [0, 1], `scale` pixels cropped."""
    sr_y, hr_y = y_levels(sr, grayscale=grayscale), y_levels(hr, grayscale=grayscale)
    return psnr(sr_y, hr_y, border=scale), ssim(sr_y, hr_y, border=scale)


def y_levels(rgb: torch.Tensor, *, grayscale: bool = False) -> np.ndarray:
    """Y of (1, 3, H, W) RGB in [0, 1], as a 2-D float64 array of whole levels 0..255.

    The RGB is first rounded to 8 bits; a grayscale original takes the plain luma instead of Y.
    """
    levels = _round_half_up(rgb.detach().cpu().double().clamp(0, 1) * 255) / 255
    y = rgb_to_luma(levels) if grayscale else rgb_to_y(levels)
    return _round_half_up(y[0, 0] * 255).numpy()


class PerceptualScorer:
    """The feature distance between an output and its HR image, with the extractor built once."""

    def __init__(self, device: torch.device | str = "cpu") -> None:
        self.extractor = FeatureExtractor(layers=FEATURE_LAYERS).to(device)
        self.device = device

    @torch.no_grad()
    def __call__(self, sr: torch.Tensor, hr: torch.Tensor, *, scale: int) -> float:
        """Both (1, 3, H, W) in [0, 1]; the output is rounded to 8 bits as the other scores see it."""
        sr = _round_half_up(sr.detach().clamp(0, 1) * 255) / 255
        images = torch.cat([sr, hr]).to(self.device, torch.float32)
        if scale:
            images = images[..., scale:-scale, scale:-scale]
        features = self.extractor(images)
        return feature_distance([f[:1] for f in features], [f[1:] for f in features])


def benchmark(
    upscaler: Upscaler, folder: Path, *, ref_dir: Path | None = None
) -> Generator[BenchProgress, None, BenchResult]:
    """Score `upscaler` on every image of `folder` (sorted by name), one progress per image.

    With `ref_dir`, a reference-based model gets the file of the same name there as its reference.
    """
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise ValueError(f"{folder}: no images to benchmark")
    scale = upscaler.scale
    perceptual = PerceptualScorer(upscaler.device)
    psnrs, ssims, distances, seconds = [], [], [], 0.0
    for done, path in enumerate(files, start=1):
        photo = read_image(path)
        hr = mod_crop(photo_to_tensors(photo)[0], scale)
        refs = []
        if ref_dir is not None and upscaler.spec.uses_reference:
            refs.append(photo_to_tensors(read_image(ref_dir / path.name))[0])
        lr = make_lr(hr, scale)
        started = _synchronized_clock(upscaler.device)
        sr = run_to_end(upscaler.enhance(lr, refs=refs))
        seconds += _synchronized_clock(upscaler.device) - started
        image_psnr, image_ssim = score(sr, hr, scale=scale, grayscale=photo.grayscale)
        log.debug("%s x%d %s: %.4f dB, SSIM %.6f", upscaler.name, scale, path.name, image_psnr, image_ssim)
        psnrs.append(image_psnr)
        ssims.append(image_ssim)
        distances.append(perceptual(sr, hr, scale=scale))
        yield BenchProgress(done, len(files), path.name)
    return BenchResult(
        model=upscaler.name,
        scale=scale,
        dataset=folder.name,
        images=len(files),
        psnr_y=float(np.mean(psnrs)),
        ssim_y=float(np.mean(ssims)),
        seconds_per_image=seconds / len(files),
        feature_distance=float(np.mean(distances)),
    )


def _round_half_up(x: torch.Tensor) -> torch.Tensor:
    """Round to whole numbers with halves going up, as MATLAB's conversion to uint8 does."""
    return torch.floor(x + 0.5)


def _synchronized_clock(device: torch.device) -> float:
    """Now, after the device has finished its queued work, so timings cover what was asked of it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter()
