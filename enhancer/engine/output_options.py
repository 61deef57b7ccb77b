"""How results are written: the file name made from a template, the format, the quality, and
whether the photo's metadata goes along.

The app's General settings are one `OutputOptions`; its save dialog and its batch queue both name
and write files through it, so a setting changes every file the app writes. A template is checked
when the options are made, so a typo is refused in the settings, not at the end of a long batch.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, replace
from pathlib import Path

from enhancer.imaging.io import Photo

FORMATS = ("png", "jpg", "webp", "tif")
TEMPLATE_FIELDS = ("stem", "model", "scale")
DEFAULT_TEMPLATE = "{stem}_{model}_x{scale}"
# The stem of a result that came from no file (a pasted picture).
UNNAMED_STEM = "pasted"


class OutputOptionsError(ValueError):
    """Options that cannot name or write a file; the message says what to change."""


@dataclass(frozen=True, kw_only=True)
class OutputOptions:
    format: str = "png"
    quality: int = 95  # JPEG and WebP, 1-100
    template: str = DEFAULT_TEMPLATE
    # Off: the ICC profile and EXIF (date, GPS, camera) are left out of the written file.
    keep_metadata: bool = True

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise OutputOptionsError(f"output format {self.format!r} is not one of "
                                     + ", ".join(FORMATS))
        if not 1 <= self.quality <= 100:
            raise OutputOptionsError(f"quality must be 1 to 100, not {self.quality}")
        check_template(self.template)

    @property
    def suffix(self) -> str:
        return f".{self.format}"

    def file_name(self, source: Path | None, *, model: str, scale: int) -> str:
        """The result's file name: "garden_espcn_x4.png" for garden.jpg by the default template."""
        return _render(self.template, source.stem if source else UNNAMED_STEM, model, scale) \
            + self.suffix

    def prepared(self, photo: Photo) -> Photo:
        """`photo` as it should be written: without its ICC profile and EXIF unless kept."""
        return photo if self.keep_metadata else replace(photo, icc_profile=None, exif=None)


def check_template(template: str) -> None:
    """Raise OutputOptionsError unless `template` names only known fields and makes a plain
    file name (no folder separators, not empty)."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as error:
        raise OutputOptionsError(f"file name template {template!r}: {error}") from None
    unknown = [name for name in fields if name not in TEMPLATE_FIELDS]
    if unknown:
        raise OutputOptionsError(f"file name template {template!r}: unknown field {{{unknown[0]}}}; "
                                 "use " + ", ".join(f"{{{name}}}" for name in TEMPLATE_FIELDS))
    try:
        example = _render(template, "photo", "model", 2)
    except (ValueError, IndexError, KeyError, AttributeError) as error:
        raise OutputOptionsError(f"file name template {template!r}: {error}") from None
    if not example.strip() or "/" in example or "\\" in example or example in (".", ".."):
        raise OutputOptionsError(f"file name template {template!r} does not make a file name")


def _render(template: str, stem: str, model: str, scale: int) -> str:
    return template.format(stem=stem, model=model, scale=scale)
