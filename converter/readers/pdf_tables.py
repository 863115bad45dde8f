"""Tables found by a PDF page's geometry: ruled grids, and columns of aligned text.

A tagged PDF says which text is a table cell (see ``pdf.py``); an untagged one only
draws it.  Two kinds of evidence are read here:

- rules: a grid of horizontal and vertical rules is a table.  Its rows are the bands
  between horizontal rules, its columns the bands between vertical ones; a cell whose
  borders leave out a vertical rule spans the columns on either side of it (a group
  header), and bands holding no text (the gutter between two ruled blocks, the gap in a
  double rule) are dropped;
- alignment: lines of text that share a baseline and fall, line after line, into the
  same bands of x (left-aligned words and right-aligned numbers alike) are rows of a
  table whose columns are those bands.  Prose set in two columns shares baselines too,
  so text that reads as running sentences (most of its pieces begin in lower case)
  is never taken for a table.

Header rows are the leading rows set in bold over a body that is not, or those above
a rule that no later row has.  A cell's wrapped lines are joined into the cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from converter.readers.pdf_layout import LaidLine, Rule

#: Points within which two rules are the same line (a rule's ends drawn apart).
_SNAP = 2.0
#: Fewer ruled rows or columns than this are a box, not a table.
_MIN_RULED = 2
#: Two ruled blocks this close side by side (points), top and bottom level, are one table
#: (a table drawn as blocks with gutters between them).
_GUTTER = 40.0
#: A line this far below the one above it (in ems) continues its cell: rows stand apart.
_WRAP_EMS = 0.55
#: More than this share of a text's pieces beginning in lower case reads as prose.
_PROSE_LOWER = 0.3
#: Aligned text needs this many rows of two cells or more to be a table.
_MIN_ROWS = 2


@dataclass(frozen=True)
class TableRow:
    """Lines of a page that are the cells of one table row, left to right.

    ``spans`` gives each cell's number of columns where a cell covers several (a group
    header); it is empty when every cell covers one.
    """

    lines: tuple[LaidLine, ...]
    cells: tuple[str, ...]
    header: bool
    spans: tuple[int, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table found on one page, with the box it covers."""

    rows: tuple[TableRow, ...]
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def lines(self) -> tuple[LaidLine, ...]:
        return tuple(line for row in self.rows for line in row.lines)


def find_tables(
    lines: Sequence[LaidLine], rules: Sequence[Rule]
) -> tuple[list[Table], list[LaidLine]]:
    """The tables among a page's lines, and the lines that are not in any of them (in
    their order)."""
    tables = ruled_tables(lines, rules)
    used = {id(x) for table in tables for x in table.lines}
    rest = [x for x in lines if id(x) not in used]
    aligned = aligned_tables(rest, rules)
    used |= {id(x) for table in aligned for x in table.lines}
    return tables + aligned, [x for x in lines if id(x) not in used]


# --- ruled grids --------------------------------------------------------------------------


@dataclass
class _Grid:
    horizontals: list[Rule]
    verticals: list[Rule]

    @property
    def box(self) -> tuple[float, float, float, float]:
        rules = self.horizontals + self.verticals
        return (
            min(r.x0 for r in rules),
            max(r.x1 for r in rules),
            min(r.top for r in rules),
            max(r.bottom for r in rules),
        )


def ruled_tables(lines: Sequence[LaidLine], rules: Sequence[Rule]) -> list[Table]:
    """Tables drawn as grids of rules, with the lines inside them as their cells."""
    if not rules or not lines:
        return []
    horizontals = _merged([r for r in rules if not r.vertical], vertical=False)
    verticals = _merged([r for r in rules if r.vertical], vertical=True)
    grids = _side_by_side(_connected(horizontals, verticals))
    tables = []
    taken: set[int] = set()
    for grid in grids:
        x0, x1, top, bottom = grid.box
        inside = [
            x
            for x in lines
            if id(x) not in taken
            and x0 - 1 <= (x.x0 + x.x1) / 2 <= x1 + 1
            and top - 1 <= (x.top + x.bottom) / 2 <= bottom + 1
        ]
        table = _grid_table(grid, inside)
        if table is not None:
            tables.append(table)
            taken |= {id(x) for x in table.lines}
    return tables


