"""The pronunciation lexicon (lexicon.toml, reviewed data): what the narrator says for an
acronym, a section number, money, a range or a date that a speech engine would misread."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass

from converter import resources

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class Pattern:
    match: re.Pattern[str]
    say: str
    rule: str  # "" (the template `say`) or "date"


@dataclass(frozen=True)
class Lexicon:
    patterns: tuple[Pattern, ...]
    words: dict[str, str]

    @functools.cached_property
    def _word_pattern(self) -> re.Pattern[str] | None:
        if not self.words:
            return None
        names = sorted(self.words, key=len, reverse=True)
        alternatives = "|".join(re.escape(name) for name in names)
        # A whole word: no letter or digit on either side (a full stop may end "e.g.").
        return re.compile(rf"(?<![\w.])(?:{alternatives})(?!\w)")

    def apply(self, text: str) -> str:
        """The text as the engine should get it."""
        for pattern in self.patterns:
            if pattern.rule == "date":
                text = pattern.match.sub(_say_date, text)
            else:
                text = pattern.match.sub(pattern.say, text)
        words = self._word_pattern
        if words is not None:
            text = words.sub(lambda match: self.words[match.group(0)], text)
        return text


def _say_date(match: re.Match[str]) -> str:
    day, month, year = (int(part) for part in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return match.group(0)  # not a day/month/year date: leave it as written
    return f"{day} {MONTHS[month - 1]} {year}"


@functools.cache
def lexicon() -> Lexicon:
    """The packaged lexicon."""
    data = tomllib.loads(
        resources.folder("converter.writers.audio").joinpath("lexicon.toml").read_text("utf-8")
    )
    return from_data(data)


def from_data(data: dict[str, object]) -> Lexicon:
    patterns = []
    for entry in data.get("patterns", []):  # type: ignore[attr-defined]
        patterns.append(
            Pattern(re.compile(entry["match"]), entry.get("say", ""), entry.get("rule", ""))
        )
    words = {name: entry["say"] for name, entry in data.get("words", {}).items()}  # type: ignore[attr-defined]
    return Lexicon(tuple(patterns), words)
