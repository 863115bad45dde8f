"""The plain-language summary's faithfulness rules: what a summary sentence may say,
given the source blocks it cites.

The summary transform applies them to every sentence it writes (a sentence that breaks
one falls back to the source sentence as written), and ``convert check`` applies the same
rules to a written summary and its trace, so the two can never disagree.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from typing import Any

from converter.transforms.summary_data import SummaryData
from converter.words import words

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
