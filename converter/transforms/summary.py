"""The plain-language summary: a new canonical tree that says only what the report says.

Offline and deterministic.  Sentences are chosen from the report and rewritten by
reviewable rules (summary_data/*.toml: phrase bank, acronyms, clause splits); the frame
is fixed templates filled from the report's own facts.  Every sentence records the ids of
the source blocks it rests on, and each is checked for faithfulness (the rules of
converter.transforms.faithfulness, which `convert check` applies too); one that fails
falls back to the source sentence as written.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from converter import tree as canonical
from converter.transforms.faithfulness import (
    NEGATIONS,
    claim_words,
    faithfulness_findings,
    format_date,
    normalise,
)
from converter.transforms.summary_data import SummaryData, load
from converter.words import words

MAX_WORDS = 20  # a chosen sentence, after rewriting (the check allows 25)
MIN_WORDS = 5
WORD_BUDGET = (350, 690)  # the summary's words, references left out
GENERIC_SECTIONS = 14

# Words that mark a sentence as a concern rather than a strength.
_CONCERN = re.compile(
    r"\b(not|no|never|lack\w*|too|delay\w*|variable|inconsistent\w*|limited|weak\w*|"
    r"insufficient\w*|poor\w*|gaps?|drift|wait\w*|however|but|although|shortfall|"
    r"deficien\w*|fail\w*|unclear|ineffective)\b",
    re.IGNORECASE,
)
# Sentences whose subject is a pronoun make no sense out of their paragraph.
_DANGLING = re.compile(
    r"^(They|This|These|Those|It|Its|He|She|Their|Such|Others?|In other|For these|Both)\b"
    r"|\b(this|these|those|such|above|below)\b"
)
_OPENERS = ("However, ", "But ", "Also, ", "In addition, ", "Furthermore, ", "Moreover, ")
_ACRONYM_TOKEN = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z](?:-[0-9]+)?s?\b")
_SOURCE_DEFINITION = re.compile(r"((?:[\w'’-]+\s+){1,8})\(([A-Z][A-Z]+)(s?)\)")
_SMALL = frozenset(["and", "of", "the", "for", "in", "on", "to", "with"])
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "Mr.", "Mrs.", "Ms.", "Dr.", "No.", "St.")
_PHONE = re.compile(r"\b0\d{3}[ ]?\d{3}[ ]?\d{4}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


@dataclass
class Sentence:
    """One sentence (or fixed pair) of the summary and how it was made."""

    text: str
    cites: tuple[str, ...]
    kind: str  # source | fallback | template | meaning | glossary
    source_text: str = ""
    rules: list[list[str]] = field(default_factory=list)
    template: str = ""
    slots: dict[str, str] = field(default_factory=dict)
    id: str = ""

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
        }


@dataclass
class Part:
    """A section of the summary: a heading, then paragraphs or a list of sentences."""

    key: str
    heading: str
    sentences: list[Sentence]
    style: str = "p"  # p | bullet | ordered
    parts: list[Part] = field(default_factory=list)
    role: str | None = None


@dataclass
class Plan:
    title: str
    parts: list[Part]
    back: list[Part]
    cited: dict[str, str]
    facts: dict[str, Any]

    def sentences(self) -> list[Sentence]:
        out: list[Sentence] = []

        def walk(part: Part) -> None:
            out.extend(part.sentences)
            for child in part.parts:
                walk(child)

        for part in (*self.parts, *self.back):
            walk(part)
        return out


# --- Reading the source tree ---------------------------------------------------------------


def _text(element: etree._Element) -> str:
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
            cited[ident] = _own_text(element) if element.tag == "item" else _text(element)
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
    facts["judgements"] = [
        {
            "area": j.get("area"),
            "grade": j.get("grade"),
            "label": " ".join((j.findtext("label") or "").split()),
            "grade_text": " ".join((j.findtext("grade") or "").split()),
        }
        for j in root.iterfind("meta/judgements/judgement")
    ]
    facts["improvements"] = [item.get("id") for item in _improvement_blocks(root)]
    facts["source_words"] = sum(
        len(words(canonical.text_content(part))) for part in root.iterfind("body")
    )
    return cited, facts


def _in_artifacts(element: etree._Element) -> bool:
    return any(a.tag == "artifacts" for a in element.iterancestors())


def _improvement_blocks(root: etree._Element) -> list[etree._Element]:
    section = root.find("body//section[@role='improvements']")
    if section is None:
        return []
    items = [i for i in section.iter("item") if i.get("id")]
    return items or [p for p in section.iter("p") if p.get("id")]


def _graded_sections(root: etree._Element) -> list[etree._Element]:
    graded = root.findall("body//section[@grade]")
    return [s for s in graded if not any(a.get("grade") for a in s.iterancestors("section"))]


def _blocks_of(section: etree._Element) -> list[etree._Element]:
    """The paragraphs and items of a section, leaving out nested graded sections."""
    out = []
    for element in section.iter("p", "item"):
        owner = next((a for a in element.iterancestors("section") if a.get("grade")), None)
        if (owner is section or owner is None) and element.get("id"):
            out.append(element)
    return out


# --- Sentences -----------------------------------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """The sentences of a paragraph, as exact substrings."""
    out, start = [], 0
    for match in re.finditer(r"[.!?](?=\s+[A-Z0-9'\"‘“(])", text):
        end = match.end()
        if any(text[:end].endswith(a) for a in _ABBREVIATIONS):
            continue
        out.append(text[start:end].strip())
        start = end
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    return out


def _replace_words(text: str, before: str, after: str) -> tuple[str, int]:
    """Replace whole-word occurrences, keeping a capital first letter; not in grade phrases."""
    pattern = re.compile(r"(?<![\w-])" + re.escape(before) + r"(?![\w-])", re.IGNORECASE)
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        if text[match.end() :].lstrip().lower().startswith("improvement"):
            return match.group(0)  # 'requires improvement' is a grade: never reworded
        count += 1
        found = match.group(0)
        return after[:1].upper() + after[1:] if found[:1].isupper() else after

    return pattern.sub(swap, text), count


class Rewriter:
    """Applies the phrase bank, acronyms and clause rules to source sentences."""

    def __init__(self, data: SummaryData, root: etree._Element) -> None:
        self.data = data
        self.defined = self._source_acronyms(root)

    @staticmethod
    def _source_acronyms(root: etree._Element) -> dict[str, tuple[str, str]]:
        """Acronyms the report defines as 'Long Form (LF)': written form -> (long, block id)."""
        found: dict[str, tuple[str, str]] = {}
        for element in root.iter("p", "item", "heading"):
            ident = element.get("id")
            if not ident:
                continue
            for match in _SOURCE_DEFINITION.finditer(_text(element)):
                before, short, plural = match.group(1).split(), match.group(2), match.group(3)
                for size in range(len(short), min(len(before), len(short) + 3) + 1):
                    candidate = before[-size:]
                    initials = "".join(w[0] for w in candidate if w.lower() not in _SMALL)
                    if initials.upper() == short and candidate[0].lower() not in _SMALL:
                        found.setdefault(short + plural, (" ".join(candidate), ident))
                        break
        return found

    def rewrite(
        self, sentence: str, *, drop: bool = True
    ) -> list[tuple[str, str, list[list[str]]]]:
        """(plain text, the exact source words it rests on, rules applied) per new sentence."""
        pieces: list[tuple[str, str, list[list[str]]]] = [(sentence, sentence, [])]
        for split in self.data.splits:
            next_pieces = []
            for text, source, rules in pieces:
                index = text.find(split.joint)
                if index <= 0:
                    next_pieces.append((text, source, rules))
                    continue
                head, tail = text[:index], text[index + len(split.joint) :]
                rule = ["split", split.joint, split.opens]
                opened = f"{split.opens} {tail}" if split.opens else tail[:1].upper() + tail[1:]
                next_pieces.append((head, head, [*rules, rule]))
                next_pieces.append((opened, tail, [*rules, rule]))
            pieces = next_pieces
        return [self._plain(text, source, rules, drop) for text, source, rules in pieces]

    def _plain(
        self, text: str, source: str, rules: list[list[str]], drop: bool
    ) -> tuple[str, str, list[list[str]]]:
        rules = list(rules)
        text = text.strip().rstrip(".;:,")
        source = source.strip().rstrip(".;:,")
        for opener in self.data.drop_openers if drop else ():
            index = text.find(", " + opener + " ")
            if index > 0 and len(words(text[:index])) >= 6:
                dropped = text[index:]
                rules.append(["drop", dropped, ""])
                cut = source.find(dropped)
                if cut > 0:
                    source = source[:cut]
                text = text[:index]
        for opener in _OPENERS:
            if text.startswith(opener):
                rules.append(["drop-opener", opener.strip(), ""])
                text = text[len(opener)].upper() + text[len(opener) + 1 :]
        for match in re.findall(r"\s\([A-Z][A-Z]+s?\)", text):
            rules.append(["drop-acronym", match, ""])
            text = text.replace(match, "")
        for token in sorted(set(_ACRONYM_TOKEN.findall(text))):
            if token in self.data.acronyms:
                text, n = _replace_words(text, token, self.data.acronyms[token])
                if n:
                    rules.append(["acronym", token, self.data.acronyms[token]])
            elif token in self.defined:
                long_form = self.defined[token][0]
                text, n = _replace_words(text, token, long_form)
                if n:
                    rules.append(["acronym-source", token, long_form])
        for phrase in self.data.phrases:
            text, n = _replace_words(text, phrase.source, phrase.plain)
            if n:
                rules.append(["phrase", phrase.source, phrase.plain])
        text = text[:1].upper() + text[1:]
        return text + ".", source, rules


# --- Building the plan ---------------------------------------------------------------------


class Planner:
    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.data = load()
        self.cited, self.facts = source_facts(root)
        self.rewriter = Rewriter(self.data, root)
        self.per_side = 2  # strengths and concerns chosen per judgement area
        self.per_section = 1  # lead sentences per section of a document without grades

    def check(self, sentence: Sentence) -> list[str]:
        return faithfulness_findings(sentence.record(), self.cited, self.facts, self.data)

    def _extra_cites(self, rules: list[list[str]]) -> tuple[str, ...]:
        """Blocks that define an acronym a sentence spells out: it rests on them too."""
        return tuple(
            self.rewriter.defined[rule[1]][1] for rule in rules if rule[0] == "acronym-source"
        )

    def candidates(self, block: etree._Element) -> list[tuple[Sentence, int]]:
        """Every faithful, short rewritten sentence of a block, with its place in it."""
        ident = block.get("id") or ""
        text = self.cited.get(ident, "")
        out = []
        for position, original in enumerate(split_sentences(text)):
            for plain, source, rules in self.rewriter.rewrite(original):
                cites = tuple(dict.fromkeys((ident, *self._extra_cites(rules))))
                sentence = Sentence(plain, cites, "source", source, rules)
                size = len(words(plain))
                if not MIN_WORDS <= size <= MAX_WORDS or _DANGLING.search(plain):
                    continue
                if any(
                    t not in self.data.acronyms
                    and t not in self.rewriter.defined
                    and not self._glossary_has(t)
                    for t in _ACRONYM_TOKEN.findall(plain)
                ):
                    continue
                if self.check(sentence):
                    continue
                out.append((sentence, position))
        return out

    def _glossary_has(self, token: str) -> bool:
        return any(token in t.forms for t in self.data.terms)

    def faithful(self, block_id: str, text: str) -> Sentence:
        """A whole block rewritten plainly (nothing left out); as written if that fails."""
        pieces = self.rewriter.rewrite(text, drop=False)
        rules: list[list[str]] = []
        for _, _, piece_rules in pieces:
            rules.extend(r for r in piece_rules if r not in rules)
        plain = " ".join(piece for piece, _, _ in pieces)
        cites = tuple(dict.fromkeys((block_id, *self._extra_cites(rules))))
        sentence = Sentence(plain, cites, "source", text.strip(), rules)
        if not self.check(sentence):
            return sentence
        return Sentence(text, (block_id,), "fallback", text, [])

    def template(self, key: str, cites: tuple[str, ...], /, **slots: str) -> Sentence:
        text = self.data.templates[key].format(**slots)
        return Sentence(text, cites, "template", template=key, slots=dict(slots))

    def find_block(self, *needles: str) -> str | None:
        """The first body block whose text holds every needle (case-insensitive)."""
        folded = [normalise(n).casefold() for n in needles if n]
        for ident, text in self.cited.items():
            haystack = normalise(text).casefold()
            if all(n in haystack for n in folded):
                return ident
        return None

    def first_block(self) -> str:
        return next(iter(self.cited), "")

    # -- parts --

    def about(self) -> Part:
        facts, data = self.facts, self.data
        ofsted = self.root.findtext("meta/kind", "").startswith("ofsted")
        title_id = self.find_block(facts["title"]) or self.first_block()
        out = [self.template("intro" if ofsted else "intro_generic", (title_id,))]
        if facts["title"]:
            key = "title" if ofsted else "title_generic"
            out.append(self.template(key, (title_id,), title=facts["title"]))
        dates = facts["dates"]
        if "inspection-start" in dates:
            start = format_date(dates["inspection-start"])
            year = dates["inspection-start"][:4]
            cite = self.find_block("inspection", year) or title_id
            if "inspection-end" in dates and dates["inspection-end"] != dates["inspection-start"]:
                end = format_date(dates["inspection-end"])
                out.append(self.template("dates", (cite,), start=start, end=end))
            else:
                out.append(self.template("date", (cite,), start=start))
        if facts["lead"]:
            cite = self.find_block(facts["lead"]) or title_id
            out.append(self.template("lead", (cite,), name=facts["lead"]))
        return Part("about", data.headings["about"], out)

    def grades(self) -> Part | None:
        judgements = self.facts["judgements"]
        if not judgements:
            return None
        items, meanings = [], []
        for judgement in judgements:
            area = self.data.area_name(judgement["label"])
            grade = judgement["grade_text"].casefold() or self.data.grade_words[judgement["grade"]]
            cites = self._judgement_cites(judgement)
            items.append(self.template("grade", cites, area=area, grade=grade))
        seen: list[str] = []
        for judgement in judgements:
            if judgement["grade"] in seen:
                continue
            seen.append(judgement["grade"])
            cites = self._judgement_cites(judgement)
            text = " ".join(self.data.grade_meanings[judgement["grade"]])
            meanings.append(Sentence(text, cites, "meaning", slots={"grade": judgement["grade"]}))
        part = Part("grades", self.data.headings["grades"], items, "bullet")
        part.parts.append(Part("grade-meanings", "", meanings))
        return part

    def _judgement_cites(self, judgement: dict[str, Any]) -> tuple[str, ...]:
        label, grade = judgement["label"], judgement["grade_text"]
        for section in _graded_sections(self.root):
            heading = section.find("heading")
            if heading is not None and heading.get("id"):
                heading_text = _text(heading).casefold()
                if label.casefold() in heading_text and grade.casefold() in heading_text:
                    return (heading.get("id") or "",)
        found = self.find_block(label, grade)
        return (found or self.find_block(label) or self.first_block(),)

    def improvements(self) -> Part | None:
        blocks = _improvement_blocks(self.root)
        if not blocks:
            return None
        section = self.root.find("body//section[@role='improvements']")
        heading = section.find("heading") if section is not None else None
        intro_cite = heading.get("id") if heading is not None and heading.get("id") else None
        items = [self.faithful(b.get("id") or "", self.cited[b.get("id") or ""]) for b in blocks]
        part = Part("improvements", self.data.headings["improvements"], [], role="improvements")
        part.sentences = [self.template("improvements", (intro_cite or items[0].cites[0],))]
        part.parts.append(Part("improvement-list", "", items, "ordered"))
        return part

    def choose(self, blocks: list[etree._Element]) -> tuple[list[Sentence], list[Sentence]]:
        """A few strengths and concerns, balanced, from a list of blocks."""
        strengths: list[tuple[float, int, Sentence]] = []
        concerns: list[tuple[float, int, Sentence]] = []
        for order, block in enumerate(blocks):
            for sentence, position in self.candidates(block):
                score = _difficulty(sentence.text) + (0 if position == 0 else 2)
                concern = bool(_CONCERN.search(sentence.source_text)) or bool(
                    set(claim_words(sentence.source_text)) & NEGATIONS
                )
                (concerns if concern else strengths).append((score, order, sentence))
        side = self.per_side
        take_s = min(side, len(strengths)) if concerns else min(side + 1, len(strengths))
        take_c = min(side, len(concerns)) if strengths else min(side + 1, len(concerns))
        return _pick(strengths, take_s), _pick(concerns, take_c)

    def findings(self) -> Part | None:
        graded = _graded_sections(self.root)
        if not graded:
            return None
        part = Part("findings", self.data.headings["findings"], [])
        lead = [
            b
            for b in self.root.iterfind("body/p")
            if b.get("id") and len(words(self.cited.get(b.get("id") or "", ""))) > 25
        ] + [b for s in self.root.findall("body/section[@role='summary']") for b in _blocks_of(s)]
        areas: list[tuple[str, list[etree._Element]]] = []
        if lead:
            areas.append(("The main points", lead))
        for section in graded:
            heading = section.find("heading")
            label = _text(heading) if heading is not None else ""
            label = re.split(r":\s*(?=[A-Za-z ]+$)", label)[0]
            areas.append((self.data.area_name(label), _blocks_of(section)))
        for index, (name, blocks) in enumerate(areas, 1):
            strengths, concerns = self.choose(blocks)
            area = Part(f"area-{index}", name, [])
            if strengths:
                area.parts.append(
                    Part(
                        f"area-{index}-strengths",
                        self.data.headings["strengths"],
                        strengths,
                        "bullet",
                    )
                )
            if concerns:
                area.parts.append(
                    Part(
                        f"area-{index}-concerns", self.data.headings["concerns"], concerns, "bullet"
                    )
                )
            if area.parts:
                part.parts.append(area)
        return part

    def sections(self) -> Part:
        """For a document without grades: its headings and the lead sentence under each."""
        part = Part("sections", self.data.headings["sections"], [])
        part.sentences.append(self.template("no_grades", (self.first_block(),)))
        chosen = 0
        for section in self.root.iter("section"):
            if chosen >= GENERIC_SECTIONS or section.get("role") in ("improvements", "contents"):
                continue
            if any(a.tag == "back" for a in section.iterancestors()):
                continue
            heading = section.find("heading")
            blocks = [b for b in section if b.tag == "p" and b.get("id")]
            if heading is None or not blocks:
                continue
            leads: list[Sentence] = []
            for block in blocks:
                found = self.candidates(block)
                if found:
                    leads.append(found[0][0])
                if len(leads) >= self.per_section:
                    break
            if not leads:
                continue
            part.parts.append(Part(f"section-{chosen + 1}", _text(heading), leads))
            chosen += 1
        if not part.parts:
            for block in self.root.iterfind("body//p"):
                found = self.candidates(block)
                if found:
                    part.sentences.append(found[0][0])
                if len(part.sentences) > 8:
                    break
        return part

    def official(self) -> Part:
        back = self.root.find("back/section[@role='alternative-formats']")
        out = [
            self.template("official", (self.find_block(self.facts["title"]) or self.first_block(),))
        ]
        if back is not None:
            ids = [b.get("id") or "" for b in back.iter("p") if b.get("id")]
            text = " ".join(self.cited.get(i, "") for i in ids)
            phone, email = _PHONE.search(text), _EMAIL.search(text)
            cites = tuple(ids) or (self.first_block(),)
            if phone and email:
                out.append(
                    self.template("formats", cites, phone=phone.group(0), email=email.group(0))
                )
            elif phone:
                out.append(self.template("formats_phone", cites, phone=phone.group(0)))
            else:
                out.append(self.template("formats_none", cites))
        else:
            out.append(self.template("formats_none", (self.first_block(),)))
        return Part("official", self.data.headings["official"], out, role="alternative-formats")

    def glossary(self, sentences: list[Sentence]) -> Part:
        """The terms the summary uses, with our plain explanations."""
        prose = " ".join(s.text for s in sentences)
        folded = normalise(prose).casefold()
        entries = []
        for term in self.data.terms:
            hit = [
                f
                for f in term.forms
                if re.search(
                    r"(?<![\w-])" + re.escape(normalise(f).casefold()) + r"(?![\w-])", folded
                )
            ]
            if not hit:
                continue
            cites = tuple(
                dict.fromkeys(
                    c for s in sentences for c in s.cites if _mentions(s.text, term.forms)
                )
            )
            entries.append(
                Sentence(
                    f"{term.term}: {term.plain}",
                    cites[:3] or (self.first_block(),),
                    "glossary",
                    slots={"term": term.term},
                )
            )
        for token in sorted({t for s in sentences for t in _ACRONYM_TOKEN.findall(s.text)}):
            if self._glossary_has(token):
                continue
            if token in self.data.acronyms:
                cites = tuple(c for s in sentences for c in s.cites if token in s.text)
                entries.append(
                    Sentence(
                        f"{token}: {self.data.acronyms[token]}",
                        cites[:1],
                        "acronym",
                        slots={"term": token},
                    )
                )
            elif token in self.rewriter.defined:
                long_form, ident = self.rewriter.defined[token]
                entries.append(
                    Sentence(f"{token}: {long_form}", (ident,), "acronym", slots={"term": token})
                )
        entries.sort(key=lambda s: s.text.casefold())
        return Part("glossary", self.data.headings["glossary"], entries, "bullet", role="glossary")

    def plan(self) -> Plan:
        """The longest summary within the word limit: fewer findings for long reports."""
        graded = bool(self.facts["judgements"]) or bool(_graded_sections(self.root))
        settings = [(2, 1), (1, 1)] if graded else [(2, 1), (2, 2), (2, 3)]
        chosen: Plan | None = None
        for self.per_side, self.per_section in settings:
            made = self._plan()
            size = _plan_words(made)
            if graded and size <= WORD_BUDGET[1]:
                return made
            if not graded:
                if size > WORD_BUDGET[1] and chosen is not None:
                    return chosen
                chosen = made
                if size >= WORD_BUDGET[0]:
                    return made
        return made if chosen is None else chosen

    def _plan(self) -> Plan:
        graded = bool(self.facts["judgements"]) or bool(_graded_sections(self.root))
        parts = [self.about()]
        for maker in (
            (self.grades, self.improvements, self.findings) if graded else (self.improvements,)
        ):
            made = maker()
            if made is not None:
                parts.append(made)
        if not graded:
            parts.append(self.sections())
        back = [self.official()]
        sentences = [s for p in (*parts, *back) for s in _walk(p)]
        glossary = self.glossary(sentences)
        if glossary.sentences:
            parts.append(glossary)
        plan = Plan(self.facts["title"], parts, back, self.cited, self.facts)
        for number, sentence in enumerate(plan.sentences(), 1):
            sentence.id = f"s-{number}"
        return plan


def _plan_words(plan: Plan) -> int:
    """Words a reader reads: headings and sentences (references are not words of the text)."""
    count = len(words(plan.title))

    def walk(part: Part) -> int:
        own = len(words(part.heading)) + sum(len(words(s.text)) for s in part.sentences)
        return own + sum(walk(child) for child in part.parts)

    return count + sum(walk(p) for p in (*plan.parts, *plan.back))


def _mentions(text: str, forms: tuple[str, ...]) -> bool:
    folded = normalise(text).casefold()
    return any(normalise(f).casefold() in folded for f in forms)


def _walk(part: Part) -> list[Sentence]:
    return [*part.sentences, *(s for child in part.parts for s in _walk(child))]


def _difficulty(text: str) -> float:
    """Flesch-Kincaid grade of one sentence: lower is easier."""
    import textstat

    return float(textstat.flesch_kincaid_grade(text))


def _pick(scored: list[tuple[float, int, Sentence]], count: int) -> list[Sentence]:
    """The easiest sentences, one per block, shown in the report's order."""
    chosen: list[tuple[int, Sentence]] = []
    used: set[str] = set()
    for _score, order, sentence in sorted(scored, key=lambda x: (x[0], x[1], x[2].text)):
        if len(chosen) >= count:
            break
        if sentence.cites[0] in used:
            continue
        used.add(sentence.cites[0])
        chosen.append((order, sentence))
    return [s for _, s in sorted(chosen, key=lambda x: x[0])]


