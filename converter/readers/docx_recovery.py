"""Structure a Word author typed by hand, recovered by the same rules as plain text.

The DOCX reader knows the real structure (styles, numbering, tables).  What it cannot
know from the package, because the author only typed it, is decided here: the
document's paragraphs go to :func:`converter.recovery.recover` as source lines, one a
paragraph, with a blank line between (Word keeps paragraphs apart; recovery must not
join them), their print page, type size and weight, and the level of a real heading;
tables as rows of cells.  From what recovery makes of them, these are taken, and only
for paragraphs without real structure:

- a heading, where the paragraph also looks like one (bold, or set larger than the body
  text: in a word processor a heading that looks like text is text);
- a numbered paragraph (``17.`` typed before it), or a list item (``1.`` or a bullet
  typed before it), its typed marker removed;
- the title, when no paragraph is in the Title style;
- what recognisers know (the kind of report, its dates, people, judgements, the roles of
  its sections and its back matter).

Every word stays where the reader put it: recovery's grouping, artifacts and repairs
are not taken.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from lxml import etree

from converter.readers.docx_styles import ListLabel
from converter.readers.outline import Block
from converter.recovery import SourceLine, recover
from converter.recovery.patterns import BULLETS
from converter.recovery.recognisers import RECOGNISERS

Element = etree._Element

_TYPED_MARKER = re.compile(rf"^\s*(?:\d{{1,3}}\.|[{re.escape(BULLETS)}\uf000-\uf0ff])\s*")
_SPACE = re.compile(r"\s+")
_FIGURE_CAPTION = re.compile(
    r"^(?:figure|fig\.|chart|image|picture|diagram|graph|photo|map)\b", re.I
)
_TABLE_CAPTION = re.compile(r"^table\b", re.I)
_CONTENTS_HEADINGS = ("contents", "table of contents")


@dataclass
class Piece:
    """A block of the document before the structure is decided: what the package says
    of it, and what recovery may add for a paragraph without real structure."""

    block: Block
    kind: str  # heading, title, subtitle, p, item, caption, table, figure, note, pagebreak
    text: str = ""
    bold: bool = False
    size: float | None = None
    numbered: ListLabel | None = None  # real numbering
    plain: bool = False  # a paragraph whose structure, if any, was typed by hand


@dataclass
class Decided:
    pieces: list[Piece]
    title: str | None  # the Title style's, or a heading or line the document opens with
    subtitle: str | None
    fallback_title: str | None  # recovery's guess, when nothing better is known
    meta: Element | None  # recovery's meta (kind, subject, dates, people, judgements)


def decide(pieces: list[Piece], *, language: str) -> Decided:
    pieces = list(pieces)
    # Recovery sees every paragraph, the title's too: recognisers read a report's cover.
    recovered = recover(_lines(pieces), language=language, recognisers=RECOGNISERS)
    title, subtitle = _styled_title(pieces)
    _captions(pieces)
    decisions = _decisions(recovered)
    body_size = _body_size(pieces)
    for piece in pieces:
        _apply(piece, decisions, body_size)
    fallback = " ".join((recovered.findtext("meta/title") or "").split()) or None
    if title is None:
        title = _opening_title(pieces, fallback, recovered.findtext("meta/kind") != "generic")
    _back_matter(pieces, decisions)
    for piece in pieces:
        if piece.kind in ("title", "subtitle", "caption"):
            piece.kind, piece.block.kind = "p", "p"
    return Decided(
        [p for p in pieces if p.kind != "dropped"],
        title,
        subtitle,
        fallback,
        recovered.find("meta"),
    )


def _styled_title(pieces: list[Piece]) -> tuple[str | None, str | None]:
    """The first paragraphs in the Title style are the title; Subtitle ones after it the
    subtitle.  Both leave the body (writers show them from meta)."""
    titles = [i for i, p in enumerate(pieces) if p.kind == "title"]
    if not titles:
        return None, None
    index = titles[0]
    parts = []
    while index < len(pieces) and pieces[index].kind == "title":
        parts.append(pieces[index].text)
        pieces[index].kind = "dropped"
        index += 1
    subtitle_parts = []
    while index < len(pieces) and pieces[index].kind in ("subtitle", "pagebreak"):
        if pieces[index].kind == "subtitle":
            subtitle_parts.append(pieces[index].text)
            pieces[index].kind = "dropped"
        index += 1
    return " ".join(parts), " ".join(subtitle_parts) or None


def _captions(pieces: list[Piece]) -> None:
    """A paragraph in the Caption style captions the table or figure beside it: the kind
    its first word names (else either); a table's caption stands above it (Word's
    default), a figure's below, so that neighbour is tried first."""
    for index, piece in enumerate(pieces):
        if piece.kind != "caption":
            continue
        before = pieces[index - 1] if index else None
        after = pieces[index + 1] if index + 1 < len(pieces) else None
        if _TABLE_CAPTION.match(piece.text):
            candidates = [(after, "table"), (before, "table")]
        elif _FIGURE_CAPTION.match(piece.text):
            candidates = [(before, "figure"), (after, "figure")]
        else:
            candidates = [
                (after, "table"),
                (before, "figure"),
                (before, "table"),
                (after, "figure"),
            ]
        for neighbour, kind in candidates:
            if (
                neighbour is not None
                and neighbour.kind == kind
                and neighbour.block.content is not None
                and neighbour.block.content.find("caption") is None
            ):
                _attach_caption(neighbour.block.content, piece)
                piece.kind = "dropped"
                break


