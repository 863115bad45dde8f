"""Reading order of a PDF page whose content is not drawn in the order it is read.

Most producers draw a page's text in reading order, and that order is kept: it knows
columns and sidebars better than any guess from positions.  Some do not (a report
writer that draws a table's rows before the title above it, a letterhead drawn after
the letter).  Such a page shows it: a piece of text drawn after another stands wholly
above it, in the same stretch of the page's width.  Only then is the page read by
recursive XY-cut: the page is cut at the widest empty band, across or down, and each
part read the same way, top before bottom and left before right.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

#: Points by which a piece must stand above another (or overlap it across) to count.
_TOLERANCE = 1.0
#: Narrower empty bands than these (points) do not cut: the leading between lines cuts
#: across, and only a gap wider than a word space cuts down.
_MIN_ACROSS = 0.5
_MIN_DOWN = 3.0


class Placed(Protocol):
    """Anything with a box on the page: a line, or a table taken as one piece."""

    @property
    def x0(self) -> float: ...
    @property
    def x1(self) -> float: ...
    @property
    def top(self) -> float: ...
    @property
    def bottom(self) -> float: ...


P = TypeVar("P", bound=Placed)


def out_of_order(pieces: Sequence[Placed]) -> bool:
    """Whether a piece comes after one it stands wholly above, their widths overlapping.

    Cheap on pages in order: only a piece that starts above the one before it (a new
    column, or a jump back up the page) is compared with all before it.
    """
    for index in range(1, len(pieces)):
        piece = pieces[index]
        if piece.bottom >= pieces[index - 1].top - _TOLERANCE:
            continue
        for earlier in pieces[:index]:
            if piece.bottom < earlier.top - _TOLERANCE and _across(piece, earlier) > _TOLERANCE:
                return True
    return False


def _across(a: Placed, b: Placed) -> float:
    """How far two pieces overlap across the page (negative: the gap between them)."""
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def xy_cut(pieces: Sequence[P]) -> list[P]:
    """Pieces in reading order by recursive XY-cut: at each step the widest empty band
    across (between rows) or down (between columns) divides them; a part that no band
    divides is read top to bottom, left to right."""
    if len(pieces) <= 1:
        return list(pieces)
    across = _widest_gap([(p.top, p.bottom) for p in pieces])
    down = _widest_gap([(p.x0, p.x1) for p in pieces])
    if down is not None and down[0] >= _MIN_DOWN and (across is None or down[0] >= across[0]):
        cut = down[1]
        before = [p for p in pieces if (p.x0 + p.x1) / 2 < cut]
        after = [p for p in pieces if (p.x0 + p.x1) / 2 >= cut]
    elif across is not None and across[0] >= _MIN_ACROSS:
        cut = across[1]
        before = [p for p in pieces if (p.top + p.bottom) / 2 < cut]
        after = [p for p in pieces if (p.top + p.bottom) / 2 >= cut]
    else:
        return sorted(pieces, key=lambda p: (p.top, p.x0))
    return xy_cut(before) + xy_cut(after)


def _widest_gap(spans: list[tuple[float, float]]) -> tuple[float, float] | None:
    """The widest stretch no span covers, between the first start and the last end:
    (width, middle), or None when the spans leave no gap."""
    best: tuple[float, float] | None = None
    spans = sorted(spans)
    reach = spans[0][1]
    for start, end in spans[1:]:
        if start > reach and (best is None or start - reach > best[0]):
            best = (start - reach, (start + reach) / 2)
        reach = max(reach, end)
    return best