# --- The summary tree and the trace --------------------------------------------------------


def plan(root: etree._Element) -> Plan:
    if isinstance(root, etree._ElementTree):
        root = root.getroot()
    return Planner(root).plan()


@dataclass
class Summary:
    """A report's summary, planned once: its tree (for any writer) and its trace."""

    source: etree._Element
    plan: Plan

    @functools.cached_property
    def tree(self) -> etree._Element:
        return _summary_tree(self.source, self.plan)

    def trace_json(self) -> bytes:
        return _trace_json(self.source, self.plan)


def summary_of(root: etree._Element) -> Summary:
    """Plan the summary of a canonical tree once, for its tree and its trace."""
    if isinstance(root, etree._ElementTree):
        root = root.getroot()
    return Summary(root, plan(root))


def summarize(root: etree._Element) -> etree._Element:
    """The summary of a canonical tree, itself a canonical tree (report @variant=summary)."""
    return summary_of(root).tree


def _summary_tree(root: etree._Element, summary: Plan) -> etree._Element:
    out = etree.Element("report", {"schema-version": canonical.SCHEMA_VERSION})
    out.set(canonical.XML_LANG, canonical.language(root))
    out.set("variant", "summary")
    meta = etree.SubElement(out, "meta")
    title = summary.title or "the document"
    etree.SubElement(meta, "title").text = f"Plain-language summary: {title}"
    source_meta = root.find("meta")
    for name in ("kind", "subject", "publisher", "date", "person", "source", "judgements"):
        for element in source_meta.findall(name) if source_meta is not None else []:
            meta.append(_copy(element))
    if meta.find("kind") is None:
        etree.SubElement(meta, "kind").text = "generic"
    body = etree.SubElement(out, "body")
    for part in summary.parts:
        _emit(body, part)
    back = etree.SubElement(out, "back")
    for part in summary.back:
        _emit(back, part)
    canonical.validate(out, source="summary")
    return out


