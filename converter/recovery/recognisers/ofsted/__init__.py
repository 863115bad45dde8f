"""Ofsted's report templates: kind, cover facts, judgements, graded sections, letters, back matter.

Each step reads and refines the general layer's blocks; the order matters where one step
relies on another (the grade legend is a table before judgements are looked for; graded
headings are known before improvement lists).
"""

from __future__ import annotations

import re

from converter.recovery.model import Document, Facts, SourceLine
from converter.recovery.recognisers.ofsted import back, cover, judgements, kinds, letter

_CUES = re.compile(
    r"Inspection dates?\s*:?|(?:Lead|Reporting) inspector|Focused visit to|Monitoring visit to|"
    r"Ofsted|School report|His Majesty|Her Majesty|Area SEND inspection"
)


def has_cues(lines: list[SourceLine]) -> bool:
    return bool(_CUES.search(" ".join(x.text for x in lines[:60])))


def recognise(document: Document) -> Facts | None:
    """Facts of an Ofsted report, refining the document's blocks; None when it is not one."""
    if not has_cues(document.lines):
        return None
    facts = Facts(publisher="Ofsted")
    salutation = letter.find_salutation(document)
    if salutation is not None:
        letter.read_letter(document, facts, salutation)
    else:
        cover.read_cover(document, facts)
    kinds.known_headings(document)
    judgements.grade_legend(document)
    judgements.judgement_table(document, facts)
    judgements.graded_sections(document)
    judgements.improvements(document)
    kinds.details_tables(document)
    cover.lead_inspector(document, facts)
    kinds.kind(document, facts)
    back.back_matter(document, facts)
    kinds.sub_headings(document, facts)
    return facts
