"""Pixel recursive super resolution: Dahl, Norouzi and Shlens, "Pixel Recursive Super Resolution",
ICCV 2017.

At x4 from a tiny input, many sharp images fit the same pixels, and a network trained on a
per-pixel loss predicts their blurry average. Here the output is a distribution: a conditioning
ResNet reads the low-resolution image and gives, for every output pixel and channel, logits over
the 256 intensities; a gated PixelCNN prior reads the output pixels generated so far (raster order,
then R, G, B within a pixel) and gives logits of its own; their sum is the model's logits, trained
with softmax cross-entropy and sampled one value at a time (see `enhancer.engine.candidates`).

The paper's two baselines share the conditioning ResNet: the model `pixelrsr-conditioning` is
`pixelrsr` weights with `prior_layers = 0` (the ResNet trained alone with the same loss, values
independent given the input; like SRGAN and SRResNet, a tag rather than an architecture), and
the architecture `pixelrsr-l2` regresses the pixels with an L2 loss.

Logits are laid out (N, levels, 3, H, W), so `F.cross_entropy(logits, values)` with (N, 3, H, W)
integer values is the loss.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

from enhancer.models.spec import ArchSpec

LEVELS = 256
COLOURS = 3


def _centred(image: torch.Tensor) -> torch.Tensor:
    return image * 2 - 1


class _ResidualBlock(nn.Module):
    def __init__(self, features: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(features, features, 3, padding=1)
        self.conv2 = nn.Conv2d(features, features, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.relu(self.conv1(x)))


class ConditioningNet(nn.Module):
    """The low-resolution image (N, 3, h, w) -> features (N, features, scale h, scale w).

    Residual blocks at low resolution, then one x2 sub-pixel stage per factor of 2, each followed
    by a convolution at its new resolution.
    """

    def __init__(self, *, scale: int, features: int, blocks: int) -> None:
        super().__init__()
        if scale not in (2, 4, 8):
            raise ValueError(f"the conditioning network upsamples by powers of 2, not x{scale}")
        self.head = nn.Conv2d(COLOURS, features, 3, padding=1)
        self.body = nn.Sequential(*(_ResidualBlock(features) for _ in range(blocks)))
        stages = []
        for _ in range(scale.bit_length() - 1):
            stages += [nn.Conv2d(features, 4 * features, 3, padding=1), nn.PixelShuffle(2), nn.ReLU(),
                       nn.Conv2d(features, features, 3, padding=1), nn.ReLU()]
        self.upsample = nn.Sequential(*stages)

    def forward(self, low: torch.Tensor) -> torch.Tensor:
        x = self.head(_centred(low))
        return self.upsample(x + self.body(x))


class _GatedLayer(nn.Module):
    """One layer of both stacks (van den Oord et al., "Conditional Image Generation with PixelCNN
    Decoders", 2016), with gated activations tanh(a) * sigmoid(b).

    The vertical stack at row i sees only rows above i; the horizontal stack at (i, j) sees the
    columns left of j in row i, plus the vertical stack at (i, j). Together they cover every
    earlier pixel within the receptive field: no blind spot. The first layer reads the image
    shifted down one row (vertical) or right one column (horizontal), so a pixel never sees itself;
    later layers read stacks that already exclude it, and add a residual.
    """

    def __init__(self, *, features: int, kernel: int, first: bool) -> None:
        super().__init__()
        inputs = COLOURS if first else features
        self.first = first
        self.half = kernel // 2
        # Vertical: rows i - half - 1 .. i - 1 of the image (first layer) or i - half .. i of the
        # stack below; columns j - half .. j + half.
        self.vertical = nn.Conv2d(inputs, 2 * features, (self.half + 1, kernel))
        # Horizontal: columns j - half - 1 .. j - 1 (first layer) or j - half .. j.
        self.horizontal = nn.Conv2d(inputs, 2 * features, (1, self.half + 1))
        self.link = nn.Conv2d(2 * features, 2 * features, 1)
        self.out = nn.Conv2d(features, features, 1)

    def vertical_step(self, vertical: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(pre-activation the horizontal stack links to, the next vertical stack)."""
        half = self.half
        if self.first:
            pre = self.vertical(F.pad(vertical, (half, half, half + 1, 0))[:, :, :-1])
            return pre, _gate(pre)
        pre = self.vertical(F.pad(vertical, (half, half, half, 0)))
        return pre, vertical + _gate(pre)

    def horizontal_step(self, horizontal: torch.Tensor, vertical_pre: torch.Tensor) -> torch.Tensor:
        half = self.half
        if self.first:
            shifted = F.pad(horizontal, (half + 1, 0, 0, 0))[..., :-1]
            return self.out(_gate(self.horizontal(shifted) + self.link(vertical_pre)))
        pre = self.horizontal(F.pad(horizontal, (half, 0, 0, 0))) + self.link(vertical_pre)
        return horizontal + self.out(_gate(pre))


def _gate(x: torch.Tensor) -> torch.Tensor:
    a, b = x.chunk(2, dim=1)
    return torch.tanh(a) * torch.sigmoid(b)


class ChannelHead(nn.Module):
    """Per-pixel logits for R, G and B from features.

    With `sees_channels`, channel c's hidden units also get the same pixel's channels below c
    through a masked 1 x 1 convolution: G sees R, B sees R and G, so the order within a pixel is
    autoregressive too (the prior's head; the conditioning net's head sees no output pixels).
    """

    def __init__(self, *, features: int, hidden: int, sees_channels: bool) -> None:
        super().__init__()
        self.hidden = hidden
        self.features_in = nn.Conv2d(features, COLOURS * hidden, 1)
        self.channels_in = None
        if sees_channels:
            self.channels_in = nn.Conv2d(COLOURS, COLOURS * hidden, 1, bias=False)
            earlier = (torch.arange(COLOURS)[None, :] < torch.arange(COLOURS)[:, None]).float()
            mask = earlier.repeat_interleave(hidden, dim=0)[:, :, None, None]
            self.register_buffer("mask", mask, persistent=False)
        self.logits = nn.Conv2d(COLOURS * hidden, COLOURS * LEVELS, 1, groups=COLOURS)

    def forward(self, features: torch.Tensor, image: torch.Tensor | None = None) -> torch.Tensor:
        """(N, features, H, W) [and the (N, 3, H, W) image] -> (N, levels, 3, H, W) logits.

        One colour at a time, stacked: on the CPU a grouped convolution's backward pass and a
        softmax over a transposed layout each cost more than the rest of training together."""
        return torch.stack([self.colour(features, image, colour) for colour in range(COLOURS)], dim=2)

    def colour(self, features: torch.Tensor, image: torch.Tensor | None, colour: int) -> torch.Tensor:
        """The logits (N, levels, H, W) of one colour alone: what the sampler needs per value."""
        hidden = F.relu(self._hidden(features, image, slice(colour * self.hidden, (colour + 1) * self.hidden)))
        outputs = slice(colour * LEVELS, (colour + 1) * LEVELS)
        return F.conv2d(hidden, self.logits.weight[outputs], self.logits.bias[outputs])

    def _hidden(self, features: torch.Tensor, image: torch.Tensor | None, rows: slice) -> torch.Tensor:
        hidden = F.conv2d(features, self.features_in.weight[rows], self.features_in.bias[rows])
        if self.channels_in is not None:
            hidden = hidden + F.conv2d(_centred(image), (self.channels_in.weight * self.mask)[rows])
        return hidden


class PixelCNNPrior(nn.Module):
    """Gated PixelCNN over the high-resolution image: logits of each value given the earlier ones.

    The stacks are exposed separately because the sampler runs them on windows: the vertical stack
    once per row, the horizontal stack once per pixel on that row alone.
    """

    def __init__(self, *, features: int, layers: int, kernel: int = 3, hidden: int = 32) -> None:
        super().__init__()
        if layers < 1 or kernel < 3 or kernel % 2 == 0:
            raise ValueError("the prior needs at least one layer and an odd kernel of 3 or more")
        self.layers = nn.ModuleList(
            _GatedLayer(features=features, kernel=kernel, first=index == 0) for index in range(layers)
        )
        self.head = ChannelHead(features=features, hidden=hidden, sees_channels=True)

    @property
    def reach(self) -> int:
        """How many rows above, or columns to the left, a pixel's logits can depend on; the
        vertical stack also reaches `reach - 1` columns to either side."""
        half = self.layers[0].half
        return (half + 1) + (len(self.layers) - 1) * half

    def vertical_stack(self, image: torch.Tensor) -> list[torch.Tensor]:
        """Each layer's vertical pre-activation (what the horizontal stack links to)."""
        vertical, links = _centred(image), []
        for layer in self.layers:
            pre, vertical = layer.vertical_step(vertical)
            links.append(pre)
        return links

    def horizontal_stack(self, image: torch.Tensor, links: list[torch.Tensor]) -> torch.Tensor:
        """The last horizontal features, from the image and the vertical stack's links."""
        horizontal = _centred(image)
        for layer, link in zip(self.layers, links, strict=True):
            horizontal = layer.horizontal_step(horizontal, link)
        return horizontal

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        features = self.horizontal_stack(image, self.vertical_stack(image))
        return self.head(features, image)


class PixelRSR(nn.Module):
    """Conditioning ResNet, plus a PixelCNN prior unless `prior_layers` is 0 (the paper's
    conditioning-only baseline: the same ResNet and loss, pixels independent given the input).

    `forward` draws one sample at `temperature` (the engine's contract: low resolution in, high
    resolution out); training and scoring use `logits`.
    """

    def __init__(self, *, scale: int = 4, features: int = 48, blocks: int = 6, prior_features: int = 48,
                 prior_layers: int = 6, hidden: int = 32, temperature: float = 0.8) -> None:
        super().__init__()
        self.scale = scale
        self.temperature = temperature
        self.conditioning = ConditioningNet(scale=scale, features=features, blocks=blocks)
        self.conditioning_head = ChannelHead(features=features, hidden=hidden, sees_channels=False)
        self.prior = None
        if prior_layers:
            self.prior = PixelCNNPrior(features=prior_features, layers=prior_layers, hidden=hidden)

    def conditioning_logits(self, low: torch.Tensor) -> torch.Tensor:
        return self.conditioning_head(self.conditioning(low))

    def logits(self, low: torch.Tensor, high: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(the model's logits, the conditioning logits alone) for the true high-resolution image."""
        conditioning = self.conditioning_logits(low)
        if self.prior is None:
            return conditioning, conditioning
        return conditioning + self.prior(high), conditioning

    def forward(self, low: torch.Tensor) -> torch.Tensor:
        generator = torch.Generator(device=low.device)
        generator.manual_seed(0)
        sampling = sample_rows(self, low, temperature=self.temperature, generator=generator)
        while True:
            try:
                next(sampling)
            except StopIteration as done:
                return done.value.to(low.dtype)


def draw(logits: torch.Tensor, *, temperature: float, generator: torch.Generator) -> torch.Tensor:
    """One value per row of (N, levels) logits, from softmax(logits / temperature); the most
    likely value at temperature 0. One uniform number per row, by inverting the CDF, so two
    samplers that compute the same logits draw the same values from the same generator."""
    if temperature <= 0:
        return logits.argmax(dim=1)
    probabilities = torch.softmax(logits.double() / temperature, dim=1)
    uniform = torch.rand(logits.shape[0], 1, generator=generator, device=logits.device, dtype=torch.float64)
    return (probabilities.cumsum(dim=1) < uniform).sum(dim=1).clamp(max=logits.shape[1] - 1)


def sample_rows(model: PixelRSR, low: torch.Tensor, *, temperature: float,
                generator: torch.Generator) -> Generator[int, None, torch.Tensor]:
    """Sample (N, 3, sH, sW) images for (N, 3, H, W) inputs, yielding after each output row.

    Value by value in raster order, R, G then B, each from softmax((conditioning + prior logits)
    / temperature). Nothing is recomputed needlessly: the conditioning logits once; per row, the
    vertical stack on the `reach` rows above it; per pixel, the horizontal stack on the `reach`
    columns left of it in that row alone, and the head once per colour at that pixel.
    """
    scale = model.scale
    n, _, height, width = low.shape
    image = low.new_zeros(n, COLOURS, scale * height, scale * width)
    with torch.inference_mode():
        conditioning = model.conditioning_logits(low)
    for row in range(image.shape[2]):
        with torch.inference_mode(), _one_thread_on_cpu(low.device):
            _sample_row(model, conditioning, image, row, temperature=temperature, generator=generator)
        yield row + 1
    return image


def _sample_row(model: PixelRSR, conditioning: torch.Tensor, image: torch.Tensor, row: int, *,
                temperature: float, generator: torch.Generator) -> None:
    prior = model.prior
    if prior is not None:
        top = max(0, row - prior.reach)
        links = [link[:, :, -1:] for link in prior.vertical_stack(image[:, :, top : row + 1])]
    for column in range(image.shape[3]):
        if prior is not None:
            left = max(0, column - prior.reach)
            window = image[:, :, row : row + 1, left : column + 1]
            features = prior.horizontal_stack(window, [link[..., left : column + 1] for link in links])
            features = features[..., -1:]
            pixel = image[:, :, row : row + 1, column : column + 1]
        for colour in range(COLOURS):
            logits = conditioning[:, :, colour, row, column]
            if prior is not None:
                logits = logits + prior.head.colour(features, pixel, colour)[:, :, 0, 0]
            value = draw(logits, temperature=temperature, generator=generator)
            image[:, colour, row, column] = value.to(image.dtype) / (LEVELS - 1)


@contextmanager
def _one_thread_on_cpu(device: torch.device) -> Iterator[None]:
    """Sampling runs thousands of tiny operations, which more CPU threads only slow down (on a
    busy 2-core machine, two threads made it 90 times slower); set back before each yield, so
    nothing else runs with this setting."""
    if device.type != "cpu":
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


class PixelRSRRegressor(nn.Module):
    """The paper's L2 baseline: the same conditioning ResNet regressing the pixels directly."""

    def __init__(self, *, scale: int = 4, features: int = 48, blocks: int = 6) -> None:
        super().__init__()
        self.conditioning = ConditioningNet(scale=scale, features=features, blocks=blocks)
        self.out = nn.Conv2d(features, COLOURS, 3, padding=1)

    def forward(self, low: torch.Tensor) -> torch.Tensor:
        return (self.out(self.conditioning(low)) + 1) / 2


# Sampling is per value, so a whole photo would take hours and mean nothing: these models are for
# thumbnails. 16 x 16 in gives 64 x 64 out, four times the 8 x 8 -> 32 x 32 they were trained on.
MAX_INPUT_SIDE = 16

SPECS = (
    ArchSpec(
        id="pixelrsr",
        name="Pixel recursive SR",
        paper="Dahl et al., ICCV 2017",
        kind="generative",
        scales=(4,),
        network=PixelRSR,
        half_precision=False,
        max_size=MAX_INPUT_SIDE,
        overlap=0,
    ),
    ArchSpec(
        id="pixelrsr-l2",
        name="Pixel recursive SR: L2 baseline",
        paper="Dahl et al., ICCV 2017",
        kind="cnn",
        scales=(4,),
        network=PixelRSRRegressor,
        overlap=16,  # receptive-field radius about 15.5 low-resolution pixels
    ),
)
