"""Drawing candidates for the candidates dialog, as a generator for the worker to pull."""

from __future__ import annotations

import time
from collections.abc import Generator

from enhancer.engine.candidates import CandidateSampler, RowProgress
from enhancer.engine.device import describe_device
from enhancer.imaging.io import Photo, photo_to_tensors, tensors_to_photo
from enhancer.models.registry import resolve
from enhancer.ui.jobs import RunRequest, RunResult, Step
from enhancer.ui.photo_image import DisplayImage


def sample_candidates(
    photo: Photo, request: RunRequest, *, count: int, temperature: float, seed: int
) -> Generator[Step | RowProgress, None, list[RunResult]]:
    """`count` samples of `request`'s generative model for `photo`, each a result the window can
    show and save (transparency is dropped: these models draw colour only)."""
    yield Step(f"Loading {request.model} ×{request.scale}")
    sampler = CandidateSampler(resolve(request.model, request.scale), device=request.device)
    rgb, _ = photo_to_tensors(photo)
    started = time.perf_counter()
    samples = yield from sampler.candidates(rgb, count=count, temperature=temperature, seed=seed)
    seconds = (time.perf_counter() - started) / count
    yield Step("Preparing the candidates")
    device = describe_device(sampler.device)
    results = []
    for sample in samples:
        result = tensors_to_photo(sample, None, photo)
        results.append(RunResult(request=request, device=device, seconds=seconds, photo=result,
                                 image=DisplayImage.of_photo(result), difference=None))
    return results
