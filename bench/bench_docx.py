"""DOCX time for the sample against pandoc -t docx on the same text, cold and warm, in one run.

    .venv/bin/python bench/bench_docx.py [--repeat 10]

Cold: a new process per conversion (``python -m converter SAMPLE --to docx`` against
``pandoc -f markdown -t docx SAMPLE``), imports and start-up included.  Warm: ours in this
process after a first run (parse once, then the writer alone, and parse + write); pandoc has
no long-lived mode, so its warm figure is a repeated process with the file cache hot.
Medians of ``--repeat`` runs; the ratio column is ours divided by pandoc's.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from converter import Options, parse
from converter.writers import docx as docx_writer

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
PANDOC = shutil.which("pandoc") or "/usr/bin/pandoc"


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    if not Path(PANDOC).exists():
        sys.exit("pandoc is not installed (Debian package pandoc)")
    with tempfile.TemporaryDirectory() as folder:
        ours_out = Path(folder) / "ours.docx"
        pandoc_out = Path(folder) / "pandoc.docx"
        ours_cold = [
            sys.executable,
            "-m",
            "converter",
            str(SAMPLE),
            "--to",
            "docx",
            "-o",
            str(ours_out),
        ]
        pandoc_cmd = [PANDOC, "-f", "markdown", "-t", "docx", str(SAMPLE), "-o", str(pandoc_out)]
        run(ours_cold)  # warm the file cache for both before timing
        run(pandoc_cmd)
        cold_ours = median_seconds(lambda: run(ours_cold), args.repeat)
        cold_pandoc = median_seconds(lambda: run(pandoc_cmd), args.repeat)

        options = Options()
        root = parse(SAMPLE).getroot()
        docx_writer.write(root, options)  # first run: imports, reference document, caches
        warm_write = median_seconds(lambda: docx_writer.write(root, options), args.repeat)
        warm_both = median_seconds(
            lambda: docx_writer.write(parse(SAMPLE).getroot(), options), args.repeat
        )
        warm_pandoc = median_seconds(lambda: run(pandoc_cmd), args.repeat)
        sizes = (ours_out.stat().st_size, pandoc_out.stat().st_size)

    print(
        f"DOCX for {SAMPLE.name} ({SAMPLE.stat().st_size / 1024:.0f} KB), median of {args.repeat}"
    )
    print(f"{'case':42} {'converter':>10} {'pandoc':>10} {'ratio':>7}")
    rows = [
        ("cold process (start-up, parse, write)", cold_ours, cold_pandoc),
        ("warm: writer only (tree already parsed)", warm_write, warm_pandoc),
        ("warm: parse + write", warm_both, warm_pandoc),
    ]
    for name, ours, theirs in rows:
        print(f"{name:42} {ours:>9.3f}s {theirs:>9.3f}s {ours / theirs:>6.2f}x")
    print(f"{'output size':42} {sizes[0]:>9,}B {sizes[1]:>9,}B")


if __name__ == "__main__":
    main()
