"""The text layer of a PDF as laid-out lines: text, page, position, font size and weight, tags."""

from __future__ import annotations

import bisect
import ctypes
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import pypdfium2 as pdfium
import pypdfium2.raw as raw

#: Weight from which a font counts as bold (CSS/OpenType: 600 is semi-bold).
BOLD_WEIGHT = 600
#: A horizontal gap wider than this many ems splits a line into separate cells.
CELL_GAP_EMS = 1.8
_BOLD_NAME = re.compile(r"bold|black|heavy|demi|semibold", re.IGNORECASE)
_STARTS_WITH_MARKER = re.compile(r"^(?:[^\w\s]|\d{1,3}[.)])\s")
#: A paragraph number or bullet glued to the first word of its text.
_GLUED_MARKER = re.compile(r"\d{1,3}[.)]|[\uf000-\uf0ff\u25a0-\u25ff\u2022](?=[^\W\d_])")
#: A gap wider than this many ems (between character advance boxes) is a tab or space.
_TAB_EMS = 0.05
#: What pdfium's text layer puts in place of a hyphen at the end of a line.
_LINE_END_HYPHEN = "\ufffe"
#: A figure: a table cell's number, percentage or ratio.
_FIGURE = re.compile(r"^[-+(]?\d[\d.,/%:)]*$")
#: A list marker (bullet glyph, "1.", "(a)") that a tab separates from its text.
_MARKER = re.compile(r"^(?:[^\w\s]|[1-9]\d{0,2}[.)]?|\(?[a-z]{1,3}\)|[a-z]\.)$")


@dataclass(frozen=True)
class LaidLine:
    """One line of text as the page lays it out (a table cell's line is its own line)."""

    page: int  # 1-based position in the page sequence
    text: str
    x0: float  # points from the left edge
    x1: float
    top: float  # points from the top edge
    bottom: float
    font_size: float  # the size most of its characters are set in
    bold: bool  # most of its characters are in a bold font
    marked_artifact: bool  # a tagged PDF marks all of it as an /Artifact
    tag: str | None  # structure type of a tagged PDF (H1, P, LBody, TD...), when known
    cell: int = 0  # the table cell (TD/TH) of a tagged PDF it is in, numbered on its page
    row: int = 0  # the table row (TR) of that cell


@dataclass(frozen=True)
class Rule:
    """A ruled line drawn on the page (a table border), on the displayed page.

    A horizontal rule has ``top == bottom`` (its y) and spans ``x0`` to ``x1``; a vertical
    one has ``x0 == x1`` and spans ``top`` to ``bottom``.
    """

    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def vertical(self) -> bool:
        return self.x0 == self.x1


@dataclass(frozen=True)
class PageLayout:
    number: int
    width: float
    height: float
    lines: tuple[LaidLine, ...]
    images: int  # image objects on a page without text (an image-only page needs OCR)
    #: Ruled lines, read only on a page whose text lines show gaps a table's columns
    #: would leave (reading every drawing of every page would cost more than its text).
    rules: tuple[Rule, ...] = ()


@dataclass
class _Font:
    size: float
    bold: bool
    artifact: bool
    mcid: int


