import pytest
import torch
import torch.nn.functional as F

from enhancer.data.reference_views import ViewsConfig, reference_cases
from enhancer.imaging.resize import imresize


def patches(count=6, side=32):
    hr = torch.rand(count, 3, side, side, generator=torch.Generator().manual_seed(0))
    return hr, imresize(hr, scale=0.25)


def test_targets_are_aligned_crops_of_the_patches_and_their_low_resolution():
    hr, lr = patches()
    cases = reference_cases(hr, lr, 4, ViewsConfig(target_size=16), torch.Generator().manual_seed(1))
    assert cases.hr.shape == (6, 3, 16, 16) and cases.lr.shape == (6, 3, 4, 4)
    for index in range(6):
        found = [(top, left) for top in range(0, 17, 4) for left in range(0, 17, 4)
                 if torch.equal(hr[index, :, top : top + 16, left : left + 16], cases.hr[index])]
        assert len(found) == 1
        top, left = found[0]
        assert torch.equal(lr[index, :, top // 4 : top // 4 + 4, left // 4 : left // 4 + 4],
                           cases.lr[index])


def test_an_exact_related_view_is_a_shifted_crop_of_its_own_patch():
    hr, lr = patches()
    config = ViewsConfig(target_size=16, unrelated=0.0, none=0.0, exact=1.0, relight=0.0)
    cases = reference_cases(hr, lr, 4, config, torch.Generator().manual_seed(2))
    assert cases.relations == ["related"] * 6
    for index, view in enumerate(cases.references):
        assert view.shape == (3, 16, 16)
        # The view overlaps its patch: some 4 x 4 block of it is a block of the patch, exactly.
        view_blocks = F.unfold(view.unsqueeze(0), 4)[0].T
        patch_blocks = F.unfold(hr[index : index + 1], 4)[0].T
        assert torch.cdist(view_blocks, patch_blocks).min() < 1e-5
        other_blocks = F.unfold(hr[(index + 1) % 6 : (index + 1) % 6 + 1], 4)[0].T
        assert torch.cdist(view_blocks, other_blocks).min() > 0.1


def test_shares_of_unrelated_and_missing_references_and_the_same_draws_for_the_same_seed():
    hr, lr = patches(count=200, side=16)
    config = ViewsConfig(target_size=8, unrelated=0.3, none=0.2)
    cases = reference_cases(hr, lr, 4, config, torch.Generator().manual_seed(3))
    shares = {kind: cases.relations.count(kind) / 200 for kind in ("related", "unrelated", "none")}
    assert shares["none"] == pytest.approx(0.2, abs=0.08)
    assert shares["unrelated"] == pytest.approx(0.3, abs=0.08)
    assert all((ref is None) == (kind == "none")
               for ref, kind in zip(cases.references, cases.relations))
    again = reference_cases(hr, lr, 4, config, torch.Generator().manual_seed(3))
    assert again.relations == cases.relations and torch.equal(again.hr, cases.hr)


@pytest.mark.parametrize("values", [{"unrelated": 0.8, "none": 0.3}, {"rescale": 0.9},
                                    {"exact": 1.5}])
def test_configurations_that_make_no_sense_are_refused(values):
    with pytest.raises(ValueError):
        ViewsConfig(**values)


def test_a_target_larger_than_the_patch_is_refused():
    hr, lr = patches(side=16)
    with pytest.raises(ValueError, match="target_size"):
        reference_cases(hr, lr, 4, ViewsConfig(target_size=20), torch.Generator())
