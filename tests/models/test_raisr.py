"""RAISR's network: the fast path computes the filter bank exactly, the hash behaves as a gradient
hash should, and an untrained bank is the cheap upscale."""

import math

import pytest
import torch
import torch.nn.functional as F

from enhancer.imaging.resize import imresize
from enhancer.models.archs.raisr import SPECS, Raisr, Window, _cells, _from_cells
from enhancer.models.registry import ResolvedModel
from enhancer.models.weights import read_header, save_weights


def random_bank(scale: int, *, seed: int = 0, patch_size: int = 11, refine_size: int = 0, refine_census_bounds=(),
                blend_per_bucket: bool = False) -> Raisr:
    """A float64 network with a random bank (and second bank, if `refine_size`; random blend
    weights per bucket, if `blend_per_bucket`) and thresholds that split these test images."""
    generator = torch.Generator().manual_seed(seed)
    model = Raisr(scale=scale, patch_size=patch_size, basis_size=3, refine_size=refine_size, refine_basis_size=2,
                  refine_census_bounds=refine_census_bounds, blend_per_bucket=blend_per_bucket).double()
    model.basis.copy_(torch.randn(model.basis.shape, generator=generator) * 0.05)
    model.coefficients.copy_(torch.randn(model.coefficients.shape, generator=generator))
    if refine_size:
        model.refine_basis.copy_(torch.randn(model.refine_basis.shape, generator=generator) * 0.1)
        model.refine_coefficients.copy_(torch.randn(model.refine_coefficients.shape, generator=generator))
    if blend_per_bucket:
        model.blend_weights.copy_(torch.rand(model.blend_weights.shape, generator=generator))
    model.strength_thresholds.copy_(torch.tensor([1e-4, 1e-3, 5e-3]))
    model.coherence_thresholds.copy_(torch.tensor([0.3, 0.6, 0.8]))
    return model


def edge(size: int, degrees: float) -> torch.Tensor:
    """(1, 1, size, size): a soft straight step whose gradient points at `degrees` (x right, y down)."""
    angle = math.radians(degrees)
    coords = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    along = math.cos(angle) * coords[None, :] + math.sin(angle) * coords[:, None]
    return torch.sigmoid(along)[None, None]


def angle_bin(model: Raisr, image: torch.Tensor) -> torch.Tensor:
    return model.cell_hash(image) // (model.strength_bins * model.coherence_bins)


def on_cover(bank: torch.Tensor, window: Window) -> torch.Tensor:
    """A bank's filters (buckets, side²), laid out phase first, as filters on the window's cover
    (buckets, cover²): zero outside each phase's window."""
    phases = window.scale**2
    filters = bank.view(phases, -1, window.side**2)
    covered = bank.new_zeros(phases, filters.shape[1], window.cover**2)
    for phase in range(phases):
        covered[phase][:, window.cover_taps(*divmod(phase, window.scale))] = filters[phase]
    return covered.view(len(bank), -1)


def test_an_even_window_leans_towards_the_centre_of_its_pixels_cell():
    # x2, side 6: phase 0 reaches 2 pixels back and 3 ahead, phase 1 the reverse; both cover the
    # 3 x 3 cells around their own, and the cover centred on the pixel is 7 x 7.
    six = Window(2, 6)
    assert (six.start(0), six.start(1), six.first, six.last, six.cover) == (-2, -3, -2, 3, 7)
    assert six.cover_taps(0, 1)[:3].tolist() == [7, 8, 9] and six.cover_taps(1, 0)[-1].item() == 41
    # Side 12 at x2 reaches no further from the cell than 11 (so reads the same input pixels).
    twelve, eleven = Window(2, 12), Window(2, 11)
    assert (twelve.first, twelve.last, twelve.cover) == (eleven.first, eleven.last, 13) == (-5, 6, 13)
    five = Window(3, 5)
    assert [five.start(p) for p in range(3)] == [-2, -2, -2] and five.cover == 5
    assert five.cover_taps(1, 2).tolist() == list(range(25))
    with pytest.raises(ValueError, match="even scale"):
        Window(3, 6)


@pytest.mark.parametrize(("scale", "patch_size", "refine_size"), [(2, 11, 0), (3, 11, 0), (4, 11, 0), (2, 11, 5),
                                                                  (3, 11, 5), (4, 11, 5), (2, 12, 6), (4, 12, 6)])
