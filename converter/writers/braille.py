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
from converter.writers import edition, xhtml

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
PRELIMINARY = "\u280f"  # p: preliminary pages are numbered p1, p2 ... (UKAAF)
NOTE_INDICATOR = "\u2810\u2814"  # UEB note indicator, dots 5 and 35
#: UEB transcriber's note indicators (Rules of Unified English Braille 3.27): what the
#: transcriber says, not the print, stands between them.
TN_OPEN = "\u2808\u2828\u2823"
TN_CLOSE = "\u2808\u2828\u281c"
GUIDE_DOT = "\u2810"  # dot 5: guide dots between a contents entry and its page number
#: What a transcriber's note says of a table's layout (a figure's says "image: ...").
TABLE_NOTE = "table: set out row by row, each cell after its column heading"
#: A table with no column headings (label and value pairs; a judgement table whose only
#: heading, printed across it, is its caption): no heading to set a cell after.
TABLE_NOTE_WITHOUT_HEADINGS = "table: set out row by row, its cells separated by semicolons"

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
    anchor: str | None = None  # a heading's id: the contents gives the page it starts on


@dataclass(frozen=True)
class Page:
    number: str  # "p1", "p2" ... for preliminary pages, then "1", "2" ...
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
    translator_calls: int = 0  # for the text
    preliminary_calls: int = 0  # for the title page, transcriber's notes and contents
    duplex: bool = False  # interpoint: pages alternate right and left


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
    """Mixed content flattened to segments split at inline print page breaks; a segment is
    pieces of print text to translate and of braille to keep as it is (note indicators)."""

    segments: list[list[tuple[str, bool]]] = field(default_factory=lambda: [[]])
    pages: list[str] = field(default_factory=list)  # pages[i] starts after segments[i]
    notes: list[str] = field(default_factory=list)  # ids of the notes referred to, in order

    def add(self, text: str | None) -> None:
        if text:
            self.segments[-1].append((text, False))

    def add_braille(self, cells: str) -> None:
        self.segments[-1].append((cells, True))

    def page_break(self, page: str) -> None:
        self.pages.append(page)
        self.segments.append([])

    def text(self) -> str:
        """The print text of every segment (for headings, which are centred whole)."""
        return " ".join(piece for segment in self.segments for piece, raw in segment if not raw)


def note_mark(label: str, translator: Translator) -> str:
    """The UEB note indicator and the note's number (or its mark as print text)."""
    label = label.strip()
    if label.isdigit():
        return NOTE_INDICATOR + braille_number(label)
    return NOTE_INDICATOR + (translator.translate(label) if label else "")


def _flatten(element: Element, into: _Inline, translator: Translator) -> None:
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
            _flatten(child, into, translator)
        elif tag == "symbol":
            pass  # an Easy Read line's picture: braille gives the words, which say it all
        elif tag == "quote":
            into.add("\u201c")
            _flatten(child, into, translator)
            into.add("\u201d")
        elif tag == "noteref":
            # The note indicator, unspaced after the word it belongs to (UEB): never a bare
            # number glued to the word ("improve?1").
            into.add_braille(note_mark(canonical.text_content(child), translator))
            into.notes.append(child.get("ref", ""))
        elif tag == "a":
            _flatten(child, into, translator)
            href = str(child.get("href") or "")
            # A link's address is content a braille reader cannot follow: give it once, and
            # not at all when the link text already is the address.
            if not href.startswith("#") and not same_address(href, canonical.text_content(child)):
                into.add(f" ({href.removeprefix('mailto:').removeprefix('tel:')})")
        elif tag in ("list", "table", "note"):
            return  # block content inside an item, and all after it: laid out by the caller
        else:
            raise TypeError(f"no braille layout for inline <{tag}>")
        into.add(child.tail)


