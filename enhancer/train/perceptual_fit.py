"""Training for perceptual quality: Johnson et al.'s feature reconstruction loss, Gram texture
loss, and SRGAN's content plus adversarial loss against a discriminator trained alongside.

A recipe sets `trainer = "perceptual"`. Everything an SGD recipe has means what it means there
(the network, data, generator optimiser, schedule, weight average, validation): the run is `fit`
with a `PerceptualObjective` in place of the pixel loss, so checkpoints, resuming, progress and
measurement are the same code. Its own keys:

- `initial_weights`: a weights file the generator starts from (SRGAN starts from SRResNet);
- `[content]`: the feature network ("efficientnet-lite0", or the path of a torchvision VGG16/VGG19
  file) and the weights of the feature, texture, pixel, total-variation and grid terms and the
  layers;
- `[adversarial]` (optional): the adversarial loss, its weight, feature matching, the gradient
  penalty of WGAN-GP and the discriminator's optimiser. The discriminator's learning rate follows
  the generator's schedule.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from enhancer.data.patches import PatchBatch
from enhancer.features.extractor import EFFICIENTNET, FeatureExtractor
from enhancer.models.weights import WeightsError, load_state_dict, read_header
from enhancer.train.adversarial_losses import (
    ADVERSARIAL,
    discriminator_loss,
    feature_matching,
    generator_loss,
    gradient_penalty,
)
from enhancer.train.discriminator import Discriminator
from enhancer.train.fit import FitProgress, FitResult, fit
from enhancer.train.losses import LOSSES, make_loss
from enhancer.train.optimization import clip_gradients, set_learning_rate
from enhancer.train.perceptual_losses import (
    feature_reconstruction,
    periodic_error,
    texture,
    tiles,
    total_variation,
)
from enhancer.train.recipe import Recipe, RecipeError, parse_recipe

log = logging.getLogger(__name__)

# Iterations between log lines with the separate loss terms.
_LOG_EVERY = 50


@dataclass(frozen=True)
class ContentConfig:
    features: str = EFFICIENTNET
    feature_layers: tuple[str, ...] = ("stage2",)
    feature_weight: float = 1.0
    texture_layers: tuple[str, ...] = ()
    texture_weight: float = 0.0
    # Side in output pixels of the regions whose textures are compared (EnhanceNet: 16); 0 compares
    # each training patch as a whole.
    texture_tile: int = 0
    pixel: str = "mse"
    pixel_weight: float = 0.0
    # Total variation of the output (Johnson et al.'s regulariser).
    tv_weight: float = 0.0
    # The error's pattern repeating every `grid_period` pixels (the scale, for a pixel-shuffle
    # upsampler): the grid an adversarial loss grows before its discriminator learns to see it.
    grid_weight: float = 0.0
    grid_period: int = 4

    def __post_init__(self) -> None:
        if self.pixel not in LOSSES:
            raise ValueError(f"pixel = {self.pixel!r} is not one of {', '.join(LOSSES)}")
        if min(self.feature_weight, self.texture_weight, self.pixel_weight, self.tv_weight,
               self.grid_weight) < 0:
            raise ValueError("loss weights cannot be negative")
        if self.grid_period < 2:
            raise ValueError("grid_period must be at least 2")
        if self.texture_tile < 0:
            raise ValueError("texture_tile cannot be negative")
        if self.feature_weight and not self.feature_layers:
            raise ValueError("feature_weight needs feature_layers")
        if self.texture_weight and not self.texture_layers:
            raise ValueError("texture_weight needs texture_layers")

    @property
    def layers(self) -> tuple[str, ...]:
        """Every layer a term reads, each once."""
        return tuple(dict.fromkeys(self.feature_layers + self.texture_layers))


@dataclass(frozen=True)
class AdversarialConfig:
    loss: str = "standard"
    weight: float = 1e-3
    feature_matching: float = 0.0
    gradient_penalty: float = 10.0  # WGAN-GP only
    lr: float = 1e-4
    betas: tuple[float, float] = (0.9, 0.999)

    def __post_init__(self) -> None:
        if self.loss not in ADVERSARIAL:
            raise ValueError(f"loss = {self.loss!r} is not one of {', '.join(ADVERSARIAL)}")
        if self.weight < 0 or self.feature_matching < 0 or self.lr <= 0:
            raise ValueError("weight and feature_matching cannot be negative, lr must be positive")


_OWN_KEYS = ("trainer", "initial_weights", "content", "adversarial")


def fit_perceptual(
    recipe: Recipe,
    *,
    scales: Sequence[int],
    checkpoint: Path,
    data: Sequence[Path] = (),
    device: str | torch.device = "auto",
    minutes: float | None = None,
    fresh: bool = False,
) -> Generator[FitProgress, None, FitResult]:
    """`fit` with the recipe's perceptual objective (same arguments and results as `fit`)."""
    base, objective = perceptual_plan(recipe)
    return (yield from fit(base, scales=scales, checkpoint=checkpoint, data=data, device=device,
                           minutes=minutes, fresh=fresh, objective=objective))


