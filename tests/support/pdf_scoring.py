"""Compare the PDF reader's tree with the text reader's tree of the same document's pdftotext text."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from converter import parse
from support.scoring import FIELDS, FieldScore, normal, score

PDFTOTEXT = "/usr/bin/pdftotext"
#: The facets the PDF reader must get at least as right as the text reader.
FACETS = ("judgements", "improve", "numbered", "headings")


@dataclass(frozen=True)
class Scored:
    """A reader's tree of one document, its content facets and its field scores."""

    label: str  # where the tree came from: "pdf", "corpus txt", "pdftotext"
    root: etree._Element
    facets: dict[str, list[str]]
    scores: dict[str, FieldScore]

    @property
    def right(self) -> int:
        return sum(s.ok for s in self.scores.values())


def facets(root: etree._Element) -> dict[str, list[str]]:
    """Judgements, improvement items, numbered paragraphs and section headings, as text."""

    def text(element: etree._Element) -> str:
        return normal("".join(str(t) for t in element.itertext()))

    def grade(heading: etree._Element) -> str:
        section = heading.getparent()
        value = section.get("grade") if section is not None else None
        return f" [{value}]" if value else ""

    improve = root.find(".//section[@role='improvements']")
    items: list[str] = []
    if improve is not None:
        found = improve.findall("list/item") or improve.findall("p[@n]")
        items = [" ".join(text(item).split()[:6]) for item in found]
    return {
        "judgements": [
            f"{normal(j.findtext('label'))} = {j.get('grade')}"
            for j in root.iterfind("meta/judgements/judgement")
        ],
        "improve": items,
        "numbered": [str(p.get("n")) for p in root.iterfind("body//p[@n]")],
        "headings": [text(h) + grade(h) for h in root.iterfind("body//section/heading")],
    }


def expected_facts(corpus: Path) -> dict[str, Mapping[str, Any]]:
    """expected.json by document stem (the part of the file name before the first dot)."""
    entries = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    return {entry["file"].split(".")[0]: entry for entry in entries}


def scored(label: str, root: etree._Element, expected: Mapping[str, Any]) -> Scored:
    scores = score(root, expected)
    scores["headers"] = headers_score(root, expected)
    return Scored(label, root, facets(root), scores)


def headers_score(root: etree._Element, expected: Mapping[str, Any]) -> FieldScore:
    """Running headers and footers removed, whether as one line or as its cells.

    expected.json writes Dorset's footer as its layout-mode line ("17 to 21 March 2025",
    spaces, "2"); a reader that sees the page number as a cell of its own sets aside the
    same text as two artifacts of one page, which counts as the same line here.
    """
    artifacts = list(root.iterfind("artifacts/artifact"))
    texts = {normal(a.text) for a in artifacts}
    for first, second in zip(artifacts, artifacts[1:], strict=False):
        if first.get("page") == second.get("page"):
            texts.add(normal(f"{first.text} {second.text}"))
    blocks = {normal("".join(str(t) for t in e.itertext())) for e in root.iterfind("body//p")}
    headers = [normal(h) for h in expected.get("running_header_footer", [])]
    missing = [h for h in headers if h not in texts]
    in_body = [h for h in headers if len(h) > 3 and h in blocks]
    ok = not missing and not in_body
    return FieldScore(ok, f"{len(headers) - len(missing)}/{len(headers)}")


def text_reader_best(pdf: Path, expected: Mapping[str, Any], tmp: Path) -> Scored:
    """The text reader's best tree: from the corpus's pdftotext text, or a fresh pdftotext run."""
    candidates: list[Scored] = []
    for text in sorted(pdf.parent.glob(pdf.name.removesuffix(".pdf") + "*.txt")):
        candidates.append(scored(f"corpus {text.name}", parse(text).getroot(), expected))
    if shutil.which(PDFTOTEXT):
        out = tmp / (pdf.stem + ".pdftotext.txt")
        subprocess.run([PDFTOTEXT, "-enc", "UTF-8", str(pdf), str(out)], check=True)
        candidates.append(scored("pdftotext", parse(out).getroot(), expected))
    if not candidates:
        raise FileNotFoundError(f"no text of {pdf.name} and no {PDFTOTEXT} to make one")
    return max(candidates, key=lambda s: s.right)


def facet_verdicts(pdf: Scored, text: Scored, expected: Mapping[str, Any]) -> dict[str, str]:
    """Per facet: "same" as the text reader, "better" (closer to expected.json), or "worse"."""
    verdicts: dict[str, str] = {}
    for facet in FACETS:
        if pdf.facets[facet] == text.facets[facet]:
            verdicts[facet] = "same"
        else:
            pdf_hits = _expected_hits(facet, pdf, expected)
            text_hits = _expected_hits(facet, text, expected)
            verdicts[facet] = "better" if pdf_hits >= text_hits else "worse"
    return verdicts


def _expected_hits(facet: str, tree: Scored, expected: Mapping[str, Any]) -> int:
    """How much of expected.json's version of a facet a tree has (more is better)."""
    if facet in ("judgements", "improve", "numbered"):
        # A right field outranks any partial match; then count what matches.
        wanted = _wanted(facet, expected)
        got = tree.facets[facet]
        return (
            1000 * tree.scores[facet].ok + len(set(got) & set(wanted)) - abs(len(got) - len(wanted))
        )
    headings = [normal(s["heading"]) for s in expected.get("graded_sections", [])]
    headings += [normal(h) for h in expected.get("other_headings", [])]
    found = {h.split(" [")[0] for h in tree.facets["headings"]}
    return sum(1 for h in headings if h in found)


def _wanted(facet: str, expected: Mapping[str, Any]) -> list[str]:
    if facet == "judgements":
        return [f"{normal(j['label'])} = {j['grade']}" for j in expected.get("judgements", [])]
    if facet == "improve":
        items = (expected.get("improvement_items") or {}).get("first_six_words", [])
        return [normal(i) for i in items]
    numbered = expected.get("numbered_paragraphs") or {}
    first, last = numbered.get("first"), numbered.get("last")
    return [str(n) for n in range(first, last + 1)] if first and last else []


__all__ = ["FACETS", "FIELDS", "Scored", "expected_facts", "facet_verdicts", "scored"]