@dataclass
class _Token:
    """A run of non-space characters on one line."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    font: _Font


def pages(document: pdfium.PdfDocument) -> Iterator[PageLayout]:
    """Every page of a document, laid out, in the page sequence."""
    for index in range(len(document)):
        page = document[index]
        try:
            yield _page_layout(page, index + 1)
        finally:
            page.close()


def _page_layout(page: pdfium.PdfPage, number: int) -> PageLayout:
    width, height = page.get_size()
    rotation = raw.FPDFPage_GetRotation(page.raw) % 4
    textpage = page.get_textpage()
    try:
        tags = _structure_types(page)
        tokens = _tokens(textpage, width, height, rotation)
    finally:
        textpage.close()
    columns = _column_starts(tokens)
    rules = _rules(page, width, height, rotation) if _may_hold_a_table(tokens, columns) else ()
    dividers = _dividers(rules)
    lines: list[LaidLine] = []
    for line_tokens in tokens:
        lines.extend(_cells(line_tokens, number, tags, columns, dividers))
    # Images matter only on a page without text (does it need OCR?): counting them means
    # visiting every page object, so it is skipped where there is text.
    images = 0 if lines else _count_images(page)
    laid = _attach_markers(_join_abutting(lines, dividers), dividers)
    return PageLayout(number, width, height, tuple(laid), images, rules)


#: Text lines with a gap this wide (in ems) that make a page worth searching for rules.
_TABLE_GAP_EMS = 1.0


def _may_hold_a_table(lines: list[list[_Token]], columns: frozenset[int]) -> bool:
    """Whether a page's text could sit in a table: column starts shared by several lines,
    or two lines with a gap wider than an em (a cell's text and the next cell's)."""
    if columns:
        return True
    gapped = 0
    for tokens in lines:
        for last, token in zip(tokens, tokens[1:], strict=False):
            if token.x0 - last.x1 > _TABLE_GAP_EMS * max(last.font.size, token.font.size, 1.0):
                gapped += 1
                break
        if gapped >= 2:
            return True
    return False


#: A drawn line no thicker than this (points) is a rule, not a shape.
_RULE_THICKNESS = 3.0
#: The shortest rule worth reading (points): shorter strokes are ticks and glyph parts.
_RULE_LENGTH = 4.0
#: Objects on a page from which rules are read at most (a bound against absurd drawings).
_MAX_OBJECTS = 50_000


def _rules(page: pdfium.PdfPage, width: float, height: float, rotation: int) -> tuple[Rule, ...]:
    """The page's ruled lines: thin paths (stroked or filled) and the edges of stroked
    rectangles, on the displayed page.  Filled shapes (cell shading, a callout's
    background) are not rules: a box of colour is no evidence of a table's cells."""
    found: list[Rule] = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    count = min(raw.FPDFPage_CountObjects(page.raw), _MAX_OBJECTS)
    for k in range(count):
        obj = raw.FPDFPage_GetObject(page.raw, k)
        if raw.FPDFPageObj_GetType(obj) != raw.FPDF_PAGEOBJ_PATH:
            continue
        if not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            continue
        x0, x1, y0, y1 = _displayed(
            left.value, right.value, bottom.value, top.value, rotation, width, height
        )
        w, h = x1 - x0, y1 - y0
        if w <= _RULE_THICKNESS and h >= _RULE_LENGTH:
            found.append(Rule(round((x0 + x1) / 2, 1), round((x0 + x1) / 2, 1), y0, y1))
            continue
        if h <= _RULE_THICKNESS and w >= _RULE_LENGTH:
            found.append(Rule(x0, x1, round((y0 + y1) / 2, 1), round((y0 + y1) / 2, 1)))
            continue
        if w < _RULE_LENGTH or h < _RULE_LENGTH:
            continue
        raw.FPDFPath_GetDrawMode(obj, fill, stroke)
        if stroke.value and raw.FPDFPath_CountSegments(obj) <= 6:  # a stroked box
            found += [Rule(x0, x1, y0, y0), Rule(x0, x1, y1, y1)]
            found += [Rule(x0, x0, y0, y1), Rule(x1, x1, y0, y1)]
    return tuple(found)


def _join_abutting(lines: list[LaidLine], dividers: Sequence[Rule] = ()) -> list[LaidLine]:
    """Rejoin one line that the text layer broke where a run of text changes object (a
    superscript: "6" / "TH MEETING"): the next starts where the first ends, level with it
    (and no rule of a table divides them)."""
    result: list[LaidLine] = []
    for line in lines:
        if result:
            last = result[-1]
            em = max(last.font_size, line.font_size, 1.0)
            gap = line.x0 - last.x1
            overlap = min(last.bottom, line.bottom) - max(last.top, line.top)
            height = min(last.bottom - last.top, line.bottom - line.top)
            divided = _divided(last.x1, line.x0, (line.top + line.bottom) / 2, dividers)
            # A word space is a quarter to half an em: up to 0.6 em the text runs on.
            if (
                -0.1 * em <= gap < 0.6 * em
                and height > 0
                and overlap > 0.5 * height
                and not divided
            ):
                joiner = "" if gap < 0.15 * em else " "
                result[-1] = replace(
                    last,
                    text=f"{last.text}{joiner}{line.text}",
                    x1=max(last.x1, line.x1),
                    top=min(last.top, line.top),
                    bottom=max(last.bottom, line.bottom),
                    bold=last.bold and line.bold,
                )
                continue
        result.append(line)
    return result


