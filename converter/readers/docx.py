"""Read a Word document (.docx): the structure its author gave it, and what was typed by hand.

Real structure comes from the package (python-docx opens it, lxml reads the parts):
heading styles and outline levels (custom styles based on headings too), Title and
Subtitle, list numbering as Word prints it, tables with header rows and merged cells,
captions, footnotes and endnotes, hyperlinks, images with their descriptions or the
decorative mark, language, core properties and page breaks.  Structure made by hand (a
bold one-line paragraph for a heading, "1." typed before a paragraph) is recovered by the
same rules as plain text: the paragraphs go to :func:`converter.recovery.recover` as
source lines with their layout (bold, size, heading level), and its decisions are taken
for those paragraphs only (see :mod:`converter.readers.docx_recovery`).

Tracked changes are read accepted, and counted (the structure review says they were
pending); comments, hidden text, field instructions and the writer's own contents field
are not content.  ``src`` numbers the document's paragraphs in order.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from dataclasses import dataclass, field

from lxml import etree

from converter import images as stored_images
from converter.readers import docx_recovery
from converter.readers.docx_package import WordPackage, open_package
from converter.readers.docx_recovery import Piece
from converter.readers.docx_styles import ListLabel, Numbering, Styles, format_number, on, val, w
from converter.readers.outline import Block, Outline
from converter.recovery.build import Ids
from converter.tree import SCHEMA_VERSION, XML_LANG, append_text

Element = etree._Element

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
V_NS = "urn:schemas-microsoft-com:vml"
O_NS = "urn:schemas-microsoft-com:office:office"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
ADEC_NS = "http://schemas.microsoft.com/office/drawing/2017/decorative"
PIC_NS = "http://schemas.openxmlformats.org/drawingml/2006/picture"
CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DC_NS = "http://purl.org/dc/elements/1.1/"
APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPACE = re.compile(r"\s+")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_SAFE_HREF = re.compile(r"^(?:https?://|mailto:|tel:)", re.IGNORECASE)
_HYPERLINK_FIELD = re.compile(r'^\s*HYPERLINK\s+(?:"([^"]*)"|(\S+))?(?:.*?\\l\s+"([^"]*)")?', re.I)
_FIELD_NAME = re.compile(r"^\s*(\w+)")
#: A note reference printed in brackets with the word "note" ("[note 2]", as this
#: program's copies print one): the print's way of showing the reference, not text.
_BRACKET_BEFORE = re.compile(r"\s*\[\s*(?:note|footnote|endnote)\s*$", re.IGNORECASE)
_BRACKET_AFTER = re.compile(r"^\s*\]")
#: A note's mark as printed beside it: "Note 2:", "[note 2]", "2".
_PRINTED_MARK = re.compile(
    r"^\[?\s*(?:note|footnote|endnote)\s+(\S{1,6}?)\s*[\]:]?$", re.IGNORECASE
)
#: Revision marks: each is one tracked change still pending in the file.
_REVISIONS = tuple(
    w(name)
    for name in (
        "ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "sectPrChange",
        "tblPrChange", "trPrChange", "tcPrChange", "tblGridChange", "numberingChange",
        "cellIns", "cellDel", "cellMerge",
    )
)  # fmt: skip
#: What the DOCX writer says of a header row it added to a table that had none.
_ADDED_HEADER = "the original table has no header row; converter added one"
#: Page breaks, and the start of a page as Word last laid the document out.
_SECTION_PAGE = ("nextPage", "oddPage", "evenPage")
#: Inline wrappers whose content is read as if they were not there.
_TRANSPARENT = tuple(
    w(name) for name in ("ins", "moveTo", "smartTag", "customXml", "dir", "bdo", "fldSimple")
)
_SKIPPED = tuple(w(name) for name in ("del", "moveFrom", "rPr", "pPr"))


def read(data: bytes, *, name: str) -> Element:
    package = open_package(data, name=name)
    return DocxReader(package).tree()


# -- what one paragraph holds -------------------------------------------------------------


@dataclass
class _Segment:
    """A piece of inline text and how it is marked."""

    text: str = ""
    strong: bool = False
    em: bool = False
    href: str | None = None
    language: str | None = None
    noteref: tuple[str, str] | None = None  # (note id, label)
    page: int | None = None  # a page starts here
    number: bool = False  # in the Paragraph Number style: a numbered paragraph's number


@dataclass
class _Figure:
    element: Element  # the canonical figure, without id
    page: int


@dataclass
class _Paragraph:
    """One w:p read: its inline content and everything met inside it."""

    number: int
    page: int
    style: str | None
    segments: list[_Segment] = field(default_factory=list)
    figures: list[_Figure] = field(default_factory=list)
    inner: list[Block] = field(default_factory=list)  # text boxes: blocks of their own
    bookmarks: list[str] = field(default_factory=list)
    bold_runs: int = 0
    text_runs: int = 0
    sizes: list[float] = field(default_factory=list)

    @property
    def text(self) -> str:
        return _SPACE.sub(" ", "".join(s.text for s in self.segments)).strip()


@dataclass
class _Field:
    instruction: str = ""
    in_result: bool = False
    href: str | None = None
    anchor: str | None = None
    kind: str = ""
    bookmark: str | None = None  # the bookmark a NOTEREF or PAGEREF field names


class DocxReader:
    """Walks the document once into pieces, decides structure, builds the tree."""

    def __init__(self, package: WordPackage) -> None:
        self.package = package
        self.styles = Styles(package.styles)
        self.numbering = Numbering(package.numbering, self.styles)
        self.language = _document_language(package, self.styles)
        self.images = stored_images.ImageStore()
        self.ids = Ids()
        self.number = 0  # paragraphs met so far (src)
        self.page = 1
        self.rendered_pages = any(True for _ in package.document.iter(w("lastRenderedPageBreak")))
        self.fields: list[_Field] = []
        self.pieces: list[Piece] = []
        self.footnotes = _notes_by_id(package.footnotes, "footnote")
        self.endnotes = _notes_by_id(package.endnotes, "endnote")
        self.note_ids: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, w:id) -> (id, label)
        self.note_bookmarks: dict[str, str] = {}  # bookmark on a note paragraph -> note id
        # Bookmark around a footnote or endnote reference -> (kind, w:id): what a NOTEREF
        # field citing that note again names.
        self.noteref_targets: dict[str, tuple[str, str]] = {}
        self.note_formats = _note_formats(package.settings)
        self.carried: list[_Segment] = []  # text of a paragraph whose mark was deleted
        self.run_cache: dict[tuple[str | None, str | None], tuple[bool, bool, float | None]] = {}
        self.in_notes = False
        self.endnote_blocks: list[Block] = []
        # The title page of a copy this program made (its note about the copy in the
        # "Version Note" style): the copy's, not the document's; its title stays the title.
        self.copy_title_page: list[Element] = []
        self.part = "main"  # whose relationships r:id attributes name

    # -- the whole document ---------------------------------------------------------------

    def tree(self) -> Element:
        body = self.package.document.find(w("body"))
        self._reserve_note_bookmarks(body)
        self.copy_title_page = self._copy_title_page(body)
        if body is not None:
            self.container(body)
        for block in self.endnote_blocks:  # endnotes close the document
            block.deferred = False
            self._add(block, "note")
        return self.build()

    def build(self) -> Element:
        root = etree.Element("report", {"schema-version": SCHEMA_VERSION})
        root.set(XML_LANG, self.language)
        root.set("variant", "full")
        meta = etree.SubElement(root, "meta")
        etree.SubElement(root, "body")
        decided = docx_recovery.decide(self.pieces, language=self.language)
        title, subtitle = self._title(decided)
        etree.SubElement(meta, "title").text = title
        if subtitle:
            etree.SubElement(meta, "subtitle").text = subtitle
        facts = decided.meta
        etree.SubElement(meta, "kind").text = (
            facts.findtext("kind") if facts is not None else "generic"
        )
        subject = _core_text(self.package.core, f"{{{DC_NS}}}subject")
        for name in ("subject", "publisher"):
            value = facts.findtext(name) if facts is not None else None
            if name == "subject" and not value and subject and subject != title:
                value = subject
            if name == "publisher" and not value:
                value = _core_text(self.package.app, f"{{{APP_NS}}}Company")
            if value:
                etree.SubElement(meta, name).text = value
        if facts is not None:
            for kept in facts.iterfind("date"):
                meta.append(kept)
            for kept in facts.iterfind("person"):
                meta.append(kept)
        source = etree.SubElement(
            meta, "source", {"name": "", "sha256": "0" * 64, "format": "docx"}
        )
        if self.page > 1:
            source.set("pages", str(self.page))
        changes = _count_revisions(self.package)
        if changes:
            source.set("tracked-changes", str(changes))
        if facts is not None and facts.find("judgements") is not None:
            meta.append(facts.find("judgements"))  # type: ignore[arg-type]
        outline = Outline(root, self.ids)
        for piece in decided.pieces:
            outline.add(piece.block)
        outline.finish()
        self.images.attach(root)
        return root

    def _title(self, decided: docx_recovery.Decided) -> tuple[str, str | None]:
        """The title: the Title style, else the first heading if the document opens with
        one, else what recovery found, else the document's properties."""
        title = (
            decided.title
            or _core_text(self.package.core, f"{{{DC_NS}}}title")
            or decided.fallback_title
        )
        return _xml_text(title or "Untitled document")[:1000], decided.subtitle

    # -- blocks ---------------------------------------------------------------------------

    def container(self, parent: Element) -> None:
        """Read the blocks of a body, a content control, a text box or a table cell."""
        for child in parent:
            tag = child.tag
            if tag == w("p"):
                self.paragraph(child)
            elif tag == w("tbl"):
                self.table(child)
            elif tag == w("sdt"):
                if not _is_contents_control(child):
                    content = child.find(w("sdtContent"))
                    if content is not None:
                        self.container(content)
            elif tag == w("customXml"):
                self.container(child)
            elif tag == f"{{{MC_NS}}}AlternateContent":
                choice = child.find(f"{{{MC_NS}}}Choice")
                if choice is not None:
                    self.container(choice)

    def paragraph(self, element: Element) -> None:
        self.number += 1
        ppr = element.find(w("pPr"))
        style = val(ppr.find(w("pStyle"))) if ppr is not None else None
        read = _Paragraph(self.number, self.page, style)
        if self.carried:
            read.segments.extend(self.carried)
            self.carried = []
        break_before = (ppr is not None and on(ppr.find(w("pageBreakBefore")))) or (
            (ppr is None or ppr.find(w("pageBreakBefore")) is None)
            and on(self.styles.paragraph_property(style, "pageBreakBefore"))
        )
        if break_before and not self.rendered_pages and (self.pieces or read.segments):
            self._turn_page(read)
        self.inline(element, read, style)
        role = self.styles.role(style)
        mark_deleted = ppr is not None and ppr.find(f"{w('rPr')}/{w('del')}") is not None
        following = element.getnext()
        if mark_deleted and following is not None and following.tag == w("p"):
            # Accepting the deletion of a paragraph mark joins this paragraph to the next.
            self.carried = [*read.segments, _Segment(" ")]
            read.segments = []
        section = ppr.find(w("sectPr")) if ppr is not None else None
        own_title_page = any(element is p for p in self.copy_title_page)
        self._emit_paragraph(read, role, ppr, style, own_title_page=own_title_page)
        if section is not None and not self.rendered_pages:
            kind = val(section.find(w("type")), "nextPage")
            if kind in _SECTION_PAGE and element.getnext() is not None:
                self.page += 1
                self._add(Block("pagebreak", page=self.page), "pagebreak")

    def _copy_title_page(self, body: Element | None) -> list[Element]:
        """The paragraphs of the first page when one of them is this program's note about
        the copy ("Version Note"): a copy read back is read without the copy's own page."""
        first_page: list[Element] = []
        for child in body if body is not None else []:
            if child.tag != w("p"):
                break
            ppr = child.find(w("pPr"))
            style = val(ppr.find(w("pStyle"))) if ppr is not None else None
            starts_page = (ppr is not None and on(ppr.find(w("pageBreakBefore")))) or on(
                self.styles.paragraph_property(style, "pageBreakBefore")
            )
            if starts_page and first_page:
                break
            first_page.append(child)
            if any(b.get(w("type")) == "page" for b in child.iter(w("br"))):
                break
            if ppr is not None and ppr.find(w("sectPr")) is not None:
                break
        versions = [p for p in first_page if self._role_of(p) == "version"]
        return first_page if versions else []

    def _role_of(self, paragraph: Element) -> str | None:
        ppr = paragraph.find(w("pPr"))
        return self.styles.role(val(ppr.find(w("pStyle"))) if ppr is not None else None)

    def _emit_paragraph(
        self,
        read: _Paragraph,
        role: str | None,
        ppr: Element | None,
        style: str | None,
        *,
        own_title_page: bool = False,
    ) -> None:
        # A page that starts before any text starts before the paragraph; one that starts
        # after all of it, after the paragraph.
        while read.segments and read.segments[0].page is not None and not read.segments[0].text:
            read.page = read.segments.pop(0).page or read.page
            self._add(Block("pagebreak", page=read.page), "pagebreak")
        trailing: list[int] = []
        while read.segments and read.segments[-1].page is not None and not read.segments[-1].text:
            trailing.insert(0, read.segments.pop().page or 1)
        if any(s.page is not None for s in read.segments) and not read.text:
            read.segments = [s for s in read.segments if s.page is None]
        text = read.text
        src = (read.number, read.number)
        if role == "toc" or (own_title_page and role not in ("title", "subtitle")):
            pass  # a contents heading (the writers make their own), or a copy's title page
        elif role == "toc-entry" and text:
            # An entry of a contents page written out as text (generated contents, inside
            # a TOC field, hold no text here): the document's own contents page, a list
            # (as the source's contents page of any copy of ours is).
            depth = self.styles.toc_level(style)
            content = _inline_element(read.segments)
            block = Block("item", content, src, read.page, level=depth, list_key="contents")
            self._add(block, "item", text)
        elif text:
            numbering = self._numbering(ppr, style)
            level = self.styles.heading_level(style)
            direct = _outline_level(ppr)
            level = direct or level
            bold = read.text_runs > 0 and read.bold_runs == read.text_runs
            size = max(read.sizes, default=None)
            if role == "note" and not self.in_notes:
                self._note_paragraph(read)
            elif role in ("title", "subtitle", "caption"):
                content = _inline_element(read.segments, heading=True)
                self._add(Block("p", content, src, read.page), role, text, bold, size)
            elif level is not None:
                if numbering is not None and numbering.ordered:
                    read.segments.insert(0, _Segment(f"{numbering.label} "))
                content = _inline_element(read.segments, heading=True)
                self._add(Block("heading", content, src, read.page, level=level), "heading", text)
            elif numbering is not None:
                content = _inline_element(read.segments)
                block = Block(
                    "item",
                    content,
                    src,
                    read.page,
                    level=numbering.level,
                    ordered=numbering.ordered,
                    label=numbering.label if numbering.ordered else None,
                    list_key=numbering.num_id if numbering.ordered else "bullet",
                )
                piece = self._add(block, "item", text)
                piece.numbered = numbering
            elif (
                self.styles.continues_list(style) and self.pieces and self.pieces[-1].kind == "item"
            ):
                last = self.pieces[-1]
                assert last.block.content is not None
                append_text(last.block.content, " ")
                _move_inline(_inline_element(read.segments), last.block.content)
                last.block.src = (last.block.src or src)[0], read.number
            else:
                number = _paragraph_number(read.segments)
                segments = read.segments
                if number is not None:  # the number leaves the text (it is the p's n)
                    first = next(s for s in segments if s.text.strip())
                    segments = [s for s in segments if s is not first]
                content = _inline_element(segments)
                block = Block("p", content, src, read.page, n=number)
                piece = self._add(block, "p", text, bold, size)
                piece.plain = number is None
        if not own_title_page:
            for figure in read.figures:
                self._add(Block("figure", figure.element, src, figure.page), "figure")
            for block in read.inner:
                self._add(block, block.kind)
        for page in trailing:
            self._add(Block("pagebreak", page=page), "pagebreak")

    def _numbering(self, ppr: Element | None, style: str | None) -> ListLabel | None:
        num_pr = ppr.find(w("numPr")) if ppr is not None else None
        if num_pr is None:
            num_pr = self.styles.paragraph_property(style, "numPr")
        if num_pr is None:
            return None
        num_id = val(num_pr.find(w("numId")))
        if num_id is None and ppr is not None and ppr.find(w("numPr")) is not None:
            style_pr = self.styles.paragraph_property(style, "numPr")
            num_id = val(style_pr.find(w("numId"))) if style_pr is not None else None
        level = val(num_pr.find(w("ilvl")), "0") or "0"
        if num_id is None:
            return None
        found = self.numbering.label(num_id, int(level) if level.isdigit() else 0)
        depth = self.styles.list_style_depth(style)
        if found is not None and found.level == 0 and depth > 1:
            # "List Bullet 2" numbers its own list at level 0, indented as a second level.
            return dataclasses.replace(found, level=depth - 1)
        return found

    def _add(
        self,
        block: Block,
        kind: str,
        text: str = "",
        bold: bool = False,
        size: float | None = None,
    ) -> Piece:
        piece = Piece(block, kind, text, bold, size)
        self.pieces.append(piece)
        return piece

    def _turn_page(self, read: _Paragraph | None = None) -> None:
        self.page += 1
        if read is not None:
            read.segments.append(_Segment(page=self.page))

    # -- tables ---------------------------------------------------------------------------

    def table(self, element: Element) -> None:
        rows = _children(element, "tr")
        cells = [_children(row, "tc") for row in rows]
        if not any(cells):
            return
        if len(rows) == 1 and len(cells[0]) == 1:
            # A box drawn round some text (one row, one cell) is layout: read its blocks.
            self.container(cells[0][0])
            return
        first = self.number + 1
        page = self.page
        table = etree.Element("table")
        head_rows: list[Element] = []
        body_rows: list[Element] = []
        started: dict[int, Element] = {}  # grid column -> the cell a vertical merge began in
        hoisted: list[_Figure] = []
        hoisted_blocks: list[Block] = []
        in_head = True
        for row, row_cells in zip(rows, cells, strict=True):
            trpr = row.find(w("trPr"))
            header = in_head and trpr is not None and on(trpr.find(w("tblHeader"))) is True
            in_head = header
            canonical_row = etree.Element("row")
            column = 0
            for cell in row_cells:
                tcpr = cell.find(w("tcPr"))
                span = val(tcpr.find(w("gridSpan"))) if tcpr is not None else None
                colspan = int(span) if span and span.isdigit() and int(span) > 1 else 1
                merge = tcpr.find(w("vMerge")) if tcpr is not None else None
                content, figures, inner, header_style = self._cell(cell)
                hoisted.extend(figures)
                hoisted_blocks.extend(inner)
                if merge is not None and val(merge, "continue") == "continue" and column in started:
                    above = started[column]
                    above.set("rowspan", str(int(above.get("rowspan", "1")) + 1))
                    if content.text or len(content):
                        append_text(above, " ")
                        _move_inline(content, above)
                    column += colspan
                    continue
                canonical_cell = etree.SubElement(canonical_row, "cell")
                if header:
                    canonical_cell.set("header", "true")
                    canonical_cell.set("scope", "col")
                elif header_style:
                    canonical_cell.set("header", "true")
                    canonical_cell.set("scope", "row")
                if colspan > 1:
                    canonical_cell.set("colspan", str(colspan))
                _move_inline(content, canonical_cell)
                if merge is not None and val(merge, "continue") == "restart":
                    started[column] = canonical_cell
                else:
                    started.pop(column, None)
                column += colspan
            if len(canonical_row):
                (head_rows if header else body_rows).append(canonical_row)
        description = val(element.find(f"{w('tblPr')}/{w('tblDescription')}")) or ""
        if _ADDED_HEADER in description:
            head_rows = []  # a copy this program made: the header row was its own, not the table's
        if not body_rows:
            head_rows, body_rows = [], head_rows
            for cell in table.iter("cell"):
                for name in ("header", "scope"):
                    if name in cell.attrib:
                        del cell.attrib[name]
        if not body_rows:
            return
        if head_rows:
            head = etree.SubElement(table, "head")
            head.extend(head_rows)
        table.extend(body_rows)
        for cell in table.iter("cell"):
            _tidy(cell)
        piece = self._add(Block("table", table, (first, max(first, self.number)), page), "table")
        piece.text = " ".join(
            " | ".join("".join(str(t) for t in c.itertext()) for c in r.iterfind("cell"))
            for r in body_rows
        )
        for figure in hoisted:
            self._add(Block("figure", figure.element, piece.block.src, figure.page), "figure")
        for block in hoisted_blocks:  # notes cited and text boxes in the cells
            self._add(block, block.kind)

    def _cell(self, cell: Element) -> tuple[Element, list[_Figure], list[Block], bool]:
        """A cell's inline content (its paragraphs joined), the figures in it, and whether
        its paragraphs are all set in a table-heading style (a row header)."""
        content = etree.Element("cell")
        figures: list[_Figure] = []
        inner: list[Block] = []
        styles: list[str] = []
        for paragraph in _cell_paragraphs(cell):
            self.number += 1
            ppr = paragraph.find(w("pPr"))
            style = val(ppr.find(w("pStyle"))) if ppr is not None else None
            read = _Paragraph(self.number, self.page, style)
            self.inline(paragraph, read, style)
            figures.extend(read.figures)
            inner.extend(read.inner)
            read.segments = [s for s in read.segments if s.page is None]
            if not read.text:
                continue
            numbering = self._numbering(ppr, style)
            if numbering is not None and numbering.ordered:
                read.segments.insert(0, _Segment(f"{numbering.label} "))
            styles.append(" ".join(self.styles.names(style)))
            if len(content) or content.text:
                append_text(content, " ")
            _move_inline(_inline_element(read.segments), content)
        header_style = bool(styles) and all("table heading" in names for names in styles)
        return content, figures, inner, header_style

    # -- inline content -------------------------------------------------------------------

    def inline(self, parent: Element, read: _Paragraph, style: str | None) -> None:
        for child in parent:
            tag = child.tag
            if tag == w("r"):
                self.run(child, read, style)
            elif tag == w("hyperlink"):
                self.hyperlink(child, read, style)
            elif tag in _TRANSPARENT:
                if tag == w("fldSimple"):
                    simple = _field(child.get(w("instr"), ""), in_result=True)
                    if self._cites_note(simple, read):
                        continue  # its result is the note's mark, now a note reference
                    self.fields.append(simple)
                    self.inline(child, read, style)
                    self.fields.pop()
                else:
                    self.inline(child, read, style)
            elif tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None and not _is_contents_control(child):
                    self.inline(content, read, style)
            elif tag == w("bookmarkStart"):
                read.bookmarks.append(child.get(w("name"), ""))
            elif tag == f"{{{MC_NS}}}AlternateContent":
                choice = child.find(f"{{{MC_NS}}}Choice")
                if choice is not None:
                    self.inline(choice, read, style)
            elif tag in (f"{{{M_NS}}}oMath", f"{{{M_NS}}}oMathPara"):
                text = "".join(t.text or "" for t in child.iter(f"{{{M_NS}}}t"))
                self._text(read, text, style, None)
            elif tag == w("ruby"):
                base = child.find(w("rubyBase"))
                if base is not None:
                    self.inline(base, read, style)
            # Comments, proofing marks, permissions, deleted text: not content.

    def hyperlink(self, element: Element, read: _Paragraph, style: str | None) -> None:
        r_id = element.get(f"{{{R_NS}}}id")
        anchor = element.get(w("anchor"))
        href: str | None = None
        if r_id:
            target = self.package.related(r_id, self.part)
            if target is not None and target[0] == "external":
                href = str(target[1])
                if anchor:
                    href = f"{href}#{anchor}"
        start = len(read.segments)
        self.inline(element, read, style)
        added = read.segments[start:]
        note = self.note_bookmarks.get(anchor or "") if not href else None
        if note is not None:
            label = _SPACE.sub(" ", "".join(s.text for s in added)).strip()
            read.segments[start:] = [_Segment(noteref=(note, _printed_mark(label) or label or "*"))]
            return
        if href and _SAFE_HREF.match(href):
            for segment in added:
                if segment.href is None and segment.noteref is None:
                    segment.href = href

    def run(self, run: Element, read: _Paragraph, style: str | None) -> None:
        rpr = run.find(w("rPr"))
        run_style = val(rpr.find(w("rStyle"))) if rpr is not None else None
        if rpr is not None and on(rpr.find(w("vanish"))):
            return  # hidden text: not printed, not content
        children = list(run)
        index = 0
        while index < len(children):
            child = children[index]
            index += 1
            tag = child.tag
            if tag == w("fldChar"):
                self._field_char(child, read)
                continue
            if tag == w("instrText"):
                if self.fields and not self.fields[-1].in_result:
                    self.fields[-1].instruction += child.text or ""
                continue
            if self._in_instruction():
                continue
            if tag == w("lastRenderedPageBreak"):
                if self.rendered_pages and not self.in_notes:
                    self._turn_page(read)
            elif tag == w("br"):
                kind = child.get(w("type"), "textWrapping")
                if kind == "page" and not self.rendered_pages and not self.in_notes:
                    self._turn_page(read)
                else:
                    self._text(read, " ", style, rpr, run_style)
            elif self._in_contents() or self._in_result_of("NOTEREF"):
                continue  # generated contents, or a note's mark (read as its reference)
            elif self._in_result_of("PAGEREF") and self.styles.role(style) == "toc-entry":
                continue  # a contents entry's page number: a print artifact
            elif tag == w("t"):
                self._text(read, child.text or "", style, rpr, run_style)
            elif tag in (w("tab"), w("cr"), w("ptab")):
                self._text(read, " ", style, rpr, run_style)
            elif tag == w("noBreakHyphen"):
                self._text(read, "-", style, rpr, run_style)
            elif tag == w("sym"):
                code = child.get(w("char"), "")
                with contextlib.suppress(ValueError):
                    self._text(read, chr(int(code, 16)), style, rpr, run_style)
            elif tag in (w("footnoteReference"), w("endnoteReference")):
                kind = "footnote" if tag == w("footnoteReference") else "endnote"
                custom = None
                if child.get(w("customMarkFollows")) in ("1", "true", "on"):
                    # The mark the author typed follows the reference in the same run.
                    while index < len(children) and children[index].tag != w("t"):
                        index += 1
                    if index < len(children):
                        custom = (children[index].text or "").strip() or None
                        index += 1
                self._note_reference(read, kind, child.get(w("id"), ""), custom)
            elif tag in (w("drawing"), w("pict"), w("object")):
                self.drawing(child, read)
            elif tag == f"{{{MC_NS}}}AlternateContent":
                choice = child.find(f"{{{MC_NS}}}Choice")
                if choice is not None:
                    for inner in choice:
                        if inner.tag in (w("drawing"), w("pict")):
                            self.drawing(inner, read)
            # w:delText, w:commentReference, w:annotationRef, w:footnoteRef, w:separator,
            # w:softHyphen: nothing to read.

    def _text(
        self,
        read: _Paragraph,
        text: str,
        paragraph_style: str | None,
        rpr: Element | None,
        run_style: str | None = None,
    ) -> None:
        if not text:
            return
        text = _xml_text(text)
        bold, italic, size = self._run_format(paragraph_style, run_style)
        base_bold, base_italic, _ = self._run_format(paragraph_style, None)
        language = None
        if rpr is not None:
            direct_bold = on(rpr.find(w("b")))
            direct_italic = on(rpr.find(w("i")))
            bold = bold if direct_bold is None else direct_bold
            italic = italic if direct_italic is None else direct_italic
            size_value = val(rpr.find(w("sz")))
            if size_value and size_value.isdigit():
                size = int(size_value) / 2
            language = val(rpr.find(w("lang")))
        meaning = self.styles.character_meaning(run_style)
        strong = (bold and not base_bold) or meaning == "strong"
        em = (italic and not base_italic) or meaning == "em"
        if text.strip():
            read.text_runs += 1
            read.bold_runs += 1 if bold else 0
            if size is not None:
                read.sizes.append(size)
        href = None
        if self.fields and self.fields[-1].href and self.fields[-1].in_result:
            href = self.fields[-1].href
        if language is not None and (
            not _LANGUAGE.match(language) or _primary(language) == _primary(self.language)
        ):
            language = None
        segment = _Segment(text, strong, em, href, language)
        segment.number = meaning == "number"
        read.segments.append(segment)

    def _run_format(
        self, paragraph_style: str | None, run_style: str | None
    ) -> tuple[bool, bool, float | None]:
        key = (paragraph_style, run_style)
        cached = self.run_cache.get(key)
        if cached is None:
            bold = italic = False
            size: float | None = None
            for layer in self.styles.run_properties(paragraph_style, run_style):
                value = on(layer.find(w("b")))
                bold = bold if value is None else value
                value = on(layer.find(w("i")))
                italic = italic if value is None else value
                half_points = val(layer.find(w("sz")))
                if half_points and half_points.isdigit():
                    size = int(half_points) / 2
            cached = self.run_cache[key] = (bold, italic, size)
        return cached

    # -- fields ---------------------------------------------------------------------------

    def _field_char(self, element: Element, read: _Paragraph) -> None:
        kind = element.get(w("fldCharType"))
        if kind == "begin":
            self.fields.append(_Field())
        elif kind == "separate" and self.fields:
            current = self.fields[-1]
            parsed = _field(current.instruction, in_result=True)
            if parsed.kind == "NOTEREF" and not self._cites_note(parsed, read):
                parsed.kind = ""  # names no footnote: its result stays text
            self.fields[-1] = parsed
        elif kind == "end" and self.fields:
            self.fields.pop()

    def _cites_note(self, field: _Field, read: _Paragraph) -> bool:
        """A NOTEREF field naming the bookmark around a footnote's (or endnote's)
        reference cites that note again: a note reference, its result the mark."""
        target = self.noteref_targets.get(field.bookmark or "") if field.kind == "NOTEREF" else None
        if target is None:
            return False
        self._note_reference(read, target[0], target[1], None)
        return True

    def _in_instruction(self) -> bool:
        return any(not f.in_result for f in self.fields)

    def _in_result_of(self, kind: str) -> bool:
        return any(f.kind == kind and f.in_result for f in self.fields)

    def _in_contents(self) -> bool:
        return any(f.kind == "TOC" for f in self.fields)

    # -- notes ----------------------------------------------------------------------------

    def _reserve_note_bookmarks(self, body: Element | None) -> None:
        """Notes kept as paragraphs (in a note style, as this program's DOCX writer keeps
        them) are cited by links to a bookmark on them: give each its id first."""
        if body is None:
            return
        open_bookmarks: dict[str, str] = {}  # w:id -> name
        for element in body.iter(w("bookmarkStart"), w("bookmarkEnd"), *_NOTE_REFERENCES):
            if element.tag == w("bookmarkStart"):
                open_bookmarks[element.get(w("id"), "")] = element.get(w("name"), "")
            elif element.tag == w("bookmarkEnd"):
                open_bookmarks.pop(element.get(w("id"), ""), None)
            else:
                kind = "footnote" if element.tag == w("footnoteReference") else "endnote"
                for name in open_bookmarks.values():
                    self.noteref_targets.setdefault(name, (kind, element.get(w("id"), "")))
        for paragraph in body.iter(w("p")):
            ppr = paragraph.find(w("pPr"))
            style = val(ppr.find(w("pStyle"))) if ppr is not None else None
            if self.styles.role(style) != "note":
                continue
            names = [b.get(w("name"), "") for b in paragraph.iter(w("bookmarkStart"))]
            if names:
                ident = self.ids.next("note")
                for name in names:
                    self.note_bookmarks[name] = ident

    def _note_paragraph(self, read: _Paragraph) -> None:
        """A note kept as a paragraph: its leading bold mark is its label."""
        ident = None
        for name in read.bookmarks:
            ident = self.note_bookmarks.get(name) or ident
        label = None
        segments = list(read.segments)
        while segments and not segments[0].text.strip() and segments[0].noteref is None:
            segments.pop(0)
        if segments and segments[0].strong and _printed_mark(segments[0].text) is not None:
            label = _printed_mark(segments.pop(0).text)
        content = _inline_element(segments)
        block = Block(
            "note", content, (read.number, read.number), read.page, label=label, ident=ident
        )
        self._add(block, "note", read.text)

    def _note_reference(
        self, read: _Paragraph, kind: str, note_id: str, custom: str | None
    ) -> None:
        key = (kind, note_id)
        if key not in self.note_ids:
            source = (self.footnotes if kind == "footnote" else self.endnotes).get(note_id)
            if source is None:
                return
            count = sum(1 for k in self.note_ids if k[0] == kind) + 1
            label = custom or format_number(count, self.note_formats[kind])
            prefix = "note" if kind == "footnote" else "endnote"
            ident = self.ids.unique(f"{prefix}-{label}" if label.isalnum() else prefix)
            self.note_ids[key] = (ident, label)
            self._read_note(source, ident, label, read, endnote=kind == "endnote")
        ident, label = self.note_ids[key]
        read.segments.append(_Segment(noteref=(ident, label)))

    def _read_note(
        self, source: Element, ident: str, label: str, citing: _Paragraph, *, endnote: bool
    ) -> None:
        """A footnote's or endnote's paragraphs, as one note placed after its section
        (an endnote at the document's end)."""
        saved_fields, self.fields = self.fields, []
        saved_notes, self.in_notes = self.in_notes, True
        saved_part, self.part = self.part, "endnotes" if endnote else "footnotes"
        read = _Paragraph(citing.number, citing.page, None)
        for paragraph in source.iter(w("p")):
            ppr = paragraph.find(w("pPr"))
            style = val(ppr.find(w("pStyle"))) if ppr is not None else None
            if read.segments:
                read.segments.append(_Segment(" "))
            self.inline(paragraph, read, style)
        self.fields, self.in_notes, self.part = saved_fields, saved_notes, saved_part
        content = _inline_element([s for s in read.segments if s.page is None])
        block = Block(
            "note",
            content,
            (citing.number, citing.number),
            citing.page,
            label=label,
            ident=ident,
            deferred=True,
        )
        if endnote:
            self.endnote_blocks.append(block)
        else:
            citing.inner.append(block)

    # -- images ---------------------------------------------------------------------------

    def drawing(self, element: Element, read: _Paragraph) -> None:
        """A DrawingML or VML drawing: pictures become figures, text boxes their text."""
        if element.tag == w("drawing"):
            for frame in element:
                self._frame(frame, read)
        else:
            self._vml(element, read)

    def _frame(self, frame: Element, read: _Paragraph) -> None:
        properties = frame.find(f"{{{WP_NS}}}docPr")
        if properties is not None and properties.get("hidden") in ("1", "true"):
            return
        description = (properties.get("descr") or "").strip() if properties is not None else ""
        title = (properties.get("title") or "").strip() if properties is not None else ""
        name = properties.get("name") if properties is not None else None
        decorative = properties is not None and any(
            d.get("val") in ("1", "true") for d in properties.iter(f"{{{ADEC_NS}}}decorative")
        )
        pictures = list(frame.iter(f"{{{PIC_NS}}}pic"))
        charts = [g for g in frame.iter(f"{{{A_NS}}}graphicData") if g.get("uri") == CHART_URI]
        if len(pictures) > 1:
            # A group of pictures: each has its own name and description.
            for picture in pictures:
                own = picture.find(f".//{{{PIC_NS}}}cNvPr")
                own_description = (
                    (own.get("descr") or own.get("title") or "") if own is not None else ""
                )
                self._figure(
                    read,
                    picture.find(f".//{{{A_NS}}}blip"),
                    own_description.strip() or description or title,
                    decorative,
                    own.get("name") if own is not None else name,
                )
        elif pictures or charts:
            blip = next(frame.iter(f"{{{A_NS}}}blip"), None)
            self._figure(read, blip, description or title, decorative, name)
        for box in frame.iter(w("txbxContent")):
            self._text_box(box, read)

    def _vml(self, element: Element, read: _Paragraph) -> None:
        for shape in element.iter(f"{{{V_NS}}}shape", f"{{{V_NS}}}rect", f"{{{V_NS}}}roundrect"):
            data = shape.find(f"{{{V_NS}}}imagedata")
            if data is not None:
                description = (shape.get("alt") or data.get(f"{{{O_NS}}}title") or "").strip()
                self._figure(read, data, description, False, shape.get("id"), vml=True)
            for box in shape.iter(w("txbxContent")):
                self._text_box(box, read)

    def _figure(
        self,
        read: _Paragraph,
        blip: Element | None,
        description: str,
        decorative: bool,
        name: str | None,
        *,
        vml: bool = False,
    ) -> None:
        figure = etree.Element("figure")
        if decorative:
            figure.set("decorative", "true")
        image = etree.SubElement(figure, "image")
        if name:
            image.set("name", _xml_text(name))
        if blip is not None:
            embed = blip.get(f"{{{R_NS}}}id" if vml else f"{{{R_NS}}}embed")
            link = blip.get(f"{{{R_NS}}}link") or (blip.get(f"{{{O_NS}}}href") if vml else None)
            target = self.package.related(embed, self.part) if embed else None
            if target is not None and target[0] == "part":
                stored = self.images.add(bytes(target[1]))  # type: ignore[arg-type]
                if stored is not None:
                    image.set("ref", stored.sha256)
            elif link or (target is not None and target[0] == "external"):
                # A picture linked from elsewhere (the web, a file): never fetched.
                linked = self.package.related(link, self.part) if link else target
                if linked is not None and linked[0] == "external":
                    image.set("name", _xml_text(str(linked[1]))[:500])
        if not image.attrib:
            figure.remove(image)
        if description.casefold() == stored_images.NO_DESCRIPTION:
            description = ""  # a copy's own placeholder is no description
        if description and not decorative:
            etree.SubElement(figure, "description").text = _xml_text(" ".join(description.split()))
        read.figures.append(_Figure(figure, self.page))

    def _text_box(self, box: Element, read: _Paragraph) -> None:
        """A text box's paragraphs are content: read as blocks after the paragraph."""
        saved = self.pieces
        self.pieces = []
        self.container(box)
        read.inner.extend(piece.block for piece in self.pieces if piece.kind != "note")
        self.pieces = saved


