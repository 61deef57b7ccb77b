import pytest
import torch

from enhancer.engine.candidates import CandidateSampler
from enhancer.engine.generators import run_to_end
from enhancer.engine.upscaler import InputTooLargeError, Upscaler
from enhancer.models.registry import resolve
from tests.engine.photos import photo
from tests.engine.pixelrsr_model import save_tiny_pixelrsr


@pytest.fixture
def sampler():
    save_tiny_pixelrsr()
    return CandidateSampler(resolve("tiny-pixelrsr", 4), device="cpu")


def test_candidates_come_in_one_batch_differ_and_repeat_with_the_seed(sampler):
    image = photo(3, 4)
    progress = []
    sampling = sampler.candidates(image, count=3, temperature=1.0, seed=7)
    while True:
        try:
            progress.append(next(sampling))
        except StopIteration as done:
            first = done.value
            break
    again = run_to_end(sampler.candidates(image, count=3, temperature=1.0, seed=7))

    assert [p.done for p in progress] == list(range(1, 13)) and progress[-1].total == 12
    assert [c.shape for c in first] == [(1, 3, 12, 16)] * 3
    assert not torch.equal(first[0], first[1])
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert all(((c * 255).round() == c * 255).all() for c in first)  # 8-bit values


def test_inputs_over_the_size_limit_are_refused_by_name_and_limit(sampler):
    too_big = photo(8, 17)
    with pytest.raises(InputTooLargeError, match="17 x 8 px is larger than tiny-pixelrsr accepts .16 x 16"):
        run_to_end(sampler.candidates(too_big, count=2))
    upscaler = Upscaler(resolve("tiny-pixelrsr", 4), device="cpu")
    with pytest.raises(InputTooLargeError, match="16 x 16"):
        run_to_end(upscaler.enhance(too_big))


def test_the_engine_upscales_a_small_input_in_one_piece():
    save_tiny_pixelrsr()
    upscaler = Upscaler(resolve("tiny-pixelrsr", 4), device="cpu", tile=4)
    calls = []
    upscaler.network.register_forward_pre_hook(lambda module, args: calls.append(args[0].shape))
    result = run_to_end(upscaler.enhance(photo(8, 8)))
    assert calls == [(1, 3, 8, 8)]  # no tiles, whatever tile side was asked for
    assert result.shape == (1, 3, 32, 32)


def test_only_generative_models_give_candidates():
    with pytest.raises(ValueError, match="not a generative model"):
        CandidateSampler(resolve("bicubic", 4), device="cpu")
