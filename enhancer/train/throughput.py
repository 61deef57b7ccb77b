"""Training throughput of `fit` against a plain fp32 eager loop, in patches per second.

The plain loop is what a first training script does: per patch, crop the photo on the CPU, make
its LR with the bicubic there, stack, copy to the device, and run fp32 eager. `fit` keeps the
photos and their LR versions on the device, crops there, and on CUDA runs bf16 autocast with
channels_last. Both train the recipe's network with its optimiser on the same patch sizes.

    python -m enhancer.train.throughput recipes/espcn.toml --scale 4 --iterations 200
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import torch

from enhancer.data.folders import load_images
from enhancer.engine.device import choose_device, describe_device
from enhancer.imaging.color import rgb_to_y
from enhancer.imaging.resize import imresize
from enhancer.models.registry import architectures
from enhancer.train.fit import fit
from enhancer.train.losses import make_loss
from enhancer.train.optimization import make_optimizer
from enhancer.train.recipe import Recipe, ValidationConfig, load_recipe

log = logging.getLogger(__name__)


def fit_rate(recipe: Recipe, *, scale: int, iterations: int, device: torch.device,
             data: Sequence[Path] = ()) -> float:
    """Patches per second of `fit` over its second half (the first warms caches up)."""
    recipe = replace(recipe, validation=ValidationConfig(), progress_every=iterations // 2,
                     schedule=replace(recipe.schedule, iterations=iterations))
    with tempfile.TemporaryDirectory() as folder:
        run = fit(recipe, scales=(scale,), checkpoint=Path(folder) / "throughput.ckpt",
                  data=data, device=device, fresh=True)
        rates = [progress.patches_per_second for progress in run if progress.stage == "training"]
    return rates[-1]


def plain_rate(recipe: Recipe, *, scale: int, iterations: int, device: torch.device,
               data: Sequence[Path] = ()) -> float:
    """Patches per second of a plain loop: CPU crops and bicubic per patch, fp32 eager."""
    spec = architectures()[recipe.arch]
    images = load_images(tuple(data) or recipe.data.train)
    side = recipe.data.patch_size // scale * scale
    images = [image for image in images if min(image.shape[-2:]) >= side]
    network = spec.network(scale=scale, **recipe.network).to(device).train()
    optimizer = make_optimizer(recipe.optimizer, network.parameters())
    loss_function = make_loss(recipe.loss.name, epsilon=recipe.loss.epsilon)
    generator = torch.Generator().manual_seed(0)
    started = None
    for iteration in range(iterations):
        if iteration == iterations // 2:
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            started = time.perf_counter()
        lrs, hrs = [], []
        for _ in range(recipe.data.batch_size):
            image = images[int(torch.randint(len(images), (1,), generator=generator))]
            top = int(torch.randint(image.shape[1] - side + 1, (1,), generator=generator))
            left = int(torch.randint(image.shape[2] - side + 1, (1,), generator=generator))
            hr = image[None, :, top : top + side, left : left + side].float() / 255
            if spec.color_space == "y":
                hr = rgb_to_y(hr)
            lrs.append(imresize(hr, scale=1 / scale))
            hrs.append(hr)
        lr, hr = torch.cat(lrs).to(device), torch.cat(hrs).to(device)
        loss = loss_function(network(lr), hr)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return (iterations - iterations // 2) * recipe.data.batch_size / (time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("recipe", type=Path)
    parser.add_argument("--scale", type=int, required=True)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--data", nargs="+", type=Path, default=[])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    recipe, device = load_recipe(args.recipe), choose_device(args.device)
    options = dict(scale=args.scale, iterations=args.iterations, device=device, data=args.data)
    plain = plain_rate(recipe, **options)
    ours = fit_rate(recipe, **options)
    print(f"{recipe.name} x{args.scale} on {describe_device(device)}, batch "
          f"{recipe.data.batch_size}, HR patch {recipe.data.patch_size}: plain fp32 eager "
          f"{plain:.0f} patches/s, fit {ours:.0f} patches/s, ratio {ours / plain:.2f}")


if __name__ == "__main__":
    main()