def _attach_caption(target: Element, piece: Piece) -> None:
    caption = etree.Element("caption")
    content = piece.block.content
    assert content is not None
    caption.text = content.text
    caption.extend(list(content))
    if target.tag == "table":
        target.insert(0, caption)
    else:
        target.append(caption)  # a figure's caption follows its image and description


def _lines(pieces: list[Piece]) -> list[SourceLine]:
    """One source line a paragraph (line 2n-1 for paragraph n), a blank line after each."""
    lines: dict[int, SourceLine] = {}
    for piece in pieces:
        block = piece.block
        if block.src is None:
            continue
        first = block.src[0]
        page = block.page or 1
        if piece.text.strip().casefold() in _CONTENTS_HEADINGS:
            # Recovery takes the rest of a page headed "Contents" for contents entries:
            # right for print, but a Word document's pages are not known, and its contents
            # are a field or a real list already.
            continue
        if piece.kind in ("p", "heading", "title", "subtitle", "caption") and piece.text:
            level = block.level if piece.kind == "heading" else None
            line = SourceLine(
                2 * first - 1,
                piece.text,
                page,
                font_size=piece.size,
                bold=piece.bold,
                heading_level=level,
            )
            lines[line.number] = line
            lines[2 * first] = SourceLine(2 * first, "", page)
        elif piece.kind == "table" and block.content is not None:
            number = 2 * first
            for offset, row in enumerate(block.content.iter("row")):
                cells = tuple(
                    _SPACE.sub(" ", "".join(str(t) for t in c.itertext())).strip() for c in row
                )
                number = 2 * (first + offset) - 1
                parent = row.getparent()
                lines[number] = SourceLine(
                    number,
                    "  ".join(cells),
                    page,
                    cells=cells,
                    header=parent is not None and parent.tag == "head",
                )
                number += 1
            lines[number] = SourceLine(number, "", page)
    ordered = [lines[number] for number in sorted(lines)]
    # Pages counted from the first line given (a copy's own title page is not given):
    # recognisers look for a cover on page 1.
    first_page = min((x.page for x in ordered), default=1)
    return [replace(x, page=x.page - first_page + 1) for x in ordered]


def _decisions(recovered: Element) -> dict[int, Element]:
    """For each source line, the innermost element recovery made of it."""
    decisions: dict[int, Element] = {}
    for element in recovered.iter("heading", "p", "item", "table", "note"):
        src = element.get("src")
        if not src:
            continue
        first, last = (int(x) for x in src.split("-"))
        for number in range(first, last + 1):
            decisions[number] = element
    return decisions


def _body_size(pieces: list[Piece]) -> float | None:
    sizes = Counter(p.size for p in pieces if p.kind == "p" and p.size is not None)
    return sizes.most_common(1)[0][0] if sizes else None


