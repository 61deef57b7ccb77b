"""What a fine-tune minimises: the pixel loss of its base model's SGD recipe, or the content and
adversarial terms of a perceptual recipe (SRGAN, Johnson et al.), with the feature network the
user chose.

The shipped perceptual recipes read EfficientNet-Lite0's stages (installed with the app). With a
user's torchvision VGG16/VGG19 file, the papers' network, each stage is replaced by the VGG layer
at the same resolution (the last ReLU of the block at 1/2, 1/4, ... of the input), so the recipe's
balance of fine and coarse features carries over. The discriminator of an adversarial recipe
starts afresh: only the generator's weights are shipped.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from enhancer import paths
from enhancer.features.efficientnet_lite import LAYERS
from enhancer.features.extractor import EFFICIENTNET
from enhancer.features.vgg import VGGFeatures, load_vgg_state
from enhancer.models.registry import ResolvedModel
from enhancer.train.perceptual_fit import ContentConfig, PerceptualObjective, perceptual_plan
from enhancer.train.recipe import Recipe, RecipeError, load_recipe

log = logging.getLogger(__name__)

# The downsampling of each EfficientNet-Lite0 stage: stage k is at 1 / 2^k of the input.
_STAGE_LEVELS = {name: level for level, name in enumerate(LAYERS, start=1)}


class FeatureNetworkError(ValueError):
    """A feature network that cannot be used; the message names the file and the reason."""


def base_recipe(base: ResolvedModel) -> Recipe | None:
    """The recipe the base model's card names, when it is installed and reads; else None."""
    found = paths.install_root() / "recipes" / str(base.weights.card.get("recipe", ""))
    if not found.is_file():
        return None
    try:
        return load_recipe(found)
    except RecipeError as error:
        log.warning("%s; fine-tuning with default settings", error)
        return None


def is_perceptual(recipe: Recipe | None) -> bool:
    return recipe is not None and recipe.trainer == "perceptual"


def derive_objective(recipe: Recipe | None, features: Path | None) -> PerceptualObjective | None:
    """The objective of a perceptual base recipe, on `features` (a VGG file) when given, without
    the recipe's starting weights (a fine-tune starts from the base model); None for others."""
    if not is_perceptual(recipe):
        return None
    _, objective = perceptual_plan(recipe)
    content = objective.content if features is None else on_vgg(objective.content, features)
    return PerceptualObjective(content=content, adversarial=objective.adversarial,
                               seed=objective.seed)


def on_vgg(content: ContentConfig, path: Path) -> ContentConfig:
    """`content` with each EfficientNet stage replaced by the VGG layer at its resolution."""
    try:
        depth, _ = load_vgg_state(path)
    except Exception as error:  # torch.load and safetensors fail in many ways on a foreign file
        raise FeatureNetworkError(f"{path}: not usable as VGG16/VGG19 weights ({error})") from None
    if content.features != EFFICIENTNET:
        return replace(content, features=str(path))
    names = VGGFeatures.layer_names(depth)

    def at_same_resolution(stage: str) -> str:
        block = f"relu{_STAGE_LEVELS[stage] + 1}_"
        return [name for name in names if name.startswith(block)][-1]

    return replace(content, features=str(path),
                   feature_layers=tuple(map(at_same_resolution, content.feature_layers)),
                   texture_layers=tuple(map(at_same_resolution, content.texture_layers)))
