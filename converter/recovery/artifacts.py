"""Step 1: page furniture (running heads and feet, page numbers, rules, contents leaders)."""

from __future__ import annotations

import math
import re
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

_LEADING_NUMBER = re.compile(r"^\d{1,4}\s+(?=\D)")
#: "3 of 13" standing alone: a page number in the form some word processors print.
_N_OF_M = re.compile(r"^\s*(\d{1,4})\s+of\s+(\d{1,4})\s*$", re.IGNORECASE)

_HEADER_ZONE = 3
_FOOTER_ZONE = 5
#: A page number stands among the first two or last four non-blank lines of its page.
_NUMBER_HEAD = 2
_NUMBER_FOOT = 4
#: Printed page numbers that differ from the page's place in the file (front matter not
#: numbered) must agree on the offset on this many pages before they are believed.
_OFFSET_PAGES = 3
#: A line repeated anywhere on the page (not only at its edge) is furniture only when it is
#: this long: short lines ("Summary", "Inspection findings") repeat as headings.
_ANYWHERE_LENGTH = 20


def find_artifacts(lines: Sequence[SourceLine]) -> dict[int, str]:
    """Line numbers of print artifacts with their reason.

    Page numbers: ``Page N``, ``Page N of M`` and ``N of M`` anywhere; a bare number among
    the first two or last four lines of its page when it equals the page's place in the
    file, or differs from it by the same offset on several pages (a report whose cover
    and contents are not numbered).  One per page, the one nearest the edge, so a
    footnote label above it stays text; numbers with a leading zero are never page
    numbers (they are codes in a table).

    Running heads and feet: a line (its page number ignored) repeated at the same edge
    (first three or last five non-blank lines) of at least half the pages after the
    first; a long line repeated on at least half the pages wherever it falls (pdftotext
    puts some footers mid-page); in a two-page document, a line on both pages (also
    where the other page breaks it in two).  On page 1 a running head that opens the
    page and reads as a title (three words or more) is the title, not furniture.

    Contents pages give their page numbers (``contents-page-number``); rules of dashes
    or underscores are ``table-rule``.
    """
    pages: dict[int, list[SourceLine]] = {}
    for line in lines:
        if line.text.strip():
            pages.setdefault(line.page, []).append(line)
    artifacts: dict[int, str] = {}
    page_count = max(pages, default=1)
    for number, reason in _running_lines(pages, page_count).items():
        artifacts[number] = reason
    numbered = _page_numbers(pages, page_count, artifacts)
    artifacts.update(dict.fromkeys(numbered, "page-number"))
    for page_lines in pages.values():
        for line in page_lines:
            if line.number in artifacts:
                continue
            if _RULE.match(line.text):
                artifacts[line.number] = "table-rule"
        if _is_contents_page(page_lines):
            for line in page_lines:
                if _BARE_NUMBER.match(line.text) and line.number not in artifacts:
                    artifacts[line.number] = "contents-page-number"
    return artifacts


def _is_contents_page(page_lines: list[SourceLine]) -> bool:
    return any(
        x.text.strip().casefold() in ("contents", "table of contents")
        for x in page_lines[: _HEADER_ZONE + 1]
    )


def _edge_key(text: str) -> str:
    """A line's text with its page number and spacing ignored: what repeats page to page."""
    key = _SPACES.sub(" ", text.strip())
    if not key:
        return key
    key = _LEADING_NUMBER.sub("# ", key)
    return _TRAILING_NUMBER.sub(" #", key).strip() if " " in key else key


def _running_lines(pages: dict[int, list[SourceLine]], page_count: int) -> dict[int, str]:
    found: dict[int, str] = {}
    if page_count < 2:
        return found
    header_keys: Counter[str] = Counter()
    footer_keys: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    for page_lines in pages.values():
        if _is_contents_page(page_lines):
            continue  # contents entries repeat headings, which are not furniture
        header_keys.update({_edge_key(x.text) for x in page_lines[:_HEADER_ZONE]})
        footer_keys.update({_edge_key(x.text) for x in page_lines[-_FOOTER_ZONE:]})
        header_keys.update({_exact(x.text) for x in page_lines[:_HEADER_ZONE]})
        footer_keys.update({_exact(x.text) for x in page_lines[-_FOOTER_ZONE:]})
        anywhere.update({_edge_key(x.text) for x in page_lines})
    needed = max(2, math.ceil((page_count - 1) / 2))
    for page_lines in pages.values():
        for zone, keys, reason in (
            (page_lines[:_HEADER_ZONE], header_keys, "running-header"),
            (page_lines[-_FOOTER_ZONE:], footer_keys, "running-footer"),
        ):
            for line in zone:
                key = _edge_key(line.text)
                exact = _exact(line.text)
                repeated = (_furniture_key(key) and keys[key] >= needed) or (
                    any(ch.isalnum() for ch in exact) and keys[exact] >= needed
                )
                if repeated and page_count >= 3:
                    found.setdefault(line.number, reason)
        middle = len(page_lines) / 2
        for index, line in enumerate(page_lines):
            key = _edge_key(line.text)
            if line.number in found or not _furniture_key(key) or len(key) < _ANYWHERE_LENGTH:
                continue
            if page_count >= 3 and anywhere[key] >= needed:
                found[line.number] = "running-header" if index < middle else "running-footer"
    if page_count == 2:
        found.update(_two_page_repeats(pages))
    first_page = pages.get(min(pages, default=1), [])
    if first_page and first_page[0].number in found and _title_like(first_page[0].text):
        del found[first_page[0].number]
    return found


