"""Judgements: the grade table (at the start, or at the end of older reports), the grade
scale legend, graded section headings and the improvement lists."""

from __future__ import annotations

import re

from converter.grades import GRADE_WORDS, grade_line, grade_value
from converter.recovery.build import slug
from converter.recovery.model import Block, Document, Facts
from converter.recovery.recognisers.ofsted.vocabulary import (
    GRADE_ONLY,
    GRADED_HEADING,
    IMPROVE,
    SCHOOL_GRADE,
    area_of,
)

#: A row of the older four-point scale's legend: "Good (Grade 2)", "Outstanding (Grade 1) A
#: service that ...".
_LEGEND_ROW = re.compile(
    r"^\s*(Outstanding|Good|Adequate|Inadequate|Satisfactory)\s*\(Grade\s*[1-4]\)\s*(.*)$"
)
#: A judgement label: a short phrase, not a sentence.
_LABEL_LIMIT = 130


def _raw(block: Block) -> str:
    """A label as printed, its number included ("2.1 Adoption performance")."""
    return " ".join(x.text.strip() for x in block.lines if x.text.strip())


def grade_legend(document: Document) -> None:
    """The four-point scale's legend ("Outstanding (Grade 1) | A service that ..."), flattened
    into lines, as a table: it explains grades and is never a judgement."""
    blocks = document.blocks
    _split_at_legend_rows(blocks)
    index = 0
    while index < len(blocks):
        if not _LEGEND_ROW.match(blocks[index].text):
            index += 1
            continue
        rows: list[list[str]] = []
        start = index
        while index < len(blocks) and blocks[index].kind in ("para", "heading"):
            text = blocks[index].text.strip()
            row = _LEGEND_ROW.match(text)
            if row:
                label = text[: row.start(2)].strip() if row.group(2) else text
                rows.append([label, row.group(2).strip()])
            elif rows and not rows[-1][1] and not _LEGEND_ROW.match(text):
                rows[-1][1] = text
            else:
                break
            index += 1
        if len(rows) >= 3 and all(description for _, description in rows):
            lines = [x for b in blocks[start:index] for x in b.lines]
            texts = [t for b in blocks[start:index] for t in b.texts]
            blocks[start:index] = [Block("table", lines, texts, rows=rows, row_headers=True)]
            index = start + 1
        index = max(index, start + 1)


def _split_at_legend_rows(blocks: list[Block]) -> None:
    index = 0
    while index < len(blocks):
        block = blocks[index]
        cut = next(
            (i for i in range(1, len(block.texts)) if _LEGEND_ROW.match(block.texts[i])), None
        )
        if block.kind in ("para", "heading") and cut is not None:
            rest = Block("para", block.lines[cut:], block.texts[cut:])
            block.lines, block.texts = block.lines[:cut], block.texts[:cut]
            blocks.insert(index + 1, rest)
        index += 1


def judgement_table(document: Document, facts: Facts) -> None:
    """The table of judgements: a real table, or label/grade lines flattened from one,
    with an optional header row ("Judgement" / "Grade", or a sentence that is itself the
    overall judgement: "Children's services in York are good").  Near the start, or,
    in older reports, anywhere (Kent's "Record of main findings" ends the report)."""
    blocks = document.blocks
    for block in blocks[:30]:
        if (
            block.kind == "table"
            and block.rows
            and any(GRADE_ONLY.match(r[-1]) for r in block.rows if r)
        ):
            _from_real_table(block, facts)
            return
    found = _flattened_start(blocks)
    if found is None:
        # An older report's table at its end, read as a table from the PDF's layout.
        for block in blocks[30:]:
            if (
                block.kind == "table"
                and sum(1 for r in block.rows if len(r) >= 2 and GRADE_ONLY.match(r[-1])) >= 3
            ):
                _from_real_table(block, facts)
                return
        return
    start, head_rows = found
    rows: list[list[str]] = (
        [[blocks[start].text.strip(), blocks[start + 1].text.strip()]] if head_rows else []
    )
    index = start + 2 if head_rows else start
    consumed: list[Block] = list(blocks[start:index])
    caption: str | None = None
    while index < len(blocks):
        row_block = blocks[index]
        text = row_block.text.strip()
        if len(text) > _LABEL_LIMIT or _sentence(text) or row_block.kind in ("table", "note"):
            break
        if row_block.kind == "item" and row_block.role != "ordered":
            break
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if following is not None and GRADE_ONLY.match(following.text):
            grade = following.text.strip()
            rows.append([_raw(row_block), grade])
            facts.judgements.append(
                (area_of(_raw(row_block)), grade_value(grade), _raw(row_block), grade)
            )
            consumed += [row_block, following]
            index += 2
            continue
        sentence = GRADED_HEADING.match(text)
        if sentence and not facts.judgements and len(text) < 100:
            # The overall judgement, written as the table's header row.
            rows.append([_raw(row_block)])  # one cell across the table, as printed
            head_rows = head_rows or 1
            written = sentence.group(2)
            facts.judgements.append(
                (area_of(_raw(row_block)), grade_value(written), _raw(row_block), written)
            )
            consumed.append(row_block)
            index += 1
            continue
        if (
            not facts.judgements
            and caption is None
            and index == start
            and not GRADE_ONLY.match(text)
        ):
            caption = text  # "Services for looked after children": a caption over the rows
            consumed.append(row_block)
            index += 1
            continue
        break
    if len(facts.judgements) < 1:
        return
    lines = [x for b in consumed for x in b.lines]
    if caption is not None:
        rows.insert(0, [caption])
        head_rows += 1
    table = Block("table", lines, [x.text for x in lines], rows=rows, head_rows=head_rows)
    table.ident = "judgements"
    blocks[start:index] = [table]


