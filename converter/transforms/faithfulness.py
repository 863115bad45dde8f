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

from converter.transforms import classify as classifier
from converter.transforms.sentences import VERB_WORDS
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


# Quantifiers said in other words that mean the same: counted as the plain word.
_SAME_QUANTIFIER = (
    (re.compile(r"\b(?:the|a) majority of\b", re.IGNORECASE), "most"),
    (re.compile(r"\btypically\b", re.IGNORECASE), "usually"),
    (re.compile(r"\bfrequently\b", re.IGNORECASE), "often"),
)


def claim_words(text: str) -> Counter[str]:
    """The quantifiers, negations, numbers and grade words of a text, counted."""
    counts: Counter[str] = Counter()
    for pattern, same in _SAME_QUANTIFIER:
        text = pattern.sub(same, text)
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


def date_range(start: str, end: str | None) -> tuple[str, str | None]:
    """A visit's first and last day as a parent says them: the year once when it is the same
    ('22 November', '3 December 2021'); no last day when the visit was one day."""
    if not end or end == start:
        return format_date(start), None
    first, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    if (first.year, first.month) == (last.year, last.month):
        return str(first.day), format_date(end)
    said = f"{first.day} {first:%B}" if first.year == last.year else format_date(start)
    return said, format_date(end)


def _rule_allowed(
    rule: list[str], data: SummaryData, cited: list[str], acronyms: dict[str, str]
) -> bool:
    """Is this rewriting rule one of ours (or an acronym the cited source defines)?"""
    name, before, after = rule
    if name == "phrase":
        return any(
            p.source.casefold() == before.casefold() and p.plain.casefold() == after.casefold()
            for p in data.phrases
        )
    if name == "item-opening":
        return any(
            p.source.casefold() == before.casefold() and p.plain == after
            for p in data.item_openings
        )
    if name == "acronym":
        return acronyms.get(before) == after
    if name == "acronym-source":
        pattern = normalise(f"{after} ({before})").casefold()
        return any(pattern in normalise(text).casefold() for text in cited)
    if name == "split":
        return any(s.joint == before and s.opens == after for s in data.splits)
    if name == "drop":  # a phrase that runs to the sentence's end, with no comma in it
        return (
            after == ""
            and "," not in before[2:]
            and any(before.startswith(", " + opener + " ") for opener in data.drop_openers)
        )
    if name in ("drop-acronym", "drop-opener"):
        return after == ""
    if name == "opening":
        return after == "" and before in data.openings
    if name == "number":
        return any(n.pattern == before and n.plain == after for n in data.numbers)
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
    acronyms = data.acronyms_at(facts.get("dates", {}))
    found.extend(f"{sid}: {reason}" for reason in incomplete(text, kind))
    if kind in ("source", "fallback", "point"):
        source_text = record["source_text"]
        if not any(normalise(source_text) in normalise(t) for t in texts):
            found.append(f"{sid}: its source words are not in the paragraphs it cites")
        elif kind == "source" and not any(_whole(source_text, t, data) for t in texts):
            found.append(f"{sid}: incomplete: its source words stop in the middle of a sentence")
        for rule in record["rules"]:
            if not _rule_allowed(rule, data, texts, acronyms):
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
        # "This is the lowest of four grades" only right after the outcome that names it.
        after = record["slots"].get("after") == "outcome" and record.get("section") == "outcome"
        if text != data.meaning(grade, after_outcome=after):
            found.append(f"{sid}: is not our explanation of grade {grade!r}")
    elif kind == "acronym":
        short, _, long_form = text.partition(": ")
        pattern = normalise(f"{long_form} ({short})").casefold()
        ours = acronyms.get(short) == long_form
        if not ours and not any(pattern in normalise(t).casefold() for t in texts):
            found.append(f"{sid}: the cited source does not define {short}")
    elif kind == "glossary":
        name = record["slots"].get("term", "")
        term = data.term_for(name)
        if term is None or name not in (term.term, *term.forms) or text != f"{name}: {term.plain}":
            found.append(f"{sid}: is not a glossary entry of ours")
    elif kind == "explain":
        term = data.term_for(record["slots"].get("term", ""))
        if term is None or text != term.explain:
            found.append(f"{sid}: is not our explanation of a term")
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
    start, end = (
        date_range(dates["inspection-start"], dates.get("inspection-end"))
        if "inspection-start" in dates
        else (None, None)
    )
    said = {
        "published": dates.get("publication"),
        "letter_date": dates.get("letter"),
        "document_date": dates.get("document"),
    }
    expected = {
        "title": facts.get("title"),
        "subject": facts.get("subject"),
        "name": facts.get("lead"),
        "start": start,
        "end": end,
    }
    if name in said:
        when = said[name]
        expected["date"] = format_date(when) if when and len(when) == 10 else None
    for slot, value in slots.items():
        if slot in expected and value != expected[slot]:
            found.append(f"{sid}: {slot} {value!r} is not the report's ({expected[slot]!r})")
        elif slot in ("phone", "email") and not any(value in normalise(t) for t in texts):
            found.append(f"{sid}: {slot} {value!r} is not in the paragraphs it cites")
    judgements = facts.get("judgements", [])
    if name == "grade":
        matches = [
            j
            for j in judgements
            if data.area_name(j["label"]) == slots.get("area")
            and slots.get("grade") in (j["grade_text"].casefold(), data.grade_words[j["grade"]])
        ]
        if not matches:
            found.append(
                f"{sid}: the report does not grade {slots.get('area')!r} {slots.get('grade')!r}"
            )
    if name == "outcome_grade":
        overall = next((j for j in judgements if j["area"] == "overall-effectiveness"), None)
        overall = overall or (judgements[0] if judgements else None)
        grades = (
            (overall["grade_text"].casefold(), data.grade_words[overall["grade"]])
            if overall
            else ()
        )
        if slots.get("grade") not in grades:
            found.append(f"{sid}: the report's overall grade is not {slots.get('grade')!r}")
    if name in ("no_grades", "no_grades_generic", "no_grades_letter") and judgements:
        found.append(f"{sid}: says the report gives no grades, but it does")
    for phrase, key in data.outcomes:
        if name == key and not any(normalise(phrase) in normalise(t) for t in texts):
            found.append(f"{sid}: the cited paragraph does not state this outcome")
    if name == "focused_visit" and "focused visit" not in str(facts.get("title", "")).casefold():
        found.append(f"{sid}: the report is not a focused visit")
    return found


