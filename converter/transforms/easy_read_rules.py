"""The Easy Read edition's rules: what each line may say and how it must read, and what the
whole edition must hold.

The Easy Read transform applies them to every line it makes (a line that breaks one is
left out, or the edition is refused), and ``convert check`` applies the same rules to a
written edition and its trace, so the two never disagree.  A line of the report's own
words is held to the plain-language summary's faithfulness rules
(converter.transforms.faithfulness); these add the Easy Read guidance (Department of
Health, 2010): one sentence a line, at most 15 words, a picture only from the reviewed list
and always with its alt text, key words in bold, and a low reading grade over the whole.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from converter import symbols
from converter.transforms.easy_read_data import EasyReadData
from converter.transforms.faithfulness import summary_findings
from converter.words import words

MAX_WORDS = 15  # a line
MAX_GRADE = 3.0  # Flesch-Kincaid grade over the whole edition
#: Kinds of line that are the summary's (its faithfulness rules check them as they are).
SUMMARY_KINDS = frozenset(["source", "point", "fallback", "template", "explain"])
#: Kinds that are the Easy Read edition's own: a grade's meaning, a hard word's line.
OWN_KINDS = frozenset(["meaning-part", "hard-word"])
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(‘“])")


def sentences_in(text: str) -> int:
    """How many sentences a line holds (our lines have no abbreviations with stops)."""
    return len([s for s in _SENTENCE_END.split(text.strip()) if s])


@dataclass(frozen=True)
class Readability:
    grade_level: float  # Flesch-Kincaid, as textstat 0.7.4 gives it (rounded as it rounds)
    reading_ease: float
    lines: int
    longest: int  # words in the longest line
    words: int
    syllables: int
    sentences: int

    @property
    def exact_grade(self) -> float:
        """The grade before textstat's rounding: what a line adds, to compare lines by."""
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59

    def describe(self) -> str:
        return (
            f"Flesch-Kincaid grade {self.grade_level:.1f}, Flesch Reading Ease "
            f"{self.reading_ease:.1f}, {self.lines} lines, longest {self.longest} words"
        )


@functools.lru_cache(maxsize=8192)
def _counts(text: str) -> tuple[int, int, int, int]:
    """A line's words, syllables and sentences as textstat 0.7.4 counts them (it counts a
    joined text as the sum of its sentences), and its words as we count them."""
    import textstat  # 0.7.4: offline (later versions download a dictionary)

    sentence = text.strip() if text.strip()[-1:] in ".!?:" else text.strip() + "."
    pieces = re.findall(r"\b[^.!?]+[.!?]*", sentence, re.UNICODE)
    counted = sum(1 for piece in pieces if textstat.lexicon_count(piece) > 2)
    return (
        int(textstat.lexicon_count(sentence)),
        int(textstat.syllable_count(sentence)),
        counted,
        len(words(text)),
    )


def readability(texts: list[str]) -> Readability:
    """Flesch-Kincaid grade and Reading Ease of the lines read in turn, each a sentence (a
    line that goes on from the one before is set on its own line, and read so): textstat
    0.7.4's formulas and rounding over the sum of each line's counts, which is what it
    gives for the joined text (a test holds the two equal) at a fraction of the cost."""
    import textstat

    counts = [_counts(t) for t in texts if t.strip()]
    total_words = sum(c[0] for c in counts) or 1
    syllables = sum(c[1] for c in counts)
    sentences = max(1, sum(c[2] for c in counts))
    rounded = textstat.textstat._legacy_round
    sentence_length = rounded(total_words / sentences, 1)
    per_word = rounded(syllables / total_words, 1)
    grade = rounded(0.39 * sentence_length + 11.8 * per_word - 15.59, 1)
    ease = rounded(206.835 - 1.015 * sentence_length - 84.6 * per_word, 2)
    return Readability(
        grade if counts else 0.0,
        ease if counts else 100.0,
        len(counts),
        max((c[3] for c in counts), default=0),
        total_words,
        syllables,
        sentences,
    )


def line_findings(record: dict[str, Any], data: EasyReadData) -> list[str]:
    """Why one line breaks the Easy Read guidance (empty when it keeps it): its length, its
    sentences, its picture and its bold words."""
    lid, text = record["id"], record["text"]
    found = []
    size = len(words(text))
    if size > MAX_WORDS:
        found.append(f"{lid}: {size} words, over {MAX_WORDS}")
    if sentences_in(text) > 1:
        found.append(f"{lid}: more than one sentence")
    if not record["cites"]:
        found.append(f"{lid}: cites no source (untraceable)")
    if text.isupper() and len(words(text)) > 1:
        found.append(f"{lid}: written in capitals")
    for word in record.get("strong", []):
        if word.casefold() not in text.casefold():
            found.append(f"{lid}: bold {word!r} is not in the line")
    found.extend(symbol_findings(record, data))
    return found


def symbol_findings(record: dict[str, Any], data: EasyReadData) -> list[str]:
    """The picture is the one the reviewed data gives this line, and has its alt text."""
    lid, concept, alt = record["id"], record.get("symbol", ""), record.get("alt", "")
    if not concept:
        return [f"{lid}: alt text {alt!r} without a picture"] if alt else []
    found = []
    known = symbols.catalogue().get(concept)
    if known is None:
        return [f"{lid}: picture {concept!r} is not one of ours"]
    if not alt.strip():
        found.append(f"{lid}: picture {concept!r} has no alt text")
    elif alt != known.alt:
        found.append(f"{lid}: picture {concept!r} has alt text {alt!r}, not ours")
    expected = expected_symbol(record, data)
    if expected != concept:
        found.append(f"{lid}: picture {concept!r}, but the data gives {expected or 'none'!r}")
    return found


