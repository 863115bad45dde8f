"""Tables a text source flattened into runs of lines, rebuilt where the evidence is clear.

pdftotext reads a two-column table column by column: first every cell of the left
column, then every cell of the right.  Two shapes are told apart reliably here:

- label/value runs: k labels ending in a colon ("Age group:", "Published:"), then k
  values ("All", "23 August 2013").  One pair is joined into one paragraph ("Inspection
  dates: 15 - 19 July 2013"); two or more make a table whose labels are row headers.
- key/value runs: k short codes on lines of their own ("005", "0C32"), then k lines of
  text, repeated group after group (a schedule): one two-column table, its rows paired
  in order.  A value wrapped over two lines is joined where a line does not end its
  sentence, until the counts agree; where they cannot agree nothing is rebuilt.

Anything less clear stays as it was, for the structure review to name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from converter.recovery.model import Block, SourceLine
from converter.recovery.patterns import _BULLET, _NUMBERED, ends_sentence

#: A label: a few words ending in a colon, nothing after it.
_LABEL = re.compile(r"^\s*[^\W\d_][^:]{0,58}:\s*$")
#: A key of a schedule: a short code with a digit in it ("005", "0C10", "A34" is text).
_KEY = re.compile(r"^\s*(?=[0-9A-Z]*\d)[0-9A-Z]{2,6}\s*$")
_VALUE_LIMIT = 90
_WORDS = re.compile(r"[^\W\d_]{3}")


def label_value_run(
    lines: Sequence[SourceLine],
    start: int,
    text: Callable[[SourceLine], str],
    *,
    after_break: bool = True,
) -> tuple[Block, int] | None:
    """Labels then as many values, from ``start``: a paragraph (one pair) or a table.

    One label directly followed by its value could be a sentence's end ("... the
    following:" / "Yes"): it needs a block break before it (``after_break``); a blank line
    between label and value, or two pairs or more, are evidence enough."""
    labels: list[SourceLine] = []
    index = start
    while index < len(lines) and _LABEL.match(text(lines[index])) and _label_ok(text(lines[index])):
        labels.append(lines[index])
        index += 1
    if not labels or len(labels) > 20:
        return None
    gap = _skip_blank(lines, index, text) > index
    if len(labels) == 1 and not gap and not after_break:
        return None
    index = _skip_blank(lines, index, text)
    values: list[SourceLine] = []
    while index < len(lines) and len(values) < len(labels):
        value = text(lines[index])
        if not _value_ok(value):
            return None
        values.append(lines[index])
        index += 1
    if len(values) != len(labels):
        return None
    if index < len(lines) and text(lines[index]).strip() and lines[index].page == values[-1].page:
        return None  # the values run on: not a clean run of pairs
    if len(labels) == 1:
        block = Block("para", [labels[0], values[0]], [text(labels[0]), text(values[0])])
        return block, index
    rows = [[text(a).strip(), text(b).strip()] for a, b in zip(labels, values, strict=True)]
    block = Block("table", labels + values, [text(x) for x in labels + values], rows=rows)
    block.row_headers = True
    return block, index


def _label_ok(label: str) -> bool:
    return len(label.split()) <= 8 and not _BULLET.match(label) and not _NUMBERED.match(label)


def _value_ok(value: str) -> bool:
    stripped = value.strip()
    return (
        bool(stripped)
        and len(stripped) <= _VALUE_LIMIT
        and not stripped.endswith(":")
        and not _BULLET.match(value)
        and not _NUMBERED.match(value)  # "1. apples": a list the label introduces
    )


def _skip_blank(lines: Sequence[SourceLine], index: int, text: Callable[[SourceLine], str]) -> int:
    while index < len(lines) and not text(lines[index]).strip():
        index += 1
    return index


def key_value_table(
    lines: Sequence[SourceLine], start: int, text: Callable[[SourceLine], str], width: int
) -> tuple[Block, int] | None:
    """Groups of k codes followed by k values, as long as they last (across pages too)."""
    rows: list[list[str]] = []
    used: list[SourceLine] = []
    index = start
    end = start
    while True:
        keys: list[SourceLine] = []
        while index < len(lines) and _KEY.match(text(lines[index])):
            keys.append(lines[index])
            index += 1
        if not keys:
            break
        index = _skip_blank(lines, index, text)
        group: list[SourceLine] = []
        while (
            index < len(lines) and text(lines[index]).strip() and not _KEY.match(text(lines[index]))
        ):
            group.append(lines[index])
            index += 1
        values = _pair_values([text(x) for x in group], len(keys), width)
        if values is None or not all(_WORDS.search(v) for v in values):
            break  # codes pair with text (a route, a name); numbers with numbers do not
        rows += [[text(k).strip(), v] for k, v in zip(keys, values, strict=True)]
        used += keys + group
        end = index
        index = _skip_blank(lines, index, text)
    if len(rows) < 2:
        return None
    return Block("table", used, [text(x) for x in used], rows=rows), end


def _pair_values(texts: list[str], count: int, width: int) -> list[str] | None:
    """k values from k or more lines: a line that does not end its sentence and is long
    (it wrapped) is joined with the next until there are k."""
    values = [t.strip() for t in texts]
    while len(values) > count:
        joinable = [
            i
            for i in range(len(values) - 1)
            if not ends_sentence(values[i]) and len(values[i]) >= 0.6 * width
        ]
        if not joinable:
            return None
        i = joinable[0]
        values[i : i + 2] = [f"{values[i]} {values[i + 1]}"]
    return values if len(values) == count and count else None
