"""SRNTT: Zhang, Wang, Lin and Qi, "Image Super-Resolution by Neural Texture Transfer", CVPR 2019.

Texture is taken from reference photos instead of invented. The input's bicubic upscale and each
reference, blurred the same way, go through a frozen ImageNet feature network; every 3 x 3 patch
of the input's features is matched to its most similar reference patch (`srntt_swap.py`); the
matched patches of the sharp reference are swapped in at three levels; a texture transfer network
merges them with the input: a residual trunk on the input, then at each level a concatenation with
the swapped maps, residual blocks, and a sub-pixel x2 to the next.

Where this differs from the paper, and why:
- The feature network is EfficientNet-Lite0 (the ImageNet weights installed with the app) instead of
  VGG19, which cannot be had here. Its stage2 (a quarter of the resolution) is the matching level and
  the coarsest swapped map, its stage1 (a half) the middle one. It has no full-resolution layer, so
  the finest level swaps the reference's high frequencies themselves (the reference minus its blurred
  version): the detail that the upscaled input lacks.
- The match similarity goes into the network beside the swapped maps, so it can tell a reference that
  matches from one that does not, and weigh the transfer accordingly; the app shows it as a map.
- The network predicts a correction to the bicubic upscale (a global skip), which trains faster.
- Each reference is also searched enlarged and shrunk by 12%: the paper's patches match only at
  the scale they were shot at, and a reference 10% smaller gave half the gain of one at the same
  scale (BSD100 +0.46 against +1.39 dB).
- Without references the swapped maps and similarity are zero: the single-image path.
The paper's network is wider (64 channels, 16 + 16/8/4 blocks); the defaults here are sized for
training on a CPU.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import torch
import torch.nn.functional as F
from torch import nn

from enhancer.features.efficientnet_lite import LAYER_CHANNELS
from enhancer.features.extractor import FeatureExtractor
from enhancer.imaging.resize import imresize
from enhancer.models.archs.srntt_swap import Matches, ReferencePatches, best_matches, swap
from enhancer.models.spec import ArchSpec

SCALE = 4
# Every reference is also searched at these sizes (each a copy of it in the one patch set), so that
# a reference photographed nearer or farther than the input still offers patches at the input's
# scale. A step of 2^(1/6), 12%: the texture transfer tolerates the rest.
REFERENCE_SCALES = (1.0, 2 ** (1 / 6), 2 ** (-1 / 6))
# Tiles (and the margin around them, beyond the reach of the extractor's stage2 and a multiple of
# its stride) in which a reference's features are computed.
EXTRACTOR_TILE = 512
EXTRACTOR_MARGIN = 32
# The swapped pyramid, finest first: (channels, resolution relative to the matching grid).
_LEVELS = ((3, 4), (LAYER_CHANNELS["stage1"], 2), (LAYER_CHANNELS["stage2"], 1))


def _activation() -> nn.Module:
    """Leaky, not ReLU: with ReLU, units that the swapped maps of a matching reference switch on
    stayed off, gradient and all, for every input without one, and the single-image path never
    learned (bicubic's PSNR after 1,700 iterations)."""
    return nn.LeakyReLU(0.2)


class ResidualBlock(nn.Module):
    def __init__(self, features: int) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(features, features, 3, padding=1), _activation(),
                                  nn.Conv2d(features, features, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class Merge(nn.Module):
    """One level of the texture transfer: features and swapped maps (plus the similarity) fused by a
    convolution, residual blocks, and a skip from the incoming features."""

    def __init__(self, features: int, swapped: int, blocks: int, out: int) -> None:
        super().__init__()
        self.fuse = nn.Sequential(nn.Conv2d(features + swapped + 1, out, 3, padding=1), _activation())
        self.blocks = nn.Sequential(*(ResidualBlock(out) for _ in range(blocks)))
        self.skip = nn.Conv2d(features, out, 1) if features != out else nn.Identity()

    def forward(self, x: torch.Tensor, swapped: torch.Tensor) -> torch.Tensor:
        return self.skip(x) + self.blocks(self.fuse(torch.cat([x, swapped], dim=1)))


class SRNTT(nn.Module):
    def __init__(self, *, scale: int = SCALE, features: int = 48, fine_features: int = 32,
                 trunk_blocks: int = 4, level_blocks: tuple[int, int, int] = (2, 1, 1)) -> None:
        super().__init__()
        if scale != SCALE:
            raise ValueError(f"SRNTT upscales x{SCALE}, not x{scale}")
        self.scale = scale
        # Frozen, and saved with the weights so that a weights file is complete by itself.
        self.extractor = FeatureExtractor(layers=("stage1", "stage2"))
        self.head = nn.Sequential(nn.Conv2d(3, features, 3, padding=1), _activation())
        self.trunk = nn.Sequential(*(ResidualBlock(features) for _ in range(trunk_blocks)),
                                   nn.Conv2d(features, features, 3, padding=1))
        coarse_blocks, middle_blocks, fine_blocks = level_blocks
        (fine_c, _), (middle_c, _), (coarse_c, _) = _LEVELS
        self.coarse = Merge(features, coarse_c, coarse_blocks, features)
        self.to_middle = nn.Sequential(nn.Conv2d(features, 4 * features, 3, padding=1),
                                       nn.PixelShuffle(2), _activation())
        self.middle = Merge(features, middle_c, middle_blocks, fine_features)
        self.to_fine = nn.Sequential(nn.Conv2d(fine_features, 4 * fine_features, 3, padding=1),
                                     nn.PixelShuffle(2), _activation())
        self.fine = Merge(fine_features, fine_c, fine_blocks, fine_features)
        self.tail = nn.Conv2d(fine_features, 3, 3, padding=1)
        self._cache: tuple[list[torch.Tensor], list[int | None], PreparedReferences] | None = None

    def forward(self, x: torch.Tensor, refs: Sequence[torch.Tensor] = ()) -> torch.Tensor:
        """(N, 3, h, w) -> (N, 3, 4h, 4w); `refs` are (1, 3, H, W) or (3, H, W) RGB photos shared by
        the batch."""
        upscaled = imresize(x, scale=SCALE)
        swapped = self.transfer_maps(upscaled, self.prepare(refs))
        return upscaled + self.texture(x, swapped)

    def texture(self, x: torch.Tensor, swapped: Sequence[torch.Tensor]) -> torch.Tensor:
        """The correction to the bicubic upscale, from the input and the swapped maps
        (finest first, each with the similarity as its last channel)."""
        fine, middle, coarse = swapped
        head = self.head(x)
        features = self.coarse(head + self.trunk(head), coarse)
        features = self.middle(self.to_middle(features), middle)
        features = self.fine(self.to_fine(features), fine)
        return self.tail(features)

    def transfer_maps(self, upscaled: torch.Tensor, references: PreparedReferences
                      ) -> list[torch.Tensor]:
        """The swapped maps at each level (finest first, similarity appended) for a batch of
        upscaled inputs."""
        n, _, height, width = upscaled.shape
        h, w = height // SCALE, width // SCALE
        if not len(references):
            return [upscaled.new_zeros(n, channels + 1, h * factor, w * factor)
                    for channels, factor in _LEVELS]
        matches = self._best_matches(upscaled, references)
        maps = []
        for level, (_, factor) in enumerate(_LEVELS):
            per_sample = [swap([levels[level] for levels in references.levels], matches, i, factor)
                          for i in range(n)]
            similarity = F.interpolate(matches.score.unsqueeze(1), scale_factor=factor,
                                       mode="nearest")
            maps.append(torch.cat([torch.stack(per_sample).to(upscaled.dtype),
                                   similarity.to(upscaled.dtype)], dim=1))
        return maps

    def prepare(self, refs: Sequence[torch.Tensor]) -> PreparedReferences:
        """The references' matching patches and swappable pyramids. Kept for the next call with
        the very same tensors, unchanged: the engine calls once per tile with the same references."""
        # Inference tensors keep no version counter; a reference changed in place is then missed.
        versions = [None if ref.is_inference() else ref._version for ref in refs]
        if self._cache is not None:
            cached_refs, cached_versions, prepared = self._cache
            if len(cached_refs) == len(refs) and versions == cached_versions \
                    and all(a is b for a, b in zip(cached_refs, refs)):
                return prepared
        dtype = self.tail.weight.dtype
        with torch.no_grad():
            prepared = PreparedReferences([ref.reshape(1, *ref.shape[-3:]).to(dtype) for ref in refs],
                                          self.extractor)
        self._cache = (list(refs), versions, prepared)
        return prepared

    def matches(self, x: torch.Tensor, refs: Sequence[torch.Tensor]) -> Matches | None:
        """Where each input position found its texture, for showing: None without references. A
        match's `reference` numbers the copies in `prepare(refs).photos`."""
        references = self.prepare(refs)
        if not len(references):
            return None
        return self._best_matches(imresize(x, scale=SCALE), references)

    def _best_matches(self, upscaled: torch.Tensor, references: PreparedReferences) -> Matches:
        with torch.no_grad():
            return best_matches(self.extractor(upscaled)[1], references.keys)


class PreparedReferences:
    """Reference photos as SRNTT uses them, each also at the other `REFERENCE_SCALES`: the
    matching features of their blurred versions, searched as one set, and the maps swapped from
    each, finest first (its high frequencies, stage1 and stage2 features). `photos` gives, for each
    of these copies (a match's `reference`), the photo it was made from."""

    def __init__(self, refs: Sequence[torch.Tensor], extractor: FeatureExtractor,
                 scales: Sequence[float] = REFERENCE_SCALES) -> None:
        matching, self.levels, photos = [], [], []
        copies = ((number, copy) for number, photo in enumerate(refs)
                  for copy in _rescaled(photo, scales))
        for number, ref in copies:
            photos.append(number)
            height, width = (side - side % SCALE for side in ref.shape[-2:])
            ref = ref[..., :height, :width]
            blurred = imresize(imresize(ref, scale=1 / SCALE), scale=SCALE)
            middle, coarse = features_in_tiles(extractor, ref)
            matching.append(features_in_tiles(extractor, blurred)[1][0])
            self.levels.append([(ref - blurred)[0], middle[0], coarse[0]])
        self.keys = ReferencePatches(matching)
        self.photos = torch.tensor(photos, dtype=torch.long)

    def __len__(self) -> int:
        return len(self.levels)


def features_in_tiles(extractor: FeatureExtractor, image: torch.Tensor, *,
                      tile: int = EXTRACTOR_TILE, margin: int = EXTRACTOR_MARGIN
                      ) -> list[torch.Tensor]:
    """The extractor's maps of a (1, 3, H, W) photo, H and W multiples of 4, computed in tiles of
    `tile` pixels a side plus `margin` around: the same maps as from the whole photo (the margin
    covers the layers' reach), in a fraction of the memory; a 12 MP photo at once takes gigabytes."""
    height, width = image.shape[-2:]
    maps: list[torch.Tensor] = []
    for top in range(0, height, tile):
        for left in range(0, width, tile):
            y0, x0 = max(top - margin, 0), max(left - margin, 0)
            window = image[..., y0 : min(top + tile + margin, height),
                           x0 : min(left + tile + margin, width)]
            outputs = extractor(window)
            if not maps:
                maps = [out.new_empty(*out.shape[:2], height * out.shape[-2] // window.shape[-2],
                                      width * out.shape[-1] // window.shape[-1]) for out in outputs]
            for out, whole in zip(outputs, maps):
                stride = window.shape[-2] // out.shape[-2]
                rows, columns = min(tile, height - top) // stride, min(tile, width - left) // stride
                down, across = (top - y0) // stride, (left - x0) // stride
                row, column = top // stride, left // stride
                whole[..., row : row + rows, column : column + columns] = \
                    out[..., down : down + rows, across : across + columns]
    return maps


def _rescaled(photo: torch.Tensor, scales: Sequence[float]) -> list[torch.Tensor]:
    """The photo at each of `scales` that leaves it at least a matching patch a side."""
    return [photo if scale == 1 else imresize(photo, scale=scale) for scale in scales
            if min(photo.shape[-2:]) * scale >= 3 * SCALE]


SPECS = (
    ArchSpec(
        id="srntt",
        name="SRNTT",
        paper="Zhang et al., CVPR 2019",
        kind="reference",
        scales=(SCALE,),
        network=SRNTT,
        uses_reference=True,
        # The trunk and coarse level at input resolution (3 x (4 + 2) convolutions), the middle and
        # fine levels at 2x and 4x, the bicubic skip, and the extractor's own reach.
        overlap=24,
        # Features at 1x, 2x (x4 pixels) and 4x (x16 pixels), the swapped patches before folding
        # (9 taps of each level's channels), and the extractor's expanded channels.
        bytes_per_pixel=4 * (48 * 8 + 4 * 32 * 8 + 16 * 32 * 8 + 9 * (24 + 4 * 16 + 16 * 3)
                             + 16 * 96),
    ),)

# The same network trained with the reconstruction loss alone: the highest PSNR, the least invented
# texture. `srntt` adds the perceptual, adversarial and texture losses.
SPECS += (replace(SPECS[0], id="srntt-rec", name="SRNTT (reconstruction)"),)
