"""Two columns of prose set side by side in a layout-mode text, read one after the other.

``pdftotext -layout`` keeps a two-column page's columns on shared lines, the left
column's line, a run of spaces, the right column's line: read as it stands, every line
interleaves two paragraphs.  A run of such lines whose gap stands at one column, with
prose on both sides (long parts, most not ending a sentence: text wrapping), is read as
the left column's lines, then the right's.  A table laid out in columns (short cells,
or cells that end their sentences) is left for the table reader.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from converter.recovery.model import SourceLine

_GAP = re.compile(r"\S(\s{4,})(?=\S)")
#: Lines in a row that must share the gap before the run is believed.
_RUN = 4
_PROSE = 25  # characters: the mean length of a column's parts that makes them prose


def undo_interleaved_columns(lines: Sequence[SourceLine]) -> list[SourceLine]:
    """The lines, with each run of two prose columns read column by column."""
    result: list[SourceLine] = []
    index = 0
    while index < len(lines):
        run = _run_at(lines, index)
        if run is None:
            result.append(lines[index])
            index += 1
            continue
        end, column = run
        lefts, rights = [], []
        for line in lines[index:end]:
            if not line.text.strip():
                lefts.append(line)
                continue
            left, right = line.text[:column].rstrip(), line.text[column:].strip()
            lefts.append(replace(line, text=left))
            if right:
                rights.append(replace(line, text=right))
        result += [*lefts, replace(lines[end - 1], text=""), *rights]
        index = end
    return result


def _split_at(text: str) -> int | None:
    match = _GAP.search(text.rstrip())
    return match.end(1) if match and match.start(1) >= 20 else None


def _run_at(lines: Sequence[SourceLine], start: int) -> tuple[int, int] | None:
    column = _split_at(lines[start].text)
    if column is None:
        return None
    end = start
    parts: list[tuple[str, str]] = []
    while end < len(lines):
        text = lines[end].text
        if not text.strip():
            if end + 1 < len(lines) and _near(_split_at(lines[end + 1].text), column):
                end += 1  # a blank line inside both columns (a paragraph gap)
                continue
            break
        at = _split_at(text)
        if not _near(at, column) or lines[end].page != lines[start].page:
            break
        parts.append((text[:column].strip(), text[column:].strip()))
        end += 1
    if len(parts) < _RUN:
        return None
    lefts = [left for left, _ in parts]
    rights = [right for _, right in parts]
    prose = all(sum(map(len, side)) / len(side) >= _PROSE for side in (lefts, rights))
    wrapping = sum(not re.search(r"[.!?:]$", left) for left in lefts) >= len(lefts) / 2
    return (end, column) if prose and wrapping else None


def _near(at: int | None, column: int) -> bool:
    return at is not None and abs(at - column) <= 3
