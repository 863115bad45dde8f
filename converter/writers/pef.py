"""The `pef` writer: braille pages as a DAISY Portable Embosser Format 1.0 document."""

from __future__ import annotations

from lxml import etree

from converter import tree as canonical
from converter.options import Options
from converter.writers import braille

PEF_NS = "http://www.daisy.org/ns/2008/pef"
DC_NS = "http://purl.org/dc/elements/1.1/"
MEDIA_TYPE = "application/x-pef+xml"


def write(root: etree._Element, options: Options) -> bytes:
    return encode(root, braille.layout(root, options))


def identifier(root: etree._Element, document: braille.BrailleDocument) -> str:
    """Stable for the same source and braille settings (the same input gives the same bytes)."""
    source = root.find("meta/source")
    digest = source.get("sha256", "") if source is not None else ""
    return (
        f"urn:converter:{digest[:32] or 'document'}:{document.code.table}:"
        f"{document.cells}x{document.lines_per_page}"
    )


def encode(root: etree._Element, document: braille.BrailleDocument) -> bytes:
    pef = etree.Element(f"{{{PEF_NS}}}pef", nsmap={None: PEF_NS, "dc": DC_NS})  # type: ignore[dict-item]
    pef.set("version", "2008-1")
    head = etree.SubElement(pef, f"{{{PEF_NS}}}head")
    meta = etree.SubElement(head, f"{{{PEF_NS}}}meta")
    source = root.find("meta/source")
    publication = root.find("meta/date[@role='publication']")
    entries = [
        ("format", MEDIA_TYPE),
        ("identifier", identifier(root, document)),
        ("title", " ".join((root.findtext("meta/title") or "").split())),
        ("creator", root.findtext("meta/publisher")),
        ("language", canonical.language(root)),
        ("description", f"Braille version, in {document.code.description}."),
        ("date", publication.get("when") if publication is not None else None),
        ("source", source.get("name") if source is not None else None),
    ]
    for name, value in entries:
        if value:
            etree.SubElement(meta, f"{{{DC_NS}}}{name}").text = value
    body = etree.SubElement(pef, f"{{{PEF_NS}}}body")
    volume = etree.SubElement(
        body,
        f"{{{PEF_NS}}}volume",
        cols=str(document.cells),
        rows=str(document.lines_per_page),
        rowgap="0",
        duplex="true" if document.duplex else "false",
    )
    section = etree.SubElement(volume, f"{{{PEF_NS}}}section")
    for page in document.pages:
        page_element = etree.SubElement(section, f"{{{PEF_NS}}}page")
        for line in page.lines:
            etree.SubElement(page_element, f"{{{PEF_NS}}}row").text = braille.line_text(line)
    etree.indent(pef, space="  ")
    return etree.tostring(pef, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def describe(payload: bytes, options: Options) -> str:
    """'27 braille pages, grade 2 (contracted), 40 x 25'."""
    pages = etree.fromstring(payload, canonical.safe_parser()).iterfind(f".//{{{PEF_NS}}}page")
    return braille.describe_pages(sum(1 for _ in pages), options)