def _from_real_table(block: Block, facts: Facts) -> None:
    rows = block.rows
    head = block.head_rows or (1 if rows and rows[0][-1].strip().casefold() == "grade" else 0)
    block.head_rows = head
    block.ident = "judgements"
    for row in rows[head:]:
        if len(row) >= 2 and GRADE_ONLY.match(row[-1]):
            label = " ".join(row[:-1]).strip()
            facts.judgements.append((area_of(label), grade_value(row[-1]), label, row[-1].strip()))


def _sentence(text: str) -> bool:
    """Text that ends a sentence: a finding, not a label.  A short label may still end in a
    full stop ("Leadership and management."), as some tables print them."""
    return text.endswith(".") and (len(text.split()) > 12 or text.count(". ") > 0)


def _pair_at(blocks: list[Block], index: int) -> bool:
    """A label block then a grade block."""
    if index + 1 >= len(blocks):
        return False
    label = blocks[index].text.strip()
    return (
        (blocks[index].kind in ("para", "heading") or blocks[index].role == "ordered")
        and 0 < len(label) <= _LABEL_LIMIT
        and not _sentence(label)
        and GRADE_ONLY.match(blocks[index + 1].text) is not None
    )


def _flattened_start(blocks: list[Block]) -> tuple[int, int] | None:
    """Where the flattened table starts, and whether it opens with a header row."""
    for index, candidate in enumerate(blocks[:30]):
        if (
            candidate.text.strip().casefold() == "judgement"
            and index + 1 < len(blocks)
            and blocks[index + 1].text.strip().casefold() == "grade"
        ):
            return index, 1
    for index, block in enumerate(blocks[:30]):
        if block.page == 1 and _pair_at(blocks, index):
            return index, 0
        if (
            block.page == 1
            and GRADED_HEADING.match(block.text.strip())
            and len(block.text) < 100
            and _pair_at(blocks, index + 1)
        ):
            return index, 0
    # Older reports end with the table: label/grade pairs in a row (three, or two under a
    # heading and a caption line).
    for index in range(len(blocks)):
        pairs = 3 if not (index >= 2 and blocks[index - 2].kind == "heading") else 2
        if all(_pair_at(blocks, index + 2 * k) for k in range(pairs)):
            before = blocks[index - 1] if index else None
            if (
                before is not None
                and before.kind in ("para", "heading")
                and len(before.text) < 60
                and not before.text.rstrip().endswith(".")
                and index >= 2
                and blocks[index - 2].kind == "heading"
            ):
                return index - 1, 0  # the caption line between heading and rows
            return index, 0
    return None


def graded_sections(document: Document) -> None:
    """Headings that carry a grade, in the forms reports have used: "...: inadequate", a
    grade line under the heading ("Requires improvement", "Grade 3 (Adequate)"), a
    sentence ("The graded judgement for adoption is that it is good"), a grade boxed
    beside a heading that the text interleaves with it."""
    blocks = document.blocks
    _interleaved(blocks)
    _grade_lines_apart(blocks)
    for index, block in enumerate(blocks):
        if block.kind not in ("heading", "para") or block.n is not None:
            continue
        text = block.text.strip()
        if len(text) > 200 or len(block.lines) > 3 or text.endswith("."):
            continue
        graded = GRADED_HEADING.match(text)
        school = SCHOOL_GRADE.match(text)
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if school:
            block.kind, block.grade = "heading", grade_value(school.group(1))
        elif graded and (block.kind == "heading" or len(graded.group(1)) > 20):
            block.kind, block.grade = "heading", grade_value(graded.group(2))
            block.role, block.area = "judgement", area_of(graded.group(1))
        elif (
            block.kind == "heading"
            and following is not None
            and following.kind in ("heading", "para")
            and grade_line(following.text) is not None
            and block.role is None
        ):
            written = grade_line(following.text) or ""
            block.grade = grade_value(written)
            block.role, block.area = "judgement", area_of(text)
            following.kind = "para"


