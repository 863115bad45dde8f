"""Braille layout shared by the brf and pef writers: canonical tree -> pages of Unicode braille.

Translation is liblouis (Unified English Braille for English, grade 2 by default); the layout
follows UKAAF braille practice: a title page, the braille page number at the top right of
every page, centred main headings set off by blank lines, paragraphs with indented first
lines, list items and linearised table rows with hanging indents, and print page indicator
lines where the print page turned.  Each block is translated in one liblouis call and the
braille is then wrapped, so words are only divided where the code allows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType

from lxml import etree

from converter import tree as canonical
from converter.errors import DependencyError, UsageError
from converter.images import NO_DESCRIPTION
from converter.options import Options

Element = etree._Element

DEBIAN_PACKAGES = "liblouis-bin liblouis-data python3-louis"
BLANK = "\u2800"  # the empty braille cell
HYPHEN = "\u2824"  # dots 36
CONTINUATION = "\u2810"  # dot 5: UEB line continuation indicator for a divided long sequence
NUMBER_SIGN = "\u283c"  # dots 3456
DIGITS = "\u281a\u2801\u2803\u2809\u2819\u2811\u280b\u281b\u2813\u280a"  # 0-9: j a-i
# Prefix cells (right-column dots, and the numeric indicator) never end a divided line:
# they belong to the sign that follows them.
PREFIXES = frozenset("\u2808\u2818\u2838\u2810\u2828\u2830\u2820\u283c")
MIN_PRINT_PAGE_FILL = 3  # cells of dots 36 at least before a print page number

# liblouis tables by primary language subtag: (grade 1, grade 2).  English is UEB; the
# others are the national codes liblouis ships, for the rare non-English document.
TABLES: dict[str, tuple[str, str]] = {
    "en": ("en-ueb-g1.ctb", "en-ueb-g2.ctb"),
    "cy": ("cy-cy-g1.utb", "cy-cy-g2.ctb"),
    "ga": ("ga-g1.utb", "ga-g2.ctb"),
    "de": ("de-g1.ctb", "de-g2.ctb"),
    "es": ("es-g1.ctb", "es-g2.ctb"),
    "fr": ("fr-bfu-comp6.utb", "fr-bfu-g2.ctb"),
}
CODE_NAMES = {"en": "Unified English Braille"}


def louis_module() -> ModuleType:
    """The liblouis Python binding, or one clear DependencyError naming the Debian packages."""
    try:
        import louis
    except (ImportError, OSError) as error:
        raise DependencyError(
            f"braille needs liblouis, which is not installed here ({error}); "
            f"install the Debian packages {DEBIAN_PACKAGES}"
        ) from None
    binding: ModuleType = louis
    return binding


@dataclass(frozen=True)
class BrailleCode:
    """The liblouis table list for one language and grade, output as Unicode braille."""

    language: str
    grade: int
    table: str

    @property
    def tables(self) -> list[str]:
        return ["unicode.dis", self.table]

    @property
    def description(self) -> str:
        primary = self.language.split("-")[0].lower()
        name = CODE_NAMES.get(primary, f"{self.language} braille")
        kind = "contracted" if self.grade == 2 else "uncontracted"
        return f"{name}, grade {self.grade} ({kind})"


def code_for(language: str, grade: int) -> BrailleCode:
    """The braille code for a document language (BCP 47) and grade; UsageError if none."""
    primary = language.split("-")[0].lower()
    if primary not in TABLES:
        raise UsageError(
            f"no braille translation table for language {language!r}; braille is available "
            f"for {', '.join(sorted(TABLES))}"
        )
    code = BrailleCode(language, grade, TABLES[primary][grade - 1])
    louis = louis_module()
    try:
        louis.checkTable(code.tables)
    except RuntimeError:
        raise DependencyError(
            f"the liblouis table {code.table} is missing; install the Debian packages "
            f"{DEBIAN_PACKAGES}"
        ) from None
    return code


@dataclass
class Translator:
    """liblouis calls for one code, counted (the layout aims for one call per block)."""

    code: BrailleCode
    calls: int = 0

    def translate(self, text: str) -> str:
        """Print text -> Unicode braille, spaces as blank cells."""
        text = " ".join(text.split())
        if not text:
            return ""
        self.calls += 1
        braille: str = louis_module().translateString(self.code.tables, text)
        return braille.replace(" ", BLANK)

    def back_translate(self, braille: str) -> str:
        self.calls += 1
        text: str = louis_module().backTranslateString(self.code.tables, braille)
        return text


# -- lines and pages ----------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One braille line; ``kind`` says what it is for back-translation and checks."""

    cells: str
    kind: str = "text"  # text | blank | print-page | page-number
    joins: bool = False  # the next line continues this one's word (no space between)


