"""Parse time of the sample, 10x and 100x longer documents built from it, and cold process time
of `convert sample --to xml` beside `pandoc -f markdown -t html` on the same file."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from converter.readers import read

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"


def best_of(runs: int, action: object) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return min(timings)


def scaled(data: bytes, times: int) -> bytes:
    """The sample repeated, each copy on its own print page (a form feed between)."""
    return b"\f".join([data] * times)


def main() -> int:
    data = SAMPLE.read_bytes()
    print(f"{'document':24}{'KB':>9}{'parse s':>10}{'ms per KB':>11}")
    per_kb = []
    for times in (1, 10, 100):
        source = scaled(data, times)
        runs = 5 if times < 100 else 2
        seconds = best_of(runs, lambda source=source: read(source, name="bench.txt"))
        kb = len(source) / 1024
        per_kb.append(seconds * 1000 / kb)
        print(f"{'sample x' + str(times):24}{kb:9.0f}{seconds:10.3f}{per_kb[-1]:11.3f}")
    print(
        f"per-KB cost ratio 10x/1x {per_kb[1] / per_kb[0]:.2f}, 100x/1x {per_kb[2] / per_kb[0]:.2f} (1.0 = linear)"
    )

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        convert = [sys.executable, "-m", "converter", str(SAMPLE), "--to", "xml", "-o", f"{out}/"]
        ours = best_of(3, lambda: subprocess.run(convert, check=True, capture_output=True))
        print(f"\ncold process, best of 3:\n  convert sample --to xml        {ours:.3f} s")
        pandoc = shutil.which("pandoc")
        if pandoc:
            command = [
                pandoc,
                "-f",
                "markdown",
                "-t",
                "html",
                str(SAMPLE),
                "-o",
                str(out / "sample.html"),
            ]
            theirs = best_of(3, lambda: subprocess.run(command, check=True, capture_output=True))
            print(f"  pandoc -f markdown -t html     {theirs:.3f} s")
        else:
            print("  pandoc not installed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
