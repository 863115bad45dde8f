"""Parse time per page of structure recovery over the corpus, text and PDF readers.

    python bench/bench_recovery.py                  # this checkout
    PYTHONPATH=/path/to/other/checkout python bench/bench_recovery.py --label before

Measures `converter.readers.read` (decode or text layer, recovery, schema validation) on
every corpus text and PDF: the median of three runs per document, divided by its pages.
Run it from an older checkout (on PYTHONPATH) and this one to compare before and after.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from converter.readers import read

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
RUNS = 3


def per_page(path: Path) -> tuple[float, int]:
    data = path.read_bytes()
    times = []
    pages = 1
    for _ in range(RUNS):
        started = time.perf_counter()
        root = read(data, name=path.name)
        times.append(time.perf_counter() - started)
        source = root.find("meta/source")
        pages = int(source.get("pages", "1") or 1) if source is not None else 1
    return statistics.median(times), pages


def main() -> int:
    label = sys.argv[sys.argv.index("--label") + 1] if "--label" in sys.argv else "this checkout"
    if not CORPUS.is_dir():
        print(f"{CORPUS} is absent: nothing to measure")
        return 0
    import converter

    print(f"{label}: converter from {Path(converter.__file__).parent}")
    print(f"{'document':44}{'pages':>6}{'text ms/page':>14}{'pdf ms/page':>13}")
    totals = {"txt": [0.0, 0], "pdf": [0.0, 0]}
    for text in sorted(CORPUS.glob("*.txt")):
        stem = text.name.split(".")[0]
        pdf = CORPUS / f"{stem}.pdf"
        text_seconds, pages = per_page(text)
        pdf_seconds, pdf_pages = per_page(pdf) if pdf.exists() else (0.0, 1)
        totals["txt"][0] += text_seconds
        totals["txt"][1] += pages
        totals["pdf"][0] += pdf_seconds
        totals["pdf"][1] += pdf_pages
        print(
            f"{stem[:44]:44}{pages:6d}{1000 * text_seconds / pages:14.1f}"
            f"{1000 * pdf_seconds / pdf_pages:13.1f}"
        )
    text_rate = 1000 * totals["txt"][0] / totals["txt"][1]
    pdf_rate = 1000 * totals["pdf"][0] / totals["pdf"][1]
    print(
        f"{'all (' + str(totals['txt'][1]) + ' pages)':44}{'':6}{text_rate:14.1f}{pdf_rate:13.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
