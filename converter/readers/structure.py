"""Structure recovery: source lines (from text or PDF) to a canonical tree, for any document.

The public entry point is :func:`recover`.  A reader turns its source into a sequence of
:class:`SourceLine` (1-based line number, text, print page, optional layout hints) and
calls ``recover(lines)``; the result is a canonical ``report`` element whose ``meta/source``
the reader registry completes.  Recognisers for particular publishers (Ofsted, in
``ofsted.py``) refine the general blocks; the general layer knows nothing of them.

The steps, each linear in the number of lines:

1. artifacts: bare page numbers, ``Page N of M``, running headers and footers (a line
   repeated at the same edge of many pages), contents-page numbers and table rules are
   set aside with their line and reason;
2. lost hyphens repaired on over-long lines (see :func:`repair_lost_hyphens`);
3. lines grouped into blocks (paragraphs, headings, list items, numbered paragraphs,
   tables), joining hard-wrapped lines and paragraphs split by a page break;
4. recognisers refine the blocks and say what the document is (title, kind, dates ...);
5. headings get levels where the evidence is good (PDF tags and type sizes, a
   recogniser's knowledge, a numbering scheme), and the blocks become nested sections,
   paragraphs, lists and tables with stable ids.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lxml import etree

from converter.tree import SCHEMA_VERSION, XML_LANG, append_text

# --- the public input type --------------------------------------------------------------


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


# --- character classes and patterns ------------------------------------------------------

#: Bullet characters seen in real reports: Wingdings private-use glyphs (U+F06E, U+F03C,
#: U+F02D, U+F0B7, U+F0A7), geometric shapes and ordinary dashes and asterisks.
BULLETS = "-*\u2022\u25aa\u25fc\u25a0\u25cf\u25e6\u2023\u2043\u2013\u2014\u00b7\u25cb\u25ba\u2219\uf06e\uf03c\uf02d\uf0b7\uf0a7\uf0d8\uf0fc\u0084\u25fe\u2610\u2611"
_BULLET = re.compile(rf"^\s*([{re.escape(BULLETS)}])(?:\s+|$)(.*)$")
_NUMBERED = re.compile(r"^\s*(\d{1,3})\.(?:\s+(\S.*)|\s*)$")
#: A Markdown-like heading line in plain text: ``## Background`` (closing hashes allowed).
_MARKED_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(\S.*?)(?:\s+#+)?\s*$")
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?[\s:|-]*-{2,}[\s:|-]*\|?\s*$")
_RULE = re.compile(r"^\s*([-_=\u2500\u2501\u2014*~.])\1{4,}\s*$")
_BARE_NUMBER = re.compile(r"^\s*(\d{1,4})\s*$")
_PAGE_OF = re.compile(r"^\s*Page\s+(\d{1,4})(?:\s+of\s+\d{1,4})?\s*$", re.IGNORECASE)
_TRAILING_NUMBER = re.compile(r"\s*\d{1,4}\s*$")
_SPACES = re.compile(r"\s+")
_COLUMN_GAP = re.compile(r"\S(\s{4,})\S")
_TERMINAL = re.compile(r"[.!?:;)\]\"\u201d\u2019']\s*$")
_SENTENCE_END = re.compile(r"[.!?]['\"\u2019\u201d)]?\s*$")
_WORD_CHAR = re.compile(r"[^\W_]")
_FIRST_WORD = re.compile(r"^\s*(\S+)")
_LINK = re.compile(
    r"(?P<url>(?:https?://|www\.)[^\s<>()\"\u201c\u201d]+[^\s<>()\"\u201c\u201d.,;:!?'\u2019])"
    r"|(?P<email>(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
)
_SLUG_DROP = re.compile(r"[^a-z0-9]+")
_HYPHEN_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")

#: Prefixes that, glued to a following word on an over-long line, mark a lost line-end
#: hyphen (reviewed by hand: each is a prefix English writes with a hyphen before a word
#: it could not be mistaken for).  "re" is left out on purpose: "rereferred" is printed so.
HYPHEN_PREFIXES = frozenset(
    [
        "pre",
        "post",
        "non",
        "multi",
        "well",
        "self",
        "cross",
        "inter",
        "anti",
        "co",
        "semi",
        "sub",
        "ex",
        "mid",
        "over",
        "under",
        "day",
    ]
)

#: The prefixes that mark a lost hyphen even before a word the document does not use
#: elsewhere (``selfesteem``), when that word has six letters or more.
STRONG_PREFIXES = frozenset(["well", "self", "multi", "cross", "post"])


def is_bullet_line(text: str) -> bool:
    return _BULLET.match(text) is not None


# --- internal working types ---------------------------------------------------------------


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


# --- 1. artifacts -------------------------------------------------------------------------

_HEADER_ZONE = 3
_FOOTER_ZONE = 5


def find_artifacts(lines: Sequence[SourceLine]) -> dict[int, str]:
    """Line numbers of print artifacts with their reason.

    A running header or footer is a line (its trailing page number ignored) repeated at
    the same edge (first three or last five non-blank lines) of at least half the pages
    after the first; a page number is a bare number equal to the page's own number at an
    edge, or ``Page N of M`` anywhere.  Only one page number is taken per page: the one
    nearest the edge, so a footnote label above it stays text.
    """
    pages: dict[int, list[SourceLine]] = {}
    for line in lines:
        if line.text.strip():
            pages.setdefault(line.page, []).append(line)
    artifacts: dict[int, str] = {}
    page_count = max(pages, default=1)
    header_keys: Counter[str] = Counter()
    footer_keys: Counter[str] = Counter()
    for page_lines in pages.values():
        header_keys.update({_edge_key(x.text) for x in page_lines[:_HEADER_ZONE]})
        footer_keys.update({_edge_key(x.text) for x in page_lines[-_FOOTER_ZONE:]})
    needed = max(2, math.ceil((page_count - 1) / 2))
    for page, page_lines in pages.items():
        contents_page = any(
            x.text.strip().casefold() in ("contents", "table of contents") for x in page_lines[:3]
        )
        for zone, keys, reason in (
            (page_lines[:_HEADER_ZONE], header_keys, "running-header"),
            (page_lines[-_FOOTER_ZONE:], footer_keys, "running-footer"),
        ):
            for line in zone:
                key = _edge_key(line.text)
                if key != "#" and len(key) > 1 and keys[key] >= needed and page_count >= 3:
                    artifacts[line.number] = reason
        for line in page_lines:
            if _PAGE_OF.match(line.text):
                artifacts[line.number] = "page-number"
            elif _RULE.match(line.text):
                artifacts[line.number] = "table-rule"
        number_line = _page_number_line(page, page_lines)
        if number_line is not None:
            artifacts[number_line] = "page-number"
        if contents_page:
            for line in page_lines:
                if _BARE_NUMBER.match(line.text) and line.number not in artifacts:
                    artifacts[line.number] = "contents-page-number"
    return artifacts


def _edge_key(text: str) -> str:
    key = _SPACES.sub(" ", text.strip())
    return _TRAILING_NUMBER.sub(" #", key).strip() if key else key


def _page_number_line(page: int, page_lines: list[SourceLine]) -> int | None:
    footer = [x for x in page_lines[-4:] if _BARE_NUMBER.match(x.text) and int(x.text) == page]
    if footer:
        return footer[-1].number
    header = [x for x in page_lines[:2] if _BARE_NUMBER.match(x.text) and int(x.text) == page]
    return header[0].number if header else None


# --- 2. lost hyphens ----------------------------------------------------------------------


def repair_lost_hyphens(
    lines: Sequence[SourceLine], width: int, skip: set[int]
) -> dict[int, tuple[str, list[tuple[str, str]]]]:
    """Repair words whose line-end hyphen the text lost; returns line -> (new text, repairs).

    How it is told reliably: ``pdftotext`` joins a hyphenated line-end word with the whole
    next line, so the joined form only ever sits on an over-long line (longer than its
    page's usual line width by 8% or more), where a line would have ended.  A glued word
    there is split into ``head-tail`` only when (a) the hyphenated form occurs elsewhere
    in the document, or (b) ``head`` is one of a small reviewed list of prefixes
    (:data:`HYPHEN_PREFIXES`) and ``tail`` occurs elsewhere (as a word or the start of
    one), or (c) both halves occur elsewhere and the glued form nowhere on a line of
    normal length.  In a partly hyphenated compound (``up-todate``, ``childin-need``) a
    glued part made of two words the document uses is split the same way.  Lines of
    normal length are never touched: ``rereferred`` printed mid-line stays.
    """
    vocabulary = _Vocabulary()
    page_lengths: dict[int, list[int]] = {}
    for line in lines:
        if line.number not in skip and len(line.text.strip()) >= 30:
            page_lengths.setdefault(line.page, []).append(len(line.text.rstrip()))
    page_width = {
        page: sorted(lengths)[int(len(lengths) * 0.8)] if len(lengths) >= 12 else width
        for page, lengths in page_lengths.items()
    }
    long_lines = {
        line.number
        for line in lines
        if line.number not in skip
        and page_width.get(line.page, width) <= _HARD_WRAP_LIMIT
        and len(line.text.rstrip()) > page_width.get(line.page, width) * 1.08
    }
    if not long_lines:
        return {}
    vocabulary.add(
        " ".join(x.text for x in lines if x.number not in skip and x.number not in long_lines),
        glued_ok=True,
    )
    vocabulary.add(" ".join(x.text for x in lines if x.number in long_lines), glued_ok=False)
    result: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for line in lines:
        if line.number not in long_lines:
            continue
        text = line.text
        line_width = page_width.get(line.page, width)
        joins = max(1, round(len(text.rstrip()) / line_width) - 1)
        repairs: list[tuple[str, str]] = []
        pieces: list[str] = []
        position = 0
        join = 1
        for match in _HYPHEN_TOKEN.finditer(text):
            if join > joins:
                break
            if match.end() < join * line_width * 0.55:
                continue
            if match.start() > join * line_width + 2:
                join += 1
                continue
            token = match.group(0)
            fixed = vocabulary.repair(token)
            if fixed is not None:
                pieces.append(text[position : match.start()])
                pieces.append(fixed)
                position = match.end()
                repairs.append((token, fixed))
                join += 1
        if repairs:
            pieces.append(text[position:])
            result[line.number] = ("".join(pieces), repairs)
    return result


#: Text whose usual line is longer than this is not hard-wrapped (a paragraph per line), so
#: an over-long line there says nothing about a lost hyphen.
_HARD_WRAP_LIMIT = 160
#: Word endings that are not words of their own, so never the tail of a lost hyphen.
_SUFFIX_LIKE = frozenset(
    [
        "fully",
        "less",
        "ness",
        "ment",
        "ments",
        "ship",
        "able",
        "ally",
        "ings",
        "ence",
        "ance",
        "tion",
        "sion",
    ]
)


class _Vocabulary:
    """The words and hyphenated pairs a document uses, for telling lost hyphens."""

    def __init__(self) -> None:
        self.words: Counter[str] = Counter()
        self.normal_words: Counter[str] = Counter()  # on lines of normal length only
        self.stems: set[str] = set()  # first six letters of longer words
        self.hyphenated: set[str] = set()

    def add(self, text: str, *, glued_ok: bool) -> None:
        tokens = [token.casefold() for token in _HYPHEN_TOKEN.findall(text)]
        parts = [part for token in tokens for part in token.split("-")]
        self.words.update(parts)
        if glued_ok:
            self.normal_words.update(parts)
        self.stems.update(part[:6] for part in parts if len(part) >= 6)
        for token in tokens:
            if "-" in token:
                pieces = token.split("-")
                self.hyphenated.add(token)
                self.hyphenated.update(f"{a}-{b}" for a, b in itertools.pairwise(pieces))

    def known(self, word: str) -> bool:
        return bool(self.words[word]) or (len(word) >= 6 and word[:6] in self.stems)

    def repair(self, token: str) -> str | None:
        parts = token.split("-")
        for index, part in enumerate(parts):
            split = self.split(part, compound=len(parts) > 1)
            if split is not None:
                head, tail = split
                return "-".join([*parts[:index], f"{head}-{tail}", *parts[index + 1 :]])
        return None

    def split(self, part: str, *, compound: bool) -> tuple[str, str] | None:
        lowered = part.casefold()
        if len(lowered) < 4 or self.normal_words[lowered]:
            return None  # too short to tell, or a word the document prints whole
        cuts = range(2, len(lowered) - 1)
        for cut in cuts:
            if f"{lowered[:cut]}-{lowered[cut:]}" in self.hyphenated:
                return part[:cut], part[cut:]
        if compound:
            best = max(
                (c for c in cuts if self.words[lowered[:c]] and self.words[lowered[c:]]),
                key=lambda c: min(c, len(lowered) - c),
                default=None,
            )
            if best is not None:
                return part[:best], part[best:]
        if len(lowered) < 5:
            return None
        for cut in cuts:
            head, tail = lowered[:cut], lowered[cut:]
            if head in HYPHEN_PREFIXES and len(tail) >= 2 and (tail.isdigit() or self.known(tail)):
                return part[:cut], part[cut:]
            if head in STRONG_PREFIXES and len(tail) >= 6 and tail.isalpha():
                return part[:cut], part[cut:]
        for cut in range(4, len(lowered) - 3):
            head, tail = lowered[:cut], lowered[cut:]
            if tail in _SUFFIX_LIKE:
                continue
            if head.isalpha() and tail.isalpha() and self.known(head) and self.known(tail):
                return part[:cut], part[cut:]
        return None


# --- 3. grouping lines into blocks --------------------------------------------------------


def estimate_width(lines: Sequence[SourceLine]) -> int:
    """The usual length of a full line: the 80th percentile of lines of 30+ characters."""
    lengths = sorted(len(x.text.rstrip()) for x in lines if len(x.text.strip()) >= 30)
    if not lengths:
        return 80
    return max(40, lengths[int(len(lengths) * 0.8)])


def starts_lower(text: str) -> bool:
    stripped = text.lstrip()
    return bool(stripped) and stripped[0].islower()


def ends_sentence(text: str) -> bool:
    return _TERMINAL.search(text) is not None


def first_word(text: str) -> str:
    match = _FIRST_WORD.match(text)
    return match.group(1) if match else ""


def join_texts(texts: Sequence[str]) -> str:
    """Join wrapped lines: a line-end hyphen before a lower-case start is kept, no space."""
    out: list[str] = []
    for text in texts:
        text = text.strip()
        if not text:
            continue
        if (
            out
            and out[-1].endswith("-")
            and len(out[-1]) > 1
            and out[-1][-2].isalpha()
            and starts_lower(text)
        ):
            out[-1] = out[-1] + text
        else:
            out.append(text)
    return " ".join(out)


class _Grouper:
    """Groups content lines into blocks in one pass."""

    def __init__(self, lines: list[SourceLine], texts: dict[int, str], width: int) -> None:
        self.lines = lines
        self.texts = texts
        self.width = width
        self.blocks: list[Block] = []

    def text(self, line: SourceLine) -> str:
        return self.texts.get(line.number, line.text)

    def fits(self, previous: str, following: str) -> bool:
        """Would the next line's first word have fitted on the previous line?"""
        return len(previous.rstrip()) + 1 + len(first_word(following)) <= self.width * 0.88

    def run(self) -> list[Block]:
        lines = self.lines
        index = 0
        blank = False
        page = lines[0].page if lines else 1
        current: Block | None = None
        while index < len(lines):
            line = lines[index]
            text = self.text(line)
            turned = line.page != page
            page = line.page
            if not text.strip():
                blank = True
                index += 1
                continue
            if _PIPE_ROW.match(text):
                end = index
                while end < len(lines) and _PIPE_ROW.match(self.text(lines[end])):
                    end += 1
                self.blocks.append(self._pipe_table(lines[index:end], blank, turned))
                current, blank, index = None, False, end
                continue
            columns = self._column_table(index)
            if columns is not None:
                block, end = columns
                block.blank_before, block.page_break_before = blank, turned
                self.blocks.append(block)
                current, blank, index = None, False, end
                continue
            marked = _MARKED_HEADING.match(text)
            if marked:
                # A Markdown-like heading: the hashes give its level; nothing continues it.
                hashes = marked.group(1)
                block = Block("heading", [line], [marked.group(2)], marker=hashes)
                block.level = len(hashes)
                block.blank_before, block.page_break_before = blank, turned
                self.blocks.append(block)
                current, blank, index = None, False, index + 1
                continue
            bullet = _BULLET.match(text)
            numbered = _NUMBERED.match(text)
            if bullet and not (
                bullet.group(1) in "-*" and not bullet.group(2).strip() and current is not None
            ):
                rest = bullet.group(2)
                current = Block("item", [line], [rest], marker=bullet.group(1))
            elif numbered:
                current = Block(
                    "numbered", [line], [numbered.group(2) or ""], marker=numbered.group(1)
                )
            elif current is not None and self._continues(
                current, text, blank, turned, self._after(index)
            ):
                current.lines.append(line)
                current.texts.append(text)
                current.page_break_before = current.page_break_before
                blank = False
                index += 1
                continue
            else:
                current = Block("para", [line], [text])
            current.blank_before, current.page_break_before = blank, turned
            self.blocks.append(current)
            blank = False
            index += 1
        return self.blocks

    def _after(self, index: int) -> str | None:
        """The text of the line after this one: None when a blank line or the end follows."""
        if index + 1 >= len(self.lines):
            return None
        following = self.lines[index + 1]
        text = self.text(following)
        return text if text.strip() and following.page == self.lines[index].page else None

    def _continues(
        self, current: Block, text: str, blank: bool, turned: bool, after: str | None
    ) -> bool:
        previous = current.texts[-1] if current.texts[-1].strip() else current.text
        if not previous.strip():
            # A number or bullet alone on its line: its text follows.
            return current.kind in ("numbered", "item")
        if current.kind == "table":
            return False
        if previous.rstrip().endswith("-") and starts_lower(text):
            return True
        if blank or turned:
            if ends_sentence(previous):
                return False
            if starts_lower(text):
                return True
            return (
                turned and not blank and not self.fits(previous, text) and current.kind != "heading"
            )
        lower = starts_lower(text)
        if ends_sentence(previous) and not lower and self.fits(previous, text):
            return False
        if _SENTENCE_END.search(previous) and not lower and self._stands_alone(text, after):
            return False  # a short line after a full stop, before a new start: a heading
        # A short unpunctuated first line before a capital: a heading ends there.
        heading_ends = not lower and current.kind == "para" and self._heading_so_far(current)
        return not (heading_ends and self.fits(previous, text))

    def _stands_alone(self, text: str, after: str | None) -> bool:
        """A short unpunctuated line followed by a blank, a marker or a capital."""
        stripped = text.strip()
        if (
            len(stripped) > self.width * 0.6
            or stripped.endswith((".", ",", ";"))
            or not stripped[0].isupper()
        ):
            return False
        if after is None:
            return True
        return bool(_BULLET.match(after) or _NUMBERED.match(after)) or (
            not starts_lower(after) and self.fits(text, after)
        )

    def _heading_so_far(self, block: Block) -> bool:
        """Could the lines so far be a heading: few, short, none ending a sentence."""
        if len(block.texts) > 3 or len(block.text) > 160:
            return False
        first = block.texts[0].lstrip()
        if not first or not (first[0].isupper() or first[0].isdigit()):
            return False
        return not any(
            _SENTENCE_END.search(t) or t.rstrip().endswith((",", ";")) for t in block.texts
        )

    def _pipe_table(self, lines: list[SourceLine], blank: bool, turned: bool) -> Block:
        rows: list[list[str]] = []
        head = 0
        texts = [self.text(x) for x in lines]
        for text in texts:
            if _PIPE_RULE.match(text):
                if rows and not head:
                    head = len(rows)
                continue
            cells = [cell.strip() for cell in text.strip().strip("|").split("|")]
            rows.append(cells)
        block = Block("table", list(lines), texts, rows=rows, head_rows=head)
        block.blank_before, block.page_break_before = blank, turned
        return block

    def _column_table(self, start: int) -> tuple[Block, int] | None:
        """A table laid out in space-aligned columns (pdftotext -layout), if one starts here.

        It needs two or more lines with a wide gap (4+ spaces) at the same column; rows
        are separated by blank lines, and a line with text only in the first column
        continues the row above.
        """
        first = self.text(self.lines[start])
        if _NUMBERED.match(first) or not _COLUMN_GAP.search(first.strip()):
            return None
        indent = len(first) - len(first.lstrip())
        columns = _column_starts(first)
        if len(columns) < 2 or columns[1] < 20:
            return None
        rows: list[list[str]] = []
        used: list[SourceLine] = []
        texts: list[str] = []
        index = start
        gapped = 0
        after_blank = True
        while index < len(self.lines):
            line = self.lines[index]
            text = self.text(line)
            if not text.strip():
                after_blank = True
                index += 1
                continue
            line_indent = len(text) - len(text.lstrip())
            starts = _column_starts(text)
            has_gap = len(starts) >= 2 and abs(starts[1] - columns[1]) <= 3
            if has_gap and (after_blank or not rows):
                rows.append(_split_columns(text, columns))
                gapped += 1
            elif rows and line_indent == indent and not after_blank and len(text) < columns[1] + 10:
                for i, cell in enumerate(_split_columns(text, columns)):
                    if cell:
                        rows[-1][i] = f"{rows[-1][i]} {cell}".strip()
            else:
                break
            used.append(line)
            texts.append(text)
            after_blank = False
            index += 1
        if gapped < 2:
            return None
        # Stop before trailing blank lines so they separate the next block.
        end = start + 0
        for position in range(start, index):
            if self.lines[position] is used[-1]:
                end = position + 1
        return Block("table", used, texts, rows=rows), end


def _column_starts(text: str) -> list[int]:
    stripped = text.rstrip()
    starts = [len(stripped) - len(stripped.lstrip())]
    for match in _COLUMN_GAP.finditer(stripped):
        starts.append(match.end(1))
    return starts


def _split_columns(text: str, columns: list[int]) -> list[str]:
    cells = []
    for i, start in enumerate(columns):
        end = columns[i + 1] if i + 1 < len(columns) else len(text)
        cells.append(
            text[max(0, start - 2) if i else 0 : end - 2 if i + 1 < len(columns) else end].strip()
        )
    return cells


def classify_headings(blocks: list[Block], width: int) -> None:
    """Mark short, unpunctuated, stand-alone paragraphs as headings; address-like runs stay text."""
    for block in blocks:
        if block.kind == "para" and _looks_heading(block):
            block.kind = "heading"
    # Three or more short heading-like lines in a row are an address or a list of
    # names, not headings; a line the source sets larger (PDF layout hints) ends a run.
    body_size = _body_font_size(blocks)
    index = 0
    while index < len(blocks):
        end = index
        while (
            end < len(blocks)
            and blocks[end].kind == "heading"
            and not blocks[end].marker  # a heading marked with hashes is one for certain
            and len(blocks[end].text) <= 40
            and len(blocks[end].lines) == 1
            and not _set_larger(blocks[end], body_size)
        ):
            end += 1
        if end - index >= 3:
            for block in blocks[index:end]:
                block.kind = "para"
        index = max(end, index + 1)


def _body_font_size(blocks: list[Block]) -> float | None:
    """The font size most lines are set in, when the source gives sizes (PDF), else None."""
    sizes = Counter(x.font_size for block in blocks for x in block.lines if x.font_size)
    return sizes.most_common(1)[0][0] if sizes else None


def _set_larger(block: Block, body_size: float | None) -> bool:
    """Every line of the block is set at least 15% larger than the body text."""
    return body_size is not None and all(
        x.font_size is not None and x.font_size >= 1.15 * body_size for x in block.lines
    )


def _looks_heading(block: Block) -> bool:
    text = block.text
    if len(block.lines) > 3 or len(text) > 160 or len(text.split()) > 24 or len(text) < 3:
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    if _BARE_NUMBER.match(text) or _LINK.search(text):
        return False
    if text.endswith((".", ",", ";")) or "." in text.rstrip(".")[-3:]:
        return False
    if text.endswith(":") and len(text) > 60:
        return False
    return sum(1 for ch in text if _WORD_CHAR.match(ch)) >= 3


def mark_contents(blocks: list[Block]) -> None:
    """A page headed 'Contents' is a contents list: its entries are items, not headings."""
    for index, block in enumerate(blocks):
        if block.kind == "para" and block.text.strip().casefold() in (
            "contents",
            "table of contents",
        ):
            block.kind, block.role = "heading", "contents"
            for entry in blocks[index + 1 :]:
                if entry.page != block.page:
                    break
                if entry.kind == "numbered":  # a numbered entry keeps its number as text
                    entry.texts[0] = f"{entry.marker}. {entry.texts[0]}".strip()
                entry.kind, entry.marker, entry.role = "item", "", "contents"
            return


def mark_numbered_paragraphs(blocks: list[Block]) -> None:
    """Numbered lines become numbered paragraphs when they run as one long sequence.

    The numbers 1, 2, 3 ... in document order make a chain; a chain of five or more (or
    one whose entries are long) is numbered paragraphs (p @n), anything else an ordered
    list.
    """
    chains: list[list[Block]] = []
    for block in blocks:
        if block.kind != "numbered":
            continue
        number = int(block.marker)
        if number == 1:
            chains.append([block])
        elif chains and number == int(chains[-1][-1].marker) + 1:
            chains[-1].append(block)
        else:
            # A number out of turn may continue an earlier chain (a list came between).
            for chain in reversed(chains):
                if number == int(chain[-1].marker) + 1:
                    chain.append(block)
                    break
    chain = max(chains, key=len, default=[])
    long_entries = chain and sum(len(b.text) for b in chain) / len(chain) > 250
    in_chain = {id(b) for b in chain} if len(chain) >= 5 or long_entries else set()
    for block in blocks:
        if block.kind != "numbered":
            continue
        if id(block) in in_chain:
            block.kind = "para"
            block.n = block.marker
        else:
            block.kind = "item"
            block.role = "ordered"


# --- 4b. heading levels ------------------------------------------------------------------

_HEADING_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})*)\.?\s+\S")


