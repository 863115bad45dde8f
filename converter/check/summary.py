"""Checks for plain-language summaries: readability, citations, acronyms and faithfulness."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from converter.check import CheckResult
from converter.options import Options
from converter.transforms.summary_data import SummaryData, load
from converter.words import words

# Targets of DESIGN.md section 5 (plain-language summary).
MIN_READING_EASE = 60.0
MAX_GRADE_LEVEL = 8.0
MAX_MEAN_SENTENCE = 15.0
MAX_SENTENCE = 25
MIN_WORDS, MAX_WORDS = 350, 700

# Words whose loss or addition changes what a sentence claims: they must match the source.
QUANTIFIERS = frozenset(
    [
        "all",
        "every",
        "each",
        "most",
        "many",
        "much",
        "some",
        "several",
        "few",
        "none",
        "majority",
        "minority",
        "half",
        "nearly",
        "almost",
        "always",
        "never",
        "often",
        "usually",
        "sometimes",
        "rarely",
        "generally",
        "mostly",
        "typically",
        "numerous",
        "only",
        "any",
        "small",
        "vast",
        "consistently",
        "whenever",
        "variable",
        "too",
    ]
)
NEGATIONS = frozenset(
    ["not", "no", "never", "nor", "neither", "cannot", "without", "none", "nothing", "nobody"]
)
NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "hundred",
        "thousand",
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
    ]
)
GRADE_WORDS = frozenset(["outstanding", "good", "inadequate", "adequate"])
_REQUIRES_IMPROVEMENT = re.compile(r"\brequire[sd]?\s+improvement\b", re.IGNORECASE)

# Function words: they carry no claim of their own, so a summary may add or drop them.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "so",
        "if",
        "then",
        "than",
        "that",
        "this",
        "these",
        "those",
        "there",
        "their",
        "they",
        "them",
        "it",
        "its",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "done",
        "to",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "as",
        "into",
        "onto",
        "about",
        "before",
        "after",
        "over",
        "under",
        "up",
        "down",
        "out",
        "off",
        "also",
        "however",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "while",
        "how",
        "why",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "his",
        "her",
        "him",
        "i",
        "me",
        "my",
        "us",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "shall",
        "such",
        "very",
        "more",
        "less",
        "both",
        "either",
        "own",
        "same",
        "other",
        "another",
        "just",
        "even",
        "still",
        "yet",
        "well",
        "here",
        "now",
        "because",
        "although",
        "though",
        "until",
        "unless",
        "whether",
        "per",
        "via",
        "not",
        "no",
    ]
)

_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z](?:-[0-9]+)?s?\b")


def stem(word: str) -> str:
    """A light stem so that a plural or a possessive counts as the same word."""
    word = word.casefold().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(text: str) -> set[str]:
    return {stem(w) for w in words(text) if w not in STOPWORDS}


def claim_words(text: str) -> Counter[str]:
    """The quantifiers, negations, numbers and grade words of a text, counted."""
    counts: Counter[str] = Counter()
    for word in words(text):
        if word in QUANTIFIERS or word in NEGATIONS or word in GRADE_WORDS:
            counts[word] += 1
        elif word.endswith("n't"):
            counts["not"] += 1
        elif word in NUMBER_WORDS or any(ch.isdigit() for ch in word):
            counts[word] += 1
    counts["requires improvement"] = len(_REQUIRES_IMPROVEMENT.findall(text))
    return +counts


def normalise(text: str) -> str:
    """Whitespace collapsed and typographic quotes made plain, for substring tests."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    return " ".join(text.replace("\u201d", '"').split())


def format_date(when: str) -> str:
    """2021-11-22 -> '22 November 2021'."""
    import datetime

    day = datetime.date.fromisoformat(when)
    return f"{day.day} {day:%B %Y}"


def _rule_allowed(rule: list[str], data: SummaryData, cited: list[str]) -> bool:
    """Is this rewriting rule one of ours (or an acronym the cited source defines)?"""
    name, before, after = rule
    if name == "phrase":
        return any(
            p.source.casefold() == before.casefold() and p.plain.casefold() == after.casefold()
            for p in data.phrases
        )
    if name == "acronym":
        return data.acronyms.get(before) == after
    if name == "acronym-source":
        pattern = normalise(f"{after} ({before})").casefold()
        return any(pattern in normalise(text).casefold() for text in cited)
    if name == "split":
        return any(s.joint == before and s.opens == after for s in data.splits)
    if name == "drop":
        return after == "" and any(
            before.startswith(", " + opener + " ") for opener in data.drop_openers
        )
    if name in ("drop-acronym", "drop-opener"):
        return after == ""
    return False


