"""The summary's reviewable data: glossary, acronyms, grade meanings, phrase bank, templates."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Term:
    term: str
    forms: tuple[str, ...]
    plain: str
    explain: str  # one plain sentence, said after the first sentence that uses the term


@dataclass(frozen=True)
class Phrase:
    source: str  # the wording as a report writes it
    plain: str


@dataclass(frozen=True)
class Split:
    joint: str
    opens: str
    standalone: bool  # the words after the joint make their claim without the words before


@dataclass(frozen=True)
class Number:
    pattern: str  # a regular expression over the text
    plain: str  # its replacement (may use the pattern's groups)


@dataclass(frozen=True)
class SummaryData:
    terms: tuple[Term, ...]
    acronyms: dict[str, str]  # written form -> long form (the ones spelled out in place)
    grade_words: dict[str, str]  # grade value -> the grade in words
    grade_meanings: dict[str, tuple[str, ...]]  # grade value -> plain sentences
    phrases: tuple[Phrase, ...]  # longest first
    item_openings: tuple[Phrase, ...]  # an improvement item's opening noun phrase as a verb
    splits: tuple[Split, ...]
    numbers: tuple[Number, ...]
    point_joints: tuple[str, ...]
    drop_openers: tuple[str, ...]
    openings: tuple[str, ...]  # concessions whose sentence's main clause may be said alone
    templates: dict[str, str]
    headings: dict[str, str]
    areas: tuple[tuple[str, str], ...]  # (words of the label, plain area name)
    outcomes: tuple[tuple[str, str], ...]  # (phrase an outcome paragraph holds, template)
    outcome_headings: tuple[str, ...]  # headings under which an ungraded report states its outcome
    skip_headings: tuple[str, ...]  # sections that hold no findings (details, the team)

    def term_for(self, name: str) -> Term | None:
        """The term of which this is the name or one of its written forms."""
        for term in self.terms:
            if term.term == name or name in term.forms:
                return term
        return None

    def area_name(self, label: str) -> str:
        """The plain name of a judgement area, or its label as written."""
        folded = " ".join(label.casefold().split())
        for match, plain in self.areas:
            if match in folded:
                return plain
        return label.strip().rstrip(".:")


def _read(name: str) -> dict[str, Any]:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@functools.cache
def load() -> SummaryData:
    """The packaged data files, parsed once."""
    glossary = _read("glossary.toml")
    bank = _read("phrases.toml")
    acronyms: dict[str, str] = {}
    for entry in glossary["acronym"]:
        if not entry.get("keep", False):
            acronyms.update(entry["forms"])
    phrases = sorted(
        (Phrase(p["from"], p["to"]) for p in bank["phrase"]),
        key=lambda p: (-len(p.source), p.source),
    )
    return SummaryData(
        terms=tuple(
            Term(t["term"], tuple(t["forms"]), t["plain"], t["explain"]) for t in glossary["term"]
        ),
        acronyms=acronyms,
        grade_words={value: g["words"] for value, g in glossary["grades"].items()},
        grade_meanings={value: tuple(g["meaning"]) for value, g in glossary["grades"].items()},
        phrases=tuple(phrases),
        item_openings=tuple(
            sorted(
                (Phrase(p["from"], p["to"]) for p in bank.get("item_opening", [])),
                key=lambda p: (-len(p.source), p.source),
            )
        ),
        splits=tuple(Split(s["joint"], s["opens"], s["standalone"]) for s in bank["split"]),
        numbers=tuple(Number(n["pattern"], n["plain"]) for n in bank["number"]),
        point_joints=tuple(bank["points"]["joints"]),
        drop_openers=tuple(bank["drop"]["openers"]),
        openings=tuple(bank["opening"]["words"]),
        templates=dict(bank["templates"]),
        headings=dict(bank["headings"]),
        areas=tuple((a["match"], a["plain"]) for a in bank["area"]),
        outcomes=tuple((o["phrase"], o["template"]) for o in bank["outcome"]),
        outcome_headings=tuple(bank["findings"]["outcome_headings"]),
        skip_headings=tuple(bank["findings"]["skip_headings"]),
    )