def same_address(href: str, text: str) -> bool:
    """Whether link text is its own address ('www.gov.uk/ofsted' for
    'https://www.gov.uk/ofsted', an email address for its mailto: link)."""

    def bare(value: str) -> str:
        value = value.strip().casefold()
        for prefix in ("mailto:", "tel:", "https://", "http://", "www."):
            value = value.removeprefix(prefix)
        return value.rstrip("/")

    return not href or bare(href) == bare(text) or bare(href) in bare(text)


@dataclass(frozen=True)
class ContentsEntry:
    text: str
    level: int  # 0 for a top-level section
    anchor: str | None  # the heading id whose braille page the entry gives


@dataclass
class Layout:
    """Translate and lay out a canonical tree (arranged by edition.prepare) into braille
    pages: preliminary pages (title page, transcriber's notes, contents), then the text."""

    root: Element
    options: Options
    code: BrailleCode
    translator: Translator = field(init=False)
    blocks: list[Block] = field(default_factory=list)
    contents: list[ContentsEntry] = field(default_factory=list)
    source_contents: Element | None = None
    notes: dict[str, Element] = field(default_factory=dict)  # cited notes, by id
    placed_notes: set[str] = field(default_factory=set)
    pending_notes: list[str] = field(default_factory=list)  # cited by the block just made
    tables: int = 0
    notes_in_text: int = 0  # transcriber's notes in the text (transcriber_note)

    def __post_init__(self) -> None:
        self.translator = Translator(self.code)
        cited = {ref.get("ref", "") for ref in self.root.iter("noteref")}
        self.notes = {
            str(note.get("id")): note for note in self.root.iter("note") if note.get("id") in cited
        }

    @property
    def width(self) -> int:
        return self.options.braille_cells

    # -- blocks of text -------------------------------------------------------------------

    def text_lines(
        self, element: Element, first: int, runover: int, prefix: str = ""
    ) -> list[Line]:
        """One element's inline content, wrapped, with print page indicator lines where a
        print page turned inside it (each stretch translated in one liblouis call); the
        notes it cites are laid out after its block (``place_notes``)."""
        flat = _Inline()
        flat.add(prefix)
        _flatten(element, flat, self.translator)
        self.pending_notes.extend(flat.notes)
        return self.lines_of(flat, first, runover)

    def braille_of(self, segment: list[tuple[str, bool]]) -> str:
        """A segment's braille: its print text translated in one call per stretch between
        pieces of braille (note indicators), spaces at the joins kept."""
        out: list[str] = []
        text = ""
        for piece, raw in [*segment, ("", True)]:
            if not raw:
                text += piece
                continue
            if text.strip():
                lead = BLANK if text[:1].isspace() else ""
                trail = BLANK if text[-1:].isspace() else ""
                out.append(lead + self.translator.translate(text) + trail)
            elif text and out:
                out.append(BLANK)
            text = ""
            out.append(piece)
        return "".join(out).strip(BLANK)

    def lines_of(self, flat: _Inline, first: int, runover: int) -> list[Line]:
        lines: list[Line] = []
        indent = first
        for index, segment in enumerate(flat.segments):
            braille = self.braille_of(segment)
            if braille:
                lines.extend(wrap(braille, self.width, indent, runover))
                indent = runover
            if index < len(flat.pages):
                lines.append(print_page_line(flat.pages[index], self.width, self.translator))
        return lines

    def transcriber_note(self, text: str) -> list[Line]:
        """A transcriber's note in the text (a figure's description, how a table is set
        out): between UEB's transcriber's note indicators, blocked at cell 3 so that it
        stands apart from the print's paragraphs, which start at cell 3 and run over to
        cell 1.  Every note in the text takes this one form."""
        self.notes_in_text += 1
        return wrap(TN_OPEN + self.translator.translate(text) + TN_CLOSE, self.width, 2, 2)

    def add(self, block: Block) -> None:
        if block.lines:
            self.blocks.append(block)
        self.place_notes()

    def place_notes(self) -> None:
        """The notes the last block cited, each once, after it (UKAAF: the note follows
        the paragraph that refers to it)."""
        while self.pending_notes:
            note_id = self.pending_notes.pop(0)
            note = self.notes.get(note_id)
            if note is None or note_id in self.placed_notes:
                continue
            self.placed_notes.add(note_id)
            self.add(Block(self.note_lines(note), blank_after=False))

    def note_lines(self, note: Element) -> list[Line]:
        flat = _Inline()
        flat.add_braille(note_mark(note.get("label", ""), self.translator) + BLANK)
        _flatten(note, flat, self.translator)
        self.pending_notes.extend(flat.notes)
        return self.lines_of(flat, 6, 4)

    def visit(self, element: Element, depth: int) -> None:
        tag = element.tag
        if not isinstance(tag, str):
            return
        if tag == "section":
            self.visit_section(element, depth)
        elif tag == "p":
            number = element.get("n")
            prefix = f"{number}. " if number else ""
            if element.get("role") == edition.ADDRESS:
                self.add(Block(self.text_lines(element, 0, 2, prefix)))
            else:
                self.add(Block(self.text_lines(element, 2, 0, prefix)))
        elif tag == "list":
            self.visit_list(element, 0)
        elif tag == "table":
            self.visit_table(element)
        elif tag == "note":
            if element.get("id") in self.notes:
                return  # laid out after the paragraph that cites it
            self.add(Block(self.note_lines(element)))
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
        lines = self.transcriber_note(f"image: {description}" if description else NO_DESCRIPTION)
        caption = figure.find("caption")
        if caption is not None:
            lines.extend(self.text_lines(caption, 0, 2))
        self.add(Block(lines, blank_before=True, blank_after=True))

    def visit_section(self, section: Element, depth: int) -> None:
        if section.get("role") == "contents" and section.find("heading") is not None:
            # The source's own contents page is the braille contents (preliminary pages).
            self.source_contents = section
            for child in section:
                if child.tag == "pagebreak":
                    self.visit(child, depth)
            return
        heading = section.find("heading")
        if heading is not None:
            anchor = heading.get("id")
            if depth <= 1:
                self.contents.append(ContentsEntry(xhtml.heading_text(heading), depth, anchor))
            if depth == 0:
                flat = _Inline()
                _flatten(heading, flat, self.translator)
                self.pending_notes.extend(flat.notes)
                braille = BLANK.join(self.braille_of(segment) for segment in flat.segments)
                lines = centred(braille, self.width)
                lines.extend(print_page_line(p, self.width, self.translator) for p in flat.pages)
            else:
                lines = self.text_lines(heading, 0, 2)
            self.add(
                Block(lines, blank_before=True, blank_after=True, keep_with_next=2, anchor=anchor)
            )
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
        """A table set out row by row, each cell after its column heading, under its
        caption and a transcriber's note that says so."""
        self.tables += 1
        caption = table.find("caption")
        lines: list[Line] = []
        if caption is not None:
            lines = self.text_lines(caption, 0, 2)
        else:
            lines = wrap(self.translator.translate(f"Table {self.tables}"), self.width)
        labels = _column_labels(table)
        lines.extend(self.transcriber_note(TABLE_NOTE if labels else TABLE_NOTE_WITHOUT_HEADINGS))
        self.add(Block(lines, blank_before=True, keep_with_next=1))
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

    # -- preliminary pages ----------------------------------------------------------------

    def title_page(self, body_pages: int, preliminary_pages: int) -> list[Line]:
        """Title, subtitle, the document's dates, the edition, who made it from what, and
        the volume (UKAAF): never the source's file name."""
        facts = edition.title_page(self.root, self.edition())
        lines: list[Line] = [Line("", "blank")]
        lines.extend(centred(self.translator.translate(facts.title), self.width))
        if facts.subtitle:
            lines.append(Line("", "blank"))
            lines.extend(centred(self.translator.translate(facts.subtitle), self.width))
        volume = (
            f"Volume 1 of 1: preliminary pages p1 to p{preliminary_pages}, "
            f"braille pages 1 to {body_pages}."
        )
        for paragraph in (*facts.dates, facts.edition, facts.origin, volume):
            lines.append(Line("", "blank"))
            lines.extend(wrap(self.translator.translate(paragraph), self.width, 0, 2))
        return lines

    def edition(self) -> str:
        layout = "interpoint" if self.options.duplex else "single-sided"
        return (
            f"Braille edition in {self.code.description}, {self.width} cells by "
            f"{self.options.braille_lines} lines, {layout}."
        )

    def transcriber_notes(self, added_headings: list[str]) -> list[Block]:
        """The conventions of this transcription, said once before the text."""
        notes = [
            "Braille page numbers are at the top right of each page; the preliminary "
            "pages are numbered p1, p2 and so on.",
        ]
        if any(True for _ in self.root.iter("pagebreak")):
            notes.append(
                "Print page numbers are shown at the right of a line of dots 3 6 where a "
                "print page begins."
            )
        if self.notes_in_text:
            notes.append(
                "A transcriber's note in the text stands between the transcriber's note "
                "indicators, dots 4 46 126 before it and dots 4 46 345 after it."
            )
        if self.tables:
            notes.append(
                "Tables are set out row by row: each cell follows its column heading, where "
                "the table has them, and a colon, and the cells of a row are separated by "
                "semicolons."
            )
        if any(True for _ in self.root.iter("note")):
            notes.append(
                "Notes are marked by the note indicator, dots 5 and 3 5, and their number; "
                "each note follows the paragraph that refers to it."
            )
        if any(a.get("href", "").startswith(("http", "mailto:")) for a in self.root.iter("a")):
            notes.append("Web and email addresses are given once, in full, in brackets.")
        if added_headings:
            quoted = edition.join_words([f"\u201c{h}\u201d" for h in added_headings])
            which = "headings" if len(added_headings) > 1 else "heading"
            verb = "were" if len(added_headings) > 1 else "was"
            notes.append(f"The {which} {quoted} {verb} added by the transcriber.")
        blocks = [
            Block(
                centred(self.translator.translate("Transcriber's notes"), self.width),
                blank_after=True,
            )
        ]
        for note in notes:
            blocks.append(Block(wrap(self.translator.translate(note), self.width, 2, 0)))
        return blocks

    def contents_blocks(self, anchors: dict[str, int]) -> list[Block]:
        """The contents: each entry with guide dots and its braille page at the right (the
        source's own contents page when it has one, its entries matched to headings)."""
        heading = "Contents"
        entries = self.contents
        if self.source_contents is not None:
            heading = xhtml.heading_text(self.source_contents.find("heading"))  # type: ignore[arg-type]
            entries = self.source_entries()
        blocks = [Block(centred(self.translator.translate(heading), self.width), blank_after=True)]
        for entry in entries:
            page = anchors.get(entry.anchor or "")
            number = braille_number(page) if page is not None else ""
            blocks.append(Block(self.entry_lines(entry, number)))
        return blocks

    def source_entries(self) -> list[ContentsEntry]:
        assert self.source_contents is not None
        headings = xhtml.heading_ids(self.root)
        seen: dict[str, int] = {}
        entries: list[ContentsEntry] = []
        for item in self.source_contents.iter("item"):
            text = " ".join(canonical.text_content(item).split())
            key = xhtml.entry_key(text)
            targets = headings.get(key, [])
            count = seen.get(key, 0)
            seen[key] = count + 1
            anchor = targets[min(count, len(targets) - 1)] if targets else None
            entries.append(ContentsEntry(text, 0, anchor))
        return entries

    def entry_lines(self, entry: ContentsEntry, number: str) -> list[Line]:
        """An entry wrapped short of the page number's column, its last line filled with
        guide dots (dot 5) up to the number at the right margin."""
        indent = 2 * entry.level
        room = self.width - len(number) - 3 if number else self.width
        lines = wrap(self.translator.translate(entry.text), room, indent, indent + 2)
        if not number or not lines:
            return lines
        last = line_text(lines[-1])
        dots = self.width - len(last) - len(number) - 2
        if dots < 2:
            lines.append(Line(BLANK * (indent + 2)))
            last = line_text(lines[-1])
            dots = self.width - len(last) - len(number) - 2
        lines[-1] = Line(last + BLANK + GUIDE_DOT * dots + BLANK + number)
        return lines

    # -- the document ---------------------------------------------------------------------

    def run(self) -> BrailleDocument:
        for part in ("body", "back"):
            container = self.root.find(part)
            for child in container if container is not None else ():
                self.visit(child, 0)
        document = BrailleDocument(self.code, self.width, self.options.braille_lines)
        document.translator_calls = self.translator.calls
        room = document.lines_per_page - 1
        body, anchors = flow(self.blocks, room)
        added = [
            h.text or ""
            for h in self.root.iterfind(".//section/heading")
            if str(h.get("id", "")).startswith(("overview-heading", "back-matter-heading"))
        ]
        notes_pages, _ = flow(self.transcriber_notes(added), room)
        contents_pages, _ = flow(self.contents_blocks(anchors), room)
        duplex = self.options.duplex
        preliminary = 1
        for _ in range(3):  # the title page names the page count, which its length may change
            title_pages, _ = flow([Block(self.title_page(len(body), preliminary))], room)
            sheets = [*_recto(title_pages, duplex), *_recto(notes_pages, duplex), *contents_pages]
            sheets = _recto(sheets, duplex)
            if len(sheets) == preliminary:
                break
            preliminary = len(sheets)
        for number, lines in enumerate(sheets, start=1):
            document.pages.append(_numbered(f"p{number}", lines, self.width))
        for number, lines in enumerate(_recto(body, duplex), start=1):
            document.pages.append(_numbered(str(number), lines, self.width))
        document.duplex = duplex
        document.preliminary_calls = self.translator.calls - document.translator_calls
        return document


