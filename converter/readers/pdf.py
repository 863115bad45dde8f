"""Read a PDF with a text layer: laid-out lines with print pages, handed to structure recovery."""

from __future__ import annotations

import ctypes
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from lxml import etree

from converter.errors import InputError
from converter.readers import pdf_layout
from converter.readers.pdf_layout import LaidLine, PageLayout, Rule
from converter.readers.pdf_order import out_of_order, xy_cut
from converter.readers.pdf_tables import Table, TableRow, aligned_tables, find_tables
from converter.recovery import SourceLine, recover
from converter.recovery.recognisers import RECOGNISERS

#: More pages than any report; a bound on time and memory for a hostile or absurd file.
MAX_PAGES = 2000

#: Where running headers and footers live: the top and bottom tenth of the page.
_EDGE = 0.11
_BARE_NUMBER = re.compile(r"^\d{1,4}$")
_PAGE_OF = re.compile(r"^page\s+\d{1,4}(?:\s+of\s+\d{1,4})?$", re.IGNORECASE)
_HYPHEN_END = re.compile(r"[^\W\d_]-$")
_DIGITS = re.compile(r"\d+")
_HEADING_TAG = re.compile(r"^H([1-6])$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
#: pdfium's load errors (fpdfview.h FPDF_ERR_*) in words a person can act on.
_LOAD_ERRORS = {
    raw.FPDF_ERR_FILE: "cannot be read as a PDF",
    raw.FPDF_ERR_FORMAT: "is damaged or not a PDF (its structure cannot be parsed)",
    raw.FPDF_ERR_PASSWORD: "is encrypted: it needs a password to open; save an unprotected copy",
    raw.FPDF_ERR_SECURITY: "is encrypted with an unsupported security handler",
}


@dataclass(frozen=True)
class DocumentInfo:
    """What the PDF says about itself."""

    title: str
    language: str | None
    tagged: bool
    pages: int


@dataclass(frozen=True)
class Extraction:
    """The text layer as numbered source lines: content for recovery, artifacts set aside."""

    lines: list[SourceLine]  # every line, blank separators and artifacts included
    content: list[SourceLine]  # what structure recovery reads
    artifacts: list[tuple[SourceLine, str]]  # line and reason (running-header, page-number ...)


def read(data: bytes, *, name: str) -> etree._Element:
    """A canonical tree from a PDF's text layer, or one InputError saying what is wrong."""
    layouts, info = extract(data, name=name)
    extraction = source_lines(layouts)
    root = recover(extraction.content, language=info.language or "en", recognisers=RECOGNISERS)
    _add_artifacts(root, extraction.artifacts)
    source = root.find("meta/source")
    if source is not None:
        source.set("pages", str(info.pages))
    return root


def extract(data: bytes, *, name: str) -> tuple[list[PageLayout], DocumentInfo]:
    """Open a PDF and lay out every page, refusing what cannot be read."""
    head = data[:1024]
    if b"%PDF-" not in head:
        kind = "text" if _looks_text(head) else "some other file"
        raise InputError(f"is not a PDF (no %PDF- header; it looks like {kind})", source=name)
    if b"%%EOF" not in data[-2048:]:
        raise InputError(
            "is truncated: the PDF has no end-of-file marker (an incomplete download?)",
            source=name,
        )
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        code = getattr(error, "err_code", None)
        message = _LOAD_ERRORS.get(code, f"cannot be opened as a PDF ({error})")
        raise InputError(message, source=name) from None
    try:
        count = len(document)
        if count == 0:
            raise InputError("is a PDF with no pages", source=name)
        if count > MAX_PAGES:
            raise InputError(f"has {count} pages, over the limit of {MAX_PAGES}", source=name)
        info = DocumentInfo(
            title=_metadata_text(document, "Title"),
            language=_language(document),
            tagged=bool(raw.FPDFCatalog_IsTagged(document.raw)),
            pages=count,
        )
        try:
            layouts = list(pdf_layout.pages(document))
        except pdfium.PdfiumError as error:
            raise InputError(f"is damaged: a page cannot be read ({error})", source=name) from None
    finally:
        document.close()
    if not any(page.lines for page in layouts):
        if any(page.images for page in layouts):
            raise InputError(
                f"has no text layer: its {count} page(s) are images only (a scan?); "
                "it needs OCR (text recognition) before it can be converted",
                source=name,
            )
        raise InputError(f"has no text on any of its {count} page(s)", source=name)
    return layouts, info


def text_layer(data: bytes) -> str:
    """The raw text of every page as the PDF's text layer holds it, pages joined by form feeds.

    The reference for "nothing lost": independent of how lines are assembled here.
    """
    document = pdfium.PdfDocument(data)
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        document.close()
    return "\f".join(texts)


def source_lines(layouts: list[PageLayout]) -> Extraction:
    """Number the lines of every page; set aside running headers, footers and page numbers.

    Within a page the lines keep the order of the page's content (read by XY-cut where
    that order is not a reading order, see ``pdf_order``), except that the header lines
    come first and the footer lines last, as a reader of the print meets them.  Tables
    found by tags or by geometry become one line per row, with its cells.  A blank line
    marks a gap wider than the usual leading (a new paragraph, a new table cell), as
    pdftotext's blank lines do.
    """
    reasons = _running_lines(layouts)
    lines: list[SourceLine] = []
    content: list[SourceLine] = []
    artifacts: list[tuple[SourceLine, str]] = []

    def add(laid: LaidLine | None, page: int) -> SourceLine:
        line = SourceLine(
            number=len(lines) + 1,
            text=laid.text if laid else "",
            page=page,
            font_size=laid.font_size if laid else None,
            bold=laid.bold if laid else None,
            x=laid.x0 if laid else None,
            heading_level=_heading_level(laid.tag) if laid else None,
        )
        lines.append(line)
        return line

    def add_row(row: TableRow, page: int) -> SourceLine:
        line = SourceLine(
            number=len(lines) + 1,
            text=" ".join(cell for cell in row.cells if cell),
            page=page,
            font_size=row.lines[0].font_size,
            bold=all(x.bold for x in row.lines),
            x=min(x.x0 for x in row.lines),
            cells=row.cells,
            header=row.header,
            spans=row.spans if any(span > 1 for span in row.spans) else (),
        )
        lines.append(line)
        return line

    # The header rows of the table the last page ended in: repeated at the top of the
    # next page (a table that runs on), they are the table's running head.
    running_head: list[tuple[str, ...]] = []
    for layout in layouts:
        tops = [(i, x) for i, x in enumerate(layout.lines) if reasons.get((layout.number, i))]
        header = [(i, x) for i, x in tops if x.top < layout.height / 2]
        footer = [(i, x) for i, x in tops if x.top >= layout.height / 2]
        for i, laid in header:
            artifacts.append((add(laid, layout.number), reasons[(layout.number, i)]))
        previous: LaidLine | None = None
        body = [laid for i, laid in enumerate(layout.lines) if (layout.number, i) not in reasons]
        items = _in_reading_order(body, layout.rules)
        first = True
        for item in items:
            if isinstance(item, TableRow):
                if first and item.header and item.cells in running_head:
                    artifacts.append((add_row(item, layout.number), "running-header"))
                    continue
                if previous is not None:
                    content.append(add(None, layout.number))
                content.append(add_row(item, layout.number))
                previous, first = None, False
                continue
            laid = item
            if previous is not None and _gap_between(previous, laid):
                content.append(add(None, layout.number))
            content.append(add(laid, layout.number))
            previous, first = laid, False
        running_head = _running_head(items)
        for i, laid in footer:
            artifacts.append((add(laid, layout.number), reasons[(layout.number, i)]))
    return Extraction(lines, _rejoin_hyphenated(content), artifacts)


def _running_head(items: list[LaidLine | TableRow]) -> list[tuple[str, ...]]:
    """The header rows of the table a page's content ends in (none if it ends in text)."""
    if not items or not isinstance(items[-1], TableRow):
        return []
    end = len(items)
    while end > 0 and isinstance(items[end - 1], TableRow):
        end -= 1
    rows = [x for x in items[end:] if isinstance(x, TableRow)]
    return [row.cells for row in rows[: next((k for k, r in enumerate(rows) if not r.header), 0)]]


def _in_reading_order(body: list[LaidLine], rules: Sequence[Rule]) -> list[LaidLine | TableRow]:
    """A page's body lines in reading order, tables gathered into rows.

    An untagged page's tables are found by geometry (rules, aligned columns); a tagged
    page's by its TR/TD/TH structure.  Tables count as one piece each when the page is
    checked for drawing order, so that XY-cut never reads a table column by column.
    """
    tagged = any(x.tag for x in body)
    tables: list[Table] = []
    rest = body
    if not tagged:
        tables, rest = find_tables(body, rules)
    pieces: list[LaidLine | Table] = [*rest, *tables]
    if tables:
        position = {id(x): k for k, x in enumerate(body)}

        def drawn(piece: LaidLine | Table) -> int:
            if isinstance(piece, Table):
                return min(position[id(x)] for x in piece.lines)
            return position[id(piece)]

        pieces.sort(key=drawn)
    if out_of_order(pieces):
        pieces = xy_cut(pieces)
    result: list[LaidLine | TableRow] = []
    run: list[LaidLine] = []
    for piece in pieces:
        if isinstance(piece, Table):
            result += _with_rows(run)
            result += piece.rows
            run = []
        else:
            run.append(piece)
    return result + _with_rows(run)


_CELL_TAGS = frozenset(["TD", "TH"])


def _with_rows(body: list[LaidLine]) -> list[LaidLine | TableRow]:
    """A page's lines with the cells of a tagged table gathered into rows: consecutive
    lines tagged TD or TH, two or more side by side on one baseline, make a row; a cell's
    second line (it wrapped) joins the cell above it.  Cells whose structure has no rows
    (TR) are read by geometry, as an untagged page's are."""
    result: list[LaidLine | TableRow] = []
    index = 0
    while index < len(body):
        if body[index].tag not in _CELL_TAGS:
            result.append(body[index])
            index += 1
            continue
        end = index
        while end < len(body) and body[end].tag in _CELL_TAGS:
            end += 1
        cells = body[index:end]
        if all(x.row for x in cells):
            rows = _rows_of(cells)
            if len(rows) >= 2 and all(len(r.cells) >= 2 for r in rows):
                result.extend(rows)
            else:
                result.extend(cells)
        else:
            result.extend(_geometric_rows(cells))
        index = end
    return result


def _geometric_rows(cells: list[LaidLine]) -> list[LaidLine | TableRow]:
    """Tagged cells without rows, read as aligned text: rows where they line up."""
    tables = aligned_tables(cells)
    if not tables:
        return list(cells)
    # Each table's rows stand where its first line was drawn.
    starts: dict[int, Table] = {}
    for table in tables:
        members = {id(x) for x in table.lines}
        starts[id(next(x for x in cells if id(x) in members))] = table
    used = {id(x) for table in tables for x in table.lines}
    result: list[LaidLine | TableRow] = []
    for line in cells:
        if id(line) in starts:
            result += starts[id(line)].rows
        elif id(line) not in used:
            result.append(line)
    return result


def _rows_of(cells: list[LaidLine]) -> list[TableRow]:
    """Cells of a tagged table in rows: the structure's TR and TD say which line belongs
    to which (a wrapped cell's lines share a TD)."""
    grouped: dict[int, dict[int, list[LaidLine]]] = {}
    for line in cells:
        grouped.setdefault(line.row, {}).setdefault(line.cell, []).append(line)
    result = []
    for by_cell in grouped.values():
        row = list(by_cell.values())
        row.sort(key=lambda cell: min(x.x0 for x in cell))
        texts = tuple(" ".join(x.text for x in sorted(c, key=lambda x: x.top)) for c in row)
        lines = tuple(x for cell in row for x in cell)
        result.append(TableRow(lines, texts, all(x.tag == "TH" for x in lines)))
    return result


def _heading_level(tag: str | None) -> int | None:
    """H1 ... H6 of a tagged PDF as a level; any other structure type (or none) gives None."""
    match = _HEADING_TAG.match(tag or "")
    return int(match.group(1)) if match else None


def _rejoin_hyphenated(content: list[SourceLine]) -> list[SourceLine]:
    """Bring the rest of a word hyphenated at a line end up to its first part.

    The PDF keeps the hyphen ("post-" / "16 education"), so the word is whole and
    hyphenated ("post-16"), whatever the next line starts with; structure recovery then
    never has to guess whether to join with a space.
    """
    result = list(content)
    emptied: set[int] = set()
    for index, line in enumerate(result):
        if index in emptied or not _HYPHEN_END.search(line.text):
            continue
        following = next((k for k in range(index + 1, len(result)) if result[k].text.strip()), None)
        if following is None or following != index + 1 and result[following].page == line.page:
            continue  # a blank line between: a new paragraph, not a wrapped word
        rest = result[following].text.strip()
        if not rest or not (rest[0].isalnum()):
            continue
        word, _, remainder = rest.partition(" ")
        result[index] = replace(line, text=line.text.rstrip() + word)
        result[following] = replace(result[following], text=remainder)
        if not remainder:  # the whole line moved up: drop it, or it would read as a gap
            emptied.add(following)
    return [line for index, line in enumerate(result) if index not in emptied]


def _gap_between(previous: LaidLine, line: LaidLine) -> bool:
    """Whether a blank line belongs between two lines: a paragraph gap, or a new column/cell."""
    if line.top < previous.top - 0.5 * previous.font_size:  # back up the page: a new column
        return True
    if abs(line.top - previous.top) < 0.5 * previous.font_size:  # same baseline: a new cell
        return True
    gap = line.top - previous.bottom
    return gap > 0.9 * max(previous.font_size, line.font_size)


def _running_lines(layouts: list[PageLayout]) -> dict[tuple[int, int], str]:
    """(page, line index) -> reason for running headers, footers and page numbers.

    Position decides, then repetition: a line in the top or bottom tenth of its page is
    a running header or footer when the same text (numbers aside) stands at the same
    edge of at least half of the pages after the first; a bare number or "Page N of M"
    there is a page number.  Text at the edge of one page only stays text.
    """
    count = len(layouts)
    seen: dict[tuple[str, str], set[int]] = {}
    edges: list[tuple[int, int, str, str, LaidLine]] = []
    for layout in layouts:
        for index, line in enumerate(layout.lines):
            if line.bottom <= layout.height * _EDGE:
                edge = "header"
            elif line.top >= layout.height * (1 - _EDGE):
                edge = "footer"
            else:
                continue
            key = _DIGITS.sub("#", " ".join(line.text.split()).casefold())
            seen.setdefault((edge, key), set()).add(layout.number)
            edges.append((layout.number, index, edge, key, line))
    needed = max(2, (count - 1 + 1) // 2)
    reasons: dict[tuple[int, int], str] = {}
    for page, index, edge, key, line in edges:
        text = line.text.strip()
        if _PAGE_OF.match(text) or (_BARE_NUMBER.match(text) and int(text) == page):
            reasons[(page, index)] = "page-number"
        elif count > 1 and len(seen[(edge, key)]) >= needed and any(c.isalnum() for c in key):
            if page == 1 and edge == "header" and _is_title(layouts[0], line):
                continue  # the title, repeated as the running head of the pages after it
            reasons[(page, index)] = "running-header" if edge == "header" else "running-footer"
        elif _BARE_NUMBER.match(text) and len(seen[(edge, key)]) >= needed and count > 1:
            reasons[(page, index)] = "page-number"  # numbered with an offset (front matter)
    return reasons


def _is_title(layout: PageLayout, line: LaidLine) -> bool:
    """The line opens page 1, reads as a title, and no text there is set larger."""
    text = line.text.strip()
    return (
        min(layout.lines, key=lambda x: (x.top, x.x0)) is line
        and len(text.split()) >= 3
        and any(ch.isalpha() for ch in text)
        and line.font_size >= max(x.font_size for x in layout.lines)
    )


def _add_artifacts(root: etree._Element, found: list[tuple[SourceLine, str]]) -> None:
    """Put the lines set aside by position into the tree's artifacts, in source order."""
    if not found:
        return
    artifacts = root.find("artifacts")
    if artifacts is None:
        artifacts = etree.SubElement(root, "artifacts")
    for line, reason in found:
        element = etree.SubElement(
            artifacts,
            "artifact",
            {"src": f"{line.number}-{line.number}", "reason": reason, "page": str(line.page)},
        )
        element.text = line.text
    artifacts[:] = sorted(artifacts, key=lambda a: int(a.get("src", "0-0").split("-")[0]))


def _metadata_text(document: pdfium.PdfDocument, key: str) -> str:
    size = raw.FPDF_GetMetaText(document.raw, key.encode("ascii"), None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    raw.FPDF_GetMetaText(document.raw, key.encode("ascii"), buffer, size)
    return buffer.raw[: size - 2].decode("utf-16-le", "replace").strip()


def _language(document: pdfium.PdfDocument) -> str | None:
    """The catalog's /Lang as a BCP 47 tag, when it holds a well-formed one."""
    size = raw.FPDFCatalog_GetLanguage(document.raw, None, 0)
    if size <= 2:
        return None
    buffer = (ctypes.c_ushort * (size // 2))()
    raw.FPDFCatalog_GetLanguage(document.raw, buffer, size)
    tag = bytes(buffer)[: size - 2].decode("utf-16-le", "replace").strip()
    return tag if _LANGUAGE.match(tag) else None


def _looks_text(head: bytes) -> bool:
    return bool(head) and all(b in b"\t\n\r\f" or 32 <= b < 127 or b >= 128 for b in head[:256])
