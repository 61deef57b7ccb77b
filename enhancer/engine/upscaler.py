"""Running a model over a whole photo: device, precision, colour, tiles, out-of-memory retries.

The network is built and placed once per `Upscaler`; `enhance` is a generator that yields after
every tile, so the CLI draws a progress bar and the GUI cancels by no longer pulling, with nothing
to clean up. Only tile-sized tensors live on the device; the output is accumulated on the CPU.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from enhancer.engine.device import choose_device, describe_device
from enhancer.engine.heap import keep_freed_memory
from enhancer.engine.precision import choose_dtype
from enhancer.engine.tiling import Tile, fit_tile, pad_image, plan_tiles, tile_for_memory
from enhancer.imaging.color import luma_chroma_to_rgb, rgb_to_ycbcr
from enhancer.imaging.resize import imresize
from enhancer.models.registry import ResolvedModel
from enhancer.models.spec import ArchSpec

log = logging.getLogger(__name__)

# Bicubic taps reach two low-resolution pixels on each side: the context the chroma of a Y-channel
# model needs, whatever its network needs.
CHROMA_CONTEXT = 2


class InputTooLargeError(ValueError):
    """An input over the model's `max_size`; the message says the limit and why it exists."""


def check_input_size(name: str, spec: ArchSpec, height: int, width: int) -> None:
    """Refuse an input over the architecture's `max_size` (models meant for thumbnails)."""
    limit = spec.max_size
    if limit is not None and max(height, width) > limit:
        raise InputTooLargeError(
            f"{width} x {height} px is larger than {name} accepts ({limit} x {limit} px at most: "
            "it draws the result pixel by pixel, for thumbnails; shrink the input first)"
        )


@dataclass(frozen=True)
class TileProgress:
    done: int
    total: int