def _copy(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element), canonical.safe_parser())


def _emit(parent: etree._Element, part: Part) -> None:
    section = etree.SubElement(parent, "section", {"id": f"sum-{part.key}"})
    if part.role:
        section.set("role", part.role)
    container = section
    if part.heading:
        heading = etree.SubElement(section, "heading", {"id": f"sum-{part.key}-h"})
        heading.text = part.heading
    if part.style == "p":
        for sentence in part.sentences:
            _sentence_element(etree.SubElement(container, "p"), sentence)
    elif part.sentences:
        kind = "ordered" if part.style == "ordered" else "bullet"
        listing = etree.SubElement(container, "list", {"id": f"sum-{part.key}-l", "type": kind})
        for sentence in part.sentences:
            _sentence_element(etree.SubElement(listing, "item"), sentence)
    for child in part.parts:
        if child.heading:
            _emit(section, child)
        else:
            # An unheaded sub-part continues its parent section.
            if child.style == "p":
                for sentence in child.sentences:
                    _sentence_element(etree.SubElement(section, "p"), sentence)
            else:
                kind = "ordered" if child.style == "ordered" else "bullet"
                listing = etree.SubElement(
                    section, "list", {"id": f"sum-{child.key}-l", "type": kind}
                )
                for sentence in child.sentences:
                    _sentence_element(etree.SubElement(listing, "item"), sentence)


