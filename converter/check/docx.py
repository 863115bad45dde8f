"""Checks for DOCX outputs: structure (title, language, headings, tables, alt text, print
rules) read from the OOXML, and a LibreOffice round trip to PDF that keeps every word."""

from __future__ import annotations

import bisect
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from converter import tree as canonical
from converter.check import CheckResult
from converter.options import Options
from converter.profiles import print_profile
from converter.words import words

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
DC_NS = "http://purl.org/dc/elements/1.1/"
SOFFICE = "/usr/bin/soffice"
PDFTOTEXT = "/usr/bin/pdftotext"
PDFFONTS = "/usr/bin/pdffonts"
DEFAULT_HALF_POINTS = 20  # OOXML's size when nothing sets one
_MAX_PART = 64 * 1024 * 1024  # refuse zip bombs: no part of a report is this large


def w(name: str) -> str:
    return f"{{{W_NS}}}{name}"


def check(path: Path, options: Options) -> list[CheckResult]:
    return check_many([(path, options)])[0]


def check_many(
    jobs: Sequence[tuple[Path, Options]], *, pdf_folder: Path | None = None
) -> list[list[CheckResult]]:
    """Every check for each (DOCX, options); LibreOffice converts them all in ONE run, which
    saves its start-up time per file.  ``pdf_folder`` keeps the PDFs as ``<index>.pdf``."""
    results: list[list[CheckResult]] = []
    units: dict[int, list[list[str]]] = {}
    embedded: dict[int, set[str]] = {}
    for index, (path, options) in enumerate(jobs):
        try:
            package = Package.open(path)
            results.append(structure_checks(package, options))
            units[index] = package.paragraph_words()
            embedded[index] = package.embedded_fonts
        except PackageError as error:
            results.append(
                [CheckResult.of("docx-package", "Office Open XML (ISO/IEC 29500)", [str(error)])]
            )
    paths = {index: jobs[index][0] for index in units}
    for index, result in libreoffice_round_trip(paths, units, pdf_folder, embedded).items():
        results[index].append(result)
    return results


# -- the package ----------------------------------------------------------------------------


class PackageError(Exception):
    """The file is not a readable DOCX package."""


@dataclass
class Package:
    document: etree._Element
    styles: etree._Element | None
    core: etree._Element | None
    embedded_fonts: set[str] = field(default_factory=set)  # font families the package embeds

    @staticmethod
    def open(path: Path) -> Package:
        try:
            with zipfile.ZipFile(path) as archive:
                parts: dict[str, etree._Element | None] = {}
                for name in (
                    "word/document.xml",
                    "word/styles.xml",
                    "docProps/core.xml",
                    "word/fontTable.xml",
                ):
                    try:
                        info = archive.getinfo(name)
                    except KeyError:
                        if name == "word/document.xml":
                            raise PackageError(
                                "no word/document.xml: not a Word document"
                            ) from None
                        parts[name] = None
                        continue
                    if info.file_size > _MAX_PART:
                        raise PackageError(f"{name} is larger than {_MAX_PART // 1048576} MB")
                    parts[name] = etree.fromstring(archive.read(name), canonical.safe_parser())
        except (OSError, zipfile.BadZipFile) as error:
            raise PackageError(f"cannot be read as a zip package ({error})") from None
        except etree.XMLSyntaxError as error:
            raise PackageError(f"malformed XML part: {error}") from None
        document = parts["word/document.xml"]
        assert document is not None
        fonts = parts["word/fontTable.xml"]
        embedded = {
            str(font.get(w("name")))
            for font in (fonts.iterfind(w("font")) if fonts is not None else ())
            if any(font.find(w(kind)) is not None for kind in ("embedRegular", "embedBold"))
        }
        return Package(document, parts["word/styles.xml"], parts["docProps/core.xml"], embedded)

    @property
    def body(self) -> etree._Element:
        body = self.document.find(w("body"))
        if body is None:
            raise PackageError("word/document.xml has no body")
        return body

    def paragraph_words(self) -> list[list[str]]:
        """The words of each paragraph with text, in document order."""
        units = []
        for paragraph in self.body.iter(w("p")):
            found = words(paragraph_text(paragraph))
            if found:
                units.append(found)
        return units


