"""The plain-language summary as a canonical tree (for every writer) and as its trace (JSON:
each sentence's sources and rules, for `--trace` and the faithfulness check)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from lxml import etree

from converter import tree as canonical
from converter.transforms.summary_model import Part, Plan, Unit


def summary_tree(root: etree._Element, summary: Plan) -> etree._Element:
    title = f"Plain-language summary: {summary.title or 'the document'}"
    out, body, back = derived_report(root, "summary", title)
    for part in summary.parts:
        _emit(body, part)
    for part in summary.back:
        _emit(back, part)
    canonical.validate(out, source="summary")
    return out


def derived_report(
    root: etree._Element, variant: str, title: str
) -> tuple[etree._Element, etree._Element, etree._Element]:
    """A new report made from ``root`` (a summary, an Easy Read edition): its language,
    variant, title and the report's facts (copy_facts); the report, its body and its back,
    both empty."""
    out = etree.Element("report", {"schema-version": canonical.SCHEMA_VERSION})
    out.set(canonical.XML_LANG, canonical.language(root))
    out.set("variant", variant)
    meta = etree.SubElement(out, "meta")
    etree.SubElement(meta, "title").text = title
    copy_facts(root, meta)
    return out, etree.SubElement(out, "body"), etree.SubElement(out, "back")


def copy_facts(root: etree._Element, meta: etree._Element) -> None:
    """The report's facts a tree made from it carries (its kind, subject, publisher, dates,
    people, source and judgements), into ``meta``; kind "generic" when it has none."""
    source_meta = root.find("meta")
    for name in ("kind", "subject", "publisher", "date", "person", "source", "judgements"):
        for element in source_meta.findall(name) if source_meta is not None else []:
            meta.append(_copy(element))
    if meta.find("kind") is None:
        etree.SubElement(meta, "kind").text = "generic"


def _copy(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element), canonical.safe_parser())


def _emit(parent: etree._Element, part: Part) -> None:
    section = etree.SubElement(parent, "section", {"id": f"sum-{part.key}"})
    if part.role:
        section.set("role", part.role)
    heading = etree.SubElement(section, "heading", {"id": f"sum-{part.key}-h"})
    heading.text = part.heading
    for number, group in enumerate(part.groups, 1):
        if group.style == "p":
            for unit in group.units:
                _unit_element(etree.SubElement(section, "p"), unit)
            continue
        listing = etree.SubElement(
            section, "list", {"id": f"sum-{part.key}-l{number}", "type": group.style}
        )
        for unit in group.units:
            item = etree.SubElement(listing, "item")
            _unit_element(item, unit)
            if unit.points:
                points = etree.SubElement(item, "list", {"id": f"{unit.id}-l", "type": "bullet"})
                for point in unit.points:
                    _unit_element(etree.SubElement(points, "item"), point)


def _unit_element(element: etree._Element, unit: Unit) -> None:
    element.set("id", unit.id)
    cites = " ".join(dict.fromkeys(c for s in unit.sentences for c in s.cites if c))
    if cites:  # a document with no blocks gives fixed sentences that cite none
        element.set("cites", cites)
    [first, *rest] = unit.sentences
    if first.kind in ("glossary", "acronym"):
        term, _, explanation = first.text.partition(": ")
        strong = etree.SubElement(element, "strong")
        strong.text = term
        strong.tail = ": " + explanation
    else:
        element.text = " ".join(s.text for s in unit.sentences)


def trace_lines(plan: Plan) -> list[dict[str, Any]]:
    """The summary's lines as a reader sees them: each unit, then each of its points."""
    out = []
    for part in plan.all_parts():
        for unit in part.units():
            for owner in [unit, *unit.points]:
                out.append(
                    {
                        "section": part.key,
                        "unit": owner.id,
                        "text": owner.text(),
                        "point": owner is not unit,
                    }
                )
    return out


def trace_document(root: etree._Element, summary: Plan) -> bytes:
    records = [s.record() for s in summary.sentences()]
    cited_ids = sorted({c for r in records for c in r["cites"]}, key=id_order)
    source = root.find("meta/source")
    payload: dict[str, Any] = {
        "trace-version": 2,
        "source": {str(k): str(v) for k, v in source.attrib.items()} if source is not None else {},
        "facts": summary.facts,
        "cited": {i: summary.cited[i] for i in cited_ids if i in summary.cited},
        "places": {i: summary.places[i] for i in cited_ids if i in summary.places},
        "sections": [
            {"key": p.key, "heading": p.heading, "sentences": len(p.sentences())}
            for p in summary.all_parts()
        ],
        "lines": trace_lines(summary),
        "sentences": records,
    }
    return (json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def trace_path(path: Path) -> Path:
    """Where a summary's trace goes: beside it, ``<stem>.summary.trace.json``."""
    name = path.name
    stem = name[: -len(".summary.md")] if name.endswith(".summary.md") else path.stem
    return path.with_name(f"{stem}.summary.trace.json")


def id_order(ident: str) -> tuple[str, int]:
    match = re.match(r"(.*?)(\d+)$", ident)
    return (match.group(1), int(match.group(2))) if match else (ident, 0)