def _grade_lines_apart(blocks: list[Block]) -> None:
    """A heading whose last lines are its grade ("Requires improvement" / "to be good"),
    run on into it where no blank line parted them: the grade becomes its own line."""
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if block.kind in ("heading", "para") and block.n is None and 1 < len(block.texts) <= 5:
            cut = next(
                (
                    k
                    for k in range(1, len(block.texts))
                    if grade_line(" ".join(t.strip() for t in block.texts[k:])) is not None
                ),
                None,
            )
            if cut is not None and not block.texts[cut - 1].rstrip().endswith("."):
                grade = Block("para", block.lines[cut:], block.texts[cut:])
                block.lines, block.texts = block.lines[:cut], block.texts[:cut]
                block.kind = "heading"
                blocks.insert(index + 1, grade)
        index += 1


def _interleaved(blocks: list[Block]) -> None:
    """'The experiences and progress of' / 'Requires' / 'children who need help and
    protection improvement': a heading and its grade boxed side by side, read line by
    line.  The grade's words open and close the second block; the rest continues the
    heading."""
    phrases = [p.split() for p in ("requires improvement to be good", "requires improvement")]
    index = 0
    while index + 1 < len(blocks):
        first, second = blocks[index], blocks[index + 1]
        # The box's two lines: its grade opens the first and closes the second.
        words = " ".join(second.texts[:2]).split()
        match = None
        if (
            first.kind == "heading"
            and second.kind in ("heading", "para")
            and len(second.lines) >= 2
        ):
            for phrase in phrases:
                for k in range(1, len(phrase)):
                    head, tail = phrase[:k], phrase[k:]
                    if (
                        [w.casefold() for w in words[:k]] == head
                        and [w.casefold() for w in words[-len(tail) :]] == tail
                        and len(words) > len(phrase)
                        and second.texts[0].strip().casefold() == " ".join(head)
                    ):
                        match = (k, len(tail))
                        break
                if match:
                    break
        if match is None:
            index += 1
            continue
        _, tail_length = match
        rest = second.texts[1].split()
        middle, grade_end = " ".join(rest[:-tail_length]), " ".join(rest[-tail_length:])
        heading = Block("heading", first.lines + second.lines[1:2], first.texts + [middle])
        grade = Block("para", second.lines[:2], [second.texts[0].strip(), grade_end])
        heading.blank_before = first.blank_before
        heading.page_break_before = first.page_break_before
        # Lines after the box ran on into it when no blank line parted them.
        after = (
            [Block("heading", second.lines[2:], second.texts[2:])] if len(second.lines) > 2 else []
        )
        blocks[index : index + 2] = [heading, grade, *after]
        index += 2


def improvements(document: Document) -> None:
    """Improvement headings and their items.  A heading printed twice in a row is the
    section's heading and a one-column table's header ('Areas for improvement'), and the
    unbulleted paragraphs under it are that table's rows; without a header they are the
    items of a list (the print's boxes)."""
    blocks = document.blocks
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if (
            block.kind == "para"
            and IMPROVE.match(block.text)
            and len(block.lines) == 1
            and (
                _responsible_header(blocks, index + 1)
                or (
                    index + 1 < len(blocks) and blocks[index + 1].text.strip() == block.text.strip()
                )
            )
        ):
            block.kind = "heading"  # a run of short lines made it text; it heads its table
        if block.kind == "heading" and IMPROVE.match(block.text):
            block.role = "improvements"
            block.ident = block.ident or slug(block.text)
            end = index + 1
            while (
                end < len(blocks)
                and blocks[end].kind != "heading"
                and not (
                    blocks[end].kind == "para" and blocks[end].text.strip() == block.text.strip()
                )
            ):
                end += 1
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            duplicate = following is not None and following.text.strip() == block.text.strip()
            responsible = _responsible_header(blocks, index + 1)
            _split_recommendations(blocks, index + 1 + (2 if responsible else duplicate))
            if responsible:
                _responsible_body_table(blocks, index + 1)
            elif duplicate:
                _one_column_table(blocks, index + 1)
            else:
                _unbulleted_items(blocks, index + 1)
        index += 1