def paragraph_text(paragraph: etree._Element) -> str:
    # Only this paragraph's own runs: a nested table's paragraphs are units of their own.
    # Breaks and tabs separate words as spaces do.
    return "".join(
        str(node.text or "") if node.tag == w("t") else " "
        for node in paragraph.iter(w("t"), w("br"), w("cr"), w("tab"))
        if _nearest(node, w("p")) is paragraph
    )


def _nearest(element: etree._Element, tag: str) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


class Styles:
    """Style lookup with basedOn inheritance."""

    def __init__(self, styles: etree._Element | None) -> None:
        self.by_id: dict[str, etree._Element] = {}
        self.default_paragraph: str | None = None
        self.defaults_rpr: etree._Element | None = None
        if styles is None:
            return
        for style in styles.iterfind(w("style")):
            style_id = style.get(w("styleId"), "")
            self.by_id[style_id] = style
            if style.get(w("type")) == "paragraph" and style.get(w("default")) in ("1", "true"):
                self.default_paragraph = style_id
        self.defaults_rpr = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")

    def chain(self, style_id: str | None) -> list[etree._Element]:
        out: list[etree._Element] = []
        while style_id and style_id in self.by_id and len(out) < 20:
            style = self.by_id[style_id]
            out.append(style)
            based_on = style.find(w("basedOn"))
            style_id = based_on.get(w("val")) if based_on is not None else None
        return out

    def find(self, style_id: str | None, path: str) -> etree._Element | None:
        for style in self.chain(style_id):
            found = style.find(path)
            if found is not None:
                return found
        return None

    def name(self, style_id: str | None) -> str:
        chain = self.chain(style_id)
        name = chain[0].find(w("name")) if chain else None
        return (name.get(w("val"), "") if name is not None else "").casefold()

    def paragraph_style(self, paragraph: etree._Element) -> str | None:
        style = paragraph.find(f"{w('pPr')}/{w('pStyle')}")
        return style.get(w("val")) if style is not None else self.default_paragraph

    def heading_level(self, paragraph: etree._Element) -> int | None:
        """1-based outline level of a paragraph (direct, or from its style), else None."""
        direct = paragraph.find(f"{w('pPr')}/{w('outlineLvl')}")
        style_id = self.paragraph_style(paragraph)
        level = (
            direct if direct is not None else self.find(style_id, f"{w('pPr')}/{w('outlineLvl')}")
        )
        if level is not None:
            value = int(level.get(w("val"), "9"))
            return value + 1 if value < 9 else None
        name = self.name(style_id)
        if name.startswith("heading ") and name[8:].isdigit():
            return int(name[8:])
        return None

    def half_points(self, paragraph: etree._Element, run: etree._Element | None = None) -> int:
        """The effective size of a run (or of the paragraph's own text) in half points."""
        paths = f"{w('rPr')}/{w('sz')}"
        if run is not None:
            direct = run.find(paths)
            if direct is not None:
                return int(direct.get(w("val"), "0"))
            run_style = run.find(f"{w('rPr')}/{w('rStyle')}")
            if run_style is not None:
                found = self.find(run_style.get(w("val")), paths)
                if found is not None:
                    return int(found.get(w("val"), "0"))
        found = self.find(self.paragraph_style(paragraph), paths)
        if found is None and self.defaults_rpr is not None:
            found = self.defaults_rpr.find(w("sz"))
        return int(found.get(w("val"), "0")) if found is not None else DEFAULT_HALF_POINTS


# -- structure ------------------------------------------------------------------------------


def structure_checks(package: Package, options: Options) -> list[CheckResult]:
    started = time.perf_counter()
    styles = Styles(package.styles)
    body = package.body
    results = [
        CheckResult.of(
            "docx-title",
            "WCAG 2.2 2.4.2 Page Titled: core title and Title paragraph",
            _title(package, styles),
        ),
        CheckResult.of(
            "docx-language",
            "WCAG 2.2 3.1.1 Language of Page: w:lang and dc:language",
            _language(package),
        ),
        CheckResult.of(
            "docx-headings",
            "WCAG 2.2 1.3.1: heading styles, level 1 first, no skipped level",
            _headings(body, styles),
        ),
        CheckResult.of(
            "docx-table-headers",
            "WCAG 2.2 1.3.1: every table's header row marked (w:tblHeader) and titled",
            _tables(body),
        ),
        CheckResult.of(
            "docx-image-alt",
            "WCAG 2.2 1.1.1 Non-text Content: alt text on every image",
            _images(body),
        ),
        CheckResult.of(
            "docx-no-empty-paragraphs",
            "no empty paragraphs or manual line breaks used for spacing",
            _spacing(body),
        ),
        CheckResult.of(
            "docx-print-size",
            "UKAAF large print: body at the profile's size, bold not italic, left aligned, no hyphenation",
            _print_rules(package, styles, options),
        ),
    ]
    share = (time.perf_counter() - started) / len(results)
    return [CheckResult(r.name, r.standard, r.status, r.details, share) for r in results]


