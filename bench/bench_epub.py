"""EPUB speed: converter's epub writer against `pandoc -t epub3` on the same texts, side by side.

Cold: one new process per conversion (interpreter start, imports, read, write) for both.
Warm: many documents in one converter process (imports paid once); pandoc has no
long-lived mode here, so its warm figure is its per-process time over the same documents.

    .venv/bin/python bench/bench_epub.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
CORPUS = REPO.parent / "shared" / "corpus"
PANDOC = "/usr/bin/pandoc"


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def converter_cold(source: Path, out: Path) -> float:
    return timed([sys.executable, "-m", "converter", str(source), "--to", "epub", "-o", str(out)])


def pandoc_cold(source: Path, out: Path) -> float:
    # The text read as Markdown, the closest pandoc reader; a title so pandoc does not warn.
    return timed(
        [
            PANDOC,
            str(source),
            "-f",
            "markdown",
            "-t",
            "epub3",
            "--metadata",
            f"title={source.stem}",
            "-o",
            str(out),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    documents = [SAMPLE, *sorted(CORPUS.glob("*.txt"))] if CORPUS.is_dir() else [SAMPLE]

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        converter_cold(SAMPLE, out / "warm-up.epub")  # page cache, .pyc files
        ours = [converter_cold(SAMPLE, out / "c.epub") for _ in range(args.repeat)]
        theirs = [pandoc_cold(SAMPLE, out / "p.epub") for _ in range(args.repeat)]
        our_size = (out / "c.epub").stat().st_size
        their_size = (out / "p.epub").stat().st_size
        pandoc_docs = [min(pandoc_cold(d, out / "p.epub") for _ in range(2)) for d in documents]

    # Warm: one process, imports paid once, every document parsed and written in turn.
    from converter import Options, parse
    from converter.writers import epub

    options = Options()
    trees = {d: parse(d).getroot() for d in documents}
    for tree in trees.values():  # warm caches (schema, stylesheet, profiles)
        epub.write(tree, options)
    write_only: list[float] = []
    parse_and_write: list[float] = []
    for _ in range(args.repeat):
        for document in documents:
            started = time.perf_counter()
            epub.write(trees[document], options)
            write_only.append(time.perf_counter() - started)
            started = time.perf_counter()
            epub.write(parse(document).getroot(), options)
            parse_and_write.append(time.perf_counter() - started)

    sample_write = []
    for _ in range(args.repeat * 4):
        started = time.perf_counter()
        epub.write(trees[SAMPLE], options)
        sample_write.append(time.perf_counter() - started)

    median = statistics.median
    print(f"EPUB benchmark: {SAMPLE.name}, {len(documents)} documents warm, repeat {args.repeat}")
    print(f"{'measure':58} {'converter':>10} {'pandoc':>10} {'ratio':>7}")
    rows = [
        ("sample, cold process (median s)", median(ours), median(theirs)),
        (
            "sample, warm in-process write (median s)",
            median(sample_write),
            median(theirs),
        ),
        (
            f"{len(documents)} documents, warm parse+write per doc (mean s)",
            statistics.mean(parse_and_write),
            statistics.mean(pandoc_docs),
        ),
        (
            f"{len(documents)} documents, warm write only per doc (mean s)",
            statistics.mean(write_only),
            statistics.mean(pandoc_docs),
        ),
    ]
    for label, mine, reference in rows:
        print(f"{label:58} {mine:10.3f} {reference:10.3f} {mine / reference:7.2f}")
    print(f"{'sample EPUB size (bytes)':58} {our_size:10d} {their_size:10d}")
    print("pandoc has no warm mode: its warm column is its cold per-process time.")


if __name__ == "__main__":
    main()