def assign_levels(blocks: Sequence[Block]) -> None:
    """Give each heading a level (1 = top) where the evidence is good; the rest stay 1.

    The evidence, strongest first: the print's own heading tags and type sizes (a PDF:
    see :func:`layout_levels`); levels a recogniser set from a publisher's known layout
    or Markdown-like ``#`` marks set when the lines were grouped; a numbering scheme (``1.``, ``1.1``, ``2.``) of the headings.  Without any, every
    heading is top level.  Levels may skip (H2 then H4); the builder nests each heading
    one level under the nearest higher heading before it, so the tree never skips.
    """
    _promote_numbered_headings(blocks)
    headings = [b for b in blocks if b.kind == "heading"]
    for block in headings:
        if block.role == "contents":
            block.level = 1  # a contents page stands apart from the document's hierarchy
    ranked = [b for b in headings if b.role != "contents"]
    from_layout = layout_levels(ranked)
    if from_layout is not None:
        for block, level in zip(ranked, from_layout, strict=True):
            block.level = level
        return
    if any(b.level is not None for b in ranked):
        return  # a recogniser placed them
    numbers = [_HEADING_NUMBER.match(b.text) for b in ranked]
    depths = [m.group(1).count(".") + 1 for m in numbers if m]
    if depths and 1 in depths and max(depths) > 1:
        for block, match in zip(ranked, numbers, strict=True):
            block.level = match.group(1).count(".") + 1 if match else 1


