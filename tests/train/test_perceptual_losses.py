import pytest
import torch

from enhancer.train.perceptual_losses import (
    feature_reconstruction,
    gram,
    periodic_error,
    texture,
    tiles,
    total_variation,
)


def test_feature_reconstruction_is_the_mean_squared_difference_averaged_over_layers():
    a = [torch.zeros(1, 2, 4, 4), torch.zeros(1, 3, 2, 2)]
    b = [torch.ones(1, 2, 4, 4), torch.full((1, 3, 2, 2), 3.0)]
    assert feature_reconstruction(a, b).item() == (1 + 9) / 2
    assert feature_reconstruction(b, b).item() == 0


def test_the_target_features_get_no_gradient():
    output = torch.rand(1, 2, 4, 4, requires_grad=True)
    target = torch.rand(1, 2, 4, 4, requires_grad=True)
    feature_reconstruction([output], [target]).backward()
    assert output.grad is not None and target.grad is None


def test_the_gram_matrix_of_flat_features_is_the_outer_product_of_their_levels():
    levels = torch.tensor([1.0, 2.0, -3.0])
    flat = levels.view(1, 3, 1, 1).expand(1, 3, 5, 7)
    assert torch.allclose(gram(flat)[0], torch.outer(levels, levels) / 3)
    assert torch.linalg.matrix_rank(gram(flat)[0]) == 1


def test_texture_ignores_layout_where_feature_reconstruction_does_not():
    torch.manual_seed(0)
    features = torch.rand(2, 4, 6, 6)
    shuffled = features.flatten(2)[..., torch.randperm(36)].view(2, 4, 6, 6)
    assert texture([shuffled], [features]).item() < 1e-10
    assert feature_reconstruction([shuffled], [features]).item() > 0.05
    assert texture([features * 2], [features]).item() > 0.01


def test_total_variation_is_zero_when_flat_and_counts_each_step_once():
    assert total_variation(torch.full((1, 3, 8, 8), 0.3)).item() == 0
    steps = torch.zeros(1, 1, 4, 4)
    steps[..., 2:] = 1.0  # one vertical edge of height 1: a quarter of the 4 x 3 horizontal pairs
    assert total_variation(steps).item() == pytest.approx(1 / 3)
    checkerboard = (torch.arange(4).view(4, 1) + torch.arange(4)) % 2
    assert total_variation(checkerboard.float().view(1, 1, 4, 4)).item() == 2


def test_periodic_error_measures_a_grid_and_ignores_an_offset():
    torch.manual_seed(0)
    target = torch.rand(2, 3, 16, 16)
    assert periodic_error(target + 0.1, target, 4).item() < 1e-12
    # A checkerboard of +-0.05 over the photo: every position of a 4 x 4 cell is off by 0.05.
    signs = (torch.arange(16).view(16, 1) + torch.arange(16).view(1, 16)) % 2 * 2 - 1.0
    grid = target + 0.05 * signs
    assert periodic_error(grid, target, 4).item() == pytest.approx(0.05 ** 2, rel=1e-4)
    # Noise of the same size averages out over the cells' positions.
    noise = target + 0.05 * torch.randn(2, 3, 16, 16)
    assert periodic_error(noise, target, 4).item() < 0.05 ** 2 / 4


def test_periodic_error_trains_the_output_only():
    output = torch.rand(1, 1, 9, 10, requires_grad=True)  # sides not multiples of the period
    target = torch.rand(1, 1, 9, 10, requires_grad=True)
    periodic_error(output, target, 4).backward()
    assert output.grad is not None and target.grad is None
    assert output.grad[..., 8:, :].abs().sum() == 0 and output.grad[..., :, 8:].abs().sum() == 0


def test_tiles_keep_every_region_whole_and_leave_out_the_remainder():
    features = torch.arange(2 * 3 * 5 * 4, dtype=torch.float32).view(2, 3, 5, 4)
    cut = tiles(features, 2)
    assert cut.shape == (2 * 2 * 2, 3, 2, 2)
    assert torch.equal(cut[0], features[0, :, 0:2, 0:2])
    assert torch.equal(cut[1], features[0, :, 0:2, 2:4])
    assert torch.equal(cut[2], features[0, :, 2:4, 0:2])
    assert torch.equal(cut[4], features[1, :, 0:2, 0:2])


def test_tiled_texture_tells_apart_a_patch_whose_halves_are_swapped_across_regions():
    # Grain on the left and flat on the right, against the mirror image: one Gram matrix of the
    # whole patch cannot tell them apart, the Gram matrices of its halves can.
    torch.manual_seed(0)
    grain = torch.rand(1, 4, 8, 4)
    flat = torch.full((1, 4, 8, 4), 0.5)
    left, right = torch.cat([grain, flat], dim=3), torch.cat([flat, grain], dim=3)
    assert texture([left], [right]).item() < 1e-10
    assert texture([tiles(left, 4)], [tiles(right, 4)]).item() > 1e-3
