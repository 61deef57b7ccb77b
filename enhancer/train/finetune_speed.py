"""How fast a fine-tune trains here, measured before it starts: the thread count and the plan.

A small network's convolutions on a batch of small patches are too short for several CPU threads
to pay, and where another program keeps a core busy they cost far more than they give: on the
2-core development machine shared with two training jobs, ESPCN's training step took 15 ms with
one thread and 540 ms with two (each thread waits at every barrier for a core that is busy
elsewhere). So a CPU fine-tune times a few steps with one thread, with all of them and with the
powers of two between, trains with the fastest, and drops to one thread if the speed collapses
later. The timing is the one CPU inference uses (`enhancer.engine.cpu_threads`).

The measured speed also says how many iterations a time budget holds, so the learning rate can
be annealed over the run instead of stopping at full height when the time is up.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass

import torch
from torch import nn

from enhancer.data.patches import PatchBatch
from enhancer.engine.cpu_threads import speeds_by_thread_count, thread_counts
from enhancer.train.fit import Objective
from enhancer.train.recipe import Recipe

log = logging.getLogger(__name__)

# Seconds of timed steps per thread count tried.
TIMING_SECONDS = 0.6
# Below this fraction of the measured speed, a multi-threaded run falls back to one thread.
COLLAPSE_FRACTION = 0.4


@dataclass(frozen=True)
class TrainingSpeed:
    threads: int  # intra-op threads to train with (on a GPU: the process's, untouched)
    iterations_per_second: float
    batch_size: int

    @property
    def patches_per_second(self) -> float:
        return self.iterations_per_second * self.batch_size


def measure_speed(network: nn.Module, *, channels: int, scale: int, patch_size: int,
                  batch_size: int, device: torch.device,
                  objective: tuple[Objective, Recipe] | None = None) -> TrainingSpeed:
    """Time training steps of a copy of `network` on random patches, with each thread count worth
    trying on this device; the fastest, with its speed. The global thread count is left as found.

    The steps minimise MSE, or the `objective` a run will minimise under its recipe (a perceptual
    model's feature network and discriminator make its steps several times slower)."""
    found = torch.get_num_threads()
    candidates = thread_counts(found) if device.type == "cpu" else [found]
    side = patch_size // scale
    inputs = torch.rand(batch_size, channels, side, side, device=device)
    target = torch.rand(batch_size, channels, side * scale, side * scale, device=device)
    trial = copy.deepcopy(network).to(device).train()
    optimizer = torch.optim.Adam(trial.parameters(), lr=1e-6)
    batch = PatchBatch(lr=inputs, hr=target, scale=scale)
    if objective is not None:
        objective[0].start(trial, device)

    def step() -> None:
        if objective is not None:
            minimised, recipe = objective
            minimised.step(trial, optimizer, batch, recipe, 1e-6, fast=False)
            return
        loss = nn.functional.mse_loss(trial(inputs), target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    speeds = speeds_by_thread_count(step, candidates, seconds=TIMING_SECONDS,
                                    synchronize=lambda: _synchronize(device))
    threads = max(speeds, key=speeds.get)
    log.info("training speed by thread count: %s",
             ", ".join(f"{t}: {s:.1f} it/s" for t, s in speeds.items()))
    return TrainingSpeed(threads, speeds[threads], batch_size)


def planned_iterations(speed: TrainingSpeed, minutes: float, *, share: float = 0.85) -> int:
    """The iterations `minutes` of training hold at `speed`, less a margin (`share`) for the
    validations, checkpoints and previews that take time from training."""
    return max(int(speed.iterations_per_second * 60 * minutes * share), 1)


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