def perceptual_plan(recipe: Recipe, *, other_keys: Sequence[str] = ()
                    ) -> tuple[Recipe, PerceptualObjective]:
    """The SGD recipe for the generator, and the objective, from a perceptual recipe;
    `other_keys` are a derived trainer's own."""
    table = recipe.table
    own = (*_OWN_KEYS, *other_keys)
    base = parse_recipe({k: v for k, v in table.items() if k not in own}, recipe.path)
    content = parse_section(ContentConfig, table.get("content", {}), recipe.path, "content")
    if content.features != EFFICIENTNET:
        # A VGG weights file, relative to the recipe.
        content = replace(content, features=str((recipe.path.parent / content.features).resolve()))
    adversarial = (parse_section(AdversarialConfig, table["adversarial"], recipe.path,
                                 "adversarial")
                   if "adversarial" in table else None)
    initial = table.get("initial_weights")
    if initial is not None and not isinstance(initial, str):
        raise RecipeError(f"{recipe.path}: initial_weights must be a path string")
    initial_path = (recipe.path.parent / initial).resolve() if initial else None
    return base, PerceptualObjective(content=content, adversarial=adversarial,
                                     initial_weights=initial_path, seed=base.seed)


def parse_section(cls, values: Any, path: Path, name: str):
    """The frozen dataclass `cls` from the recipe's table `[name]`, lists as tuples; unknown keys
    and bad values are errors naming the file and the section."""
    if not isinstance(values, Mapping):
        raise RecipeError(f"{path}: [{name}] must be a table")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise RecipeError(f"{path}: [{name}] unknown key {unknown[0]!r}; known keys: "
                          f"{', '.join(sorted(known))}")
    try:
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})
    except (TypeError, ValueError) as error:
        raise RecipeError(f"{path}: [{name}] {error}") from None