class Upscaler:
    """One model, ready to upscale photos on one device.

    `tile` is the low-resolution tile side: None picks it from the memory free on the device, 0
    runs the whole image at once. After an out-of-memory error the tile side is halved and the
    photo restarted, and later photos start from the smaller side.
    """

    def __init__(
        self,
        model: ResolvedModel,
        *,
        device: str | torch.device = "auto",
        precision: str = "auto",
        tile: int | None = None,
    ) -> None:
        self.name = model.name
        self.scale = model.scale
        self.spec = model.spec
        self.device = device if isinstance(device, torch.device) else choose_device(device)
        self.dtype = choose_dtype(self.device, self.spec, precision)
        self.tile = tile
        keep_freed_memory()  # tiles allocate the same large tensors again and again
        self.network = self._place(model.build())
        self._overlap = self.spec.overlap
        if self.spec.color_space == "y":
            self._overlap = max(self._overlap, CHROMA_CONTEXT)
        self._largest_tile: int | None = None
        precision = str(self.dtype).removeprefix("torch.")
        log.info("%s x%d on %s in %s", self.name, self.scale, describe_device(self.device), precision)

    def enhance(
        self, image: torch.Tensor, *, refs: Sequence[torch.Tensor] = ()
    ) -> Generator[TileProgress, None, torch.Tensor]:
        """Upscale a (1, 3, H, W) float32 RGB image in [0, 1]; return (1, 3, sH, sW) on the CPU.

        Yields after each tile. After an out-of-memory retry, `done` starts again from 0 with the
        new `total`.
        """
        if image.ndim != 4 or image.shape[:2] != (1, 3) or image.dtype != torch.float32:
            got = f"{tuple(image.shape)} {image.dtype}"
            raise ValueError(f"expected a (1, 3, H, W) float32 image, got {got}")
        height, width = image.shape[-2:]
        check_input_size(self.name, self.spec, height, width)
        padded = pad_image(image, multiple_of=self.spec.multiple_of, min_size=self.spec.min_size)
        references = self._references(refs)
        side = self._tile_side(*padded.shape[-2:])
        while True:
            tiles = self._plan(padded, side, scale=self.scale)
            log.debug("%d tiles of at most %d px", len(tiles), side)
            # Tiles are added up with their blend weights; a single tile is copied over it all.
            allocate = torch.empty if len(tiles) == 1 else torch.zeros
            output = allocate(1, 3, self.scale * height, self.scale * width)
            try:
                for done, tile in enumerate(tiles, 1):
                    self._blend(padded, tile, references, output)
                    yield TileProgress(done, len(tiles))
                return output.clamp_(0, 1)
            except torch.OutOfMemoryError:
                smaller = self._after_out_of_memory(side, *padded.shape[-2:])
            # Out of the handler, so the failed attempt's tensors are released before retrying.
            if self.device.type == "cuda":
                torch.cuda.empty_cache()
            side = self._largest_tile = smaller

    def reference_similarity(
        self, image: torch.Tensor, *, refs: Sequence[torch.Tensor]
    ) -> Generator[TileProgress, None, torch.Tensor | None]:
        """How well each pixel of a (1, 3, H, W) input found texture in `refs`: the similarity of
        its best reference patch, (1, 1, H, W) in [-1, 1], over the same tiles as `enhance`. None
        for a model that takes no references, or without references."""
        references = self._references(refs)
        if not references:
            return None
        height, width = image.shape[-2:]
        padded = pad_image(image, multiple_of=self.spec.multiple_of, min_size=self.spec.min_size)
        tiles = self._plan(padded, self._tile_side(*padded.shape[-2:]), scale=1)
        similarity = torch.zeros(1, 1, height, width)
        for done, tile in enumerate(tiles, 1):
            rows, cols = tile.rows, tile.cols
            window = padded[:, :, rows.start : rows.stop, cols.start : cols.stop]
            with torch.inference_mode():
                score = self.network.matches(window.to(self.device, self.dtype), references).score
            inside_rows = min(rows.stop, height) - rows.start
            inside_cols = min(cols.stop, width) - cols.start
            weighted = score[:, None, :inside_rows, :inside_cols].float().cpu() \
                * tile.weights()[:inside_rows, :inside_cols]
            similarity[:, :, rows.start : rows.start + inside_rows,
                       cols.start : cols.start + inside_cols] += weighted
            yield TileProgress(done, len(tiles))
        return similarity

    def _plan(self, padded: torch.Tensor, side: int, *, scale: int) -> list[Tile]:
        """Tiles of `side` over a padded input, with blend weights at `scale` times its grid."""
        return plan_tiles(*padded.shape[-2:], tile=side, overlap=self._overlap, scale=scale,
                          multiple_of=self.spec.multiple_of)

    def _place(self, network: nn.Module) -> nn.Module:
        network = network.to(device=self.device, dtype=self.dtype).requires_grad_(False)
        if self.device.type == "cuda":
            network = network.to(memory_format=torch.channels_last)
        return network

    def prepare_references(self, refs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        """`refs` on the device, with what the network makes of them (matching features) made now
        rather than inside the first tile, so that a caller can say what the wait is for: most of a
        minute for a 12 MP reference on a CPU. Given to `enhance`, the returned tensors reuse it."""
        references = self._references(refs)
        if references:
            with torch.inference_mode():
                self.network.prepare(references)
        return references

    def _references(self, refs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        if refs and not self.spec.uses_reference:
            log.info("%s uses no reference photos; ignoring %d", self.name, len(refs))
            return []
        return [ref.to(device=self.device, dtype=self.dtype) for ref in refs]

    def _tile_side(self, height: int, width: int) -> int:
        if self.tile == 0 or self.spec.max_size is not None:
            side = max(height, width)
        elif self.tile is None:
            side = tile_for_memory(
                self.device, bytes_per_pixel=self.spec.memory_per_pixel(self.scale), dtype=self.dtype
            )
        else:
            side = self.tile
        if self._largest_tile is not None:
            side = min(side, self._largest_tile)
        return self._fit(side)

    def _after_out_of_memory(self, side: int, height: int, width: int) -> int:
        """The tile side to retry with; re-raises the error when tiles cannot get smaller."""
        used = min(side, max(height, width))
        smaller = self._fit(used // 2)
        if smaller >= used:
            log.error("out of memory even with %d px tiles", used)
            raise
        log.warning("out of memory with %d px tiles; retrying with %d px tiles", used, smaller)
        return smaller

    def _fit(self, side: int) -> int:
        spec = self.spec
        return fit_tile(
            side, overlap=self._overlap, multiple_of=spec.multiple_of, min_size=spec.min_size
        )

    def _blend(
        self, image: torch.Tensor, tile: Tile, references: list[torch.Tensor], output: torch.Tensor
    ) -> None:
        """Add one tile's weighted output to `output`, cropping what lies in the padding."""
        rows, cols = tile.rows, tile.cols
        top, left = self.scale * rows.start, self.scale * cols.start
        height = min(self.scale * rows.stop, output.shape[-2]) - top
        width = min(self.scale * cols.stop, output.shape[-1]) - left
        window = image[:, :, rows.start : rows.stop, cols.start : cols.stop]
        with torch.inference_mode():
            result = self._forward(window.to(self.device), references)[:, :, :height, :width]
            if (height, width) == output.shape[-2:]:  # one tile: nothing to blend with
                output.copy_(result)
                return
            weighted = result * tile.weights()[:height, :width].to(self.device)
            output[:, :, top : top + height, left : left + width] += weighted.cpu()

    def _forward(self, window: torch.Tensor, references: list[torch.Tensor]) -> torch.Tensor:
        """(1, 3, h, w) float32 RGB on the device -> (1, 3, sh, sw) float32, not clipped."""
        if self.spec.color_space == "rgb":
            return self._run(window, references)
        ycbcr = rgb_to_ycbcr(window)
        luma = self._run(ycbcr[:, :1], references)
        chroma = imresize(ycbcr[:, 1:], scale=self.scale, kernel="cubic")
        return luma_chroma_to_rgb(luma, chroma)

    def _run(self, x: torch.Tensor, references: list[torch.Tensor]) -> torch.Tensor:
        x = x.to(self.dtype)
        if self.device.type == "cuda":
            x = x.contiguous(memory_format=torch.channels_last)
        y = self.network(x, references) if self.spec.uses_reference else self.network(x)
        expected = (*x.shape[:2], self.scale * x.shape[2], self.scale * x.shape[3])
        if tuple(y.shape) != expected:
            raise RuntimeError(
                f"{self.spec.id} returned {tuple(y.shape)} for {tuple(x.shape)}; expected {expected}"
            )
        return y.float()
