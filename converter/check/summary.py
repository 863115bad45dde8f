"""Checks for plain-language summaries: readability, structure, citations, acronyms and
faithfulness."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from converter.check import CheckResult
from converter.options import Options
from converter.transforms.faithfulness import summary_findings
from converter.transforms.readability import (
    MAX_GRADE_LEVEL,
    MAX_MEAN_SENTENCE,
    MAX_SENTENCE,
    MAX_WORDS,
    MIN_READING_EASE,
    MIN_WORDS,
    PROSE_FOR_MIN,
    readability,
)
from converter.transforms.readability import (  # re-exported: tests and benchmarks use them here
    Readability as Readability,
)
from converter.transforms.readability import min_words_for as min_words_for
from converter.transforms.readability import sentences_of as sentences_of
from converter.transforms.summary import places, source_facts, trace_path
from converter.transforms.summary_data import SummaryData, load
from converter.words import words

_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z](?:-[0-9]+)?s?\b")


def unexplained_acronyms(prose: list[str], explained: set[str]) -> list[str]:
    """Acronyms in the prose that the summary's glossary does not explain."""
    known = {a.casefold() for a in explained}
    for text in prose:  # defined where it is used: "SEND stands for ...", "... (SEND)"
        known.update(m.casefold() for m in re.findall(r"\b([A-Z]{2,})s? stands for\b", text))
        known.update(m.casefold() for m in re.findall(r"\(([A-Z]{2,})s?\)", text))
    found = []
    for text in prose:
        for acronym in _ACRONYM.findall(text):
            bare = acronym[:-1] if acronym.endswith("s") and len(acronym) > 2 else acronym
            if acronym.casefold() not in known and bare.casefold() not in known:
                found.append(acronym)
    return sorted(set(found))


# --- Reading a written summary back -------------------------------------------------------

_MD_ESCAPE = re.compile(r"\\([\\`*_\[\]<>#.+-])")
_MARKER = re.compile(r"^(\s*)(?:[-*]|\d+\.)\s+")


@dataclass
class ParsedSummary:
    """The lines of a summary's Markdown, by section."""

    lines: list[tuple[str, str]]  # (section heading, text)
    headings: list[str]
    glossary_terms: set[str]
    total_words: int

    def empty_sections(self) -> list[str]:
        used = {section for section, _ in self.lines}
        return [h for h in self.headings[1:] if h not in used]  # [0] is the title


def parse_markdown(markdown: str, data: SummaryData) -> ParsedSummary:
    section = ""
    lines: list[tuple[str, str]] = []
    headings: list[str] = []
    terms: set[str] = set()
    total = 0
    for raw in markdown.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            section = line.lstrip("#").strip()
            headings.append(section)
            total += len(words(section))
            continue
        line = _MARKER.sub("", raw).strip()
        text = _MD_ESCAPE.sub(r"\1", line)
        if section == data.headings["glossary"]:
            term = re.match(r"\*\*(.+?)\*\*", text)
            if term:
                terms.add(term.group(1))
            text = text.replace("**", "")
        total += len(words(text))
        lines.append((section, text))
    return ParsedSummary(lines, headings, terms, total)