def test_an_untrained_bank_is_the_bicubic_upscale(scale, patch_size, refine_size):
    y = torch.rand(2, 1, 9, 13)
    out = Raisr(scale=scale, patch_size=patch_size, refine_size=refine_size)(y)
    assert out.shape == (2, 1, 9 * scale, 13 * scale)
    torch.testing.assert_close(out, imresize(y, scale=scale), atol=1e-6, rtol=0)


@pytest.mark.parametrize(("scale", "patch_size"), [(2, 11), (3, 11), (4, 11), (2, 12), (4, 12)])
def test_filtering_applies_each_pixels_filter_to_the_bicubic_upscale_on_its_window(scale, patch_size):
    model = random_bank(scale, patch_size=patch_size)
    y = torch.rand(1, 1, 11, 14, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    _, filtered = model.upscale_and_filter(y, model.cell_hash(y))
    upscaled = imresize(y, scale=scale)
    cover = model.patch_window.cover
    inner = (..., slice(cover // 2, -(cover // 2)), slice(cover // 2, -(cover // 2)))
    bucket = model.bucket_index(y)[inner].reshape(-1)
    patches = F.unfold(upscaled, cover)[0].t()
    expected = (patches * on_cover(model.filters, model.patch_window)[bucket]).sum(1)
    assert len(bucket.unique()) > 20  # many different filters took part
    torch.testing.assert_close(filtered[0, 0][inner].reshape(-1), expected, atol=1e-5, rtol=0)


@pytest.mark.parametrize(("scale", "refine_size", "bounds"),
                         [(2, 5, ()), (3, 7, ()), (4, 3, ()), (2, 7, ()), (2, 5, (4, 5, 6)), (3, 5, (5,)),
                          (2, 6, (4, 5, 6)), (4, 6, ())])
def test_refining_applies_each_pixels_second_filter_to_the_blended_output(scale, refine_size, bounds):
    model = random_bank(scale, refine_size=refine_size, refine_census_bounds=bounds)
    y = torch.rand(1, 1, 9, 10, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    hashes = model.cell_hash(y)
    upscaled, filtered = model.upscale_and_filter(y, hashes)
    changed = model.census_change(upscaled, filtered)
    blended = model.blend(upscaled, filtered, hashes, changed)
    # Census group: how many bounds the most bits flipped in the pixel's cell reach; filters by
    # bucket, then group.
    most = F.max_pool2d(changed.double(), scale)
    most = most.repeat_interleave(scale, dim=-2).repeat_interleave(scale, dim=-1)
    group = (most.reshape(-1, 1) >= torch.tensor(bounds).view(1, -1)).sum(1)
    bucket = model.bucket_index(y).reshape(-1) * (len(bounds) + 1) + group
    if bounds:
        assert len(group.unique()) == len(bounds) + 1  # every group took part
    phases = model.scale**2
    coefficients = model.refine_coefficients.view(phases, -1, model.refine_basis_size)
    bank = torch.bmm(coefficients, model.refine_basis).reshape(len(model.refine_coefficients), -1)
    cover = model.refine_window.cover
    patches = F.unfold(F.pad(blended, (cover // 2,) * 4, mode="replicate"), cover)[0].t()
    expected = blended.reshape(-1) + (patches * on_cover(bank, model.refine_window)[bucket]).sum(1)
    torch.testing.assert_close(model(y).reshape(-1), expected)
    assert (model(y) - blended).abs().mean() > 1e-3  # the second bank did something


@pytest.mark.parametrize("scale", [2, 3])
def test_the_output_pixels_of_an_input_pixel_share_its_hash_and_differ_in_phase(scale):
    model = random_bank(scale)
    y = torch.rand(1, 1, 7, 9, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    bucket = model.bucket_index(y)[0]
    cells = bucket.view(7, scale, 9, scale).permute(0, 2, 1, 3).reshape(7, 9, scale * scale)
    hashes, phases = cells % model.hashes_per_phase, cells // model.hashes_per_phase
    assert (hashes == model.cell_hash(y)[0, :, :, None]).all()
    assert (phases == torch.arange(scale * scale)).all()


def test_rotating_a_strong_edge_by_90_degrees_moves_its_angle_by_12_of_24_bins():
    model = random_bank(2)
    image = edge(41, 20.0)  # 20 degrees: well inside bin 2 (15..22.5)
    centre = (slice(None), slice(15, 26), slice(15, 26))
    before = angle_bin(model, image)[centre]
    after = angle_bin(model, torch.rot90(image, 1, dims=(2, 3)))[centre]
    assert (before == 2).all()
    assert ((before + 12) % 24 == after).all()


def test_an_edge_is_strong_and_coherent_and_a_flat_region_weak():
    model = random_bank(2)
    structure = model.gradient_structure(edge(41, 20.0) * 0.5)
    flat = model.gradient_structure(torch.full((1, 1, 41, 41), 0.5, dtype=torch.float64))
    assert structure.strength[0, 20, 20] > model.strength_thresholds[-1]
    assert structure.coherence[0, 20, 20] > 0.9
    assert (flat.strength == 0).all() and (flat.coherence == 0).all()
    strength_bin = (model.bucket_index(torch.full((1, 1, 9, 9), 0.5)) // model.coherence_bins) % model.strength_bins
    assert (strength_bin == 0).all()


def test_the_census_blend_undoes_filtering_where_the_structure_flipped():
    model = random_bank(2)
    y = torch.rand(1, 1, 10, 10, dtype=torch.float64)
    upscaled, filtered = model.upscale_and_filter(y, model.cell_hash(y))
    model.blend_weights.copy_(torch.tensor([1.0] * 3 + [0.0] * 6))
    flipped = model.census_change(upscaled, filtered)
    out = model.blend(upscaled, filtered, model.cell_hash(y), flipped)
    assert flipped.min() < 3 and flipped.max() >= 3
    torch.testing.assert_close(out[flipped >= 3], upscaled[flipped >= 3])
    torch.testing.assert_close(out[flipped < 3], filtered[flipped < 3])


@pytest.mark.parametrize("scale", [2, 3])
def test_a_blend_per_bucket_weighs_each_pixel_by_its_buckets_weight_for_its_census_count(scale):
    model = random_bank(scale, blend_per_bucket=True)
    y = torch.rand(1, 1, 10, 11, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    hashes = model.cell_hash(y)
    upscaled, filtered = model.upscale_and_filter(y, hashes)
    changed = model.census_change(upscaled, filtered)
    weight = model.blend_weights[model.bucket_index(y), changed[:, 0]]
    assert model.blend_weights.shape == (model.buckets, 9) and weight.unique().numel() > 50
    torch.testing.assert_close(model.blend(upscaled, filtered, hashes, changed), upscaled + weight * (filtered - upscaled))


@pytest.mark.parametrize("scale", [2, 3, 4])
@pytest.mark.parametrize("dtype", [torch.uint8, torch.int64, torch.float32, torch.float64])
def test_cells_are_each_input_pixels_block_of_output_pixels_whatever_the_element_type(scale, dtype):
    # Cells move as wide integers when scale elements fill one (uint8 and float32 at x2 and x4).
    image = torch.arange(2 * 3 * scale * 5 * scale).view(2, 3 * scale, 5 * scale).to(dtype)
    cells = _cells(image, scale)
    for row, column in ((0, 0), (2, 4), (1, 3)):
        block = image[:, row * scale : (row + 1) * scale, column * scale : (column + 1) * scale]
        assert torch.equal(cells[:, row, column], block)
    assert torch.equal(_from_cells(cells)[:, 0], image)


@pytest.mark.parametrize(("scale", "patch_size", "refine_size", "bounds"),
                         [(3, 11, 7, ()), (2, 11, 5, (1, 2, 4)), (2, 12, 6, (1, 2, 4))])
def test_a_tile_with_the_specs_overlap_gives_the_untiled_pixels(scale, patch_size, refine_size, bounds):
    (spec,) = SPECS
    model = random_bank(scale, patch_size=patch_size, refine_size=refine_size, refine_census_bounds=bounds)
    y = torch.rand(1, 1, 30, 30, dtype=torch.float64)
    whole = model(y)
    tile = model(y[..., 8:24, 5:27])
    inner = spec.overlap * scale
    torch.testing.assert_close(
        tile[..., inner:-inner, inner:-inner],
        whole[..., 8 * scale + inner : 24 * scale - inner, 5 * scale + inner : 27 * scale - inner],
    )


def test_the_bank_travels_through_a_weights_file(tmp_path):
    model = random_bank(2, refine_size=5, blend_per_bucket=True).float()
    weights = save_weights(
        tmp_path / "raisr-x2.safetensors", model, name="raisr", arch="raisr", scales=(2,),
        config={"basis_size": 3, "refine_size": 5, "refine_basis_size": 2, "blend_per_bucket": True},
        card={}, half=False,
    )
    rebuilt = ResolvedModel("raisr", SPECS[0], 2, read_header(weights.path)).build()
    y = torch.rand(1, 1, 12, 12)
    torch.testing.assert_close(rebuilt(y), model(y), atol=0, rtol=0)
