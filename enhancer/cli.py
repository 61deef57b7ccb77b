"""The `enhancer` command: the GUI with no arguments, headless verbs otherwise.

Every verb drives a generator of the core with a `for` loop and a text progress bar; the GUI drives
the same generators from its worker. This module never imports Qt: the GUI is imported only when it
is asked for.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from enhancer.eta import EtaClock, clock

EXIT_OK = 0
EXIT_BAD_INPUT = 2
VERBS = ("upscale", "models", "bench", "train", "finetune")
RESUMABLE = "stopped; the checkpoint is saved, run the same command to resume"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in VERBS and not argv[0].startswith("-")):
        from enhancer.app import run_gui

        return run_gui([Path(arg) for arg in argv])
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s: %(message)s")
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(f"\nenhancer: {args.interrupted}", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="enhancer",
        description="Upscale and restore photos. With no arguments, opens the app.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    parser.set_defaults(interrupted="cancelled; nothing half-written was left behind")
    verbs = parser.add_subparsers(required=True, metavar="VERB")

    upscale = verbs.add_parser("upscale", help="upscale image files or folders")
    upscale.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    upscale.add_argument("-o", "--output", required=True, type=Path,
                         help="a file for one input, a folder for several")
    upscale.add_argument("-m", "--model", required=True)
    upscale.add_argument("-s", "--scale", type=int, default=4)
    upscale.add_argument("--ref", action="append", type=Path, default=[],
                         help="reference photo for reference-based models (repeatable)")
    _add_engine_options(upscale)
    upscale.set_defaults(run=_upscale)

    models = verbs.add_parser("models", help="list the models and their weights")
    models.add_argument("--json", action="store_true", help="print JSON")
    models.set_defaults(run=_models)

    bench = verbs.add_parser("bench", help="PSNR/SSIM on benchmark folders (DESIGN.md §4)")
    bench.add_argument("-m", "--model", required=True, type=_comma_list(str))
    bench.add_argument("-s", "--scale", required=True, type=_comma_list(int))
    bench.add_argument("--data", required=True, nargs="+", type=Path, metavar="DIR")
    bench.add_argument("--ref-dir", type=Path, help="references, paired by file name")
    bench.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    _add_engine_options(bench, default_tile=0)
    bench.set_defaults(run=_bench)

    train = verbs.add_parser("train", help="train models from a recipe (resumes its checkpoint)")
    train.add_argument("recipe", type=Path, metavar="RECIPE.toml")
    train.add_argument("--data", nargs="+", type=Path, default=[], metavar="DIR",
                       help="training image folders (default: the recipe's)")
    train.add_argument("--scale", type=int, help="train only this scale's model")
    train.add_argument("--out", type=Path, metavar="FILE",
                       help="the .safetensors file to write (default: the user models folder)")
    train.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    train.add_argument("--iterations", type=int, help="train this many iterations instead of the "
                                                      "recipe's (its schedule stretched to fit)")
    train.add_argument("--minutes", type=float, help="stop after this long; run again to resume")
    train.add_argument("--fresh", action="store_true", help="ignore a saved checkpoint")
    train.set_defaults(run=_train, interrupted=RESUMABLE)

    finetune = verbs.add_parser("finetune", help="fine-tune a model on your own photos "
                                                 "(resumes its checkpoint)")
    finetune.add_argument("-m", "--model", required=True, help="the model to start from")
    finetune.add_argument("-s", "--scale", required=True, type=int)
    finetune.add_argument("--photos", required=True, nargs="+", type=Path, metavar="DIR",
                          help="photo folders, searched recursively; about 10%% is held out")
    finetune.add_argument("--out", required=True, metavar="NAME", help="the new model's name")
    finetune.add_argument("--minutes", type=float, help="time budget (default 10 without "
                                                        "--iterations)")
    finetune.add_argument("--iterations", type=int, help="iteration budget")
    finetune.add_argument("--lr-factor", type=float,
                          help="peak learning rate as a fraction of the base model's recipe's "
                               "(default: the one measured to do best in a few minutes)")
    finetune.add_argument("--features", type=Path, metavar="FILE",
                          help="torchvision VGG16/VGG19 weights for a perceptual model's content "
                               "loss (default: EfficientNet-Lite0, installed with the app)")
    finetune.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    finetune.add_argument("--fresh", action="store_true", help="ignore a saved checkpoint")
    finetune.set_defaults(run=_finetune, interrupted=RESUMABLE)
    return parser


def _add_engine_options(parser: argparse.ArgumentParser, *, default_tile: int | None = None) -> None:
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    parser.add_argument("--precision", default="auto", choices=("auto", "fp32", "fp16", "bf16"))
    parser.add_argument("--tile", type=int, default=default_tile,
                        help="tile side in input pixels (0: whole image; default: from free memory)")


def _comma_list(kind):
    def parse(text: str) -> list:
        try:
            return [kind(item) for item in text.split(",") if item]
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a comma-separated list: {text!r}") from None

    return parse


def _drive(generator, on_progress):
    """Pull a core generator to its end, handing each progress to `on_progress`; its result.

    Whatever stops the loop (an error, Ctrl+C) closes the generator first, so it cleans up: a
    training run saves its checkpoint, a batch leaves no half-written file.
    """
    try:
        while True:
            try:
                progress = next(generator)
            except StopIteration as done:
                return done.value
            on_progress(progress)
    finally:
        generator.close()


def _fail(message: str) -> int:
    print(f"enhancer: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _upscale(args: argparse.Namespace) -> int:
    from enhancer.engine.batch import PlanError, plan_jobs, upscale_files
    from enhancer.engine.device import DeviceError
    from enhancer.imaging.io import ImageError, photo_to_tensors, read_image
    from enhancer.models.registry import UnknownModelError, resolve

    try:
        model = resolve(args.model, args.scale)
        upscaler = _upscaler(model, args)
        refs = [photo_to_tensors(read_image(path))[0] for path in args.ref]
        jobs = plan_jobs(args.inputs, args.output)
    except (UnknownModelError, DeviceError, ImageError, PlanError) as error:
        return _fail(str(error))
    if refs and not model.spec.uses_reference:
        logging.getLogger(__name__).warning("%s does not use reference photos", model.name)

    bar = ProgressBar()
    if refs and model.spec.uses_reference:
        bar.message(f"preparing {len(refs)} reference photo(s)")
        try:
            refs = upscaler.prepare_references(refs)
        except (RuntimeError, MemoryError) as error:  # out of memory, most likely
            return _fail(f"could not prepare the reference photos: {error}")

    def show(progress) -> None:
        if progress.failure is not None:
            bar.message(f"enhancer: error: {progress.failure}")
        tiles = progress.tiles
        bar.update(progress.fraction,
                   f"{progress.index + 1}/{progress.count} {progress.source.name} "
                   f"tile {tiles.done}/{tiles.total}")

    report = _drive(upscale_files(jobs, upscaler, refs=refs), show)
    bar.close(f"{len(report.written)} written, {len(report.failures)} failed")
    return EXIT_BAD_INPUT if report.failures else EXIT_OK


def _upscaler(model, args: argparse.Namespace):
    from enhancer.engine.cpu_threads import use_inference_threads
    from enhancer.engine.upscaler import Upscaler

    upscaler = Upscaler(model, device=args.device, precision=args.precision, tile=args.tile)
    use_inference_threads(upscaler.device)
    return upscaler


def _models(args: argparse.Namespace) -> int:
    from enhancer.models.catalog import catalog

    entries = catalog()
    if args.json:
        print(json.dumps([entry.as_json() for entry in entries], indent=2))
        return EXIT_OK
    rows = [("model", "name", "kind", "scales", "parameters", "weights")]
    for entry in entries:
        rows.append((entry.id, entry.name, entry.kind, ",".join(map(str, entry.scales)),
                     f"{entry.parameters:,}", " ".join(entry.weights) or "-"))
    print(_table(rows))
    return EXIT_OK


def _bench(args: argparse.Namespace) -> int:
    from enhancer.engine.device import DeviceError
    from enhancer.imaging.io import ImageError
    from enhancer.models.registry import UnknownModelError, resolve
    from enhancer.train.evaluate import benchmark

    for folder in args.data:
        if not folder.is_dir():
            return _fail(f"{folder}: not a folder")
    results = []
    bar = ProgressBar()
    for name in args.model:
        for scale in args.scale:
            try:
                upscaler = _upscaler(resolve(name, scale), args)
            except (UnknownModelError, DeviceError) as error:
                bar.close()
                return _fail(str(error))
            for folder in args.data:
                label = f"{name} x{scale} {folder.name}"
                try:
                    results.append(_drive(
                        benchmark(upscaler, folder, ref_dir=args.ref_dir),
                        lambda p: bar.update(p.done / p.total, f"{label} {p.done}/{p.total}"),
                    ))
                except (ImageError, ValueError) as error:
                    bar.close()
                    return _fail(str(error))
    bar.close()
    rows = [("model", "scale", "dataset", "images", "PSNR-Y", "SSIM-Y", "features", "s/image")]
    for r in results:
        rows.append((r.model, f"x{r.scale}", r.dataset, str(r.images), f"{r.psnr_y:.2f}",
                     f"{r.ssim_y:.4f}", f"{r.feature_distance:.4f}", f"{r.seconds_per_image:.4f}"))
    print(_table(rows))
    if args.json:
        document = {"protocol": "bt601-y, crop=scale, matlab-bicubic",
                    "results": [r.as_json() for r in results]}
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return EXIT_OK


def _train(args: argparse.Namespace) -> int:
    from enhancer.data.folders import DataError
    from enhancer.engine.device import DeviceError
    from enhancer.train.recipe import RecipeError, load_recipe
    from enhancer.train.runner import plan_runs, train

    bar = ProgressBar()
    try:
        recipe = load_recipe(args.recipe)
        if args.iterations is not None:
            recipe = recipe.with_iterations(args.iterations)
        runs = plan_runs(recipe, scale=args.scale, out=args.out)
        training = train(recipe, runs, data=args.data, device=args.device, minutes=args.minutes,
                         fresh=args.fresh, command=_train_command(args))
        written = _drive(training, lambda p: bar.update(
            p.fraction, f"{p.run}/{p.runs} {p.output.name} {p.text}"))
    except (RecipeError, DataError, DeviceError) as error:
        bar.close()
        return _fail(str(error))
    bar.close(f"{len(written)} model(s) written: " + ", ".join(str(w.path) for w in written))
    return EXIT_OK


def _finetune(args: argparse.Namespace) -> int:
    from enhancer.data.folders import DataError
    from enhancer.engine.device import DeviceError
    from enhancer.train.finetune import FinetuneConfig, FinetuneError, finetune
    from enhancer.train.recipe import RecipeError

    bar = ProgressBar()
    minutes = 10.0 if args.minutes is None and args.iterations is None else args.minutes
    try:
        tuning = {} if args.lr_factor is None else {"lr_factor": args.lr_factor}
        config = FinetuneConfig(base=args.model, scale=args.scale, photos=tuple(args.photos),
                                name=args.out, minutes=minutes, iterations=args.iterations,
                                features=args.features, device=args.device, fresh=args.fresh,
                                **tuning)
        result = _drive(finetune(config), lambda p: bar.update(p.fraction, p.text))
    except (FinetuneError, DataError, DeviceError, RecipeError) as error:
        bar.close()
        return _fail(str(error))
    for skipped in result.skipped:
        bar.message(f"enhancer: skipped {skipped}")
    bar.close(f"{result.weights.name} x{args.scale} written to {result.weights.path}; held-out "
              f"PSNR-Y {result.before:.2f} dB -> {result.after:.2f} dB on {result.held_out} photo(s), "
              f"{result.iterations} iterations")
    return EXIT_OK


def _train_command(args: argparse.Namespace) -> str:
    """The command line that reproduces this run, for the model card."""
    words = ["enhancer", "train", args.recipe.as_posix()]
    if args.scale is not None:
        words += ["--scale", str(args.scale)]
    if args.iterations is not None:
        words += ["--iterations", str(args.iterations)]
    if args.out is not None:
        words += ["--out", args.out.as_posix()]
    return " ".join(words)


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                     for row in rows)


class ProgressBar:
    """One line on stderr with a bar, a label and an ETA.

    On a terminal the line is redrawn in place; otherwise (logs, CI) a plain line is printed at
    most every few seconds, so long runs still show they are alive.
    """

    PLAIN_INTERVAL = 5.0

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.eta = EtaClock()
        self.started = self.eta.started
        self.last_plain = self.started
        self.drawn = False

    def update(self, fraction: float, label: str) -> None:
        now = time.monotonic()
        elapsed = now - self.started
        eta = self.eta.seconds_left(fraction)
        width = 24
        filled = int(round(width * min(max(fraction, 0.0), 1.0)))
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {label}"
                f"  {clock(elapsed)} elapsed, ETA {clock(eta)}")
        if self.tty:
            columns = shutil.get_terminal_size().columns - 1
            self.stream.write("\r" + line[:columns].ljust(columns))
            self.drawn = True
        elif now - self.last_plain >= self.PLAIN_INTERVAL:
            self.stream.write(line + "\n")
            self.last_plain = now
        self.stream.flush()

    def message(self, text: str) -> None:
        """A line of its own (an error, say) that the bar does not overwrite."""
        self._clear()
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self, summary: str | None = None) -> None:
        self._clear()
        if summary:
            self.stream.write(f"{summary} in {clock(time.monotonic() - self.started)}\n")
        self.stream.flush()

    def _clear(self) -> None:
        if self.drawn:
            columns = shutil.get_terminal_size().columns - 1
            self.stream.write("\r" + " " * columns + "\r")
            self.drawn = False