@dataclass
class Block:
    """Lines that flow onto pages, with the spacing and keeping rules of their kind."""

    lines: list[Line]
    blank_before: bool = False
    blank_after: bool = False
    keep_with_next: int = 0  # lines of the following block that must share its page


@dataclass(frozen=True)
class Page:
    number: int
    lines: tuple[Line, ...]

    def text(self) -> list[str]:
        return [line.cells for line in self.lines]


@dataclass
class BrailleDocument:
    """The laid-out document: pages of Unicode braille and what they were made with."""

    code: BrailleCode
    cells: int
    lines_per_page: int
    pages: list[Page] = field(default_factory=list)
    translator_calls: int = 0


#: UEB transcriber's note indicators (Rules of Unified English Braille 3.27): what the
#: transcriber says, not the print, stands between them.
TN_OPEN = "\u2808\u2828\u2823"
TN_CLOSE = "\u2808\u2828\u281c"


def braille_number(value: int | str) -> str:
    """Digits in braille with the numeric indicator (``12`` -> ``⠼⠁⠃``)."""
    digits = "".join(DIGITS[int(d)] for d in str(value) if d.isdigit())
    return NUMBER_SIGN + digits


def wrap(braille: str, width: int, first_indent: int = 0, runover_indent: int = 0) -> list[Line]:
    """Wrap braille at blank cells; a sequence too long for a line is divided at a hyphen,
    else with the line continuation indicator, never after a prefix cell."""
    words = [w for w in braille.split(BLANK) if w]
    lines: list[Line] = []
    current = ""
    indent = first_indent
    for word in words:
        while True:
            room = width - indent
            if not current:
                if len(word) <= room:
                    current = word
                    break
                head, word = _divide(word, room)
                lines.append(Line(BLANK * indent + head, joins=True))
                indent = runover_indent
                continue
            if len(current) + 1 + len(word) <= room:
                current += BLANK + word
                break
            lines.append(Line(BLANK * indent + current))
            current = ""
            indent = runover_indent
    if current:
        lines.append(Line(BLANK * indent + current))
    return lines


def _divide(word: str, room: int) -> tuple[str, str]:
    """Split an over-long sequence: after its last hyphen that fits, else before ``room``
    cells with dot 5 as the continuation indicator."""
    for cut in range(min(room, len(word) - 1), 1, -1):
        if word[cut - 1] == HYPHEN and word[cut - 2] not in PREFIXES:
            return word[:cut], word[cut:]
    cut = room - 1
    while cut > 1 and word[cut - 1] in PREFIXES:
        cut -= 1
    return word[:cut] + CONTINUATION, word[cut:]


