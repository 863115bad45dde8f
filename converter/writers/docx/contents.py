"""The docx writer's contents page: a real Word contents field (TOC), its entries filled in.

Word's own TOC field (``TOC \\o "1-3" \\h \\z \\u``) inside a "Table of Contents" content
control, as Word writes it, so References > Update Table works.  Its cached result lists
every heading down to level 3, each a link to the heading's bookmark.  Page numbers depend
on how Word lays the pages out, so the writer leaves them to Word, which adds them when it
updates the field (the settings ask it to on opening): a wrong page number on a contents
page is worse than none.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from converter import tree as canonical
from converter.writers import xhtml
from converter.writers.docx.body import bookmark_name

Element = etree._Element

MAX_LEVEL = 3
INSTRUCTION = ' TOC \\o "1-3" \\h \\z \\u '


@dataclass(frozen=True)
class Entry:
    level: int  # 1 for a top-level section
    text: str
    bookmark: str


def entries(container: Element, level: int = 1) -> list[Entry]:
    """The headings of a body or back matter down to MAX_LEVEL, as the body gives them
    heading styles (an untitled section does not deepen the outline)."""
    found: list[Entry] = []
    for section in container.iterfind("section"):
        heading = section.find("heading")
        inner = level
        if heading is not None and heading.get("id"):
            if level <= MAX_LEVEL:
                text = xhtml.heading_text(heading) or "Untitled section"
                found.append(Entry(level, text, bookmark_name(str(heading.get("id")))))
            inner = level + 1
        found.extend(entries(section, inner))
    return found


def field_runs(kind: str, instruction: str = "") -> list[Element]:
    """The runs of a complex field's begin (with its instruction), separate or end."""
    runs: list[Element] = []
    run = OxmlElement("w:r")
    etree.SubElement(run, qn("w:fldChar")).set(qn("w:fldCharType"), kind)
    runs.append(run)
    if instruction:
        run = OxmlElement("w:r")
        text = etree.SubElement(run, qn("w:instrText"))
        text.text = instruction
        text.set(f"{{{canonical.XML_NS}}}space", "preserve")
        runs.append(run)
        run = OxmlElement("w:r")
        etree.SubElement(run, qn("w:fldChar")).set(qn("w:fldCharType"), "separate")
        runs.append(run)
    return runs


def contents_field(heading: Element, found: list[Entry], style_ids: dict[str, str]) -> Element:
    """The content control holding the "Contents" heading and the TOC field."""
    sdt = OxmlElement("w:sdt")
    sdt_pr = etree.SubElement(sdt, qn("w:sdtPr"))
    part = etree.SubElement(sdt_pr, qn("w:docPartObj"))
    etree.SubElement(part, qn("w:docPartGallery")).set(qn("w:val"), "Table of Contents")
    etree.SubElement(part, qn("w:docPartUnique"))
    content = etree.SubElement(sdt, qn("w:sdtContent"))
    content.append(heading)
    paragraphs: list[Element] = []
    for entry in found:
        paragraph = OxmlElement("w:p")
        ppr = etree.SubElement(paragraph, qn("w:pPr"))
        etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), style_ids[f"toc{entry.level}"])
        link = etree.SubElement(paragraph, qn("w:hyperlink"))
        link.set(qn("w:anchor"), entry.bookmark)
        link.set(qn("w:history"), "1")
        run = etree.SubElement(link, qn("w:r"))
        etree.SubElement(run, qn("w:t")).text = entry.text
        paragraphs.append(paragraph)
    if not paragraphs:  # a document without headings: the field alone, Word fills it
        paragraph = OxmlElement("w:p")
        ppr = etree.SubElement(paragraph, qn("w:pPr"))
        etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), style_ids["toc1"])
        paragraphs.append(paragraph)
    first, last = paragraphs[0], paragraphs[-1]
    for run in reversed(field_runs("begin", INSTRUCTION)):
        first.find(qn("w:pPr")).addnext(run)  # type: ignore[union-attr]
    last.extend(field_runs("end"))
    content.extend(paragraphs)
    return sdt