def _merged(rules: list[Rule], *, vertical: bool) -> list[Rule]:
    """Rules on one line whose pieces touch or overlap, joined into one rule each."""

    def position(rule: Rule) -> float:
        return rule.x0 if vertical else rule.top

    def start(rule: Rule) -> float:
        return rule.top if vertical else rule.x0

    def end(rule: Rule) -> float:
        return rule.bottom if vertical else rule.x1

    result: list[Rule] = []
    for rule in sorted(rules, key=lambda r: (round(position(r)), start(r))):
        if result:
            last = result[-1]
            if abs(position(last) - position(rule)) <= _SNAP and start(rule) <= end(last) + _SNAP:
                if vertical:
                    result[-1] = Rule(last.x0, last.x1, last.top, max(last.bottom, rule.bottom))
                else:
                    result[-1] = Rule(last.x0, max(last.x1, rule.x1), last.top, last.bottom)
                continue
        result.append(rule)
    return result


def _crosses(horizontal: Rule, vertical: Rule) -> bool:
    return (
        horizontal.x0 - _SNAP <= vertical.x0 <= horizontal.x1 + _SNAP
        and vertical.top - _SNAP <= horizontal.top <= vertical.bottom + _SNAP
    )


def _connected(horizontals: list[Rule], verticals: list[Rule]) -> list[_Grid]:
    """Groups of rules that meet one another, with two rules or more each way (a grid)."""
    parent = list(range(len(horizontals) + len(verticals)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, horizontal in enumerate(horizontals):
        for j, vertical in enumerate(verticals):
            if _crosses(horizontal, vertical):
                parent[root(i)] = root(len(horizontals) + j)
    groups: dict[int, _Grid] = {}
    for i, horizontal in enumerate(horizontals):
        groups.setdefault(root(i), _Grid([], [])).horizontals.append(horizontal)
    for j, vertical in enumerate(verticals):
        groups.setdefault(root(len(horizontals) + j), _Grid([], [])).verticals.append(vertical)
    return [
        g
        for g in groups.values()
        if len(g.horizontals) >= _MIN_RULED and len(g.verticals) >= _MIN_RULED
    ]


def _side_by_side(grids: list[_Grid]) -> list[_Grid]:
    """Grids level with one another and a gutter apart, joined into one grid each."""
    result: list[_Grid] = []
    for grid in sorted(grids, key=lambda g: g.box[0]):
        x0, _, top, bottom = grid.box
        for other in result:
            _, ox1, otop, obottom = other.box
            if (
                0 <= x0 - ox1 <= _GUTTER
                and abs(top - otop) <= _SNAP * 2
                and abs(bottom - obottom) <= _SNAP * 2
            ):
                other.horizontals += grid.horizontals
                other.verticals += grid.verticals
                break
        else:
            result.append(_Grid(list(grid.horizontals), list(grid.verticals)))
    return result


def _positions(values: Iterable[float]) -> list[float]:
    """Distinct positions, those within a snap of each other taken as one."""
    result: list[float] = []
    for value in sorted(values):
        if not result or value - result[-1] > _SNAP:
            result.append(value)
    return result


def _grid_table(grid: _Grid, inside: list[LaidLine]) -> Table | None:
    """The grid's cells with their text: rows between horizontal rules, cells between the
    vertical rules that cross each row; empty rows and columns dropped."""
    if not inside:
        return None
    xs = _positions(r.x0 for r in grid.verticals)
    ys = _positions(r.top for r in grid.horizontals)
    x0, x1, top, bottom = grid.box
    xs = _positions([x0, *xs, x1])
    ys = _positions([top, *ys, bottom])
    if len(xs) < 3 and len(ys) < 3:
        return None  # one box: a callout or a frame, not a table

    def column_of(line: LaidLine) -> int:
        middle = (line.x0 + line.x1) / 2
        return max(0, min(len(xs) - 2, sum(1 for x in xs[1:-1] if x < middle)))

    def band_of(line: LaidLine) -> int:
        middle = (line.top + line.bottom) / 2
        return max(0, min(len(ys) - 2, sum(1 for y in ys[1:-1] if y < middle)))

    placed: dict[tuple[int, int], list[LaidLine]] = {}
    for line in inside:
        placed.setdefault((band_of(line), column_of(line)), []).append(line)
    filled_columns = sorted({column for _, column in placed})
    filled_bands = sorted({band for band, _ in placed})
    kept = {column: k for k, column in enumerate(filled_columns)}
    rows: list[TableRow] = []
    for band in filled_bands:
        middle = (ys[band] + ys[band + 1]) / 2
        # The columns this band's cells cover: a vertical rule crossing the band divides.
        dividers = [
            k
            for k in range(1, len(xs) - 1)
            if any(
                abs(v.x0 - xs[k]) <= _SNAP and v.top - _SNAP <= middle <= v.bottom + _SNAP
                for v in grid.verticals
            )
        ]
        bounds = [0, *dividers, len(xs) - 1]
        cells: list[str] = []
        spans: list[int] = []
        lines: list[LaidLine] = []
        for first, end in zip(bounds, bounds[1:], strict=False):
            covered = [c for c in range(first, end) if c in kept]
            if not covered:
                continue  # a gutter or an empty column
            cell_lines = [x for c in range(first, end) for x in placed.get((band, c), [])]
            cells.append(_cell_text(cell_lines))
            spans.append(len(covered))
            lines += cell_lines
        rows.append(TableRow(tuple(lines), tuple(cells), False, tuple(spans)))
    width = len(filled_columns)
    if width < _MIN_RULED or len(rows) < _MIN_RULED:
        return None
    if sum(1 for row in rows if sum(1 for c in row.cells if c) >= 2) < _MIN_RULED:
        return None
    rows = _with_header(rows, _header_count(rows))
    table_lines = [x for row in rows for x in row.lines]
    return Table(
        tuple(_plain_spans(rows)),
        x0,
        x1,
        min(top, *(x.top for x in table_lines)),
        max(bottom, *(x.bottom for x in table_lines)),
    )


def _plain_spans(rows: list[TableRow]) -> list[TableRow]:
    """Rows whose every cell covers one column carry no spans."""
    return [
        row if any(s > 1 for s in row.spans) else TableRow(row.lines, row.cells, row.header)
        for row in rows
    ]


def _cell_text(lines: list[LaidLine]) -> str:
    """A cell's lines top to bottom (left to right on one baseline), joined by spaces; a
    hyphen ending a line joins the word it broke."""
    text = ""
    for line in sorted(lines, key=lambda x: (round(x.bottom), x.x0)):
        part = line.text.strip()
        if not text:
            text = part
        elif text.endswith("-") and part[:1].islower():
            text += part
        else:
            text += " " + part
    return text


# --- aligned text ---------------------------------------------------------------------------


def aligned_tables(lines: Sequence[LaidLine], rules: Sequence[Rule] = ()) -> list[Table]:
    """Tables of text aligned in columns, without (or beside) rules."""
    baselines = _baselines(lines)
    tables: list[Table] = []
    index = 0
    free = 0  # the first baseline no table has taken
    while index < len(baselines):
        if len(baselines[index]) < 2:
            index += 1
            continue
        end, bands = _region(baselines, index)
        if _contents(baselines[index:end]):
            index = end
            continue
        table = _aligned_table(baselines[index:end], bands, rules)
        if table is None:
            index += 1
            continue
        tables.append(_with_group_headers(table, baselines[free:index], bands))
        index = free = end
    return tables


def _with_group_headers(
    table: Table, above: list[list[LaidLine]], bands: list[list[float]]
) -> Table:
    """A table with the bold rows just above its header that group its columns (one
    heading centred over two columns): each piece spans the columns it stands over or
    nearest to; columns before the first piece or after the last have an empty cell."""
    if not table.rows or not table.rows[0].header:
        return table
    size = max(x.font_size for x in table.rows[0].lines)
    added: list[TableRow] = []
    top = table.top
    for baseline in reversed(above[-(_MAX_HEADER_ROWS - 1) :]):
        em = max(x.font_size for x in baseline)
        if (
            len(baseline) < 2  # one piece over every column: a caption or a heading
            or em > 1.2 * size
            or top - max(x.bottom for x in baseline) > 1.5 * em
            or not all(x.bold for x in baseline)
            or min(x.x0 for x in baseline) < table.x0 - em
            or max(x.x1 for x in baseline) > table.x1 + em
        ):
            break
        row = _group_row(baseline, bands)
        if row is None:
            break
        added.insert(0, row)
        top = min(x.top for x in baseline)
    if not added:
        return table
    return Table(
        tuple(added) + table.rows,
        min(table.x0, *(x.x0 for row in added for x in row.lines)),
        table.x1,
        top,
        table.bottom,
    )


def _group_row(baseline: list[LaidLine], bands: list[list[float]]) -> TableRow | None:
    """A row of group headers over the columns (bands), or None if a piece is over none."""
    edges = [(a.x1 + b.x0) / 2 for a, b in zip(baseline, baseline[1:], strict=False)]
    owners: list[int | None] = []
    for a, b in bands:
        if b < baseline[0].x0 or a > baseline[-1].x1:
            owners.append(None)  # before the first group or after the last
        else:
            owners.append(sum(1 for edge in edges if edge < (a + b) / 2))
    if any(k not in owners for k in range(len(baseline))):
        return None
    cells: list[str] = []
    spans: list[int] = []
    for k, owner in enumerate(owners):
        if owner is None:
            cells.append("")
            spans.append(1)
        elif k == 0 or owners[k - 1] != owner:
            cells.append(_cell_text([baseline[owner]]))
            spans.append(1)
        else:
            spans[-1] += 1
    return TableRow(tuple(baseline), tuple(cells), True, tuple(spans))


def _baselines(lines: Sequence[LaidLine]) -> list[list[LaidLine]]:
    """The lines of a page grouped by baseline (pieces level with one another), top to
    bottom, each left to right."""
    result: list[list[LaidLine]] = []
    for line in sorted(lines, key=lambda x: (x.bottom, x.x0)):
        current = result[-1] if result else None
        if current and abs(current[0].bottom - line.bottom) <= 0.35 * max(line.font_size, 1.0):
            current.append(line)
        else:
            result.append([line])
    for group in result:
        group.sort(key=lambda x: x.x0)
    return result


def _overlapping(line: LaidLine, bands: list[list[float]]) -> list[int]:
    return [k for k, (a, b) in enumerate(bands) if line.x0 < b and a < line.x1]


def _region(baselines: list[list[LaidLine]], start: int) -> tuple[int, list[list[float]]]:
    """From a baseline of two pieces or more, the baselines that carry on its columns:
    (end index, column bands).  A piece that bridges two bands, two pieces in one band, a
    lone piece that does not continue a cell, or a wide gap, ends the run."""
    bands = [[x.x0, x.x1] for x in baselines[start]]
    end = start + 1
    previous = baselines[start]
    while end < len(baselines):
        group = baselines[end]
        em = max(x.font_size for x in group)
        gap = min(x.top for x in group) - max(x.bottom for x in previous)
        if gap > 2.5 * em:
            break
        hits = [_overlapping(x, bands) for x in group]
        if any(len(h) > 1 for h in hits):
            break
        columns = [h[0] for h in hits if h]
        if len(columns) != len(set(columns)):
            break
        if len(group) == 1 and not (hits[0] and gap < _WRAP_EMS * em):
            break  # a lone line that is not a cell's wrapped line: the table has ended
        for line, hit in zip(group, hits, strict=True):
            if hit:
                band = bands[hit[0]]
                band[0], band[1] = min(band[0], line.x0), max(band[1], line.x1)
            else:
                bands.append([line.x0, line.x1])
        bands.sort()
        if any(a[1] > b[0] for a, b in zip(bands, bands[1:], strict=False)):
            break  # a new column that overlaps one already there
        previous = group
        end += 1
    return end, bands


def _aligned_table(
    group: list[list[LaidLine]], bands: list[list[float]], rules: Sequence[Rule]
) -> Table | None:
    """The rows of aligned baselines, or None when they are not a table (too few rows,
    one column, or prose in columns)."""
    pieces = [x for baseline in group for x in baseline]
    if len(bands) < 2:
        return None
    if sum(1 for baseline in group if len(baseline) >= 2) < _MIN_ROWS:
        return None
    starts = [x.text.lstrip()[:1] for x in pieces]
    lower = sum(1 for c in starts if c.islower())
    if lower > _PROSE_LOWER * len(starts):
        return None  # sentences running on from piece to piece: prose set in columns
    cells: list[list[list[LaidLine]]] = []
    previous: list[LaidLine] | None = None
    for baseline in group:
        columns = {_overlapping(x, bands)[0]: x for x in baseline}
        em = max(x.font_size for x in baseline)
        gap = min(x.top for x in baseline) - max(x.bottom for x in previous) if previous else 0.0
        # A line close under the last continues its cells, unless it opens a new row
        # with a first cell beside others (a key wrapped alone continues its key).
        wraps = previous is not None and gap < _WRAP_EMS * em
        wraps = wraps and (0 not in columns or len(columns) == 1)
        if cells and wraps:
            for column, line in columns.items():
                cells[-1][column].append(line)
        else:
            row: list[list[LaidLine]] = [[] for _ in bands]
            for column, line in columns.items():
                row[column].append(line)
            cells.append(row)
        previous = baseline
    rows = [
        TableRow(tuple(x for cell in row for x in cell), tuple(_cell_text(c) for c in row), False)
        for row in cells
    ]
    if sum(1 for row in rows if sum(1 for c in row.cells if c) >= 2) < _MIN_ROWS:
        return None
    head = _header_count(rows) or _ruled_header_count(cells, rules)
    rows = _with_header(rows, head)
    return Table(
        tuple(rows),
        min(x.x0 for x in pieces),
        max(x.x1 for x in pieces),
        min(x.top for x in pieces),
        max(x.bottom for x in pieces),
    )


def _contents(group: list[list[LaidLine]]) -> bool:
    """Entries, each with the page it starts on at the right, pages rising: a contents
    page (for structure recovery to mark as one), not a table."""
    pages = [baseline[-1].text.strip() for baseline in group if len(baseline) >= 2]
    if len(pages) < 2 or not all(p.isdigit() and len(p) <= 4 for p in pages):
        return False
    numbers = [int(p) for p in pages]
    return numbers == sorted(numbers)


# --- header rows ----------------------------------------------------------------------------


#: More leading rows than this are not a header.
_MAX_HEADER_ROWS = 3


def _header_count(rows: list[TableRow]) -> int:
    """Leading rows set in bold (or tagged TH) over a body that is not."""

    def bold(row: TableRow) -> bool:
        return bool(row.lines) and all(x.bold or x.tag == "TH" for x in row.lines)

    count = 0
    while count < len(rows) and count < _MAX_HEADER_ROWS and bold(rows[count]):
        count += 1
    if count == 0 or count >= len(rows):
        return 0
    # A bold body (a key/value table set all in bold) has no header; a bold total row
    # at the foot does not make one.
    body = rows[count:]
    if sum(1 for row in body if bold(row)) * 2 >= len(body):
        return 0
    return count


def _ruled_header_count(cells: list[list[list[LaidLine]]], rules: Sequence[Rule]) -> int:
    """Leading rows above a horizontal rule across the table that no later row has."""
    if not rules or len(cells) < 3:
        return 0
    tops = [min((x.top for c in row for x in c), default=0.0) for row in cells]
    bottoms = [max((x.bottom for c in row for x in c), default=0.0) for row in cells]
    x0 = min(x.x0 for row in cells for c in row for x in c)
    x1 = max(x.x1 for row in cells for c in row for x in c)
    horizontals = _merged([r for r in rules if not r.vertical], vertical=False)
    across = [r.top for r in horizontals if r.x0 <= x0 + _SNAP * 2 and r.x1 >= x1 - _SNAP * 2]
    ruled_after = [
        k for k in range(len(cells) - 1) if any(bottoms[k] <= y <= tops[k + 1] for y in across)
    ]
    if len(ruled_after) == 1 and ruled_after[0] < _MAX_HEADER_ROWS:
        return ruled_after[0] + 1
    return 0


def _with_header(rows: list[TableRow], count: int) -> list[TableRow]:
    return [TableRow(row.lines, row.cells, k < count, row.spans) for k, row in enumerate(rows)]
