"""The Easy Read edition: a new canonical tree of short lines, each with its picture, built on
the plain-language summary (its selection, classification and faithfulness rules).

Offline and deterministic.  The summary chooses what the report says that matters; this
keeps what can be said in Easy Read (Department of Health, 2010): one sentence of at most
15 words a line, the outcome and the grades in words, what is good, what must get better,
what happens next and where to get help, a hard-words box, and a picture beside each line
whose idea the reviewed data (easy_read_data/, converter/symbols/) gives one.

Every line cites the source blocks it rests on and is checked (easy_read_rules, which
`convert check` applies too).  The fixed lines are always there; the report's findings and
improvement items are added easiest first, in turn, for as long as the whole still reads at
the target grade: an item that does not fit is counted ("The report lists 3 more things
that must get better") and the reader sent to the full report, never cut.  A document with
nothing to say in Easy Read (a timetable, a table of figures) is refused with one clear
error, never given an empty edition.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from converter.errors import OutputError
from converter.transforms import summary as summary_transform
from converter.transforms.classify import CONCERN, STRENGTH
from converter.transforms.easy_read_data import EasyReadData, load
from converter.transforms.easy_read_model import EasyReadPlan, Line, Part
from converter.transforms.easy_read_rules import (
    MAX_GRADE,
    MAX_WORDS,
    edition_findings,
    line_findings,
    own_findings,
    readability,
)
from converter.transforms.easy_read_tree import easy_read_tree, trace_document
from converter.transforms.faithfulness import date_range, faithfulness_findings, normalise
from converter.transforms.plain import LAST_RESORT, _cut, _keeps_capital
from converter.transforms.summary_data import Term
from converter.transforms.summary_model import Candidate as SummaryCandidate
from converter.transforms.summary_model import Sentence
from converter.words import words

__all__ = ["EasyRead", "EasyReadPlan", "Line", "NothingToSay", "easy_read_of", "plan"]

MAX_FINDINGS = 6  # strengths, and concerns, at most: the edition stays near 20 pages
POOL = 24  # findings of each kind the summary offers, weightiest first
#: Where a part of an improvement item still over 15 words may be cut besides the summary's
#: joints: before a phrase, never leaving a part under four words (plain._cut).
EXTRA_JOINTS = (" to ", " at ", " with ", " by ", " from ", " when ", " that ")
#: The order in which kinds of content take turns to be added (each its easiest first).
TURNS = ("outcome", "improvements", "concerns", "strengths", "sections")


class NothingToSay(OutputError):
    """The document holds nothing that can be said in Easy Read."""


@dataclass
class Candidate:
    """Lines that go in together or not at all: a finding, an improvement item whole."""

    kind: str  # one of TURNS
    lines: list[Line]
    order: int  # its place in the summary or the report

    @functools.cached_property
    def difficulty(self) -> float:
        """Syllables a word, then length: the order in which findings are tried."""
        text = " ".join(line.text for line in self.lines)
        return summary_transform.syllables_per_word(text) + len(words(text)) / 100


class Planner:
    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.data: EasyReadData = load()
        self.summary = summary_transform.Planner(root)
        self.summary_plan = self.summary.plan()
        self.cited, self.facts = self.summary.cited, self.summary.facts
        self.ofsted = self.summary.ofsted
        self.suffix = "" if self.ofsted else "_generic"
        self.title_id = self.summary.find_block(self.facts["title"]) or self.summary.first_block()
        self._terms: dict[str, tuple[Term, ...]] = {}  # a line's text -> the terms it uses

    # -- lines ----------------------------------------------------------------------------

    def template(self, key: str, cites: tuple[str, ...], /, **slots: str) -> Line:
        text = self.data.summary.templates[key].format(**slots)
        sentence = Sentence(text, cites, "template", template=key, slots=dict(slots))
        return Line(sentence, self.data.template_symbols.get(key, ""))

    def from_summary(self, sentence: Sentence, *, continues: bool = False, group: str = "") -> Line:
        """A sentence in the report's words as a line: its picture from the cues it holds."""
        line = Line(copy.deepcopy(sentence), continues=continues, group=group)
        if not continues:
            cue = self.data.cue_for(sentence.text)
            line.symbol = cue[0].concept if cue is not None else ""
        return line

    def fits(self, line: Line) -> bool:
        """A line short and plain enough, and faithful to its source."""
        record = line.record()
        if line_findings(record, self.data):
            return False
        if record["kind"] in ("meaning-part", "hard-word"):
            return not own_findings(record, self.facts, self.data)
        return not faithfulness_findings(record, self.cited, self.facts, self.data.summary)

    def grade_line(self, key: str, judgement: dict[str, Any], **slots: str) -> Line:
        said = (
            judgement["grade_text"].casefold()
            or (self.data.summary.grade_words[judgement["grade"]])
        )
        cites = self.summary._judgement_cites(judgement)
        line = self.template(key, cites, grade=said, value=judgement["grade"], **slots)
        line.symbol = self.data.grade_symbols.get(judgement["grade"], "")
        line.strong = (said,)
        return line

    def meaning_lines(self, judgement: dict[str, Any]) -> list[Line]:
        cites = self.summary._judgement_cites(judgement)
        grade = judgement["grade"]
        return [
            Line(Sentence(text, cites, "meaning-part", slots={"grade": grade}))
            for text in self.data.meanings.get(grade, ())
        ]

    # -- the fixed parts ------------------------------------------------------------------

    def about(self) -> Part:
        part = Part("about", self.data.headings["about" + self.suffix])
        part.lines.append(self.template("intro" + self.suffix, (self.title_id,)))
        dates = self.facts["dates"]
        if "inspection-start" in dates:
            start, end = date_range(dates["inspection-start"], dates.get("inspection-end"))
            cite = self.summary.find_block("inspection", dates["inspection-start"][:4])
            cites = (cite or self.title_id,)
            if end:
                part.lines.append(self.template("dates", cites, start=start, end=end))
            else:
                part.lines.append(self.template("date", cites, start=start))
        return part

    def outcome(self) -> Part:
        """The overall grade and what it means; or, for a report without grades, that it
        gives none and the outcome in its set words (the stated outcome is a candidate)."""
        part = Part("outcome", self.data.headings["outcome" + self.suffix])
        judgements = self.facts["judgements"]
        if judgements:
            overall = summary_transform._overall(judgements)
            part.lines.append(self.grade_line("outcome_grade", overall))
            if self.ofsted:
                cites = self.summary._judgement_cites(overall)
                part.lines.append(self.template("four_grades", cites))
            part.lines.extend(self.meaning_lines(overall))
            return part
        if "focused visit" in self.facts["title"].casefold():
            part.lines.append(self.template("focused_visit", (self.title_id,)))
            part.lines.append(self.template("focused_visit_part", (self.title_id,)))
        if self.ofsted:  # a document that is no inspection report is graded by no one
            key = "no_grades_letter" if self.facts["kind"].endswith("letter") else "no_grades"
            part.lines.append(self.template(key, (self.title_id,)))
        for phrase, template in self.data.summary.outcomes:
            found = self.summary.find_block(phrase)
            if found is not None:
                part.lines.append(self.template(template, (found,)))
                break
        return part

    def grades(self) -> Part | None:
        judgements = self.facts["judgements"]
        if not judgements:
            return None
        overall = summary_transform._overall(judgements)
        part = Part("grades", self.data.headings["grades"])
        for judgement in judgements:
            if judgement is not overall:
                area = self.data.summary.area_name(judgement["label"])
                part.lines.append(self.grade_line("grade", judgement, area=area))
        seen = [overall["grade"]]
        for judgement in judgements:
            if judgement["grade"] not in seen:
                seen.append(judgement["grade"])
                part.lines.extend(self.meaning_lines(judgement))
        return part if part.lines else None

    def next_steps(self) -> Part:
        part = Part("next", self.data.headings["next"])
        for step in self.data.next_steps:
            for ident, text in self.cited.items():
                found = step.match(text)
                if found is None:
                    continue
                slots = {step.slot: found.group(1)} if step.slot else {}
                part.lines.append(self.template(step.template, (ident,), **slots))
                break
        if not part.lines:
            part.lines.append(self.template("next_ask" + self.suffix, (self.title_id,)))
        return part

    def help(self) -> Part:
        part = Part("help", self.data.headings["help"], role="alternative-formats")
        cite = (self.title_id,)
        for key in ("written", "trust"):
            part.lines.append(self.template(key + self.suffix, cite))
        back = self.root.find("back/section[@role='alternative-formats']")
        ids = [b.get("id") or "" for b in back.iter("p") if b.get("id")] if back is not None else []
        text = " ".join(self.cited.get(i, "") for i in ids)
        phone = summary_transform._PHONE.search(text)
        email = summary_transform._EMAIL.search(text)
        offer_cites = tuple(ids) or cite
        if phone:
            part.lines.append(self.template("formats_phone", offer_cites, phone=phone.group(0)))
            if email:
                part.lines.append(self.template("formats_email", offer_cites, email=email.group(0)))
        else:
            part.lines.append(self.template("formats_none" + self.suffix, offer_cites))
            part.lines.append(self.template("formats_ask", offer_cites))
        part.lines.append(self.template("ask_help", cite))
        return part

    # -- what the report says: the candidates ---------------------------------------------

    def candidates(self) -> list[Candidate]:
        found: list[Candidate] = []
        if not self.facts["judgements"]:
            outcome = self.summary_plan.parts[0]
            found.extend(self._from_units("outcome", outcome.units()))
        for order, ident in enumerate(self.facts["improvements"]):
            lines = self.item_lines(ident, self.cited[ident])
            if all(self.fits(line) for line in lines):
                found.append(Candidate("improvements", lines, order))
        if self.ofsted:
            for key, pool in self.finding_pools().items():
                found.extend(self._from_units(key, [c.unit for c in pool]))
        else:
            part = next((p for p in self.summary_plan.parts if p.key == "sections"), None)
            if part is not None:
                found.extend(self._from_units("sections", part.units()))
        return found

    def finding_pools(self) -> dict[str, list[SummaryCandidate]]:
        """The summary's findings of each kind, weightiest first and none saying what another
        says (its own choice, from its whole pool rather than the few its length allows):
        Easy Read then takes those that read most easily."""
        stated = {s.text for unit in self.summary_plan.parts[0].units() for s in unit.sentences}
        found = [
            c
            for c in self.summary._all_candidates()
            if not stated & {s.text for s in c.unit.sentences}
        ]
        return {
            key: summary_transform._choose([c for c in found if c.label == label], POOL)
            for key, label in (("concerns", CONCERN), ("strengths", STRENGTH))
        }

    def _from_units(self, kind: str, units: list[Any]) -> list[Candidate]:
        """Each unit of the summary whose sentences in the report's words all fit a line
        (the summary's explanations of terms go to the hard-words box instead)."""
        found = []
        for order, unit in enumerate(units):
            said = [s for s in unit.sentences if s.kind == "source"]
            if said and _leans_back(said[0].text):
                continue  # "In their own words, ...": it needs a sentence we leave out
            group = f"{kind}-{order}"
            lines = [self.from_summary(s, group=group) for s in said]
            for line in lines:
                line.sentence.section = kind
            if lines and all(self.fits(line) for line in lines):
                found.append(Candidate(kind, lines, order))
        return found

    def item_lines(self, ident: str, item: str) -> list[Line]:
        """An improvement item whole: one line where it fits, else its points (the summary's
        cuts, cut again where a point is still too long), none of it left out."""
        rewriter = self.summary.rewriter
        text, source, rules = rewriter.plain(item, item, [], drop=False)
        if len(words(text)) <= MAX_WORDS:
            pieces = [(text, source, rules)]
        else:
            pieces = []
            for plain_text, point, point_rules in rewriter.points(item):
                if len(words(plain_text)) <= MAX_WORDS:
                    pieces.append((plain_text, point, point_rules))
                    continue
                cut = [point]
                for joint in (*LAST_RESORT, *EXTRA_JOINTS):
                    cut = [
                        c
                        for piece in cut
                        for c in _cut(piece, joint, limit=MAX_WORDS - 2, strict=False)
                    ]
                for index, piece in enumerate(cut):
                    end = "." if index == len(cut) - 1 and plain_text.endswith(".") else ""
                    pieces.append(rewriter.plain(piece, piece, [], drop=False, end=end))
        lines: list[Line] = []
        for plain_text, point, point_rules in pieces:
            continues = bool(lines) and not lines[-1].text.endswith(".")
            if continues and not _keeps_capital(point):
                plain_text = plain_text[:1].lower() + plain_text[1:]
            cites = tuple(dict.fromkeys((ident, *self.summary._extra_cites(point_rules))))
            sentence = Sentence(plain_text, cites, "point", point, point_rules)
            sentence.section = "improvements"
            lines.append(self.from_summary(sentence, continues=continues, group=ident))
        return lines

    # -- hard words -----------------------------------------------------------------------

    @functools.cached_property
    def _hard_word_lines(self) -> dict[str, Line | None]:
        """Each glossary term's line for the box (None: no line of ours fits it)."""
        lines: dict[str, Line | None] = {}
        for term in self.data.summary.terms:
            text = self.data.hard_words.get(term.term, "")
            kind = "hard-word" if text else "explain"
            text = text or term.explain
            line = Line(Sentence(text, (self.title_id,), kind, slots={"term": term.term}))
            form = _form_in(text, (term.term, *term.forms))
            line.strong = (form,) if form else ()
            lines[term.term] = line if text and self.fits(line) else None
        return lines

    def terms_in(self, lines: list[Line]) -> list[Term]:
        """The glossary terms the report's own words in these lines use, in glossary order."""
        used = {term.term for line in lines for term in self._line_terms(line)}
        return [term for term in self.data.summary.terms if term.term in used]

    def _line_terms(self, line: Line) -> tuple[Term, ...]:
        """The terms one line uses (a fixed line of ours uses none), found once per text."""
        if line.sentence.kind == "template":
            return ()
        found = self._terms.get(line.text)
        if found is None:
            found = tuple(t for t in self.data.summary.terms if _form_in(line.text, t.forms))
            self._terms[line.text] = found
        return found

    def hard_words(self, lines: list[Line]) -> Part | None:
        """The box of hard words: each term the lines use that a line of ours explains, its
        cites those of the lines using it; the term in bold where it is used."""
        box: list[Line] = []
        for term in self.terms_in(lines):
            explained = self._hard_word_lines[term.term]
            if explained is None:
                continue
            users = [
                user
                for user in lines
                if user.sentence.kind != "template" and _form_in(user.text, term.forms)
            ]
            line = copy.deepcopy(explained)
            line.sentence.cites = tuple(dict.fromkeys(c for u in users for c in u.sentence.cites))[
                :3
            ]
            for user in users:
                used = _form_in(user.text, term.forms)
                if used and used not in user.strong:
                    user.strong = (*user.strong, used)
            box.append(line)
        if not box:
            return None
        part = Part("hard-words", self.data.headings["hard_words"], role="hard-words")
        part.lines = sorted(box, key=lambda line: line.text.casefold())
        return part

    def _box_texts(self, lines: list[Line]) -> list[str]:
        return [
            explained.text
            for term in self.terms_in(lines)
            if (explained := self._hard_word_lines[term.term]) is not None
        ]

    # -- the edition ----------------------------------------------------------------------

    def choose(self, fixed: list[Line], candidates: list[Candidate]) -> list[Candidate]:
        """Candidates taken in turns by kind (so that what is good and what must get better
        both have their say), each turn the one that leaves the whole easiest to read, for
        as long as the whole, with the hard words its lines bring, reads at the target grade
        or below."""
        pools = {kind: [c for c in candidates if c.kind == kind] for kind in TURNS}
        chosen: list[Candidate] = []
        taken = dict.fromkeys(TURNS, 0)
        added = True
        while added:
            added = False
            for kind in TURNS:
                if kind in ("concerns", "strengths") and taken[kind] >= MAX_FINDINGS:
                    continue
                scored = []
                for candidate in pools[kind]:
                    lines = [line for c in (*chosen, candidate) for line in c.lines]
                    figures = readability(
                        [line.text for line in (*fixed, *lines)] + self._box_texts(lines)
                    )
                    if figures.grade_level <= MAX_GRADE:
                        scored.append(
                            (figures.exact_grade, candidate.difficulty, candidate.order, candidate)
                        )
                if scored:
                    best = min(scored, key=lambda s: s[:3])[3]
                    pools[kind].remove(best)
                    chosen.append(best)
                    taken[kind] += 1
                    added = True
        return chosen

    def plan(self) -> EasyReadPlan:
        about, outcome, grades = self.about(), self.outcome(), self.grades()
        next_steps, help_part = self.next_steps(), self.help()
        candidates = self.candidates()
        said_outcome = any(_is_content(line) for line in outcome.lines) or grades is not None
        if not candidates and not said_outcome:
            raise NothingToSay(
                "no Easy Read edition: it has no findings, grades or decisions that can be "
                f"said in sentences of {MAX_WORDS} words or fewer (it is mostly tables or "
                "figures); convert the full document, or its summary, instead"
            )
        fixed = [
            *about.lines,
            *outcome.lines,
            *(grades.lines if grades else []),
            *next_steps.lines,
            *help_part.lines,
        ]
        chosen = self.choose(fixed, candidates)
        if not chosen and not said_outcome:
            raise NothingToSay(
                "no Easy Read edition: none of its findings can be said at the Easy Read "
                f"reading level (Flesch-Kincaid grade {MAX_GRADE:g}); convert the full "
                "document, or its summary, instead"
            )

        def lines_of(kind: str) -> list[Line]:
            picked = sorted((c for c in chosen if c.kind == kind), key=lambda c: c.order)
            return [line for c in picked for line in c.lines]

        outcome.lines.extend(lines_of("outcome"))
        parts = [about, outcome] if outcome.lines else [about]
        if grades is not None:
            parts.append(grades)
        strengths = lines_of("strengths")
        if strengths:
            parts.append(Part("strengths", self.data.headings["strengths"], strengths))
        improve = self.improve_part(lines_of("improvements"), lines_of("concerns"))
        if improve is not None:
            parts.append(improve)
        sections = lines_of("sections")
        if sections:
            parts.append(Part("sections", self.data.headings["sections"], sections))
        parts.append(next_steps)
        back = [help_part]
        hard = self.hard_words([line for part in parts + back for line in part.lines])
        if hard is not None:
            about.lines.append(self.template("bold", (self.title_id,)))
            parts.append(hard)
        for part in parts + back:
            for line in part.lines:
                line.sentence.section = line.sentence.section or part.key
        made = EasyReadPlan(
            _readable_title(self.facts["title"]),
            parts,
            back,
            self.cited,
            self.facts,
            self.summary_plan,
        )
        _number(made)
        return made

    def improve_part(self, items: list[Line], concerns: list[Line]) -> Part | None:
        """What must get better: the report's items that fit (and how many more it lists,
        with where to read them), then its concerns."""
        part = Part("improvements", self.data.headings["improve"], role="improvements")
        every = self.facts["improvements"]
        shown = list(dict.fromkeys(line.group for line in items))
        section = self.root.find("body//section[@role='improvements']")
        heading = section.find("heading") if section is not None else None
        lead_cite = heading.get("id") if heading is not None and heading.get("id") else None
        lead_cites = (lead_cite or (every[0] if every else self.title_id),)
        if shown:
            part.lines.append(self.template("improvements", lead_cites))
            part.lines.extend(items)
        left = len(every) - len(shown)
        if left:
            key = "improvements_more" if shown else "improvements_all"
            left_out = tuple(i for i in every if i not in shown)
            part.lines.append(self.template(key, left_out, count=str(left)))
            part.lines.append(self.template("improvements_read", left_out))
        if concerns:
            if part.lines:
                cites = tuple(dict.fromkeys(c for line in concerns for c in line.sentence.cites))
                part.lines.append(self.template("concerns", cites[:3]))
            part.lines.extend(concerns)
        return part if part.lines else None