# --- Whole sentences -----------------------------------------------------------------------

# A sentence may not end on a word that needs more after it.
_DANGLING_END = frozenset(
    [
        "and",
        "or",
        "but",
        "nor",
        "so",
        "because",
        "although",
        "while",
        "whereas",
        "if",
        "when",
        "the",
        "a",
        "an",
        "of",
        "to",
        "for",
        "with",
        "by",
        "from",
        "in",
        "on",
        "at",
        "as",
        "than",
        "that",
        "which",
        "who",
        "whose",
        "whom",
        "where",
        "their",
        "his",
        "her",
        "its",
        "our",
        "your",
        "my",
        "he",
        "she",
        "they",
        "it",
        "we",
        "this",
        "these",
        "those",
        "such",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "not",
        "very",
        "more",
        "most",
        "including",
    ]
)
_PRONOUNS = frozenset(
    [
        "they",
        "them",
        "their",
        "theirs",
        "it",
        "its",
        "this",
        "these",
        "those",
        "he",
        "she",
        "his",
        "her",
        "him",
        "hers",
        "such",
    ]
)
_PERSONAL = frozenset(["he", "she", "his", "her", "him", "hers"])
# Fragments by design: list points and fixed lines are not held to having a verb.
_NO_VERB_NEEDED = frozenset(["point", "fallback", "template", "glossary", "acronym", "meaning"])