def _attach_markers(lines: list[LaidLine], dividers: Sequence[Rule] = ()) -> list[LaidLine]:
    """Put a list marker drawn apart from its text (WeasyPrint draws bullets after the
    page's text) in front of the text it stands beside, on the same baseline (never
    across a table's rule: a number in one cell is no marker of the next cell's text)."""
    if not any(_MARKER.match(x.text) for x in lines):
        return lines
    result: list[LaidLine | None] = list(lines)
    # Lines by their top, so that a marker is compared only with lines level with it.
    by_top = sorted(range(len(lines)), key=lambda k: lines[k].top)
    tops = [lines[k].top for k in by_top]
    tallest = max(x.bottom - x.top for x in lines)
    for index, marker in enumerate(lines):
        if not _MARKER.match(marker.text):
            continue
        # A number stands closer to its text than a bullet may: further off, it is a
        # table's cell beside the next one.
        reach = (CELL_GAP_EMS if marker.text[0].isdigit() else 4) * marker.font_size
        middle = (marker.top + marker.bottom) / 2
        first = bisect.bisect_left(tops, middle - 1 - tallest)
        last = bisect.bisect_right(tops, middle + 1)
        beside = [
            k
            for k in by_top[first:last]
            if (x := result[k]) is not None
            and k != index
            and x.top - 1 <= middle <= x.bottom + 1
            and 0 <= x.x0 - marker.x1 < reach
            and not _MARKER.match(x.text)
            and not _FIGURE.match(x.text)
            and not _divided(marker.x1, x.x0, middle, dividers)
        ]
        if len(beside) != 1:
            continue
        target = result[beside[0]]
        if target is None or _STARTS_WITH_MARKER.match(target.text):
            continue
        result[beside[0]] = replace(target, text=f"{marker.text} {target.text}", x0=marker.x0)
        result[index] = None
    return [x for x in result if x is not None]


def _tokens(
    textpage: pdfium.PdfTextPage, width: float, height: float, rotation: int = 0
) -> list[list[_Token]]:
    """The tokens of each text line, in the order of the page's content.

    ``width`` and ``height`` are the page as displayed; ``rotation`` its /Rotate in
    quarter turns.  Character boxes come in the page's own (unrotated) space and are
    turned to the displayed page, where lines are read.
    """
    handle = textpage.raw
    count = raw.FPDFText_CountChars(handle)
    if count <= 0:
        return []
    text = textpage.get_text_range(0, count)
    if len(text) != count:  # characters outside the BMP: fall back to one call per character
        text = "".join(chr(raw.FPDFText_GetUnicode(handle, i)) for i in range(count))
    fonts: dict[int, _Font] = {}
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    rect = raw.FS_RECTF()
    matrix = raw.FS_MATRIX()

    def box(i: int) -> tuple[float, float, float, float]:
        """x0, x1, top, bottom of a character on the displayed page (top from its top)."""
        raw.FPDFText_GetCharBox(handle, i, left, right, bottom, top)
        return _displayed(left.value, right.value, bottom.value, top.value, rotation, width, height)

    def font(i: int) -> _Font:
        obj = raw.FPDFText_GetTextObject(handle, i)
        key = ctypes.cast(obj, ctypes.c_void_p).value or 0
        found = fonts.get(key)
        if found is None:
            # Embedded subsets often declare weight 400 whatever they are: the name tells.
            weight = raw.FPDFText_GetFontWeight(handle, i)
            bold = weight >= BOLD_WEIGHT or _BOLD_NAME.search(_font_name(handle, i)) is not None
            artifact = bool(obj) and _is_artifact(obj)
            mcid = raw.FPDFPageObj_GetMarkedContentID(obj) if obj else -1
            # The size in the font's own space, scaled by the matrix to points on the page.
            raw.FPDFText_GetMatrix(handle, i, matrix)
            scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5 or 1.0
            found = _Font(raw.FPDFText_GetFontSize(handle, i) * scale, bold, artifact, mcid)
            fonts[key] = found
        return found

    def loose_box(i: int) -> tuple[float, float]:
        raw.FPDFText_GetLooseCharBox(handle, i, rect)
        return rect.left, rect.right

    def token(first: int, end: int) -> _Token:
        x0, _, top0, bottom0 = box(first)
        _, x1, top1, bottom1 = box(end - 1)
        return _Token(text[first:end], x0, x1, min(top0, top1), max(bottom0, bottom1), font(first))

    def word_tokens(first: int, end: int) -> list[_Token]:
        """The tokens of a run of non-space characters.  A list marker glued to its text
        ("10.Many") is split off where the page shows a gap the text layer left no space
        for (a tab after a paragraph number)."""
        marker = _GLUED_MARKER.match(text, first, end)
        if marker:
            cut = marker.end()
            gap = loose_box(cut)[0] - loose_box(cut - 1)[1]
            if gap > _TAB_EMS * font(first).size:
                return [token(first, cut), token(cut, end)]
        return [token(first, end)]

    lines: list[list[_Token]] = []
    current: list[_Token] = []
    start = -1
    for i in range(count + 1):
        ch = text[i] if i < count else "\n"
        if ch == _LINE_END_HYPHEN:
            # pdfium marks a hyphen that ends a line so and joins the next line on: keep
            # the hyphen (in these reports it is a compound's, as in "well-regarded") and
            # keep the lines apart, as printed.
            text = text[:i] + "-" + text[i + 1 :]
            if start < 0:
                start = i
            ch = "\n"
            i += 1
        if ch.isspace() or ch == "\x00":
            if start >= 0:
                current.extend(word_tokens(start, i))
                start = -1
            if ch in "\r\n" and current:
                lines.append(current)
                current = []
        elif start < 0:
            start = i
    return _regroup_by_baseline(lines) if rotation else lines