_REFERRING = frozenset(
    [
        "they",
        "them",
        "their",
        "it",
        "its",
        "he",
        "she",
        "his",
        "her",
        "others",
        "this",
        "these",
        "those",
        "such",
    ]
)


def _leans_back(text: str) -> bool:
    """Does a sentence lean on one before it, a referring word among its first three?"""
    return bool(_REFERRING & set(words(text)[:3]))


def _is_content(line: Line) -> bool:
    """A line of what the document says: a grade or an outcome in its set words."""
    template = line.sentence.template
    return template in ("outcome_grade", "grade") or template.startswith("outcome_send")


def _form_in(text: str, forms: tuple[str, ...]) -> str:
    """The longest form of a term the text holds, as the text writes it ('' when none)."""
    normal = normalise(text)
    for form in sorted(forms, key=len, reverse=True):
        found = re.search(
            r"(?<![\w-])" + re.escape(normalise(form)) + r"(?![\w-])", normal, re.IGNORECASE
        )
        if found:
            return found.group(0)
    return ""


def _readable_title(title: str) -> str:
    """The title as a heading: one set all in capitals is given ordinary capitals (Easy Read
    never sets words in capitals)."""
    return title.title() if title.isupper() else title


def _number(plan: EasyReadPlan) -> None:
    """Ids for the lines (er-N) and, for the faithfulness rules, each line's unit: the
    finding or item it belongs to, else itself."""
    for number, line in enumerate(plan.lines(), 1):
        line.id = f"er-{number}"
        line.sentence.id = line.id
        line.sentence.unit = line.group or line.id


# --- The edition, planned once -------------------------------------------------------------


def plan(root: etree._Element) -> EasyReadPlan:
    if isinstance(root, etree._ElementTree):
        root = root.getroot()
    return Planner(root).plan()


@dataclass
class EasyRead:
    """A report's Easy Read edition, planned once: its tree (for any writer) and its trace."""

    source: etree._Element
    plan: EasyReadPlan

    @functools.cached_property
    def tree(self) -> etree._Element:
        return easy_read_tree(self.source, self.plan)

    def trace_json(self) -> bytes:
        return trace_document(self.source, self.plan)

    def findings(self) -> list[str]:
        """What the rules find wrong with the whole edition (empty: it keeps them all)."""
        return edition_findings(
            self.plan.records(), self.plan.cited, self.plan.facts, load(), self.plan.sections()
        )


def easy_read_of(root: etree._Element) -> EasyRead:
    """Plan the Easy Read edition of a canonical tree once, for its tree and its trace."""
    if isinstance(root, etree._ElementTree):
        root = root.getroot()
    return EasyRead(root, plan(root))
