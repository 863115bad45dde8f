"""What a reader of a large-print PDF sees, measured (the visual check validators miss):
every glyph inside the trim box and the text area, every text run in the scheme's text or
link colour, body text at the profile's size, the title page on one page.

Glyph boxes and colours come from pdfium (pypdfium2); sizes and structure from the
content streams and the structure tree (converter.check.pdf reads them).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf

from converter.profiles import PrintProfile

MM = 72 / 25.4
TOLERANCE = 1.0  # points: rounding in the renderer and in pdfium's boxes
#: Structure elements whose text is body text: it must be at exactly the body size.
BODY_ROLES = frozenset({"/P", "/LI", "/LBody", "/Lbl", "/TD", "/TH", "/Caption"})
HEADING_ROLES = frozenset({"/H1", "/H2", "/H3", "/H4", "/H5", "/H6"})
MAX_FINDINGS = 20


@dataclass(frozen=True)
class Glyph:
    page: int  # 0-based
    character: str
    box: tuple[float, float, float, float]  # left, bottom, right, top (points)
    colour: tuple[int, int, int]


def glyphs(path: Path) -> tuple[list[Glyph], list[tuple[float, float, float, float]]]:
    """Every drawn character of a PDF with its box and fill colour, and each page's trim box."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    found: list[Glyph] = []
    trim_boxes: list[tuple[float, float, float, float]] = []
    document = pdfium.PdfDocument(str(path))
    try:
        red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
        for index in range(len(document)):
            page = document[index]
            trim_boxes.append(tuple(float(v) for v in page.get_trimbox()))  # type: ignore[arg-type]
            text = page.get_textpage()
            for i in range(text.count_chars()):
                if raw.FPDFText_IsGenerated(text.raw, i):
                    continue  # a space or line end pdfium made up: nothing is drawn
                character = text.get_text_range(i, 1)
                if not character.strip():
                    continue
                raw.FPDFText_GetFillColor(
                    text.raw,
                    i,
                    ctypes.byref(red),
                    ctypes.byref(green),
                    ctypes.byref(blue),
                    ctypes.byref(alpha),
                )
                box = tuple(float(v) for v in text.get_charbox(i))
                found.append(
                    Glyph(index, character, box, (red.value, green.value, blue.value))  # type: ignore[arg-type]
                )
            text.close()
            page.close()
    finally:
        document.close()
    return found, trim_boxes


def placement_findings(
    found: list[Glyph], trim_boxes: list[tuple[float, float, float, float]], profile: PrintProfile
) -> list[str]:
    """Glyphs outside the page's trim box, or beyond the left and right margins (a running
    head or a long word running into the margin)."""
    findings: list[str] = []
    margin = profile.margin_mm * MM
    # A glyph's ink may hang a little past its advance (the tail of a j): a tenth of an em.
    overhang = max(TOLERANCE, profile.font_size * 0.1)
    for glyph in found:
        left, bottom, right, top = glyph.box
        x0, y0, x1, y1 = trim_boxes[glyph.page]
        where = f"page {glyph.page + 1}: {glyph.character!r} at x {left:.0f}-{right:.0f}"
        outside_x = left < x0 - TOLERANCE or right > x1 + TOLERANCE
        outside_y = bottom < y0 - TOLERANCE or top > y1 + TOLERANCE
        if outside_x or outside_y:
            findings.append(f"{where}, y {bottom:.0f}-{top:.0f}: outside the trim box")
        elif left < x0 + margin - overhang or right > x1 - margin + overhang:
            findings.append(f"{where} pt: in the margin (text area {margin:.0f}-{x1 - margin:.0f})")
        if len(findings) >= MAX_FINDINGS:
            break
    return findings


def colour_findings(found: list[Glyph], profile: PrintProfile) -> list[str]:
    """Text in a colour that is neither the scheme's text colour nor its link colour."""
    allowed = {_rgb(profile.foreground): "text", _rgb(profile.link): "link"}
    named = " or ".join(dict.fromkeys((profile.foreground, profile.link)))
    findings: list[str] = []
    for glyph in found:
        if glyph.colour not in allowed:
            colour = "#{:02x}{:02x}{:02x}".format(*glyph.colour)
            findings.append(
                f"page {glyph.page + 1}: {glyph.character!r} in {colour}, not the scheme's "
                f"{named} ({profile.colours})"
            )
            if len(findings) >= MAX_FINDINGS:
                break
    return findings


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


# -- body text size and the title page, from the structure tree ------------------------------


def block_role(element: pikepdf.Dictionary) -> str:
    """The role of the block an element's text belongs to (a Span's paragraph, a cell's TD)."""
    current: Any = element
    for _ in range(50):
        if not isinstance(current, pikepdf.Dictionary):
            break
        role = str(current.get("/S", ""))
        if role in BODY_ROLES or role in HEADING_ROLES:
            return role
        current = current.get("/P")
    return ""


def body_size_findings(
    runs: list[tuple[int, float, pikepdf.Dictionary | None]], body_size: float
) -> list[str]:
    """Every run of body text (paragraphs, list items, table cells, captions) at the body
    size, and every heading at least that size.  ``runs``: (page, size, structure element)."""
    findings: list[str] = []
    for page, size, element in runs:
        if element is None:
            continue
        role = block_role(element)
        if role in BODY_ROLES and abs(size - body_size) > 0.05:
            findings.append(
                f"page {page + 1}: {role[1:]} text at {size:g} pt, not {body_size:g} pt"
            )
        elif role in HEADING_ROLES and size < body_size - 0.05:
            findings.append(
                f"page {page + 1}: {role[1:]} at {size:g} pt, below the body size {body_size:g} pt"
            )
        if len(findings) >= MAX_FINDINGS:
            break
    return findings


def title_page_findings(
    document_kids: list[pikepdf.Dictionary], pages_of: dict[tuple[int, int], list[int]]
) -> list[str]:
    """The title page on one page.  The title block is the first of the document's
    top-level structure elements (the first H1 in it) and, where it ran on, the fragments
    of the same kind after it up to the next part (one holding any other heading, or of
    another kind): every one's content must be on the first page.  ``pages_of`` maps a
    structure element to the pages of its own marked content."""
    if not document_kids or not any(e.get("/S") == "/H1" for e in _descendants(document_kids[0])):
        return ["no title: the first part of the document holds no H1"]
    kind = document_kids[0].get("/S")
    block = [document_kids[0]]
    for kid in document_kids[1:]:
        roles = {str(e.get("/S")) for e in _descendants(kid)}
        if kid.get("/S") != kind or roles & (HEADING_ROLES - {"/H1"}):
            break
        block.append(kid)
    pages: set[int] = set()
    for element in (e for fragment in block for e in _descendants(fragment)):
        pages.update(pages_of.get(element.objgen, []))
    if pages - {0}:
        return [f"the title page runs on to page {max(pages) + 1}: a title page must fit one page"]
    return []


def _descendants(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    found = [element]
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found.extend(_descendants(kid))
    return found
