"""Footnotes: a marker glued to a word ("area1", "improve?1") and its note at the page foot.

A text layer keeps a superscript footnote marker as a digit run on into the word before
it, and the note itself at the foot of the page, as a bare label line with the note's
text after it (or before it: pdftotext puts either first) or as one line "1 The ...".
Neither half alone is evidence (a digit after a word is also a code, "MK42"; a bare
number at a page foot is also a page number or a table cell): a footnote is recovered
only when a marker and a note with the same label are found on one page.

The marker is cut from its word and left in the line as :data:`NOTEREF` sentinels that
the tree builder turns into ``noteref``; the note's lines leave the flow of the page and
become a ``note`` block placed after the block that cites it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from converter.recovery.model import SourceLine

#: Marks a footnote reference inside a line's text: SENTINEL + note number + SENTINEL.
#: U+001A never survives into a line (control characters are normalised away first), and
#: unlike U+001C-U+001F it is not whitespace to str.strip().
SENTINEL = "\x1a"
NOTEREF = re.compile(f"{SENTINEL}(\\d+){SENTINEL}")
#: A marker: one or two digits run on to a lower-case letter, a closing bracket, quote or
#: question mark, at the end of a word.
_MARKER = re.compile(r"(?<=[a-z?)\u201d\u2019])(\d{1,2})(?=[\s.,;:)\u2019\u201d]|$)")
_BARE = re.compile(r"^\s*(\d{1,2})\s*$")
_INLINE = re.compile(r"^\s*(\d{1,2})\s+(?=[A-Z\u2018\u201c(])")
#: How far up from the page foot a note may stand (non-blank lines).
_FOOT = 14


@dataclass
class Note:
    """One recovered footnote."""

    number: int  # 1-based order in the document: note-1, note-2 ...
    label: str  # the marker as printed
    page: int
    lines: list[SourceLine]  # the note's lines, its label line included
    texts: list[str]  # the note's text, line by line, the label cut ("" for a label line)
    cited_at: int  # the source line that carries the marker


def find_notes(
    lines: Sequence[SourceLine], texts: dict[int, str]
) -> tuple[list[Note], dict[int, str]]:
    """Footnotes of content lines, and the citing lines' texts with their markers cut.

    ``texts`` holds repaired texts of some lines (others read as written).
    """
    by_page: dict[int, list[SourceLine]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    notes: list[Note] = []
    cited: dict[int, str] = {}
    for page, page_lines in by_page.items():
        text_of = {x.number: texts.get(x.number, x.text) for x in page_lines}
        markers = [
            (line, match)
            for line in page_lines
            for match in _MARKER.finditer(text_of[line.number])
            if 1 <= int(match.group(1)) <= 99
        ]
        if not markers:
            continue
        taken: set[int] = set()
        for line, match in markers:
            found = _note_at_foot(page_lines, text_of, match.group(1), taken)
            if found is None or line.number in {x.number for x in found[0]}:
                continue
            note_lines, note_texts = found
            taken.update(x.number for x in note_lines)
            note = Note(len(notes) + 1, match.group(1), page, note_lines, note_texts, line.number)
            notes.append(note)
            current = cited.get(line.number, text_of[line.number])
            cited[line.number] = _cut_marker(current, match, note.number)
    return notes, cited


def _cut_marker(text: str, match: re.Match[str], number: int) -> str:
    """The line with one marker replaced by a sentinel (found again: earlier cuts moved it)."""
    pattern = re.compile(rf"(?<=[a-z?)\u201d\u2019]){match.group(1)}(?=[\s.,;:)\u2019\u201d]|$)")
    for candidate in pattern.finditer(text):
        if SENTINEL not in text[max(0, candidate.start() - 1) : candidate.start()]:
            return (
                f"{text[: candidate.start()]}{SENTINEL}{number}{SENTINEL}{text[candidate.end() :]}"
            )
    return text


def _note_at_foot(
    page_lines: list[SourceLine], text_of: dict[int, str], label: str, taken: set[int]
) -> tuple[list[SourceLine], list[str]] | None:
    """The note labelled ``label`` among the last lines of a page, with its text."""
    blank = [not text_of[x.number].strip() for x in page_lines]
    content = [i for i, b in enumerate(blank) if not b]
    foot = content[-_FOOT:]
    for position in reversed(foot):
        line = page_lines[position]
        if line.number in taken:
            continue
        text = text_of[line.number]
        bare = _BARE.match(text)
        inline = _INLINE.match(text)
        if bare and bare.group(1) == label:
            last = position == content[-1]
            run = _run(page_lines, blank, position, backwards=last)
            if not run:
                continue
            if last:
                return [*run, line], [*(text_of[x.number] for x in run), ""]
            return [line, *run], ["", *(text_of[x.number] for x in run)]
        if inline and inline.group(1) == label and (position == 0 or blank[position - 1]):
            run = [line, *_run(page_lines, blank, position, backwards=False)]
            run_texts = [text[inline.end() :], *(text_of[x.number] for x in run[1:])]
            return run, run_texts
    return None


def _run(
    page_lines: list[SourceLine], blank: list[bool], position: int, *, backwards: bool
) -> list[SourceLine]:
    """The lines of text next to a label: the run before it (to a blank line) or after it
    (skipping one blank line, to the next blank line or the page's end)."""
    step = -1 if backwards else 1
    index = position + step
    if not backwards and 0 <= index < len(blank) and blank[index]:
        index += step
    run: list[SourceLine] = []
    while 0 <= index < len(page_lines) and not blank[index]:
        if _BARE.match(page_lines[index].text):
            break
        run.append(page_lines[index])
        index += step
    return list(reversed(run)) if backwards else run
