"""The Easy Read edition's reviewable data (easy_read.toml), read over the summary's own."""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from dataclasses import dataclass

from converter import resources
from converter.transforms import summary_data
from converter.transforms.summary_data import SummaryData


@dataclass(frozen=True)
class NextStep:
    pattern: str  # a regular expression over the cited paragraph (case-insensitive)
    template: str
    slot: str  # the template's slot its first group fills ("" when it has none)

    def match(self, text: str) -> re.Match[str] | None:
        return re.search(self.pattern, " ".join(text.split()), re.IGNORECASE)


@dataclass(frozen=True)
class Cue:
    words: tuple[str, ...]  # words or phrases, matched whole, whatever their case
    concept: str  # the picture (converter/symbols/symbols.toml)

    def found_in(self, text: str) -> str | None:
        """The first of the cue's words the text holds, or None."""
        for word in self.words:
            if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE):
                return word
        return None


@dataclass(frozen=True)
class EasyReadData:
    #: The summary's data with the Easy Read templates and area names over its own, for the
    #: faithfulness rules (converter.transforms.faithfulness) to check Easy Read lines with.
    summary: SummaryData
    headings: dict[str, str]
    template_symbols: dict[str, str]  # template -> concept of its picture
    meanings: dict[str, tuple[str, ...]]  # grade value -> one sentence a line
    grade_symbols: dict[str, str]  # grade value -> concept ("" for none)
    next_steps: tuple[NextStep, ...]
    hard_words: dict[str, str]  # term -> its Easy Read line
    cues: tuple[Cue, ...]

    def cue_for(self, text: str) -> tuple[Cue, str] | None:
        """The first cue whose words the text holds, with the word found."""
        for cue in self.cues:
            word = cue.found_in(text)
            if word is not None:
                return cue, word
        return None


@functools.cache
def load() -> EasyReadData:
    """The packaged data, parsed once, over the summary's (summary_data.load())."""
    text = resources.folder(__name__).joinpath("easy_read.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    base = summary_data.load()
    areas = tuple((a["match"], a["plain"]) for a in data["area"])
    merged = dataclasses.replace(
        base,
        templates={**base.templates, **data["templates"]},
        areas=areas + base.areas,
    )
    return EasyReadData(
        summary=merged,
        headings=dict(data["headings"]),
        template_symbols=dict(data["template_symbols"]),
        meanings={grade: tuple(g["meaning"]) for grade, g in data["grades"].items()},
        grade_symbols={grade: g["symbol"] for grade, g in data["grades"].items()},
        next_steps=tuple(
            NextStep(n["pattern"], n["template"], n.get("slot", "")) for n in data["next"]
        ),
        hard_words={h["term"]: h["line"] for h in data["hard_word"]},
        cues=tuple(Cue(tuple(c["words"]), c["concept"]) for c in data["cue"]),
    )
