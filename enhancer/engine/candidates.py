"""Several sharp answers for one tiny photo, from a generative model (pixel recursive SR).

A generative model's output is a distribution: `CandidateSampler.candidates` draws `count` images
from it in one batched pass (every candidate's next value is drawn at the same step), yielding after
each output row so the CLI and the app show progress and can cancel. The temperature divides the
logits: 1 samples the model as trained, lower values trade variety for likelier, smoother pixels,
0 takes the most likely value everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from dataclasses import dataclass

import torch

from enhancer.engine.device import choose_device, describe_device
from enhancer.engine.upscaler import check_input_size
from enhancer.models.archs.pixelrsr import sample_rows
from enhancer.models.registry import ResolvedModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RowProgress:
    done: int
    total: int


class CandidateSampler:
    """One generative model, built once and placed on one device (float32: sampling compares
    cumulative probabilities, where half precision would shift the draws)."""

    def __init__(self, model: ResolvedModel, *, device: str | torch.device = "auto") -> None:
        if model.spec.kind != "generative":
            raise ValueError(f"{model.name} is not a generative model; it has one answer, not candidates")
        self.name = model.name
        self.spec = model.spec
        self.scale = model.scale
        self.device = device if isinstance(device, torch.device) else choose_device(device)
        self.network = model.build().to(self.device).requires_grad_(False)
        log.info("%s x%d sampling on %s", self.name, self.scale, describe_device(self.device))

    def candidates(
        self, image: torch.Tensor, *, count: int = 8, temperature: float = 0.8, seed: int = 0
    ) -> Generator[RowProgress, None, list[torch.Tensor]]:
        """`count` samples for a (1, 3, H, W) float32 RGB image in [0, 1]: a list of
        (1, 3, sH, sW) float32 tensors on the CPU. The same seed gives the same candidates."""
        if image.ndim != 4 or image.shape[:2] != (1, 3) or image.dtype != torch.float32:
            raise ValueError(f"expected a (1, 3, H, W) float32 image, got {tuple(image.shape)} {image.dtype}")
        if count < 1 or temperature < 0:
            raise ValueError("count must be at least 1 and temperature not negative")
        height, width = image.shape[-2:]
        check_input_size(self.name, self.spec, height, width)
        generator = torch.Generator(device=self.device).manual_seed(seed)
        low = image.to(self.device).expand(count, -1, -1, -1)
        sampling = sample_rows(self.network, low, temperature=temperature, generator=generator)
        rows = self.scale * height
        while True:
            try:
                done = next(sampling)
            except StopIteration as finished:
                samples = finished.value.float().cpu()
                return [sample[None] for sample in samples]
            yield RowProgress(done, rows)
