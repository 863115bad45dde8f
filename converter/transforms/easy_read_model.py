"""The Easy Read edition's parts: its lines (each one sentence of the summary's kind, with its
picture and bold words), its sections and the plan of the whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from converter import symbols
from converter.transforms.summary_model import Plan, Sentence


@dataclass
class Line:
    """One line of the edition: one sentence (the summary's Sentence record), its picture
    and its bold words."""

    sentence: Sentence
    symbol: str = ""  # the concept of its picture (converter/symbols), '' for none
    strong: tuple[str, ...] = ()  # words shown in bold
    continues: bool = False  # goes on from the line before (a long item said in parts)
    optional: bool = False  # a finding: may be left out to meet the reading target
    group: str = ""  # lines kept or left out together (a finding said in two sentences)
    id: str = ""

    @property
    def text(self) -> str:
        return self.sentence.text

    def record(self) -> dict[str, Any]:
        record = self.sentence.record()
        alt = symbols.get(self.symbol).alt if self.symbol else ""
        record.update(
            id=self.id,
            symbol=self.symbol,
            alt=alt,
            strong=list(self.strong),
            continues=self.continues,
        )
        return record


@dataclass
class Part:
    key: str
    heading: str
    lines: list[Line] = field(default_factory=list)
    role: str | None = None


@dataclass
class EasyReadPlan:
    title: str
    parts: list[Part]
    back: list[Part]
    cited: dict[str, str]
    facts: dict[str, Any]
    summary: Plan

    def all_parts(self) -> list[Part]:
        return [*self.parts, *self.back]

    def lines(self) -> list[Line]:
        return [line for part in self.all_parts() for line in part.lines]

    def records(self) -> list[dict[str, Any]]:
        return [line.record() for line in self.lines()]

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"key": p.key, "heading": p.heading, "sentences": len(p.lines)}
            for p in self.all_parts()
        ]

    def uses_pictures(self) -> bool:
        return any(line.symbol for line in self.lines())