def _title(package: Package, styles: Styles) -> list[str]:
    findings = []
    title = package.core.findtext(f"{{{DC_NS}}}title") if package.core is not None else None
    if not (title or "").strip():
        findings.append("docProps/core.xml has no dc:title")
    first = next((p for p in package.body.iter(w("p")) if paragraph_text(p).strip()), None)
    if first is None or styles.name(styles.paragraph_style(first)) != "title":
        findings.append("the first paragraph with text is not in the Title style")
    return findings


def _language(package: Package) -> list[str]:
    findings = []
    core_language = (
        package.core.findtext(f"{{{DC_NS}}}language") if package.core is not None else None
    )
    if not (core_language or "").strip():
        findings.append("docProps/core.xml has no dc:language")
    styles_lang = None
    if package.styles is not None:
        lang = package.styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}/{w('lang')}")
        styles_lang = lang.get(w("val")) if lang is not None else None
    if not styles_lang:
        findings.append("styles.xml docDefaults set no w:lang")
    if core_language and styles_lang and core_language.strip().casefold() != styles_lang.casefold():
        findings.append(f"dc:language {core_language!r} differs from w:lang {styles_lang!r}")
    return findings


def _headings(body: etree._Element, styles: Styles) -> list[str]:
    findings = []
    previous = 0
    count = 0
    for paragraph in body.iter(w("p")):
        level = styles.heading_level(paragraph)
        if level is None:
            continue
        count += 1
        text = " ".join(paragraph_text(paragraph).split())
        if not text:
            findings.append(f"empty heading at level {level}")
        if level > previous + 1:
            findings.append(f"heading level {level} follows level {previous}: {text[:60]!r}")
        previous = level
    if count == 0:
        findings.append("no headings (Heading 1..n styles): the navigation pane would be empty")
    return findings


def _tables(body: etree._Element) -> list[str]:
    findings = []
    for number, table in enumerate(body.iter(w("tbl")), start=1):
        rows = table.findall(w("tr"))
        header = rows[0].find(f"{w('trPr')}/{w('tblHeader')}") if rows else None
        if header is None or header.get(w("val"), "true") in ("0", "false", "off"):
            findings.append(f"table {number}: first row is not a header row (w:tblHeader)")
        properties = table.find(w("tblPr"))
        caption = properties.find(w("tblCaption")) if properties is not None else None
        if caption is None or not caption.get(w("val"), "").strip():
            findings.append(f"table {number}: no title (w:tblCaption)")
    return findings


#: Office's mark of a decorative picture: it needs no alt text (WCAG 1.1.1 pure decoration).
DECORATIVE = "{http://schemas.microsoft.com/office/drawing/2017/decorative}decorative"


def _images(body: etree._Element) -> list[str]:
    findings = []
    for number, doc_pr in enumerate(body.iter(f"{{{WP_NS}}}docPr"), start=1):
        decorative = any(mark.get("val") in ("1", "true") for mark in doc_pr.iter(DECORATIVE))
        if not decorative and not (doc_pr.get("descr") or "").strip():
            findings.append(f"image {number} ({doc_pr.get('name', '')}): no alt text (descr)")
    return findings


