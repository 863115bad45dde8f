"""The cover of a report: title (wrapped lines joined), subtitle or kicker, dates, people."""

from __future__ import annotations

import re
from collections.abc import Iterator

from converter.recovery.dates import one_day, parse_range
from converter.recovery.model import Block, Document, Facts, SourceLine
from converter.recovery.recognisers.ofsted.vocabulary import (
    DATES_LABEL,
    KICKERS,
    LEAD,
    LEAD_SUFFIX,
    POSTCODE,
    PUBLISHED,
    SUBTITLE,
)

#: Lines of a cover that end the title: a dates or lead inspector label.
_COVER_LABEL = re.compile(
    r"^\s*(?:(?:Inspection|Visit)\s+dates?|(?:Lead|Reporting)\s+inspector)\b", re.IGNORECASE
)
_AUTHORITY_NAME = re.compile(
    r"\b(?:Council|Borough|County|City|Partnership|Trust|Authority)\s*$", re.IGNORECASE
)


def read_cover(document: Document, facts: Facts) -> None:
    """Title and subtitle from page 1, up to the first dates or inspector label."""
    content = [
        x
        for x in document.lines
        if x.text.strip() and x.number not in document.artifacts and x.page == 1
    ]
    label_index = next((i for i, x in enumerate(content[:30]) if _COVER_LABEL.match(x.text)), None)
    if not label_index:
        first = next((b for b in document.blocks if b.kind in ("heading", "para")), None)
        if first is not None:
            facts.title = first.text
            facts.title_lines = tuple(x.number for x in first.lines)
            document.blocks.remove(first)
        cover_facts(document, facts)
        return
    title_lines = content[:label_index]
    kicker = None
    if title_lines and title_lines[0].text.strip().casefold() in KICKERS:
        kicker = title_lines.pop(0)
    while title_lines and POSTCODE.search(title_lines[-1].text):
        title_lines.pop()  # an address line under the title stays in the body
    cleaned = line_texts(document)
    _title_and_subtitle(facts, [cleaned.get(x.number, x.text).strip() for x in title_lines])
    for block in document.blocks[:6]:
        if block.page == 1 and block.kind == "heading" and POSTCODE.search(block.text):
            block.kind, block.role = "para", "address"
    if kicker is not None:
        facts.subtitle = (
            kicker.text.strip()
            if not facts.subtitle
            else f"{kicker.text.strip()}: {facts.subtitle}"
        )
        title_lines.insert(0, kicker)
    facts.title_lines = tuple(x.number for x in title_lines)
    drop_lines(document, set(facts.title_lines))
    cover_facts(document, facts)


def _title_and_subtitle(facts: Facts, texts: list[str]) -> None:
    """'Norfolk Council' / 'Re-inspection of services ...': a body, then what the report is.
    'Inspection of looked after children' / 'services' / 'Kent County Council': the title
    wraps and the body follows (the older templates: looked after children, fostering,
    adoption); it is recorded as Ofsted lists such reports, 'title: body'."""
    if len(texts) > 1 and SUBTITLE.match(texts[1]) and not SUBTITLE.match(texts[0]):
        facts.title = texts[0]
        facts.subtitle = " ".join(texts[1:])
    elif (
        len(texts) > 1
        and re.match(r"^Inspection of ", texts[0], re.IGNORECASE)
        and _AUTHORITY_NAME.search(texts[-1])
        and not _AUTHORITY_NAME.search(" ".join(texts[:-1]))
    ):
        facts.title = f"{' '.join(texts[:-1])}: {texts[-1]}"
        facts.subject = texts[-1]
    else:
        facts.title = " ".join(texts)


def line_texts(document: Document) -> dict[int, str]:
    """Each line's cleaned text as its block holds it (hyphens repaired, markers cut)."""
    return {
        line.number: text
        for block in document.blocks
        for line, text in zip(block.lines, block.texts, strict=False)
    }


