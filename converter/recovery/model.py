"""The working types of structure recovery: source lines, blocks, facts and the document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from converter.recovery.patterns import join_texts


@dataclass(frozen=True)
class SourceLine:
    """One line of the source as read: what structure recovery works from.

    ``page`` is the print page (1 + form feeds before the line in text sources).  The
    layout hints are optional; a PDF reader fills them where it knows them, and the text
    reader leaves them None.  ``heading_level`` is the level a tagged PDF gives the line
    (1 for H1 ... 6 for H6).
    """

    number: int
    text: str
    page: int = 1
    font_size: float | None = None
    bold: bool | None = None
    x: float | None = None
    heading_level: int | None = None
    #: A table row a reader found by layout (a PDF's cells): the cells' texts, and
    #: whether it is a header row.  ``text`` then holds the cells joined by spaces.
    cells: tuple[str, ...] = ()
    header: bool = False
    spans: tuple[int, ...] = ()  # each cell's columns, where one spans several (else empty)


@dataclass
class Block:
    """A run of content lines that forms one block of the document, before it is XML.

    ``kind`` is para, heading, item, table or contents; recognisers may change it and
    set ``role``, ``grade``, ``n`` (paragraph number) and ``level``.
    """

    kind: str
    lines: list[SourceLine]
    texts: list[str]  # the text of each line, cleaned (marker removed, hyphens repaired)
    marker: str = ""  # bullet glyph or the number of a numbered line
    n: str | None = None
    role: str | None = None
    grade: str | None = None
    area: str | None = None
    rows: list[list[str]] = field(default_factory=list)  # for tables
    head_rows: int = 0
    row_headers: bool = False  # a table's first cells label their rows (label/value pairs)
    spans: list[tuple[int, ...]] = field(default_factory=list)  # per row, each cell's columns
    depth: int = 0  # list nesting depth for items
    blank_before: bool = False
    page_break_before: bool = False
    ident: str | None = None
    level: int | None = None  # heading level (1 = top), when the evidence gives one

    @property
    def text(self) -> str:
        return join_texts(self.texts)

    @property
    def first(self) -> int:
        return self.lines[0].number

    @property
    def last(self) -> int:
        return self.lines[-1].number

    @property
    def page(self) -> int:
        return self.lines[0].page


@dataclass
class Facts:
    """What a recogniser learnt about the document (everything optional but the kind)."""

    kind: str = "generic"
    title: str | None = None
    title_lines: tuple[int, ...] = ()
    subtitle: str | None = None
    subject: str | None = None
    publisher: str | None = None
    dates: list[tuple[str, str, str]] = field(default_factory=list)  # (role, iso, as written)
    people: list[tuple[str, str]] = field(default_factory=list)  # (role, name as written)
    judgements: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # area, grade, label, as written
    back_start: int | None = None  # index of the first back-matter block


@dataclass
class Document:
    """The state structure recovery works on; recognisers read and change it."""

    lines: list[SourceLine]
    artifacts: dict[int, str]  # line number -> reason
    blocks: list[Block]
    width: int
    pages: int
    repairs: list[tuple[int, str, str]]  # line, as found, as repaired


Recogniser = Callable[[Document], Facts | None]
