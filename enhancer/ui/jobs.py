"""The background work the window asks for, as generators for the worker to pull.

Each job strings core calls together and ends by making what the screen needs (QImages and their
previews), so that nothing the size of a photo is converted on the GUI thread. They hold no torch
logic of their own: upscaling, scoring and writing are the core's.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

from enhancer.engine.batch import BatchProgress, BatchReport, pending_jobs, plan_jobs, upscale_files
from enhancer.engine.cpu_threads import use_inference_threads
from enhancer.engine.device import describe_device
from enhancer.engine.output_options import OutputOptions
from enhancer.engine.similarity_overlay import similarity_overlay
from enhancer.engine.upscaler import TileProgress, Upscaler
from enhancer.imaging.io import Photo, photo_to_tensors, read_image, tensors_to_photo, write_image
from enhancer.imaging.resize import imresize
from enhancer.models.registry import resolve
from enhancer.train.evaluate import difference_map, score, simulate_low_resolution
from enhancer.ui.photo_image import DisplayImage


@dataclass(frozen=True)
class RunRequest:
    """One model run as the user set it up."""

    model: str
    scale: int
    device: str = "auto"
    precision: str = "auto"
    tile: int | None = None
    simulate: bool = False


@dataclass(frozen=True)
class Step:
    """A stage of a job that has no tiles to count, named for the status bar."""

    text: str


# Compared by identity: two runs are two results even when their pixels agree.
@dataclass(frozen=True, eq=False)
class RunResult:
    request: RunRequest
    device: str
    seconds: float
    photo: Photo
    image: DisplayImage
    # Against the truth when simulating; None otherwise (see `difference_from_bicubic`).
    difference: DisplayImage | None
    # What the result was made from when it is not the opened photo (the simulated input).
    before: DisplayImage | None = None
    psnr: float | None = None
    ssim: float | None = None
    # The reference photos the model used (none for a model that takes none).
    references: tuple[Path, ...] = ()

    @property
    def label(self) -> str:
        """Model, scale and time, and the scores when there is a truth to score against."""
        return self.caption.replace("\n", " · ")

    @property
    def caption(self) -> str:
        """The label on two lines, for a narrow view: what ran, then the scores."""
        text = f"{self.request.model} ×{self.request.scale} · {self.seconds:.2f} s"
        if self.psnr is not None:
            text += f"\nPSNR {self.psnr:.2f} dB · SSIM {self.ssim:.4f}"
        return text


def upscale_photo(
    photo: Photo, request: RunRequest, *, references: Sequence[Path] = ()
) -> Generator[Step | TileProgress, None, RunResult]:
    """Upscale `photo` as `request` says; with `simulate`, upscale a downscaled copy and score it,
    and make the difference image from the truth (without a truth, `difference_from_bicubic` makes
    one when asked: on a 12-megapixel photo it costs a third of the run)."""
    yield Step(f"Loading {request.model} ×{request.scale}")
    upscaler = _upscaler(request)
    references = tuple(references) if upscaler.spec.uses_reference else ()
    refs = [photo_to_tensors(read_image(path))[0] for path in references]
    if refs:
        yield Step(f"Preparing {len(refs)} reference photo(s)")
        refs = upscaler.prepare_references(refs)
    rgb, alpha = photo_to_tensors(photo)
    truth = before = None
    if request.simulate:
        truth, rgb = simulate_low_resolution(rgb, request.scale)
        alpha = None
        before = DisplayImage.of_photo(tensors_to_photo(rgb, None, photo))
    started = time.perf_counter()
    upscaled = yield from upscaler.enhance(rgb, refs=refs)
    seconds = time.perf_counter() - started
    yield Step("Preparing the result")
    if alpha is not None:
        alpha = imresize(alpha, scale=request.scale).clamp_(0, 1)
    result = tensors_to_photo(upscaled, alpha, photo)
    psnr = ssim = difference = None
    if truth is not None:
        psnr, ssim = score(upscaled, truth, scale=request.scale, grayscale=photo.grayscale)
        difference = _difference_image(upscaled, truth, photo)
    return RunResult(request=request, device=describe_device(upscaler.device), seconds=seconds,
                     photo=result, image=DisplayImage.of_photo(result), difference=difference,
                     before=before, psnr=psnr, ssim=ssim, references=references)


def _upscaler(request: RunRequest) -> Upscaler:
    """The request's model, ready; on the CPU, with the thread count that is fastest here."""
    upscaler = Upscaler(resolve(request.model, request.scale), device=request.device,
                        precision=request.precision, tile=request.tile)
    use_inference_threads(upscaler.device)
    return upscaler


def difference_from_bicubic(photo: Photo, result: RunResult) -> Generator[Step, None, DisplayImage]:
    """How `result` differs from a plain bicubic upscale of `photo`: what the model added."""
    yield Step("Comparing with bicubic")
    upscaled = photo_to_tensors(result.photo)[0]
    bicubic = imresize(photo_to_tensors(photo)[0], scale=result.request.scale, kernel="cubic")
    return _difference_image(upscaled, bicubic.clamp_(0, 1), photo)


def reference_matches(photo: Photo, result: RunResult
                      ) -> Generator[Step | TileProgress, None, DisplayImage]:
    """Where `result`'s model found texture in its references, drawn over the result (see
    `similarity_overlay`): matched again, as the run matched them."""
    yield Step(f"Matching {len(result.references)} reference photo(s)")
    upscaler = _upscaler(result.request)
    refs = [photo_to_tensors(read_image(path))[0] for path in result.references]
    rgb = photo_to_tensors(photo)[0]
    if result.request.simulate:
        rgb = simulate_low_resolution(rgb, result.request.scale)[1]
    similarity = yield from upscaler.reference_similarity(rgb, refs=refs)
    overlay = similarity_overlay(photo_to_tensors(result.photo)[0], similarity)
    return DisplayImage.of_photo(tensors_to_photo(overlay, None, result.photo))


def _difference_image(image, truth, like: Photo) -> DisplayImage:
    return DisplayImage.of_photo(tensors_to_photo(difference_map(image, truth), None, like))


def save_photo(photo: Photo, path: Path, *, options: OutputOptions, protect: Sequence[Path] = ()
               ) -> Generator[Step, None, Path]:
    yield Step(f"Saving {path.name}")
    write_image(path, options.prepared(photo), quality=options.quality, protect=protect)
    return path


@dataclass(frozen=True)
class BatchPlanned:
    """The batch's files are known: `count` to do, `skipped` whose output already exists."""

    count: int
    skipped: int


@dataclass(frozen=True)
class BatchOutcome:
    report: BatchReport
    skipped: int


def upscale_batch(
    inputs: Sequence[Path], output: Path, request: RunRequest, *, skip_existing: bool = True,
    options: OutputOptions = OutputOptions(),
) -> Generator[Step | BatchPlanned | BatchProgress, None, BatchOutcome]:
    """Every image of `inputs` (folders walked recursively) into `output`, mirroring folders,
    named and written as `options` say."""
    yield Step("Finding photos")
    output.mkdir(parents=True, exist_ok=True)
    jobs = plan_jobs(list(inputs), output, file_name=lambda source: options.file_name(
        source, model=request.model, scale=request.scale))
    todo = pending_jobs(jobs) if skip_existing else jobs
    yield BatchPlanned(len(todo), len(jobs) - len(todo))
    upscaler = _upscaler(request)
    report = yield from upscale_files(todo, upscaler, options=options)
    return BatchOutcome(report, len(jobs) - len(todo))
