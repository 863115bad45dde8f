"""Our PDF layout analysis against opendataloader-pdf (its JSON) and pdfplumber's table
finder, on every corpus PDF, judged by ../shared/corpus/expected.json.

- fields: opendataloader-pdf's elements (headings with levels, paragraphs, lists, tables
  with spans, header/footer elements as artifacts) made into source lines and recovered
  by our structure recovery, scored field by field like our reader's tree (reading
  order shows in title, dates, splits, numbered paragraphs; see tests/support/scoring.py);
- tables: each table read by eye (rows, columns, first and last row; header rows where
  the library says which rows head a table), for our tree, opendataloader-pdf's tables
  and pdfplumber's ``find_tables`` (tables continued on the next page joined, for all);
- headings: the headings read by eye found as headings, and how many headings in all;
- furniture: the running headers and footers read by eye set aside, none left in the body;
- time per page: our reader (pdf.read), opendataloader-pdf (one JVM per document, and
  all documents in one JVM), pdfplumber (open and find tables on every page).

Run: .venv/bin/python bench/compare_pdf_layout.py [-v]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import opendataloader_pdf
import pdfplumber
from lxml import etree

from converter.readers import pdf
from converter.recovery import SourceLine, recover
from converter.recovery.recognisers import RECOGNISERS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tests/support

from support.pdf_scoring import FIELDS, expected_facts, scored
from support.scoring import normal, tree_headings

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
RUNS = 3

#: A table as rows of (cell text, columns spanned), and how many leading rows head it.
Cells = list[list[tuple[str, int]]]


def median_seconds(run: Any, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- opendataloader-pdf's JSON as source lines -------------------------------------------


def odl_tree(document: Mapping[str, Any], pages: int) -> etree._Element:
    """opendataloader-pdf's elements in its reading order, recovered by our recovery."""
    lines: list[SourceLine] = []
    artifacts: list[tuple[SourceLine, str]] = []

    def add(text: str, page: int, **hints: Any) -> SourceLine:
        line = SourceLine(number=len(lines) + 1, text=text, page=page, **hints)
        lines.append(line)
        return line

    def walk(elements: list[Mapping[str, Any]]) -> None:
        for element in elements:
            kind, page = element["type"], int(element.get("page number", 1))
            if kind in ("header", "footer"):
                reason = "running-header" if kind == "header" else "running-footer"
                for text in _texts(element):
                    artifacts.append((add(text, page), reason))
                continue
            if kind == "heading":
                level = element.get("heading level")
                add(element.get("content", ""), page, heading_level=level)
            elif kind in ("paragraph", "caption", "text block"):
                add(element.get("content", ""), page)
            elif kind == "list":
                for item in element.get("list items", []):
                    add(item.get("content", ""), page)
                    walk(item.get("kids", []))
            elif kind == "table":
                for row in element.get("rows", []):
                    cells = row.get("cells", [])
                    texts = tuple(" ".join(_texts(c)) for c in cells)
                    add(
                        " ".join(t for t in texts if t),
                        page,
                        cells=texts,
                        header=bool(cells) and all(c.get("is_header") for c in cells),
                        spans=_spans(cells),
                    )
            else:
                walk(element.get("kids", []))
                continue
            add("", page)  # a block ends

    walk(document.get("kids", []))
    furniture = {line.number for line, _ in artifacts}
    content = [x for x in lines if x.number not in furniture]
    root = recover(content, recognisers=RECOGNISERS)
    pdf._add_artifacts(root, artifacts)
    source = root.find("meta/source")
    if source is not None:
        source.set("pages", str(pages))
    return root


def _spans(cells: list[Mapping[str, Any]]) -> tuple[int, ...]:
    """Each cell's columns, where one spans several (else empty, as the reader gives)."""
    spans = tuple(int(c.get("column span", 1)) for c in cells)
    return spans if any(s > 1 for s in spans) else ()


def _texts(element: Mapping[str, Any]) -> list[str]:
    """The text an element holds, itself and its kids, in order."""
    found = [element["content"]] if element.get("content") else []
    for kid in element.get("kids", []):
        found += _texts(kid)
    for item in element.get("list items", []):
        found += _texts(item)
    return found