def _apply(piece: Piece, decisions: dict[int, Element], body_size: float | None) -> None:
    block = piece.block
    if block.src is None:
        return
    line = 2 * block.src[0] - 1
    element = decisions.get(line)
    if element is None:
        return
    if piece.kind == "heading" and element.tag == "heading":
        _section_facts(piece, element)
        return
    if piece.kind != "p" or not piece.plain:
        return
    single = element.get("src") == f"{line}-{line}"
    if element.tag == "heading" and single and _looks_set_apart(piece, body_size):
        piece.kind = block.kind = "heading"
        block.level = sum(1 for a in element.iterancestors("section"))
        _section_facts(piece, element)
        if block.content is not None:
            etree.strip_tags(block.content, "strong")  # the bold was the heading's look
    elif element.tag == "p" and element.get("n") and _starts_at(element, line):
        if _strip_marker(block.content):
            block.n = element.get("n")
    elif element.tag == "item" and _starts_at(element, line) and _strip_marker(block.content):
        owner = element.getparent()
        assert owner is not None
        piece.kind = block.kind = "item"
        block.ordered = owner.get("type") == "ordered"
        block.label = element.get("label") if block.ordered else None
        block.list_key = ("typed", owner.get("id"))
        block.level = sum(1 for a in element.iterancestors("list")) - 1


def _section_facts(piece: Piece, heading: Element) -> None:
    section = heading.getparent()
    if section is None or section.tag != "section":
        return
    for name in ("role", "grade", "area"):
        value = section.get(name)
        if value and getattr(piece.block, name) is None:
            setattr(piece.block, name, value)


def _looks_set_apart(piece: Piece, body_size: float | None) -> bool:
    larger = body_size is not None and piece.size is not None and piece.size >= 1.15 * body_size
    return piece.bold or larger


def _starts_at(element: Element, line: int) -> bool:
    src = element.get("src") or ""
    return src.split("-")[0] == str(line)


def _strip_marker(content: Element | None) -> bool:
    """Remove the typed marker ("17.", a bullet) that opens the content; False if none."""
    if content is None:
        return False
    text = "".join(str(t) for t in content.itertext())
    match = _TYPED_MARKER.match(text)
    if not match or match.end() == len(text):
        return False
    remaining = match.end()
    for node, slot in _slots(content):
        value = getattr(node, slot) or ""
        cut = min(remaining, len(value))
        setattr(node, slot, value[cut:] or None)
        remaining -= cut
        if remaining == 0:
            break
    for child in list(content.iter()):
        if (
            child is not content
            and not "".join(str(t) for t in child.itertext()).strip()
            and child.tag
            in (
                "strong",
                "em",
                "span",
            )
        ):
            parent = child.getparent()
            assert parent is not None
            tail = child.tail or ""
            previous = child.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
            parent.remove(child)
    first = next((s for s in _slots(content) if getattr(s[0], s[1])), None)
    if first is not None:
        setattr(first[0], first[1], (getattr(first[0], first[1]) or "").lstrip() or None)
    return True


def _slots(element: Element) -> list[tuple[Element, str]]:
    out: list[tuple[Element, str]] = [(element, "text")]
    for child in element:
        out.extend(_slots(child))
        out.append((child, "tail"))
    return out


def _opening_title(pieces: list[Piece], recovered: str | None, known: bool) -> str | None:
    """Without a Title style: a level-1 heading or the paragraph recovery took for the
    title, when the document opens with it, leaves the body as the title."""
    first = next((p for p in pieces if p.kind != "pagebreak" and p.kind != "dropped"), None)
    if first is None:
        return recovered if known else None
    if first.kind == "heading" and first.block.level == 1 and not first.plain:
        first.kind = "dropped"
        return first.text
    if recovered and first.kind in ("p", "heading") and _same(first.text, recovered):
        first.kind = "dropped"
        return first.text
    return recovered if known else None


def _same(text: str, other: str) -> bool:
    return _SPACE.sub(" ", text).strip().casefold() == _SPACE.sub(" ", other).strip().casefold()


def _back_matter(pieces: list[Piece], decisions: dict[int, Element]) -> None:
    """Recovery's back matter (publisher's notes, the offer of other formats, licence),
    unless a real heading stands in it: then the author structured it, and it is body."""
    start = None
    for index, piece in enumerate(pieces):
        src = piece.block.src
        element = decisions.get(2 * src[0] - 1) if src is not None else None
        if element is not None and next(element.iterancestors("back"), None) is not None:
            start = index
            break
    if start is None or any(p.kind == "heading" and not p.plain for p in pieces[start:]):
        return
    role = "about"
    for piece in pieces[start:]:
        src = piece.block.src
        element = decisions.get(2 * src[0] - 1) if src is not None else None
        section = None
        if element is not None:
            section = next((s for s in element.iterancestors("section") if s.get("role")), None)
        if section is not None:
            role = section.get("role") or role
        if piece.kind == "heading":
            piece.kind = piece.block.kind = "p"
        piece.block.back = role
        if piece.kind == "note":
            piece.block.deferred = False
