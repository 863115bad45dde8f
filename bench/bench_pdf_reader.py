"""PDF reading time per page: our reader (text layer, and the whole tree) against pdftotext."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from converter.readers import pdf

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PDFTOTEXT = "/usr/bin/pdftotext"
RUNS = 5


def median_seconds(run: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    paths = sorted(CORPUS.glob("*.pdf")) if CORPUS.is_dir() else []
    paths += [Path(p) for p in sys.argv[1:]]
    if not paths:
        print(f"{CORPUS} is absent and no PDF was named: nothing to time")
        return 0
    pdf.read(paths[0].read_bytes(), name=paths[0].name)  # warm imports and caches
    print(f"median of {RUNS} runs, milliseconds per page")
    print(
        f"{'document':42}{'pages':>6}{'pdftotext':>11}{'lines':>9}{'ratio':>7}{'tree':>9}{'ratio':>7}"
    )
    totals = [0.0, 0.0, 0.0]
    pages_total = 0
    for path in paths:
        data = path.read_bytes()
        layouts, info = pdf.extract(data, name=path.name)
        pages = info.pages
        command = [PDFTOTEXT, "-enc", "UTF-8", str(path), "-"]
        reference = median_seconds(
            lambda c=command: subprocess.run(c, capture_output=True, check=True)  # type: ignore[misc]
        )
        lines = median_seconds(
            lambda d=data, n=path.name: pdf.source_lines(pdf.extract(d, name=n)[0])  # type: ignore[misc]
        )
        tree = median_seconds(lambda d=data, n=path.name: pdf.read(d, name=n))  # type: ignore[misc]
        for i, value in enumerate((reference, lines, tree)):
            totals[i] += value
        pages_total += pages
        per = [1000 * v / pages for v in (reference, lines, tree)]
        print(
            f"{path.stem[:41]:42}{pages:>6}{per[0]:>11.1f}{per[1]:>9.1f}{per[1] / per[0]:>7.2f}"
            f"{per[2]:>9.1f}{per[2] / per[0]:>7.2f}"
        )
    per = [1000 * v / pages_total for v in totals]
    print(
        f"{'all':42}{pages_total:>6}{per[0]:>11.1f}{per[1]:>9.1f}{per[1] / per[0]:>7.2f}"
        f"{per[2]:>9.1f}{per[2] / per[0]:>7.2f}"
    )
    print("lines: text layer to numbered lines (pdf.extract + source_lines); tree: pdf.read")
    print("(lines plus structure recovery); pdftotext: a process per file, start-up included.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
