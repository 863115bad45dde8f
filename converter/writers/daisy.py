"""The `daisy` writer: a DAISY 2.02 talking book, full text and full audio, zipped.

ncc.html (the navigation centre: every heading and print page, each pointing at its SMIL
`par`), one SMIL 1.0 file and one MP3 per part of the report (title page, each top-level
section), and the full text in content.html (XHTML 1.0), as the DAISY 2.02 specification
(2001) describes; a figure's image is a file beside them, its description (the alt text)
read aloud.  Checked by ``converter.check.daisy``, written from that specification.
"""

from __future__ import annotations

import re
import uuid

from lxml import etree

from converter import images
from converter import tree as canonical
from converter.images import StoredImage
from converter.options import Options
from converter.version import __version__
from converter.writers import edition, xhtml
from converter.writers.audio import archive
from converter.writers.audio import narration as narrating
from converter.writers.audio import script as spoken_script

XHTML_NS = "http://www.w3.org/1999/xhtml"
NCC = "ncc.html"
CONTENT = "content.html"
GENERATOR = f"converter {__version__}"
XHTML_DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)
SMIL_DOCTYPE = (
    '<!DOCTYPE smil PUBLIC "-//W3C//DTD SMIL 1.0//EN" "http://www.w3.org/TR/REC-smil/SMIL10.dtd">'
)
#: HTML5 elements XHTML 1.0 lacks, written as the div or span of the same role.
_XHTML1_TAGS = {
    "section": "div",
    "header": "div",
    "main": "div",
    "footer": "div",
    "aside": "div",
    "nav": "div",
}
_ROMAN = re.compile(r"^[ivxlcdm]+$", re.IGNORECASE)

Element = etree._Element


def write(root: Element, options: Options) -> bytes:
    canonical.validate(root)
    narrating.require_words(root)
    root = edition.prepare(root)
    translated = xhtml.translate_report(root, image_source=image_file)
    script = spoken_script.script_of(translated.html)
    language = translated.language
    narration = narrating.narrate(script, narrating.voice_of(options, language))
    identifier = book_identifier(root)
    title = translated.title

    files: dict[str, bytes] = {CONTENT: _content(translated.html, title, language)}
    for image in images.used(root).values():
        files[image_file(image)] = image.data
    elapsed = 0.0
    ncc_entries: list[tuple[spoken_script.Utterance, str]] = []  # (utterance, smil href)
    for group in narrating.headed_groups(script, narration):
        stem = group[0][0].stem
        files[f"{stem}.smil"] = _smil(group, title, identifier, elapsed)
        index = 0
        for part, narrated in group:
            files[f"{part.stem}.mp3"] = narrated.mp3
            elapsed += narrated.duration
            for utterance in part.utterances:
                index += 1
                if utterance.kind in ("heading", "page"):
                    ncc_entries.append((utterance, f"{stem}.smil#par-{index:04d}"))
    files[NCC] = b""  # counted in ncc:files and its size estimated below
    metadata = _metadata(root, title, identifier, language, narration, ncc_entries, files)
    metadata = [
        (name, hms(elapsed) if name == "ncc:totalTime" else content, scheme)
        for name, content, scheme in metadata
    ]  # the time of the parts played (a part with nothing to say has no audio)
    files[NCC] = _ncc(title, language, metadata, ncc_entries)
    return archive.zipped(files, NCC)


_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}


def image_file(image: StoredImage) -> str:
    """A figure's image as a file of the book (DAISY 2.02 content may show JPEG, PNG and
    GIF images), named by its hash."""
    return f"images/{image.sha256}.{_EXTENSIONS[image.media_type]}"


def book_identifier(root: Element) -> str:
    source = root.find("meta/source")
    sha256 = source.get("sha256", "") if source is not None else ""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'urn:sha256:{sha256}:daisy')}"


# -- ncc.html -----------------------------------------------------------------------------------