def _promote_numbered_headings(blocks: Sequence[Block]) -> None:
    """``1. Introduction`` read as a list item or numbered paragraph is a heading when a
    ``1.1`` heading follows it before the next numbered line; the number stays in its text."""
    for index, block in enumerate(blocks):
        numbered = (block.kind == "item" and block.role == "ordered") or (
            block.kind == "para" and block.n is not None
        )
        text = block.text
        if not numbered or len(block.lines) > 1 or len(text) > 80 or ends_sentence(text):
            continue
        number = block.marker or block.n or ""
        for following in blocks[index + 1 :]:
            if following.kind == "heading":
                if following.text.strip().startswith(f"{number}.1"):
                    block.kind, block.role, block.n = "heading", None, None
                    block.texts = [f"{number}. {block.texts[0].strip()}"] + block.texts[1:]
                break
            if (following.kind == "item" and following.role == "ordered") or following.n:
                break


def _size_key(block: Block) -> tuple[float, bool] | None:
    """A heading's type: its first line's size (to half a point) and weight."""
    line = block.lines[0]
    if line.font_size is None:
        return None
    return (round(line.font_size * 2) / 2, bool(line.bold))


def _tag_level(block: Block) -> int | None:
    levels = Counter(x.heading_level for x in block.lines if x.heading_level is not None)
    return levels.most_common(1)[0][0] if levels else None


