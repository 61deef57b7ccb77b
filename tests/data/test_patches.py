import pytest
import torch

from enhancer.data.folders import DataError
from enhancer.data.patches import PatchSampler, dihedral
from enhancer.imaging.color import rgb_to_y
from enhancer.train.evaluate import make_lr, mod_crop


def images(count=3, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return [torch.randint(0, 256, (3, 30 + 4 * i, 41 - 3 * i), generator=generator,
                          dtype=torch.uint8) for i in range(count)]


def sampler(**kwargs):
    options = dict(scales=[2], patch_size=12, batch_size=8, seed=5)
    return PatchSampler(images(), **(options | kwargs))


def test_a_batch_depends_only_on_the_seed_and_its_index():
    first, second = sampler(), sampler()
    later = second.batch(7)
    assert torch.equal(first.batch(7).hr, later.hr)
    assert torch.equal(first.batch(7).lr, second.batch(7).lr)
    assert not torch.equal(first.batch(8).hr, later.hr)
    assert not torch.equal(sampler(seed=6).batch(7).hr, later.hr)


def test_sampling_leaves_the_global_random_state_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    sampler().batch(0)
    assert torch.equal(torch.rand(3), expected)


def test_lr_patches_are_the_benchmark_downscale_of_the_whole_photo():
    photo = images(1)[0]
    batch = PatchSampler([photo], scales=[3], patch_size=9, batch_size=16, seed=1).batch(0)
    hr = mod_crop(photo[None].float() / 255, 3)
    lr = make_lr(hr, 3)
    assert batch.lr.shape == (16, 3, 3, 3) and batch.hr.shape == (16, 3, 9, 9)
    for lr_patch, hr_patch in zip(batch.lr, batch.hr):
        matches = [
            (top, left)
            for transform in range(8)
            for top in range(lr.shape[2] - 2)
            for left in range(lr.shape[3] - 2)
            if torch.equal(dihedral(hr[0, :, 3 * top: 3 * top + 9, 3 * left: 3 * left + 9], transform), hr_patch)
            and torch.equal(dihedral(lr[0, :, top: top + 3, left: left + 3], transform), lr_patch)
        ]
        assert matches


def test_every_rotation_and_flip_occurs():
    photo = torch.arange(2 * 2, dtype=torch.uint8).reshape(1, 2, 2).expand(3, 2, 2) * 60
    batch = PatchSampler([photo], scales=[1], patch_size=2, batch_size=200, seed=0).batch(0)
    distinct = {tuple(patch[0].flatten().tolist()) for patch in batch.hr}
    assert len(distinct) == 8


def test_y_models_get_the_y_channel():
    photo = images(1)[0][:, :30, :30]
    batch = PatchSampler([photo], scales=[2], patch_size=30, batch_size=1,
                         color_space="y").batch(0)
    whole = rgb_to_y(mod_crop(photo[None].float() / 255, 2))
    assert batch.hr.shape[1] == 1
    assert any(torch.allclose(dihedral(whole[0], t), batch.hr[0]) for t in range(8))


def test_multi_scale_batches_cover_every_scale_with_matching_sides():
    multi = sampler(scales=[2, 3, 4], patch_size=12)
    seen = {}
    for index in range(40):
        batch = multi.batch(index)
        seen[batch.scale] = batch
    assert seen.keys() == {2, 3, 4}
    for scale, batch in seen.items():
        assert batch.lr.shape[-1] == 12 // scale
        assert batch.hr.shape[-1] == 12


def test_photos_smaller_than_a_patch_are_left_out():
    with pytest.raises(DataError, match="at least 64 px"):
        sampler(patch_size=64)