def page_class(label: str) -> str:
    """page-normal for arabic numbers, page-front for roman ones, page-special otherwise."""
    if label.isdigit():
        return "page-normal"
    if _ROMAN.match(label):
        return "page-front"
    return "page-special"


def _metadata(
    root: Element,
    title: str,
    identifier: str,
    language: str,
    narration: narrating.Narration,
    entries: list[tuple[spoken_script.Utterance, str]],
    files: dict[str, bytes],
) -> list[tuple[str, str, str | None]]:
    """(name, content, scheme) of every meta element of the NCC, required ones first."""
    publisher = " ".join((root.findtext("meta/publisher") or "Unknown publisher").split())
    source = root.find("meta/source")
    dates = {d.get("role"): d.get("when", "") for d in root.iterfind("meta/date")}
    date = dates.get("publication") or dates.get("inspection-end") or "2000-01-01"
    pages = [u.page for u, _ in entries if u.kind == "page"]
    normal = [int(p) for p in pages if page_class(p) == "page-normal"]
    headings = [u for u, _ in entries if u.kind == "heading"]
    # The NCC's own size is not known until it is written: a generous estimate of it.
    size = sum(len(data) for data in files.values()) + 4096 + 200 * len(entries)
    return [
        ("dc:creator", publisher, None),
        ("dc:date", date, "yyyy-mm-dd"),
        ("dc:format", "Daisy 2.02", None),
        ("dc:identifier", identifier, None),
        ("dc:language", language, "ISO 639"),
        ("dc:publisher", publisher, None),
        ("dc:title", title, None),
        ("dc:source", source.get("name", "") if source is not None else "", None),
        ("ncc:charset", "utf-8", None),
        ("ncc:depth", str(max((u.level for u in headings), default=1)), None),
        ("ncc:files", str(len(files)), None),
        ("ncc:footnotes", "0", None),
        ("ncc:generator", GENERATOR, None),
        ("ncc:kByteSize", str(round(size / 1024)), None),
        ("ncc:maxPageNormal", str(max(normal, default=0)), None),
        ("ncc:multimediaType", "audioFullText", None),
        ("ncc:narrator", narration.narrator, None),
        ("ncc:pageFront", str(sum(page_class(p) == "page-front" for p in pages)), None),
        ("ncc:pageNormal", str(len(normal)), None),
        ("ncc:pageSpecial", str(sum(page_class(p) == "page-special" for p in pages)), None),
        ("ncc:prodNotes", "0", None),
        ("ncc:setInfo", "1 of 1", None),
        ("ncc:sidebars", "0", None),
        ("ncc:tocItems", str(len(entries)), None),
        ("ncc:totalTime", hms(narration.duration), None),
    ]


def _ncc(
    title: str,
    language: str,
    metadata: list[tuple[str, str, str | None]],
    entries: list[tuple[spoken_script.Utterance, str]],
) -> bytes:
    html, head, body = _xhtml_page(title, language)
    for name, content, scheme in metadata:
        meta = etree.SubElement(head, f"{{{XHTML_NS}}}meta", name=name, content=content)
        if scheme:
            meta.set("scheme", scheme)
    for number, (utterance, href) in enumerate(entries, start=1):
        if utterance.kind == "heading":
            entry = etree.SubElement(body, f"{{{XHTML_NS}}}h{utterance.level}", id=f"ncc-{number}")
            if number == 1:
                entry.set("class", "title")  # DAISY 2.02: the NCC starts with h1 class title
            text = utterance.text
        else:
            entry = etree.SubElement(
                body,
                f"{{{XHTML_NS}}}span",
                {"class": page_class(utterance.page), "id": f"ncc-{number}"},
            )
            text = utterance.page
        etree.SubElement(entry, f"{{{XHTML_NS}}}a", href=href).text = text
    return _serialize(html, XHTML_DOCTYPE)


