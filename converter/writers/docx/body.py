"""The docx writer's body: paragraphs, headings, lists with real numbering, tables, links."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from lxml import etree

from converter import symbols
from converter import tree as canonical
from converter.images import NO_DESCRIPTION, StoredImage
from converter.profiles import PrintProfile
from converter.writers.docx.sizes import HEADING_FACTORS
from converter.writers.docx.styles import (
    PPR_ORDER,
    StyleSheet,
    ensure_child,
    one_line,
    put,
    version_sentence,
)

Element = etree._Element

#: English Metric Units in a pixel at 96 to the inch: a picture is never set larger.
_EMU_PER_PIXEL = 9525
#: Drawing ids of our pictures start here, clear of any the reference document uses.
_FIRST_PICTURE_ID = 1000
#: Office's mark of a decorative picture (an extension of the drawing's properties).
_DECORATIVE_URI = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
_ADEC = "http://schemas.microsoft.com/office/drawing/2017/decorative"
_SAFE_HREF = re.compile(r"^(https?://|mailto:|tel:)", re.IGNORECASE)
#: An Easy Read picture's side, in ems of the body size (as the PDF and HTML set it), and
#: the gap to the words beside it.
SYMBOL_EMS = 4.0
SYMBOL_GAP_EMS = 0.8
_EMU_PER_POINT = 12700
_TWIPS_PER_POINT = 20
#: The hard-words box: a border round its paragraphs (Word joins the borders of paragraphs
#: that share them into one box).
_BOX_SIDES = ("w:top", "w:left", "w:bottom", "w:right")
_SPACE = re.compile(r"\s+")

_COLOUR_WORDS = {
    "black-on-white": "black text on white",
    "black-on-cream": "black text on cream",
    "black-on-yellow": "black text on yellow",
    "yellow-on-black": "yellow text on black",
    "white-on-black": "white text on black",
}


# -- the body -----------------------------------------------------------------------------


def _box(paragraph: Element) -> None:
    """A border on every side of a paragraph (of the hard-words box)."""
    ppr = ensure_child(paragraph, "w:pPr", ("w:r", "w:hyperlink", "w:bookmarkStart"))
    borders = put(ppr, "w:pBdr", PPR_ORDER)
    for side in _BOX_SIDES:
        etree.SubElement(
            borders,
            qn(side),
            {qn("w:val"): "single", qn("w:sz"): "24", qn("w:space"): "8", qn("w:color"): "auto"},
        )


@dataclass
class _Segment:
    """A piece of inline content: text with its character style, language and link."""

    text: str = ""
    style: str | None = None
    language: str | None = None
    link: tuple[str, str] | None = None  # ("r:id", rId) or ("w:anchor", bookmark)
    bookmark: str | None = None  # a bookmark here instead of text


@dataclass
class BodyBuilder:
    document: DocxDocument
    styles: StyleSheet
    profile: PrintProfile
    paragraphs: list[Element] = field(default_factory=list)
    pending_bookmarks: list[str] = field(default_factory=list)
    page_break_before: bool = False
    bookmark_count: int = 0
    bookmark_names: set[str] = field(default_factory=set)
    numbering: _Numbering | None = None
    table_count: int = 0
    judgement_labels: set[str] = field(default_factory=set)
    images: dict[str, StoredImage] = field(default_factory=dict)
    picture_count: int = 0
    easy_read: bool = False  # the Easy Read edition: its attribution on a page of its own

    def __post_init__(self) -> None:
        self.numbering = _Numbering(self.document.part.numbering_part.element)

    # front page ------------------------------------------------------------------------

    def front_page(self, root: Element) -> None:
        """Title, subtitle, which document this is a version of, and the formats offer."""
        self.judgement_labels = {
            one_line(label.text or "").casefold()
            for label in root.iterfind("meta/judgements/judgement/label")
        }
        title = one_line(root.findtext("meta/title") or "Untitled")
        self.paragraph("title", [_Segment(title)], bookmark_id="title")
        subtitle = root.findtext("meta/subtitle")
        if subtitle and subtitle.strip():
            self.paragraph("subtitle", [_Segment(one_line(subtitle))])
        profile = self.profile
        colours = _COLOUR_WORDS.get(profile.colours, profile.colours.replace("-", " "))
        note = (
            f"{version_sentence(root, profile)} It is set in {profile.font_size:g} point type, "
            f"{colours}, for people who find standard print hard to read."
        )
        source = root.find("meta/source")
        if source is not None and source.get("name"):
            note += f" It was made from the file {source.get('name')}."
        self.paragraph("version", [_Segment(note)])
        offer = root.find("back/section[@role='alternative-formats']")
        if offer is not None:
            for element in offer.iter("p"):
                self.paragraph("body", self.segments(element))
        self.page_break_before = True

    # blocks ----------------------------------------------------------------------------

    def blocks(self, container: Element, level: int) -> None:
        for child in container:
            if isinstance(child.tag, str):
                self.block(child, level)

    def block(self, element: Element, level: int) -> None:
        tag = element.tag
        if tag == "section":
            if self.easy_read and element.get("role") == "licence":
                self.page_break_before = True  # the pictures' attribution page
            first = len(self.paragraphs)
            heading = element.find("heading")
            inner = level
            if heading is not None:
                role = f"heading{min(level, max(HEADING_FACTORS))}"
                self.paragraph(role, self.segments(heading), bookmark_id=heading.get("id"))
                inner = level + 1
            for child in element:
                if isinstance(child.tag, str) and child.tag != "heading":
                    self.block(child, inner)
            if element.get("role") == "hard-words":
                for paragraph in self.paragraphs[first:]:
                    _box(paragraph)
        elif tag == "line":
            self.easy_line(element)
        elif tag == "p":
            segments = self.segments(element)
            if element.get("n"):
                segments.insert(0, _Segment(f"{element.get('n')}. ", style="number-label"))
            self.paragraph("body", segments, bookmark_id=element.get("id"))
        elif tag == "list":
            self.add_list(element, depth=0)
        elif tag == "table":
            self.table(element)
        elif tag == "note":
            segments = self.segments(element)
            if element.get("label"):
                segments.insert(0, _Segment(f"{element.get('label')} ", style="strong"))
            self.paragraph("note", segments, bookmark_id=element.get("id"))
        elif tag == "pagebreak":
            self.pending_bookmarks.append(f"page-{element.get('page', '')}")
        elif tag == "figure":
            self.figure(element)
        else:
            raise AssertionError(f"no DOCX translation for <{tag}>")

    def figure(self, element: Element) -> None:
        """A picture at its own pixel size (96 to the inch) or the text width, whichever is
        smaller, with its description as the alt text (Word's descr) or marked decorative;
        its caption under it.  A picture the tree does not hold is its description."""
        decorative = element.get("decorative") == "true"
        description = one_line(element.findtext("description") or "")
        image = element.find("image")
        stored = self.images.get(image.get("ref", "")) if image is not None else None
        if stored is not None:
            text_width = (self.profile.paper_width_mm - 2 * self.profile.margin_mm) * 36000
            width = min(stored.width * _EMU_PER_PIXEL, int(text_width))
            height = max(1, round(width * stored.height / stored.width))
            inline = self.document.part.new_pic_inline(
                io.BytesIO(stored.data), Emu(width), Emu(height)
            )
            self.picture_count += 1
            properties = inline.find(qn("wp:docPr"))
            assert properties is not None
            properties.set("id", str(_FIRST_PICTURE_ID + self.picture_count))
            properties.set("name", f"Picture {self.picture_count}")
            if decorative:
                properties.set("descr", "")
                extensions = etree.SubElement(properties, qn("a:extLst"))
                extension = etree.SubElement(extensions, qn("a:ext"), uri=_DECORATIVE_URI)
                etree.SubElement(
                    extension, f"{{{_ADEC}}}decorative", {"val": "1"}, nsmap={"adec": _ADEC}
                )
            else:
                properties.set("descr", description or NO_DESCRIPTION)
            paragraph = self.make_paragraph("body", [])
            drawing = etree.SubElement(etree.SubElement(paragraph, qn("w:r")), qn("w:drawing"))
            drawing.append(inline)
            if element.find("caption") is not None:
                ppr = ensure_child(paragraph, "w:pPr", ("w:r",))
                put(ppr, "w:keepNext", PPR_ORDER)  # the picture stays with its caption
            self.pending_bookmarks.append(str(element.get("id")))
            self.flush_into_next(paragraph)
        elif not decorative:
            text = f"Image (not included in this copy): {description or NO_DESCRIPTION}"
            self.paragraph("body", [_Segment(text)], bookmark_id=element.get("id"))
        caption = element.find("caption")
        if caption is not None:
            self.paragraph("caption", self.segments(caption))

    def easy_line(self, element: Element) -> None:
        """An Easy Read line: its picture (a PNG made from the packaged SVG, its alt text as
        the description), a tab, then its words; a hanging indent keeps every line of the
        words to the right of the picture, and a line with no picture in the same column."""
        size = self.profile.font_size
        side = int(SYMBOL_EMS * size * _EMU_PER_POINT)
        indent = int((SYMBOL_EMS + SYMBOL_GAP_EMS) * size * _TWIPS_PER_POINT)
        paragraph = self.make_paragraph("body", self.segments(element))
        ppr = ensure_child(paragraph, "w:pPr", ("w:r", "w:hyperlink", "w:bookmarkStart"))
        put(ppr, "w:keepLines", PPR_ORDER)
        tabs = put(ppr, "w:tabs", PPR_ORDER)
        etree.SubElement(tabs, qn("w:tab"), {qn("w:val"): "left", qn("w:pos"): str(indent)})
        parent = element.getparent()
        boxed = parent is not None and parent.get("role") == "hard-words"
        ind = {"w:left": "0" if boxed else str(indent)}
        symbol = element.find("symbol")
        if symbol is not None:
            ind["w:hanging"] = str(indent)
            # The words sit level with the middle of the picture, not its foot.
            put(ppr, "w:textAlignment", PPR_ORDER, {"w:val": "center"})
            inline = self.document.part.new_pic_inline(
                io.BytesIO(symbols.png(symbol.get("ref", ""))), Emu(side), Emu(side)
            )
            self.picture_count += 1
            properties = inline.find(qn("wp:docPr"))
            assert properties is not None
            properties.set("id", str(_FIRST_PICTURE_ID + self.picture_count))
            properties.set("name", f"Picture {self.picture_count}")
            properties.set("descr", symbol.get("alt", ""))
            picture = OxmlElement("w:r")
            etree.SubElement(picture, qn("w:drawing")).append(inline)
            tab = OxmlElement("w:r")
            etree.SubElement(tab, qn("w:tab"))
            ppr.addnext(picture)
            picture.addnext(tab)
        put(ppr, "w:ind", PPR_ORDER, ind)
        self.pending_bookmarks.insert(0, str(element.get("id")))
        self.flush_into_next(paragraph)

    def add_list(self, element: Element, depth: int) -> None:
        assert self.numbering is not None
        items = element.findall("item")
        ordered = element.get("type") == "ordered"
        num_id = self.numbering.new_list(
            ordered, items[0].get("label") if items else None, min(depth, 8)
        )
        role = "number" if ordered else "bullet"
        for item in items:
            self.paragraph(
                role,
                self.segments(item, with_blocks=False),
                bookmark_id=item.get("id"),
                numbering=(num_id, min(depth, 8)),
            )
            for child in item:
                if child.tag == "list":  # a pagebreak child is a bookmark in the segments
                    self.add_list(child, depth + 1)

    def table(self, element: Element) -> None:
        self.table_count += 1
        caption = element.find("caption")
        caption_text = one_line(canonical.text_content(caption)) if caption is not None else ""
        if caption is not None:
            self.paragraph("caption", self.segments(caption), bookmark_id=element.get("id"))
        elif element.get("id"):
            self.pending_bookmarks.append(str(element.get("id")))
        head = element.find("head")
        head_rows = head.findall("row") if head is not None else []
        body_rows = element.findall("row")
        if not head_rows:
            # A leading row of header cells is the header, even outside <head>.
            while body_rows and all(
                c.get("header") == "true" for c in body_rows[0].iterfind("cell")
            ):
                head_rows.append(body_rows.pop(0))
        added_header = not head_rows and bool(body_rows)
        if added_header:
            head_rows.append(self.header_for(body_rows))
        grid = _layout([*head_rows, *body_rows])
        columns = sum(slot.colspan for slot in grid[0]) if grid else 1
        headings = (
            [one_line(canonical.text_content(c)) for c in head_rows[0].iterfind("cell")]
            if head_rows
            else []
        )
        title = caption_text or (
            f"Table {self.table_count}: " + ", ".join(headings)
            if headings
            else f"Table {self.table_count}"
        )
        description = f"{len(head_rows) + len(body_rows)} rows and {columns} columns"
        if headings:
            description += "; column headings: " + ", ".join(h for h in headings if h)
        if added_header:
            description += " (the original table has no header row; converter added one)"
        tbl = OxmlElement("w:tbl")
        tbl_pr = etree.SubElement(tbl, qn("w:tblPr"))
        etree.SubElement(tbl_pr, qn("w:tblStyle")).set(qn("w:val"), self.styles.ids["table"])
        width = etree.SubElement(tbl_pr, qn("w:tblW"))
        width.set(qn("w:w"), "5000")
        width.set(qn("w:type"), "pct")
        look = etree.SubElement(tbl_pr, qn("w:tblLook"))
        look.set(qn("w:val"), "0420" if head_rows else "0000")
        look.set(qn("w:firstRow"), "1" if head_rows else "0")
        for name, value in (
            ("lastRow", "0"),
            ("firstColumn", "0"),
            ("lastColumn", "0"),
            ("noHBand", "1"),
            ("noVBand", "1"),
        ):
            look.set(qn(f"w:{name}"), value)
        etree.SubElement(tbl_pr, qn("w:tblCaption")).set(qn("w:val"), title[:255])
        etree.SubElement(tbl_pr, qn("w:tblDescription")).set(qn("w:val"), description)
        text_width = (self.profile.paper_width_mm - 2 * self.profile.margin_mm) * 1440 / 25.4
        column_width = int(text_width / columns)
        tbl_grid = etree.SubElement(tbl, qn("w:tblGrid"))
        for _ in range(columns):
            etree.SubElement(tbl_grid, qn("w:gridCol")).set(qn("w:w"), str(column_width))
        for index, row in enumerate(grid):
            in_head = index < len(head_rows)
            tr = etree.SubElement(tbl, qn("w:tr"))
            tr_pr = etree.SubElement(tr, qn("w:trPr"))
            if in_head or self.short_row(row, column_width):
                # A short row is kept whole on its page.  A tall one may break: LibreOffice
                # drops the rest of a table after a cantSplit row that does not fit.
                etree.SubElement(tr_pr, qn("w:cantSplit"))
            if in_head:
                etree.SubElement(tr_pr, qn("w:tblHeader"))
            for slot in row:
                tc = etree.SubElement(tr, qn("w:tc"))
                tc_pr = etree.SubElement(tc, qn("w:tcPr"))
                tc_width = etree.SubElement(tc_pr, qn("w:tcW"))
                tc_width.set(qn("w:w"), str(column_width * slot.colspan))
                tc_width.set(qn("w:type"), "dxa")
                if slot.colspan > 1:
                    etree.SubElement(tc_pr, qn("w:gridSpan")).set(qn("w:val"), str(slot.colspan))
                if slot.merge is not None:
                    merge = etree.SubElement(tc_pr, qn("w:vMerge"))
                    if slot.merge == "restart":
                        merge.set(qn("w:val"), "restart")
                cell = slot.cell
                is_header = in_head or (cell is not None and cell.get("header") == "true")
                role = "table-heading" if is_header else "table-text"
                segments = (
                    self.segments(cell) if cell is not None and slot.merge != "continue" else []
                )
                tc.append(self.make_paragraph(role, segments))
        self.flush_into_next(tbl)

    def short_row(self, row: list[_Slot], column_width: int) -> bool:
        """Whether a row's tallest cell takes three lines or fewer at the print size."""
        characters = max(1.0, column_width / 20 / (0.5 * self.profile.font_size))
        lines = [
            len(one_line(canonical.text_content(slot.cell))) / slot.colspan / characters
            for slot in row
            if slot.cell is not None
        ]
        return max(lines, default=0.0) <= 3

    def header_for(self, rows: list[Element]) -> Element:
        """A header row for a table that has none: screen readers and the repeated header need
        one.  A judgement table gets Judgement and Grade; any other table numbered columns."""
        columns = max(sum(int(c.get("colspan", "1")) for c in r.iterfind("cell")) for r in rows)
        first_column = {one_line(canonical.text_content(r[0])).casefold() for r in rows if len(r)}
        if columns == 2 and first_column & self.judgement_labels:
            labels = ["Judgement", "Grade"]
        else:
            labels = [f"Column {n}" for n in range(1, columns + 1)]
        row = etree.Element("row")
        for label in labels:
            etree.SubElement(row, "cell", header="true", scope="col").text = label
        return row

    # paragraphs ------------------------------------------------------------------------

    def paragraph(
        self,
        role: str,
        segments: list[_Segment],
        *,
        bookmark_id: str | None = None,
        numbering: tuple[int, int] | None = None,
    ) -> None:
        if bookmark_id:
            self.pending_bookmarks.insert(0, bookmark_id)
        paragraph = self.make_paragraph(role, segments, numbering=numbering)
        self.flush_into_next(paragraph)

    def flush_into_next(self, block: Element) -> None:
        """Add a block, carrying pending bookmarks and the page break onto it."""
        first_paragraph = block if block.tag == qn("w:p") else next(block.iter(qn("w:p")))
        if self.pending_bookmarks:
            ppr = first_paragraph.find(qn("w:pPr"))
            position = 1 if ppr is not None else 0
            for name in reversed(self.pending_bookmarks):
                start, end = self.bookmark(name)
                first_paragraph.insert(position, end)
                first_paragraph.insert(position, start)
            self.pending_bookmarks.clear()
        if self.paragraphs and self.paragraphs[-1].tag == qn("w:tbl") and block.tag == qn("w:p"):
            # A table has no space after of its own: the next paragraph keeps clear of it.
            ppr = ensure_child(block, "w:pPr", ("w:r", "w:hyperlink", "w:bookmarkStart"))
            spacing = put(ppr, "w:spacing", PPR_ORDER, keep=True)
            spacing.set(qn("w:before"), "240")
        if self.page_break_before:
            ppr = ensure_child(first_paragraph, "w:pPr", ("w:r", "w:hyperlink", "w:bookmarkStart"))
            first_paragraph.remove(ppr)
            first_paragraph.insert(0, ppr)
            put(ppr, "w:pageBreakBefore", PPR_ORDER)
            self.page_break_before = False
        self.paragraphs.append(block)

    def finish(self) -> None:
        if self.pending_bookmarks and self.paragraphs:
            last = self.paragraphs[-1]
            last = last if last.tag == qn("w:p") else list(last.iter(qn("w:p")))[-1]
            for name in self.pending_bookmarks:
                start, end = self.bookmark(name)
                last.append(start)
                last.append(end)
            self.pending_bookmarks.clear()

    def bookmark(self, element_id: str) -> tuple[Element, Element]:
        name = bookmark_name(element_id)
        while name in self.bookmark_names:
            name = f"{name[:36]}_{self.bookmark_count}"
        self.bookmark_names.add(name)
        start = OxmlElement(
            "w:bookmarkStart", {qn("w:id"): str(self.bookmark_count), qn("w:name"): name}
        )
        end = OxmlElement("w:bookmarkEnd", {qn("w:id"): str(self.bookmark_count)})
        self.bookmark_count += 1
        return start, end

    def make_paragraph(
        self, role: str, segments: list[_Segment], *, numbering: tuple[int, int] | None = None
    ) -> Element:
        paragraph = OxmlElement("w:p")
        ppr = etree.SubElement(paragraph, qn("w:pPr"))
        etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), self.styles.ids[role])
        if numbering is not None:
            num_pr = etree.SubElement(ppr, qn("w:numPr"))
            etree.SubElement(num_pr, qn("w:ilvl")).set(qn("w:val"), str(numbering[1]))
            etree.SubElement(num_pr, qn("w:numId")).set(qn("w:val"), str(numbering[0]))
        link_element: Element | None = None
        current_link: tuple[str, str] | None = None
        for segment in _normalise(segments):
            if segment.link != current_link:
                current_link = segment.link
                link_element = None
                if current_link is not None:
                    link_element = etree.SubElement(paragraph, qn("w:hyperlink"))
                    link_element.set(qn(current_link[0]), current_link[1])
                    if current_link[0] == "r:id":
                        link_element.set(qn("w:history"), "1")
            target = link_element if link_element is not None else paragraph
            if segment.bookmark is not None:
                start, end = self.bookmark(segment.bookmark)
                target.append(start)
                target.append(end)
                continue
            run = etree.SubElement(target, qn("w:r"))
            style = segment.style or ("hyperlink" if segment.link else None)
            if style or segment.language:
                rpr = etree.SubElement(run, qn("w:rPr"))
                if style:
                    etree.SubElement(rpr, qn("w:rStyle")).set(qn("w:val"), self.styles.ids[style])
                if segment.language:
                    etree.SubElement(rpr, qn("w:lang")).set(qn("w:val"), segment.language)
            text = etree.SubElement(run, qn("w:t"))
            text.text = segment.text
            if segment.text != segment.text.strip():
                text.set(f"{{{canonical.XML_NS}}}space", "preserve")
        return paragraph

    # inline ----------------------------------------------------------------------------

    def segments(
        self, element: Element | None, base: _Segment | None = None, *, with_blocks: bool = True
    ) -> list[_Segment]:
        """The inline content of an element as styled segments, in order."""
        if element is None:
            return []
        base = base or _Segment()
        out: list[_Segment] = []
        if element.text:
            out.append(_with_text(base, element.text))
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                pass
            elif tag == "pagebreak":
                out.append(_Segment(bookmark=f"page-{child.get('page', '')}", link=base.link))
            elif tag in ("em", "strong"):
                style = "emphasis" if tag == "em" and base.style is None else "strong"
                out.extend(self.segments(child, _derive(base, style=style)))
            elif tag == "a":
                href = child.get("href", "")
                link = base.link
                if _SAFE_HREF.match(href) and base.link is None:
                    rid = self.document.part.relate_to(href, RT.HYPERLINK, is_external=True)
                    link = ("r:id", rid)
                out.extend(self.segments(child, _derive(base, link=link)))
            elif tag == "noteref":
                link = base.link or ("w:anchor", bookmark_name(child.get("ref", "")))
                out.extend(self.segments(child, _derive(base, link=link)))
            elif tag == "span":
                out.extend(
                    self.segments(child, _derive(base, language=child.get(canonical.XML_LANG)))
                )
            elif tag == "quote":
                out.append(_with_text(base, "\u201c"))
                out.extend(self.segments(child, base))
                out.append(_with_text(base, "\u201d"))
            elif tag in ("abbr",):
                out.extend(self.segments(child, base))
            elif tag == "symbol":
                pass  # an Easy Read line's picture: easy_line puts it before the words
            elif tag in ("list", "table", "note") and not with_blocks:
                pass  # rendered as blocks of their own by the caller
            elif tag in ("list", "table", "note"):
                # Blocks nested in inline content are flattened to their text, kept in order.
                out.append(_with_text(base, " " + canonical.text_content(child) + " "))
            else:
                raise AssertionError(f"no DOCX translation for inline <{tag}>")
            if child.tail:
                out.append(_with_text(base, child.tail))
        return out


