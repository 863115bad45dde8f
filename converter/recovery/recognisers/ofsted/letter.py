"""A letter (focused and monitoring visits): letterhead, date, recipient, salutation, title,
the visit's dates in its first sentences, closing and signature."""

from __future__ import annotations

import re

from converter.recovery.dates import find_dates, parse_range
from converter.recovery.model import Block, Document, Facts
from converter.recovery.recognisers.ofsted.vocabulary import CLOSING, DEAR

#: "... on 1 and 2 October 2019", "... on 13 October 2020", "between 3 and 5 March".
_VISIT_WHEN = re.compile(r"\b(?:on|between|from)\s+(\d{1,2}\b.{0,40}?\b\d{4})", re.IGNORECASE)


def find_salutation(document: Document) -> int | None:
    return next((i for i, b in enumerate(document.blocks[:40]) if DEAR.match(b.text)), None)


def read_letter(document: Document, facts: Facts, dear: int) -> None:
    blocks = document.blocks
    for block in blocks[:dear]:
        block.kind = "para"
        _number_into_text(block)
        day = [w for w in find_dates(block.text) if len(w.when) == 10]
        if day and day[0].written == block.text.strip():
            block.role = "date"
            facts.dates.append(("letter", day[0].when, block.text.strip()))
        else:
            block.role = "address"
    salutation = blocks[dear]
    salutation.kind, salutation.role = "para", "salutation"
    # The salutation may have swallowed the title line when both lack punctuation.
    if len(salutation.lines) > 1 and DEAR.match(salutation.texts[0].strip()):
        title_block = Block("heading", salutation.lines[1:], salutation.texts[1:])
        salutation.lines, salutation.texts = salutation.lines[:1], salutation.texts[:1]
        blocks.insert(dear + 1, title_block)
    # A numbered or bulleted block is the letter's first paragraph, never its subject line.
    if dear + 1 < len(blocks) and not blocks[dear + 1].marker:
        _title_line_alone(blocks, dear + 1)
        title = blocks[dear + 1]
        facts.title = title.text
        facts.title_lines = tuple(x.number for x in title.lines)
        del blocks[dear + 1]
    _merge_address_runs(blocks, dear)
    dear = next(i for i, b in enumerate(blocks) if b.role == "salutation")
    for block in blocks[dear + 1 : dear + 6]:
        visit = _VISIT_WHEN.search(block.text)
        found = parse_range(visit.group(1)) if visit else None
        if visit and found:
            written = visit.group(1)
            facts.dates.append(("inspection-start", found[0].isoformat(), written))
            facts.dates.append(("inspection-end", found[1].isoformat(), written))
            break
    closing = next((i for i, b in enumerate(blocks) if CLOSING.match(b.text)), None)
    if closing is not None:
        _sign_off(blocks, closing, facts)


def _number_into_text(block: Block) -> None:
    """A number read as a numbered line's is, before the salutation, part of an address
    or date: it goes back into the text, where merging address lines keeps it."""
    if block.marker.isdigit() and block.n is None:
        block.texts[0] = f"{block.marker}. {block.texts[0]}".rstrip()
        block.marker = ""


def _title_line_alone(blocks: list[Block], index: int) -> None:
    """The letter's subject line may run on into its first paragraph when no blank line
    parts them: the title ends at the first line followed by a capitalised one."""
    block = blocks[index]
    cut = next(
        (
            i
            for i in range(1, len(block.texts))
            if block.texts[i].strip()[:1].isupper()
            and not block.texts[i - 1].rstrip().endswith((",", "-"))
        ),
        None,
    )
    if cut is not None:
        rest = Block("para", block.lines[cut:], block.texts[cut:])
        block.lines, block.texts = block.lines[:cut], block.texts[:cut]
        blocks.insert(index + 1, rest)


def _sign_off(blocks: list[Block], closing: int, facts: Facts) -> None:
    """'Yours sincerely' and the signature after it; a closing that ran on into the
    signature lines (no blank line between) is split apart."""
    block = blocks[closing]
    cut = next((i for i, t in enumerate(block.texts) if CLOSING.match(t.strip())), 0)
    if len(block.texts) > cut + 1:
        rest = Block("para", block.lines[cut + 1 :], block.texts[cut + 1 :])
        block.lines, block.texts = block.lines[: cut + 1], block.texts[: cut + 1]
        blocks.insert(closing + 1, rest)
    block.kind, block.role = "para", "closing"
    signature = blocks[closing + 1 :]
    for part in signature:
        part.kind, part.role = "para", "signature"
    names = [t.strip() for b in signature for t in b.texts if t.strip()]
    if names:
        facts.people.append(("signatory", ", ".join(names)))


def _merge_address_runs(blocks: list[Block], end: int) -> None:
    """Consecutive address lines before the salutation make one address paragraph each run."""
    index = 0
    while index < end and index < len(blocks):
        block = blocks[index]
        if (
            block.role == "address"
            and index + 1 < end
            and blocks[index + 1].role == "address"
            and blocks[index + 1].first - block.last == 1
        ):
            block.lines += blocks[index + 1].lines
            block.texts += blocks[index + 1].texts
            del blocks[index + 1]
            end -= 1
            continue
        index += 1
