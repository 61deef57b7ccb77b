"""Upscaling files: the one loop behind `enhancer upscale` and the app's batch queue.

Every file is read, upscaled and written on its own, so a broken file costs only itself: its
failure is recorded with the reason and the batch goes on. Outputs are written atomically and
never over any input of the batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from enhancer.engine.output_options import OutputOptions
from enhancer.engine.upscaler import TileProgress, Upscaler
from enhancer.imaging.io import ImageError, photo_to_tensors, read_image, tensors_to_photo, write_image
from enhancer.imaging.resize import imresize

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp"})


@dataclass(frozen=True)
class FileJob:
    source: Path
    destination: Path


@dataclass(frozen=True)
class FileFailure:
    source: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(frozen=True)
class BatchProgress:
    """Where a batch is: file `index` (0-based) of `count`, and the tiles done of that file.

    `failure` is set on the progress that follows a file's failure, so a consumer can report it
    at once while the batch goes on.
    """

    index: int
    count: int
    source: Path
    tiles: TileProgress
    failure: FileFailure | None = None

    @property
    def fraction(self) -> float:
        within = self.tiles.done / self.tiles.total if self.tiles.total else 0.0
        return (self.index + within) / self.count


@dataclass(frozen=True)
class BatchReport:
    written: list[Path] = field(default_factory=list)
    failures: list[FileFailure] = field(default_factory=list)


class PlanError(ValueError):
    """The inputs and the output cannot be paired (missing input, output clashes with an input)."""


def plan_jobs(inputs: Sequence[Path], output: Path, *,
              file_name: Callable[[Path], str] = lambda source: source.name) -> list[FileJob]:
    """Pair each input image with its output path.

    One input file and an output that is not an existing folder: the output is that file.
    Otherwise the output is a folder; a folder among the inputs is walked recursively and its tree
    mirrored inside the output folder, each file named `file_name(source)` (by default the
    source's own name).
    """
    if len(inputs) == 1 and inputs[0].is_file() and not output.is_dir():
        return [FileJob(inputs[0], output)]
    jobs = []
    for source in inputs:
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
                    folder = output / path.parent.relative_to(source.parent)
                    jobs.append(FileJob(path, folder / file_name(path)))
        elif source.exists():
            jobs.append(FileJob(source, output / file_name(source)))
        else:
            raise PlanError(f"{source}: no such file or folder")
    sources = {job.source.resolve() for job in jobs}
    destinations: dict[Path, Path] = {}
    for job in jobs:
        if job.destination.resolve() in sources:
            raise PlanError(f"{job.destination}: the output would replace an input")
        other = destinations.setdefault(job.destination.resolve(), job.source)
        if other != job.source:
            raise PlanError(f"{other} and {job.source} would both be written to "
                            f"{job.destination}; name outputs after their photo ({{stem}})")
    return jobs


def pending_jobs(jobs: Sequence[FileJob]) -> list[FileJob]:
    """The jobs whose output does not exist yet, so a batch run again resumes where it stopped."""
    return [job for job in jobs if not job.destination.exists()]


def upscale_files(
    jobs: Sequence[FileJob], upscaler: Upscaler, *, refs: Sequence[torch.Tensor] = (),
    options: OutputOptions = OutputOptions(),
) -> Generator[BatchProgress, None, BatchReport]:
    """Upscale and write each job; `options` gives the quality and whether metadata is kept
    (the format is the destination's suffix)."""
    report = BatchReport()
    protected = [job.source for job in jobs]
    for index, job in enumerate(jobs):
        yield BatchProgress(index, len(jobs), job.source, TileProgress(0, 1))
        try:
            photo = read_image(job.source)
            rgb, alpha = photo_to_tensors(photo)
            upscaled = yield from _with_file(upscaler.enhance(rgb, refs=refs), index, len(jobs), job)
            if alpha is not None:
                alpha = imresize(alpha, scale=upscaler.scale).clamp_(0, 1)
            job.destination.parent.mkdir(parents=True, exist_ok=True)
            result = options.prepared(tensors_to_photo(upscaled, alpha, photo))
            write_image(job.destination, result, quality=options.quality, protect=protected)
        except (ImageError, OSError, ValueError) as error:
            reason = error.reason if isinstance(error, ImageError) else str(error)
            failure = FileFailure(job.source, reason)
            report.failures.append(failure)
            log.info("%s", failure)
            yield BatchProgress(index, len(jobs), job.source, TileProgress(1, 1), failure)
            continue
        report.written.append(job.destination)
    return report


def _with_file(tiles, index: int, count: int, job: FileJob):
    """Re-yield one file's tile progress as batch progress; return the upscaled tensor."""
    try:
        while True:
            try:
                progress = next(tiles)
            except StopIteration as done:
                return done.value
            yield BatchProgress(index, count, job.source, progress)
    finally:
        tiles.close()
