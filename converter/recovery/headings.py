"""Step 4: headings told from paragraphs, contents lists, numbered paragraphs, heading levels."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from converter.recovery.model import Block
from converter.recovery.patterns import (
    _BARE_NUMBER,
    _LINK,
    _WORD_CHAR,
    ends_sentence,
)


def classify_headings(blocks: list[Block], width: int) -> None:
    """Mark short, unpunctuated, stand-alone paragraphs as headings; address-like runs stay text."""
    for block in blocks:
        if block.kind == "para" and _looks_heading(block):
            block.kind = "heading"
    # Three or more short heading-like lines in a row are an address or a list of
    # names, not headings; a line the source sets larger (PDF layout hints) ends a run.
    body_size = _body_font_size(blocks)
    index = 0
    while index < len(blocks):
        end = index
        while (
            end < len(blocks)
            and blocks[end].kind == "heading"
            and not blocks[end].marker  # a heading marked with hashes is one for certain
            and len(blocks[end].text) <= 40
            and len(blocks[end].lines) == 1
            and not _set_larger(blocks[end], body_size)
        ):
            end += 1
        if end - index >= 3:
            for block in blocks[index:end]:
                block.kind = "para"
        index = max(end, index + 1)
    # Among figures (a table the text flattened into runs of numbers) a short line is a
    # column header or a cell, not a heading.
    for index, block in enumerate(blocks):
        before = blocks[index - 1] if index else None
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        if (
            block.kind == "heading"
            and any(b is not None and _figures(b) for b in (before, after))
            and not _set_larger(block, body_size)
        ):
            block.kind = "para"


_FIGURE = re.compile(r"^\s*(?:[-+]?[\d.,/%()]+|n/a|-)\s*$", re.IGNORECASE)


def _figures(block: Block) -> bool:
    """A block of numbers, one to a line (a flattened table's column)."""
    texts = [t for t in block.texts if t.strip()]
    return len(texts) >= 2 and sum(bool(_FIGURE.match(t)) for t in texts) >= 0.8 * len(texts)


def _body_font_size(blocks: list[Block]) -> float | None:
    """The font size most lines are set in, when the source gives sizes (PDF), else None."""
    sizes = Counter(x.font_size for block in blocks for x in block.lines if x.font_size)
    return sizes.most_common(1)[0][0] if sizes else None


def _set_larger(block: Block, body_size: float | None) -> bool:
    """Every line of the block is set at least 15% larger than the body text."""
    return body_size is not None and all(
        x.font_size is not None and x.font_size >= 1.15 * body_size for x in block.lines
    )


#: A UK postcode ("NE8 1HH", "M1 2WD"): a line of an address.
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")


_DATE_ONLY = re.compile(
    r"^\s*(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:January|February|March|April|May|June|July|August|"
    r"September|October|November|December)\s+\d{4}\s*$",
    re.IGNORECASE,
)


def _looks_heading(block: Block) -> bool:
    text = block.text
    if len(block.lines) > 3 or len(text) > 160 or len(text.split()) > 24 or len(text) < 3:
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    if _BARE_NUMBER.match(text) or _LINK.search(text) or _POSTCODE.search(text):
        return False  # a number, a web address or a postal address is no heading
    if sum(ch.isalpha() for ch in text) < 3 or _DATE_ONLY.match(text):
        return False  # figures, or a date alone ("August 2015"), are no heading
    if text.endswith((".", ",", ";")) or "." in text.rstrip(".")[-3:]:
        return False
    if text.endswith(":") and (len(text) > 60 or len(text.split()) > 4):
        return False  # a sentence that introduces what follows
    label, colon, value = text.partition(": ")
    if colon and "," in value and len(label.split()) <= 3:
        return False  # "Apologies: L. Cope, B. McDonagh": a label and its list
    return sum(1 for ch in text if _WORD_CHAR.match(ch)) >= 3


def mark_contents(blocks: list[Block]) -> None:
    """A page headed 'Contents' is a contents list: its entries are items, not headings."""
    for index, block in enumerate(blocks):
        if block.kind == "para" and block.text.strip().casefold() in (
            "contents",
            "table of contents",
        ):
            block.kind, block.role = "heading", "contents"
            for entry in blocks[index + 1 :]:
                if entry.page != block.page:
                    break
                if entry.kind == "numbered":  # a numbered entry keeps its number as text
                    entry.texts[0] = f"{entry.marker}. {entry.texts[0]}".strip()
                entry.kind, entry.marker, entry.role = "item", "", "contents"
            return


def mark_numbered_paragraphs(blocks: list[Block]) -> None:
    """Numbered lines become numbered paragraphs when they run as one long sequence.

    The numbers 1, 2, 3 ... in document order make a chain; a chain of five or more (or
    one whose entries are long) is numbered paragraphs (p @n), anything else an ordered
    list.
    """
    _numbered_headings(blocks)
    chains: list[list[Block]] = []
    for block in blocks:
        if block.kind != "numbered":
            continue
        number = int(block.marker)
        if number == 1:
            chains.append([block])
        elif chains and number == int(chains[-1][-1].marker) + 1:
            chains[-1].append(block)
        else:
            # A number out of turn may continue an earlier chain (a list came between).
            for chain in reversed(chains):
                if number == int(chain[-1].marker) + 1:
                    chain.append(block)
                    break
    chain = max(chains, key=len, default=[])
    long_entries = chain and sum(len(b.text) for b in chain) / len(chain) > 250
    in_chain = {id(b) for b in chain} if len(chain) >= 5 or long_entries else set()
    for block in blocks:
        if block.kind != "numbered":
            continue
        if id(block) in in_chain:
            block.kind = "para"
            block.n = block.marker
        else:
            block.kind = "item"
            block.role = "ordered"
    _rejoin_page_tops(blocks)


def _numbered_headings(blocks: list[Block]) -> None:
    """'1. MINUTES OF THE 6TH MEETING': a numbered line set in capitals, with ordinary
    text after it, is a numbered heading (its number kept in its text), not a numbered
    paragraph.  Capitals are a print's way of marking a heading."""
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if (
            block.kind == "numbered"
            and block.text.strip()
            and all(ch.isupper() for ch in block.text if ch.isalpha())
            and sum(ch.isalpha() for ch in block.text) >= 3
            and not ends_sentence(block.text)
            and following is not None
            and following.kind in ("para", "item", "numbered", "heading")
        ):
            block.kind = "heading"
            block.texts = [f"{block.marker}. {block.texts[0].strip()}", *block.texts[1:]]
            block.marker = ""
            block.role = "numbered-caps"
    numbered = [b for b in blocks if b.role == "numbered-caps"]
    if len(numbered) >= 3:
        # The document marks its headings by number and capitals: a short line in
        # ordinary type ("The Clerk introduced the paper", a signature) is text.
        for block in blocks:
            if block.kind == "heading" and block.role is None and not block.marker:
                block.kind = "para"
    for block in numbered:
        block.role = None


def _rejoin_page_tops(blocks: list[Block]) -> None:
    """In numbered prose, an unnumbered paragraph that opens a page between paragraphs N
    and N+1 is the rest of paragraph N, split between two sentences by the page break."""
    index = 1
    while index + 1 < len(blocks):
        before, block, after = blocks[index - 1], blocks[index], blocks[index + 1]
        if (
            block.kind == "para"
            and block.n is None
            and block.page_break_before
            and before.n is not None
            and after.n is not None
            and before.n.isdigit()
            and after.n == str(int(before.n) + 1)
            and block.page == before.lines[-1].page + 1
        ):
            before.lines += block.lines
            before.texts += block.texts
            del blocks[index]
            continue
        index += 1


# --- 4b. heading levels ------------------------------------------------------------------

_HEADING_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})*)\.?\s+\S")