class PerceptualObjective:
    """Content terms (features, texture, pixels) plus, with an adversarial config, the generator's
    adversarial and feature-matching terms; each step first updates the discriminator."""

    def __init__(self, *, content: ContentConfig, adversarial: AdversarialConfig | None = None,
                 initial_weights: Path | None = None, seed: int = 0) -> None:
        self.content = content
        self.adversarial = adversarial
        self.initial_weights = initial_weights
        self.seed = seed
        text = repr((content, adversarial, initial_weights and initial_weights.name))
        self.fingerprint = hashlib.sha256(text.encode()).hexdigest()[:8]
        self.pixel = make_loss(content.pixel)
        self.steps = 0
        self.extractor: FeatureExtractor | None = None
        self.discriminator: Discriminator | None = None
        self.discriminator_optimizer: torch.optim.Optimizer | None = None

    def start(self, network: nn.Module, device: torch.device) -> None:
        if self.initial_weights is not None:
            try:
                state = load_state_dict(read_header(self.initial_weights))
                network.load_state_dict(state)
            except (WeightsError, RuntimeError, OSError) as error:
                raise RecipeError(f"initial_weights {self.initial_weights}: {error}") from None
        self.extractor = FeatureExtractor(network=self.content.features,
                                          layers=self.content.layers).to(device)
        if self.adversarial is not None:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(self.seed)
                self.discriminator = Discriminator(
                    batch_norm=self.adversarial.loss != "wgan-gp").to(device)
            self.discriminator_optimizer = torch.optim.Adam(
                self.discriminator.parameters(), lr=self.adversarial.lr, betas=self.adversarial.betas)

    def content_loss(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        content = self.content
        loss = content.pixel_weight * self.pixel(output, target) if content.pixel_weight else 0.0
        if content.tv_weight:
            loss = loss + content.tv_weight * total_variation(output)
        if content.grid_weight:
            loss = loss + content.grid_weight * periodic_error(output, target, content.grid_period)
        if content.feature_weight or content.texture_weight:
            layers = dict(zip(content.layers, self.extractor(output)))
            with torch.no_grad():
                targets = dict(zip(content.layers, self.extractor(target)))
            if content.feature_weight:
                loss = loss + content.feature_weight * feature_reconstruction(
                    [layers[n] for n in content.feature_layers],
                    [targets[n] for n in content.feature_layers])
            if content.texture_weight:
                regions = [self._texture_regions(layers[n], targets[n], output.shape[-1])
                           for n in content.texture_layers]
                loss = loss + content.texture_weight * texture([o for o, _ in regions],
                                                               [t for _, t in regions])
        return loss

    def _texture_regions(self, features: torch.Tensor, target: torch.Tensor, width: int
                         ) -> tuple[torch.Tensor, torch.Tensor]:
        """A layer's features of output and target, cut into `texture_tile` output pixels' tiles
        (as many features as the layer has across that many pixels), or whole without a tile."""
        if not self.content.texture_tile:
            return features, target
        side = max(1, self.content.texture_tile * features.shape[-1] // width)
        return tiles(features, side), tiles(target, side)

    def step(self, network: nn.Module, optimizer: torch.optim.Optimizer, batch: PatchBatch,
             recipe: Recipe, lr: float, *, fast: bool) -> torch.Tensor:
        inputs = batch.lr.contiguous(memory_format=torch.channels_last) if fast else batch.lr
        with torch.autocast(inputs.device.type, dtype=torch.bfloat16, enabled=fast):
            output = network(inputs)
        return self.optimise(network, optimizer, output.float(), batch.hr, recipe, lr)

    def optimise(self, network: nn.Module, optimizer: torch.optim.Optimizer, output: torch.Tensor,
                 target: torch.Tensor, recipe: Recipe, lr: float,
                 extra: torch.Tensor | float = 0.0) -> torch.Tensor:
        """One update of the discriminator (if any), then of the network that made `output`,
        with the content and adversarial terms against `target` plus `extra`."""
        critic_loss = self._discriminator_step(output, target, lr / recipe.optimizer.lr) \
            if self.discriminator is not None else None

        content = self.content_loss(output, target)
        loss = content + extra
        if self.discriminator is not None:
            adversarial = self.adversarial
            self.discriminator.requires_grad_(False)
            fake, fake_features = self.discriminator.scores_and_features(output)
            real = real_features = None
            if adversarial.loss == "relativistic" or adversarial.feature_matching:
                with torch.no_grad():
                    real, real_features = self.discriminator.scores_and_features(target)
            loss = loss + adversarial.weight * generator_loss(adversarial.loss, real, fake)
            if adversarial.feature_matching:
                loss = loss + adversarial.feature_matching * feature_matching(fake_features,
                                                                              real_features)
            self.discriminator.requires_grad_(True)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        clip_gradients(network.parameters(), recipe.optimizer, lr)
        optimizer.step()
        self.steps += 1
        if self.steps % _LOG_EVERY == 0:
            log.info("step %d: content %.4g, total %.4g, discriminator %s", self.steps,
                     content.item(), loss.item(),
                     "-" if critic_loss is None else f"{critic_loss.item():.4g}")
        return loss.detach()

    def _discriminator_step(self, output: torch.Tensor, hr: torch.Tensor,
                            lr_fraction: float) -> torch.Tensor:
        """One update of the discriminator on real patches against the generator's output;
        its learning rate is the generator's schedule applied to its own."""
        adversarial = self.adversarial
        set_learning_rate(self.discriminator_optimizer, adversarial.lr * lr_fraction)
        fake = output.detach()
        loss = discriminator_loss(adversarial.loss, self.discriminator(hr), self.discriminator(fake))
        if adversarial.loss == "wgan-gp":
            generator = torch.Generator(device=hr.device).manual_seed(self.seed * 1_000_003 + self.steps)
            loss = loss + adversarial.gradient_penalty * gradient_penalty(
                self.discriminator, hr, fake, generator=generator)
        self.discriminator_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.discriminator_optimizer.step()
        return loss.detach()

    def state_dict(self) -> dict:
        if self.discriminator is None:
            return {"steps": self.steps}
        return {"steps": self.steps, "discriminator": self.discriminator.state_dict(),
                "discriminator_optimizer": self.discriminator_optimizer.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.steps = state.get("steps", 0)
        if self.discriminator is not None and "discriminator" in state:
            self.discriminator.load_state_dict(state["discriminator"])
            self.discriminator_optimizer.load_state_dict(state["discriminator_optimizer"])
