"""Scoring a network while it trains, with the code of `enhancer bench`.

The network is wrapped in the engine's `Upscaler` and scored by the benchmark generator, so a
validation figure during training is the figure `enhancer bench` will print for the exported file
(in float32; the export checks that fp16 storage changes it by at most 0.01 dB).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch import nn

from enhancer.engine.upscaler import Upscaler
from enhancer.models.registry import ResolvedModel
from enhancer.models.spec import ArchSpec
from enhancer.train.evaluate import BenchProgress, BenchResult, benchmark


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
