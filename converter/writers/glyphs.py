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
import unicodedata

from fontTools.ttLib import TTFont

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
    found: set[int] = set()
    for path in resources.font_files():
        if path.stem.endswith(("-Regular", "-Bold")):
            font = TTFont(path, lazy=True)
            found.update(font.getBestCmap())
            font.close()
    return frozenset(found)


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


@functools.cache
def _advances(weight: str) -> tuple[dict[int, int], int, int]:
    """Our font's advance widths by code point, its units per em and its default width."""
    path = next(p for p in resources.font_files() if p.stem.endswith(f"-{weight}"))
    font = TTFont(path, lazy=True)
    metrics = font["hmtx"].metrics
    widths = {code: metrics[name][0] for code, name in font.getBestCmap().items()}
    units = int(font["head"].unitsPerEm)
    default = metrics[".notdef"][0] if ".notdef" in metrics else units // 2
    font.close()
    return widths, units, default


def text_width(text: str, size: float, weight: str = "Regular") -> float:
    """The width in points of a line of text set in our font at ``size`` points (kerning
    aside: it only ever narrows a line)."""
    widths, units, default = _advances(weight)
    return sum(widths.get(ord(c), default) for c in text) * size / units