_NOTE_REFERENCES = (w("footnoteReference"), w("endnoteReference"))


def _paragraph_number(segments: list[_Segment]) -> str | None:
    """The number of a numbered paragraph as this program's copies write one ("17. " in
    the Paragraph Number style before the text), else None (recovery decides)."""
    first = next((s for s in segments if s.text.strip() or s.noteref), None)
    if first is None or not first.number:
        return None
    match = re.fullmatch(r"\s*(\d{1,4})\.?\s*", first.text)
    return match.group(1) if match else None


def _printed_mark(text: str) -> str | None:
    """A note's mark from the label printed before it or for its reference ("Note 2:",
    "[note 2]" and "2" are "2"); None for text that is no short mark."""
    text = _SPACE.sub(" ", text).strip()
    match = _PRINTED_MARK.match(text)
    if match:
        return match.group(1)
    return text if text and len(text) <= 6 else None


def _unbracketed(segments: list[_Segment]) -> list[_Segment]:
    """Segments without the "[note" and "]" printed around a note reference."""
    out = list(segments)
    for index, segment in enumerate(out):
        if segment.noteref is None or index == 0 or index + 1 >= len(out):
            continue
        before, after = out[index - 1], out[index + 1]
        if before.noteref is not None or after.noteref is not None:
            continue
        opening = _BRACKET_BEFORE.search(before.text)
        if opening is None or not _BRACKET_AFTER.match(after.text):
            continue
        out[index - 1] = dataclasses.replace(before, text=before.text[: opening.start()])
        out[index + 1] = dataclasses.replace(after, text=_BRACKET_AFTER.sub("", after.text, 1))
    return out