#: A recommendation opens with its subject and "should" ("Strategic leaders should ...").
_RECOMMENDATION = re.compile(r"^(?:[A-Z][\w\u2019'-]*)(?:\s+[\w\u2019'(),-]+){0,7}?\s+should\b")


def _split_recommendations(blocks: list[Block], start: int) -> None:
    """Unbulleted recommendations run together when no blank line parts them: a new one
    starts at a line that opens with its subject and 'should' after a finished sentence."""
    index = start
    while index < len(blocks) and blocks[index].kind == "para" and blocks[index].n is None:
        block = blocks[index]
        cut = next(
            (
                i
                for i in range(1, len(block.texts))
                if _RECOMMENDATION.match(block.texts[i].strip())
                and block.texts[i - 1].rstrip().endswith(".")
            ),
            None,
        )
        if cut is not None:
            rest = Block("para", block.lines[cut:], block.texts[cut:])
            block.lines, block.texts = block.lines[:cut], block.texts[:cut]
            blocks.insert(index + 1, rest)
        index += 1


def _unbulleted_items(blocks: list[Block], start: int) -> None:
    end = start
    while end < len(blocks) and blocks[end].kind == "para" and blocks[end].n is None:
        end += 1
    items = blocks[start:end]
    if len(items) < 2 or not all(_RECOMMENDATION.match(b.text) for b in items):
        return
    for block in items:
        block.kind, block.marker = "item", ""


_RESPONSIBLE = re.compile(r"^Responsible bod(?:y|ies)$", re.IGNORECASE)


def _responsible_header(blocks: list[Block], start: int) -> bool:
    """'Responsible body' and the actions' own heading, the header of a two-column table
    (area SEND reports: who must act, and on what), read cell by cell."""
    pair = [b.text.strip() for b in blocks[start : start + 2]]
    return (
        len(pair) == 2
        and any(_RESPONSIBLE.match(t) for t in pair)
        and any(IMPROVE.match(t) for t in pair)
    )


def _responsible_body_table(blocks: list[Block], start: int) -> None:
    """The rows after that header: who (one or more short lines: a body's name may wrap)
    then what (the action, whole), as a table with its header row."""
    header = [blocks[start].text.strip(), blocks[start + 1].text.strip()]
    end = start + 2
    rows: list[list[str]] = []
    while end < len(blocks):
        who: list[Block] = []
        while (
            end < len(blocks)
            and _cell_of(blocks[end])
            and not _RECOMMENDATION.match(blocks[end].text)
        ):
            if len(blocks[end].text) > 200:
                break
            who.append(blocks[end])
            end += 1
        what: list[Block] = []
        while (
            end < len(blocks) and _cell_of(blocks[end]) and _RECOMMENDATION.match(blocks[end].text)
        ):
            what.append(blocks[end])
            end += 1
        if not who or not what:
            end -= len(who) + len(what)
            break
        body = " ".join(b.text.strip() for b in who)
        action = " ".join(b.text.strip() for b in what)
        rows.append([body, action] if _RESPONSIBLE.match(header[0]) else [action, body])
    if not rows:
        return
    lines = [x for b in blocks[start:end] for x in b.lines]
    texts = [t for b in blocks[start:end] for t in b.texts]
    blocks[start:end] = [Block("table", lines, texts, rows=[header, *rows], head_rows=1)]


def _cell_of(block: Block) -> bool:
    """A block that can be a cell of a table read cell by cell: text, not a list or table."""
    return block.kind in ("para", "heading") and block.n is None and not IMPROVE.match(block.text)


def _one_column_table(blocks: list[Block], start: int) -> None:
    header = blocks[start]
    end = start + 1
    while end < len(blocks) and blocks[end].kind == "para" and blocks[end].n is None:
        end += 1
    if end == start + 1:
        return
    rows = [[header.text.strip()], *([b.text.strip()] for b in blocks[start + 1 : end])]
    lines = [x for b in blocks[start:end] for x in b.lines]
    texts = [t for b in blocks[start:end] for t in b.texts]
    table = Block("table", lines, texts, rows=rows, head_rows=1)
    blocks[start:end] = [table]


#: Words a grade may be written with at a line's end or start (for the review's use too).
GRADE_PATTERN = re.compile(rf"\b(?:{GRADE_WORDS})\b", re.IGNORECASE)
