"""Checks for braille outputs (BRF and PEF): page geometry, page numbers, PEF schema, agreement.

The BRF is read with its own North American ASCII braille table (not liblouis's), so a
wrong display table in the writer shows as a BRF/PEF disagreement.  Back-translation of a
BRF against its source tree (:func:`word_recovery`) lives here too, for the tests.
"""

from __future__ import annotations

import functools
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from converter import resources
from converter import tree as canonical
from converter.check import CheckResult
from converter.options import Options
from converter.words import RENDERED_PARTS, tree_words, words

PEF_NS = "http://www.daisy.org/ns/2008/pef"
DC_NS = "http://purl.org/dc/elements/1.1/"
BLANK = "\u2800"
# North American ASCII braille: the character for each six-dot cell, by dot bits.
ASCII_BRAILLE = " A1B'K2L@CIF/MSP\"E3H9O6R^DJG>NTQ,*5<-U8V.%[$+X!&;:4\\0Z7(_?W]#Y)="
_CELL_OF = {ch: chr(0x2800 + bits) for bits, ch in enumerate(ASCII_BRAILLE)}
_CELL_OF.update({ch.lower(): cell for ch, cell in _CELL_OF.items() if ch.isalpha()})
_DIGIT_OF = {
    cell: str(i)
    for i, cell in enumerate("\u281a\u2801\u2803\u2809\u2819\u2811\u280b\u281b\u2813\u280a")
}
_PAGE_NUMBER = re.compile(
    "(\u280f?)\u283c([\u281a\u2801\u2803\u2809\u2819\u2811\u280b\u281b\u2813\u280a]+)$"
)
_PRINT_PAGE = re.compile("^\u2824{3,}[^\u2800]*$")
MAX_FINDINGS = 50

Pages = list[list[str]]  # pages of lines of Unicode braille, trailing blank cells removed


def check(path: Path, options: Options) -> list[CheckResult]:
    """Check a .brf or .pef file; with its sibling of the other format present, compare them."""
    data = path.read_bytes()
    if path.suffix.lower() == ".pef":
        results = check_pef(data, options)
        sibling = path.with_suffix(".brf")
        if sibling.is_file():
            results.append(agreement(sibling.read_bytes(), data))
        return results
    results = check_brf(data, options)
    sibling = path.with_suffix(".pef")
    if sibling.is_file():
        results.append(agreement(data, sibling.read_bytes()))
    return results


# -- BRF ----------------------------------------------------------------------------------


def read_brf(data: bytes) -> tuple[Pages, list[str]]:
    """BRF bytes -> pages of Unicode braille lines, and findings about its encoding."""
    findings: list[str] = []
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as error:
        return [], [f"not ASCII braille: byte {error.start} is {data[error.start]:#04x}"]
    if not text:
        return [], ["empty file"]
    if not text.endswith("\f"):
        findings.append("the last page does not end with a form feed")
    chunks = text.split("\f")
    if chunks[-1] == "":
        chunks.pop()
    pages: Pages = []
    for number, chunk in enumerate(chunks, start=1):
        if chunk and not chunk.endswith("\r\n"):
            findings.append(f"page {number}: the last line does not end with CR LF")
        lines = chunk.split("\r\n")
        if lines and lines[-1] == "":
            lines.pop()
        page: list[str] = []
        for row, line in enumerate(lines, start=1):
            if "\r" in line or "\n" in line:
                findings.append(f"page {number} line {row}: a line end other than CR LF")
                line = line.replace("\r", "").replace("\n", "")
            bad = sorted({ch for ch in line if ch not in _CELL_OF})
            if bad:
                findings.append(f"page {number} line {row}: not ASCII braille: {bad!r}")
            page.append("".join(_CELL_OF.get(ch, "\u28ff") for ch in line).rstrip(BLANK))
        pages.append(page)
    return pages, findings


def check_brf(data: bytes, options: Options) -> list[CheckResult]:
    started = time.perf_counter()
    pages, encoding = read_brf(data)
    return [
        CheckResult.of(
            "brf-encoding",
            "BRF: North American ASCII braille, CR LF line ends, a form feed after each page",
            _cap(encoding),
            seconds=time.perf_counter() - started,
        ),
        *_page_checks(pages, options.braille_cells, options.braille_lines, "BRF"),
    ]