def centred(braille: str, width: int) -> list[Line]:
    """A centred heading: wrapped with at least two blank cells each side, then centred."""
    lines = wrap(braille, max(width - 4, 10))
    return [
        Line(BLANK * ((width - len(line.cells)) // 2) + line.cells, joins=line.joins)
        for line in lines
    ]


def print_page_line(label: str, width: int, translator: Translator) -> Line:
    """A print page indicator: dots 36 across the line, then the print page number."""
    number = braille_number(label) if label.isdigit() else translator.translate(label)
    number = number[: width - MIN_PRINT_PAGE_FILL]
    return Line(HYPHEN * (width - len(number)) + number, kind="print-page")


# -- the tree -> blocks -------------------------------------------------------------------


@dataclass
class _Inline:
    """Mixed content flattened to text segments split at inline print page breaks."""

    segments: list[str] = field(default_factory=lambda: [""])
    pages: list[str] = field(default_factory=list)  # pages[i] starts after segments[i]

    def add(self, text: str | None) -> None:
        if text:
            self.segments[-1] += text

    def page_break(self, page: str) -> None:
        self.pages.append(page)
        self.segments.append("")


def _flatten(element: Element, into: _Inline) -> None:
    """Append an element's inline content; stop at block content (a list in an item)."""
    into.add(element.text)
    for child in element:
        if not isinstance(child.tag, str):
            into.add(child.tail)
            continue
        tag = child.tag
        if tag == "pagebreak":
            into.page_break(str(child.get("page")))
        elif tag in ("em", "strong", "abbr", "span"):
            _flatten(child, into)
        elif tag == "symbol":
            pass  # an Easy Read line's picture: braille gives the words, which say it all
        elif tag == "quote":
            into.add("\u201c")
            _flatten(child, into)
            into.add("\u201d")
        elif tag == "noteref":
            into.add(f"[{canonical.text_content(child).strip()}]")
        elif tag == "a":
            _flatten(child, into)
            href = str(child.get("href") or "")
            shown = href.removeprefix("mailto:").removeprefix("tel:")
            # A link's address is content a braille reader cannot follow: give it once.
            if shown and not href.startswith("#") and shown not in canonical.text_content(child):
                into.add(f" ({shown})")
        elif tag in ("list", "table", "note"):
            return  # block content inside an item, and all after it: laid out by the caller
        else:
            raise TypeError(f"no braille layout for inline <{tag}>")
        into.add(child.tail)


@dataclass
class Layout:
    """Translate and lay out a canonical tree into braille pages."""

    root: Element
    options: Options
    code: BrailleCode
    translator: Translator = field(init=False)
    blocks: list[Block] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.translator = Translator(self.code)

    @property
    def width(self) -> int:
        return self.options.braille_cells

    # -- blocks of text -------------------------------------------------------------------

    def text_lines(
        self, element: Element, first: int, runover: int, prefix: str = ""
    ) -> list[Line]:
        """One element's inline content, wrapped, with print page indicator lines where a
        print page turned inside it (each stretch translated in one liblouis call)."""
        flat = _Inline()
        flat.add(prefix)
        _flatten(element, flat)
        lines: list[Line] = []
        indent = first
        for index, segment in enumerate(flat.segments):
            braille = self.translator.translate(segment)
            if braille:
                lines.extend(wrap(braille, self.width, indent, runover))
                indent = runover
            if index < len(flat.pages):
                lines.append(print_page_line(flat.pages[index], self.width, self.translator))
        return lines

    def add(self, block: Block) -> None:
        if block.lines:
            self.blocks.append(block)

    def visit(self, element: Element, depth: int) -> None:
        tag = element.tag
        if not isinstance(tag, str):
            return
        if tag == "section":
            self.visit_section(element, depth)
        elif tag == "p":
            number = element.get("n")
            prefix = f"{number}. " if number else ""
            self.add(Block(self.text_lines(element, 2, 0, prefix)))
        elif tag == "list":
            self.visit_list(element, 0)
        elif tag == "table":
            self.visit_table(element)
        elif tag == "note":
            label = element.get("label")
            prefix = f"Note {label}: " if label else "Note: "
            self.add(Block(self.text_lines(element, 0, 2, prefix)))
        elif tag == "pagebreak":
            line = print_page_line(str(element.get("page")), self.width, self.translator)
            self.add(Block([line]))
        elif tag == "figure":
            self.visit_figure(element)
        elif tag == "line":
            # An Easy Read line as a paragraph of its own (its picture has no braille).
            self.add(Block(self.text_lines(element, 2, 0)))
        else:
            raise TypeError(f"no braille layout for <{tag}>")

    def visit_figure(self, figure: Element) -> None:
        """An image is a transcriber's note, "image: DESCRIPTION" (UKAAF), then its caption
        as printed; a decorative image is left out, as a reader of print passes it by."""
        if figure.get("decorative") == "true":
            return
        description = " ".join((figure.findtext("description") or "").split())
        note = f"image: {description}" if description else NO_DESCRIPTION
        braille = TN_OPEN + self.translator.translate(note) + TN_CLOSE
        lines = wrap(braille, self.width, 0, 2)
        caption = figure.find("caption")
        if caption is not None:
            lines.extend(self.text_lines(caption, 0, 2))
        self.add(Block(lines, blank_before=True, blank_after=True))

    def visit_section(self, section: Element, depth: int) -> None:
        heading = section.find("heading")
        if heading is not None:
            if depth == 0:
                flat = _Inline()
                _flatten(heading, flat)
                lines = centred(self.translator.translate(" ".join(flat.segments)), self.width)
                lines.extend(print_page_line(p, self.width, self.translator) for p in flat.pages)
            else:
                lines = self.text_lines(heading, 0, 2)
            self.add(Block(lines, blank_before=True, blank_after=True, keep_with_next=2))
        for child in section:
            if child.tag != "heading":
                self.visit(child, depth + 1)

    def visit_list(self, element: Element, level: int) -> None:
        ordered = element.get("type") == "ordered"
        for number, item in enumerate(element.iterfind("item"), start=1):
            label = item.get("label") or (str(number) if ordered else "\u2022")
            label = f"{label}." if ordered and label[-1].isalnum() else label
            start = 2 * level
            self.add(Block(self.text_lines(item, start, start + 2, f"{label} ")))
            nested = False
            for child in item:
                if child.tag == "list":
                    nested = True
                    self.visit_list(child, level + 1)
                elif child.tag == "pagebreak" and nested:
                    # After a nested list a page break is a block (before it, inline).
                    self.add(
                        Block(
                            [print_page_line(str(child.get("page")), self.width, self.translator)]
                        )
                    )

    def visit_table(self, table: Element) -> None:
        caption = table.find("caption")
        lines: list[Line] = []
        if caption is not None:
            lines = self.text_lines(caption, 0, 2, "Table: ")
        else:
            lines = wrap(self.translator.translate("Table"), self.width)
        self.add(Block(lines, blank_before=True, keep_with_next=1))
        labels = _column_labels(table)
        rows = table.findall("row")
        for index, row in enumerate(rows):
            parts: list[str] = []
            for column, cell in _cells_by_column(row):
                text = " ".join(canonical.text_content(cell).split())
                label = labels.get(column, "")
                if label and label != text:
                    parts.append(f"{label}: {text}")
                elif text:
                    parts.append(text)
            braille = self.translator.translate("; ".join(parts))
            block = Block(wrap(braille, self.width, 0, 2))
            block.blank_after = index == len(rows) - 1
            self.add(block)
        if not rows and self.blocks:
            self.blocks[-1].blank_after = True

    # -- the document ---------------------------------------------------------------------

    def title_page(self) -> list[Line]:
        meta = self.root.find("meta")
        assert meta is not None
        title = " ".join((meta.findtext("title") or "").split())
        lines: list[Line] = [Line("", "blank")]
        lines.extend(centred(self.translator.translate(title), self.width))
        subtitle = " ".join((meta.findtext("subtitle") or "").split())
        if subtitle:
            lines.append(Line("", "blank"))
            lines.extend(centred(self.translator.translate(subtitle), self.width))
        source = meta.find("source")
        name = source.get("name") if source is not None else None
        publisher = meta.findtext("publisher")
        notes = [f"Braille version, in {self.code.description}."]
        if name:
            notes.append(
                f"Transcribed from {name}" + (f", published by {publisher}." if publisher else ".")
            )
        if source is not None and source.get("pages"):
            notes.append(
                f"The print edition has {source.get('pages')} pages; print page numbers are shown on lines of dashes."
            )
        lines.append(Line("", "blank"))
        lines.extend(wrap(self.translator.translate(" ".join(notes)), self.width, 2, 0))
        return lines

    def run(self) -> BrailleDocument:
        body = self.root.find("body")
        for child in body if body is not None else ():
            self.visit(child, 0)
        back = self.root.find("back")
        for child in back if back is not None else ():
            self.visit(child, 0)
        document = BrailleDocument(self.code, self.width, self.options.braille_lines)
        paginate(document, self.title_page(), self.blocks)
        document.translator_calls = self.translator.calls
        return document


def _column_labels(table: Element) -> dict[int, str]:
    """Column index -> header label, from the table's head rows (joined when stacked)."""
    labels: dict[int, list[str]] = {}
    for row in table.iterfind("head/row"):
        for column, cell in _cells_by_column(row):
            text = " ".join(canonical.text_content(cell).split())
            if text:
                labels.setdefault(column, []).append(text)
    return {column: " ".join(parts) for column, parts in labels.items()}


def _cells_by_column(row: Element) -> Iterator[tuple[int, Element]]:
    column = 0
    for cell in row.iterfind("cell"):
        yield column, cell
        column += int(cell.get("colspan") or 1)


def paginate(document: BrailleDocument, title: list[Line], blocks: list[Block]) -> None:
    """Flow the title page and the blocks onto pages.  Line 1 of every page carries the
    braille page number at the right; a blank line is dropped at the top of a page; a
    heading keeps with the start of what follows; a print page indicator never ends a page."""
    room = document.lines_per_page - 1
    pages: list[list[Line]] = []
    current: list[Line] = []

    def new_page() -> None:
        nonlocal current
        pages.append(current)
        current = []

    def put(line: Line) -> None:
        if line.kind == "blank" and not current:
            return
        if line.kind == "print-page" and len(current) == room - 1:
            new_page()
        if len(current) >= room:
            new_page()
        current.append(line)

    for line in title:
        if len(current) >= room:
            new_page()
        current.append(line)
    new_page()  # the text starts on a fresh page
    pending_blank = False
    for index, block in enumerate(blocks):
        if block.blank_before:
            pending_blank = True
        following = blocks[index + 1].lines if index + 1 < len(blocks) else []
        need = (
            len(block.lines)
            + (1 if block.blank_after else 0)
            + min(block.keep_with_next, len(following))
        )
        if block.keep_with_next and current and len(current) + pending_blank + need > room:
            new_page()
        if pending_blank:
            put(Line("", "blank"))
            pending_blank = False
        for line in block.lines:
            put(line)
        pending_blank = block.blank_after
    if current:
        pages.append(current)
    width = document.cells
    for number, lines in enumerate(pages, start=1):
        label = braille_number(number)
        header = Line(BLANK * (width - len(label)) + label, "page-number")
        document.pages.append(Page(number, (header, *lines)))


def layout(root: Element, options: Options) -> BrailleDocument:
    """Translate and lay out a canonical tree (validated first) into braille pages."""
    canonical.validate(root)
    code = code_for(canonical.language(root), options.braille_grade)
    return Layout(root, options, code).run()


# -- output encodings ---------------------------------------------------------------------

# North American ASCII braille (the BRF character set): the character for each of the 64
# six-dot cells, indexed by the cell's dot bits (dot 1 = bit 0 ... dot 6 = bit 5).
ASCII_BRAILLE = " A1B'K2L@CIF/MSP\"E3H9O6R^DJG>NTQ,*5<-U8V.%[$+X!&;:4\\0Z7(_?W]#Y)="


def line_text(line: Line) -> str:
    """A line's cells without trailing blanks (blank cells inside stay)."""
    return line.cells.rstrip(BLANK)


def to_ascii(braille: str) -> str:
    """Unicode six-dot braille -> North American ASCII braille, via liblouis's BRF table."""
    if not braille:
        return ""
    ascii_text: str = louis_module().dotsToChar(["en-us-brf.dis"], braille)
    return ascii_text


def cell_of(character: str) -> str:
    """ASCII braille character -> Unicode braille cell (either letter case)."""
    return chr(0x2800 + ASCII_BRAILLE.index(character.upper()))
