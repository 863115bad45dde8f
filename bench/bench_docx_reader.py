"""DOCX reading time for a 50-page Word document against pandoc -f docx -t html on the same
file, cold and warm, side by side in one run.

    .venv/bin/python bench/bench_docx_reader.py [--pages 50] [--repeat 5]

The document is made with python-docx (tests/support/word.py: headings, numbered
paragraphs typed by hand, bullets, a table a page, a page break after each part); its
printed length is LibreOffice's page count of it.  A second row reads our own DOCX copy of
the sample.  Cold: a new process per read (``python -m converter FILE --to xml`` against
``pandoc -f docx -t html``), start-up included.  Warm: ours in this process after a first
read (the reader alone); pandoc has no long-lived mode, so its warm figure is a repeated
process with the file cache hot.  Medians of ``--repeat`` runs; the ratio is ours divided
by pandoc's.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.word import long_docx  # noqa: E402  (tests/support, on the path above)

from converter import Options, api, readers  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
PANDOC = shutil.which("pandoc") or "/usr/bin/pandoc"
SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True)


def printed_pages(path: Path, folder: Path) -> int:
    """The document's length as LibreOffice lays it out (its PDF's page count)."""
    run(
        [
            SOFFICE,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(path),
        ]
    )
    info = subprocess.run(
        ["pdfinfo", str(folder / f"{path.stem}.pdf")], check=True, capture_output=True, text=True
    ).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def measure(path: Path, repeat: int) -> tuple[float, float, float, float]:
    ours_cold = [sys.executable, "-m", "converter", str(path), "--to", "xml", "-o", "-"]
    pandoc = [PANDOC, "-f", "docx", "-t", "html", str(path), "-o", "/dev/null"]
    run(ours_cold)  # warm the file cache for both before timing
    run(pandoc)
    cold_ours = median_seconds(lambda: run(ours_cold), repeat)
    cold_pandoc = median_seconds(lambda: run(pandoc), repeat)
    data = path.read_bytes()
    readers.read(data, name=path.name)  # first run: imports and caches
    warm_ours = median_seconds(lambda: readers.read(data, name=path.name), repeat)
    warm_pandoc = median_seconds(lambda: run(pandoc), repeat)
    return cold_ours, cold_pandoc, warm_ours, warm_pandoc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not Path(PANDOC).exists():
        sys.exit("pandoc is not installed (Debian package pandoc)")
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        long = folder / "long-report.docx"
        long.write_bytes(long_docx(args.pages))
        pages = printed_pages(long, folder)
        copy = folder / "sample-copy.docx"
        copy.write_bytes(api.convert(SAMPLE, ["docx"], Options(), out=None)[0].data or b"")
        rows = [
            (f"{long.name} ({pages} pages, {long.stat().st_size // 1024} KB)", long),
            (f"our DOCX copy of the sample ({copy.stat().st_size // 1024} KB)", copy),
        ]
        print(f"DOCX reading, median of {args.repeat}; ratio = converter / pandoc")
        print(f"{'document / case':58} {'converter':>10} {'pandoc':>10} {'ratio':>7}")
        for label, path in rows:
            cold_ours, cold_pandoc, warm_ours, warm_pandoc = measure(path, args.repeat)
            print(label)
            for case, ours, theirs in (
                ("  cold process (start-up, read, write XML / HTML)", cold_ours, cold_pandoc),
                ("  warm: the reader alone (pandoc: a process again)", warm_ours, warm_pandoc),
            ):
                print(f"{case:58} {ours:>9.3f}s {theirs:>9.3f}s {ours / theirs:>6.2f}x")


if __name__ == "__main__":
    main()
