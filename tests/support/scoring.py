"""Score a reader's tree against facts read by eye (the corpus's expected.json), field by field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

FIELDS = (
    "kind",
    "title",
    "subject",
    "dates",
    "lead",
    "judgements",
    "improve",
    "numbered",
    "graded",
    "pages",
    "hyphens",
    "splits",
    "headers",
    "back",
    "headings",
    "lists",
    "tables",
)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class FieldScore:
    ok: bool
    detail: str


def normal(text: str | None) -> str:
    """Compare text loosely: case, apostrophe style, dashes and spacing do not matter."""
    if text is None:
        return ""
    text = (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u2013", "-")
        .replace("\u2014", "-")
    )
    return _SPACE.sub(" ", text).strip().casefold()


def _text(element: etree._Element) -> str:
    """The text a reader reads, footnote markers left out (they are not the heading's words)."""
    return _SPACE.sub(" ", "".join(_reading(element))).strip()


def _reading(element: etree._Element) -> list[str]:
    parts = [element.text or ""]
    for child in element:
        if child.tag != "noteref":
            parts += _reading(child)
        parts.append(child.tail or "")
    return parts


def score(root: etree._Element, expected: Mapping[str, Any]) -> dict[str, FieldScore]:
    """One FieldScore per name in FIELDS."""
    meta = root.find("meta")
    assert meta is not None
    result: dict[str, FieldScore] = {}

    kind = meta.findtext("kind")
    result["kind"] = FieldScore(kind == expected["kind"], str(kind))

    title = meta.findtext("title")
    result["title"] = FieldScore(normal(title) == normal(expected["title"]), str(title)[:50])

    subject = meta.findtext("subject")
    result["subject"] = FieldScore(
        normal(subject) == normal(expected["subject"]), str(subject)[:40]
    )

    dates = {d.get("role"): d.get("when") for d in meta.iterfind("date")}
    wanted = {
        "inspection-start": expected.get("inspection_start"),
        "inspection-end": expected.get("inspection_end"),
        "publication": expected.get("publication_date"),
    }
    dates_ok = all(dates.get(role) == value for role, value in wanted.items())
    # A document with other dates (minutes, schedules, statistics): its own first date
    # (meeting, week, period) is in meta, whatever role name the annotator gave it.
    own = expected.get("dates") or []
    if own:
        whens = {d.get("when") for d in meta.iterfind("date")}
        dates_ok = dates_ok and own[0]["iso"] in whens
    result["dates"] = FieldScore(
        dates_ok, f"{dates.get('inspection-start')}..{dates.get('inspection-end')}"
    )

    leads = [p.text for p in meta.iterfind("person[@role='lead-inspector']")]
    lead = leads[0] if leads else None
    result["lead"] = FieldScore(
        person_name(lead) == person_name(expected.get("lead_inspector")), str(lead)[:40]
    )

    judgements = [
        (normal(j.findtext("label")), j.get("grade")) for j in meta.iterfind("judgements/judgement")
    ]
    expected_judgements = [(normal(j["label"]), j["grade"]) for j in expected.get("judgements", [])]
    result["judgements"] = FieldScore(
        judgements == expected_judgements,
        f"{sum(1 for a, b in zip(judgements, expected_judgements, strict=False) if a == b)}/{len(expected_judgements)} (got {len(judgements)})",
    )

    count = 0
    for improve in root.iterfind(".//section[@role='improvements']"):
        items = [
            i for i in improve.iterfind(".//list/item") if i.getparent().getparent().tag != "item"
        ]
        rows = [r for t in improve.iterfind("table") for r in t.findall("row")]
        count += max(len(items), len(improve.findall("p[@n]")), len(rows))
    wanted_count = (expected.get("improvement_items") or {}).get("count", 0)
    result["improve"] = FieldScore(count == wanted_count, f"{count}/{wanted_count}")

    numbers = [str(p.get("n")) for p in root.iterfind(".//body//p[@n]")]
    numbered = expected.get("numbered_paragraphs") or {}
    got = (
        len(numbers),
        int(numbers[0]) if numbers else None,
        int(numbers[-1]) if numbers else None,
    )
    want = (numbered.get("count", 0), numbered.get("first"), numbered.get("last"))
    ordered = numbers == [str(i) for i in range(1, len(numbers) + 1)]
    result["numbered"] = FieldScore(got == want and ordered, f"{got[0]} {got[1]}-{got[2]}")

    grades = [s.get("grade") for s in root.iterfind(".//body//section[@grade]")]
    expected_grades = [s["grade"] for s in expected.get("graded_sections", [])]
    result["graded"] = FieldScore(
        grades == expected_grades, f"{len(grades)}/{len(expected_grades)}"
    )

    source = meta.find("source")
    pages = int(source.get("pages", "1")) if source is not None else 1
    want_pages = (expected.get("pages") or {}).get("count", 1)
    result["pages"] = FieldScore(pages == want_pages, f"{pages}/{want_pages}")

    body_text = (
        " ".join(_text(e) for e in root.iterfind("body"))
        + " "
        + " ".join(_text(e) for e in root.iterfind("back"))
    )
    repaired = 0
    hyphens = expected.get("lost_hyphen_words", [])
    for entry in hyphens:
        intended = entry["intended"].split(" (")[0]
        if intended.casefold() in body_text.casefold():
            repaired += 1
    result["hyphens"] = FieldScore(repaired == len(hyphens), f"{repaired}/{len(hyphens)}")

    blocks = [_text(e) for e in root.iterfind(".//body//p")] + [
        _text(e) for e in root.iterfind(".//body//item")
    ]
    joined = 0
    splits = expected.get("split_paragraphs", [])
    for split in splits:
        before, after = normal(split["before"]), normal(split["after"])
        if any(before in normal(b) and after in normal(b) for b in blocks):
            joined += 1
    result["splits"] = FieldScore(joined == len(splits), f"{joined}/{len(splits)}")

    artifact_texts = [normal(a.text) for a in root.iterfind("artifacts/artifact")]
    headers = [normal(h) for h in expected.get("running_header_footer", [])]
    missing = [h for h in headers if h not in artifact_texts]
    in_body = [h for h in headers if len(h) > 3 and any(normal(b) == h for b in blocks)]
    result["headers"] = FieldScore(
        not missing and not in_body, f"{len(headers) - len(missing)}/{len(headers)}"
    )

    result["back"] = _score_back(root, expected.get("back_matter") or {})
    result["headings"] = _score_headings(root, expected)
    result["lists"] = _score_lists(root, expected.get("lists") or [])
    result["tables"] = _score_tables(root, expected.get("tables") or [])
    return result


_TITLES = re.compile(
    r",.*$|\s+(?:HMI|Her Majesty['\u2019]s Inspector|His Majesty['\u2019]s Inspector)$",
    re.IGNORECASE,
)


def person_name(text: str | None) -> str:
    """A person as written ("Matt Reed, His Majesty's Inspector", "Neil Penswick HMI") to
    the name alone: the annotator wrote some with their title and some without."""
    return normal(_TITLES.sub("", (text or "").strip()))


def _depth(section: etree._Element) -> int:
    return sum(1 for a in section.iterancestors() if a.tag == "section")


def tree_headings(root: etree._Element) -> list[tuple[str, int]]:
    """Every heading in reading order with its level: the title at 1, body sections below."""
    found = [(normal(root.findtext("meta/title")), 1)]
    for part in ("body", "back"):
        for section in root.iterfind(f"{part}//section"):
            heading = section.find("heading")
            if heading is not None:
                found.append((normal(_text(heading)), _depth(section) + 2))
    return found


def _score_headings(root: etree._Element, expected: Mapping[str, Any]) -> FieldScore:
    """Generic documents: every heading and its level, in order.  Reports: every heading
    read by eye (graded and other) is a heading of the tree, in order."""
    got = tree_headings(root)
    if expected.get("headings"):
        want = [(normal(h["text"]), int(h["level"])) for h in expected["headings"]]
        return FieldScore(
            got == want,
            f"{sum(g == w for g, w in zip(got, want, strict=False))}/{len(want)} (got {len(got)})",
        )
    wanted = [normal(s["heading"]) for s in expected.get("graded_sections", [])]
    wanted += [normal(h) for h in expected.get("other_headings", [])]
    texts = [t for t, _ in got]
    missing = [w for w in wanted if texts.count(w) < wanted.count(w)]
    return FieldScore(
        not missing,
        f"{len(wanted) - len(missing)}/{len(wanted)}"
        + (f" missing {missing[0][:40]!r}" if missing else ""),
    )


def _score_lists(root: etree._Element, lists: list[Mapping[str, Any]]) -> FieldScore:
    found = 0
    for wanted in lists:
        start = normal(wanted["first_words"])
        for element in root.iterfind("body//list"):
            items = element.findall("item")
            if (
                items
                and normal(_text(items[0])).startswith(start)
                and len(items) == wanted["items"]
            ):
                found += 1
                break
    return FieldScore(found == len(lists), f"{found}/{len(lists)}")


def _cells(row: etree._Element) -> list[str]:
    return [normal(_text(c)) for c in row.iterfind("cell")]


def _score_tables(root: etree._Element, tables: list[Mapping[str, Any]]) -> FieldScore:
    """Each table read by eye is a table of the tree: rows, columns, header rows, first and
    last row (cells compared from the start, as far as expected.json gives them)."""
    found = 0
    details = []
    for wanted in tables:
        head_rows = int(wanted.get("header_rows", 0))
        first_cells = wanted.get("first_row_cells") or []
        best = "none"
        for table in root.iterfind("body//table"):
            rows = table.findall("head/row") + table.findall("row")
            head = len(table.findall("head/row"))
            width = max(
                (sum(int(c.get("colspan", "1")) for c in r.iterfind("cell")) for r in rows),
                default=0,
            )
            body = rows[head:]
            first = _cells(rows[0]) if rows else []
            if not first or not first[0].startswith(normal(first_cells[0]) if first_cells else ""):
                continue
            last = _cells(body[-1]) if body else []
            want_last = [normal(c) for c in wanted.get("last_row_cells") or []]
            ok = (
                len(rows) == int(wanted["rows"])
                and width == int(wanted["cols"])
                and head == head_rows
                and all(g.startswith(normal(w)) for g, w in zip(first, first_cells, strict=False))
                and last[: len(want_last)] == want_last
            )
            best = f"{len(rows)}x{width} head {head}"
            if ok:
                found += 1
                break
        details.append(best)
    return FieldScore(found == len(tables), f"{found}/{len(tables)} " + ", ".join(details)[:60])


def _score_back(root: etree._Element, back: Mapping[str, Any]) -> FieldScore:
    # Back matter, or its parts where the document prints them at the front (a 2013
    # report's copyright page).
    sections = {str(s.get("role")): _text(s) for s in root.iterfind("back/section")}
    for section in root.iterfind("body//section[@role='copyright']"):
        sections.setdefault("copyright", _text(section))
    checks: list[bool] = []
    if back.get("ofsted-about"):
        checks.append("about" in sections)
    offer = back.get("alternative-formats-offer")
    if offer:
        text = sections.get("alternative-formats", "")
        checks.append(offer["phone"] in text and offer["email"] in text)
    if back.get("licence"):
        checks.append("licence" in sections)
    if back.get("address"):
        checks.append("Piccadilly Gate" in sections.get("contact", ""))
    if back.get("copyright"):
        checks.append(normal(back["copyright"]) in normal(sections.get("copyright", "")))
    if not checks:  # no back matter expected: none invented
        return FieldScore(
            not sections, "none" if not sections else f"unexpected {sorted(sections)}"
        )
    return FieldScore(all(checks), f"{sum(checks)}/{len(checks)}")
