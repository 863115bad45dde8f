"""The summary's reviewable data: glossary, acronyms, grade meanings, phrase bank, templates."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from typing import Any

from converter import resources


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


# The date that says when a report was written, by role, the first one it has.
REPORT_DATES = ("publication", "inspection-end", "inspection-start", "letter", "document")


@dataclass(frozen=True)
class SummaryData:
    terms: tuple[Term, ...]
    acronyms: dict[str, str]  # written form -> long form (the ones spelled out in place)
    # (date, written form -> long form): the long form of a report dated before that date
    acronyms_before: tuple[tuple[str, dict[str, str]], ...]
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

    def acronyms_at(self, dates: dict[str, str]) -> dict[str, str]:
        """The acronyms' long forms as they were when the report was written (its dates by
        role): "HMI" was Her Majesty's Inspector until September 2022."""
        when = next(
            (
                dates[role]
                for role in REPORT_DATES
                if isinstance(dates.get(role), str) and dates[role]
            ),
            None,
        )
        found = dict(self.acronyms)
        for date, forms in self.acronyms_before:
            if when is not None and when < date:
                found.update(forms)
        return found

    def meaning(self, grade: str, *, after_outcome: bool = False) -> str:
        """Our explanation of a grade; right after the sentence that gives the grade, it says
        "This" for the grade's name ("The overall grade is inadequate. This is the lowest
        of four grades."), so the grade is not said twice in a row."""
        sentences = list(self.grade_meanings.get(grade, ()))
        name = self.grade_words.get(grade, "")
        if after_outcome and sentences and name:
            first = sentences[0]
            if first.casefold().startswith(name.casefold() + " "):
                sentences[0] = "This" + first[len(name) :]
        return " ".join(sentences)

    def area_name(self, label: str) -> str:
        """The plain name of a judgement area, or its label as written."""
        folded = " ".join(label.casefold().split())
        for match, plain in self.areas:
            if match in folded:
                return plain
        return label.strip().rstrip(".:")


def _read(name: str) -> dict[str, Any]:
    text = resources.folder(__name__).joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@functools.cache
def load() -> SummaryData:
    """The packaged data files, parsed once."""
    glossary = _read("glossary.toml")
    bank = _read("phrases.toml")
    acronyms: dict[str, str] = {}
    before: list[tuple[str, dict[str, str]]] = []
    for entry in glossary["acronym"]:
        if not entry.get("keep", False):
            acronyms.update(entry["forms"])
            if "before" in entry:
                before.append((entry["before"]["date"], dict(entry["before"]["forms"])))
    phrases = sorted(
        (Phrase(p["from"], p["to"]) for p in bank["phrase"]),
        key=lambda p: (-len(p.source), p.source),
    )
    return SummaryData(
        terms=tuple(
            Term(t["term"], tuple(t["forms"]), t["plain"], t["explain"]) for t in glossary["term"]
        ),
        acronyms=acronyms,
        acronyms_before=tuple(before),
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
