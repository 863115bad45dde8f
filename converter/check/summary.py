"""Checks for plain-language summaries: readability, citations, acronyms and faithfulness."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from converter.check import CheckResult
from converter.options import Options
from converter.transforms.faithfulness import faithfulness_findings
from converter.transforms.summary import source_facts, trace_path
from converter.transforms.summary_data import SummaryData, load
from converter.words import words

# Targets of DESIGN.md section 5 (plain-language summary).
MIN_READING_EASE = 60.0
MAX_GRADE_LEVEL = 8.0
MAX_MEAN_SENTENCE = 15.0
MAX_SENTENCE = 25
MIN_WORDS, MAX_WORDS = 350, 700

_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z](?:-[0-9]+)?s?\b")


@dataclass(frozen=True)
class Readability:
    reading_ease: float
    grade_level: float
    sentences: int
    mean_sentence: float
    longest_sentence: int
    prose_words: int
    total_words: int
    min_words: int = MIN_WORDS

    def findings(self) -> list[str]:
        found = []
        if self.reading_ease < MIN_READING_EASE:
            found.append(f"Flesch Reading Ease {self.reading_ease:.1f} < {MIN_READING_EASE:g}")
        if self.grade_level > MAX_GRADE_LEVEL:
            found.append(f"Flesch-Kincaid grade {self.grade_level:.1f} > {MAX_GRADE_LEVEL:g}")
        if self.mean_sentence > MAX_MEAN_SENTENCE:
            found.append(f"mean sentence {self.mean_sentence:.1f} words > {MAX_MEAN_SENTENCE:g}")
        if self.longest_sentence > MAX_SENTENCE:
            found.append(f"a sentence of {self.longest_sentence} words > {MAX_SENTENCE}")
        if not self.min_words <= self.total_words <= MAX_WORDS:
            found.append(f"{self.total_words} words, outside {self.min_words}-{MAX_WORDS}")
        return found

    def describe(self) -> str:
        return (
            f"Flesch Reading Ease {self.reading_ease:.1f}, Flesch-Kincaid grade "
            f"{self.grade_level:.1f}, {self.sentences} sentences, mean {self.mean_sentence:.1f} "
            f"words, longest {self.longest_sentence}, {self.prose_words} words of prose, "
            f"{self.total_words} words in all"
        )


_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[A-Z0-9\"'(])")


def sentences_of(text: str) -> list[str]:
    """A summary's prose split into sentences (our sentences are plain: no abbreviations)."""
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def min_words_for(source_words: int | None) -> int:
    """350 words for a report of 4,000 words or more; in proportion for a shorter one."""
    if source_words is None:
        return MIN_WORDS
    return min(MIN_WORDS, source_words * MIN_WORDS // 4000)


def readability(prose: list[str], total_words: int, source_words: int | None = None) -> Readability:
    """Readability of the summary's prose (headings, references and glossary left out)."""
    import textstat  # 0.7.4: offline (later versions download a dictionary)

    sentences = [s for text in prose for s in sentences_of(text)]
    lengths = [len(words(s)) for s in sentences] or [0]
    joined = " ".join(sentences)
    return Readability(
        reading_ease=float(textstat.flesch_reading_ease(joined)),
        grade_level=float(textstat.flesch_kincaid_grade(joined)),
        sentences=len(sentences),
        mean_sentence=sum(lengths) / max(len(sentences), 1),
        longest_sentence=max(lengths),
        prose_words=sum(lengths),
        total_words=total_words,
        min_words=min_words_for(source_words),
    )


def unexplained_acronyms(prose: list[str], explained: set[str]) -> list[str]:
    """Acronyms in the prose that the summary's glossary does not explain."""
    known = {a.casefold() for a in explained}
    found = []
    for text in prose:
        for acronym in _ACRONYM.findall(text):
            bare = acronym[:-1] if acronym.endswith("s") and len(acronym) > 2 else acronym
            if acronym.casefold() not in known and bare.casefold() not in known:
                found.append(acronym)
    return sorted(set(found))


# --- Reading a written summary back -------------------------------------------------------

_REFS = re.compile(r"\s\[((?:[A-Za-z_][\w.-]*)(?:, [A-Za-z_][\w.-]*)*)\]$")
_MD_ESCAPE = re.compile(r"\\([\\`*_\[\]<>#.+-])")


@dataclass
class ParsedSummary:
    """The sentences of a summary's Markdown, with their references, by section."""

    lines: list[tuple[str, str, tuple[str, ...]]]  # (section heading, text, cites)
    glossary_terms: set[str]
    total_words: int


def parse_markdown(markdown: str, data: SummaryData) -> ParsedSummary:
    section = ""
    lines: list[tuple[str, str, tuple[str, ...]]] = []
    terms: set[str] = set()
    total = 0
    for raw in markdown.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            section = line.lstrip("#").strip()
            total += len(words(section))
            continue
        line = re.sub(r"^(?:[-*]|\d+\.)\s+", "", line)
        match = _REFS.search(line)
        cites: tuple[str, ...] = tuple(match.group(1).split(", ")) if match else ()
        if match:
            line = line[: match.start()]
        text = _MD_ESCAPE.sub(r"\1", line)
        if section == data.headings["glossary"]:
            term = re.match(r"\*\*(.+?)\*\*", text)
            if term:
                terms.add(term.group(1))
            text = text.replace("**", "")
        total += len(words(text))
        lines.append((section, text, cites))
    return ParsedSummary(lines, terms, total)


def check(path: Path, options: Options, source: etree._Element | None = None) -> list[CheckResult]:
    """Readability and citations from the Markdown; faithfulness from the trace beside it.

    Faithfulness needs the source: the trace JSON (written with --trace) carries the text of
    every cited source block and the report's facts (title, dates, grades).  Given the
    source tree, those are re-derived from it and compared with the trace, so a trace that
    does not match its source fails.
    """
    started = time.perf_counter()
    data = load()
    markdown = path.read_text(encoding="utf-8")
    parsed = parse_markdown(markdown, data)
    glossary_heading = data.headings["glossary"]
    prose = [text for section, text, _ in parsed.lines if section != glossary_heading]
    figures = readability(prose, parsed.total_words, _source_words(path))
    results = [
        CheckResult(
            "summary-readability",
            "plain language: Flesch >= 60, grade <= 8, sentences <= 15 mean and 25 max, "
            "350-700 words (textstat 0.7.4)",
            "fail" if figures.findings() else "pass",
            tuple(figures.findings()) or (figures.describe(),),
            time.perf_counter() - started,
        )
    ]
    uncited = [text for section, text, cites in parsed.lines if not cites]
    results.append(
        CheckResult.of(
            "summary-citations",
            "every summary sentence cites the source blocks it rests on",
            [f"no reference: {text[:60]}" for text in uncited],
        )
    )
    results.append(
        CheckResult.of(
            "summary-acronyms",
            "every acronym spelled out or in the summary's glossary",
            [
                f"unexplained acronym {a}"
                for a in unexplained_acronyms(prose, parsed.glossary_terms)
            ],
        )
    )
    results.append(_faithfulness_result(path, parsed, source, data))
    return results


def _source_words(path: Path) -> int | None:
    """The source's length, from the trace beside the summary (None without one)."""
    try:
        facts = json.loads(trace_path(path).read_text(encoding="utf-8"))["facts"]
        return int(facts["source_words"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _faithfulness_result(
    path: Path, parsed: ParsedSummary, source: etree._Element | None, data: SummaryData
) -> CheckResult:
    name = "summary-faithfulness"
    standard = (
        "every sentence rests on the blocks it cites: content words, quantifiers, negations, "
        "numbers and grades kept"
    )
    started = time.perf_counter()
    trace_file = trace_path(path)
    if not trace_file.is_file():
        return CheckResult(
            name, standard, "not-run", (f"no trace {trace_file.name} beside it (use --trace)",)
        )
    try:
        trace = json.loads(trace_file.read_text(encoding="utf-8"))
        records, cited, facts = trace["sentences"], trace["cited"], trace["facts"]
    except (ValueError, KeyError, TypeError) as error:
        return CheckResult.of(
            name, standard, [f"{trace_file.name} is not a summary trace: {error}"]
        )
    found: list[str] = []
    if source is not None:
        real_cited, real_facts = source_facts(source)
        if real_facts != facts:
            found.append("the trace's facts do not match the source")
        found.extend(
            f"{key}: the trace's text of this block differs from the source"
            for key, text in cited.items()
            if real_cited.get(key) != text
        )
    written = [(text, cites) for _, text, cites in parsed.lines]
    traced = [(r["text"], tuple(r["cites"])) for r in records]
    if written != traced:
        extra = [t for t, _ in written if (t, ()) not in traced and t not in {x for x, _ in traced}]
        found.append(
            "the Markdown and its trace differ"
            + (f", e.g. {extra[0][:60]!r}" if extra else " (references or order)")
        )
    for record in records:
        found.extend(faithfulness_findings(record, cited, facts, data))
    for ident in facts.get("improvements", []):
        if not any(ident in r["cites"] for r in records):
            found.append(f"improvement {ident} is not in the summary")
    for judgement in facts.get("judgements", []):
        area = data.area_name(judgement["label"])
        if not any(r["template"] == "grade" and r["slots"].get("area") == area for r in records):
            found.append(f"the grade for {area!r} is not in the summary")
    return CheckResult.of(name, standard, found, seconds=time.perf_counter() - started)