def assign_levels(blocks: Sequence[Block]) -> None:
    """Give each heading a level (1 = top) where the evidence is good; the rest stay 1.

    The evidence, strongest first: the print's own heading tags and type sizes (a PDF:
    see :func:`layout_levels`); levels a recogniser set from a publisher's known layout
    or Markdown-like ``#`` marks set when the lines were grouped; a numbering scheme (``1.``, ``1.1``, ``2.``) of the headings.  Without any, every
    heading is top level.  Levels may skip (H2 then H4); the builder nests each heading
    one level under the nearest higher heading before it, so the tree never skips.
    """
    _promote_numbered_headings(blocks)
    headings = [b for b in blocks if b.kind == "heading"]
    for block in headings:
        if block.role == "contents":
            block.level = 1  # a contents page stands apart from the document's hierarchy
    ranked = [b for b in headings if b.role != "contents"]
    from_layout = layout_levels(ranked)
    if from_layout is not None:
        for block, level in zip(ranked, from_layout, strict=True):
            block.level = level
        return
    if any(b.level is not None for b in ranked):
        return  # a recogniser placed them
    numbers = [_HEADING_NUMBER.match(b.text) for b in ranked]
    depths = [m.group(1).count(".") + 1 for m in numbers if m]
    if depths and 1 in depths and max(depths) > 1:
        for block, match in zip(ranked, numbers, strict=True):
            block.level = match.group(1).count(".") + 1 if match else 1


