"""Print profiles and colour schemes (styles/profiles.toml), resolved against the options.

Below the options in the layers: the options validate their names against this table,
and ``print_profile`` takes anything with the options' print fields.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from typing import Any, Protocol

from converter import resources

LARGE_PRINT_MIN = 16.0  # pt: below this the copy is clear print, labelled so


class PrintChoices(Protocol):
    """The options' fields a print profile is resolved from (converter.options.Options)."""

    @property
    def profile(self) -> str: ...
    @property
    def colours(self) -> str: ...
    @property
    def paper(self) -> str: ...
    @property
    def font_size(self) -> float | None: ...
    @property
    def line_spacing(self) -> float | None: ...
    @property
    def margin_mm(self) -> float | None: ...


@dataclass(frozen=True)
class PrintProfile:
    """Everything a print writer needs to set a page, after the options are applied."""

    name: str
    label: str  # "large print", "clear print", "giant print"
    font_size: float  # pt
    line_spacing: float
    margin_mm: float
    line_length: int  # characters per line, at most
    foreground: str
    background: str
    link: str
    colours: str
    paper: str
    paper_width_mm: float
    paper_height_mm: float

    @property
    def is_large_print(self) -> bool:
        return self.font_size >= LARGE_PRINT_MIN


@functools.cache
def _table() -> dict[str, Any]:
    return tomllib.loads(resources.read_text("profiles.toml"))


def profile_names() -> list[str]:
    return list(_table()["profiles"])


def colour_names() -> list[str]:
    return list(_table()["colours"])


def describe_profiles() -> list[tuple[str, str, float]]:
    """(name, label, size in pt) of every profile, for --list-profiles."""
    return [(name, p["label"], p["font_size"]) for name, p in _table()["profiles"].items()]


def print_profile(options: PrintChoices) -> PrintProfile:
    """The profile named by the options with its overrides applied."""
    table = _table()
    base = table["profiles"][options.profile]
    colours = table["colours"][options.colours]
    paper = table["papers"][options.paper]
    font_size = options.font_size if options.font_size is not None else float(base["font_size"])
    label = base["label"]
    if options.font_size is not None:
        label = (
            "clear print"
            if font_size < LARGE_PRINT_MIN
            else ("giant print" if font_size >= 28 else "large print")
        )
    return PrintProfile(
        name=options.profile,
        label=label,
        font_size=font_size,
        line_spacing=options.line_spacing or float(base["line_spacing"]),
        margin_mm=options.margin_mm or float(base["margin_mm"]),
        line_length=int(base["line_length"]),
        foreground=colours["foreground"],
        background=colours["background"],
        link=colours["link"],
        colours=options.colours,
        paper=options.paper,
        paper_width_mm=float(paper["width_mm"]),
        paper_height_mm=float(paper["height_mm"]),
    )