# -- PEF ----------------------------------------------------------------------------------


@functools.cache
def pef_schema() -> etree.RelaxNG:
    """The packaged RELAX NG grammar of PEF 1.0 (converter/schema/pef.rng)."""
    data = resources.folder("converter.schema").joinpath("pef.rng").read_bytes()
    return etree.RelaxNG(etree.fromstring(data, canonical.safe_parser()))


@dataclass(frozen=True)
class PefDocument:
    pages: Pages
    cols: int
    rows: int


def read_pef(data: bytes) -> tuple[PefDocument | None, list[str]]:
    """PEF bytes -> its pages (all volumes and sections in order), and schema findings."""
    try:
        root = etree.fromstring(data, canonical.safe_parser())
    except etree.XMLSyntaxError as error:
        return None, [f"malformed XML: {error}"]
    schema = pef_schema()
    findings: list[str] = []
    if not schema.validate(root):
        findings = [f"{e.line}: {e.message}" for e in schema.error_log]
    pages: Pages = []
    cols = rows = 0
    for volume in root.iterfind(f"{{{PEF_NS}}}body/{{{PEF_NS}}}volume"):
        cols = max(cols, int(volume.get("cols") or 0))
        rows = max(rows, int(volume.get("rows") or 0))
        for page in volume.iterfind(f"{{{PEF_NS}}}section/{{{PEF_NS}}}page"):
            pages.append(
                [(row.text or "").rstrip(BLANK) for row in page.iterfind(f"{{{PEF_NS}}}row")]
            )
    return PefDocument(pages, cols, rows), findings


def check_pef(data: bytes, options: Options) -> list[CheckResult]:
    started = time.perf_counter()
    document, findings = read_pef(data)
    results = [
        CheckResult.of(
            "pef-schema",
            "Portable Embosser Format 1.0 (2008-1), RELAX NG",
            _cap(findings),
            seconds=time.perf_counter() - started,
        )
    ]
    if document is None:
        return results
    volume: list[str] = []
    if document.cols > options.braille_cells or document.rows > options.braille_lines:
        volume.append(
            f"volume is {document.cols} cells x {document.rows} lines, more than "
            f"{options.braille_cells} x {options.braille_lines}"
        )
    eight_dot = sum(
        1 for page in document.pages for line in page if any(ch > "\u283f" for ch in line)
    )
    if eight_dot:
        volume.append(f"{eight_dot} rows use eight-dot cells (six-dot braille expected)")
    results.append(CheckResult.of("pef-volume", "PEF volume geometry and six-dot braille", volume))
    cells = min(document.cols or options.braille_cells, options.braille_cells)
    lines = min(document.rows or options.braille_lines, options.braille_lines)
    results.extend(_page_checks(document.pages, cells, lines, "PEF"))
    return results


# -- both ---------------------------------------------------------------------------------


def _page_checks(pages: Pages, cells: int, lines: int, kind: str) -> list[CheckResult]:
    """Line and page limits, and a braille page number on line 1 of every page, in order."""
    geometry: list[str] = []
    if not pages:
        geometry.append("no pages")
    for number, page in enumerate(pages, start=1):
        if len(page) > lines:
            geometry.append(f"page {number}: {len(page)} lines, more than {lines}")
        for row, line in enumerate(page, start=1):
            if len(line) > cells:
                geometry.append(f"page {number} line {row}: {len(line)} cells, more than {cells}")
    numbering = numbering_findings(pages)
    return [
        CheckResult.of(
            f"{kind.lower()}-page-size",
            f"{kind}: at most {cells} cells a line and {lines} lines a page",
            _cap(geometry),
        ),
        CheckResult.of(
            f"{kind.lower()}-page-numbers",
            f"{kind}: braille page numbers at the top right, p1, p2 ... then 1, 2, 3 ... (UKAAF)",
            _cap(numbering),
        ),
    ]


