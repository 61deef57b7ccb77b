"""Scoring a network while it trains, with the code of `enhancer bench`.

The network is wrapped in the engine's `Upscaler` and scored by the benchmark generator, so a
validation figure during training is the figure `enhancer bench` will print for the exported file
(in float32; the export checks that fp16 storage changes it by at most 0.01 dB).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Generator, Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch import nn

from enhancer.engine.upscaler import Upscaler
from enhancer.models.registry import ResolvedModel
from enhancer.models.spec import ArchSpec
from enhancer.engine.generators import run_to_end
from enhancer.train.evaluate import BenchProgress, BenchResult, benchmark

log = logging.getLogger(__name__)

# fp16 storage is used when it moves no measured PSNR by more than this.
HALF_PRECISION_TOLERANCE_DB = 0.01


def score(
    network: nn.Module,
    *,
    name: str,
    spec: ArchSpec,
    config: Mapping[str, Any],
    scale: int,
    folder: Path,
    device: torch.device,
) -> Generator[BenchProgress, None, BenchResult]:
    """Benchmark a copy of `network`'s current weights at `scale` on `folder`, whole images, fp32."""
    configured = replace(spec, network=partial(spec.network, **config))
    upscaler = Upscaler(ResolvedModel(name, configured, scale, None), device=device,
                        precision="fp32", tile=0)
    upscaler.network.load_state_dict(network.state_dict())
    return (yield from benchmark(upscaler, folder))


def measure(
    network: nn.Module,
    *,
    name: str,
    spec: ArchSpec,
    config: Mapping[str, Any],
    scales: Sequence[int],
    folders: Sequence[Path],
    device: torch.device,
) -> Generator[str, None, tuple[tuple[BenchResult, ...], bool]]:
    """Every folder at every scale, with the weights in fp32 and rounded to fp16.

    Yields "FOLDER xSCALE" before each; returns the fp32 figures and whether fp16 storage moves
    none of them by more than HALF_PRECISION_TOLERANCE_DB.
    """
    rounded = copy.deepcopy(network)
    rounded.load_state_dict({k: v.half().float() if v.is_floating_point() else v
                             for k, v in network.state_dict().items()})
    measurements, largest_change = [], 0.0
    for scale in scales:
        for folder in folders:
            yield f"{folder.name} x{scale}"
            options = dict(name=name, spec=spec, config=config, scale=scale, folder=folder,
                           device=device)
            full = run_to_end(score(network, **options))
            half = run_to_end(score(rounded, **options))
            largest_change = max(largest_change, abs(full.psnr_y - half.psnr_y))
            measurements.append(full)
    log.info("fp16 storage changes PSNR by at most %.4f dB", largest_change)
    return tuple(measurements), largest_change <= HALF_PRECISION_TOLERANCE_DB
