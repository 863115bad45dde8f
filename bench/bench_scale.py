"""A whole library at scale: N invented reports to every format with --check on 2 pool workers
(recycled as in production), with the time per document and per format, the validators'
share, and the memory of each worker and of the validators it keeps running, document by
document: the 50th and the last within 10% of each other.

    .venv/bin/python bench/bench_scale.py [--documents 500] [--formats all] [--jobs 2]
        [--sections 2,3] [--save rows.jsonl]
    .venv/bin/python bench/bench_scale.py --report rows.jsonl

Prints a line every 25 documents (a long run can be followed, and cut short), then the
tables.  --save writes each document's row as it finishes (a run cut short keeps what it
did); --report makes the tables from such a file.  Times are wall seconds inside the
workers (the load is printed beside them); the validators' share is the checks' seconds
over the tasks' seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from timing import load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.synthetic import write_library  # noqa: E402  (tests/support: a test helper)

from converter import writers  # noqa: E402
from converter.batch.executors import PoolExecutor  # noqa: E402
from converter.batch.task import OutputRecord, Task, TaskResult, convert_task  # noqa: E402
from converter.options import Options  # noqa: E402

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class Measured:
    """A task's result and the memory of its worker and of the validators it runs."""

    result: TaskResult
    worker_rss_kb: int  # now
    worker_peak_kb: int  # ru_maxrss so far
    validators_rss_kb: int  # every process the worker started that is still running


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as stream:
            return int(stream.read().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stream:
                parent = int(stream.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children[parent].append(int(entry))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def measured_task(task: Task) -> Measured:
    """Runs in the worker: the task, then the memory of this process and its validators."""
    result = convert_task(task)
    me = os.getpid()
    return Measured(
        result,
        _rss_kb(me),
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        sum(_rss_kb(pid) for pid in _descendants(me)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--formats", default="all")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sections", default="2,3")
    parser.add_argument("--save", type=Path)
    parser.add_argument("--report", type=Path, help="the tables of a --save file, and stop")
    args = parser.parse_args()
    if args.report:
        lines = args.report.read_text().splitlines()
        rows = [row_from_json(json.loads(line)) for line in lines if line.strip()]
        formats = [output.format for output in rows[0].result.outputs]
        report(rows, formats, sum(r.result.seconds for r in rows) / args.jobs, args)
        return
    formats = writers.parse_format_list(args.formats)
    sections = tuple(int(n) for n in args.sections.split(","))
    print(
        f"{args.documents} documents x {','.join(formats)}, --check, {args.jobs} workers; "
        f"at start: {load()}",
        flush=True,
    )
    rows: list[Measured] = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        good = write_library(folder / "lib", args.documents, broken=False, sections=sections)
        out = folder / "out"
        options = Options(check=True)
        tasks = [
            Task(
                str(path),
                tuple((fmt, str(out / f"{index}.{writers.get(fmt).extension}")) for fmt in formats),
                options,
                key=str(index),
            )
            for index, path in enumerate(good)
        ]
        started = time.perf_counter()
        saved = open(args.save, "w") if args.save else None  # noqa: SIM115
        with PoolExecutor(args.jobs) as executor:
            for item in executor.run(tasks, measured_task):  # type: ignore[arg-type]
                if isinstance(item, TaskResult):  # lost with its worker: no memory measured
                    item = Measured(item, 0, 0, 0)  # type: ignore[unreachable]
                rows.append(item)  # type: ignore[arg-type]
                if saved is not None:
                    saved.write(json.dumps(row_json(item)) + "\n")  # type: ignore[arg-type]
                    saved.flush()
                if len(rows) % 25 == 0 or len(rows) == len(tasks):
                    print(
                        f"  {len(rows):4d} documents, {time.perf_counter() - started:7.0f} s; "
                        f"worker {item.worker_rss_kb / 1024:.0f} MB (peak "
                        f"{item.worker_peak_kb / 1024:.0f}), its validators "
                        f"{item.validators_rss_kb / 1024:.0f} MB; {load()}",
                        flush=True,
                    )
        seconds = time.perf_counter() - started
        if saved is not None:
            saved.close()
    report(rows, formats, seconds, args)


def row_json(row: Measured) -> dict[str, Any]:
    return {
        "key": row.result.key,
        "seconds": row.result.seconds,
        "worker": row.result.worker,
        "worker_rss_kb": row.worker_rss_kb,
        "worker_peak_kb": row.worker_peak_kb,
        "validators_rss_kb": row.validators_rss_kb,
        "load": load(),
        "outputs": [
            {"format": o.format, "status": o.status, "seconds": o.seconds, "check": o.check}
            for o in row.result.outputs
        ],
    }


def row_from_json(data: dict[str, Any]) -> Measured:
    result = TaskResult(data["key"], "", None, None, None, seconds=data["seconds"])
    result.worker = data["worker"]
    result.outputs = [
        OutputRecord(o["format"], None, o["status"], o["seconds"], check=o["check"])
        for o in data["outputs"]
    ]
    return Measured(
        result, data["worker_rss_kb"], data["worker_peak_kb"], data["validators_rss_kb"]
    )


def report(rows: list[Measured], formats: list[str], seconds: float, args: Any) -> None:
    results = [row.result for row in rows]
    failed = [o for r in results for o in r.outputs if o.status == "failed"]
    check_failed = [
        (o.format, o.check)
        for r in results
        for o in r.outputs
        if o.check and not o.check.get("passed")
    ]
    write: dict[str, list[float]] = defaultdict(list)
    check: dict[str, list[float]] = defaultdict(list)
    for result in results:
        for output in result.outputs:
            results_of = (output.check or {}).get("results") or []
            checked = sum(float(r.get("seconds", 0)) for r in results_of)  # type: ignore[union-attr]
            write[output.format].append(output.seconds)  # the record's time leaves out checks
            check[output.format].append(checked)
    per_document = [r.seconds for r in results]
    total_check = sum(sum(values) for values in check.values())
    total_task = sum(per_document)
    print(
        f"\n{len(results)} documents in {seconds:.0f} s ({len(results) / seconds:.2f}/s); "
        f"{len(failed)} outputs failed, {len(check_failed)} failed a check; at end: {load()}"
    )
    for fmt, detail in check_failed[:5]:
        print(f"  check failed: {fmt}: {json.dumps(detail)[:300]}")
    print(
        f"per document: median {statistics.median(per_document):.2f} s, mean "
        f"{statistics.mean(per_document):.2f} s (all formats, written and checked)"
    )
    print(f"validators' share of the tasks' time: {total_check / total_task * 100:.0f}%")
    print(f"{'format':8} {'write s/doc':>11} {'check s/doc':>11}")
    for fmt in formats:
        print(f"{fmt:8} {statistics.mean(write[fmt]):11.3f} {statistics.mean(check[fmt]):11.3f}")
    print("memory by document (in the order they finished; MB):")
    print(f"{'document':>9} {'worker RSS':>10} {'worker peak':>11} {'validators':>10}")
    marks = sorted({1, 10, 50, 100, 200, 300, 400, len(rows)})
    for mark in (m for m in marks if m <= len(rows)):
        row = rows[mark - 1]
        print(
            f"{mark:9d} {row.worker_rss_kb / 1024:10.0f} {row.worker_peak_kb / 1024:11.0f} "
            f"{row.validators_rss_kb / 1024:10.0f}"
        )
    peaks: dict[str, int] = defaultdict(int)
    for row in rows:
        peaks[row.result.worker] = max(peaks[row.result.worker], row.worker_peak_kb)
    print(
        f"peak RSS per worker process ({len(peaks)} over the run, recycled every 100 "
        f"documents): max {max(peaks.values()) / 1024:.0f} MB, median "
        f"{statistics.median(peaks.values()) / 1024:.0f} MB"
    )
    if len(rows) >= 50:
        for name, value in (
            ("worker peak", lambda r: r.worker_peak_kb),
            ("worker + validators", lambda r: r.worker_rss_kb + r.validators_rss_kb),
        ):
            at_50, at_end = value(rows[49]), value(rows[-1])
            growth = (at_end - at_50) / at_50 * 100
            verdict = "within 10%" if abs(growth) <= 10 else "NOT within 10%"
            print(
                f"{name}: document 50 {at_50 / 1024:.0f} MB, document {len(rows)} "
                f"{at_end / 1024:.0f} MB: {growth:+.1f}% ({verdict})"
            )


if __name__ == "__main__":
    main()