def _spacing(body: etree._Element) -> list[str]:
    findings = []
    for paragraph in body.iter(w("p")):
        in_cell = _nearest(paragraph, w("tc")) is not None
        has_content = paragraph_text(paragraph).strip() or any(
            True for _ in paragraph.iter(w("drawing"), w("object"), w("pict"), w("fldSimple"))
        )
        # A section break paragraph and an empty table cell's paragraph are not spacing.
        is_section_break = paragraph.find(f"{w('pPr')}/{w('sectPr')}") is not None
        if not has_content and not in_cell and not is_section_break:
            findings.append("empty paragraph used for spacing")
        for brk in paragraph.iter(w("br")):
            if brk.get(w("type"), "textWrapping") == "textWrapping":
                text = " ".join(paragraph_text(paragraph).split())[:60]
                findings.append(f"manual line break inside a paragraph: {text!r}")
    return findings


def _print_rules(package: Package, styles: Styles, options: Options) -> list[str]:
    profile = print_profile(options)
    want = round(profile.font_size * 2)
    findings = []
    wrong_size: list[str] = []
    for paragraph in package.body.iter(w("p")):
        text = " ".join(paragraph_text(paragraph).split())
        if not text:
            continue
        level = styles.heading_level(paragraph)
        name = styles.name(styles.paragraph_style(paragraph))
        for run in paragraph.iter(w("r")):
            if not "".join(str(t.text or "") for t in run.iter(w("t"))).strip():
                continue
            size = styles.half_points(paragraph, run)
            # The contents heading is a heading kept out of the outline (level 9, as Word's).
            is_body = level is None and name not in ("title", "subtitle", "toc heading")
            if (is_body and size != want) or size < want:
                wrong_size.append(f"{size / 2:g} pt, not {want / 2:g} pt: {text[:50]!r}")
                break
            italic = run.find(f"{w('rPr')}/{w('i')}")
            run_style = run.find(f"{w('rPr')}/{w('rStyle')}")
            if italic is None and run_style is not None:
                italic = styles.find(run_style.get(w("val")), f"{w('rPr')}/{w('i')}")
            if italic is None:
                italic = styles.find(styles.paragraph_style(paragraph), f"{w('rPr')}/{w('i')}")
            if italic is not None and italic.get(w("val"), "true") not in ("0", "false", "off"):
                findings.append(f"italic text: {text[:50]!r}")
                break
        justified = paragraph.find(f"{w('pPr')}/{w('jc')}")
        if justified is None:
            justified = styles.find(styles.paragraph_style(paragraph), f"{w('pPr')}/{w('jc')}")
        if justified is not None and justified.get(w("val")) in ("both", "distribute"):
            findings.append(f"justified text: {text[:50]!r}")
    if wrong_size:
        findings.append(
            f"{len(wrong_size)} paragraphs not at the profile's size, e.g. {wrong_size[0]}"
        )
    return findings


# -- LibreOffice round trip -------------------------------------------------------------


def libreoffice_round_trip(
    paths: dict[int, Path],
    units: dict[int, list[list[str]]],
    pdf_folder: Path | None = None,
    embedded: dict[int, set[str]] | None = None,
) -> dict[int, CheckResult]:
    """Convert every DOCX to PDF in one headless LibreOffice run; each PDF's text must hold
    every paragraph's words in order, and a DOCX that embeds its fonts must be drawn in them
    (no font substituted in the PDF's font list)."""
    name = "libreoffice-pdf-roundtrip"
    standard = (
        "opens in LibreOffice Writer and converts to PDF with every word in order, in the "
        "fonts it embeds"
    )
    if not paths:
        return {}
    missing = [tool for tool in (SOFFICE, PDFTOTEXT) if not Path(tool).exists()]
    if missing:
        reason = (
            f"{', '.join(missing)} not installed (Debian libreoffice-writer-nogui, poppler-utils)"
        )
        return {index: CheckResult(name, standard, "not-run", (reason,)) for index in paths}
    started = time.perf_counter()
    results = {}
    with tempfile.TemporaryDirectory(prefix="converter-soffice-") as work:
        pdfs, problems = convert_to_pdf(paths, Path(work))
        seconds = (time.perf_counter() - started) / len(paths)
        for index in paths:
            pdf = pdfs.get(index)
            if pdf is None:
                detail = problems or "LibreOffice made no PDF"
                results[index] = CheckResult(name, standard, "fail", (detail,), seconds)
                continue
            if pdf_folder is not None:
                shutil.copyfile(pdf, pdf_folder / f"{index}.pdf")
            findings = words_in_order(units[index], pdf_words(pdf))
            findings += substituted_fonts(pdf, (embedded or {}).get(index, set()))
            results[index] = CheckResult.of(name, standard, findings, seconds=seconds)
    return results


