"""Read plain text (pdftotext output too): decode, split into source lines, recover structure."""

from __future__ import annotations

from lxml import etree

from converter.readers.decode import decode_text
from converter.recovery import SourceLine, recover
from converter.recovery.recognisers import RECOGNISERS


def source_lines(text: str) -> list[SourceLine]:
    """Lines numbered from 1, each with its print page: 1 + the form feeds before it.

    A form feed starts a new page wherever it sits in a line (pdftotext puts it at the
    start of the next page's first line); it is not part of any line's text.  A final
    form feed (pdftotext ends every page with one) opens no new page.
    """
    lines: list[SourceLine] = []
    page = 1
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    raw_lines = body.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    total_feeds = body.count("\f")
    trailing = total_feeds > 0 and body.rstrip("\n").endswith("\f")
    seen = 0
    for number, raw in enumerate(raw_lines, start=1):
        if "\f" in raw:
            parts = raw.split("\f")
            for part_index in range(1, len(parts)):
                seen += 1
                # The document's very last form feed closes the last page, opening none.
                if not (trailing and seen == total_feeds and not any(parts[part_index:])):
                    page += 1
            raw = "".join(parts)
        lines.append(SourceLine(number=number, text=raw.expandtabs(8), page=page))
    return lines


def read(data: bytes, *, name: str) -> etree._Element:
    text = decode_text(data, source=name)
    return recover(source_lines(text), recognisers=RECOGNISERS)