def layout_levels(headings: Sequence[Block]) -> list[int] | None:
    """Heading levels from a PDF's layout, or None when it gives no hierarchy.

    In a tagged PDF a heading's own H1-H6 tag gives its level; an untagged heading takes
    the level the tagged headings of its type (size and weight) have, else one below the
    deepest tagged type larger than its own.  Without tags, type sizes rank the headings:
    the larger, the higher; at the same size bold ranks above regular.
    """
    keys = [_size_key(b) for b in headings]
    tags = [_tag_level(b) for b in headings]
    if any(t is not None for t in tags):
        votes: dict[tuple[float, bool], Counter[int]] = {}
        for key, tag in zip(keys, tags, strict=True):
            if key is not None and tag is not None:
                votes.setdefault(key, Counter())[tag] += 1
        by_key = {key: counts.most_common(1)[0][0] for key, counts in votes.items()}
        levels = []
        for key, tag in zip(keys, tags, strict=True):
            if tag is not None:
                levels.append(tag)
            elif key is None:
                levels.append(1)
            elif key in by_key:
                levels.append(by_key[key])
            else:
                above = [level for other, level in by_key.items() if other > key]
                levels.append(max(above, default=0) + 1)
        return levels
    ranks = sorted({k for k in keys if k is not None}, reverse=True)
    if len(ranks) < 2:
        return None
    return [ranks.index(key) + 1 if key is not None else 1 for key in keys]


