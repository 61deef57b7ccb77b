"""Pixel recursive SR: the prior is causal with no blind spot, the fast sampler draws exactly what
a naive one would, a briefly trained model's samples shrink back to their input."""

import pytest
import torch
import torch.nn.functional as F

from enhancer.engine.generators import run_to_end
from enhancer.imaging.resize import imresize
from enhancer.models.archs.pixelrsr import COLOURS, PixelCNNPrior, PixelRSR, draw, sample_rows
from tests.engine.photos import photo
from tests.torch_threads import one_thread  # noqa: F401 (autouse fixture)



TINY = dict(features=8, blocks=1, prior_features=8, prior_layers=3, hidden=8)


def earlier(i, j, c, height, width):
    """A boolean (3, H, W) mask of the values that come before value (c, i, j) in sampling order."""
    rows = torch.arange(height)[:, None].expand(height, width)
    cols = torch.arange(width)[None, :].expand(height, width)
    before_pixel = (rows < i) | ((rows == i) & (cols < j))
    mask = before_pixel[None].repeat(COLOURS, 1, 1)
    mask[:c, i, j] = True
    return mask


def gradient_of_value(prior, image, i, j, c):
    image = image.clone().requires_grad_(True)
    logits = prior(image)[0, :, c, i, j]
    projection = torch.linspace(-1, 1, logits.shape[0], dtype=logits.dtype)
    (logits * projection).sum().backward()
    return image.grad[0]


@pytest.mark.parametrize("colour", range(COLOURS))
def test_the_prior_sees_every_earlier_value_within_reach_and_nothing_later(colour):
    torch.manual_seed(0)
    layers = 3
    prior = PixelCNNPrior(features=8, layers=layers, hidden=8).double()
    height = width = 12
    image = torch.rand(1, COLOURS, height, width, dtype=torch.float64)
    i, j = 7, 6
    grad = gradient_of_value(prior, image, i, j, colour)
    before = earlier(i, j, colour, height, width)

    assert grad[~before].abs().max() == 0  # causal: no later value, and not the value itself
    reach = prior.reach
    assert reach == layers + 1
    # No blind spot: every earlier value within the receptive field matters.
    above = grad[:, i - reach : i, j - layers : j + layers + 1]
    left = grad[:, i, j - reach : j]
    same_pixel = grad[:colour, i, j]
    assert (above != 0).all() and (left != 0).all() and (same_pixel != 0).all()
    # And nothing beyond it (rows further up).
    assert grad[:, : i - reach].abs().max() == 0


def test_the_conditioning_logits_do_not_depend_on_the_output():
    torch.manual_seed(0)
    model = PixelRSR(**TINY).double()
    low = torch.rand(1, 3, 3, 3, dtype=torch.float64)
    first, _ = model.logits(low, torch.zeros(1, 3, 12, 12, dtype=torch.float64))
    second, conditioning = model.logits(low, torch.ones(1, 3, 12, 12, dtype=torch.float64))
    assert not torch.equal(first, second)
    assert torch.equal(conditioning, model.conditioning_logits(low))


def naive_samples(model, low, *, temperature, generator):
    """Every value from a full pass of the whole model over the image so far: the definition."""
    image = torch.zeros(low.shape[0], 3, 4 * low.shape[2], 4 * low.shape[3], dtype=low.dtype)
    for i in range(image.shape[2]):
        for j in range(image.shape[3]):
            for c in range(COLOURS):
                logits, _ = model.logits(low, image)
                value = draw(logits[:, :, c, i, j], temperature=temperature, generator=generator)
                image[:, c, i, j] = value.to(image.dtype) / 255
    return image


@pytest.mark.parametrize("prior_layers", [3, 0])
def test_the_row_by_row_sampler_draws_what_full_passes_draw(prior_layers):
    torch.manual_seed(1)
    model = PixelRSR(**{**TINY, "prior_layers": prior_layers}).double().eval()
    low = torch.rand(2, 3, 2, 3, dtype=torch.float64)  # two candidates, 8 x 12 out

    fast = sample_rows(model, low, temperature=1.0, generator=torch.Generator().manual_seed(5))
    rows = []
    while True:
        try:
            rows.append(next(fast))
        except StopIteration as done:
            sampled = done.value
            break
    with torch.no_grad():
        expected = naive_samples(model, low, temperature=1.0, generator=torch.Generator().manual_seed(5))

    assert rows == list(range(1, 9))
    assert torch.equal(sampled, expected)
    assert not torch.equal(sampled[0], sampled[1])  # the candidates differ


def test_draw_at_temperature_zero_takes_the_most_likely_value():
    logits = torch.tensor([[0.0, 3.0, 1.0], [5.0, 0.0, 4.9]])
    values = draw(logits, temperature=0, generator=torch.Generator())
    assert values.tolist() == [1, 0]


def test_samples_follow_sharp_conditioning_and_shrink_back_to_the_input():
    """With the prior silenced and conditioning logits peaked at a known sharp image, every
    candidate is that image within a level or two, so the sampler reads each pixel and colour
    where it belongs, and the samples shrink back to the input."""
    torch.manual_seed(0)
    model = PixelRSR(**TINY).eval()
    torch.nn.init.zeros_(model.prior.head.logits.weight)
    torch.nn.init.zeros_(model.prior.head.logits.bias)
    sharp = (photo(12, 16) * 255).round() / 255
    low = imresize(sharp, scale=0.25)
    levels = torch.arange(256, dtype=torch.float32).view(1, 256, 1, 1, 1) / 255
    peaked = -2e5 * (levels - sharp[:, None]) ** 2
    model.conditioning_logits = lambda x: peaked.expand(x.shape[0], -1, -1, -1, -1)

    samples = run_to_end(sample_rows(model, low.expand(3, -1, -1, -1), temperature=1.0,
                                     generator=torch.Generator().manual_seed(0)))

    assert samples.shape == (3, 3, 12, 16)
    assert (samples - sharp).abs().max() <= 2 / 255
    psnr = 10 * torch.log10(1 / F.mse_loss(imresize(samples, scale=0.25), low.expand(3, -1, -1, -1)))
    assert psnr > 45
