"""Adding a weights file from elsewhere as a user model, and renaming or deleting user models.

A file written by this project carries its architecture in its metadata. A foreign file (a `.pth`
or a bare `.safetensors` from another project) is recognised by its tensors: it is taken for the
first architecture and scale whose freshly built network has exactly its tensor names and shapes,
and it must then load strictly. Anything else is refused with the reason, before anything is
written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn

from enhancer import paths
from enhancer.models.registry import architectures, model_names, weights_files
from enhancer.models.weights import (
    WeightsError,
    WeightsFile,
    load_foreign_state_dict,
    load_state_dict,
    read_header,
    save_weights,
)

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class ModelImportError(WeightsError):
    """A file that cannot become a user model, or a name that cannot be used; says why."""


@dataclass(frozen=True)
class Recognised:
    """The architecture and scales a foreign state dict fits, and the network holding it."""

    arch: str
    scales: tuple[int, ...]
    network: nn.Module


def recognise(state: Mapping[str, torch.Tensor], *, source: Path) -> Recognised:
    """The first trainable architecture whose default network has exactly `state`'s tensors.

    Architectures whose weights do not depend on the scale (SRCNN, VDSR) serve every scale they
    know; the others serve the scales at which the shapes match.
    """
    shapes = {key: tuple(value.shape) for key, value in state.items()}
    for spec in architectures().values():
        if not spec.needs_weights:
            continue
        fitting = []
        for scale in spec.scales:
            try:
                network = spec.network(scale=scale)
            except TypeError:
                continue  # an architecture that needs arguments is not recognisable by shape
            expected = {key: tuple(value.shape) for key, value in network.state_dict().items()}
            if expected == shapes:
                network.load_state_dict(state, strict=True)
                fitting.append((scale, network))
        if fitting:
            return Recognised(spec.id, tuple(s for s, _ in fitting), fitting[0][1].eval())
    raise ModelImportError(f"{source}: its {len(state)} tensors match no architecture here "
                           f"({', '.join(s.id for s in architectures().values() if s.needs_weights)})")


def import_model(path: Path, *, name: str | None = None) -> WeightsFile:
    """Validate `path` and write it into the user models folder as model `name` (default: the
    name in its metadata, or the file's stem)."""
    path = Path(path)
    if path.suffix.lower() not in (".safetensors", ".pth", ".pt"):
        raise ModelImportError(f"{path}: not a .safetensors or .pth weights file")
    if not path.is_file():
        raise ModelImportError(f"{path}: no such file")
    own = _own_header(path)
    if own is not None:
        spec = architectures().get(own.arch)
        if spec is None:
            raise ModelImportError(f"{path}: architecture {own.arch!r} is not in this version")
        network = spec.network(scale=own.scales[0], **own.config)
        try:
            network.load_state_dict(load_state_dict(own), strict=True)
        except RuntimeError as error:
            raise ModelImportError(f"{path}: its tensors do not fit {own.arch} ({error})") from None
        name = check_new_name(name or own.name)
        card = {**own.card, "imported_from": path.name}
        return _write(network, name=name, arch=own.arch, scales=own.scales, config=own.config,
                      card=card, half=card.get("stored_as", "fp16") == "fp16")
    found = recognise(_foreign_state(path), source=path)
    name = check_new_name(name or path.stem)
    card = {"paper": architectures()[found.arch].paper, "imported_from": path.name,
            "stored_as": "fp32", "scales": list(found.scales)}
    return _write(found.network, name=name, arch=found.arch, scales=found.scales, config={},
                  card=card, half=False)


def rename_user_model(name: str, new_name: str) -> list[WeightsFile]:
    """User model `name` (every scale's file) as `new_name`; the old files go once all are written."""
    files = user_model_files(name)
    new_name = check_new_name(new_name)
    renamed = []
    for weights in files:
        network = architectures()[weights.arch].network(scale=weights.scales[0], **weights.config)
        network.load_state_dict(load_state_dict(weights))
        renamed.append(_write(network, name=new_name, arch=weights.arch, scales=weights.scales,
                              config=weights.config, card=dict(weights.card),
                              half=weights.card.get("stored_as", "fp16") == "fp16"))
    delete_user_model(name)
    return renamed


def delete_user_model(name: str) -> None:
    for weights in user_model_files(name):
        weights.path.unlink(missing_ok=True)
        weights.path.with_suffix(".md").unlink(missing_ok=True)


def user_model_files(name: str) -> list[WeightsFile]:
    """The weights files of user model `name`; refused for a shipped or unknown model."""
    files = [w for w in weights_files() if w.name == name]
    if not files:
        raise ModelImportError(f"no model named {name!r}")
    user_dir = paths.user_models_dir().resolve()
    if any(w.path.resolve().parent != user_dir for w in files):
        raise ModelImportError(f"{name} is a shipped model; only your own models can change")
    return files


def check_new_name(name: str) -> str:
    """`name` if a new model may take it; ModelImportError says why not."""
    if not _NAME.fullmatch(name):
        raise ModelImportError(f"{name!r} is not a usable model name: letters, digits, '.', '_' "
                               "and '-', starting with a letter or digit")
    if name in model_names():
        raise ModelImportError(f"a model named {name!r} exists already; choose another name")
    return name


def _own_header(path: Path) -> WeightsFile | None:
    if path.suffix.lower() != ".safetensors":
        return None
    try:
        return read_header(path)
    except WeightsError as error:
        if "metadata lacks" in str(error):
            return None  # a bare safetensors file of another project
        raise ModelImportError(str(error)) from None


def _foreign_state(path: Path) -> dict[str, torch.Tensor]:
    if path.suffix.lower() == ".safetensors":
        try:
            state = load_file(str(path))
        except Exception as error:  # safetensors raises several unrelated types
            raise ModelImportError(f"{path}: not a readable safetensors file ({error})") from None
        return {key.removeprefix("module."): v.float() if v.is_floating_point() else v
                for key, v in state.items()}
    try:
        return load_foreign_state_dict(path)
    except WeightsError as error:
        raise ModelImportError(str(error)) from None


def _write(network: nn.Module, *, name: str, arch: str, scales: tuple[int, ...],
           config: Mapping, card: Mapping, half: bool) -> WeightsFile:
    stem = f"{name}-x{scales[0]}" if len(scales) == 1 else name
    target = paths.user_models_dir() / f"{stem}.safetensors"
    if target.exists():
        raise ModelImportError(f"{target} exists already; choose another name")
    return save_weights(target, network, name=name, arch=arch, scales=tuple(scales),
                        config=config, card=card, half=half)