def incomplete(text: str, kind: str) -> list[str]:
    """Why a summary sentence is not a whole sentence (empty when it is)."""
    said = words(text)
    if not said:
        return ["incomplete: no words"] if kind not in ("template",) else []
    reasons = []
    if kind in ("source", "explain") and said[-1] in _DANGLING_END:
        reasons.append(f"incomplete: ends on {said[-1]!r}")
    # A point of an improvement item is held whole by the item check (summary_findings).
    if kind not in _NO_VERB_NEEDED and not _has_verb(said):
        reasons.append("incomplete: no main verb")
    return reasons


_LEANING = frozenset(["many", "some", "others", "most", "few", "both", "all", "several", "each"])
_LEANING_NEXT = frozenset(
    ["have", "has", "are", "is", "were", "was", "do", "does", "did", "had", "can", "will", "would"]
)


def opens_with_reference(text: str) -> bool:
    """Does the sentence open with a word that refers back ("They", "Her", "Others have")?"""
    said = words(text)
    if not said:
        return False
    if said[0] in _PRONOUNS:
        return True
    return said[0] in _LEANING and len(said) > 1 and said[1] in _LEANING_NEXT


def _has_verb(said: list[str]) -> bool:
    for index, word in enumerate(said):
        if word in VERB_WORDS or word.endswith("n't"):
            return True
        # A past form after a subject ("Leaders improved", "Plans were reviewed").
        if index and len(word) > 4 and word.endswith("ed"):
            return True
    return False


def _whole(source_text: str, block: str, data: SummaryData) -> bool:
    """Do a sentence's source words start and end where the block's sentence or one of our
    joints does (so a sentence cut in the middle cannot pass as a whole one)?"""
    source, text = normalise(source_text), normalise(block)
    joints = [s.joint for s in data.splits] + [", " + o + " " for o in data.drop_openers]
    at = text.find(source)
    while at >= 0:
        before, after = text[:at], text[at + len(source) :]
        starts = (
            not before.strip()
            or before.rstrip()[-1:] in ".!?:;"
            or any(
                (before + "§").endswith(j.rstrip() + " §") or (before + "§").endswith(j + "§")
                for j in joints
            )
            or _after_opener(before)
            or _after_concession(before, data)
        )
        ends = not after.strip() or after[:1] in ".!?;:" or any(after.startswith(j) for j in joints)
        if starts and ends:
            return True
        at = text.find(source, at + 1)
    return False


def _after_concession(before: str, data: SummaryData) -> bool:
    """The source is the main clause after an opening concession ("While X, ")."""
    if not before.endswith(", "):
        return False
    stop = before.rfind(". ", 0, len(before) - 2)
    start = stop + 2 if stop >= 0 else 0
    return any(before[start:].startswith(o + " ") for o in data.openings)


def _after_opener(before: str) -> bool:
    """The source starts after an opener the rules may drop ("However, ")."""
    tail = before.rstrip()
    return any(
        tail.endswith(opener)
        and (tail[: -len(opener)].rstrip()[-1:] in ".!?" or not tail[: -len(opener)].strip())
        for opener in ("However,", "But", "Also,", "In addition,", "Furthermore,", "Moreover,")
    )


# --- The whole summary ---------------------------------------------------------------------


def summary_findings(
    records: list[dict[str, Any]],
    cited: dict[str, str],
    facts: dict[str, Any],
    data: SummaryData,
    sections: list[dict[str, Any]] | None = None,
    places: dict[str, str] | None = None,
) -> list[str]:
    """Why a whole summary is not faithful: each sentence's findings, and what only the
    whole shows (a pronoun with nothing to refer to, a finding in the wrong list, a grade or
    an improvement item missing or cut, an empty section)."""
    found: list[str] = []
    for record in records:
        found.extend(faithfulness_findings(record, cited, facts, data))
    found.extend(_dangling(records, data))
    found.extend(_misfiled(records))
    judgements = facts.get("judgements", [])
    overall = next((j for j in judgements if j["area"] == "overall-effectiveness"), None)
    overall = overall or (judgements[0] if judgements else None)
    for judgement in judgements:
        area = data.area_name(judgement["label"])
        said = any(r["template"] == "grade" and r["slots"].get("area") == area for r in records)
        if judgement is overall:
            said = said or any(r["template"] == "outcome_grade" for r in records)
        if not said:
            found.append(f"the grade for {area!r} is not in the summary")
    for ident in facts.get("improvements", []):
        points = [
            r
            for r in records
            if r["section"] == "improvements"
            and r["cites"][:1] == [ident]
            and r["kind"] in ("point", "fallback")
        ]
        if not points:
            found.append(f"improvement {ident} is not in the summary")
        elif words(" ".join(r["source_text"] for r in points)) != words(cited.get(ident, "")):
            found.append(f"improvement {ident} is not whole in the summary")
    for section in sections or []:
        if not section["sentences"]:
            found.append(f"the section {section['heading']!r} is empty")
    if places is not None:
        found.extend(_sources_findings(records, places, data))
    return found