def convert_to_pdf(paths: dict[int, Path], work: Path) -> tuple[dict[int, Path], str]:
    """PDFs made by one LibreOffice run with its own profile folder, so runs never clash."""
    inputs = work / "in"
    outputs = work / "out"
    inputs.mkdir()
    outputs.mkdir()
    copies: dict[int, Path] = {}
    for index, path in paths.items():
        copy = inputs / f"doc{index}.docx"  # unique stems: two inputs may share a name
        shutil.copyfile(path, copy)
        copies[index] = copy
    command = [
        SOFFICE,
        f"-env:UserInstallation=file://{work / 'profile'}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(outputs),
        *(str(c) for c in copies.values()),
    ]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=120 + 30 * len(paths), check=False
        )
        problems = (completed.stderr.strip() or completed.stdout.strip())[-500:]
        if completed.returncode != 0:
            problems = f"soffice exited {completed.returncode}: {problems}"
    except subprocess.TimeoutExpired:
        problems = "LibreOffice timed out"
    pdfs = {}
    for index, copy in copies.items():
        pdf = outputs / f"{copy.stem}.pdf"
        if pdf.exists() and pdf.stat().st_size > 0:
            pdfs[index] = pdf
    return pdfs, problems


def substituted_fonts(pdf: Path, embedded: set[str]) -> list[str]:
    """Fonts in LibreOffice's PDF that are none of the families the DOCX embeds (a fallback
    such as DejaVu Sans drew the text instead)."""
    if not embedded:
        return []
    listed = subprocess.run(
        [PDFFONTS, str(pdf)], capture_output=True, text=True, timeout=120, check=False
    ).stdout.splitlines()[2:]
    wanted = {family.replace(" ", "") for family in embedded}
    used = {line.split()[0].split("+")[-1] for line in listed if line.strip()}
    others = sorted(name for name in used if not any(name.startswith(f) for f in wanted))
    return [f"LibreOffice drew text in {name}, not the embedded font" for name in others]


def pdf_words(pdf: Path) -> list[str]:
    # -raw keeps content-stream order and line-end hyphens; the default mode joins a word
    # hyphenated across lines ("long-" + "term" -> "longterm") and so loses both words.
    completed = subprocess.run(
        [PDFTOTEXT, "-raw", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    return words(completed.stdout.decode("utf-8", "replace"))


def words_in_order(units: Sequence[Sequence[str]], text: Sequence[str]) -> list[str]:
    """Each unit's words must appear in ``text`` in order, each unit starting no earlier than
    the previous one started.  (Table cells side by side interleave line by line in the
    extracted text, so a unit may end after the next one starts.)  A word that a narrow
    line broke without a hyphen (a long address at giant print) counts as found."""
    position: dict[str, list[int]] = {}
    for index, word in enumerate(text):
        position.setdefault(word, []).append(index)
    findings = []
    start = 0
    for unit in units:
        cursor = start
        first = None
        for word in unit:
            found = _next_at_or_after(position.get(word, []), cursor)
            broken = _broken_at(text, cursor, word, before=found)
            if broken is not None:
                found = broken
            if found is None:
                findings.append(f"{word!r} missing or out of order in: {' '.join(unit)[:80]!r}")
                break
            if first is None:
                first = found
            cursor = found + 1
        else:
            start = first if first is not None else start
        if len(findings) >= 20:
            break
    return findings


def _broken_at(text: Sequence[str], cursor: int, word: str, *, before: int | None) -> int | None:
    """The index of the last piece of ``word`` split over two or three tokens near
    ``cursor`` (and before its next whole occurrence), else None."""
    end = min(len(text), cursor + 40, before if before is not None else len(text))
    for index in range(cursor, end):
        joined = text[index]
        for last in range(index + 1, min(index + 3, len(text))):
            if not word.startswith(joined):
                break
            joined += text[last]
            if joined == word:
                return last
    return None


def _next_at_or_after(indexes: list[int], cursor: int) -> int | None:
    at = bisect.bisect_left(indexes, cursor)
    return indexes[at] if at < len(indexes) else None
