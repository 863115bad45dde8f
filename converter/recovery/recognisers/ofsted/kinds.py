"""What kind of Ofsted report a document is, what it is about, and its known heading levels."""

from __future__ import annotations

import re
from datetime import date

from converter.recovery.model import Block, Document, Facts
from converter.recovery.recognisers.ofsted.vocabulary import (
    AUTHORITY,
    IMPROVE,
    KNOWN_HEADINGS,
    LAC,
    REINSPECTION,
    SEND,
    SIF,
    VISIT,
)

#: The parts of a graded section in the older SIF report, each under its judgement.
_SIF_PARTS = re.compile(r"^(?:Summary|Inspection findings\b.*)$")
_SIF_SUB_JUDGEMENT = re.compile(r"^The graded judgement (?:for|about)\b", re.IGNORECASE)
#: The main parts of a (2005-2019) school report; every other heading sits in one of them.
_SCHOOL_PARTS = frozenset(
    [
        "summary of key findings for parents and pupils",
        "full report",
        "inspection judgements",
        "school details",
        "information about this inspection",
    ]
)
#: Group headings inside an improvement list ("Immediately:", "Within three months:").
_TIMESCALE = re.compile(r"^(?:Immediately|Within\s+\w+\s+(?:weeks|months?))\s*:?$", re.IGNORECASE)


def kind(document: Document, facts: Facts) -> None:
    cover = " ".join(x.text.strip() for x in document.lines[:40])
    title = facts.title or ""
    named = f"{title} {facts.subtitle or ''}"
    start = next((d for r, d, _ in facts.dates if r == "inspection-start"), None)
    end = next((d for r, d, _ in facts.dates if r == "inspection-end"), None)
    letter = any(b.role == "salutation" for b in document.blocks)
    if letter and re.match(r"^Monitoring visit", title, re.IGNORECASE):
        facts.kind = "ofsted-monitoring-letter"
    elif letter and re.search(r"visit to", title, re.IGNORECASE):
        facts.kind = "ofsted-focused-visit-letter"
    elif SEND.match(title) or re.search(r"\bArea SEND inspection\b", cover):
        facts.kind = "ofsted-area-send"
    elif re.search(r"^\s*School report\b", cover) or re.search(
        r"\bThis is an? \w+(?: \w+)? school\b", " ".join(b.text for b in document.blocks[:40])
    ):
        facts.kind = "ofsted-school"
    elif REINSPECTION.match(facts.subtitle or ""):
        facts.kind = "ofsted-sif-reinspection"
    elif SIF.search(cover):
        facts.kind = "ofsted-sif"
    elif LAC.match(title):
        facts.kind = "ofsted-lac"
    elif re.search(r"children['\u2019]s (?:social care )?services", named, re.IGNORECASE) or any(
        a == "impact-of-leaders" for a, _, _, _ in facts.judgements
    ):
        facts.kind = "ofsted-ilacs"
        if start and end and (date.fromisoformat(end) - date.fromisoformat(start)).days <= 7:
            facts.kind = "ofsted-ilacs-short"
    else:
        facts.kind = "generic"
    if facts.subject:
        return
    for pattern in (AUTHORITY, VISIT, SEND):
        match = pattern.match(title)
        if match:
            facts.subject = _without_services(match.group(1))
            return
    facts.subject = title or None


def _without_services(subject: str) -> str:
    """'Essex County Council children's services' names the council; a name that is only
    the services ('Dorset children's services') stays whole."""
    trimmed = re.sub(r"\s+children['\u2019]s services$", "", subject, flags=re.IGNORECASE)
    return trimmed if re.search(r"\b(?:Council|Borough|Partnership)\b", trimmed) else subject


def known_headings(document: Document) -> None:
    """Template headings the general layer read as text ("Inspection team" above a list of
    names, "Local area partnership details" above an address table)."""
    for block in document.blocks:
        if (
            block.kind == "para"
            and block.n is None
            and len(block.lines) == 1
            and " ".join(block.text.casefold().split()) in KNOWN_HEADINGS
        ):
            block.kind = "heading"


#: "School details": labels and values in alternate blocks, without colons.
_DETAILS = re.compile(r"^(?:School|Provider|Setting) details$", re.IGNORECASE)


def details_tables(document: Document) -> None:
    """Under a details heading, label and value blocks alternate (a two-column table read
    cell by cell): each run of pairs is a table with its labels as row headers; a sentence
    between pairs ends a run and stays a paragraph."""
    blocks = document.blocks
    for index, block in enumerate(blocks):
        if block.kind == "heading" and _DETAILS.match(block.text.strip()):
            _pair_runs(blocks, index + 1)
            return


def _pair_runs(blocks: list[Block], start: int) -> None:
    index = start
    while index < len(blocks) and blocks[index].kind != "heading":
        end = index
        while (
            end + 1 < len(blocks)
            and _detail_label(blocks[end])
            and blocks[end + 1].kind in ("para", "heading")
            and not blocks[end + 1].text.rstrip().endswith(".")
            and len(blocks[end + 1].text) <= 90
        ):
            end += 2
        if end - index >= 4:
            pairs = blocks[index:end]
            rows = [
                [a.text.strip(), b.text.strip()]
                for a, b in zip(pairs[::2], pairs[1::2], strict=True)
            ]
            lines = [x for b in pairs for x in b.lines]
            texts = [t for b in pairs for t in b.texts]
            blocks[index:end] = [Block("table", lines, texts, rows=rows, row_headers=True)]
            index += 1
        else:
            index = max(end, index + 1)


def _detail_label(block: Block) -> bool:
    text = block.text.strip()
    return (
        block.kind in ("para", "heading")
        and 0 < len(text) <= 50
        and not text.endswith((".", ":"))
        and text.casefold() not in KNOWN_HEADINGS
    )


def sub_headings(document: Document, facts: Facts) -> None:
    """Heading levels the Ofsted layouts make certain; others stay top level.

    In a SIF report 'Summary', 'Inspection findings' and the graded sub-judgements
    (adoption, care leavers) sit under the graded judgement before them; in a school
    report with the older main parts ('Full report', 'Inspection judgements' ...) every
    other heading sits under the main part before it; timescale groups ('Immediately:')
    sit under the improvement heading before them.
    """
    end = facts.back_start if facts.back_start is not None else len(document.blocks)
    headings = [b for b in document.blocks[:end] if b.kind == "heading" and b.role != "contents"]
    _timescales(headings)
    if facts.kind in ("ofsted-sif", "ofsted-sif-reinspection"):
        in_judgement = False
        for block in headings:
            text = block.text.strip()
            if in_judgement and (_SIF_PARTS.match(text) or _SIF_SUB_JUDGEMENT.match(text)):
                block.level = 2
                continue
            block.level = 1
            in_judgement = block.role == "judgement"
    elif facts.kind == "ofsted-school":
        parts = {id(b) for b in headings if " ".join(b.text.casefold().split()) in _SCHOOL_PARTS}
        if not any(" ".join(b.text.casefold().split()) == "full report" for b in headings):
            return
        in_part = False
        for block in headings:
            main = id(block) in parts
            block.level = 2 if in_part and not main else 1
            in_part = in_part or main


def _timescales(headings: list[Block]) -> None:
    in_improvements = False
    for block in headings:
        if block.role == "improvements":
            in_improvements = True
            block.level = block.level or 1
        elif in_improvements and _TIMESCALE.match(block.text.strip()):
            block.level = 2
        elif not IMPROVE.match(block.text):
            in_improvements = False