def _recto(pages: list[list[Line]], duplex: bool) -> list[list[Line]]:
    """Interpoint: an even number of pages, so what follows starts on a right-hand page."""
    if duplex and len(pages) % 2:
        return [*pages, []]
    return pages


def _numbered(label: str, lines: list[Line], width: int) -> Page:
    """A page with its braille page number at the right of line 1 (a blank page, left so
    that the next part starts on a right-hand page, shows none)."""
    if not lines:
        return Page(label, ())
    number = (PRELIMINARY if label.startswith("p") else "") + braille_number(label.lstrip("p"))
    header = Line(BLANK * (width - len(number)) + number, "page-number")
    return Page(label, (header, *lines))


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


def flow(blocks: list[Block], room: int) -> tuple[list[list[Line]], dict[str, int]]:
    """Flow blocks onto pages of ``room`` lines (line 1, the page number, comes on top), and
    the page number (from 1) each anchored block starts on.  A blank line is dropped at the
    top of a page; a heading keeps with the start of what follows; a print page indicator
    never ends a page."""
    pages: list[list[Line]] = []
    current: list[Line] = []
    anchors: dict[str, int] = {}

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
        for position, line in enumerate(block.lines):
            put(line)
            if position == 0 and block.anchor:
                anchors[block.anchor] = len(pages) + 1
        pending_blank = block.blank_after
    if current:
        pages.append(current)
    return pages, anchors


def layout(root: Element, options: Options) -> BrailleDocument:
    """Translate and lay out a canonical tree (validated first) into braille pages."""
    canonical.validate(root)
    code = code_for(canonical.language(root), options.braille_grade)
    return Layout(edition.prepare(root), options, code).run()


def describe_pages(pages: int, options: Options) -> str:
    """One line on a braille copy of ``pages`` pages, for the terminal."""
    grade = "contracted" if options.braille_grade == 2 else "uncontracted"
    sides = ", interpoint" if options.duplex else ""
    return (
        f"{pages} braille pages, grade {options.braille_grade} ({grade}), "
        f"{options.braille_cells} x {options.braille_lines}{sides}"
    )


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
