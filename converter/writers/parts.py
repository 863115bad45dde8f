"""How a translated report is cut into parts: the title page, then one part per top-level
section of the body and of the back matter.  The EPUB's content documents, the talking
books' audio files and SMIL files, and the MP3 tracks are these parts, so all of them agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

Element = etree._Element
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@dataclass
class Part:
    """One part: the title page, or a top-level section with the blocks after it."""

    stem: str  # file name without extension: title, chapter-01, back-01
    title: str
    kind: str  # frontmatter, bodymatter, backmatter
    blocks: list[Element] = field(default_factory=list)


def split(html: Element) -> list[Part]:
    """Title page, then one part per top-level section of the body and of the back matter.

    Blocks before the first section get a part of their own (titled by the document);
    blocks between or after top-level sections stay with the section before them, so the
    reading order is the tree's order.
    """
    body = html.find("body")
    assert body is not None
    title = plain(html.find("head/title"))
    title_page = Part("title", title, "frontmatter")
    header = body.find("header")
    if header is not None:
        title_page.blocks.append(header)
    parts = [title_page]
    for container_name, kind, stem in (
        ("main", "bodymatter", "chapter"),
        ("footer", "backmatter", "back"),
    ):
        container = body.find(container_name)
        if container is None:
            continue
        count = 0
        for block in list(container):
            if block.tag == "section" or parts[-1].kind != kind:
                count += 1
                heading = block[0] if block.tag == "section" and len(block) else None
                is_heading = heading is not None and heading.tag in HEADINGS
                parts.append(
                    Part(f"{stem}-{count:02d}", plain(heading) if is_heading else title, kind)
                )
            parts[-1].blocks.append(block)
    return parts


def plain(element: Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(str(t) for t in element.itertext()).split())