# --- 5. the tree ------------------------------------------------------------------------


def recover(
    lines: Sequence[SourceLine],
    *,
    language: str = "en",
    recognisers: Sequence[Recogniser] | None = None,
) -> etree._Element:
    """A canonical ``report`` tree recovered from source lines.

    ``meta/source`` is left for the caller (the reader registry) to complete, except
    ``@pages``, set when the lines span more than one page.  ``recognisers`` default to
    the Ofsted recogniser; pass ``()`` for the general layer alone.
    """
    document = analyse(lines)
    if recognisers is None:
        from converter.readers import ofsted

        recognisers = (ofsted.recognise,)
    facts = None
    for recognise in recognisers:
        facts = recognise(document)
        if facts is not None:
            break
    facts = facts or general_facts(document)
    back_start = facts.back_start if facts.back_start is not None else len(document.blocks)
    assign_levels(document.blocks[:back_start])
    return build(document, facts, language=language)


def analyse(lines: Sequence[SourceLine]) -> Document:
    """Steps 1-3: artifacts, hyphen repair and blocks (headings and numbering marked)."""
    lines = list(lines)
    artifacts = find_artifacts(lines)
    content = [x for x in lines if x.number not in artifacts]
    if not any(x.text.strip() for x in content):
        # A text made only of what looks like artifacts (a lone number) is content.
        artifacts, content = {}, lines
    width = estimate_width(content)
    repaired = repair_lost_hyphens(content, width, set())
    texts = {number: text for number, (text, _) in repaired.items()}
    repairs = [
        (number, found, fixed)
        for number, (_, pairs) in sorted(repaired.items())
        for found, fixed in pairs
    ]
    blocks = _Grouper(content, texts, width).run() if content else []
    for block in blocks:
        _orphan_marker_text(block)
    mark_contents(blocks)
    classify_headings(blocks, width)
    mark_numbered_paragraphs(blocks)
    pages = max((x.page for x in lines), default=1)
    return Document(lines, artifacts, blocks, width, pages, repairs)


