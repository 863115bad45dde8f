"""The `brf` writer: braille pages as North American ASCII braille (CR LF lines, form feeds)."""

from __future__ import annotations

from lxml import etree

from converter.options import Options
from converter.writers import braille

LINE_END = "\r\n"
PAGE_END = "\f"


def write(root: etree._Element, options: Options) -> bytes:
    return encode(braille.layout(root, options))


def encode(document: braille.BrailleDocument) -> bytes:
    """Every line ends CR LF and every page, the last too, ends with a form feed.

    The whole document goes through liblouis's BRF display table in one call; the
    lines are then cut out of the result by their known lengths.
    """
    lines = [[braille.line_text(line) for line in page.lines] for page in document.pages]
    ascii_text = braille.to_ascii("".join(text for page in lines for text in page))
    out: list[str] = []
    position = 0
    for page in lines:
        for text in page:
            out.append(ascii_text[position : position + len(text)] + LINE_END)
            position += len(text)
        out.append(PAGE_END)
    return "".join(out).encode("ascii")


def describe(payload: bytes, options: Options) -> str:
    """'27 braille pages, grade 2 (contracted), 40 x 25'."""
    return braille.describe_pages(payload.count(PAGE_END.encode("ascii")), options)
