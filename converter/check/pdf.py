"""Checks for large-print PDFs: PDF/UA structure read with pikepdf, what a reader sees
(pdf_layout: glyphs inside the page, scheme colours, body size, the title page), then
veraPDF against the PDF/UA part the file claims (PDF/UA-1 or PDF/UA-2)."""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from converter import profiles
from converter.check import CheckResult, pdf_layout, verapdf
from converter.options import Options
from converter.profiles import LARGE_PRINT_MIN
from converter.writers.pdf_structure import matrix, multiply, struct_elements

UA = "PDF/UA-1 (ISO 14289-1)"
UA_PARTS = {1: ("ua1", "PDF/UA-1 (ISO 14289-1)"), 2: ("ua2", "PDF/UA-2 (ISO 14289-2)")}
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
TEXT_SHOWING = {"Tj", "TJ", "'", '"'}


@dataclass
class TextRun:
    """One text-showing operator: where it sits in the marked content, and its size."""

    page: int
    size: float  # points, after the text and graphics matrices
    artifact: bool
    mcid: int | None


@dataclass
class PageContent:
    index: int
    runs: list[TextRun] = field(default_factory=list)
    mcids: list[int] = field(default_factory=list)  # in content order


def check(path: Path, options: Options) -> list[CheckResult]:
    """Our own checks, then veraPDF against the PDF/UA part the file claims."""
    results = own_checks(path, options)
    if any(r.name == "pdf-readable" for r in results):
        return results
    with pikepdf.open(path) as pdf:
        part = ua_part(pdf)
    return [*results, verapdf_result(path, part)]


def own_checks(path: Path, options: Options) -> list[CheckResult]:
    """Structure, what a reader sees (glyphs, colours, sizes, the title page): every check
    but veraPDF's, cheap enough to run over every profile, scheme and paper."""
    profile = profiles.print_profile(options)
    started = time.perf_counter()
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as error:
        return [CheckResult.of("pdf-readable", "PDF 1.7", [f"cannot be opened: {error}"])]
    with pdf:
        part = ua_part(pdf)
        ua = UA_PARTS[part][1]
        pages = [page_content(page, index) for index, page in enumerate(pdf.pages)]
        elements = struct_elements(pdf)
        page_index = _page_indexes(pdf)
        by_mcid = mcid_elements(pdf)
        runs = [
            (run.page, run.size, by_mcid.get((run.page, run.mcid)))
            for content in pages
            for run in content.runs
            if not run.artifact and run.mcid is not None
        ]
        pages_of = {
            element.objgen: [page for page, _ in marked_content(element, page_index)]
            for element in elements
        }
        results = [
            CheckResult.of("pdf-tagged", f"{ua} 7.1: tagged PDF", tagged_findings(pdf)),
            CheckResult.of("pdf-language", f"{ua} 7.2: document language", language_findings(pdf)),
            CheckResult.of("pdf-title", f"{ua} 7.1: title shown", title_findings(pdf)),
            CheckResult.of("pdf-bookmarks", f"{ua} 7.18.3: bookmarks", bookmark_findings(pdf)),
            CheckResult.of(
                "pdf-fonts", f"{ua} 7.21: fonts embedded, ToUnicode", font_findings(pdf)
            ),
            CheckResult.of(
                "pdf-artifacts",
                f"{ua} 7.1: running heads and page numbers are artifacts, at body size",
                artifact_findings(pdf, pages, elements, profile.font_size),
            ),
            CheckResult.of(
                "pdf-text-size",
                f"UKAAF {profile.label}: body text at {profile.font_size:g} pt",
                text_size_findings(pages, profile.font_size, profile.is_large_print)
                + pdf_layout.body_size_findings(runs, profile.font_size),
            ),
            CheckResult.of(
                "pdf-tables-whole",
                "WeasyPrint #2903: each table is one Table structure element",
                split_table_findings(pdf, elements),
            ),
            CheckResult.of(
                "pdf-title-page",
                "UKAAF: the title page on one page",
                pdf_layout.title_page_findings(document_kids(pdf), pages_of),
            ),
        ]
    drawn, trim_boxes = pdf_layout.glyphs(path)
    results += [
        CheckResult.of(
            "pdf-glyphs-inside",
            f"every glyph inside the trim box and the {profile.margin_mm:g} mm margins",
            pdf_layout.placement_findings(drawn, trim_boxes, profile),
        ),
        CheckResult.of(
            "pdf-text-colours",
            f"every text run in the {profile.colours} scheme's text or link colour",
            pdf_layout.colour_findings(drawn, profile),
        ),
    ]
    seconds = time.perf_counter() - started
    return [
        CheckResult(r.name, r.standard, r.status, r.details, seconds / len(results))
        for r in results
    ]