def _notes_by_id(part: Element | None, kind: str) -> dict[str, Element]:
    if part is None:
        return {}
    notes = {}
    for note in part.iterfind(w(kind)):
        if note.get(w("type"), "normal") == "normal":
            notes[note.get(w("id"), "")] = note
    return notes


def _note_formats(settings: Element | None) -> dict[str, str]:
    formats = {"footnote": "decimal", "endnote": "lowerRoman"}
    if settings is not None:
        for kind in formats:
            value = val(settings.find(f"{w(kind + 'Pr')}/{w('numFmt')}"))
            if value:
                formats[kind] = value
    return formats


def _field(instruction: str, *, in_result: bool) -> _Field:
    found = _FIELD_NAME.match(instruction)
    kind = found.group(1).upper() if found else ""
    parsed = _Field(instruction, in_result, kind=kind)
    if kind in ("NOTEREF", "PAGEREF"):
        named = re.match(r"^\s*\w+\s+(\S+)", instruction)
        parsed.bookmark = named.group(1) if named else None
    if kind == "HYPERLINK":
        match = _HYPERLINK_FIELD.match(instruction)
        if match:
            target = match.group(1) or match.group(2)
            anchor = match.group(3)
            if target and _SAFE_HREF.match(target):
                parsed.href = f"{target}#{anchor}" if anchor else target
    return parsed


