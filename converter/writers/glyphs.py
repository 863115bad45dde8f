"""Characters every copy can draw: what no font has (controls, private-use code points, the
replacement character, stray combining marks) is mapped to a drawable character or dropped.

A PDF that shows a character no embedded font holds references the .notdef glyph (PDF/UA-1
7.21.8 fails), a browser or Word shows an empty box, and liblouis spells out a code.  Only
characters that are never part of a word (DESIGN.md section 3) are dropped, so nothing a
reader needs is lost; letters our font lacks (Welsh w-circumflex) stay, and the renderer
draws them from a fallback font.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from converter import resources

BULLET = "\u2022"

#: Private-use code points that real sources use as bullets: Symbol's and Wingdings' own
#: glyphs, mapped into U+F0xx by Word's PDF and text exports.
PRIVATE_USE_BULLETS = frozenset(
    {
        0xF020,  # a Symbol/Wingdings space: becomes a space below
        0xF02D,  # Symbol minus, used as a dash bullet
        0xF03C,
        0xF06C,  # Wingdings filled circle
        0xF06E,  # Wingdings black square
        0xF071,
        0xF075,
        0xF076,  # Wingdings diamond
        0xF0A7,  # Wingdings small square
        0xF0A8,
        0xF0B7,  # Symbol bullet
        0xF0D8,  # Wingdings arrowhead
        0xF0E0,
        0xF0FC,  # Wingdings tick
    }
)
#: C1 control characters that Windows-1252 text decoded as Latin-1 holds for punctuation
#: (0x84 is a low double quote in Windows-1252, and sources use it as a bullet).
C1_AS_BULLET = frozenset({0x84, 0x95})


@functools.cache
def font_characters() -> frozenset[int]:
    """Code points our embedded font (Atkinson Hyperlegible, regular and bold) can draw."""
    return frozenset(metrics("Regular").advances) | frozenset(metrics("Bold").advances)


@functools.cache
def drawable_character(character: str) -> str:
    """The character, or what is drawn in its place ('' to drop it)."""
    code = ord(character)
    if character in "\n\t\r":
        return " "
    if code in C1_AS_BULLET:
        return BULLET
    if code == 0xF020:
        return " "
    if code in PRIVATE_USE_BULLETS:
        return BULLET
    category = unicodedata.category(character)
    if category in ("Cc", "Cf", "Co", "Cs", "Cn") or code == 0xFFFD:
        # Controls, invisible format marks, private-use and unassigned code points and the
        # replacement character: nothing a font draws, and never part of a word.
        return ""
    if category in ("Mn", "Me", "Mc") and code not in font_characters():
        # A combining mark is drawn with the font of the letter it sits on: one our font
        # lacks (U+0336, a strike-through overlay) would be .notdef.  The letter stays.
        return ""
    return character


def drawable(text: str) -> str:
    """Text every output can draw: NFC first (a letter and its accent become one
    character where Unicode has one), then each character mapped."""
    if text.isascii() and text.isprintable():
        return text
    composed = unicodedata.normalize("NFC", text)
    return "".join(drawable_character(c) for c in composed)


# -- our font's metrics ---------------------------------------------------------------------

#: The metrics of the packaged font's regular and bold faces, measured once with fontTools
#: (`write_packaged_metrics`): reading them from the font costs a cold start some 35 ms of
#: CPU, importing fontTools and parsing two fonts, against under 1 ms for this file.
PACKAGED_METRICS = "font_metrics.json"
WEIGHTS = ("Regular", "Bold")


@dataclass(frozen=True)
class FontMetrics:
    """One face's advance widths by code point (its cmap), its units per em and the width
    of a character it lacks (.notdef)."""

    file_name: str
    file_size: int
    units: int
    default: int
    advances: dict[int, int]


def font_file(weight: str) -> Path:
    return next(p for p in resources.font_files() if p.stem.endswith(f"-{weight}"))


def measure(path: Path) -> FontMetrics:
    """A font file's metrics, read with fontTools."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    try:
        hmtx = font["hmtx"].metrics
        units = int(font["head"].unitsPerEm)
        default = hmtx[".notdef"][0] if ".notdef" in hmtx else units // 2
        advances = {code: hmtx[name][0] for code, name in font.getBestCmap().items()}
    finally:
        font.close()
    return FontMetrics(path.name, path.stat().st_size, units, default, advances)


def _packaged() -> dict[str, FontMetrics]:
    path = Path(__file__).with_name(PACKAGED_METRICS)
    if not path.exists():
        return {}
    table = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: FontMetrics(
            name,
            face["file_size"],
            face["units"],
            face["default"],
            {int(code): width for code, width in face["advances"].items()},
        )
        for name, face in table.items()
    }


@functools.cache
def metrics(weight: str) -> FontMetrics:
    """The metrics of our font's ``weight`` face: the packaged table's when it was measured
    from the very file installed (its name and size), else read from the font."""
    path = font_file(weight)
    packaged = _packaged().get(path.name)
    if packaged is not None and packaged.file_size == path.stat().st_size:
        return packaged
    return measure(path)


def write_packaged_metrics() -> Path:
    """Measure the installed font's faces and write the packaged table (run when the font
    package's pin changes; a test compares the table with the installed font)."""
    table = {
        face.file_name: {
            "file_size": face.file_size,
            "units": face.units,
            "default": face.default,
            "advances": {str(code): width for code, width in sorted(face.advances.items())},
        }
        for face in (measure(font_file(weight)) for weight in WEIGHTS)
    }
    path = Path(__file__).with_name(PACKAGED_METRICS)
    path.write_text(json.dumps(table, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return path


def text_width(text: str, size: float, weight: str = "Regular") -> float:
    """The width in points of a line of text set in our font at ``size`` points (kerning
    aside: it only ever narrows a line)."""
    face = metrics(weight)
    return sum(face.advances.get(ord(c), face.default) for c in text) * size / face.units


if __name__ == "__main__":
    print(f"wrote {write_packaged_metrics()}")
