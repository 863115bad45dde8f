"""Checks for Easy Read editions (files named ``<stem>.easy-read.<ext>``): in the canonical
tree, every line at most 15 words and one sentence, traceable, its picture one of ours with
its alt text, the whole at Flesch-Kincaid grade 3 or below, and (with the trace beside it)
faithful to the report; in every rendered copy, alt text on every picture and the pictures'
attribution page; in the PDF, about 20 pages at most."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from converter import profiles, symbols
from converter import tree as canonical
from converter.check import CheckResult
from converter.check.summary import trace_source_findings
from converter.options import Options
from converter.transforms.easy_read_data import load
from converter.transforms.easy_read_rules import (
    MAX_GRADE,
    MAX_WORDS,
    edition_findings,
    readability,
    sentences_in,
)
from converter.transforms.easy_read_tree import trace_path
from converter.words import words

MARKER = ".easy-read."
MAX_PAGES = 20  # "no more than about 20 pages" (Department of Health, 2010), at up to 24 pt
PAGES_UP_TO_POINTS = 24.0  # at giant print a page holds a few lines: the count is reported
ATTRIBUTION = (symbols.CREDIT, symbols.LICENCE)
DOCX_NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
}


def is_easy_read(path: Path) -> bool:
    return MARKER in path.name


def check(
    path: Path, options: Options, fmt: str, source: etree._Element | None = None
) -> list[CheckResult]:
    """The Easy Read checks that apply to this format (none for braille: no pictures)."""
    if fmt == "xml":
        return tree_checks(path, source)
    if fmt in ("html", "epub"):
        return [*page_checks(_pages(path, fmt))]
    if fmt == "docx":
        return docx_checks(path)
    if fmt == "pdf":
        return pdf_checks(path, options)
    return []


# -- the canonical tree ---------------------------------------------------------------------


def tree_checks(path: Path, source: etree._Element | None) -> list[CheckResult]:
    started = time.perf_counter()
    try:
        root = etree.parse(str(path), canonical.safe_parser()).getroot()
    except (OSError, etree.XMLSyntaxError) as error:
        return [CheckResult.of("easy-read-lines", "an Easy Read tree", [f"unreadable: {error}"])]
    if root.get("variant") != "easy-read":
        return [CheckResult.of("easy-read-lines", "an Easy Read tree", ["not an Easy Read tree"])]
    lines = list(root.iter("line"))
    known = {e.get("id") for e in source.iter() if e.get("id")} if source is not None else None
    found = []
    for line in lines:
        found.extend(line_element_findings(line, known))
    texts = [_line_text(line) for line in lines]
    figures = readability(texts)
    results = [
        CheckResult.of(
            "easy-read-lines",
            f"Easy Read (Department of Health, 2010): one sentence of at most {MAX_WORDS} words "
            "a line, each citing its source, its picture one of ours with its alt text",
            found,
            seconds=time.perf_counter() - started,
        ),
        CheckResult(
            "easy-read-readability",
            f"Flesch-Kincaid grade <= {MAX_GRADE:g} over the edition (textstat 0.7.4)",
            "fail" if figures.grade_level > MAX_GRADE else "pass",
            (figures.describe(),),
        ),
        CheckResult.of(
            "easy-read-attribution",
            "the pictures' licence (CC BY-SA 4.0): an attribution page",
            _attribution_findings(
                canonical.text_content(back) if (back := root.find("back")) is not None else "",
                bool(root.findall(".//line/symbol")),
            ),
        ),
        _faithfulness(path, root, source),
    ]
    return results


def line_element_findings(line: etree._Element, known: set[str | None] | None) -> list[str]:
    """A line of the tree: its length, its sentences, its sources and its picture."""
    lid = line.get("id", "?")
    text = _line_text(line)
    found = []
    if len(words(text)) > MAX_WORDS:
        found.append(f"{lid}: {len(words(text))} words, over {MAX_WORDS}")
    if sentences_in(text) > 1:
        found.append(f"{lid}: more than one sentence")
    cites = (line.get("cites") or "").split()
    if not cites:
        found.append(f"{lid}: cites no source (untraceable)")
    elif known is not None and any(c not in known for c in cites):
        found.append(
            f"{lid}: cites {', '.join(c for c in cites if c not in known)}, not in the source"
        )
    if line.find(".//em") is not None:
        found.append(f"{lid}: emphasis in italics (Easy Read uses bold)")
    symbol = line.find("symbol")
    if symbol is not None:
        concept, alt = symbol.get("ref", ""), (symbol.get("alt") or "").strip()
        ours = symbols.catalogue().get(concept)
        if ours is None:
            found.append(f"{lid}: picture {concept!r} is not one of ours")
        elif not alt:
            found.append(f"{lid}: picture {concept!r} has no alt text")
        elif alt != ours.alt:
            found.append(f"{lid}: picture {concept!r} has alt text {alt!r}, not ours")
    return found


def _line_text(line: etree._Element) -> str:
    return " ".join(canonical.text_content(line).split())


def _faithfulness(path: Path, root: etree._Element, source: etree._Element | None) -> CheckResult:
    name = "easy-read-faithfulness"
    standard = (
        "every line rests on the blocks it cites and says no more (the summary's rules: "
        "content words, quantifiers, negations, numbers and grades kept); every grade; each "
        "improvement item whole or counted; the picture the reviewed data gives it"
    )
    started = time.perf_counter()
    trace_file = trace_path(path)
    if not trace_file.is_file():
        return CheckResult(
            name, standard, "not-run", (f"no trace {trace_file.name} beside it (use --trace)",)
        )
    try:
        trace = json.loads(trace_file.read_text(encoding="utf-8"))
        records: list[dict[str, Any]] = trace["lines"]
        cited, facts, sections = trace["cited"], trace["facts"], trace["sections"]
    except (ValueError, KeyError, TypeError) as error:
        problem = [f"{trace_file.name} is not an Easy Read trace: {error}"]
        return CheckResult.of(name, standard, problem)
    found: list[str] = []
    if source is not None:
        found += trace_source_findings(source, cited, facts)
    written = [(_line_text(line), _symbol_of(line)) for line in root.iter("line")]
    traced = [(" ".join(r["text"].split()), r.get("symbol", "")) for r in records]
    if written != traced:
        found.append("the edition's lines and pictures differ from its trace")
    found.extend(edition_findings(records, cited, facts, load(), sections))
    return CheckResult.of(name, standard, found, seconds=time.perf_counter() - started)


def _symbol_of(line: etree._Element) -> str:
    symbol = line.find("symbol")
    return symbol.get("ref", "") if symbol is not None else ""


def _attribution_findings(text: str, has_pictures: bool) -> list[str]:
    if not has_pictures:
        return []
    said = " ".join(text.split())
    return [f"the attribution does not say {part!r}" for part in ATTRIBUTION if part not in said]


# -- HTML and EPUB --------------------------------------------------------------------------


def _pages(path: Path, fmt: str) -> list[lxml_html.HtmlElement]:
    if fmt == "html":
        return [lxml_html.fromstring(path.read_bytes())]
    pages = []
    with zipfile.ZipFile(path) as book:
        for name in sorted(book.namelist()):
            if name.endswith(".xhtml"):
                pages.append(lxml_html.fromstring(book.read(name)))
    return pages


def page_checks(pages: list[lxml_html.HtmlElement]) -> list[CheckResult]:
    """In the page (or the book's pages): each line's words, each picture's alt text, and
    the attribution."""
    found, alts = [], []
    pictures = 0
    for page in pages:
        for line in page.find_class("easy-line"):
            words_of = [p.text_content() for p in line.iter("p")]
            size = len(words(" ".join(words_of)))
            if size > MAX_WORDS:
                found.append(f"{line.get('id')}: {size} words, over {MAX_WORDS}")
            for img in line.iter("img"):
                pictures += 1
                if not (img.get("alt") or "").strip():
                    alts.append(f"{line.get('id')}: a picture without alt text")
    text = " ".join(page.text_content() for page in pages)
    return [
        CheckResult.of("easy-read-lines", f"Easy Read: at most {MAX_WORDS} words a line", found),
        CheckResult.of(
            "easy-read-picture-alt", f"WCAG 2.2 1.1.1: alt text on all {pictures} pictures", alts
        ),
        CheckResult.of(
            "easy-read-attribution",
            "the pictures' licence (CC BY-SA 4.0): an attribution page",
            _attribution_findings(text, pictures > 0),
        ),
    ]


# -- DOCX -----------------------------------------------------------------------------------


def docx_checks(path: Path) -> list[CheckResult]:
    with zipfile.ZipFile(path) as package:
        body = etree.fromstring(package.read("word/document.xml"), canonical.safe_parser())
    pictures = body.findall(".//wp:docPr", DOCX_NS)
    alts = [
        f"picture {p.get('name', '?')}: no description (alt text)"
        for p in pictures
        if not (p.get("descr") or "").strip()
    ]
    text = " ".join(t.text or "" for t in body.iterfind(".//w:t", DOCX_NS))
    return [
        CheckResult.of(
            "easy-read-picture-alt",
            f"WCAG 2.2 1.1.1: a description (descr) on all {len(pictures)} pictures",
            alts,
        ),
        CheckResult.of(
            "easy-read-attribution",
            "the pictures' licence (CC BY-SA 4.0): an attribution page",
            _attribution_findings(text, bool(pictures)),
        ),
    ]


# -- PDF ------------------------------------------------------------------------------------


def pdf_checks(path: Path, options: Options) -> list[CheckResult]:
    import pikepdf
    import pypdfium2

    from converter.writers.pdf_structure import struct_elements

    with pikepdf.open(path) as pdf:
        figures = [e for e in struct_elements(pdf) if str(e.get("/S")) == "/Figure"]
        alts = [
            f"Figure {number}: no /Alt"
            for number, figure in enumerate(figures, 1)
            if not str(figure.get("/Alt", "")).strip()
        ]
        pages = len(pdf.pages)
    document = pypdfium2.PdfDocument(str(path))
    try:
        text = " ".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    size = profiles.print_profile(options).font_size
    length: list[str] = []
    if size <= PAGES_UP_TO_POINTS and pages > MAX_PAGES:
        length.append(f"{pages} pages at {size:g} pt, over {MAX_PAGES}")
    return [
        CheckResult.of(
            "easy-read-picture-alt",
            f"PDF/UA-1 7.3: /Alt on all {len(figures)} Figure structure elements",
            alts,
        ),
        CheckResult.of(
            "easy-read-attribution",
            "the pictures' licence (CC BY-SA 4.0): an attribution page",
            _attribution_findings(text, bool(figures)),
        ),
        CheckResult(
            "easy-read-length",
            f"about {MAX_PAGES} pages at most (Department of Health, 2010), up to "
            f"{PAGES_UP_TO_POINTS:g} pt",
            "fail" if length else "pass",
            tuple(length) or (f"{pages} pages at {size:g} pt",),
        ),
    ]
