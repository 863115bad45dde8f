"""Time of each `convert check` check on the sample's outputs, every format.

    .venv/bin/python bench/bench_check.py

Renders the sample once into a temporary folder, then runs converter.check on each output
twice (the first run pays for starting Java or Chromium) and prints every check's status
and seconds.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from converter import Options, convert, formats
from converter.check import check_file

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ofsted-ilacs-warwickshire-2021.txt"


def main() -> None:
    options = Options(trace=True)
    with tempfile.TemporaryDirectory() as folder:
        outputs = convert(SAMPLE, formats(), options, Path(folder))
        print(f"{'output':34} {'check':28} {'status':8} {'first s':>8} {'again s':>8}")
        failed = False
        for output in outputs:
            assert output.path is not None
            if output.path.name.endswith(".trace.json"):
                continue
            started = time.perf_counter()
            first = check_file(output.path, options)
            first_total = time.perf_counter() - started
            started = time.perf_counter()
            again = check_file(output.path, options)
            again_total = time.perf_counter() - started
            for result_first, result_again in zip(first.results, again.results, strict=True):
                print(
                    f"{output.path.name:34} {result_first.name:28} {result_first.status:8} "
                    f"{result_first.seconds:8.2f} {result_again.seconds:8.2f}"
                )
            print(
                f"{output.path.name:34} {'(all checks, wall clock)':28} {'':8} {first_total:8.2f} {again_total:8.2f}"
            )
            failed = failed or not first.passed
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