def _orphan_marker_text(block: Block) -> None:
    """A bullet or number alone on its line took the next line as its text; tidy the first."""
    if block.kind in ("item", "numbered") and block.texts and not block.texts[0].strip():
        block.texts = block.texts[1:] or [""]
        block.texts.insert(0, "")


def general_facts(document: Document) -> Facts:
    """Title for a document no recogniser knows: its first heading, else its first line."""
    facts = Facts()
    for block in document.blocks[:3]:
        if block.kind == "heading":
            facts.title = block.text
            facts.title_lines = tuple(x.number for x in block.lines)
            document.blocks.remove(block)
            return facts
    if document.blocks:
        first = document.blocks[0]
        facts.title = first.texts[0].strip()[:200] if first.texts else None
    return facts


def slug(text: str, *, words: int = 6) -> str:
    """A readable id fragment: the first few words, lower case, joined by hyphens."""
    parts = [p for p in _SLUG_DROP.split(text.casefold()) if p][:words]
    value = "-".join(parts)
    return value or "section"


class Ids:
    """Stable, readable, unique ids: slugs for sections, prefix-N counters for the rest."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.counters: Counter[str] = Counter()

    def unique(self, base: str) -> str:
        if not base or not (base[0].isalpha() or base[0] == "_"):
            base = f"s-{base}" if base else "s"
        candidate, suffix = base, 2
        while candidate in self.used:
            candidate = f"{base}-{suffix}"
            suffix += 1
        self.used.add(candidate)
        return candidate

    def next(self, prefix: str) -> str:
        while True:
            self.counters[prefix] += 1
            candidate = f"{prefix}-{self.counters[prefix]}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate


def build(document: Document, facts: Facts, *, language: str = "en") -> etree._Element:
    """Step 5: the canonical tree from blocks and facts."""
    root = etree.Element("report", {"schema-version": SCHEMA_VERSION})
    root.set(XML_LANG, language)
    root.set("variant", "full")
    _meta(root, facts, document)
    body = etree.SubElement(root, "body")
    back_start = facts.back_start if facts.back_start is not None else len(document.blocks)
    ids = Ids()
    _Builder(body, ids, in_back=False).add(document.blocks[:back_start], first_page=1)
    if back_start < len(document.blocks):
        back = etree.SubElement(root, "back")
        previous_page = document.blocks[back_start - 1].lines[-1].page if back_start else 1
        _back(back, document.blocks[back_start:], ids, previous_page)
    if document.artifacts:
        by_number = {x.number: x for x in document.lines}
        artifacts = etree.SubElement(root, "artifacts")
        for number in sorted(document.artifacts):
            line = by_number[number]
            item = etree.SubElement(
                artifacts,
                "artifact",
                {
                    "src": f"{number}-{number}",
                    "reason": document.artifacts[number],
                    "page": str(line.page),
                },
            )
            item.text = _xml_safe(line.text.strip())
    return root


def _meta(root: etree._Element, facts: Facts, document: Document) -> None:
    meta = etree.SubElement(root, "meta")
    etree.SubElement(meta, "title").text = _xml_safe(facts.title or "Untitled document")
    if facts.subtitle:
        etree.SubElement(meta, "subtitle").text = _xml_safe(facts.subtitle)
    etree.SubElement(meta, "kind").text = facts.kind
    if facts.subject:
        etree.SubElement(meta, "subject").text = _xml_safe(facts.subject)
    if facts.publisher:
        etree.SubElement(meta, "publisher").text = _xml_safe(facts.publisher)
    for role, when, written in facts.dates:
        etree.SubElement(meta, "date", {"role": role, "when": when}).text = _xml_safe(written)
    for role, name in facts.people:
        etree.SubElement(meta, "person", {"role": role}).text = _xml_safe(name)
    source = etree.SubElement(meta, "source", {"name": "", "sha256": "0" * 64, "format": "txt"})
    if document.pages > 1:
        source.set("pages", str(document.pages))
    if facts.judgements:
        judgements = etree.SubElement(meta, "judgements")
        for area, grade, label, written in facts.judgements:
            judgement = etree.SubElement(judgements, "judgement", {"area": area, "grade": grade})
            etree.SubElement(judgement, "label").text = _xml_safe(label)
            etree.SubElement(judgement, "grade").text = _xml_safe(written)


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot hold most control characters: they become spaces (no word is lost)."""
    return _XML_UNSAFE.sub(" ", text)