def faithfulness_findings(
    record: dict[str, Any], cited: dict[str, str], facts: dict[str, Any], data: SummaryData
) -> list[str]:
    """Why one summary sentence is not faithful to its sources (empty when it is)."""
    sid, text, kind = record["id"], record["text"], record["kind"]
    found: list[str] = []
    cites = list(record["cites"])
    if not cites:
        found.append(f"{sid}: cites no source")
    missing = [c for c in cites if c not in cited]
    if missing:
        found.append(f"{sid}: cites {', '.join(missing)}, not in the source")
    texts = [cited[c] for c in cites if c in cited]
    if kind in ("source", "fallback"):
        source_text = record["source_text"]
        if not any(normalise(source_text) in normalise(t) for t in texts):
            found.append(f"{sid}: its source words are not in the paragraphs it cites")
        for rule in record["rules"]:
            if not _rule_allowed(rule, data, texts):
                found.append(f"{sid}: rule {rule[0]} {rule[1]!r} -> {rule[2]!r} is not ours")
        allowed = content_words(source_text)
        for rule in record["rules"]:
            allowed |= content_words(rule[2])
        invented = sorted(content_words(text) - allowed)
        if invented:
            found.append(f"{sid}: words not in its source: {', '.join(invented)}")
        said, source = claim_words(text), claim_words(source_text)
        for word in sorted(set(said) | set(source)):
            if said[word] != source[word]:
                found.append(
                    f"{sid}: {word!r} {said[word]} time(s) here, {source[word]} in the source"
                )
    elif kind == "template":
        found.extend(_template_findings(record, texts, facts, data))
    elif kind == "meaning":
        grade = record["slots"].get("grade", "")
        if grade not in {j["grade"] for j in facts.get("judgements", [])}:
            found.append(f"{sid}: explains grade {grade!r}, which the report does not give")
        if text != " ".join(data.grade_meanings.get(grade, ())):
            found.append(f"{sid}: is not our explanation of grade {grade!r}")
    elif kind == "acronym":
        short, _, long_form = text.partition(": ")
        pattern = normalise(f"{long_form} ({short})").casefold()
        ours = data.acronyms.get(short) == long_form
        if not ours and not any(pattern in normalise(t).casefold() for t in texts):
            found.append(f"{sid}: the cited source does not define {short}")
    elif kind == "glossary":
        term = data.term_for(record["slots"].get("term", ""))
        if term is None or text != f"{term.term}: {term.plain}":
            found.append(f"{sid}: is not a glossary entry of ours")
    else:
        found.append(f"{sid}: unknown kind {kind!r}")
    return found


def _template_findings(
    record: dict[str, Any], texts: list[str], facts: dict[str, Any], data: SummaryData
) -> list[str]:
    sid, slots, name = record["id"], record["slots"], record["template"]
    found: list[str] = []
    template = data.templates.get(name)
    if template is None:
        return [f"{sid}: no template {name!r}"]
    if template.format(**slots) != record["text"]:
        found.append(f"{sid}: does not read as template {name!r} with its values")
    dates = facts.get("dates", {})
    expected = {
        "title": facts.get("title"),
        "subject": facts.get("subject"),
        "name": facts.get("lead"),
        "start": format_date(dates["inspection-start"]) if "inspection-start" in dates else None,
        "end": format_date(dates["inspection-end"]) if "inspection-end" in dates else None,
    }
    for slot, value in slots.items():
        if slot in expected and value != expected[slot]:
            found.append(f"{sid}: {slot} {value!r} is not the report's ({expected[slot]!r})")
        elif slot in ("phone", "email") and not any(value in normalise(t) for t in texts):
            found.append(f"{sid}: {slot} {value!r} is not in the paragraphs it cites")
    if name == "grade":
        matches = [
            j
            for j in facts.get("judgements", [])
            if data.area_name(j["label"]) == slots.get("area")
            and slots.get("grade") in (j["grade_text"].casefold(), data.grade_words[j["grade"]])
        ]
        if not matches:
            found.append(
                f"{sid}: the report does not grade {slots.get('area')!r} {slots.get('grade')!r}"
            )
    return found


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


def trace_path(path: Path) -> Path:
    name = path.name
    stem = name[: -len(".summary.md")] if name.endswith(".summary.md") else path.stem
    return path.with_name(f"{stem}.summary.trace.json")


def check(path: Path, options: Options) -> list[CheckResult]:
    """Readability and citations from the Markdown; faithfulness from the trace beside it.

    Faithfulness needs the source: the trace JSON (written with --trace) carries the text of
    every cited source block and the report's facts (title, dates, grades).  With
    ``options.extra["summary_source"]`` naming the source file, those are re-derived from
    it and compared with the trace, so a trace that does not match its source fails.
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
    results.append(_faithfulness_result(path, parsed, options, data))
    return results


def _source_words(path: Path) -> int | None:
    """The source's length, from the trace beside the summary (None without one)."""
    try:
        facts = json.loads(trace_path(path).read_text(encoding="utf-8"))["facts"]
        return int(facts["source_words"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _faithfulness_result(
    path: Path, parsed: ParsedSummary, options: Options, data: SummaryData
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
    source = options.extra.get("summary_source")
    if source is not None:
        from converter import api
        from converter.transforms.summary import source_facts

        real_cited, real_facts = source_facts(api.parse(source).getroot())
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