def _displayed(
    left: float, right: float, bottom: float, top: float, rotation: int, width: float, height: float
) -> tuple[float, float, float, float]:
    """A box in the page's own space (origin bottom left) as x0, x1, top, bottom on the
    displayed page (origin top left), for a page turned ``rotation`` quarter turns
    clockwise (/Rotate 90 puts the page's left edge at the top)."""
    if rotation == 1:
        return bottom, top, left, right
    if rotation == 2:
        return width - right, width - left, bottom, top
    if rotation == 3:
        return width - top, width - bottom, height - right, height - left
    return left, right, height - top, height - bottom


def _regroup_by_baseline(lines: list[list[_Token]]) -> list[list[_Token]]:
    """On a turned page the text layer breaks lines by the page's own axes: tokens are
    gathered again into displayed lines (same baseline, left to right, top to bottom)."""
    tokens = sorted((t for line in lines for t in line), key=lambda t: (t.bottom, t.x0))
    result: list[list[_Token]] = []
    for token in tokens:
        current = result[-1] if result else None
        if current and abs(current[0].bottom - token.bottom) <= 0.35 * max(token.font.size, 1.0):
            current.append(token)
        else:
            result.append([token])
    for line in result:
        line.sort(key=lambda t: t.x0)
    return result


#: A gap wider than this many ems, at an x where other lines also have one, is a column.
COLUMN_GAP_EMS = 0.6
#: Lines of a page that must share a column's start before it is believed.
COLUMN_LINES = 4


def _column_starts(lines: list[list[_Token]]) -> frozenset[int]:
    """Where a page's table columns start: an x (to the point) at which, in several lines,
    a token follows a gap wider than a word space.  Prose has wide gaps too (justified
    lines), but never at one x line after line."""
    starts: Counter[int] = Counter()
    for tokens in lines:
        seen: set[int] = set()
        for last, token in zip(tokens, tokens[1:], strict=False):
            em = max(last.font.size, token.font.size, 1.0)
            if token.x0 - last.x1 > COLUMN_GAP_EMS * em:
                seen.add(round(token.x0))
        starts.update(seen)
    found = {x for x, count in starts.items() if count >= COLUMN_LINES}
    # A column's start is fuzzy by a point either way.
    return frozenset(found | {x + 1 for x in found} | {x - 1 for x in found})


