"""Our DAISY 2.02 checker, written from the DAISY 2.02 Specification (2001): the NCC's
required metadata and their values, every reference of the NCC and of each SMIL file
resolving, clip times increasing and within their audio, every text element of the book
spoken once and in reading order, every heading and page in the NCC, every word spoken."""

from __future__ import annotations

import posixpath
import time
import zipfile
from pathlib import Path

from lxml import etree

from converter import tree as canonical
from converter.check import CheckResult
from converter.check import narration as spoken
from converter.options import Options

NCC_STANDARD = "DAISY 2.02 navigation control centre: ncc.html, its required metadata and counts"
REFERENCES_STANDARD = "DAISY 2.02: every NCC and SMIL reference resolves to a file and an id"
CLIPS_STANDARD = "DAISY 2.02 SMIL: clips increase and lie within their audio's duration"
COVERAGE_STANDARD = "DAISY 2.02 full text: every text element spoken once, in reading order; every heading in the NCC"

#: DAISY 2.02 section 13.1: metadata every NCC must carry.
REQUIRED_METADATA = (
    "dc:creator",
    "dc:date",
    "dc:format",
    "dc:identifier",
    "dc:language",
    "dc:publisher",
    "dc:title",
    "ncc:charset",
    "ncc:depth",
    "ncc:files",
    "ncc:footnotes",
    "ncc:generator",
    "ncc:kByteSize",
    "ncc:maxPageNormal",
    "ncc:multimediaType",
    "ncc:narrator",
    "ncc:pageFront",
    "ncc:pageNormal",
    "ncc:pageSpecial",
    "ncc:prodNotes",
    "ncc:setInfo",
    "ncc:sidebars",
    "ncc:tocItems",
    "ncc:totalTime",
)
MULTIMEDIA_TYPES = (
    "audioOnly",
    "audioNcc",
    "audioPartText",
    "audioFullText",
    "textPartAudio",
    "textNcc",
)
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
XHTML_NS = "http://www.w3.org/1999/xhtml"
PAGE_CLASSES = ("page-front", "page-normal", "page-special")


class Book:
    """The files of a DAISY book (a zip, or a folder holding ncc.html)."""

    def __init__(self, path: Path) -> None:
        self.files: dict[str, bytes] = {}
        if path.is_dir():
            for file in path.rglob("*"):
                if file.is_file():
                    self.files[file.relative_to(path).as_posix()] = file.read_bytes()
        else:
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    if not name.endswith("/"):
                        self.files[name] = archive.read(name)
        nccs = [name for name in self.files if posixpath.basename(name).lower() == "ncc.html"]
        if len(nccs) != 1:
            raise ValueError(f"{len(nccs)} ncc.html files (DAISY 2.02 needs exactly one)")
        self.ncc_name = nccs[0]
        self.base = posixpath.dirname(self.ncc_name)
        self.ncc = self.parse(self.ncc_name)

    def parse(self, name: str) -> etree._Element:
        return etree.fromstring(self.files[name], canonical.safe_parser())

    def resolve(self, base_file: str, href: str) -> tuple[str, str]:
        """(file name in the book, fragment) of an href written in ``base_file``."""
        file, _, fragment = href.partition("#")
        folder = posixpath.dirname(base_file)
        return posixpath.normpath(posixpath.join(folder, file)) if file else base_file, fragment