def odl_tables(document: Mapping[str, Any]) -> list[tuple[int, Cells, int]]:
    """(page, cells, header rows) of every table opendataloader-pdf found."""
    found = []

    def walk(elements: list[Mapping[str, Any]]) -> None:
        for element in elements:
            if element["type"] == "table":
                rows = [
                    [(" ".join(_texts(c)), int(c.get("column span", 1))) for c in r["cells"]]
                    for r in element.get("rows", [])
                ]
                head = 0
                for row in element.get("rows", []):
                    if not row["cells"] or not all(c.get("is_header") for c in row["cells"]):
                        break
                    head += 1
                found.append((int(element.get("page number", 1)), rows, head))
            walk(element.get("kids", []))

    walk(document.get("kids", []))
    return found


def odl_headings(document: Mapping[str, Any]) -> list[str]:
    result = []

    def walk(elements: list[Mapping[str, Any]]) -> None:
        for element in elements:
            if element["type"] == "heading":
                result.append(normal(element.get("content", "")))
            walk(element.get("kids", []))

    walk(document.get("kids", []))
    return result


def odl_furniture(document: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """The text of header and footer elements (each line, and each page's lines joined),
    and the body's paragraphs."""
    removed: set[str] = set()
    body: set[str] = set()
    for element in document.get("kids", []):
        texts = _texts(element)
        if element["type"] in ("header", "footer"):
            removed |= {normal(t) for t in texts}
            removed.add(normal(" ".join(texts)))
        elif element["type"] == "paragraph":
            body.add(normal(element.get("content", "")))
    return removed, body


# --- pdfplumber ----------------------------------------------------------------------------


def plumber_tables(path: Path) -> list[tuple[int, Cells, int]]:
    found = []
    with pdfplumber.open(path) as document:
        for number, page in enumerate(document.pages, start=1):
            for table in page.find_tables():
                rows = []
                for row in table.extract():
                    cells: list[tuple[str, int]] = []
                    for value in row:
                        if value is None and cells:  # a cell another spans
                            cells[-1] = (cells[-1][0], cells[-1][1] + 1)
                        else:
                            cells.append((" ".join((value or "").split()), 1))
                    rows.append(cells)
                found.append((number, rows, 0))
    return found


def plumber_time(path: Path) -> float:
    def run() -> None:
        with pdfplumber.open(path) as document:
            for page in document.pages:
                page.find_tables()

    return median_seconds(run, 1)


# --- judging -------------------------------------------------------------------------------


def tree_tables(root: etree._Element) -> list[tuple[int, Cells, int]]:
    found = []
    for table in root.iterfind("body//table"):
        rows = [
            [(" ".join("".join(c.itertext()).split()), int(c.get("colspan", "1"))) for c in r]
            for r in table.findall("head/row") + table.findall("row")
        ]
        found.append((int(table.get("page", "1")), rows, len(table.findall("head/row"))))
    return found


def joined_over_pages(tables: list[tuple[int, Cells, int]]) -> list[tuple[Cells, int]]:
    """Tables that run on to the next page joined (same width; a repeated header dropped)."""
    result: list[tuple[int, Cells, int]] = []
    for page, rows, head in tables:
        if result and rows:
            last_page, last_rows, last_head = result[-1]
            if page == last_page + 1 and _width(rows) == _width(last_rows):
                extra = rows[head:] if rows[:head] == last_rows[:last_head] else rows
                result[-1] = (page, last_rows + extra, last_head)
                continue
        result.append((page, rows, head))
    return [(rows, head) for _, rows, head in result]


def _width(rows: Cells) -> int:
    return max((sum(span for _, span in row) for row in rows), default=0)


def table_verdict(
    tables: list[tuple[Cells, int]], wanted: Mapping[str, Any], *, with_head: bool
) -> bool:
    """Rows, columns, first and last row as read by eye (header rows too, if asked)."""
    first = [normal(c) for c in wanted.get("first_row_cells") or []]
    last = [normal(c) for c in wanted.get("last_row_cells") or []]
    for rows, head in tables:
        if not rows:
            continue
        got_first = [normal(t) for t, _ in rows[0]]
        got_last = [normal(t) for t, _ in rows[-1]]
        if (
            len(rows) == int(wanted["rows"])
            and _width(rows) == int(wanted["cols"])
            and all(g.startswith(w) for g, w in zip(got_first, first, strict=False))
            and got_last[: len(last)] == last
            and (not with_head or head == int(wanted.get("header_rows", 0)))
        ):
            return True
    return False


def wanted_headings(facts: Mapping[str, Any]) -> list[str]:
    if facts.get("headings"):
        return [normal(h["text"]) for h in facts["headings"]]
    wanted = [normal(s["heading"]) for s in facts.get("graded_sections", [])]
    return wanted + [normal(h) for h in facts.get("other_headings", [])]


def headings_found(found: list[str], wanted: list[str]) -> int:
    return sum(1 for w in set(wanted) if found.count(w) >= wanted.count(w))


def furniture_ok(removed: set[str], body: set[str], facts: Mapping[str, Any]) -> bool:
    lines = [normal(h) for h in facts.get("running_header_footer", [])]
    return all(h in removed for h in lines) and not any(len(h) > 3 and h in body for h in lines)


def main() -> int:
    if not (CORPUS / "expected.json").exists():
        print(f"{CORPUS} is absent: nothing to compare")
        return 0
    verbose = "-v" in sys.argv
    expected = expected_facts(CORPUS)
    paths = sorted(CORPUS.glob("*.pdf"))
    options = {"format": "json", "quiet": True, "include_header_footer": True}
    options["image_output"] = "off"
    totals: dict[str, float] = {}

    def add(key: str, value: float) -> None:
        totals[key] = totals.get(key, 0.0) + value

    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as tagged:
        start = time.perf_counter()
        opendataloader_pdf.convert([str(p) for p in paths], output_dir=tmp, **options)
        batch = time.perf_counter() - start
        # Its other configuration for tagged PDFs: reading order and structure from the tags.
        opendataloader_pdf.convert(
            [str(p) for p in paths], output_dir=tagged, use_struct_tree=True, **options
        )
        header = (
            f"{'document':34}{'pages':>6} | {'fields right':^11} | {'tables (+head)':^20} |"
            f" {'headings found/emitted':^24} | {'furniture':^9} | {'ms per page':^20}"
        )
        print(header)
        print(
            f"{'':34}{'':>6} | {'ours':>5}{'odl':>6} | {'ours':>6}{'odl':>7}{'plumb':>7} |"
            f" {'ours':>8}{'odl':>8}{'want':>8} | {'ours':>4}{'odl':>5} |"
            f" {'ours':>6}{'odl':>7}{'plumb':>7}"
        )
        for path in paths:
            facts = expected[path.stem]
            data = path.read_bytes()
            pages = pdf.extract(data, name=path.name)[1].pages
            ours_seconds = median_seconds(lambda d=data, n=path.name: pdf.read(d, name=n))
            root = pdf.read(data, name=path.name)
            mine = scored("pdf", root, facts)

            wanted_tables = facts.get("tables") or []

            def count(
                found: list[tuple[Cells, int]],
                *,
                with_head: bool,
                wanted: list[Mapping[str, Any]] = wanted_tables,
            ) -> int:
                return sum(table_verdict(found, w, with_head=with_head) for w in wanted)

            with tempfile.TemporaryDirectory() as single:
                start = time.perf_counter()
                opendataloader_pdf.convert([str(path)], output_dir=single, **options)
                odl_seconds = time.perf_counter() - start
            document = json.loads((Path(tmp) / f"{path.stem}.json").read_text(encoding="utf-8"))
            theirs = scored("odl", odl_tree(document, pages), facts)
            by_tags = json.loads((Path(tagged) / f"{path.stem}.json").read_text(encoding="utf-8"))
            add("odl tags", scored("odl", odl_tree(by_tags, pages), facts).right)
            add("odl tags tables", count(joined_over_pages(odl_tables(by_tags)), with_head=False))
            add("odl tags headings", headings_found(odl_headings(by_tags), wanted_headings(facts)))
            add("odl tags furniture", furniture_ok(*odl_furniture(by_tags), facts))

            # Our tree's tables are already whole (recovery joins rows over a page turn).
            ours_tables = [(rows, head) for _, rows, head in tree_tables(root)]
            odl_found = joined_over_pages(odl_tables(document))
            plumber_found = joined_over_pages(plumber_tables(path))
            plumber_seconds = plumber_time(path)

            want = wanted_headings(facts)
            ours_headings = [text for text, _ in tree_headings(root)]
            found_ours = headings_found(ours_headings, want)
            found_odl = headings_found(odl_headings(document), want)
            removed, body = odl_furniture(document)
            furniture = (mine.scores["headers"].ok, furniture_ok(removed, body, facts))
            n = len(wanted_tables)
            print(
                f"{path.stem[:33]:34}{pages:>6} | {mine.right:>5}{theirs.right:>6} |"
                f" {count(ours_tables, with_head=False)}/{n}({count(ours_tables, with_head=True)})"
                f"{'':>1}{count(odl_found, with_head=False):>3}/{n}({count(odl_found, with_head=True)})"
                f"{count(plumber_found, with_head=False):>4}/{n}   |"
                f" {found_ours:>3}/{len(ours_headings):<4}{found_odl:>3}/{len(odl_headings(document)):<4}"
                f"{len(set(want)):>6}   | {'ok' if furniture[0] else 'NO':>4}{'ok' if furniture[1] else 'NO':>5} |"
                f" {1000 * ours_seconds / pages:>6.1f}{1000 * odl_seconds / pages:>7.0f}"
                f"{1000 * plumber_seconds / pages:>7.1f}"
            )
            if verbose:
                for field in FIELDS:
                    a, b = mine.scores[field], theirs.scores[field]
                    if a.ok != b.ok:
                        print(f"    {field}: ours {a.ok} ({a.detail}); odl {b.ok} ({b.detail})")
                print(
                    f"    tables found: ours {len(ours_tables)}, odl {len(odl_found)},"
                    f" pdfplumber {len(plumber_found)}"
                )
            add("pages", pages)
            add("ours", mine.right)
            add("odl", theirs.right)
            add("tables", n)
            add("ours tables", count(ours_tables, with_head=True))
            add("odl tables", count(odl_found, with_head=False))
            add("odl tables head", count(odl_found, with_head=True))
            add("plumber tables", count(plumber_found, with_head=False))
            add("ours tables found", len(ours_tables))
            add("odl tables found", len(odl_found))
            add("plumber tables found", len(plumber_found))
            add("headings wanted", len(set(want)))
            add("ours headings", found_ours)
            add("odl headings", found_odl)
            add("ours furniture", furniture[0])
            add("odl furniture", furniture[1])
            add("ours seconds", ours_seconds)
            add("odl seconds", odl_seconds)
            add("plumber seconds", plumber_seconds)
    pages = totals["pages"]
    documents = len(paths)
    print(
        f"\nfields right (of {len(FIELDS) * documents}): ours {totals['ours']:.0f},"
        f" opendataloader-pdf through our recovery {totals['odl']:.0f}"
    )
    print(
        f"opendataloader-pdf with --use-struct-tree: fields {totals['odl tags']:.0f}, tables"
        f" {totals['odl tags tables']:.0f}, headings {totals['odl tags headings']:.0f},"
        f" furniture {totals['odl tags furniture']:.0f}"
    )
    print(
        f"tables read by eye ({totals['tables']:.0f}): ours {totals['ours tables']:.0f}"
        f" (header rows right too), opendataloader-pdf {totals['odl tables']:.0f}"
        f" ({totals['odl tables head']:.0f} with header rows), pdfplumber"
        f" {totals['plumber tables']:.0f}; tables found in all: ours"
        f" {totals['ours tables found']:.0f}, opendataloader-pdf {totals['odl tables found']:.0f},"
        f" pdfplumber {totals['plumber tables found']:.0f}"
    )
    print(
        f"headings read by eye found ({totals['headings wanted']:.0f}): ours"
        f" {totals['ours headings']:.0f}, opendataloader-pdf {totals['odl headings']:.0f}"
    )
    print(
        f"running headers and footers all set aside (documents of {documents}): ours"
        f" {totals['ours furniture']:.0f}, opendataloader-pdf {totals['odl furniture']:.0f}"
    )
    print(
        f"ms per page over {pages:.0f} pages: ours {1000 * totals['ours seconds'] / pages:.1f},"
        f" opendataloader-pdf {1000 * totals['odl seconds'] / pages:.0f} (one JVM per document),"
        f" {1000 * batch / pages:.0f} (one JVM for all), pdfplumber table finder alone"
        f" {1000 * totals['plumber seconds'] / pages:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