def _cells(
    tokens: list[_Token],
    page: int,
    tags: dict[int, _Tag],
    columns: frozenset[int] = frozenset(),
    dividers: Sequence[Rule] = (),
) -> Iterator[LaidLine]:
    """Split one text line where the gap is wide (table cells, a right-aligned page number),
    where a gap falls at one of the page's column starts or on a table's vertical rule,
    or, in a tagged PDF, where one table cell ends and the next begins.  A list marker
    opening the line keeps its text however wide the tab after it ("1.", a bullet); a
    number further along is a cell of its own ("Brent   21   11")."""
    run: list[_Token] = []
    first = True
    for token in tokens:
        if run:
            last = run[-1]
            em = max(last.font.size, token.font.size, 1.0)
            gap = token.x0 - last.x1
            shifted = abs(token.bottom - last.bottom) > 0.6 * em and not _overlaps(token, last)
            # A figure after the gap is the next cell's ("7   1204"), never a marker's text.
            marker = (
                first
                and _MARKER.match(" ".join(t.text for t in run))
                and not _FIGURE.match(token.text)
            )
            wide = gap > CELL_GAP_EMS * em and not marker
            column = round(token.x0) in columns and gap > COLUMN_GAP_EMS * em and not marker
            ruled = bool(dividers) and _divided(
                last.x1, token.x0, (token.top + token.bottom) / 2, dividers
            )
            wide = wide or column or ruled
            cell = tags.get(token.font.mcid, _NO_TAG).cell
            new_cell = cell != tags.get(last.font.mcid, _NO_TAG).cell and cell > 0
            if wide or new_cell or gap < -0.5 * em or shifted:
                yield _line(run, page, tags)
                run = []
                first = False
        run.append(token)
    if run:
        yield _line(run, page, tags)


def _divided(x0: float, x1: float, y: float, dividers: Sequence[Rule]) -> bool:
    """Whether a vertical rule stands between x0 and x1 at height y (a cell border).
    ``dividers`` are sorted by x (see ``_dividers``)."""
    if not dividers:
        return False
    start = bisect.bisect_left(dividers, x0 - 1.0, key=lambda rule: rule.x0)
    for rule in dividers[start:]:
        if rule.x0 > x1 + 1.0:
            return False
        if rule.top - 1.0 <= y <= rule.bottom + 1.0:
            return True
    return False


def _dividers(rules: Sequence[Rule]) -> list[Rule]:
    """The vertical rules, pieces of one rule joined (a grid draws a border cell by
    cell), sorted by x."""
    result: list[Rule] = []
    for rule in sorted((r for r in rules if r.vertical), key=lambda r: (r.x0, r.top)):
        last = result[-1] if result else None
        if last and abs(last.x0 - rule.x0) <= 1.0 and rule.top <= last.bottom + 1.0:
            result[-1] = Rule(last.x0, last.x1, last.top, max(last.bottom, rule.bottom))
        else:
            result.append(rule)
    return result


def _overlaps(a: _Token, b: _Token) -> bool:
    """Superscripts and mixed sizes: vertical extents overlap by half the smaller height."""
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    return overlap > 0.5 * min(a.bottom - a.top, b.bottom - b.top)


def _line(tokens: list[_Token], page: int, tags: dict[int, _Tag]) -> LaidLine:
    sizes: Counter[float] = Counter()
    bold = 0
    chars = 0
    tag_votes: Counter[str] = Counter()
    places: Counter[tuple[int, int]] = Counter()
    for token in tokens:
        n = len(token.text)
        chars += n
        sizes[round(token.font.size, 1)] += n
        bold += n if token.font.bold else 0
        tag = tags.get(token.font.mcid, _NO_TAG)
        if tag.kind:
            tag_votes[tag.kind] += n
        places[(tag.cell, tag.row)] += n
    return LaidLine(
        page=page,
        text=" ".join(token.text for token in tokens),
        x0=round(tokens[0].x0, 1),
        x1=round(tokens[-1].x1, 1),
        top=round(min(t.top for t in tokens), 1),
        bottom=round(max(t.bottom for t in tokens), 1),
        font_size=sizes.most_common(1)[0][0],
        bold=bold * 2 > chars,
        marked_artifact=all(token.font.artifact for token in tokens),
        tag=tag_votes.most_common(1)[0][0] if tag_votes else None,
        cell=places.most_common(1)[0][0][0],
        row=places.most_common(1)[0][0][1],
    )