def _src(block: Block) -> dict[str, str]:
    return {"src": f"{block.first}-{block.last}", "page": str(block.page)}


class _Builder:
    """Adds blocks to a container, opening a section at each heading."""

    def __init__(self, container: etree._Element, ids: Ids, *, in_back: bool) -> None:
        self.top = container
        self.container = container
        self.ids = ids
        self.in_back = in_back
        self.page = 1
        self.list: etree._Element | None = None
        self.list_marker = ""
        self.nested: etree._Element | None = None
        self.improvement_items = 0
        self.section_role: str | None = None
        self.open: list[tuple[int, etree._Element]] = []  # (level, section) from the top down

    def add(self, blocks: Sequence[Block], *, first_page: int) -> None:
        self.page = first_page
        for block in blocks:
            self.block(block)

    def pagebreaks(self, block: Block) -> list[int]:
        """The pages that start at or before this block's first line, not yet marked."""
        new = list(range(self.page + 1, block.page + 1))
        self.page = max(self.page, block.page)
        return new

    def block_pagebreaks(self, pages: list[int]) -> None:
        for page in pages:
            self.close_list()
            etree.SubElement(
                self.container,
                "pagebreak",
                {"page": str(page), "id": self.ids.unique(f"page-{page}")},
            )

    def block(self, block: Block) -> None:
        pages = self.pagebreaks(block)
        if block.kind == "item":
            self.item(block, pages)
            return
        self.block_pagebreaks(pages)
        self.close_list()
        if block.kind == "heading":
            self.section(block)
        elif block.kind == "table":
            self.table(block)
        else:
            self.paragraph(block)

    def section(self, block: Block) -> None:
        """A section for a heading, inside the nearest open section of a higher level."""
        level = block.level or 1
        while self.open and self.open[-1][0] >= level:
            self.open.pop()
        parent = self.open[-1][1] if self.open else self.top
        base = block.ident or block.area or slug(block.text)
        section = etree.SubElement(parent, "section", {"id": self.ids.unique(base), **_src(block)})
        self.open.append((level, section))
        if block.role:
            section.set("role", block.role)
        if block.grade:
            section.set("grade", block.grade)
        if block.area:
            section.set("area", block.area)
        heading = etree.SubElement(
            section,
            "heading",
            {"id": self.ids.unique(f"{section.get('id')}-heading"), **_src(block)},
        )
        self.inline(heading, block, skip_first_page=True)
        self.container = section
        self.section_role = block.role
        self.improvement_items = 0

    def paragraph(self, block: Block) -> None:
        ident = self.ids.unique(f"p-{block.n}") if block.n is not None else self.ids.next("para")
        p = etree.SubElement(self.container, "p", {"id": ident, **_src(block)})
        if block.n is not None:
            p.set("n", block.n)
        if block.role in ("address", "date", "salutation", "closing", "signature", "lead"):
            p.set("role", block.role)
        self.inline(p, block, skip_first_page=True)

    def item(self, block: Block, pages: list[int]) -> None:
        ordered = block.role == "ordered"
        list_type = "ordered" if ordered else "bullet"
        if self.list is not None and self.list.get("type") != list_type:
            self.close_list()
        if self.list is None:
            self.list = etree.SubElement(
                self.container,
                "list",
                {"id": self.ids.next("list"), "type": list_type, **_src(block)},
            )
            self.list_marker = block.marker if not ordered else ""
            self.nested = None
        else:
            self.list.set("src", f"{self.list.get('src', '1-1').split('-')[0]}-{block.last}")
        sub = (
            not ordered and self.list_marker and block.marker != self.list_marker and len(self.list)
        )
        if sub:
            parent_item = self.list[-1]
            if self.nested is None or self.nested.getparent() is not parent_item:
                self.nested = etree.SubElement(
                    parent_item,
                    "list",
                    {"id": self.ids.next("list"), "type": "bullet", **_src(block)},
                )
            target = self.nested
        else:
            self.nested = None
            target = self.list
        if self.section_role == "improvements" and not sub:
            self.improvement_items += 1
            ident = self.ids.unique(f"improve-{self.improvement_items}")
        else:
            ident = self.ids.next("item")
        item = etree.SubElement(target, "item", {"id": ident, **_src(block)})
        if ordered:
            item.set("label", f"{block.marker}.")
        for page in pages:
            etree.SubElement(
                item, "pagebreak", {"page": str(page), "id": self.ids.unique(f"page-{page}")}
            )
        self.inline(item, block, skip_first_page=True, append=bool(pages))

    def close_list(self) -> None:
        self.list = None
        self.nested = None

    def table(self, block: Block) -> None:
        ident = self.ids.unique(block.ident) if block.ident else self.ids.next("table")
        table = etree.SubElement(self.container, "table", {"id": ident, **_src(block)})
        width = max((len(r) for r in block.rows), default=1)
        head_rows = block.rows[: block.head_rows]
        body_rows = block.rows[block.head_rows :] or [[""]]
        if head_rows:
            head = etree.SubElement(table, "head")
            for cells in head_rows:
                self.row(head, cells, width, header=True)
        for cells in body_rows:
            self.row(table, cells, width, header=False)

    def row(self, parent: etree._Element, cells: list[str], width: int, *, header: bool) -> None:
        row = etree.SubElement(parent, "row")
        for index, value in enumerate(cells):
            cell = etree.SubElement(row, "cell")
            if header:
                cell.set("header", "true")
                cell.set("scope", "col")
            if index == len(cells) - 1 and len(cells) < width:
                cell.set("colspan", str(width - len(cells) + 1))
            add_inline_text(cell, value)

    def inline(
        self, element: etree._Element, block: Block, *, skip_first_page: bool, append: bool = False
    ) -> None:
        """The block's text with inline page breaks where the page turned inside it."""
        segments: list[str | int] = []
        page = block.lines[0].page
        texts: list[str] = []
        for line, text in zip(block.lines, block.texts, strict=False):
            if line.page != page:
                segments.append(join_texts(texts))
                segments.append(line.page)
                texts = []
                page = line.page
            texts.append(text)
        segments.append(join_texts(texts))
        self.page = max(self.page, page)
        wrote = False
        for segment in segments:
            if isinstance(segment, int):
                etree.SubElement(
                    element,
                    "pagebreak",
                    {"page": str(segment), "id": self.ids.unique(f"page-{segment}")},
                )
                continue
            if segment:
                add_inline_text(element, f" {segment}" if wrote else segment)
                wrote = True


