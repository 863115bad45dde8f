"""What the general layer can tell of any document: its title, subtitle and own date."""

from __future__ import annotations

from converter.recovery.dates import find_dates
from converter.recovery.model import Block, Document, Facts
from converter.recovery.patterns import ends_sentence

#: A title or subtitle is a line, not a paragraph.
_TITLE_LIMIT = 160


def general_facts(document: Document) -> Facts:
    """Title for a document no recogniser knows: its first heading, else its first short
    line (either taken out of the body, as meta renders it); a short line under it is the
    subtitle; a date on its own line just below (or in the title) is the document's date.
    A document that opens with a paragraph keeps it: its first line only names it."""
    facts = Facts()
    _publication(document, facts)
    blocks = document.blocks
    index = next((i for i, b in enumerate(blocks[:3]) if b.kind == "heading"), None)
    if index is None and blocks and _one_line(blocks[0]):
        index = 0
    if index is None:
        if blocks:
            first = blocks[0]
            facts.title = first.texts[0].strip()[:200] if first.texts else None
        return facts
    title = blocks.pop(index)
    facts.title = title.text
    facts.title_lines = tuple(x.number for x in title.lines)
    if index < len(blocks) and _subtitle(blocks[index]) and blocks[index].first == title.last + 1:
        # A short line set directly under the title (no space between) completes it.
        facts.subtitle = blocks.pop(index).text
    for block in [title, *blocks[index : index + 2]]:
        dates = find_dates(block.text)
        whole = dates and (block is title or dates[0].written == block.text.strip())
        if whole:
            facts.dates.append(("document", dates[0].when, dates[0].written))
            break
    return facts


def _publication(document: Document, facts: Facts) -> None:
    """A day printed beside the copyright sign ("04/09/2015 \u00a9 MOPAC (2015)"), running
    footers included, is the day of publication."""
    for line in document.lines:
        if "\u00a9" in line.text:
            days = [w for w in find_dates(line.text) if len(w.when) == 10]
            if days:
                facts.dates.append(("publication", days[0].when, line.text.strip()))
                return


def _one_line(block: Block) -> bool:
    text = block.text.strip()
    return (
        block.kind in ("para", "heading")
        and len(block.lines) == 1
        and 0 < len(text) <= _TITLE_LIMIT
        and not ends_sentence(text)
    )


def _subtitle(block: Block) -> bool:
    text = block.text.strip()
    return (
        _one_line(block)
        and len(text.split()) <= 8
        and not text.endswith(":")
        and not find_dates(text)
        and any(ch.isalpha() for ch in text)
    )
