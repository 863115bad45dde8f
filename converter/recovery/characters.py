"""Characters a print source uses that no reader should meet: normalised before recovery.

PDF text layers carry what the print's fonts drew, not what the text means: bullets from
symbol fonts as private-use code points (Wingdings U+F06E, Symbol U+F0B7 ...), C1 control
codes where a Windows-1252 byte was read as Latin-1 (U+0084, U+0095), combining overlays
that drew a strike-through (U+0336), soft hyphens and zero-width marks.  Left alone they
reach a large-print PDF as missing glyphs (.notdef) and a screen reader as silence or
noise.  Each is mapped to what it stands for, or removed when it stands for nothing
visible; no letter or digit is ever removed, so no word is lost.

A private-use or control character that is none of these stays, and the structure review
names it (:func:`unrecognised`): guessing what an unknown glyph meant would be worse.
"""

from __future__ import annotations

import re
import unicodedata

BULLET = "\u2022"

#: Where a private-use code point stands for an ordinary character (Symbol font encoding).
SYMBOL_TEXT = {"\uf02d": "-", "\uf0b7": BULLET, "\uf0a7": BULLET, "\uf06e": "\u25aa"}

#: Marks that draw nothing a reader needs: soft hyphen, zero-width space and joiners,
#: word joiner, byte-order mark inside text.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
#: Combining overlays (a strike-through drawn over each letter) and combining
#: enclosures: formatting, not text.
_OVERLAY = re.compile("[\u0334-\u0338\u20d2-\u20d3\u20dd-\u20e0]")
_C1 = re.compile("[\u0080-\u009f]")
#: C0 controls other than tab and form feed: nothing a reader needs (XML cannot hold them).
_C0 = re.compile("[\x00-\x08\x0b\x0d-\x1f\x7f]")
#: A symbol-font glyph or C1 control alone at the start of a line: a list marker, kept as
#: it is (the grouping step reads it as a bullet, and a different glyph is a nested list).
LEADING_MARKER = re.compile(r"^(\s*)([\u0080-\u009f\uf000-\uf0ff])(?=\s|$)")


def _c1(match: re.Match[str]) -> str:
    """A C1 control read from a Windows-1252 byte: the character that byte means there."""
    control = match.group(0)
    try:
        meant = bytes([ord(control)]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: undefined in cp1252
        return " "
    # Punctuation only (quotes, dashes, bullet, ellipsis): a letter (0x8A for Š) would be
    # a guess at a word, so it stays for the structure review to name.
    return control if meant.isalnum() else meant


def normalise(text: str) -> str:
    """One source line with print-only characters mapped to what they stand for.

    A symbol-font glyph or C1 control alone at the start of a line is a list marker and
    stays; elsewhere a known private-use glyph becomes its ordinary character, and a C1
    control the Windows-1252 character of the same byte.
    """
    text = _C0.sub(" ", text)
    if text.isascii():
        return text
    text = _INVISIBLE.sub("", text)
    text = _OVERLAY.sub("", text)
    marker = LEADING_MARKER.match(text)
    head, rest = (text[: marker.end()], text[marker.end() :]) if marker else ("", text)
    rest = _C1.sub(_c1, rest)
    if any("\uf000" <= ch <= "\uf0ff" for ch in rest):
        rest = "".join(SYMBOL_TEXT.get(ch, ch) for ch in rest)
    return head + rest


def unrecognised(text: str) -> list[str]:
    """Characters no font can be trusted to draw: private use, unassigned, controls, U+FFFD."""
    found = []
    for ch in text:
        if ch in "\t\n\r\f" or ch.isascii() and ch.isprintable():
            continue
        category = unicodedata.category(ch)
        if category in ("Co", "Cn", "Cc", "Cs") or ch == "\ufffd":
            found.append(ch)
    return found
