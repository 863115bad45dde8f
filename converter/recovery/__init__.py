"""Structure recovery: source lines (from text or PDF) to a canonical tree, for any document.

The public entry point is :func:`recover`.  A reader turns its source into a sequence of
:class:`SourceLine` (1-based line number, text, print page, optional layout hints) and
calls ``recover(lines)``; the result is a canonical ``report`` element whose ``meta/source``
the reader registry completes.  Recognisers for particular publishers (Ofsted, in
``ofsted.py``) refine the general blocks; the general layer knows nothing of them.

The steps, each linear in the number of lines:

1. artifacts: bare page numbers, ``Page N of M``, running headers and footers (a line
   repeated at the same edge of many pages), contents-page numbers and table rules are
   set aside with their line and reason;
2. lost hyphens repaired on over-long lines (see :func:`repair_lost_hyphens`);
3. lines grouped into blocks (paragraphs, headings, list items, numbered paragraphs,
   tables), joining hard-wrapped lines and paragraphs split by a page break;
4. recognisers refine the blocks and say what the document is (title, kind, dates ...);
5. headings get levels where the evidence is good (PDF tags and type sizes, a
   recogniser's knowledge, a numbering scheme), and the blocks become nested sections,
   paragraphs, lists and tables with stable ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from lxml import etree

from converter.recovery.artifacts import find_artifacts
from converter.recovery.blocks import _Grouper, estimate_width
from converter.recovery.build import build
from converter.recovery.characters import normalise
from converter.recovery.columns import undo_interleaved_columns
from converter.recovery.facts import general_facts
from converter.recovery.headings import (
    assign_levels,
    classify_headings,
    mark_contents,
    mark_numbered_paragraphs,
)
from converter.recovery.hyphens import repair_lost_hyphens
from converter.recovery.model import Block, Document, Facts, Recogniser, SourceLine
from converter.recovery.notes import Note, find_notes

__all__ = ["Block", "Document", "Facts", "Recogniser", "SourceLine", "analyse", "recover"]


def recover(
    lines: Sequence[SourceLine],
    *,
    language: str = "en",
    recognisers: Sequence[Recogniser] = (),
) -> etree._Element:
    """A canonical ``report`` tree recovered from source lines.

    ``meta/source`` is left for the caller (the reader registry) to complete, except
    ``@pages``, set when the lines span more than one page.  ``recognisers`` are tried in
    turn (a reader passes the registered ones); the first that knows the document says
    what it is, and without any the general layer alone recovers it.
    """
    document = analyse(lines)
    facts = None
    for recognise in recognisers:
        facts = recognise(document)
        if facts is not None:
            break
    facts = facts or general_facts(document)
    back_start = facts.back_start if facts.back_start is not None else len(document.blocks)
    assign_levels(document.blocks[:back_start])
    return build(document, facts, language=language)


def analyse(lines: Sequence[SourceLine]) -> Document:
    """Steps 1-3: artifacts, hyphen repair and blocks (headings and numbering marked)."""
    lines = [replace(x, text=normalise(x.text)) for x in lines]
    artifacts = find_artifacts(lines)
    content = [x for x in lines if x.number not in artifacts]
    if not any(x.text.strip() for x in content):
        # A text made only of what looks like artifacts (a lone number) is content.
        artifacts, content = {}, lines
    content = undo_interleaved_columns(content)
    width = estimate_width(content)
    repaired = repair_lost_hyphens(content, width, set())
    texts = {number: text for number, (text, _) in repaired.items()}
    repairs = [
        (number, found, fixed)
        for number, (_, pairs) in sorted(repaired.items())
        for found, fixed in pairs
    ]
    notes, cited = find_notes(content, texts)
    texts.update(cited)
    in_notes = {x.number for note in notes for x in note.lines}
    flow = [x for x in content if x.number not in in_notes]
    blocks = _Grouper(flow, texts, width).run() if flow else []
    for block in blocks:
        _orphan_marker_text(block)
    # A bullet with no text (a stray glyph at a page's foot) holds no word: no item.
    blocks = [b for b in blocks if not (b.kind == "item" and not b.text.strip())]
    _place_notes(blocks, notes)
    mark_contents(blocks)
    classify_headings(blocks, width)
    mark_numbered_paragraphs(blocks)
    pages = max((x.page for x in lines), default=1)
    return Document(lines, artifacts, blocks, width, pages, repairs)


def _place_notes(blocks: list[Block], notes: list[Note]) -> None:
    """Each note as a block after the block that cites it (the first block when the
    citing line is no block's, as a title's is not once the title goes to meta)."""
    for note in reversed(notes):
        block = Block("note", note.lines, note.texts, marker=note.label)
        block.ident = f"note-{note.number}"
        citing = next(
            (i for i, b in enumerate(blocks) if any(x.number == note.cited_at for x in b.lines)),
            None,
        )
        blocks.insert(citing + 1 if citing is not None else 0, block)


def _orphan_marker_text(block: Block) -> None:
    """A bullet or number alone on its line took the next line as its text; tidy the first."""
    if block.kind in ("item", "numbered") and block.texts and not block.texts[0].strip():
        block.texts = block.texts[1:] or [""]
        block.texts.insert(0, "")