def numbering_findings(pages: Pages) -> list[str]:
    """Preliminary pages numbered p1, p2 ..., then the text's pages 1, 2, 3 ..., every page
    counted; a blank page (left so that a part starts on a right-hand page in interpoint)
    shows no number."""
    findings: list[str] = []
    counters = {"p": 0, "": 0}
    part = "p"
    for index, page in enumerate(pages, start=1):
        if not any(page):
            counters[part] += 1
            continue
        found = page_number(page)
        if found is not None and found[0] == "" and part == "p":
            part = ""
        counters[part] += 1
        expected = (part, counters[part])
        if found != expected:
            shown = "none" if found is None else f"{found[0]}{found[1]}"
            findings.append(
                f"page {index}: braille page number {shown} at the top right, "
                f"not {expected[0]}{expected[1]}"
            )
    return findings


def page_number(page: list[str]) -> tuple[str, int] | None:
    """The braille page number at the right of a page's first line, if there is one:
    ("p", 2) for preliminary page p2, ("", 14) for page 14."""
    if not page:
        return None
    match = _PAGE_NUMBER.search(page[0])
    if match is None or not (match.start() == 0 or page[0][match.start() - 1] == BLANK):
        return None
    prefix = "p" if match.group(1) else ""
    return prefix, int("".join(_DIGIT_OF[cell] for cell in match.group(2)))


def agreement(brf: bytes, pef: bytes) -> CheckResult:
    """The BRF and the PEF carry the same braille, page by page and line by line."""
    brf_pages, _ = read_brf(brf)
    document, _ = read_pef(pef)
    findings: list[str] = []
    pef_pages = document.pages if document else []
    if len(brf_pages) != len(pef_pages):
        findings.append(f"BRF has {len(brf_pages)} pages, PEF {len(pef_pages)}")
    for number, (left, right) in enumerate(zip(brf_pages, pef_pages, strict=False), start=1):
        left, right = _trim(left), _trim(right)
        if left != right:
            row = next(
                (i for i, (a, b) in enumerate(zip(left, right, strict=False), 1) if a != b), None
            )
            findings.append(f"page {number} differs" + (f" at line {row}" if row else " in length"))
    return CheckResult.of("brf-pef-agreement", "BRF and PEF carry the same braille", _cap(findings))


def _trim(page: list[str]) -> list[str]:
    lines = list(page)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _cap(findings: list[str]) -> list[str]:
    if len(findings) <= MAX_FINDINGS:
        return findings
    return [*findings[:MAX_FINDINGS], f"... and {len(findings) - MAX_FINDINGS} more"]


# -- back-translation ---------------------------------------------------------------------


@dataclass(frozen=True)
class WordRecovery:
    """How many of the tree's rendered words the back-translated braille gives back."""

    expected: int
    recovered: int
    misses: Counter[str]
    text: str

    @property
    def ratio(self) -> float:
        return self.recovered / self.expected if self.expected else 1.0


def body_braille(pages: Pages) -> str:
    """The text lines of every page joined for back-translation: page numbers and print
    page indicator lines left out; a line ending in a hyphen or in the continuation
    indicator (dot 5) runs on into the next without a space."""
    parts: list[str] = []
    for page in pages:
        for line in page[1:]:
            if not line or _PRINT_PAGE.match(line):
                continue
            text = line.strip(BLANK)
            if text.endswith("\u2810"):
                parts.append(text[:-1])
            elif text.endswith("\u2824"):
                parts.append(text)
            else:
                parts.append(text + BLANK)
    return "".join(parts)


def word_recovery(root: etree._Element, brf: bytes, options: Options) -> WordRecovery:
    """Back-translate a BRF with liblouis (the writer's table) and count the tree's words of
    title, body and back matter that come back, as multisets (words.py)."""
    from converter.writers import braille

    pages, _ = read_brf(brf)
    code = braille.code_for(canonical.language(root), options.braille_grade)
    text = braille.Translator(code).back_translate(body_braille(pages))
    expected = tree_words(root, parts=RENDERED_PARTS)
    found = Counter(words(text))
    misses = expected - found
    total = sum(expected.values())
    return WordRecovery(total, total - sum(misses.values()), misses, text)