def _derive(base: _Segment, **changes: object) -> _Segment:
    return dataclasses.replace(base, text="", bookmark=None, **changes)  # type: ignore[arg-type]


def _with_text(base: _Segment, text: str) -> _Segment:
    return _Segment(text, base.style, base.language, base.link)


def _normalise(segments: list[_Segment]) -> Iterator[_Segment]:
    """Collapse white space across segments: no leading, trailing or doubled spaces."""
    cleaned: list[_Segment] = []
    after_space = True
    for segment in segments:
        if segment.bookmark is not None:
            cleaned.append(segment)
            continue
        text = _SPACE.sub(" ", segment.text)
        if after_space:
            text = text.lstrip(" ")
        if not text:
            continue
        after_space = text.endswith(" ")
        cleaned.append(_Segment(text, segment.style, segment.language, segment.link))
    for segment in reversed(cleaned):
        if segment.bookmark is None:
            segment.text = segment.text.rstrip(" ")
            break
    return (s for s in cleaned if s.bookmark is not None or s.text)


def bookmark_name(element_id: str) -> str:
    """A Word bookmark name for an id: letters, digits and underscores, at most 40."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", element_id) or "x"
    if not name[0].isalpha():
        name = f"b{name}"
    return name[:40]


# -- tables -------------------------------------------------------------------------------


@dataclass
class _Slot:
    cell: Element | None
    colspan: int = 1
    merge: str | None = None  # "restart", "continue" or None


def _layout(rows: list[Element]) -> list[list[_Slot]]:
    """Rows of grid slots: spans become gridSpan / vMerge, short rows are padded."""
    pending: dict[tuple[int, int], _Slot] = {}  # (row, column) covered by a rowspan above
    grid: list[list[_Slot]] = []
    for r, row in enumerate(rows):
        slots: list[_Slot] = []
        column = 0
        for cell in row.iterfind("cell"):
            while (r, column) in pending:
                covered = pending.pop((r, column))
                slots.append(covered)
                column += covered.colspan
            colspan = int(cell.get("colspan", "1"))
            rowspan = int(cell.get("rowspan", "1"))
            slots.append(_Slot(cell, colspan, "restart" if rowspan > 1 else None))
            for below in range(1, rowspan):
                if r + below < len(rows):
                    pending[(r + below, column)] = _Slot(cell, colspan, "continue")
            column += colspan
        while (r, column) in pending:
            covered = pending.pop((r, column))
            slots.append(covered)
            column += covered.colspan
        grid.append(slots)
    columns = max((sum(s.colspan for s in slots) for slots in grid), default=1)
    for slots in grid:
        short = columns - sum(s.colspan for s in slots)
        slots.extend(_Slot(None) for _ in range(short))
    return grid


# -- numbering ----------------------------------------------------------------------------


_LABEL_FORMATS = (
    (re.compile(r"^\(?\d+[.)]?$"), "decimal"),
    (re.compile(r"^\(?(i|[ivxlc]{2,})[.)]?$"), "lowerRoman"),
    (re.compile(r"^\(?(I|[IVXLC]{2,})[.)]?$"), "upperRoman"),
    (re.compile(r"^\(?[a-z][.)]?$"), "lowerLetter"),
    (re.compile(r"^\(?[A-Z][.)]?$"), "upperLetter"),
)
_BULLETS = ("\u2022", "\u2013", "\u25aa")


class _Numbering:
    """numbering.xml: one abstract definition per list format, one numbering per list."""

    def __init__(self, element: Element) -> None:
        self.element = element
        self.abstract_ids: dict[tuple[str, str], int] = {}
        self.bullet_num: int | None = None
        self.next_abstract = 1 + max(
            (int(a.get(qn("w:abstractNumId"), "0")) for a in element.iterfind(qn("w:abstractNum"))),
            default=-1,
        )
        self.next_num = 1 + max(
            (int(n.get(qn("w:numId"), "0")) for n in element.iterfind(qn("w:num"))), default=0
        )

    def new_list(self, ordered: bool, label: str | None, level: int = 0) -> int:
        """A numbering for one list: ordered lists restart at their first label's number,
        at the level the list is nested to (its labels print in their own format there)."""
        if not ordered:
            if self.bullet_num is None:
                self.bullet_num = self._num(self._abstract("bullet", "%1"), None)
            return self.bullet_num
        fmt, pattern, start = _label_format(label)
        return self._num(self._abstract(fmt, pattern), start, level)

    def _abstract(self, fmt: str, pattern: str) -> int:
        key = (fmt, pattern)
        if key in self.abstract_ids:
            return self.abstract_ids[key]
        abstract_id = self.next_abstract
        self.next_abstract += 1
        abstract = OxmlElement("w:abstractNum", {qn("w:abstractNumId"): str(abstract_id)})
        etree.SubElement(abstract, qn("w:multiLevelType")).set(qn("w:val"), "multilevel")
        for level in range(9):
            lvl = etree.SubElement(abstract, qn("w:lvl"))
            lvl.set(qn("w:ilvl"), str(level))
            etree.SubElement(lvl, qn("w:start")).set(qn("w:val"), "1")
            if fmt == "bullet":
                level_fmt, text = "bullet", _BULLETS[level % 3]
            else:
                # Every level prints its own counter in the list's format: a list nested
                # to any depth keeps the labels it has.
                level_fmt, text = fmt, pattern.replace("%1", f"%{level + 1}")
            etree.SubElement(lvl, qn("w:numFmt")).set(qn("w:val"), level_fmt)
            etree.SubElement(lvl, qn("w:lvlText")).set(qn("w:val"), text)
            etree.SubElement(lvl, qn("w:lvlJc")).set(qn("w:val"), "left")
            ppr = etree.SubElement(lvl, qn("w:pPr"))
            ind = etree.SubElement(ppr, qn("w:ind"))
            ind.set(qn("w:left"), str(720 * (level + 1)))
            ind.set(qn("w:hanging"), "720")
        nums = self.element.findall(qn("w:num"))
        if nums:
            nums[0].addprevious(abstract)  # every abstractNum precedes every num
        else:
            self.element.append(abstract)
        self.abstract_ids[key] = abstract_id
        return abstract_id

    def _num(self, abstract_id: int, start: int | None, level: int = 0) -> int:
        num_id = self.next_num
        self.next_num += 1
        num = OxmlElement("w:num", {qn("w:numId"): str(num_id)})
        etree.SubElement(num, qn("w:abstractNumId")).set(qn("w:val"), str(abstract_id))
        if start is not None:
            override = etree.SubElement(num, qn("w:lvlOverride"))
            override.set(qn("w:ilvl"), str(level))
            etree.SubElement(override, qn("w:startOverride")).set(qn("w:val"), str(start))
        self.element.append(num)
        return num_id


def _label_format(label: str | None) -> tuple[str, str, int]:
    """(numFmt, lvlText, start) from an item label such as '3.', '(a)' or 'iv)'."""
    label = (label or "").strip()
    for pattern, fmt in _LABEL_FORMATS:
        if pattern.match(label):
            core = label.strip("().")
            text = (
                ("(" if label.startswith("(") else "")
                + "%1"
                + (label[-1] if label[-1] in ".)" else "")
            )
            return fmt, text, _label_value(core, fmt)
    return "decimal", "%1.", 1


def _label_value(core: str, fmt: str) -> int:
    if fmt == "decimal":
        return int(core)
    if fmt in ("lowerLetter", "upperLetter"):
        return ord(core.lower()) - ord("a") + 1
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    total = 0
    for index, char in enumerate(core.lower()):
        value = values[char]
        following = values[core.lower()[index + 1]] if index + 1 < len(core) else 0
        total += -value if value < following else value
    return max(total, 1)