def ua_part(pdf: pikepdf.Pdf) -> int:
    """The PDF/UA part a file claims in its XMP (pdfuaid:part), 1 when it claims none."""
    with pdf.open_metadata() as meta:
        claimed = str(meta.get(f"{{{PDFUAID}}}part", "") or "").strip()
    return 2 if claimed == "2" else 1


def verapdf_result(path: Path, part: int = 1) -> CheckResult:
    flavour, ua = UA_PARTS[part]
    name, standard = f"verapdf-pdf-ua-{part}", f"{ua}, veraPDF greenfield"
    reason = verapdf.missing()
    if reason:
        return CheckResult(name, standard, "not-run", (reason,))
    result = verapdf.validate(path, flavour)
    findings = list(result.failed_rules)
    if not result.compliant and not findings:
        findings = ["not compliant (no rule named)"]
    return CheckResult.of(name, standard, findings, seconds=result.seconds)


def document_kids(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The top-level structure elements (the Document element's kids, or the root's)."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return []
    kids = root.get("/K")
    top = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    if len(top) == 1 and isinstance(top[0], pikepdf.Dictionary) and top[0].get("/S") == "/Document":
        inner = top[0].get("/K")
        top = list(inner) if isinstance(inner, pikepdf.Array) else [inner]
    return [kid for kid in top if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]


def mcid_elements(pdf: pikepdf.Pdf) -> dict[tuple[int, int], pikepdf.Dictionary]:
    """(page index, MCID) -> the structure element that owns the marked content."""
    root = pdf.Root.get("/StructTreeRoot")
    found: dict[tuple[int, int], pikepdf.Dictionary] = {}
    if root is None or "/ParentTree" not in root:
        return found
    nums = root.ParentTree.get("/Nums", pikepdf.Array())
    pages = len(pdf.pages)
    for i in range(0, len(nums) - 1, 2):
        key, value = int(nums[i]), nums[i + 1]
        if key >= pages or not isinstance(value, pikepdf.Array):
            continue
        for mcid, element in enumerate(value):
            if isinstance(element, pikepdf.Dictionary):
                found[(key, mcid)] = element
    return found


# -- document-level -------------------------------------------------------------------


def tagged_findings(pdf: pikepdf.Pdf) -> list[str]:
    findings = []
    if "/StructTreeRoot" not in pdf.Root:
        findings.append("no StructTreeRoot: the PDF is not tagged")
    mark_info = pdf.Root.get("/MarkInfo")
    if mark_info is None or not bool(mark_info.get("/Marked", False)):
        findings.append("MarkInfo /Marked is not true")
    return findings


def language_findings(pdf: pikepdf.Pdf) -> list[str]:
    lang = str(pdf.Root.get("/Lang", "")).strip()
    return [] if lang else ["no /Lang in the catalog"]


def title_findings(pdf: pikepdf.Pdf) -> list[str]:
    findings = []
    preferences = pdf.Root.get("/ViewerPreferences")
    if preferences is None or not bool(preferences.get("/DisplayDocTitle", False)):
        findings.append("ViewerPreferences /DisplayDocTitle is not true")
    with pdf.open_metadata() as meta:
        title = str(meta.get("dc:title", "") or "").strip()
    if not title:
        findings.append("no dc:title in the XMP metadata")
    return findings


def bookmark_findings(pdf: pikepdf.Pdf) -> list[str]:
    with pdf.open_outline() as outline:
        count = _count_outline(outline.root)
    return [] if count else ["no bookmarks (document outline)"]


def _count_outline(items: Any) -> int:
    return sum(1 + _count_outline(item.children) for item in items)


def font_findings(pdf: pikepdf.Pdf) -> list[str]:
    findings: list[str] = []
    seen: set[tuple[int, int]] = set()
    for index, page in enumerate(pdf.pages):
        fonts = page.Resources.get("/Font", pikepdf.Dictionary())
        for name, font in fonts.items():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            label = f"page {index + 1} font {name} ({font.get('/BaseFont', '?')})"
            if "/ToUnicode" not in font:
                findings.append(f"{label}: no ToUnicode map")
            descriptor_owner = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descriptor_owner.get("/FontDescriptor")
            if descriptor is None or not any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                findings.append(f"{label}: not embedded")
    if not seen:
        findings.append("no fonts at all: no text")
    return findings


# -- content streams ------------------------------------------------------------------


def page_content(page: pikepdf.Page, index: int) -> PageContent:
    """Every text run of a page with its marked-content context and its size in points."""
    content = PageContent(index)
    ctm: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack: list[tuple[float, ...]] = []
    marks: list[tuple[str, int | None]] = []
    font_size = 0.0
    text_matrix: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    for instruction in pikepdf.parse_content_stream(page):
        operands, operator = instruction.operands, instruction.operator
        op = str(operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else ctm
        elif op == "cm":
            ctm = multiply(matrix(operands), ctm)
        elif op in ("BDC", "BMC"):
            mcid = None
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
                raw = operands[1].get("/MCID")
                mcid = int(raw) if raw is not None else None
            if mcid is not None:
                content.mcids.append(mcid)
            marks.append((str(operands[0]), mcid))
        elif op == "EMC":
            if marks:
                marks.pop()
        elif op == "BT":
            text_matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        elif op == "Tm":
            text_matrix = matrix(operands)
        elif op == "Tf":
            font_size = float(operands[1])
        elif op in TEXT_SHOWING:
            a, b, c, d, _, _ = multiply(text_matrix, ctm)
            size = abs(font_size) * math.sqrt(abs(a * d - b * c))
            artifact = any(tag == "/Artifact" for tag, _ in marks)
            mcid = next((m for _, m in reversed(marks) if m is not None), None)
            content.runs.append(TextRun(index, round(size, 2), artifact, mcid))
    return content


def _page_indexes(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: index for index, page in enumerate(pdf.pages)}


def marked_content(
    element: pikepdf.Dictionary, page_index: dict[tuple[int, int], int]
) -> list[tuple[int, int]]:
    """(page index, MCID) of the marked content directly in one structure element."""
    page = element.get("/Pg")
    found: list[tuple[int, int]] = []
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, int) and page is not None:
            found.append((page_index[page.objgen], int(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            kid_page = kid.get("/Pg", page)
            assert kid_page is not None
            found.append((page_index[kid_page.objgen], int(kid.MCID)))
    return found


def artifact_findings(
    pdf: pikepdf.Pdf, pages: list[PageContent], elements: list[Any], body_size: float
) -> list[str]:
    """All marked content belongs to the tree or is an artifact; every page after the title
    page carries artifact text (running head, page number) at body size."""
    findings: list[str] = []
    page_index = _page_indexes(pdf)
    tagged = {ref for element in elements for ref in marked_content(element, page_index)}
    for content in pages:
        mine = {mcid for page, mcid in tagged if page == content.index}
        orphans = sorted(set(content.mcids) - mine)
        if orphans:
            findings.append(
                f"page {content.index + 1}: marked content {orphans[:5]} belongs to no "
                "structure element and is not an artifact"
            )
    for number, content in enumerate(pages[1:], start=2):
        artifact_sizes = {run.size for run in content.runs if run.artifact}
        if not artifact_sizes:
            findings.append(f"page {number}: no running head or page number as an artifact")
        elif any(abs(size - body_size) > 0.05 for size in artifact_sizes):
            findings.append(
                f"page {number}: running head or page number at {sorted(artifact_sizes)} pt, "
                f"not the body size {body_size:g} pt"
            )
    return findings


def text_size_findings(pages: list[PageContent], body_size: float, large: bool) -> list[str]:
    findings: list[str] = []
    sizes = Counter(run.size for content in pages for run in content.runs if not run.artifact)
    if not sizes:
        return ["no tagged text"]
    most_common, _ = sizes.most_common(1)[0]
    smallest = min(sizes)
    if abs(most_common - body_size) > 0.05:
        findings.append(f"body text is {most_common:g} pt, not {body_size:g} pt")
    if smallest < body_size - 0.05:
        findings.append(f"text as small as {smallest:g} pt, below the body size {body_size:g} pt")
    if large and smallest < LARGE_PRINT_MIN:
        findings.append(f"text at {smallest:g} pt in a large-print copy (at least 16 pt)")
    return findings


def split_table_findings(pdf: pikepdf.Pdf, elements: list[Any]) -> list[str]:
    """A table split over pages by WeasyPrint shows as a Table that starts the next page
    with the same header cells as the Table ending on the page before."""
    page_index = _page_indexes(pdf)
    tables = []
    for element in elements:
        if element.get("/S") != "/Table":
            continue
        refs: list[tuple[int, int]] = []
        headers = 0
        for inner in _descendants(element):
            refs.extend(marked_content(inner, page_index))
            if inner.get("/S") == "/TH" and inner.get("/P", {}).get("/P", {}).get("/S") == "/THead":
                headers += 1
        if refs:
            tables.append((min(refs), max(refs), headers))
    first_on_page: dict[int, int] = {}
    for element in elements:
        for page, mcid in marked_content(element, page_index):
            first_on_page[page] = min(mcid, first_on_page.get(page, mcid))
    findings = []
    for (_, end, headers), (start, _, next_headers) in zip(tables, tables[1:], strict=False):
        if (
            headers
            and headers == next_headers
            and start[0] == end[0] + 1
            and first_on_page.get(start[0]) == start[1]
        ):
            findings.append(
                f"a table continues from page {end[0] + 1} to page {start[0] + 1} as a second "
                "Table structure element"
            )
    return findings


def _descendants(element: Any) -> list[Any]:
    found = [element]
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found.extend(_descendants(kid))
    return found