def check(path: Path, options: Options, source: etree._Element | None = None) -> list[CheckResult]:
    started = time.perf_counter()
    try:
        book = Book(path)
    except (OSError, zipfile.BadZipFile, ValueError, KeyError, etree.XMLSyntaxError) as error:
        return [CheckResult.of("daisy-ncc", NCC_STANDARD, [f"cannot read the DAISY book: {error}"])]
    smils, smil_findings = _smil_files(book)
    clips = [clip for _, file_clips in smils for clip in file_clips]
    references = [clip.text for clip in clips]
    contents = sorted(
        {r.partition("#")[0] for r in references if r.partition("#")[0] in book.files}
    )
    documents: dict[str, etree._Element] = {}
    reference_findings = list(smil_findings)
    for name in contents:
        try:
            documents[name] = book.parse(name)
        except etree.XMLSyntaxError as error:
            reference_findings.append(f"{name}: not well-formed XHTML: {error}")
    for name, document in documents.items():
        for img in document.iter(f"{{{XHTML_NS}}}img", "img"):
            image, _ = book.resolve(name, img.get("src", ""))
            if not img.get("src", "").startswith("data:") and image not in book.files:
                reference_findings.append(f"{name}: image {img.get('src')}: no such file")
    for clip in clips:
        file = clip.text.partition("#")[0]
        if file not in book.files:
            reference_findings.append(f"{clip.where}: text {clip.text}: no such file")
        if clip.audio not in book.files:
            reference_findings.append(f"{clip.where}: audio {clip.audio}: no such file")
    durations = spoken.audio_durations(book.files, {clip.audio for clip in clips})
    order = _content_order(references, documents)
    seconds = time.perf_counter() - started
    return [
        CheckResult.of(
            "daisy-ncc", NCC_STANDARD, _ncc_findings(book, smils, durations), seconds=seconds
        ),
        CheckResult.of(
            "daisy-references",
            REFERENCES_STANDARD,
            reference_findings + _ncc_reference_findings(book, smils),
        ),
        CheckResult.of("daisy-clips", CLIPS_STANDARD, spoken.clip_findings(clips, durations)),
        CheckResult.of(
            "daisy-coverage",
            COVERAGE_STANDARD,
            spoken.coverage_findings(documents, order, references)
            + _heading_findings(book, smils, documents),
        ),
        spoken.words_result(
            "daisy-every-word-spoken", source, spoken.spoken_text_words(documents, references)
        ),
    ]


# -- reading -------------------------------------------------------------------------------------


def _ncc_links(book: Book) -> list[tuple[etree._Element, str, str]]:
    """(NCC entry, SMIL file, fragment) for each heading and span of the NCC body, in order."""
    body = book.ncc.find(f"{{{XHTML_NS}}}body")
    if body is None:
        body = book.ncc.find("body")
    links = []
    for entry in body if body is not None else []:
        name = spoken.local(entry.tag)
        if name not in HEADINGS and name not in ("span", "div"):
            continue
        anchor = next((a for a in entry.iter() if spoken.local(a.tag) == "a"), None)
        href = anchor.get("href", "") if anchor is not None else ""
        file, fragment = book.resolve(book.ncc_name, href)
        links.append((entry, file, fragment))
    return links


def _smil_files(book: Book) -> tuple[list[tuple[str, list[spoken.Clip]]], list[str]]:
    """Each SMIL file the NCC reaches, in the order the NCC first reaches it, with its clips.
    (DAISY 2.02 without a master.smil plays the SMIL files in NCC order.)"""
    findings: list[str] = []
    smils: list[tuple[str, list[spoken.Clip]]] = []
    for _, file, _ in _ncc_links(book):
        if any(file == name for name, _ in smils) or not file.endswith(".smil"):
            continue
        if file not in book.files:
            continue  # reported with the NCC's references
        try:
            smil = book.parse(file)
        except etree.XMLSyntaxError as error:
            findings.append(f"{file}: not well-formed SMIL: {error}")
            continue
        clips = []
        for par in smil.iter("par"):
            text = par.find("text")
            audio = par.find("audio")
            if text is None or audio is None:
                findings.append(f"{file}#{par.get('id')}: a par without text or audio")
                continue
            clips.append(
                spoken.Clip(
                    f"{file}#{par.get('id')}",
                    "#".join(book.resolve(file, text.get("src", ""))),
                    book.resolve(file, audio.get("src", ""))[0],
                    spoken.seconds(audio.get("clip-begin")),
                    spoken.seconds(audio.get("clip-end")),
                )
            )
        smils.append((file, clips))
    for name in book.files:
        if name.endswith(".smil") and not any(name == file for file, _ in smils):
            findings.append(
                f"{name}: no heading or page of the NCC leads to it, so it is never played"
            )
    return smils, findings


def _content_order(references: list[str], documents: dict[str, etree._Element]) -> list[str]:
    """The content documents in the order the book first plays them."""
    return [
        name for name in dict.fromkeys(r.partition("#")[0] for r in references) if name in documents
    ]


# -- the NCC ---------------------------------------------------------------------------------------