def _font_name(handle: object, index: int) -> str:
    buffer = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    size = raw.FPDFText_GetFontInfo(handle, index, buffer, 256, flags)
    return buffer.raw[: max(size - 1, 0)].decode("latin-1").casefold()


def _mark_name(mark: object) -> str:
    length = ctypes.c_ulong()
    buffer = (ctypes.c_ushort * 64)()
    if not raw.FPDFPageObjMark_GetName(mark, buffer, ctypes.sizeof(buffer), ctypes.byref(length)):
        return ""
    return bytes(buffer)[: length.value].decode("utf-16-le", "replace").rstrip("\x00")


def _is_artifact(obj: object) -> bool:
    return any(
        _mark_name(raw.FPDFPageObj_GetMark(obj, k)) == "Artifact"
        for k in range(raw.FPDFPageObj_CountMarks(obj))
    )


#: Structure types of headings: whatever a heading holds (Span, Link) is reported as it.
_HEADINGS = frozenset(["H", "H1", "H2", "H3", "H4", "H5", "H6"])


@dataclass(frozen=True)
class _Tag:
    """What a tagged page's structure says of a piece of marked content."""

    kind: str  # H1, P, LBody ...; TD or TH for anything inside a table cell
    cell: int = 0  # which table cell, numbered on the page (0 outside tables)
    row: int = 0  # which table row (TR)


_NO_TAG = _Tag("")


def _structure_types(page: pdfium.PdfPage) -> dict[int, _Tag]:
    """Marked-content id -> its structure of a tagged page.

    The type is H1, P, LBody... or, for anything inside a table cell, the cell's TD or
    TH, and for anything inside a heading, the heading's H1-H6; cells and rows are
    numbered to tell the page's table cells and rows apart.
    """
    tree = raw.FPDF_StructTree_GetForPage(page.raw)
    if not tree:
        return {}
    types: dict[int, _Tag] = {}
    cells = rows = 0
    try:
        stack: list[tuple[object, _Tag]] = [
            (raw.FPDF_StructTree_GetChildAtIndex(tree, i), _NO_TAG)
            for i in range(raw.FPDF_StructTree_CountChildren(tree))
        ]
        seen = 0
        while stack and seen < 100_000:  # a bound against cyclic or absurd trees
            seen += 1
            element, inherited = stack.pop()
            if not element:
                continue
            kind = _element_type(element)
            # Content inside a table cell is reported as the cell (TD or TH), whatever
            # paragraph or span the cell wraps it in.
            if kind == "TR":
                rows += 1
                inherited = _Tag("", 0, rows)
            elif kind in ("TD", "TH"):
                cells += 1
                inherited = _Tag(kind, cells, inherited.row)
            elif kind in _HEADINGS and not inherited.kind:
                inherited = _Tag(kind)  # a heading's spans and links are reported as it
            own = inherited if inherited.kind else _Tag(kind, inherited.cell, inherited.row)
            for k in range(raw.FPDF_StructElement_GetMarkedContentIdCount(element)):
                mcid = raw.FPDF_StructElement_GetMarkedContentIdAtIndex(element, k)
                if mcid >= 0 and own.kind:
                    types[mcid] = own
            for i in range(raw.FPDF_StructElement_CountChildren(element)):
                stack.append((raw.FPDF_StructElement_GetChildAtIndex(element, i), inherited))
    finally:
        raw.FPDF_StructTree_Close(tree)
    return types


def _element_type(element: object) -> str:
    size = raw.FPDF_StructElement_GetType(element, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    raw.FPDF_StructElement_GetType(element, buffer, size)
    return buffer.raw[: size - 2].decode("utf-16-le", "replace")


def _count_images(page: pdfium.PdfPage) -> int:
    return sum(
        1
        for k in range(raw.FPDFPage_CountObjects(page.raw))
        if raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page.raw, k)) == raw.FPDF_PAGEOBJ_IMAGE
    )