def _promote_numbered_headings(blocks: Sequence[Block]) -> None:
    """``1. Introduction`` read as a list item or numbered paragraph is a heading when a
    ``1.1`` heading follows it before the next numbered line; the number stays in its text."""
    for index, block in enumerate(blocks):
        numbered = (block.kind == "item" and block.role == "ordered") or (
            block.kind == "para" and block.n is not None
        )
        text = block.text
        if not numbered or len(block.lines) > 1 or len(text) > 80 or ends_sentence(text):
            continue
        number = block.marker or block.n or ""
        for following in blocks[index + 1 :]:
            if following.kind == "heading":
                if following.text.strip().startswith(f"{number}.1"):
                    block.kind, block.role, block.n = "heading", None, None
                    block.texts = [f"{number}. {block.texts[0].strip()}"] + block.texts[1:]
                break
            if (following.kind == "item" and following.role == "ordered") or following.n:
                break


def _size_key(block: Block) -> tuple[float, bool] | None:
    """A heading's type: its first line's size (to half a point) and weight."""
    line = block.lines[0]
    if line.font_size is None:
        return None
    return (round(line.font_size * 2) / 2, bool(line.bold))


def _tag_level(block: Block) -> int | None:
    levels = Counter(x.heading_level for x in block.lines if x.heading_level is not None)
    return levels.most_common(1)[0][0] if levels else None


def layout_levels(headings: Sequence[Block]) -> list[int] | None:
    """Heading levels from a PDF's layout, or None when it gives no hierarchy.

    In a tagged PDF a heading's own H1-H6 tag gives its level; an untagged heading takes
    the level the tagged headings of its type (size and weight) have, else one below the
    deepest tagged type larger than its own.  Without tags, type sizes rank the headings:
    the larger, the higher; at the same size bold ranks above regular.
    """
    keys = [_size_key(b) for b in headings]
    tags = [_tag_level(b) for b in headings]
    if any(t is not None for t in tags):
        votes: dict[tuple[float, bool], Counter[int]] = {}
        for key, tag in zip(keys, tags, strict=True):
            if key is not None and tag is not None:
                votes.setdefault(key, Counter())[tag] += 1
        by_key = {key: counts.most_common(1)[0][0] for key, counts in votes.items()}
        levels = []
        for key, tag in zip(keys, tags, strict=True):
            if tag is not None:
                levels.append(tag)
            elif key is None:
                levels.append(1)
            elif key in by_key:
                levels.append(by_key[key])
            else:
                above = [level for other, level in by_key.items() if other > key]
                levels.append(max(above, default=0) + 1)
        return levels
    ranks = sorted({k for k in keys if k is not None}, reverse=True)
    if len(ranks) < 2:
        return None
    return [ranks.index(key) + 1 if key is not None else 1 for key in keys]
