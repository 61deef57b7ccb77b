"""Every architecture in the registry, tested with no test code of its own: random weights, tiny
inputs, and the engine's promises (tiles blend into the untiled result, Y models see one channel).
"""

import pytest
import torch

from enhancer import paths
from enhancer.engine.generators import run_to_end
from enhancer.engine.tiling import padded_size
from enhancer.engine.upscaler import CHROMA_CONTEXT, Upscaler
from enhancer.models import registry
from enhancer.models.registry import ResolvedModel
from enhancer.models.weights import read_header, save_weights
from tests.engine.photos import photo

SPECS = list(registry.architectures().values())
# Generative models sample a different answer for every tile; every other kind must tile exactly.
DETERMINISTIC = [spec for spec in SPECS if spec.kind != "generative"]


def ids(spec):
    return spec.id


def channels(spec):
    return 1 if spec.color_space == "y" else 3


def small_input(spec, *, channels):
    """An input just above the architecture's minimum, not square, so transposed sides show."""
    height = padded_size(8, multiple_of=spec.multiple_of, min_size=spec.min_size)
    return torch.rand(1, channels, height, height + spec.multiple_of)


def forward(network, spec, x):
    if spec.uses_reference:
        return network(x, [torch.rand(1, 3, 12, 10)])
    return network(x)


@pytest.mark.parametrize("spec", SPECS, ids=ids)
def test_forward_gives_the_scaled_shape(spec):
    torch.manual_seed(0)
    for scale in spec.scales:
        x = small_input(spec, channels=channels(spec))
        with torch.inference_mode():
            y = forward(spec.network(scale=scale).eval(), spec, x)
        assert y.shape == (1, x.shape[1], scale * x.shape[2], scale * x.shape[3]), f"x{scale}"


@pytest.mark.parametrize("spec", SPECS, ids=ids)
def test_weights_round_trip_through_the_registry(spec):
    torch.manual_seed(0)
    for scale in spec.scales:
        if not spec.needs_weights:
            assert registry.resolve(spec.id, scale).weights is None
            continue
        network = spec.network(scale=scale).eval()
        path = paths.user_models_dir() / f"{spec.id}-x{scale}.safetensors"
        name = f"my-{spec.id}"
        save_weights(path, network, name=name, arch=spec.id, scales=(scale,), config={}, card={})
        header = read_header(path)
        assert (header.name, header.arch, header.scales) == (name, spec.id, (scale,))
        model = registry.resolve(name, scale)
        assert model.weights.path == path
        built = model.build()
        for key, value in network.state_dict().items():
            stored = value.half().float() if value.is_floating_point() else value
            assert torch.equal(built.state_dict()[key], stored), key
        assert not built.training


@pytest.mark.parametrize("spec", DETERMINISTIC, ids=ids)
def test_tiles_blend_into_the_untiled_result(spec):
    scale = min(spec.scales)
    context = max(spec.overlap, CHROMA_CONTEXT) if spec.color_space == "y" else spec.overlap
    # A tile side that steps `context + 8` px at a time; an image of 3 x 2 tiles.
    tile = padded_size(4 * context + 8, multiple_of=spec.multiple_of, min_size=spec.min_size)
    step = tile - 3 * context
    image = photo(tile + 2 * step - 1, tile + step - 3)

    def upscale(tile):
        torch.manual_seed(0)  # the same random weights for both runs
        upscaler = Upscaler(ResolvedModel(spec.id, spec, scale, None), device="cpu", tile=tile)
        calls = []
        upscaler.network.register_forward_pre_hook(lambda module, args: calls.append(1))
        return run_to_end(upscaler.enhance(image)), len(calls)

    whole, _ = upscale(0)
    tiled, tiles = upscale(tile)
    assert tiles >= 6
    assert tiled.shape == (1, 3, scale * image.shape[2], scale * image.shape[3])
    assert (tiled - whole).abs().max() <= 1 / 255


@pytest.mark.parametrize("spec", SPECS, ids=ids)
def test_the_network_gets_the_declared_colour_channels(spec):
    torch.manual_seed(0)
    upscaler = Upscaler(ResolvedModel(spec.id, spec, min(spec.scales), None), device="cpu", tile=0)
    seen = []
    upscaler.network.register_forward_pre_hook(lambda module, args: seen.append(args[0].shape[1]))
    result = run_to_end(upscaler.enhance(small_input(spec, channels=3)))
    assert seen == [channels(spec)]
    assert result.shape[1] == 3
