"""How many CPU threads torch runs a model with, where other programs keep the cores busy.

An operation split over several OpenMP threads waits at its end for the slowest of them, and where
another program holds a core, that thread waits for the scheduler: on the 2-core development
machine, busy with training jobs, a 64 x 64 convolution took 1.5 ms with one thread and 45 ms with
two. So when the load average says the cores torch would use are taken (or cannot say), a short
convolution is timed with each thread count worth trying and inference runs with the fastest; on
an idle machine torch's default stands, untimed. The choice is made once per process. Fine-tuning
times its own training step the same way (`enhancer.train.finetune_speed`).
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence

import torch
from torch import nn

log = logging.getLogger(__name__)

# Load (runnable processes, one-minute average) beyond what the cores torch leaves unused can take,
# below which the machine counts as idle: this process's own start-up shows as a little load.
BUSY_LOAD = 0.5
# Seconds of timed convolutions per thread count tried.
TIMING_SECONDS = 0.1
# A convolution the size of a small model's layer on a small tile: long enough for threads to
# pay on an idle machine, short enough to time in a fraction of a second.
TRIAL_CHANNELS, TRIAL_SIDE = 32, 64

Measure = Callable[[Sequence[int]], Mapping[int, float]]


def thread_counts(available: int) -> list[int]:
    """1, 2, 4, ... up to `available`, and `available` itself."""
    counts = {available}
    count = 1
    while count < available:
        counts.add(count)
        count *= 2
    return sorted(counts)


def speeds_by_thread_count(step: Callable[[], object], counts: Sequence[int], *, seconds: float,
                           synchronize: Callable[[], None] = lambda: None) -> dict[int, float]:
    """Calls of `step` per second with each of `counts` threads; the setting is left as found."""
    found = torch.get_num_threads()
    speeds = {}
    try:
        for threads in counts:
            torch.set_num_threads(threads)
            speeds[threads] = _steps_per_second(step, seconds=seconds, synchronize=synchronize)
    finally:
        torch.set_num_threads(found)
    return speeds


def cpu_is_busy(load: float, *, cores: int, threads: int) -> bool:
    """Whether other programs keep busy some of the cores that `threads` threads would need."""
    return load > cores - threads + BUSY_LOAD


def inference_threads(threads: int, *, load: float | None, cores: int, measure: Measure) -> int:
    """The thread count to run inference with, given torch's (`threads`): that one on an idle
    machine, else the fastest that `measure` (thread counts -> speeds) finds. An unknown `load`
    (no load average on Windows) is measured too: the timing costs a fraction of a second."""
    if threads == 1 or (load is not None and not cpu_is_busy(load, cores=cores, threads=threads)):
        return threads
    speeds = measure(thread_counts(threads))
    fastest = max(speeds, key=speeds.get)
    log.info("CPU busy (load %s on %d cores); convolutions per second by thread count: %s; using %d",
             "unknown" if load is None else f"{load:.1f}", cores,
             ", ".join(f"{t}: {s:.0f}" for t, s in speeds.items()), fastest)
    return fastest


def use_inference_threads(device: torch.device) -> None:
    """Set the thread count for inference on `device` when it is the CPU, deciding it on the first
    call. Set again on every call: the count is each thread's own, and new threads start from the
    last one set anywhere."""
    if device.type != "cpu":
        return
    threads = _decided_threads()
    if threads is not None:
        torch.set_num_threads(threads)


@functools.cache
def _decided_threads() -> int | None:
    """The count for this process, or None where the user set OMP_NUM_THREADS themselves."""
    if os.environ.get("OMP_NUM_THREADS"):
        return None
    return inference_threads(torch.get_num_threads(), load=_load_average(),
                             cores=os.cpu_count() or 1, measure=_time_convolution)


def _load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows has none; OSError where it cannot be read
        return None


def _time_convolution(counts: Sequence[int]) -> dict[int, float]:
    convolution = nn.Conv2d(TRIAL_CHANNELS, TRIAL_CHANNELS, 3, padding=1).requires_grad_(False)
    image = torch.rand(1, TRIAL_CHANNELS, TRIAL_SIDE, TRIAL_SIDE)
    with torch.inference_mode():
        return speeds_by_thread_count(lambda: convolution(image), counts, seconds=TIMING_SECONDS)


def _steps_per_second(step: Callable[[], object], *, seconds: float,
                      synchronize: Callable[[], None], most: int = 200) -> float:
    step()  # the first call allocates
    steps, started = 0, time.perf_counter()
    while True:
        step()
        steps += 1
        if time.perf_counter() - started >= seconds or steps >= most:
            synchronize()
            return steps / max(time.perf_counter() - started, 1e-9)
