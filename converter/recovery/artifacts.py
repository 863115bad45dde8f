"""Step 1: page furniture (running heads and feet, page numbers, rules, contents leaders)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from converter.recovery.model import SourceLine
from converter.recovery.patterns import (
    _BARE_NUMBER,
    _PAGE_OF,
    _RULE,
    _SPACES,
    _TRAILING_NUMBER,
)

# --- 1. artifacts -------------------------------------------------------------------------

_HEADER_ZONE = 3
_FOOTER_ZONE = 5


def find_artifacts(lines: Sequence[SourceLine]) -> dict[int, str]:
    """Line numbers of print artifacts with their reason.

    A running header or footer is a line (its trailing page number ignored) repeated at
    the same edge (first three or last five non-blank lines) of at least half the pages
    after the first; a page number is a bare number equal to the page's own number at an
    edge, or ``Page N of M`` anywhere.  Only one page number is taken per page: the one
    nearest the edge, so a footnote label above it stays text.
    """
    pages: dict[int, list[SourceLine]] = {}
    for line in lines:
        if line.text.strip():
            pages.setdefault(line.page, []).append(line)
    artifacts: dict[int, str] = {}
    page_count = max(pages, default=1)
    header_keys: Counter[str] = Counter()
    footer_keys: Counter[str] = Counter()
    for page_lines in pages.values():
        header_keys.update({_edge_key(x.text) for x in page_lines[:_HEADER_ZONE]})
        footer_keys.update({_edge_key(x.text) for x in page_lines[-_FOOTER_ZONE:]})
    needed = max(2, math.ceil((page_count - 1) / 2))
    for page, page_lines in pages.items():
        contents_page = any(
            x.text.strip().casefold() in ("contents", "table of contents") for x in page_lines[:3]
        )
        for zone, keys, reason in (
            (page_lines[:_HEADER_ZONE], header_keys, "running-header"),
            (page_lines[-_FOOTER_ZONE:], footer_keys, "running-footer"),
        ):
            for line in zone:
                key = _edge_key(line.text)
                if key != "#" and len(key) > 1 and keys[key] >= needed and page_count >= 3:
                    artifacts[line.number] = reason
        for line in page_lines:
            if _PAGE_OF.match(line.text):
                artifacts[line.number] = "page-number"
            elif _RULE.match(line.text):
                artifacts[line.number] = "table-rule"
        number_line = _page_number_line(page, page_lines)
        if number_line is not None:
            artifacts[number_line] = "page-number"
        if contents_page:
            for line in page_lines:
                if _BARE_NUMBER.match(line.text) and line.number not in artifacts:
                    artifacts[line.number] = "contents-page-number"
    return artifacts


def _edge_key(text: str) -> str:
    key = _SPACES.sub(" ", text.strip())
    return _TRAILING_NUMBER.sub(" #", key).strip() if key else key


def _page_number_line(page: int, page_lines: list[SourceLine]) -> int | None:
    footer = [x for x in page_lines[-4:] if _BARE_NUMBER.match(x.text) and int(x.text) == page]
    if footer:
        return footer[-1].number
    header = [x for x in page_lines[:2] if _BARE_NUMBER.match(x.text) and int(x.text) == page]
    return header[0].number if header else None
