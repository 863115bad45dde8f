"""The plain-language summary's parts (sentences, units, sections, the plan) and what it
reads from the source tree: each citable block's text, the report's facts, where a block is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from converter import tree as canonical
from converter.words import words


@dataclass
class Sentence:
    """One sentence of the summary and how it was made."""

    text: str
    cites: tuple[str, ...]
    kind: str  # source | fallback | point | template | meaning | explain | acronym | glossary
    source_text: str = ""
    rules: list[list[str]] = field(default_factory=list)
    template: str = ""
    slots: dict[str, str] = field(default_factory=dict)
    label: str = ""  # a finding's class (classify): strength or concern
    finding: str = ""  # the source sentence (or part) that was classified
    id: str = ""
    section: str = ""  # the key of the summary part it is in
    unit: str = ""  # the id of the paragraph or list item it is in

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "cites": list(self.cites),
            "kind": self.kind,
            "source_text": self.source_text,
            "rules": self.rules,
            "template": self.template,
            "slots": self.slots,
            "label": self.label,
            "finding": self.finding,
            "section": self.section,
            "unit": self.unit,
        }


@dataclass
class Unit:
    """A paragraph or list item: sentences read together, and the points under it."""

    sentences: list[Sentence]
    points: list[Unit] = field(default_factory=list)
    id: str = ""

    def all_sentences(self) -> list[Sentence]:
        return [*self.sentences, *(s for p in self.points for s in p.all_sentences())]

    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


@dataclass
class Group:
    style: str  # p (each unit a paragraph) | bullet | ordered (each unit a list item)
    units: list[Unit]


@dataclass
class Part:
    """A section of the summary: a heading, then paragraphs and lists."""

    key: str
    heading: str
    groups: list[Group]
    role: str | None = None

    def units(self) -> list[Unit]:
        return [u for g in self.groups for u in g.units]

    def sentences(self) -> list[Sentence]:
        return [s for u in self.units() for s in u.all_sentences()]


@dataclass
class Plan:
    title: str
    parts: list[Part]
    back: list[Part]
    cited: dict[str, str]
    facts: dict[str, Any]
    places: dict[str, str]  # cited block id -> where it is in the report, in words

    def all_parts(self) -> list[Part]:
        return [*self.parts, *self.back]

    def sentences(self) -> list[Sentence]:
        return [s for p in self.all_parts() for s in p.sentences()]


@dataclass
class Candidate:
    """A finding the summary may show: one source sentence as one or two plain sentences."""

    label: str
    score: float
    unit: Unit
    block: str
    area: str
    order: int
    words: int
    cost: float = 0.0  # its cost to read (syllables a word, length), taken from score already


# --- Reading the source tree ---------------------------------------------------------------


def text_of(element: etree._Element) -> str:
    return " ".join(canonical.text_content(element).split())


def _own_text(element: etree._Element) -> str:
    """An item's own text, without nested lists."""
    parts = [element.text or ""]
    for child in element:
        if child.tag != "list":
            parts.append("".join(str(t) for t in child.itertext()))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def source_facts(root: etree._Element) -> tuple[dict[str, str], dict[str, Any]]:
    """Every citable block's text by id, and the report's facts the templates may state."""
    cited: dict[str, str] = {}
    for element in root.iter("p", "item", "heading", "table", "note"):
        ident = element.get("id")
        if ident and not _in_artifacts(element):
            cited[ident] = _own_text(element) if element.tag == "item" else text_of(element)
    meta = root.find("meta")
    facts: dict[str, Any] = {"title": "", "subject": None, "lead": None, "dates": {}}
    if meta is not None:
        facts["title"] = " ".join((meta.findtext("title") or "").split())
        subject = meta.findtext("subject")
        facts["subject"] = " ".join(subject.split()) if subject else None
        for date in meta.findall("date"):
            facts["dates"].setdefault(date.get("role"), date.get("when"))
        lead = meta.find("person[@role='lead-inspector']")
        facts["lead"] = " ".join((lead.text or "").split()) if lead is not None else None
    facts["kind"] = root.findtext("meta/kind", "generic")
    facts["judgements"] = [
        {
            "area": j.get("area"),
            "grade": j.get("grade"),
            "label": " ".join((j.findtext("label") or "").split()),
            "grade_text": " ".join((j.findtext("grade") or "").split()),
        }
        for j in root.iterfind("meta/judgements/judgement")
    ]
    facts["improvements"] = [item.get("id") for item in improvement_blocks(root)]
    facts["source_words"] = sum(
        len(words(canonical.text_content(part))) for part in root.iterfind("body")
    )
    # The report's own prose: its body outside tables.  The summary's length target scales
    # with it, so a document that is nearly all table is not asked for words it lacks.
    facts["prose_words"] = sum(len(words(_text_outside_tables(b))) for b in root.iterfind("body"))
    return cited, facts


def _text_outside_tables(element: etree._Element) -> str:
    """An element's text with its tables left out (a table's tail is prose again)."""
    pieces = [element.text or ""]
    for child in element:
        if child.tag != "table":
            pieces.append(_text_outside_tables(child) if isinstance(child.tag, str) else "")
        pieces.append(child.tail or "")
    return "".join(pieces)  # as canonical.text_content joins it


def places(root: etree._Element, ids: list[str]) -> dict[str, str]:
    """Where each block is in the report, in a reader's words."""
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    out: dict[str, str] = {}
    for ident in ids:
        element = by_id.get(ident)
        if element is None:
            continue
        number = element.get("n")
        section = next(iter(element.iterancestors("section")), None)
        heading = section.find("heading") if section is not None else None
        if element.tag == "p" and number:
            out[ident] = f"paragraph {number}"
        elif element.tag == "heading":
            out[ident] = f"the part headed ‘{text_of(element).rstrip('?:.')}’"
        elif element.tag == "table":
            out[ident] = "the table of grades"
        elif heading is not None and heading.get("id") != ident:
            out[ident] = f"the part headed ‘{text_of(heading).rstrip('?:.')}’"
        else:
            out[ident] = "the start of the report"
    return out


def _in_artifacts(element: etree._Element) -> bool:
    return any(a.tag == "artifacts" for a in element.iterancestors())


def improvement_blocks(root: etree._Element) -> list[etree._Element]:
    out: list[etree._Element] = []
    for section in root.iterfind("body//section[@role='improvements']"):
        if any(a.get("role") == "improvements" for a in section.iterancestors("section")):
            continue
        items = [i for i in section.iter("item") if i.get("id")]
        out.extend(items or [p for p in section.iter("p") if p.get("id")])
    return out


def graded_sections(root: etree._Element) -> list[etree._Element]:
    graded = root.findall("body//section[@grade]")
    return [s for s in graded if not any(a.get("grade") for a in s.iterancestors("section"))]


def section_grade(element: etree._Element) -> str | None:
    return next((a.get("grade") for a in element.iterancestors("section") if a.get("grade")), None)
