"""The plain-language summary: a new canonical tree that says only what the report says.

Offline and deterministic.  What a parent must learn comes first: the outcome, each grade,
what must improve, the most serious concerns, then what works well.  Findings are chosen
by weight from the report's own signals (converter.transforms.classify), rewritten by
reviewable rules (converter.transforms.plain), and every sentence records the ids of the
source blocks it rests on and is checked for faithfulness (converter.transforms.
faithfulness, which `convert check` applies too).  A sentence that fails is left out; an
improvement item that fails falls back to its words as written.
"""

from __future__ import annotations

import copy
import functools
import math
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from converter.transforms import classify as classifier
from converter.transforms.faithfulness import (
    content_words,
    date_range,
    faithfulness_findings,
    format_date,
    normalise,
    opens_with_reference,
)
from converter.transforms.plain import Rewriter, acronym_tokens
from converter.transforms.readability import (
    MAX_GRADE_LEVEL,
    MIN_READING_EASE,
    Readability,
    readability,
)
from converter.transforms.sentences import split_sentences
from converter.transforms.summary_data import SummaryData, Term, load
from converter.transforms.summary_model import (
    Candidate,
    Group,
    Part,
    Plan,
    Sentence,
    Unit,
    graded_sections,
    improvement_blocks,
    places,
    section_grade,
    source_facts,
    text_of,
)
from converter.transforms.summary_tree import (
    id_order,
    summary_tree,
    trace_document,
    trace_lines,
    trace_path,
)
from converter.words import words

# Names other modules use (the pipeline, the check, tests, benchmarks).
__all__ = [
    "Plan",
    "Planner",
    "Summary",
    "places",
    "plan",
    "source_facts",
    "summarize",
    "summary_of",
    "trace_json",
    "trace_path",
]

