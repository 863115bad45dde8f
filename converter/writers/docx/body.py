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
from converter.writers import edition, glyphs, xhtml
from converter.writers.docx.sizes import HEADING_FACTORS
from converter.writers.docx.styles import (
    PPR_ORDER,
    StyleSheet,
    ensure_child,
    one_line,
    put,
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

#: A cell's left and right padding (the Data Table style's), and room for the renderer's
#: rounding and the cell's borders.
CELL_PADDING_TWIPS = 2 * 113 + 60


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
class Segment:
    """A piece of inline content: text with its character style, language and link."""

    text: str = ""
    style: str | None = None
    language: str | None = None
    link: tuple[str, str] | None = None  # ("r:id", rId) or ("w:anchor", bookmark)
    bookmark: str | None = None  # a bookmark here instead of text
    note: NoteMark | None = None  # a citation of a Word footnote here instead of text


@dataclass(frozen=True)
class NoteMark:
    """A citation of a Word footnote: the first is the footnote reference itself, inside
    a bookmark; a later one is a NOTEREF field naming that bookmark, which shows the
    same number and leads to the same footnote (Word allows one reference a footnote)."""

    footnote: int  # the footnote's w:id: the number Word shows, footnotes made in order
    bookmark: str
    first: bool


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
    # Notes cited in the text that become Word footnotes (footnoted_notes): note id ->
    # the note, and the footnotes made so far (w:footnote elements for footnotes.xml).
    notes: dict[str, Element] = field(default_factory=dict)
    footnotes: list[Element] = field(default_factory=list)
    footnote_of: dict[str, NoteMark] = field(default_factory=dict)
    in_footnote: bool = False
    heading_ids: dict[str, list[str]] = field(default_factory=dict)
    _entries_seen: dict[str, int] = field(default_factory=dict)
    images: dict[str, StoredImage] = field(default_factory=dict)
    picture_count: int = 0
    easy_read: bool = False  # the Easy Read edition: its attribution on a page of its own

    def __post_init__(self) -> None:
        self.numbering = _Numbering(self.document.part.numbering_part.element)

    # front page ------------------------------------------------------------------------

    def front_page(self, root: Element) -> None:
        """Title, subtitle, the document's dates, which edition this is and who made it from
        what (edition.title_page), then a page break."""
        self.judgement_labels = {
            one_line(label.text or "").casefold()
            for label in root.iterfind("meta/judgements/judgement/label")
        }
        self.notes = footnoted_notes(root)
        self.heading_ids = xhtml.heading_ids(root)
        profile = self.profile
        page = edition.title_page(
            root, edition.print_edition(profile.label, profile.font_size, profile.colours)
        )
        self.paragraph("title", [Segment(page.title)], bookmark_id="title")
        if page.subtitle:
            self.paragraph("subtitle", [Segment(page.subtitle)])
        for line in page.dates:
            self.paragraph("body", [Segment(line)])
        self.paragraph("version", [Segment(page.edition, style="strong"), Segment(" ")])
        self.paragraph("body", [Segment(page.origin)])
        self.page_break_before = True

    # blocks ----------------------------------------------------------------------------

    def blocks(self, container: Element, level: int) -> None:
        children = [child for child in container if isinstance(child.tag, str)]
        for group in edition.address_runs(children):
            for child in group:
                self.block(child, level)
            if len(group) > 1:
                self.keep_lines_together(len(group))

    def keep_lines_together(self, count: int) -> None:
        """The last ``count`` paragraphs are the lines of one address: no space between
        them and never split over a page."""
        for paragraph in self.paragraphs[-count:-1]:
            ppr = ensure_child(paragraph, "w:pPr", ("w:r", "w:hyperlink", "w:bookmarkStart"))
            put(ppr, "w:keepNext", PPR_ORDER)
            spacing = put(ppr, "w:spacing", PPR_ORDER, keep=True)
            spacing.set(qn("w:after"), "0")

    def block(self, element: Element, level: int) -> None:
        tag = element.tag
        if tag == "section" and element.get("role") == "contents":
            self.source_contents(element, level)
        elif tag == "section":
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
                segments.insert(0, Segment(f"{element.get('n')}. ", style="number-label"))
            self.paragraph("body", segments, bookmark_id=element.get("id"))
        elif tag == "list":
            self.add_list(element, depth=0)
        elif tag == "table":
            self.table(element)
        elif tag == "note" and element.get("id") in self.notes:
            pass  # a cited note is a footnote at its first citation
        elif tag == "note":
            segments = self.segments(element)
            segments.insert(0, Segment(f"{_note_label(element)} ", style="strong"))
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
            self.paragraph("body", [Segment(text)], bookmark_id=element.get("id"))
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
        widths = column_widths(
            grid, columns, int(text_width), self.profile.font_size, len(head_rows)
        )
        etree.SubElement(tbl_pr, qn("w:tblLayout")).set(qn("w:type"), "fixed")
        # tblLayout sits before tblLook in CT_TblPr: move it there.
        layout = tbl_pr.find(qn("w:tblLayout"))
        assert layout is not None
        look.addprevious(layout)
        tbl_grid = etree.SubElement(tbl, qn("w:tblGrid"))
        for width_twips in widths:
            etree.SubElement(tbl_grid, qn("w:gridCol")).set(qn("w:w"), str(width_twips))
        for index, row in enumerate(grid):
            in_head = index < len(head_rows)
            tr = etree.SubElement(tbl, qn("w:tr"))
            tr_pr = etree.SubElement(tr, qn("w:trPr"))
            if in_head or self.short_row(row, widths):
                # A short row is kept whole on its page.  A tall one may break: LibreOffice
                # drops the rest of a table after a cantSplit row that does not fit.
                etree.SubElement(tr_pr, qn("w:cantSplit"))
            if in_head:
                etree.SubElement(tr_pr, qn("w:tblHeader"))
            for position, slot in enumerate(row):
                tc = etree.SubElement(tr, qn("w:tc"))
                tc_pr = etree.SubElement(tc, qn("w:tcPr"))
                tc_width = etree.SubElement(tc_pr, qn("w:tcW"))
                first = sum(s.colspan for s in row[:position])
                tc_width.set(qn("w:w"), str(sum(widths[first : first + slot.colspan])))
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

    def short_row(self, row: list[_Slot], widths: list[int]) -> bool:
        """Whether a row's tallest cell takes three lines or fewer at the print size."""
        lines: list[float] = []
        column = 0
        for slot in row:
            room = sum(widths[column : column + slot.colspan]) - CELL_PADDING_TWIPS
            column += slot.colspan
            if slot.cell is None:
                continue
            text = one_line(canonical.text_content(slot.cell))
            lines.append(glyphs.text_width(text, self.profile.font_size) * 20 / max(room, 1))
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
        segments: list[Segment],
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

    def bookmark(self, element_id: str, *, exact: bool = False) -> tuple[Element, Element]:
        """A bookmark for an id (``exact``: the name itself, a hidden one of ours)."""
        name = element_id if exact else bookmark_name(element_id)
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
        self, role: str, segments: list[Segment], *, numbering: tuple[int, int] | None = None
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
            if segment.note is not None:
                target.extend(self.note_runs(segment.note))
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

    # notes and the source's contents --------------------------------------------------

    def note_reference(self, reference: Element, base: Segment) -> list[Segment]:
        """' [note 2]', set off from the word before by a space, never glued to it.  A
        note that is a Word footnote (footnoted_notes) is one at its first citation, and
        a later citation repeats its number by a NOTEREF field; any other note stays
        where the source put it, and its citation is a link to it."""
        note_id = reference.get("ref", "")
        marker = one_line(canonical.text_content(reference))
        note = self.notes.get(note_id)
        strong = Segment("", "strong", base.language, base.link)
        if note is None or self.in_footnote:
            # A note in the text (or one cited from inside a footnote, where Word allows no
            # footnote reference): a link to the note's bookmark when there is such a note.
            link = base.link or ("w:anchor", bookmark_name(note_id))
            text = f"[note {marker}]" if marker else "[note]"
            return [Segment(" "), dataclasses.replace(strong, text=text, link=link)]
        opening = dataclasses.replace(strong, text=" [note ")
        closing = dataclasses.replace(strong, text="]")
        if note_id in self.footnote_of:
            first = self.footnote_of[note_id]
            later = NoteMark(first.footnote, first.bookmark, first=False)
            return [opening, Segment(note=later), closing]
        number = len(self.footnotes) + 1
        mark = NoteMark(number, f"_Ref_note_{number}", first=True)
        self.footnote_of[note_id] = mark
        footnote = OxmlElement("w:footnote", {qn("w:id"): str(number)})
        self.in_footnote = True
        paragraph = self.make_paragraph("note", self.segments(note))
        self.in_footnote = False
        # Word's footnote number first (w:footnoteRef, where Word and LibreOffice both
        # expect it), bold at body size, then the note's text.
        number_run = OxmlElement("w:r")
        rpr = etree.SubElement(number_run, qn("w:rPr"))
        reference_style = self.styles.ids["footnote-reference"]
        etree.SubElement(rpr, qn("w:rStyle")).set(qn("w:val"), reference_style)
        etree.SubElement(number_run, qn("w:footnoteRef"))
        space = OxmlElement("w:r")
        gap = etree.SubElement(space, qn("w:t"))
        gap.text = " "
        gap.set(f"{{{canonical.XML_NS}}}space", "preserve")
        ppr = paragraph.find(qn("w:pPr"))
        assert ppr is not None
        ppr.addnext(space)
        ppr.addnext(number_run)
        footnote.append(paragraph)
        self.footnotes.append(footnote)
        return [opening, Segment(note=mark), closing]

    def note_runs(self, mark: NoteMark) -> list[Element]:
        """The runs of a footnote citation, bold at body size (never a small superscript):
        the footnote reference in its bookmark, or a NOTEREF field to that bookmark (its
        result the same number, a link to the footnote)."""

        def run(child: str, style: str = "strong", **attributes: str) -> Element:
            element = OxmlElement("w:r")
            rpr = etree.SubElement(element, qn("w:rPr"))
            etree.SubElement(rpr, qn("w:rStyle")).set(qn("w:val"), self.styles.ids[style])
            inner = etree.SubElement(element, qn(child))
            for name, value in attributes.items():
                inner.set(qn(name), value)
            return element

        if mark.first:
            start, end = self.bookmark(mark.bookmark, exact=True)
            reference = run(
                "w:footnoteReference", "footnote-reference", **{"w:id": str(mark.footnote)}
            )
            return [start, reference, end]
        instruction = run("w:instrText")
        text = instruction[-1]
        text.text = f" NOTEREF {mark.bookmark} \\h "
        text.set(f"{{{canonical.XML_NS}}}space", "preserve")
        result = run("w:t")
        result[-1].text = str(mark.footnote)
        return [
            run("w:fldChar", **{"w:fldCharType": "begin"}),
            instruction,
            run("w:fldChar", **{"w:fldCharType": "separate"}),
            result,
            run("w:fldChar", **{"w:fldCharType": "end"}),
        ]

    def source_contents(self, section: Element, level: int) -> None:
        """The source's own contents page as the document's contents: its heading, then
        each entry a link to the section it names with that section's page number (a
        PAGEREF field, which Word and LibreOffice fill in)."""
        heading = section.find("heading")
        if heading is not None:
            self.paragraph(
                f"heading{min(level, max(HEADING_FACTORS))}",
                self.segments(heading),
                bookmark_id=heading.get("id"),
            )
        for child in section:
            if child.tag == "list":
                for item in child.iter("item"):
                    self.contents_entry(item)
            elif isinstance(child.tag, str) and child.tag != "heading":
                self.block(child, level + 1)

    def contents_entry(self, item: Element) -> None:
        key = xhtml.entry_key(canonical.text_content(item))
        targets = self.heading_ids.get(key, [])
        seen = self._entries_seen.get(key, 0)
        self._entries_seen[key] = seen + 1
        segments = self.segments(item, with_blocks=False)
        if not targets:
            self.paragraph("toc1", segments, bookmark_id=item.get("id"))
            return
        target = bookmark_name(targets[min(seen, len(targets) - 1)])
        linked = [
            Segment(s.text, s.style, s.language, ("w:anchor", target), s.bookmark, s.note)
            for s in segments
        ]
        paragraph = self.make_paragraph("toc1", linked)
        paragraph.extend(page_reference(target))
        if item.get("id"):
            self.pending_bookmarks.insert(0, str(item.get("id")))
        self.flush_into_next(paragraph)

    # inline ----------------------------------------------------------------------------

    def segments(
        self, element: Element | None, base: Segment | None = None, *, with_blocks: bool = True
    ) -> list[Segment]:
        """The inline content of an element as styled segments, in order."""
        if element is None:
            return []
        base = base or Segment()
        out: list[Segment] = []
        if element.text:
            out.append(_with_text(base, element.text))
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                pass
            elif tag == "pagebreak":
                out.append(Segment(bookmark=f"page-{child.get('page', '')}", link=base.link))
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
                out.extend(self.note_reference(child, base))
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


def footnoted_notes(root: Element) -> dict[str, Element]:
    """The cited notes that become Word footnotes, by id: all of them when Word's own
    numbering (1, 2, 3 in the order they are first cited) gives each the mark the source
    gives it, and no note left in the text has one of those marks; else none, and every
    note stays where the source put it, its citations links to it.  A copy never shows
    one number for two notes, and its notes keep the marks of the print and of every
    other copy."""
    notes = {str(note.get("id")): note for note in root.iter("note")}
    order: list[str] = []
    for reference in root.iter("noteref"):
        note_id = reference.get("ref", "")
        inside_note = any(a.tag == "note" for a in reference.iterancestors())
        if note_id in notes and note_id not in order and not inside_note:
            order.append(note_id)
    marks = [notes[note_id].get("label") for note_id in order]
    in_text = {n.get("label") for note_id, n in notes.items() if note_id not in order}
    if marks != [str(number) for number in range(1, len(order) + 1)] or in_text & set(marks):
        return {}
    return {note_id: notes[note_id] for note_id in order}


def _note_label(note: Element) -> str:
    return f"Note {note.get('label')}:" if note.get("label") else "Note:"


def page_reference(bookmark: str) -> list[Element]:
    """A tab, then a PAGEREF field giving the page of a bookmark (its cached result empty:
    Word fills it in when it updates fields on opening, LibreOffice when it lays out)."""
    runs: list[Element] = []
    tab = OxmlElement("w:r")
    etree.SubElement(tab, qn("w:tab"))
    runs.append(tab)
    for kind, instruction in (
        ("begin", None),
        (None, f" PAGEREF {bookmark} \\h "),
        ("separate", None),
        ("end", None),
    ):
        run = OxmlElement("w:r")
        if kind is not None:
            etree.SubElement(run, qn("w:fldChar")).set(qn("w:fldCharType"), kind)
        else:
            text = etree.SubElement(run, qn("w:instrText"))
            text.text = instruction
            text.set(f"{{{canonical.XML_NS}}}space", "preserve")
        runs.append(run)
    return runs


def _derive(base: Segment, **changes: object) -> Segment:
    return dataclasses.replace(base, text="", bookmark=None, **changes)  # type: ignore[arg-type]


def _with_text(base: Segment, text: str) -> Segment:
    return Segment(text, base.style, base.language, base.link)


def _normalise(segments: list[Segment]) -> Iterator[Segment]:
    """Collapse white space across segments: no leading, trailing or doubled spaces."""
    cleaned: list[Segment] = []
    after_space = True
    for segment in segments:
        if segment.bookmark is not None:
            cleaned.append(segment)
            continue
        text = _SPACE.sub(" ", segment.text)
        if after_space:
            text = text.lstrip(" ")
        if not text and segment.note is None:
            continue
        after_space = text.endswith(" ") if text else after_space
        cleaned.append(
            Segment(text, segment.style, segment.language, segment.link, note=segment.note)
        )
    for segment in reversed(cleaned):
        if segment.bookmark is None and segment.note is None:
            segment.text = segment.text.rstrip(" ")
            break
    return (s for s in cleaned if s.bookmark is not None or s.note is not None or s.text)


def bookmark_name(element_id: str) -> str:
    """A Word bookmark name for an id: letters, digits and underscores, at most 40."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", element_id) or "x"
    if not name[0].isalpha():
        name = f"b{name}"
    return name[:40]


# -- tables -------------------------------------------------------------------------------


def column_widths(
    grid: list[list[_Slot]], columns: int, total: int, font_size: float, head_rows: int = 0
) -> list[int]:
    """Column widths in twips from the cells' text measured in our font, as a browser lays
    out a table: each column at least as wide as its longest word, the rest of the text
    width shared in proportion to how much more each column's longest text needs (a grade
    column stays narrow beside a long judgement)."""
    least = [0.0] * columns  # points: the longest word
    most = [0.0] * columns  # points: the longest cell text on one line
    for index, row in enumerate(grid):
        column = 0
        for slot in row:
            if slot.cell is not None and slot.colspan == 1 and slot.merge != "continue":
                bold = index < head_rows or slot.cell.get("header") == "true"
                weight = "Bold" if bold else "Regular"
                text = one_line(canonical.text_content(slot.cell))
                longest_word = max(
                    (glyphs.text_width(word, font_size, weight) for word in text.split()),
                    default=0.0,
                )
                least[column] = max(least[column], longest_word)
                most[column] = max(most[column], glyphs.text_width(text, font_size, weight))
            column += slot.colspan
    minimum = [int(points * 20) + CELL_PADDING_TWIPS for points in least]
    wanted = [int(points * 20) + CELL_PADDING_TWIPS for points in most]
    if sum(minimum) >= total:  # even the longest words do not fit: share by them
        return [int(total * m / sum(minimum)) for m in minimum]
    if sum(wanted) <= total:  # everything fits on one line: share the spare room by need
        spare = total - sum(wanted)
        return [w + int(spare * w / sum(wanted)) for w in wanted]
    room = total - sum(minimum)
    extra = [w - m for w, m in zip(wanted, minimum, strict=True)]
    return [m + int(room * e / sum(extra)) for m, e in zip(minimum, extra, strict=True)]


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
