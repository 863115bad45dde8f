"""Peak resident memory of one batch worker over a long run: its 50th against its 500th document.

One pool worker, never recycled (max_tasks_per_child=None), so that any growth per document
shows; each task reports its worker's ru_maxrss.  Pass: within 10% from the 50th to the last.

    .venv/bin/python bench/bench_batch_memory.py [--documents 500] [--formats pdf,html,epub,docx]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.synthetic import write_library  # noqa: E402  (tests/support: a test helper)

from converter import writers  # noqa: E402
from converter.batch.executors import PoolExecutor
from converter.batch.task import Task
from converter.options import Options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--formats", default="pdf,html,epub,docx")
    args = parser.parse_args()
    formats = writers.parse_format_list(args.formats)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        # Short documents (one or two sections) so that 500 of them fit in a few minutes.
        good = write_library(folder / "lib", args.documents, broken=False, sections=(1, 2))
        out = folder / "out"
        tasks = [
            Task(
                str(path),
                tuple((fmt, str(out / f"{index}.{writers.get(fmt).extension}")) for fmt in formats),
                Options(),
                key=str(index),
            )
            for index, path in enumerate(good)
        ]
        peaks: list[int] = []
        workers: set[str] = set()
        failed = 0
        started = time.perf_counter()
        with PoolExecutor(1, max_tasks_per_child=None) as executor:
            for result in executor.run(tasks):
                peaks.append(result.worker_peak_rss_kb)
                workers.add(result.worker)
                failed += result.failed
        seconds = time.perf_counter() - started
    print(
        f"formats: {','.join(formats)}; {len(tasks)} documents; one worker process "
        f"({len(workers)} seen), not recycled; {failed} failed; {seconds:.0f} s"
    )
    print(f"{'document':>9} {'worker peak RSS (MB)':>21}")
    for index in (1, 10, 50, 100, 200, 300, 400, len(peaks)):
        if index <= len(peaks):
            print(f"{index:9d} {peaks[index - 1] / 1024:21.1f}")
    at_50, at_end = peaks[min(50, len(peaks)) - 1], peaks[-1]
    growth = (at_end - at_50) / at_50 * 100
    verdict = "PASS" if growth <= 10 else "FAIL"
    print(f"growth from document 50 to {len(peaks)}: {growth:+.1f}% ({verdict}, limit 10%)")


if __name__ == "__main__":
    main()
