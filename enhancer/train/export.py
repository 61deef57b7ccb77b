"""Writing a trained network as a shipped-style model: weights file plus card.

The card travels twice: as JSON in the weights' metadata (what `enhancer models` and the GUI's
model picker read) and as a Markdown file beside the weights (what people read on GitHub). Both
hold what the design asks of a card: data, recipe, iterations, hardware, wall time and the
figures measured with the benchmark code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from torch import nn

from enhancer.models.registry import architectures
from enhancer.models.weights import WeightsFile, save_weights
from enhancer.train.evaluate import BenchResult
from enhancer.train.recipe import Recipe


def make_card(
    recipe: Recipe,
    *,
    scales: Sequence[int],
    data: Sequence[Path],
    iterations: int,
    planned: int,
    seconds: float,
    hardware: str,
    measurements: Sequence[BenchResult],
    half_precision: bool,
    command: str,
) -> dict[str, Any]:
    return {
        "paper": architectures()[recipe.arch].paper,
        "training_data": [Path(folder).name for folder in data],
        "recipe": recipe.path.name,
        "command": command,
        "iterations": iterations,
        "planned_iterations": planned,
        "hardware": hardware,
        "wall_time_s": round(seconds, 1),
        "stored_as": "fp16" if half_precision else "fp32",
        "measured": [
            {"dataset": m.dataset, "scale": m.scale, "images": m.images,
             "psnr_y": round(m.psnr_y, 2), "ssim_y": round(m.ssim_y, 4)}
            for m in measurements
        ],
        "scales": list(scales),
    }


def export_model(
    network: nn.Module, path: Path, *, name: str, arch: str, scales: Sequence[int],
    config: Mapping[str, Any], card: Mapping[str, Any], half_precision: bool,
) -> WeightsFile:
    """Write `path` (.safetensors) and its card `path` with suffix .md."""
    weights = save_weights(path, network, name=name, arch=arch, scales=tuple(scales),
                           config=dict(config), card=card, half=half_precision)
    path.with_suffix(".md").write_text(card_markdown(name, arch, card), encoding="utf-8")
    return weights


def card_markdown(name: str, arch: str, card: Mapping[str, Any]) -> str:
    spec = architectures()[arch]
    scales = ", ".join(f"x{s}" for s in card["scales"])
    lines = [
        f"# {name} {scales}",
        "",
        f"{spec.name} ({card['paper']}), trained by this project.",
        "",
        f"- Training data: {', '.join(card['training_data'])}",
        f"- Recipe: `recipes/{card['recipe']}`; reproduce with `{card['command']}`",
        f"- Iterations: {card['iterations']:,} of {card['planned_iterations']:,} planned",
        f"- Hardware: {card['hardware']}; wall time {card['wall_time_s'] / 60:.1f} min",
        f"- Stored as {card['stored_as']}",
    ]
    if card["measured"]:
        lines += ["", "Measured with the benchmark protocol (`enhancer bench`, Y channel):", "",
                  "| dataset | scale | PSNR-Y | SSIM-Y |", "| --- | --- | --- | --- |"]
        lines += [f"| {m['dataset']} | x{m['scale']} | {m['psnr_y']:.2f} | {m['ssim_y']:.4f} |"
                  for m in card["measured"]]
    notes = card.get("notes")
    if notes:
        lines += ["", notes]
    return "\n".join(lines) + "\n"