def drop_lines(document: Document, numbers: set[int]) -> None:
    """Remove lines now held in meta (the title) from the blocks that hold them."""
    kept: list[Block] = []
    for block in document.blocks:
        if not any(x.number in numbers for x in block.lines):
            kept.append(block)
            continue
        pairs = [
            (line, text)
            for line, text in zip(block.lines, block.texts, strict=False)
            if line.number not in numbers
        ]
        if pairs and block.kind != "table":
            block.lines = [p[0] for p in pairs]
            block.texts = [p[1] for p in pairs]
            kept.append(block)
    document.blocks[:] = kept


def label_values(blocks: list[Block]) -> Iterator[tuple[str, str, Block]]:
    """(label, value, block) of the cover's label/value pairs: a paragraph "Label: value"
    (or "Reporting inspector NAME"), or a row of a label/value table."""
    for index, block in enumerate(blocks):
        bare = DATES_LABEL.fullmatch(block.text.strip())
        if (
            bare
            and not bare.group(1)
            and block.kind in ("para", "heading")
            and index + 1 < len(blocks)
        ):
            # "Inspection dates" with its value on a line of its own, no colon
            yield block.text.strip(), blocks[index + 1].text.strip(), block
            continue
        if block.kind == "table" and block.row_headers:
            for row in block.rows:
                if len(row) == 2:
                    yield row[0].rstrip(": "), row[1], block
        elif block.kind in ("para", "heading"):
            label, colon, value = block.text.partition(":")
            if colon and len(label) <= 60:
                yield label.strip(), value.strip(), block
            else:
                yield block.text, "", block


def cover_facts(document: Document, facts: Facts) -> None:
    """Inspection and publication dates from the cover's labels; cover lines stay text."""
    for label, value, block in label_values(document.blocks[:16]):
        whole = f"{label}: {value}" if value else label
        dates = DATES_LABEL.match(whole)
        if dates and not any(role.startswith("inspection") for role, _, _ in facts.dates):
            written = dates.group(1).strip()
            found = parse_range(written)
            if found:
                facts.dates.append(("inspection-start", found[0].isoformat(), written))
                facts.dates.append(("inspection-end", found[1].isoformat(), written))
        published = PUBLISHED.match(whole)
        if published and not any(role == "publication" for role, _, _ in facts.dates):
            day = one_day(published.group(1))
            if day is not None:
                facts.dates.append(("publication", day.isoformat(), published.group(1).strip()))
        if block.kind == "heading" and (dates or published or LEAD.match(whole)):
            block.kind = "para"  # a cover line, never a heading


def lead_inspector(document: Document, facts: Facts) -> None:
    """The lead inspector as written: on the cover ("Lead inspector: NAME", "Reporting
    inspector NAME HMI"), or in the team list at the end ("NAME, lead inspector")."""
    if any(role == "lead-inspector" for role, _ in facts.people):
        return
    content = [x for x in document.lines if x.text.strip() and x.number not in document.artifacts]
    for index, line in enumerate(content):
        if _lead_from(line, content[index + 1] if index + 1 < len(content) else None, facts):
            return


def _lead_from(line: SourceLine, following: SourceLine | None, facts: Facts) -> bool:
    text = line.text.strip()
    lead = LEAD.match(text)
    if lead:
        facts.people.insert(0, ("lead-inspector", lead.group(1)))
        return True
    suffix = LEAD_SUFFIX.match(text)
    if suffix and not re.search(r"\bCQC\b|Care Quality", text):
        name = suffix.group(1).rstrip(",")
        role = following.text.strip() if following is not None else ""
        if "inspector" in role.casefold() and "lead" not in role.casefold() and "," not in role:
            name = f"{name}, {role}"  # "Lorraine Lord, lead inspector" / "Ofsted Inspector"
        facts.people.insert(0, ("lead-inspector", name))
        return True
    return False
