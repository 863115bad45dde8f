"""Cold start: one new `convert SOURCE --to FORMAT` process per conversion against pandoc on
the same file, side by side in one run (medians of interleaved runs, wall and CPU time).

    .venv/bin/python bench/bench_cold_start.py [--rounds 7] [--before ../wt-base]
        [--formats epub,docx,html,xml] [--source FILE]

--before names another checkout of converter (with its own .venv, as scripts/setup.sh makes
it) to run beside this one: the "before" of a change, measured in the same run.  Both
checkouts' modules are byte-compiled first, as an installed package's are, so that neither
pays for compiling its own source.  The ratio is of CPU time (user + system of the process
and its children): on a shared, loaded machine wall time mostly measures the queue.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from timing import Series, Timing, interleaved, load, run_child

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
PANDOC = "/usr/bin/pandoc"

# The pandoc command that does the nearest thing, the text read as Markdown: --to xml has no
# pandoc twin, so it stands beside pandoc's HTML fragment (its reader and a writer).
PANDOC_ARGUMENTS = {
    "epub": ["-t", "epub3", "--metadata", "title=Report"],
    "docx": ["-t", "docx"],
    "html": ["-t", "html5", "-s", "--metadata", "title=Report"],
    "xml": ["-t", "html"],
}
EXTENSIONS = {"epub": "epub", "docx": "docx", "html": "html", "xml": "xml"}


def python_of(checkout: Path) -> str:
    return str(checkout / ".venv" / "bin" / "python")


def byte_compile(checkout: Path) -> None:
    subprocess.run(
        [python_of(checkout), "-m", "compileall", "-q", "converter"], cwd=checkout, check=True
    )


def ours(checkout: Path, source: Path, fmt: str, out: Path) -> Callable[[], Timing]:
    command = [python_of(checkout), "-m", "converter", str(source), "--to", fmt, "-o", str(out)]
    return lambda: run_child(command, cwd=checkout)


def importing(checkout: Path) -> Callable[[], Timing]:
    command = [python_of(checkout), "-c", "import converter"]
    return lambda: run_child(command, cwd=checkout)


def pandoc(source: Path, fmt: str, out: Path) -> Callable[[], Timing]:
    command = [PANDOC, str(source), "-f", "markdown", *PANDOC_ARGUMENTS[fmt], "-o", str(out)]
    return lambda: run_child(command)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--before", type=Path, help="another checkout to measure beside this one")
    parser.add_argument("--formats", default="epub,docx,html,xml")
    parser.add_argument("--source", type=Path, default=SAMPLE)
    args = parser.parse_args()
    checkouts = {"after": REPO}
    if args.before is not None:
        checkouts = {"before": args.before.resolve(), "after": REPO}
    for checkout in checkouts.values():
        byte_compile(checkout)
    formats = args.formats.split(",")
    print(f"Cold start: {args.source.name}, median of {args.rounds} interleaved rounds")
    print(f"at start: {load()}")
    header = f"{'measure':28} {'wall s':>8} {'cpu s':>8} {'cpu / pandoc':>13}"
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        contestants: dict[str, Callable[[], Timing]] = {}
        for label, checkout in checkouts.items():
            contestants[f"import converter ({label})"] = importing(checkout)
        for fmt in formats:
            for label, checkout in checkouts.items():
                out = folder / f"{label}.{EXTENSIONS[fmt]}"
                contestants[f"--to {fmt} ({label})"] = ours(checkout, args.source, fmt, out)
            contestants[f"pandoc for {fmt}"] = pandoc(args.source, fmt, folder / f"p.{fmt}")
        series = interleaved(contestants, args.rounds)
    print(header)
    print("-" * len(header))
    for label, timings in series.items():
        reference = _pandoc_for(label, series)
        ratio = f"{timings.cpu / reference.cpu:13.2f}" if reference is not None else ""
        print(f"{label:28} {timings.wall:8.3f} {timings.cpu:8.3f} {ratio}")
    print(f"at end: {load()}")


def _pandoc_for(label: str, series: dict[str, Series]) -> Series | None:
    if not label.startswith("--to "):
        return None
    fmt = label.split()[1]
    return series[f"pandoc for {fmt}"]


if __name__ == "__main__":
    sys.exit(main())