def _ncc_findings(
    book: Book, smils: list[tuple[str, list[spoken.Clip]]], durations: dict[str, float | None]
) -> list[str]:
    findings = []
    head = next((e for e in book.ncc if spoken.local(e.tag) == "head"), None)
    metadata: dict[str, str] = {}
    for meta in head.iter() if head is not None else []:
        if spoken.local(meta.tag) == "meta" and meta.get("name"):
            metadata[str(meta.get("name"))] = meta.get("content", "")
    for name in REQUIRED_METADATA:
        if name not in metadata:
            findings.append(f"required metadata {name} is missing")
    if metadata.get("dc:format", "Daisy 2.02").strip() != "Daisy 2.02":
        findings.append(f"dc:format is {metadata['dc:format']!r}, not 'Daisy 2.02'")
    media = metadata.get("ncc:multimediaType")
    if media is not None and media not in MULTIMEDIA_TYPES:
        findings.append(f"ncc:multimediaType {media!r} is not one of {', '.join(MULTIMEDIA_TYPES)}")
    links = _ncc_links(book)
    entries = [entry for entry, _, _ in links]
    headings = [e for e in entries if spoken.local(e.tag) in HEADINGS]
    pages = {c: [e for e in entries if e.get("class") == c] for c in PAGE_CLASSES}
    if not entries or spoken.local(entries[0].tag) != "h1" or entries[0].get("class") != "title":
        findings.append('the NCC does not begin with <h1 class="title">')
    level = 0
    for heading in headings:
        this = int(spoken.local(heading.tag)[1])
        if this > level + 1:
            findings.append(f"heading {heading.get('id')} skips from h{level} to h{this}")
        level = this
    normal = [_text(e) for e in pages["page-normal"]]
    counted = {
        "ncc:tocItems": len(entries),
        "ncc:pageNormal": len(normal),
        "ncc:pageFront": len(pages["page-front"]),
        "ncc:pageSpecial": len(pages["page-special"]),
        "ncc:depth": max((int(spoken.local(h.tag)[1]) for h in headings), default=0),
        "ncc:maxPageNormal": max((int(p) for p in normal if p.isdigit()), default=0),
        "ncc:files": len(book.files),
    }
    for name, count in counted.items():
        value = metadata.get(name)
        if value is not None and value.strip() != str(count):
            findings.append(f"{name} is {value}, but the book has {count}")
    for entry in entries:
        if not entry.get("id"):
            findings.append(f"an NCC <{spoken.local(entry.tag)}> has no id")
    total = spoken.seconds(metadata.get("ncc:totalTime"))
    played = sum(d or 0.0 for d in durations.values())
    if total is None:
        if "ncc:totalTime" in metadata:
            findings.append(f"ncc:totalTime {metadata['ncc:totalTime']!r} is not a clock value")
    elif abs(total - played) > 1.0:
        findings.append(f"ncc:totalTime is {total:.0f} s, but the audio lasts {played:.0f} s")
    kilobytes = sum(len(d) for d in book.files.values()) / 1024
    stated = metadata.get("ncc:kByteSize", "")
    if stated.isdigit() and abs(int(stated) - kilobytes) > max(8, kilobytes * 0.05):
        findings.append(f"ncc:kByteSize is {stated}, but the book is {kilobytes:.0f} kB")
    return findings


def _text(element: etree._Element) -> str:
    return " ".join("".join(str(t) for t in element.itertext()).split())


def _ncc_reference_findings(book: Book, smils: list[tuple[str, list[spoken.Clip]]]) -> list[str]:
    findings = []
    ids: dict[str, set[str]] = {}
    for file, _ in smils:
        ids[file] = {str(e.get("id")) for e in book.parse(file).iter() if e.get("id")}
    for entry, file, fragment in _ncc_links(book):
        where = f"NCC {spoken.local(entry.tag)} {entry.get('id')}"
        if file not in book.files:
            findings.append(f"{where}: {file}: no such file")
        elif file in ids and fragment not in ids[file]:
            findings.append(f"{where}: {file} has no element {fragment!r}")
    return findings


def _heading_findings(
    book: Book, smils: list[tuple[str, list[spoken.Clip]]], documents: dict[str, etree._Element]
) -> list[str]:
    """Every heading of the text is reached from the NCC: some NCC entry points at the par
    (or its text) that speaks it."""
    reached: set[str] = set()
    by_target: dict[tuple[str, str], str] = {}
    for file, _ in smils:
        smil = book.parse(file)
        for par in smil.iter("par"):
            text = par.find("text")
            if text is None:
                continue
            target = "#".join(book.resolve(file, text.get("src", "")))
            by_target[(file, str(par.get("id")))] = target
            by_target[(file, str(text.get("id")))] = target
    for _, file, fragment in _ncc_links(book):
        reached_target = by_target.get((file, fragment))
        if reached_target:
            reached.add(reached_target)
    findings = []
    for name, document in documents.items():
        for element in document.iter():
            if spoken.local(element.tag) in HEADINGS and _text(element):
                reference = f"{name}#{element.get('id')}"
                if reference not in reached:
                    findings.append(
                        f"heading {reference} ({_text(element)[:50]!r}) is not in the NCC"
                    )
    return findings