def _sentence_element(element: etree._Element, sentence: Sentence) -> None:
    element.set("id", sentence.id)
    cites = " ".join(c for c in sentence.cites if c)
    if cites:  # a document with no blocks gives fixed sentences that cite none
        element.set("cites", cites)
    if sentence.kind in ("glossary", "acronym"):
        term, _, rest = sentence.text.partition(": ")
        strong = etree.SubElement(element, "strong")
        strong.text = term
        strong.tail = ": " + rest
    else:
        element.text = sentence.text


def trace_json(root: etree._Element) -> bytes:
    """Per sentence: its text, sources and the rules applied; plus the cited source text."""
    return summary_of(root).trace_json()


def _trace_json(root: etree._Element, summary: Plan) -> bytes:
    records = [s.record() for s in summary.sentences()]
    cited_ids = sorted({c for r in records for c in r["cites"]}, key=_id_order)
    source = root.find("meta/source")
    payload: dict[str, Any] = {
        "trace-version": 1,
        "source": {str(k): str(v) for k, v in source.attrib.items()} if source is not None else {},
        "facts": summary.facts,
        "cited": {i: summary.cited[i] for i in cited_ids if i in summary.cited},
        "sentences": records,
    }
    return (json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def trace_path(path: Path) -> Path:
    """Where a summary's trace goes: beside it, ``<stem>.summary.trace.json``."""
    name = path.name
    stem = name[: -len(".summary.md")] if name.endswith(".summary.md") else path.stem
    return path.with_name(f"{stem}.summary.trace.json")


def _id_order(ident: str) -> tuple[str, int]:
    match = re.match(r"(.*?)(\d+)$", ident)
    return (match.group(1), int(match.group(2))) if match else (ident, 0)
