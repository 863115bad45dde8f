"""Tables found by page geometry alone on every corpus PDF, tags ignored: a measure of
how often prose is taken for a table (each table is listed with its first rows to judge).

The tagged documents' tables are known from their tags, so geometry is not used on them
by the reader; read here as if untagged, their pages say what geometry would do to
documents like them that carry no tags.

Run: .venv/bin/python bench/pdf_tables_without_tags.py
"""

from __future__ import annotations

from pathlib import Path

from converter.readers import pdf, pdf_tables

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> int:
    paths = sorted(CORPUS.glob("*.pdf")) if CORPUS.is_dir() else []
    if not paths:
        print(f"{CORPUS} is absent: nothing to read")
        return 0
    found = pages = 0
    for path in paths:
        layouts, _ = pdf.extract(path.read_bytes(), name=path.name)
        running = pdf._running_lines(layouts)
        for layout in layouts:
            pages += 1
            body = [x for i, x in enumerate(layout.lines) if (layout.number, i) not in running]
            tables, _ = pdf_tables.find_tables(body, layout.rules)
            for table in tables:
                found += 1
                width = max(len(row.cells) for row in table.rows)
                rows = " || ".join(" | ".join(c[:16] for c in row.cells) for row in table.rows[:2])
                print(
                    f"{path.stem[:30]:31} p{layout.number:<3} {len(table.rows):>3}x{width:<3} {rows}"
                )
    print(f"{found} tables on {pages} pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