def add_inline_text(element: etree._Element, text: str) -> None:
    """Append text to an element, with URLs and e-mail addresses as <a href> links."""
    text = _xml_safe(text)
    if "@" not in text and "www." not in text and "://" not in text:
        append_text(element, text)  # no link possible: skip the costlier search
        return
    position = 0
    for match in _LINK.finditer(text):
        append_text(element, text[position : match.start()])
        link = etree.SubElement(element, "a")
        target = match.group(0)
        if match.group("email"):
            link.set("href", f"mailto:{target}")
        elif target.startswith("www."):
            link.set("href", f"https://{target}")
        else:
            link.set("href", target)
        link.text = target
        position = match.end()
    append_text(element, text[position:])


def _back(back: etree._Element, blocks: Sequence[Block], ids: Ids, page: int) -> None:
    """Back matter: consecutive blocks with the same role make one section."""
    section: etree._Element | None = None
    role: str | None = None
    builder = _Builder(back, ids, in_back=True)
    builder.page = page
    for block in blocks:
        block_role = block.role or role or "about"
        if section is None or block_role != role:
            role = block_role
            section = etree.SubElement(
                back, "section", {"id": ids.unique(role), "role": role, **_src(block)}
            )
        else:
            section.set("src", f"{section.get('src', '1-1').split('-')[0]}-{block.last}")
        builder.container = section
        builder.top = section
        if block.kind == "heading":
            block.kind = "para"
        builder.block(block)
