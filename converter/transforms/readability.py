"""Readability of a plain-language summary's prose, as the summary check measures it and the
summary planner aims at it: Flesch Reading Ease, Flesch-Kincaid grade, sentence lengths and
the word count, against the targets of DESIGN.md section 5 and issue 18 (textstat 0.7.4)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from converter.words import words

# Targets of DESIGN.md section 5 and issue 18 (plain-language summary), for every summary.
MIN_READING_EASE = 65.0
MAX_GRADE_LEVEL = 6.0
MAX_MEAN_SENTENCE = 12.0
MAX_SENTENCE = 20
MIN_WORDS, MAX_WORDS = 350, 700


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
    """A line of prose split into sentences (our sentences are plain: no abbreviations).  A
    line that does not end in a stop (a list point) is one sentence: a reader stops there."""
    text = text.strip()
    if text and text[-1] not in ".!?:":
        text += "."
    return [s for s in _SENTENCE_END.split(text) if s]


PROSE_FOR_MIN = 4000  # DESIGN.md: "350-700 words for a 4,000-word report"


def min_words_for(source_prose: int | None) -> int:
    """350 words for a report with 4,000 words of prose or more; in proportion for less.
    Prose is the body outside tables: a timetable of 2,000 words in cells and 20 words
    around them has little to summarise, while a real report's few table words (its grades)
    barely move the target."""
    if source_prose is None:
        return MIN_WORDS
    return min(MIN_WORDS, source_prose * MIN_WORDS // PROSE_FOR_MIN)


def readability(prose: list[str], total_words: int, source_prose: int | None = None) -> Readability:
    """Readability of the summary's prose (headings, glossary and sources list left out):
    textstat 0.7.4 over the sentences, each list point counted as a sentence."""
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
        min_words=min_words_for(source_prose),
    )