def _dangling(records: list[dict[str, Any]], data: SummaryData) -> list[str]:
    """A pronoun that opens a unit (or a personal pronoun with no person before it in its
    unit) refers to nothing the reader has met."""
    found = []
    previous_unit = None
    seen_in_unit: list[str] = []
    for record in records:
        if record["kind"] not in ("source", "fallback", "point"):
            if record["unit"] != previous_unit:
                previous_unit, seen_in_unit = record["unit"], []
            seen_in_unit.append(record["text"])
            continue
        if record["unit"] != previous_unit:
            previous_unit, seen_in_unit = record["unit"], []
        said = words(record["text"])
        if opens_with_reference(record["text"]) and not seen_in_unit and record["kind"] != "point":
            found.append(f"{record['id']}: {said[0]!r} refers to nothing before it")
        elif any(w in _PERSONAL for w in said) and not _names_a_person(
            " ".join([*seen_in_unit, record["text"]]), said
        ):
            found.append(f"{record['id']}: a personal pronoun with no person before it")
        seen_in_unit.append(record["text"])
    return found


_PEOPLE = frozenset(
    [
        "child",
        "young",
        "person",
        "parent",
        "mother",
        "father",
        "director",
        "leader",
        "manager",
        "inspector",
        "officer",
        "worker",
        "carer",
        "executive",
        "chair",
        "member",
        "pupil",
        "headteacher",
        "teacher",
        "adviser",
        "commissioner",
        "mr",
        "mrs",
        "ms",
        "dr",
        "baby",
        "girl",
        "boy",
        "woman",
        "man",
        "someone",
        "anyone",
    ]
)


def _names_a_person(text: str, said: list[str]) -> bool:
    first = next(i for i, w in enumerate(words(text)) if w in _PERSONAL)
    before = words(text)[:first]
    return any(w in _PEOPLE for w in before) or bool(
        re.search(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b", text)
    )


def _misfiled(records: list[dict[str, Any]]) -> list[str]:
    """A strength listed as a concern, or the reverse, by the classifier's rules."""
    want = {"concerns": classifier.CONCERN, "strengths": classifier.STRENGTH}
    found = []
    for record in records:
        section = record.get("section", "")
        if section in want and record["kind"] == "source":
            finding = record.get("finding") or record["source_text"]
            if normalise(record["source_text"]) not in normalise(finding):
                found.append(f"{record['id']}: its words are not in the finding it classifies")
            label = classifier.classify(finding)
            own = classifier.classify(record["source_text"])
            opposite = {classifier.CONCERN: classifier.STRENGTH}.get(
                want[section], classifier.CONCERN
            )
            if label != want[section]:
                found.append(f"{record['id']}: a {label} listed under {section}")
            elif own == opposite:
                # Its own words say the other thing: part of a sentence the rules missed as mixed.
                found.append(f"{record['id']}: a {own} (by its own words) listed under {section}")
    return found


def _sources_findings(
    records: list[dict[str, Any]], places: dict[str, str], data: SummaryData
) -> list[str]:
    """Each line of 'Where this comes from' names the places its part rests on."""
    found = []
    for record in records:
        if record["template"] != "sources":
            continue
        missing = [c for c in record["cites"] if c not in places]
        if missing:
            found.append(f"{record['id']}: cites {', '.join(missing)} with no place in the report")
    return found