def _is_contents_control(sdt: Element) -> bool:
    """A content control holding Word's table of contents (its gallery says so)."""
    gallery = sdt.find(f"{w('sdtPr')}/{w('docPartObj')}/{w('docPartGallery')}")
    return gallery is not None and "contents" in (val(gallery) or "").casefold()


def _children(element: Element, name: str) -> list[Element]:
    """Rows of a table or cells of a row, through content controls and custom XML."""
    found: list[Element] = []
    for child in element:
        if child.tag == w(name):
            found.append(child)
        elif child.tag in (w("sdt"), w("customXml")):
            inner = child.find(w("sdtContent")) if child.tag == w("sdt") else child
            if inner is not None:
                found.extend(_children(inner, name))
    return found


def _cell_paragraphs(container: Element) -> list[Element]:
    """A cell's paragraphs in order, those of tables nested in it included (a cell holds
    inline content only: a nested table is read as its text)."""
    found: list[Element] = []
    for child in container:
        if child.tag == w("p"):
            found.append(child)
        elif child.tag in (w("tbl"), w("tr"), w("tc"), w("customXml")):
            found.extend(_cell_paragraphs(child))
        elif child.tag == w("sdt"):
            content = child.find(w("sdtContent"))
            if content is not None:
                found.extend(_cell_paragraphs(content))
    return found


