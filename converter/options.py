"""The one options object shared by the Python API, the CLI, batch and the web service."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from converter.errors import UsageError

DEFAULT_PROFILE = "large-18"
DEFAULT_COLOURS = "black-on-white"
PAPERS = ("A4", "A3")
MIN_FONT_SIZE = 12.0  # below this a "large print" copy is refused
LARGE_PRINT_MIN = 16.0  # below this the copy is clear print, labelled so


@dataclass(frozen=True)
class Options:
    """How to convert.  Every field has a default; invalid values raise UsageError."""

    profile: str = DEFAULT_PROFILE
    font_size: float | None = None  # points; overrides the profile's size
    line_spacing: float | None = None  # multiple of the font size; overrides the profile
    margin_mm: float | None = None  # overrides the profile's margins
    colours: str = DEFAULT_COLOURS
    paper: str = "A4"
    braille_grade: int = 2
    braille_cells: int = 40
    braille_lines: int = 25
    summary: bool = False  # convert the plain-language summary instead of the full text
    trace: bool = False  # with the summary: also write its trace JSON
    check: bool = False  # check each output after writing it
    reference_docx: Path | None = None
    max_input_bytes: int = 64 * 1024 * 1024
    extra: dict[str, Any] = field(default_factory=dict)  # for third-party writers

    def __post_init__(self) -> None:
        from converter import profiles  # profiles reads package data: import late

        if self.profile not in profiles.profile_names():
            raise UsageError(
                f"unknown profile {self.profile!r}; choose from {', '.join(profiles.profile_names())}"
            )
        if self.colours not in profiles.colour_names():
            raise UsageError(
                f"unknown colour scheme {self.colours!r}; choose from {', '.join(profiles.colour_names())}"
            )
        if self.paper not in PAPERS:
            raise UsageError(f"unknown paper {self.paper!r}; choose A4 or A3")
        if self.font_size is not None and self.font_size < MIN_FONT_SIZE:
            raise UsageError(
                f"font size {self.font_size:g} pt is below {MIN_FONT_SIZE:g} pt, too small for an accessible copy"
            )
        if self.font_size is not None and self.font_size > 96:
            raise UsageError(f"font size {self.font_size:g} pt is above 96 pt")
        if self.line_spacing is not None and not 1.0 <= self.line_spacing <= 3.0:
            raise UsageError("line spacing must be between 1.0 and 3.0")
        if self.margin_mm is not None and not 5.0 <= self.margin_mm <= 50.0:
            raise UsageError("margins must be between 5 and 50 mm")
        if self.braille_grade not in (1, 2):
            raise UsageError("braille grade must be 1 or 2")
        if not 20 <= self.braille_cells <= 100:
            raise UsageError("braille cells per line must be between 20 and 100")
        if not 10 <= self.braille_lines <= 100:
            raise UsageError("braille lines per page must be between 10 and 100")

    def replace(self, **changes: Any) -> Options:
        return dataclasses.replace(self, **changes)

    def fingerprint(self) -> str:
        """A stable JSON text of every field that changes an output (for manifests, caches)."""
        values = dataclasses.asdict(self)
        values.pop("check")
        if self.reference_docx is not None:
            values["reference_docx"] = str(self.reference_docx)
        return json.dumps(values, sort_keys=True, default=str)