def expected_symbol(record: dict[str, Any], data: EasyReadData) -> str:
    """The picture the reviewed data gives a line: a fixed line's own, a grade's, or the
    first cue its words hold; '' when none fits."""
    kind = record["kind"]
    if kind == "template":
        if record["template"] in ("grade", "outcome_grade"):
            return _grade_symbol(record, data)
        return data.template_symbols.get(record["template"], "")
    if kind in ("meaning-part", "hard-word", "explain"):
        return ""
    if record.get("continues"):
        return ""  # the picture is beside the item's first line
    cue = data.cue_for(record["text"])
    return cue[0].concept if cue is not None else ""


def _grade_symbol(record: dict[str, Any], data: EasyReadData) -> str:
    grade = record.get("slots", {}).get("value", "")
    return data.grade_symbols.get(grade, "")


def own_findings(record: dict[str, Any], facts: dict[str, Any], data: EasyReadData) -> list[str]:
    """A line of the edition's own kinds: a grade's meaning, a hard word."""
    lid, text, kind, slots = record["id"], record["text"], record["kind"], record["slots"]
    if kind == "meaning-part":
        grade = slots.get("grade", "")
        found = []
        if grade not in {j["grade"] for j in facts.get("judgements", [])}:
            found.append(f"{lid}: explains grade {grade!r}, which the report does not give")
        if text not in data.meanings.get(grade, ()):
            found.append(f"{lid}: is not our Easy Read meaning of grade {grade!r}")
        return found
    if kind == "hard-word":
        term = slots.get("term", "")
        if data.hard_words.get(term) != text:
            return [f"{lid}: is not our Easy Read line for {term!r}"]
        return []
    return [f"{lid}: unknown kind {kind!r}"]


def edition_findings(
    records: list[dict[str, Any]],
    cited: dict[str, str],
    facts: dict[str, Any],
    data: EasyReadData,
    sections: list[dict[str, Any]],
) -> list[str]:
    """Why a whole Easy Read edition is not faithful or not easy: each line's findings, the
    summary's rules over the lines in the report's own words (every grade, every
    improvement item whole, nothing said that the source does not), the grade slots, and
    the reading grade over the whole."""
    found: list[str] = []
    ordinary = [r for r in records if r["kind"] in SUMMARY_KINDS]
    # An improvement item is shown whole, or counted among those the reader is sent to the
    # full report for: the summary's rules hold each one shown to being whole.
    shown = [
        r["cites"][0]
        for r in records
        if r["section"] == "improvements" and r["kind"] in ("point", "fallback") and r["cites"]
    ]
    every = list(facts.get("improvements", []))
    in_edition = {**facts, "improvements": [i for i in every if i in shown]}
    found.extend(summary_findings(ordinary, cited, in_edition, data.summary, sections))
    found.extend(_counted_findings(records, [i for i in every if i not in shown]))
    for record in records:
        found.extend(line_findings(record, data))
        if record["kind"] in OWN_KINDS:
            found.extend(own_findings(record, facts, data))
        elif record["kind"] not in SUMMARY_KINDS:
            found.append(f"{record['id']}: unknown kind {record['kind']!r}")
        missing = [c for c in record["cites"] if c not in cited]
        if missing and record["kind"] in OWN_KINDS:
            found.append(f"{record['id']}: cites {', '.join(missing)}, not in the source")
        found.extend(_slot_findings(record, cited, facts, data))
    figures = readability([r["text"] for r in records])
    if figures.grade_level > MAX_GRADE:
        found.append(f"Flesch-Kincaid grade {figures.grade_level:.1f} > {MAX_GRADE:g}")
    return found


def _counted_findings(records: list[dict[str, Any]], left: list[str]) -> list[str]:
    """The line that counts the improvement items left out counts exactly those."""
    counted = [r for r in records if r["template"] in ("improvements_more", "improvements_all")]
    if left and not counted:
        return [f"improvement items {', '.join(left)} are neither in the edition nor counted"]
    found = []
    for record in counted:
        if record["slots"].get("count") != str(len(left)) or set(record["cites"]) != set(left):
            found.append(
                f"{record['id']}: counts {record['slots'].get('count')} items left out, "
                f"but {len(left)} are ({', '.join(left) or 'none'})"
            )
    return found


def _slot_findings(
    record: dict[str, Any], cited: dict[str, str], facts: dict[str, Any], data: EasyReadData
) -> list[str]:
    """What the summary's template rules do not know: the grade value behind a grade line's
    picture, and a 'what happens next' line's cited words."""
    lid, name, slots = record["id"], record.get("template", ""), record.get("slots", {})
    found = []
    if name in ("grade", "outcome_grade") and "value" in slots:
        values = {j["grade"] for j in facts.get("judgements", [])}
        if slots["value"] not in values:
            found.append(f"{lid}: grade value {slots['value']!r} is not the report's")
    for step in data.next_steps:
        if step.template != name:
            continue
        texts = [cited.get(c, "") for c in record["cites"]]
        matches = [m for m in (step.match(t) for t in texts) if m is not None]
        if not matches:
            found.append(f"{lid}: the cited paragraph does not say this will happen")
        elif step.slot and all(m.group(1) != slots.get(step.slot) for m in matches):
            found.append(f"{lid}: {step.slot} {slots.get(step.slot)!r} is not the report's")
    if (
        name == "focused_visit_part"
        and "focused visit" not in str(facts.get("title", "")).casefold()
    ):
        found.append(f"{lid}: the report is not a focused visit")
    if name == "four_grades" and not facts.get("judgements"):
        found.append(f"{lid}: the report gives no grades")
    return found