def _outline_level(ppr: Element | None) -> int | None:
    if ppr is None:
        return None
    value = val(ppr.find(w("outlineLvl")))
    return int(value) + 1 if value is not None and value.isdigit() and int(value) < 9 else None


def _inline_element(segments: list[_Segment], *, heading: bool = False) -> Element:
    """Segments as canonical inline content: links outside, then language, then strong
    and em.  In a heading, bold is the heading's own and is not kept as strong."""
    holder = etree.Element("p")
    stack: list[tuple[tuple[str, str | None], Element]] = []
    for segment in _unbracketed(segments):
        if segment.page is not None and not segment.text:
            while stack:
                stack.pop()
            etree.SubElement(holder, "pagebreak", {"page": str(segment.page)})
            continue
        if segment.noteref is not None:
            stack = []
            ref = etree.SubElement(holder, "noteref", {"ref": segment.noteref[0]})
            ref.text = segment.noteref[1]
            continue
        wanted: list[tuple[str, str | None]] = []
        if segment.href:
            wanted.append(("a", segment.href))
        if segment.language:
            wanted.append(("span", segment.language))
        if segment.strong and not heading and segment.text.strip():
            wanted.append(("strong", None))
        if segment.em and segment.text.strip():
            wanted.append(("em", None))
        if not segment.text.strip() and stack:
            wanted = [key for key, _ in stack]  # white space stays inside what is open
        depth = 0
        while depth < len(stack) and depth < len(wanted) and stack[depth][0] == wanted[depth]:
            depth += 1
        del stack[depth:]
        for key in wanted[depth:]:
            parent = stack[-1][1] if stack else holder
            tag, value = key
            child = etree.SubElement(parent, tag)
            if tag == "a":
                child.set("href", str(value))
            elif tag == "span":
                child.set(XML_LANG, str(value))
            stack.append((key, child))
        append_text(stack[-1][1] if stack else holder, segment.text)
    _tidy(holder)
    return holder