def check(path: Path, options: Options, source: etree._Element | None = None) -> list[CheckResult]:
    """Readability and structure from the Markdown; citations and faithfulness from the
    trace beside it (the reader's copy carries no references).

    Faithfulness needs the source: the trace JSON (written with --trace) carries the text of
    every cited source block and the report's facts (title, dates, grades).  Given the
    source tree, those are re-derived from it and compared with the trace, so a trace that
    does not match its source fails.
    """
    started = time.perf_counter()
    data = load()
    markdown = path.read_text(encoding="utf-8")
    parsed = parse_markdown(markdown, data)
    skipped = (data.headings["glossary"], data.headings["sources"])
    prose = [text for section, text in parsed.lines if section not in skipped]
    figures = readability(prose, parsed.total_words, _source_prose(path))
    results = [
        CheckResult(
            "summary-readability",
            f"plain language: Flesch >= {MIN_READING_EASE:g}, grade <= {MAX_GRADE_LEVEL:g}, "
            f"sentences <= {MAX_MEAN_SENTENCE:g} mean and {MAX_SENTENCE} max, "
            f"{MIN_WORDS}-{MAX_WORDS} words for {PROSE_FOR_MIN:,} words of the report's prose "
            "(fewer in proportion for less; tables are not prose) (textstat 0.7.4)",
            "fail" if figures.findings() else "pass",
            tuple(figures.findings()) or (figures.describe(),),
            time.perf_counter() - started,
        )
    ]
    structure = [f"the section {h!r} is empty" for h in parsed.empty_sections()]
    if len(parsed.headings) < 2 or parsed.headings[1] != data.headings["outcome"]:
        structure.append(f"the summary does not open with {data.headings['outcome']!r}")
    if re.search(r"\[[\w.-]+(?:, [\w.-]+)*\]\s*$", markdown, re.MULTILINE):
        structure.append("the reader's copy carries reference tags")
    results.append(
        CheckResult.of(
            "summary-structure",
            "the outcome first, no empty section, no reference tags in the reader's copy",
            structure,
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
    results.extend(_trace_results(path, parsed, source, data))
    return results


def _source_prose(path: Path) -> int | None:
    """The source's prose (its body outside tables), from the trace beside the summary (None
    without one)."""
    try:
        facts = json.loads(trace_path(path).read_text(encoding="utf-8"))["facts"]
        return int(facts.get("prose_words", facts["source_words"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _trace_results(
    path: Path, parsed: ParsedSummary, source: etree._Element | None, data: SummaryData
) -> list[CheckResult]:
    citations = ("summary-citations", "every summary sentence cites the source blocks it rests on")
    name = "summary-faithfulness"
    standard = (
        "every sentence rests on the blocks it cites (content words, quantifiers, negations, "
        "numbers and grades kept) and is whole; no pronoun without a referent; strengths and "
        "concerns in their lists; every grade and improvement item, whole; no empty section"
    )
    started = time.perf_counter()
    trace_file = trace_path(path)
    if not trace_file.is_file():
        reason = (f"no trace {trace_file.name} beside it (use --trace)",)
        return [
            CheckResult(*citations, "not-run", reason),
            CheckResult(name, standard, "not-run", reason),
        ]
    try:
        trace = json.loads(trace_file.read_text(encoding="utf-8"))
        records, cited, facts = trace["sentences"], trace["cited"], trace["facts"]
        lines, sections, where = trace["lines"], trace["sections"], trace["places"]
    except (ValueError, KeyError, TypeError) as error:
        problem = [f"{trace_file.name} is not a summary trace: {error}"]
        return [CheckResult.of(*citations, problem), CheckResult.of(name, standard, problem)]
    uncited = [r["text"][:60] for r in records if not r["cites"]]
    unknown = [
        f"{r['id']} cites {c}, not in the trace's sources"
        for r in records
        for c in r["cites"]
        if c not in cited
    ]
    results = [CheckResult.of(*citations, [f"no reference: {t}" for t in uncited] + unknown)]
    found: list[str] = []
    if source is not None:
        found += trace_source_findings(source, cited, facts)
        if places(source, list(where)) != where:
            found.append("the trace's places do not match the source")
    written = [text for _, text in parsed.lines]
    traced = [line["text"] for line in lines]
    if written != traced:
        extra = [t for t in written if t not in traced]
        found.append(
            "the Markdown and its trace differ"
            + (f", e.g. {extra[0][:60]!r}" if extra else " (order)")
        )
    found.extend(summary_findings(records, cited, facts, data, sections, where))
    results.append(CheckResult.of(name, standard, found, seconds=time.perf_counter() - started))
    return results


def trace_source_findings(
    source: etree._Element, cited: dict[str, str], facts: object
) -> list[str]:
    """A trace (a summary's, an Easy Read edition's) against the source it names: the same
    facts, and each cited block's text as the source has it."""
    real_cited, real_facts = source_facts(source)
    found = ["the trace's facts do not match the source"] if real_facts != facts else []
    found.extend(
        f"{key}: the trace's text of this block differs from the source"
        for key, text in cited.items()
        if real_cited.get(key) != text
    )
    return found