MAX_WORDS = 20  # a sentence of the summary
MAX_FINDING = 16  # a sentence of a strength: strengths are many, so they are kept shorter
LONG_ALLOWED = 2  # the weightiest concerns may run to MAX_WORDS; the rest to MAX_FINDING
MIN_WORDS = 4
MAX_UNIT_WORDS = 28  # a finding said in two sentences
WORD_BUDGET = (350, 690)  # the summary's words for a report of 4,000 words or more
FINDINGS = (10, 8, 6, 5, 4, 3, 2)  # findings to show, tried in turn until the summary fits
# A parent needs the concerns most: at least this share of the findings shown are concerns
# (less when the report's overall grade is outstanding), where the report has them.
CONCERN_SHARE = {"outstanding": 0.2}
MIN_CONCERN_SHARE = 0.4
GENERIC_SECTIONS = 14
SAME_FINDING = 0.5  # findings sharing this share of their content words say much the same
HEADLINES = 3  # an ungraded report's first sentences under its outcome heading
GRADE_BONUS = {"outstanding": 2, "good": 1}  # a strength in a well-graded section weighs more
STRENGTH_CAP = 3.0  # past this, more praise words do not make a strength weigh more
PLAIN_SYLLABLES = 1.3  # syllables a word (textstat's count) that cost a finding nothing
HARD_WORDS = 6.0  # weight lost per syllable a word above that
WORDS_PER_POINT = 5  # a finding loses one point of weight for this many words
# How much more a finding's cost to read weighs, step by step, where a plan misses the
# readability targets (Planner._plainer).
PLAINNESS = (0.0, 1.0, 2.0, 4.0, 8.0)
_PHONE = re.compile(r"\b0\d{3}[ ]?\d{3}[ ]?\d{4}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_POINTS_BACK = re.compile(r"\b(?:this|these|those|such|above|below|former|latter)\b", re.IGNORECASE)
_OPPOSITE = {classifier.STRENGTH: classifier.CONCERN, classifier.CONCERN: classifier.STRENGTH}
_COMMON = frozenset(  # words too common in these reports to tie a finding to an improvement
    ["children", "child", "young", "people", "social", "work", "workers", "services", "service"]
)


# --- Building the plan ---------------------------------------------------------------------


class Planner:
    def __init__(self, root: etree._Element, *, sources: bool = False) -> None:
        self.root = root
        self.data: SummaryData = load()
        self.cited, self.facts = source_facts(root)
        self.rewriter = Rewriter(self.data, root)
        self.with_sources = sources
        self.ofsted = self.facts["kind"].startswith("ofsted")
        self.graded = bool(self.facts["judgements"])
        self.improvement_words = [
            content_words(self.cited.get(i, "")) - _COMMON for i in self.facts["improvements"]
        ]
        self.findings_count = FINDINGS[0]
        self.plainness = PLAINNESS[0]  # how much more a finding's cost to read weighs (see plan)
        self.left_out: set[tuple[str, str]] = set()  # findings left out to be plainer
        self.at_most: dict[str, int] = {}  # findings of a kind to show at most, once some are
        self.shown: tuple[list[Candidate], list[Candidate]] = ([], [])  # in the last plan

    # -- sentences --

    def check(self, sentence: Sentence) -> list[str]:
        return faithfulness_findings(sentence.record(), self.cited, self.facts, self.data)

    def _extra_cites(self, rules: list[list[str]]) -> tuple[str, ...]:
        """Blocks that define an acronym a sentence spells out: it rests on them too."""
        return tuple(
            self.rewriter.defined[rule[1]][1] for rule in rules if rule[0] == "acronym-source"
        )

    def source_sentence(
        self,
        block: str,
        text: str,
        source: str,
        rules: list[list[str]],
        label: str = "",
        finding: str = "",
        first: bool = True,
    ) -> Sentence | None:
        """A rewritten piece of a block as a sentence, if it is short, plain and faithful;
        ``first`` when it opens its paragraph (so it may not lean on a sentence before it)."""
        cites = tuple(dict.fromkeys((block, *self._extra_cites(rules))))
        sentence = Sentence(text, cites, "source", source, rules, label=label, finding=finding)
        if first and opens_with_reference(text):
            return None
        size = len(words(text))
        if not MIN_WORDS <= size <= (MAX_FINDING if label == classifier.STRENGTH else MAX_WORDS):
            return None
        if any(not self.rewriter.known_acronym(t) for t in acronym_tokens(text)):
            return None
        if label and _POINTS_BACK.search(text):
            return None  # "these children", "such plans": it leans on a sentence we left out
        if label in _OPPOSITE and classifier.classify(source) == _OPPOSITE[label]:
            return None  # its own words say the other thing (a part of a sentence, or a
            # phrase left out that held the concern): the check would call it misfiled
        if self.check(sentence):
            return None
        return sentence

    def candidates(self, block: etree._Element, area: str, order: int) -> list[Candidate]:
        """The findings of one block: each sentence classified, a mixed one split into its
        parts, each kept only when it is short, plain, whole and faithful."""
        ident = block.get("id") or ""
        grade = section_grade(block)
        out: list[Candidate] = []
        for original in split_sentences(self.cited.get(ident, "")):
            label = classifier.classify(original)
            pieces = self.rewriter.split(original)
            if label in (classifier.STRENGTH, classifier.CONCERN):
                whole = [
                    self.source_sentence(
                        ident,
                        *self.rewriter.plain(t, s, r),
                        label=label,
                        finding=original,
                        first=not n,
                    )
                    for n, (t, s, r, _) in enumerate(pieces)
                ]
                if all(whole) and whole and len(whole) <= 2:
                    made = [s for s in whole if s is not None]
                    size = sum(len(words(s.text)) for s in made)
                    if size <= MAX_UNIT_WORDS:
                        out.append(
                            self._candidate(label, made, original, ident, area, grade, order)
                        )
                        continue
            clause = self.rewriter.main_clause(original)
            if clause is not None:
                pieces = [(*clause, True), *pieces[1:]]
            if len(pieces) < 2 and clause is None:
                continue
            for text, source, rules, standalone in pieces:
                piece_label = classifier.classify(source)
                if not standalone or piece_label not in (classifier.STRENGTH, classifier.CONCERN):
                    continue
                if label not in (classifier.MIXED, piece_label):
                    continue
                made_one = self.source_sentence(
                    ident,
                    *self.rewriter.plain(text, source, rules),
                    label=piece_label,
                    finding=source,
                )
                if made_one is not None:
                    out.append(
                        self._candidate(piece_label, [made_one], source, ident, area, grade, order)
                    )
        return out

    def _candidate(
        self,
        label: str,
        made: list[Sentence],
        source: str,
        block: str,
        area: str,
        grade: str | None,
        order: int,
    ) -> Candidate:
        text = " ".join(s.text for s in made)
        size = len(words(text))
        if label == classifier.CONCERN:
            score = float(classifier.seriousness(source, grade))
            shared = content_words(source) - _COMMON
            if any(len(shared & improvement) >= 2 for improvement in self.improvement_words):
                score += 2  # the report asks for this to improve
        else:
            score = min(classifier.weight(source), STRENGTH_CAP) + GRADE_BONUS.get(grade or "", 0)
        # Between findings of like weight, the plainer one: fewer syllables a word, fewer words.
        cost = HARD_WORDS * max(0.0, syllables_per_word(text) - PLAIN_SYLLABLES)
        cost += size / WORDS_PER_POINT
        return Candidate(label, score - cost, Unit(made), block, area, order, size, cost)

    def faithful(self, block_id: str, text: str) -> Unit:
        """A whole improvement item in plain words, as points; as written if that fails."""
        points = self.rewriter.points(text)
        sentences = []
        for plain, source, rules in points:
            cites = tuple(dict.fromkeys((block_id, *self._extra_cites(rules))))
            sentences.append(Sentence(plain, cites, "point", source, rules))
        if not any(self.check(s) for s in sentences):
            unit = Unit([sentences[0]])
            unit.points = [Unit([s]) for s in sentences[1:]]
            return unit
        return Unit([Sentence(text, (block_id,), "fallback", text, [])])

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

    def outcome(self) -> Part:
        """The outcome in one sentence: the overall grade, or as an ungraded report says it."""
        part = Part("outcome", self.data.headings["outcome"], [])
        judgements = self.facts["judgements"]
        if judgements:
            overall = _overall(judgements)
            cites = self._judgement_cites(overall)
            first = self.template("outcome_grade", cites, grade=self._grade_words(overall))
            meaning = self._meaning(overall, after_outcome=True)
            part.groups.append(Group("p", [Unit([first, meaning])]))
            return part
        title_id = self.find_block(self.facts["title"]) or self.first_block()
        opening: list[Sentence] = []
        if "focused visit" in self.facts["title"].casefold():
            opening.append(self.template("focused_visit", (title_id,)))
        key = "no_grades" if self.ofsted else "no_grades_generic"
        if self.facts["kind"].endswith("letter"):
            key = "no_grades_letter"
        opening.append(self.template(key, (title_id,)))
        part.groups.append(Group("p", [Unit(opening)]))
        set_words = self._set_outcome()
        stated = self._stated_outcome()
        if set_words is not None:
            part.groups.append(Group("p", [Unit([set_words])]))
        elif stated is not None:
            part.groups.append(Group("p", [stated]))
        return part

    def _set_outcome(self) -> Sentence | None:
        """An outcome the report states in set words, said as our template for it."""
        for phrase, key in self.data.outcomes:
            found = self.find_block(phrase)
            if found is not None:
                return self.template(key, (found,))
        return None

    def _stated_outcome(self) -> Unit | None:
        """The plainest of the first sentences under an ungraded report's outcome heading
        (its headline findings), short, whole and faithful.  The first ones of the section
        in reading order, whichever paragraphs hold them, so that a PDF whose paragraphs are
        cut otherwise than its text's gives the same choice."""
        found: list[Unit] = []
        for section in self.root.iterfind("body//section"):
            heading = section.find("heading")
            if heading is None:
                continue
            name = text_of(heading).casefold()
            if not any(h in name for h in self.data.outcome_headings):
                continue
            for block in section.iter("p", "item"):
                ident = block.get("id") or ""
                for original in split_sentences(self.cited.get(ident, "")):
                    made = [
                        self.source_sentence(ident, *self.rewriter.plain(t, s, r), first=not n)
                        for n, (t, s, r, _) in enumerate(self.rewriter.split(original))
                    ]
                    if made and all(made) and len(made) <= 2:
                        found.append(Unit([s for s in made if s is not None]))
                    if len(found) >= HEADLINES:
                        break
                if len(found) >= HEADLINES:
                    break
            if found:
                break
        if not found:
            return None
        return min(found, key=lambda u: (syllables_per_word(u.text()), u.text()))

    def _grade_words(self, judgement: dict[str, Any]) -> str:
        return judgement["grade_text"].casefold() or self.data.grade_words[judgement["grade"]]

    def _meaning(self, judgement: dict[str, Any], *, after_outcome: bool = False) -> Sentence:
        text = self.data.meaning(judgement["grade"], after_outcome=after_outcome)
        cites = self._judgement_cites(judgement)
        slots = {"grade": judgement["grade"]} | ({"after": "outcome"} if after_outcome else {})
        return Sentence(text, cites, "meaning", slots=slots)

    def grades(self) -> Part | None:
        judgements = self.facts["judgements"]
        if not judgements:
            return None
        overall = _overall(judgements)
        items = []
        for judgement in judgements:
            if judgement is overall:
                continue  # said first, in the outcome
            area = self.data.area_name(judgement["label"])
            grade = self._grade_words(judgement)
            cites = self._judgement_cites(judgement)
            items.append(Unit([self.template("grade", cites, area=area, grade=grade)]))
        meanings: list[Unit] = []
        seen = [overall["grade"]]  # explained with the outcome
        for judgement in judgements:
            if judgement["grade"] not in seen:
                seen.append(judgement["grade"])
                meanings.append(Unit([self._meaning(judgement)]))
        if not items:
            return None
        groups = [Group("bullet", items)]
        if meanings:
            groups.append(Group("p", meanings))
        return Part("grades", self.data.headings["grades"], groups)

    def _judgement_cites(self, judgement: dict[str, Any]) -> tuple[str, ...]:
        label, grade = judgement["label"], judgement["grade_text"]
        for section in graded_sections(self.root):
            heading = section.find("heading")
            if heading is not None and heading.get("id"):
                heading_text = text_of(heading).casefold()
                if label.casefold() in heading_text and grade.casefold() in heading_text:
                    return (heading.get("id") or "",)
        found = self.find_block(label, grade)
        return (found or self.find_block(label) or self.first_block(),)

    def improvements(self) -> Part | None:
        blocks = improvement_blocks(self.root)
        if not blocks:
            return None
        section = self.root.find("body//section[@role='improvements']")
        heading = section.find("heading") if section is not None else None
        intro_cite = heading.get("id") if heading is not None and heading.get("id") else None
        items = [self.faithful(b.get("id") or "", self.cited[b.get("id") or ""]) for b in blocks]
        lead = self.template("improvements", (intro_cite or blocks[0].get("id") or "",))
        return Part(
            "improvements",
            self.data.headings["improvements"],
            [Group("p", [Unit([lead])]), Group("ordered", items)],
            role="improvements",
        )

    def _findings_blocks(self) -> list[tuple[etree._Element, str]]:
        """The body's paragraphs and items that may hold findings, with their area.  What
        counts is the block's own part of the report (its nearest heading) and the judgement
        area it is in, not how deep recovery nested it: a report's PDF may show a part title
        ("The local authority") as a heading over everything after it, its text not."""
        out: list[tuple[etree._Element, str]] = []
        body = self.root.find("body")
        if body is None:
            return out
        for block in body.iter("p", "item"):
            if not block.get("id") or block.get("role"):
                continue
            if any(a.tag == "table" for a in block.iterancestors()):
                continue
            sections = list(block.iterancestors("section"))
            if any(s.get("role") in ("improvements", "contents", "copyright") for s in sections):
                continue
            headed = next((s for s in sections if s.find("heading") is not None), None)
            heading = headed.find("heading") if headed is not None else None
            name = text_of(heading).casefold() if heading is not None else ""
            if any(skip in name for skip in self.data.skip_headings):
                continue
            judged = [s for s in sections if s.get("grade") or s.get("role") == "judgement"]
            own = judged[-1] if judged else headed
            area = own.get("id", "") if own is not None else ""
            out.append((block, area))
        return out

    def findings(self) -> tuple[list[Candidate], list[Candidate]]:
        """The most serious concerns and the strongest strengths, one per block, spread over
        the report's areas, as many of each as the report's own balance gives."""
        found = [c for c in self._all_candidates() if _key(c) not in self.left_out]
        stated = self._stated_outcome() if not self.graded else None
        said = {s.text for s in stated.sentences} if stated is not None else set()
        found = [c for c in found if not said & {s.text for s in c.unit.sentences}]
        concerns = [c for c in found if c.label == classifier.CONCERN]
        strengths = [c for c in found if c.label == classifier.STRENGTH]
        total = len(concerns) + len(strengths)
        if not total:
            return [], []
        overall = next(
            (j["grade"] for j in self.facts["judgements"] if j["area"] == "overall-effectiveness"),
            "",
        )
        share = max(len(concerns) / total, CONCERN_SHARE.get(overall, MIN_CONCERN_SHARE))
        slots = self.findings_count
        take_c = min(len(concerns), max(1, round(slots * share)))
        take_s = min(len(strengths), max(1, slots - take_c))
        take_c = min(take_c, self.at_most.get(classifier.CONCERN, take_c))
        take_s = min(take_s, self.at_most.get(classifier.STRENGTH, take_s))
        return (
            _choose(concerns, take_c, self.plainness, keep=LONG_ALLOWED),
            _choose(strengths, take_s, self.plainness),
        )

    @functools.cache  # noqa: B019 - one planner plans one summary, several sizes of it
    def _all_candidates(self) -> list[Candidate]:
        found: list[Candidate] = []
        for order, (block, area) in enumerate(self._findings_blocks()):
            found.extend(self.candidates(block, area, order))
        return found

    def finding_parts(self) -> list[Part]:
        concerns, strengths = self.findings()
        self.shown = (concerns, strengths)
        parts = []
        for key, chosen in (("concerns", concerns), ("strengths", strengths)):
            if chosen:
                # Copies: explaining terms adds to a unit, and the candidates are kept for
                # the next size of the plan.
                units = [copy.deepcopy(c.unit) for c in chosen]
                parts.append(Part(key, self.data.headings[key], [Group("bullet", units)]))
        return parts

    def sections(self) -> Part | None:
        """For a document that is not a graded report: its headings and a lead sentence each."""
        units: list[Unit] = []
        for section in self.root.iter("section"):
            if len(units) >= GENERIC_SECTIONS or section.get("role") in (
                "improvements",
                "contents",
            ):
                continue
            if any(a.tag == "back" for a in section.iterancestors()):
                continue
            blocks = [b for b in section if b.tag == "p" and b.get("id")]
            for block in blocks:
                ident = block.get("id") or ""
                lead = self._lead_sentence(ident)
                if lead is not None:
                    units.append(lead)
                    break
        if not units:
            for block in self.root.iterfind("body//p"):
                lead = self._lead_sentence(block.get("id") or "")
                if lead is not None:
                    units.append(lead)
                if len(units) > 8:
                    break
        if not units:
            return None
        return Part("sections", self.data.headings["sections"], [Group("bullet", units)])

    def _lead_sentence(self, ident: str) -> Unit | None:
        for original in split_sentences(self.cited.get(ident, "")):
            made = [
                self.source_sentence(ident, *self.rewriter.plain(t, s, r), first=not n)
                for n, (t, s, r, _) in enumerate(self.rewriter.split(original))
            ]
            if made and all(made) and len(made) <= 2:
                return Unit([s for s in made if s is not None])
        return None

    def about(self) -> Part:
        """Who wrote this summary, from which report, of when."""
        facts = self.facts
        title_id = self.find_block(facts["title"]) or self.first_block()
        suffix = "" if self.ofsted else "_generic"
        out = [
            Unit([self.template("written" + suffix, (title_id,))]),
        ]
        dates = facts["dates"]
        if "inspection-start" in dates:
            start, end = date_range(dates["inspection-start"], dates.get("inspection-end"))
            year = dates["inspection-start"][:4]
            cite = self.find_block("inspection", year) or title_id
            if end:
                out.append(Unit([self.template("dates", (cite,), start=start, end=end)]))
            else:
                out.append(Unit([self.template("date", (cite,), start=start)]))
        if facts["lead"]:
            cite = self.find_block(facts["lead"]) or title_id
            out.append(Unit([self.template("lead", (cite,), name=facts["lead"])]))
        for role, key in (
            ("publication", "published"),
            ("letter", "letter_date"),
            ("document", "document_date"),
        ):
            when = dates.get(role)
            if when and len(when) == 10:
                said = format_date(when)
                cite = self.find_block(str(int(when[8:]))) or title_id
                out.append(Unit([self.template(key, (cite,), date=said)]))
                break
        return Part("about", self.data.headings["about"], [Group("p", out)], role="about")

    def official(self) -> Part:
        title_id = self.find_block(self.facts["title"]) or self.first_block()
        suffix = "" if self.ofsted else "_generic"
        out = [Unit([self.template("not_official" + suffix, (title_id,))])]
        back = self.root.find("back/section[@role='alternative-formats']")
        ids = [b.get("id") or "" for b in back.iter("p") if b.get("id")] if back is not None else []
        text = " ".join(self.cited.get(i, "") for i in ids)
        phone, email = _PHONE.search(text), _EMAIL.search(text)
        cites = tuple(ids) or (title_id,)
        if phone and email:
            offer = self.template("formats", cites, phone=phone.group(0), email=email.group(0))
        elif phone:
            offer = self.template("formats_phone", cites, phone=phone.group(0))
        else:
            offer = self.template("formats_none" + suffix, cites)
        out.append(Unit([offer]))
        heading = self.data.headings["official" + suffix]
        return Part("official", heading, [Group("p", out)], role="alternative-formats")

    def explain_terms(self, parts: list[Part]) -> None:
        """Each term of the glossary explained in place, after the first sentence using it."""
        explained: set[str] = set()
        for part in parts:
            for unit in part.units():
                for target in [unit, *unit.points]:
                    self._explain_in(target, unit, explained)

    def _explain_in(self, target: Unit, owner: Unit, explained: set[str]) -> None:
        for sentence in list(target.sentences):
            if sentence.kind not in ("source", "fallback", "point", "template"):
                continue
            folded = normalise(sentence.text).casefold()
            spans = [
                (span, term) for term in self.data.terms for span in _spans(folded, term.forms)
            ]
            # A term inside a longer one ("care plan" in "education, health and care plan")
            # is that longer term.
            spans = [
                (span, term)
                for span, term in spans
                if not any(o[0] <= span[0] and span[1] <= o[1] and o != span for o, _ in spans)
            ]
            found: list[tuple[int, Term]] = []
            for span, term in sorted(spans, key=lambda x: x[0]):
                if term.term in explained or not term.explain or any(t is term for _, t in found):
                    continue
                found.append((span[0], term))
            explanations = []
            for _, term in sorted(found, key=lambda x: x[0]):
                explained.add(term.term)
                explanations.append(
                    Sentence(term.explain, sentence.cites, "explain", slots={"term": term.term})
                )
            if not explanations:
                continue
            # After the sentence; for an item said in points, after its last point.
            if owner.points:
                owner.points[-1].sentences.extend(explanations)
            else:
                at = target.sentences.index(sentence) + 1
                target.sentences[at:at] = explanations

    def glossary(self, sentences: list[Sentence]) -> Part | None:
        """The terms and acronyms the summary uses, with our plain explanations."""
        prose = " ".join(s.text for s in sentences if s.kind != "explain")
        folded = normalise(prose).casefold()
        spans = {term.term: _spans(folded, term.forms) for term in self.data.terms}
        every = [span for found in spans.values() for span in found]
        entries = []
        for term in self.data.terms:
            if all(
                any(o[0] <= s[0] and s[1] <= o[1] and o != s for o in every)
                for s in spans[term.term]
            ):
                continue  # only ever inside a longer term (or not used at all)
            acronym = any(f.isupper() and re.search(rf"\b{f}\b", prose) for f in term.forms)
            if not acronym and any(
                s.kind == "explain" and s.slots.get("term") == term.term for s in sentences
            ):
                continue  # explained where it is used (an acronym is listed all the same)
            hit = [
                f
                for f in term.forms
                if re.search(
                    r"(?<![\w-])" + re.escape(normalise(f).casefold()) + r"(?![\w-])", folded
                )
            ]
            if not hit:
                continue
            name = next((f for f in term.forms if f in prose and f[0].isupper()), term.term)
            cites = tuple(
                dict.fromkeys(
                    c for s in sentences for c in s.cites if _mentions(s.text, term.forms)
                )
            )
            entries.append(
                Unit(
                    [
                        Sentence(
                            f"{name}: {term.plain}",
                            cites[:3] or (self.first_block(),),
                            "glossary",
                            slots={"term": name},
                        )
                    ]
                )
            )
        for token in sorted({t for s in sentences for t in acronym_tokens(s.text)}):
            if any(token in t.forms for t in self.data.terms):
                continue
            if token in self.rewriter.acronyms:
                cites = tuple(c for s in sentences for c in s.cites if token in s.text)
                entries.append(
                    Unit(
                        [
                            Sentence(
                                f"{token}: {self.rewriter.acronyms[token]}",
                                cites[:1],
                                "acronym",
                                slots={"term": token},
                            )
                        ]
                    )
                )
            elif token in self.rewriter.defined:
                long_form, ident = self.rewriter.defined[token]
                entries.append(
                    Unit(
                        [
                            Sentence(
                                f"{token}: {long_form}", (ident,), "acronym", slots={"term": token}
                            )
                        ]
                    )
                )
        if not entries:
            return None
        entries.sort(key=lambda u: u.sentences[0].text.casefold())
        return Part(
            "glossary", self.data.headings["glossary"], [Group("bullet", entries)], role="glossary"
        )

    def sources(self, parts: list[Part], where: dict[str, str]) -> Part:
        """Where each part of the summary comes from in the report, in words."""
        units = []
        for part in parts:
            cites = [c for s in part.sentences() for c in s.cites]
            said = list(
                dict.fromkeys(where[c] for c in _in_report_order(cites, self.cited) if c in where)
            )
            if not said:
                continue
            sentence = self.template(
                "sources",
                tuple(dict.fromkeys(cites)),
                heading=part.heading,
                places=describe_places(said),
            )
            units.append(Unit([sentence]))
        return Part(
            "sources", self.data.headings["sources"], [Group("bullet", units)], role="other"
        )

    def plan(self) -> Plan:
        """The fullest summary within the word limit (fewer findings for long reports), its
        findings made plainer where it misses the readability targets."""
        limit = WORD_BUDGET[1]
        made: Plan | None = None
        for count in FINDINGS:
            self.findings_count = count
            made = self._plan()
            if _plan_words(made) <= limit:
                break
        assert made is not None
        return self._plainer(made)

    def _plainer(self, made: Plan) -> Plan:
        """Where a plan misses the readability targets: first its findings are chosen again
        with their cost to read weighing more, step by step (the plainer of the report's own
        findings); then, one at a time, the hardest finding to read is left out, while one is
        harder to read than the summary as a whole.  Never one of the weightiest concerns (the most
        serious must be said), never the last strength, never below the summary's word
        floor; what the report requires (the outcome, every grade, every improvement item
        whole) is not touched.  The first plan that meets the targets; where none does, the
        plan as first made (findings are not given up for nothing)."""
        figures = plan_readability(made)
        if _readable(figures):
            return made
        for plainness in PLAINNESS[1:]:
            self.plainness = plainness
            plainer = self._plan()
            figures = plan_readability(plainer)
            if _readable(figures) and figures.total_words >= figures.min_words:
                return plainer
        kept: set[tuple[str, str]] = set()
        while True:
            concerns, strengths = self.shown
            may_go = [*concerns[LONG_ALLOWED:], *(strengths if len(strengths) > 1 else [])]
            may_go = [
                c for c in may_go if _key(c) not in kept and _hardness(c) > figures.grade_level
            ]
            if not may_go:
                return made
            hardest = max(may_go, key=lambda c: (_hardness(c), -c.score - c.cost, c.unit.text()))
            label = hardest.label
            shown = len(concerns if label == classifier.CONCERN else strengths)
            before = dict(self.at_most)
            self.left_out.add(_key(hardest))
            self.at_most[label] = shown - 1  # left out, not replaced by another
            plainer = self._plan()
            found = plan_readability(plainer)
            if found.total_words < found.min_words:
                self.left_out.discard(_key(hardest))
                self.at_most = before
                kept.add(_key(hardest))
                self._plan()  # the findings shown again as they were
                continue
            figures = found
            if _readable(figures):
                return plainer

    def _plan(self) -> Plan:
        parts = [self.outcome()]
        if self.graded:
            grades = self.grades()
            if grades is not None:
                parts.append(grades)
        improvements = self.improvements()
        if improvements is not None:
            parts.append(improvements)
        if self.ofsted:
            parts.extend(self.finding_parts())
        else:
            generic = self.sections()
            if generic is not None:
                parts.append(generic)
        self.explain_terms(parts)
        back = [self.about(), self.official()]
        sentences = [s for p in (*parts, *back) for s in p.sentences()]
        glossary = self.glossary(sentences)
        if glossary is not None:
            parts.append(glossary)
        cited_ids = sorted({c for s in sentences for c in s.cites}, key=id_order)
        where = places(self.root, cited_ids)
        if self.with_sources:
            back.append(self.sources([*parts, *back], where))
        plan = Plan(self.facts["title"], parts, back, self.cited, self.facts, where)
        _number(plan)
        return plan


def _key(candidate: Candidate) -> tuple[str, str]:
    return candidate.block, candidate.unit.text()


def _hardness(candidate: Candidate) -> float:
    """How hard a finding is to read, on the Flesch-Kincaid scale: its sentences' length and
    its syllables a word."""
    text = candidate.unit.text()
    size = max(len(words(text)), 1)
    return 0.39 * size / len(candidate.unit.sentences) + 11.8 * syllables_per_word(text) - 15.59


def _readable(figures: Readability) -> bool:
    return figures.grade_level <= MAX_GRADE_LEVEL and figures.reading_ease >= MIN_READING_EASE


def plan_readability(plan: Plan) -> Readability:
    """A plan's readability, measured as the summary check measures its Markdown: the prose
    lines (not the glossary or the sources list) and every word a reader reads."""
    prose = [
        line["text"] for line in trace_lines(plan) if line["section"] not in ("glossary", "sources")
    ]
    return readability(prose, _reader_words(plan), plan.facts.get("prose_words"))


def _reader_words(plan: Plan) -> int:
    """Words a reader reads, as the summary check counts them: the title line as the writer
    writes it, headings and every line."""
    title = f"Plain-language summary: {plan.title or 'the document'}"
    return _plan_words(plan) - len(words(plan.title)) + len(words(title))


def _overall(judgements: list[dict[str, Any]]) -> dict[str, Any]:
    """The overall judgement (the first one where none is called overall)."""
    return next((j for j in judgements if j["area"] == "overall-effectiveness"), judgements[0])


def _choose(
    found: list[Candidate], count: int, plainness: float = 0.0, *, keep: int = 0
) -> list[Candidate]:
    """The weightiest findings, weightiest first: a fair share per area of the report, and
    none that says much the same as one already chosen.  With ``plainness``, a finding's
    cost to read counts that much more, past the first ``keep`` (chosen by weight alone).
    Nothing here depends on how the report's text was cut into paragraphs, so its PDF and
    its text give the same choice."""
    areas = {c.area for c in found}
    per_area = max(1, math.ceil(count / max(len(areas), 1)) + 1)
    chosen: list[Candidate] = []
    in_area: dict[str, int] = {}
    said: list[set[str]] = []
    for limit, extra in ((min(keep, count), 0.0), (count, plainness)):
        ranked = sorted(found, key=lambda c: (-round(c.score - extra * c.cost, 6), c.unit.text()))
        for candidate in ranked:
            if len(chosen) >= limit:
                break
            if candidate in chosen:
                continue
            own = content_words(candidate.unit.text())
            if len(chosen) >= LONG_ALLOWED and candidate.words > MAX_FINDING * len(
                candidate.unit.sentences
            ):
                continue  # past the weightiest, a long finding gives way to a plainer one
            if in_area.get(candidate.area, 0) >= per_area or any(
                len(own & other) >= SAME_FINDING * min(len(own), len(other)) for other in said
            ):
                continue
            said.append(own)
            in_area[candidate.area] = in_area.get(candidate.area, 0) + 1
            chosen.append(candidate)
    return sorted(chosen, key=lambda c: (-round(c.score, 6), c.unit.text()))


def syllables_per_word(text: str) -> float:
    """Syllables a word, counted as the readability check counts them (textstat 0.7.4)."""
    import textstat

    return float(textstat.syllable_count(text)) / max(int(textstat.lexicon_count(text)), 1)


def describe_places(said: list[str]) -> str:
    """'paragraphs 4, 10 and 24, and the part headed ‘Overview’'."""
    numbers = [p.split()[1] for p in said if p.startswith("paragraph ")]
    others = [p for p in said if not p.startswith("paragraph ")]
    pieces = []
    if numbers:
        noun = "paragraph" if len(numbers) == 1 else "paragraphs"
        pieces.append(f"{noun} {_and(numbers)}")
    pieces.extend(others)
    return _and(pieces)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _in_report_order(ids: list[str], cited: dict[str, str]) -> list[str]:
    order = {ident: n for n, ident in enumerate(cited)}
    return sorted(dict.fromkeys(ids), key=lambda i: order.get(i, len(order)))


def _number(plan: Plan) -> None:
    """Ids for the sentences (s-N) and units (u-N), and each sentence's part and unit."""
    sentence_number = unit_number = 0
    for part in plan.all_parts():
        for unit in part.units():
            for owner in [unit, *unit.points]:
                unit_number += 1
                owner.id = f"u-{unit_number}"
                for sentence in owner.sentences:
                    sentence_number += 1
                    sentence.id = f"s-{sentence_number}"
                    sentence.section = part.key
                    sentence.unit = owner.id


def _plan_words(plan: Plan) -> int:
    """Words a reader reads: the title, headings and sentences."""
    count = len(words(plan.title))
    for part in plan.all_parts():
        count += len(words(part.heading)) + sum(len(words(s.text)) for s in part.sentences())
    return count


def _spans(folded: str, forms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where a term's forms are in a case-folded text: (start, end) of each."""
    return [
        (m.start(), m.end())
        for f in forms
        for m in re.finditer(
            r"(?<![\w-])" + re.escape(normalise(f).casefold()) + r"(?![\w-])", folded
        )
    ]


def _position(folded: str, forms: tuple[str, ...]) -> int | None:
    """Where the first of a term's forms is in a case-folded text (None: not there)."""
    places = [
        m.start()
        for f in forms
        if (
            m := re.search(
                r"(?<![\w-])" + re.escape(normalise(f).casefold()) + r"(?![\w-])", folded
            )
        )
    ]
    return min(places) if places else None


def _mentions(text: str, forms: tuple[str, ...]) -> bool:
    folded = normalise(text).casefold()
    return any(
        re.search(r"(?<![\w-])" + re.escape(normalise(f).casefold()) + r"(?![\w-])", folded)
        for f in forms
    )


# --- The summary, planned once ---------------------------------------------------------------


def plan(root: etree._Element, *, sources: bool = False) -> Plan:
    if isinstance(root, etree._ElementTree):
        root = root.getroot()
    return Planner(root, sources=sources).plan()


@dataclass
class Summary:
    """A report's summary, planned once: its tree (for any writer) and its trace."""

    source: etree._Element
    plan: Plan

    @functools.cached_property
    def tree(self) -> etree._Element:
        return summary_tree(self.source, self.plan)

    def trace_json(self) -> bytes:
        return trace_document(self.source, self.plan)


def summary_of(root: etree._Element, *, sources: bool = False) -> Summary:
    """Plan the summary of a canonical tree once, for its tree and its trace."""
    if isinstance(root, etree._ElementTree):
        root = root.getroot()
    return Summary(root, plan(root, sources=sources))


def summarize(root: etree._Element, *, sources: bool = False) -> etree._Element:
    """The summary of a canonical tree, itself a canonical tree (report @variant=summary)."""
    return summary_of(root, sources=sources).tree


def trace_json(root: etree._Element, *, sources: bool = False) -> bytes:
    """Per sentence: its text, sources and the rules applied; plus the cited source text."""
    return summary_of(root, sources=sources).trace_json()