def _tidy(element: Element) -> None:
    """Collapse white space in mixed content; no space at its start or end; no empty
    inline elements (a link or emphasis that held only a space)."""
    for child in list(element.iter()):
        if (
            child is not element
            and child.tag in ("a", "span", "strong", "em")
            and not "".join(str(t) for t in child.itertext()).strip()
            and not len(child)
        ):
            parent = child.getparent()
            if parent is not None:
                text = (child.text or "") + (child.tail or "")
                previous = child.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + text
                else:
                    parent.text = (parent.text or "") + text
                parent.remove(child)
    ordered: list[tuple[Element, str]] = []
    _text_nodes(element, ordered)
    previous_space = True
    last: tuple[Element, str] | None = None
    for node, slot in ordered:
        value = getattr(node, slot) or ""
        value = _SPACE.sub(" ", value)
        if previous_space:
            value = value.lstrip(" ")
        if value:
            previous_space = value.endswith(" ")
            last = (node, slot)
        setattr(node, slot, value or None)
    if last is not None:
        node, slot = last
        setattr(node, slot, (getattr(node, slot) or "").rstrip(" ") or None)


def _text_nodes(element: Element, out: list[tuple[Element, str]]) -> None:
    """Every text slot of an element's content, in reading order."""
    out.append((element, "text"))
    for child in element:
        _text_nodes(child, out)
        out.append((child, "tail"))


