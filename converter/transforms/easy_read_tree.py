"""The Easy Read edition as a canonical tree (variant "easy-read", for every writer) and as
its trace (JSON: each line's sources, rules and picture, for `--trace` and the check)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from lxml import etree

from converter import symbols
from converter import tree as canonical
from converter.transforms.easy_read_model import EasyReadPlan, Line, Part
from converter.transforms.summary_tree import derived_report, id_order

TITLE_PREFIX = "Easy Read: "
PICTURES_SECTION = "er-pictures"


def easy_read_tree(root: etree._Element, plan: EasyReadPlan) -> etree._Element:
    title = TITLE_PREFIX + (plan.title or "the document")
    out, body, back = derived_report(root, "easy-read", title)
    for part in plan.parts:
        _section(body, part)
    for part in plan.back:
        _section(back, part)
    if plan.uses_pictures():
        pictures_section(back, plan)
    canonical.validate(out, source="Easy Read edition")
    return out


def _section(parent: etree._Element, part: Part) -> None:
    section = etree.SubElement(parent, "section", {"id": f"er-{part.key}"})
    if part.role:
        section.set("role", part.role)
    etree.SubElement(section, "heading", {"id": f"er-{part.key}-h"}).text = part.heading
    for line in part.lines:
        line_element(section, line)


def line_element(parent: etree._Element, line: Line) -> etree._Element:
    element = etree.SubElement(parent, "line", {"id": line.id})
    cites = " ".join(dict.fromkeys(c for c in line.sentence.cites if c))
    if cites:
        element.set("cites", cites)
    if line.continues:
        element.set("continues", "true")
    if line.symbol:
        etree.SubElement(element, "symbol", ref=line.symbol, alt=symbols.get(line.symbol).alt)
    _text_with_strong(element, line.text, line.strong)
    return element


def _text_with_strong(element: etree._Element, text: str, strong: tuple[str, ...]) -> None:
    """The line's words, each bold word in strong where it first stands (whole words)."""
    spans: list[tuple[int, int]] = []
    for word in strong:
        found = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE)
        if found and not any(s < found.end() and found.start() < e for s, e in spans):
            spans.append(found.span())
    at = 0
    for start, end in sorted(spans):
        canonical.append_text(element, text[at:start])
        etree.SubElement(element, "strong").text = text[start:end]
        at = end
    canonical.append_text(element, text[at:])


def pictures_section(back: etree._Element, plan: EasyReadPlan) -> None:
    """The attribution page the pictures' licence asks for (CC BY-SA 4.0): who made them,
    under which licence, where they come from, and what was done to them."""
    section = etree.SubElement(back, "section", {"id": PICTURES_SECTION, "role": "licence"})
    etree.SubElement(
        section, "heading", {"id": f"{PICTURES_SECTION}-h"}
    ).text = "About the pictures"
    paragraphs: list[list[str | tuple[str, str]]] = [
        [f"The pictures in this document are {symbols.CREDIT}."],
        [
            f"They are shared under the licence {symbols.LICENCE}: ",
            (symbols.LICENCE_URL, symbols.LICENCE_URL),
            ".",
        ],
        ["You can get them from ", (symbols.SOURCE_URL, "mulberrysymbols.org"), "."],
        [
            "The drawings are not changed. The Word version shows PNG copies made from them. "
            "They keep their licence."
        ],
    ]
    for number, pieces in enumerate(paragraphs, 1):
        paragraph = etree.SubElement(section, "p", {"id": f"{PICTURES_SECTION}-{number}"})
        for piece in pieces:
            if isinstance(piece, str):
                canonical.append_text(paragraph, piece)
            else:
                etree.SubElement(paragraph, "a", href=piece[0]).text = piece[1]


def trace_document(root: etree._Element, plan: EasyReadPlan) -> bytes:
    records = plan.records()
    cited_ids = sorted({c for r in records for c in r["cites"]}, key=id_order)
    source = root.find("meta/source")
    payload: dict[str, Any] = {
        "trace-version": 1,
        "variant": "easy-read",
        "source": {str(k): str(v) for k, v in source.attrib.items()} if source is not None else {},
        "facts": plan.facts,
        "cited": {i: plan.cited[i] for i in cited_ids if i in plan.cited},
        "sections": plan.sections(),
        "lines": records,
    }
    return (json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def trace_path(path: Path) -> Path:
    """Where an Easy Read edition's trace goes: beside it, ``<stem>.easy-read.trace.json``."""
    stem = path.name.split(".easy-read.")[0] if ".easy-read." in path.name else path.stem
    return path.with_name(f"{stem}.easy-read.trace.json")
