"""Step 3: source lines grouped into blocks (paragraphs, headings, items, tables)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from converter.recovery.model import Block, SourceLine
from converter.recovery.patterns import (
    _BULLET,
    _COLUMN_GAP,
    _MARKED_HEADING,
    _NUMBERED,
    _PIPE_ROW,
    _PIPE_RULE,
    _SENTENCE_END,
    ends_sentence,
    first_word,
    starts_lower,
)
from converter.recovery.tables import key_value_table, label_value_run

# --- 3. grouping lines into blocks --------------------------------------------------------


def estimate_width(lines: Sequence[SourceLine]) -> int:
    """The usual length of a full line: the 80th percentile of lines of 30+ characters."""
    lengths = sorted(len(x.text.rstrip()) for x in lines if len(x.text.strip()) >= 30)
    if not lengths:
        return 80
    return max(40, lengths[int(len(lengths) * 0.8)])


#: A line that ends on one of these words has not ended its sentence.
_OPEN_END = re.compile(
    r"\b(?:a|an|the|and|or|but|of|to|for|in|on|at|by|with|from|as|that|which|who|is|are|"
    r"was|were|be|been|their|its|this|these|those|than|into|onto|about|between)\s*$",
    re.IGNORECASE,
)


_ADDRESS_START = re.compile(r"^\s*(?:https?://|www\.)", re.IGNORECASE)


#: A line that opens with a short label and a colon, then its text.
_LABEL_START = re.compile(r"^\s*[A-Z][\w\u2019']*(?:\s+[\w\u2019']+){0,2}:\s+\S")


def _all_capitals(texts: Sequence[str]) -> bool:
    """Text set in capitals (its letters, three or more, all upper case)."""
    letters = [ch for text in texts for ch in text if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


class _Grouper:
    """Groups content lines into blocks in one pass."""

    def __init__(self, lines: list[SourceLine], texts: dict[int, str], width: int) -> None:
        self.lines = lines
        self.texts = texts
        self.width = width
        self.blocks: list[Block] = []

    def text(self, line: SourceLine) -> str:
        return self.texts.get(line.number, line.text)

    def fits(self, previous: str, following: str, *, slack: float = 0.88) -> bool:
        """Would the next line's first word have fitted on the previous line?  ``slack``
        allows for proportional type: a line of characters is not a measure of width."""
        return len(previous.rstrip()) + 1 + len(first_word(following)) <= self.width * slack

    def run(self) -> list[Block]:
        lines = self.lines
        index = 0
        blank = False
        page = lines[0].page if lines else 1
        turn_pending = False
        current: Block | None = None
        while index < len(lines):
            line = lines[index]
            text = self.text(line)
            if line.page != page:
                turn_pending, page = True, line.page
            if not text.strip():
                blank = True
                index += 1
                continue
            # The page turned since the last line of text (blank lines may lie between).
            turned, turn_pending = turn_pending, False
            if line.cells:
                block, end = self._row_table(index)
                block.blank_before, block.page_break_before = blank, turned
                self.blocks.append(block)
                current, blank, index = None, False, end
                continue
            if _PIPE_ROW.match(text):
                end = index
                while end < len(lines) and _PIPE_ROW.match(self.text(lines[end])):
                    end += 1
                self.blocks.append(self._pipe_table(lines[index:end], blank, turned))
                current, blank, index = None, False, end
                continue
            starts_block = (
                blank
                or turned
                or current is None
                or len(current.texts[-1].strip()) < 0.6 * self.width
            )
            flattened = key_value_table(lines, index, self.text, self.width)
            if flattened is None:
                flattened = label_value_run(lines, index, self.text, after_break=starts_block)
            if flattened is not None:
                block, end = flattened
                block.blank_before, block.page_break_before = blank, turned
                self.blocks.append(block)
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
            # A number or bullet alone on its line: its text follows, on the same page.
            return current.kind in ("numbered", "item") and not turned
        if current.kind == "table":
            return False
        if previous.rstrip().endswith("-") and starts_lower(text):
            return True
        if blank or turned:
            if ends_sentence(previous):
                return False
            if starts_lower(text) and not _ADDRESS_START.match(text):
                return True
            if (
                turned
                and current.kind in ("para", "item", "numbered")
                and len(text.strip()) >= 0.5 * self.width  # not a short line: a heading
                and (len(previous.rstrip()) >= 0.75 * self.width or _OPEN_END.search(previous))
            ):
                return True  # a full line or a dangling word ends the page mid-sentence
            return (
                turned
                and not blank
                and not self.fits(previous, text)
                and current.kind != "heading"
                and len(text.strip()) >= 0.5 * self.width  # a short line opens a new part
            )
        lower = starts_lower(text)
        if ends_sentence(previous) and not lower and self.fits(previous, text):
            return False
        if _all_capitals(current.texts) and not _all_capitals([text]) and not lower:
            return False  # a heading set in capitals ends where ordinary text begins
        if ends_sentence(previous) and _LABEL_START.match(text):
            return False  # "Apologies: ..." after a full stop opens a paragraph
        if (
            len(current.texts) == 1
            and current.kind == "para"
            and previous.rstrip().endswith("?")
            and not lower
            and (current.blank_before or current.page_break_before)
        ):
            return False  # a question on a line of its own opens a block: a heading
        if _SENTENCE_END.search(previous) and not lower and self._stands_alone(text, after):
            return False  # a short line after a full stop, before a new start: a heading
        # A short unpunctuated first line before a capital: a heading ends there.  Right
        # under another heading (a sub-heading), a line nearly as long as the measure is
        # still one when the next word would have fitted on it.
        heading_ends = not lower and current.kind == "para" and self._heading_so_far(current)
        slack = 0.95 if len(current.texts) == 1 and self._after_heading(current) else 0.88
        return not (heading_ends and self.fits(previous, text, slack=slack))

    def _after_heading(self, current: Block) -> bool:
        """The block before this one is one short line with no closing punctuation."""
        if len(self.blocks) < 2 or self.blocks[-1] is not current:
            return False
        before = self.blocks[-2]
        return (
            before.kind == "para"
            and len(before.texts) == 1
            and len(before.text) < 0.6 * self.width
            and not ends_sentence(before.text)
            and not _OPEN_END.search(before.text)
        )

    def _stands_alone(self, text: str, after: str | None) -> bool:
        """A short unpunctuated line followed by a blank, a marker or a capital."""
        stripped = text.strip()
        # A question is a heading's form ("What is the partnership doing that is
        # effective?"), so a question line may be longer than other headings.
        limit = 0.8 if stripped.endswith("?") else 0.6
        if (
            len(stripped) > self.width * limit
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

    def _row_table(self, start: int) -> tuple[Block, int]:
        """Rows a reader found by layout, one after another (blank lines between allowed,
        a page turn too: a table that runs on), as one table; leading header rows head it."""
        rows: list[SourceLine] = []
        index = start
        end = start
        while index < len(self.lines):
            line = self.lines[index]
            if line.cells:
                rows.append(line)
                index += 1
                end = index
            elif not line.text.strip():
                index += 1
            else:
                break
        head = 0
        while head < len(rows) and rows[head].header:
            head += 1
        block = Block(
            "table",
            rows,
            [x.text for x in rows],
            rows=[list(x.cells) for x in rows],
            head_rows=head if head < len(rows) else 0,
            spans=[x.spans for x in rows] if any(x.spans for x in rows) else [],
        )
        return block, end

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