def _move_inline(source: Element, target: Element) -> None:
    append_text(target, source.text)
    for child in list(source):
        target.append(child)


def _xml_text(text: str) -> str:
    return _CONTROL.sub(" ", text)


def _primary(language: str) -> str:
    return language.split("-")[0].casefold()


def _document_language(package: WordPackage, styles: Styles) -> str:
    """The language the document's text is in: its default run language, else the
    language settings give its themes, else its properties', else English."""
    candidates = []
    if styles.run_defaults is not None:
        candidates.append(val(styles.run_defaults.find(w("lang"))))
    normal = styles.chain(None)
    for style in normal:
        rpr = style.find(w("rPr"))
        if rpr is not None:
            candidates.append(val(rpr.find(w("lang"))))
    if package.settings is not None:
        candidates.append(val(package.settings.find(w("themeFontLang"))))
    candidates.append(_core_text(package.core, f"{{{DC_NS}}}language"))
    for candidate in candidates:
        if candidate and _LANGUAGE.match(candidate) and not candidate.casefold().startswith("x-"):
            return candidate
    return "en"


def _core_text(part: Element | None, tag: str) -> str | None:
    if part is None:
        return None
    found = part.find(tag)
    text = " ".join((found.text or "").split()) if found is not None else ""
    return _xml_text(text) or None


def _count_revisions(package: WordPackage) -> int:
    """Tracked changes still pending: distinct revisions in the text and the notes."""
    seen: set[tuple[str, str]] = set()
    parts = [package.document, package.footnotes, package.endnotes]
    for part in parts:
        if part is None:
            continue
        for index, mark in enumerate(part.iter(*_REVISIONS)):
            seen.add((str(mark.tag), mark.get(w("id")) or f"#{index}"))
    return len(seen)