def _xhtml_page(title: str, language: str) -> tuple[Element, Element, Element]:
    html = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS}, lang=language)  # type: ignore[dict-item]
    html.set(canonical.XML_LANG, language)
    head = etree.SubElement(html, f"{{{XHTML_NS}}}head")
    etree.SubElement(
        head,
        f"{{{XHTML_NS}}}meta",
        {"http-equiv": "Content-type", "content": "text/html; charset=utf-8"},
    )
    etree.SubElement(head, f"{{{XHTML_NS}}}title").text = title
    body = etree.SubElement(html, f"{{{XHTML_NS}}}body")
    return html, head, body


# -- the full text ------------------------------------------------------------------------------


def _content(html: Element, title: str, language: str) -> bytes:
    """The translated report as XHTML 1.0: HTML5 sectioning elements become divs of that
    class, ARIA attributes (unknown to XHTML 1.0) are dropped; ids are kept as they are."""
    page, _, body = _xhtml_page(title, language)
    source_body = html.find("body")
    assert source_body is not None
    for block in source_body:
        body.append(_xhtml1(block))
    return _serialize(page, XHTML_DOCTYPE)


def _xhtml1(element: Element) -> Element:
    tag = str(element.tag)
    copy = etree.Element(f"{{{XHTML_NS}}}{_XHTML1_TAGS.get(tag, tag)}")
    classes = [tag] if tag in _XHTML1_TAGS else []
    for key, value in element.attrib.items():
        name, value = str(key), str(value)
        if name.startswith(("aria-", "data-")) or name == "role":
            continue
        if name == "class":
            classes.append(value)
        else:
            copy.set(name, value)
    if classes:
        copy.set("class", " ".join(classes))
    copy.text, copy.tail = element.text, element.tail
    for child in element:
        if isinstance(child.tag, str):
            copy.append(_xhtml1(child))
    return copy


# -- SMIL -----------------------------------------------------------------------------------


def _smil(group: narrating.Group, title: str, identifier: str, elapsed: float) -> bytes:
    duration = sum(narrated.duration for _, narrated in group)
    smil = etree.Element("smil")
    head = etree.SubElement(smil, "head")
    for name, content in (
        ("dc:format", "Daisy 2.02"),
        ("dc:identifier", identifier),
        ("dc:title", title),
        ("ncc:generator", GENERATOR),
        ("ncc:totalElapsedTime", hms(elapsed, fraction=True)),
        ("ncc:timeInThisSmil", hms(duration, fraction=True)),
        ("title", group[0][0].title),
    ):
        etree.SubElement(head, "meta", name=name, content=content)
    layout = etree.SubElement(head, "layout")
    etree.SubElement(layout, "region", id="txtView")
    body = etree.SubElement(smil, "body")
    seq = etree.SubElement(body, "seq", dur=f"{duration:.3f}s")
    index = 0
    for part, narrated in group:
        for utterance, (begin, end) in zip(part.utterances, narrated.clips, strict=True):
            index += 1
            par = etree.SubElement(seq, "par", endsync="last", id=f"par-{index:04d}")
            etree.SubElement(par, "text", src=f"{CONTENT}#{utterance.id}", id=f"txt-{index:04d}")
            etree.SubElement(
                par,
                "audio",
                {
                    "src": f"{part.stem}.mp3",
                    "clip-begin": f"npt={begin:.3f}s",
                    "clip-end": f"npt={end:.3f}s",
                    "id": f"aud-{index:04d}",
                },
            )
    return _serialize(smil, SMIL_DOCTYPE)


def hms(seconds: float, *, fraction: bool = False) -> str:
    """hh:mm:ss (the NCC's total time), or hh:mm:ss.sss (a SMIL file's times)."""
    if not fraction:
        whole = round(seconds)
        return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    milliseconds = round(seconds * 1000)
    whole, rest = divmod(milliseconds, 1000)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}.{rest:03d}"


def _serialize(root: Element, doctype: str) -> bytes:
    return etree.tostring(
        root, xml_declaration=True, encoding="utf-8", doctype=doctype, pretty_print=True
    )
