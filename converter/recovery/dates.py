"""Dates as English reports write them, read into ISO 8601 (days, or months when no day)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DASH = r"(?:to|and|-|\u2013|\u2014)"
_ORDINAL = r"(?:st|nd|rd|th)?"
_RANGE = re.compile(
    rf"\b(\d{{1,2}}){_ORDINAL}(?:\s+({MONTH}))?(?:\s+(\d{{4}}))?\s*{_DASH}\s*(\d{{1,2}}){_ORDINAL}\s+({MONTH})\s+(\d{{4}})\b",
    re.IGNORECASE,
)
_DAY = re.compile(rf"\b(\d{{1,2}}){_ORDINAL}\s+({MONTH}),?\s+(\d{{4}})\b", re.IGNORECASE)
#: 03/09/2012: day first, as British documents write it.
_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_MONTH_YEAR = re.compile(rf"\b({MONTH})\s+(\d{{4}})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Written:
    """A date found in a text: its ISO value (YYYY-MM-DD or YYYY-MM) and the words as written."""

    when: str
    written: str
    start: int  # where it stands in the text


def parse_range(text: str) -> tuple[date, date] | None:
    """'22 November to 3 December 2021', '9–10 November 2016', '1 and 2 October 2019',
    a single day (start = end), or None."""
    match = _RANGE.search(text)
    if match:
        day1, month1, year1, day2, month2, year2 = match.groups()
        try:
            end = date(int(year2), MONTHS[month2.casefold()], int(day2))
            start = date(int(year1 or year2), MONTHS[(month1 or month2).casefold()], int(day1))
        except ValueError:
            return None
        if start > end and not year1:
            start = start.replace(year=start.year - 1)
        return (start, end) if start <= end else None
    found = [d for d in (day_of(m) for m in _DAY.finditer(text)) if d is not None]
    if len(found) >= 2:
        return found[0], found[1]
    if len(found) == 1:
        return found[0], found[0]
    return None


def day_of(match: re.Match[str]) -> date | None:
    try:
        return date(int(match.group(3)), MONTHS[match.group(2).casefold()], int(match.group(1)))
    except ValueError:
        return None


def one_day(text: str) -> date | None:
    """The first day written in words ("23 August 2013") or digits ("03/09/2012")."""
    dates = [w for w in find_dates(text) if len(w.when) == 10]
    return date.fromisoformat(dates[0].when) if dates else None


def find_dates(text: str) -> list[Written]:
    """Every date in a text, in order: days in words or digits, then months ("August 2015")
    not already part of a day."""
    found: list[Written] = []
    taken: list[tuple[int, int]] = []
    for match in _DAY.finditer(text):
        day = day_of(match)
        if day is not None:
            found.append(Written(day.isoformat(), match.group(0), match.start()))
            taken.append(match.span())
    for match in _NUMERIC.finditer(text):
        try:
            day = date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            continue
        found.append(Written(day.isoformat(), match.group(0), match.start()))
        taken.append(match.span())
    for match in _MONTH_YEAR.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        month = MONTHS[match.group(1).casefold()]
        found.append(
            Written(f"{int(match.group(2)):04d}-{month:02d}", match.group(0), match.start())
        )
    return sorted(found, key=lambda w: w.start)