def _exact(text: str) -> str:
    """The line's text exactly (spacing aside), told apart from any edge key."""
    return "=" + _SPACES.sub(" ", text.strip())


def _furniture_key(key: str) -> bool:
    """A key with its numbers generalised is furniture only when it has words: codes
    ("0C87", "0C93") share a key as table data at the page edges.  A line repeated
    exactly ("H/16-17") needs no words."""
    return re.search(r"[^\W\d_]{2}", key) is not None


def _title_like(text: str) -> bool:
    return len(text.split()) >= 3 and any(ch.isalpha() for ch in text)


def _two_page_repeats(pages: dict[int, list[SourceLine]]) -> dict[int, str]:
    """Lines printed on both pages of a two-page document: whole, or broken in two on one."""
    found: dict[int, str] = {}
    if len(pages) < 2:
        return found  # two pages counted, one with text: nothing repeats
    first, second = (pages[page] for page in sorted(pages)[:2])
    if _is_contents_page(first) or _is_contents_page(second):
        return found  # contents entries repeat the headings of the other page
    for this, other in ((first, second), (second, first)):
        texts = {_SPACES.sub(" ", x.text.strip()) for x in other}
        for index, line in enumerate(this):
            text = _SPACES.sub(" ", line.text.strip())
            if len(text) < 15 or not any(ch.isalpha() for ch in text):
                continue
            if text in texts or _broken_in_two(text, texts):
                reason = "running-header" if index < len(this) / 2 else "running-footer"
                found[line.number] = reason
    # A piece of a line repeated whole on the other page is furniture too.
    for this, other in ((first, second), (second, first)):
        whole = {_SPACES.sub(" ", x.text.strip()) for x in other if x.number in found}
        for line in this:
            text = _SPACES.sub(" ", line.text.strip())
            if (
                line.number not in found
                and text
                and any(w.startswith(text + " ") or w.endswith(" " + text) for w in whole)
            ):
                found[line.number] = "running-footer"
    return found


def _broken_in_two(text: str, texts: set[str]) -> bool:
    words = text.split(" ")
    return any(
        " ".join(words[:cut]) in texts and " ".join(words[cut:]) in texts
        for cut in range(1, len(words))
    )


#: A footnote marker run on to its word ("council1"), as converter.recovery.notes reads it.
_MARKER = re.compile(r"(?<=[a-z?)\u201d\u2019])(\d{1,2})(?=[\s.,;:)\u2019\u201d]|$)")


def _footnote_label(line: SourceLine, page_lines: list[SourceLine]) -> bool:
    """A bare number at a page's foot that a marker on the page cites, with text beside
    it: a footnote's label, not the page's number."""
    label = line.text.strip()
    index = page_lines.index(line)
    beside = page_lines[max(0, index - 1) : index] + page_lines[index + 1 : index + 2]
    texts_beside = any(not _BARE_NUMBER.match(x.text) and len(x.text.split()) >= 3 for x in beside)
    cited = any(label in _MARKER.findall(x.text) for x in page_lines if x is not line)
    return texts_beside and cited


def _page_numbers(
    pages: dict[int, list[SourceLine]], page_count: int, taken: dict[int, str]
) -> list[int]:
    """The line of each page that carries its printed page number, where one does."""
    found: list[int] = []
    candidates: dict[int, list[tuple[int, SourceLine]]] = {}
    offsets: Counter[int] = Counter()
    for page, page_lines in pages.items():
        explicit = [x for x in page_lines if _PAGE_OF.match(x.text) or _N_OF_M.match(x.text)]
        if explicit:
            found.append(explicit[-1].number)
            continue
        head = page_lines[:_NUMBER_HEAD]
        foot = page_lines[-_NUMBER_FOOT:]
        edge = [x for x in head if x.number not in taken]
        edge += [x for x in foot if x.number not in taken and x not in head]
        numbers = [
            (int(match.group(1)), x)
            for x in edge
            if (match := _BARE_NUMBER.match(x.text)) and not match.group(1).startswith("0")
        ]
        candidates[page] = [(page - value, x) for value, x in numbers]
        offsets.update({page - value for value, _ in numbers})
    believed = {0} | {
        offset
        for offset, count in offsets.items()
        if offset != 0 and count >= max(_OFFSET_PAGES, (page_count - 1) // 3)
    }
    fitting: dict[int, tuple[list[SourceLine], list[SourceLine]]] = {}
    for page, options in candidates.items():
        lines = [
            x for offset, x in options if offset in believed and (offset == 0 or page > offset)
        ]
        head = [x for x in lines if x in pages[page][:_NUMBER_HEAD]]
        foot = [
            x
            for x in lines
            if x in pages[page][-_NUMBER_FOOT:] and not _footnote_label(x, pages[page])
        ]
        fitting[page] = ([x for x in head if x not in foot], foot)
    # Where a page has a number at both edges (a footnote label at the foot, say), the edge
    # the other pages number at decides; the foot when they do not say.
    heads = sum(1 for head, foot in fitting.values() if head and not foot)
    feet = sum(1 for head, foot in fitting.values() if foot and not head)
    for head, foot in fitting.values():
        if foot and (not head or feet >= heads):
            found.append(foot[-1].number)  # the one nearest the edge
        elif head:
            found.append(head[0].number)
    return found
