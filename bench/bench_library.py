"""A document library in batch: an unchanged re-run against the full run, Dask against the local
pool, and throughput per format on 2 workers; optionally beside another checkout (--before).

    .venv/bin/python bench/bench_library.py [--parts rerun,dask,throughput] [--before ../base]
        [--documents 500] [--rerun-formats xml,html,epub,docx,brf,pef]
        [--dask-documents 40] [--dask-formats epub,docx] [--throughput-documents 24] [--rounds 3]

rerun: a full run of ``--documents`` invented documents (2 pool workers), then unchanged
re-runs, in this process (the batch's own cost) and as a `convert LIBRARY --to ...` process
(what a user waits for: start-up included).  dask: ``--dask-documents`` x ``--dask-formats``
on the local pool (2 workers, started by the run) and on a Dask cluster of 2 single-threaded
workers on loopback started for each round (its start-up reported apart; the client's
connection counted with the Dask run).  throughput: documents per second for each format
alone on 2 pool workers.  Each part runs in a fresh interpreter of each checkout, the
checkouts taking turns round by round.  Figures are wall time (the load is printed beside
them) and, where the work is in this process, its CPU time.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from timing import load, run_child, tree_cpu

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"


# -- in the child: one part, one checkout -------------------------------------------------


def _batch(library: Path, out: Path, formats: list[str], **kwargs: Any) -> tuple[Any, float, float]:
    from converter.batch.progress import Progress
    from converter.batch.run import run_batch
    from converter.options import Options

    started, cpu = time.perf_counter(), time.process_time()
    report = run_batch(
        [library], formats, Options(), out, progress=Progress(io.StringIO(), tty=False), **kwargs
    )
    return report, time.perf_counter() - started, time.process_time() - cpu


def child_rerun(args: argparse.Namespace) -> dict[str, Any]:
    formats = args.rerun_formats.split(",")
    out = args.work / "out"
    report, full, _ = _batch(args.library, out, formats, jobs=2)
    assert report.counts()["converted"] == args.documents * len(formats), report.counts()
    walls, cpus, cli_walls, cli_cpus = [], [], [], []
    command = [sys.executable, "-m", "converter", str(args.library), "--to", ",".join(formats)]
    for _ in range(args.rounds):
        again, wall, cpu = _batch(args.library, out, formats, jobs=2)
        assert again.counts()["skipped"] == args.documents * len(formats), again.counts()
        walls.append(wall)
        cpus.append(cpu)
        timing = run_child([*command, "-o", str(out)])
        cli_walls.append(timing.wall)
        cli_cpus.append(timing.cpu)
    return {
        "full": full,
        "rerun": statistics.median(walls),
        "rerun_cpu": statistics.median(cpus),
        "cli": statistics.median(cli_walls),
        "cli_cpu": statistics.median(cli_cpus),
        "load": load(),
    }


def child_dask(args: argparse.Namespace) -> dict[str, Any]:
    from dask_cluster import dask_cluster

    from converter.batch.executors import DaskExecutor

    assert "distributed" not in sys.modules  # its import is part of the client's start-up

    formats = args.dask_formats.split(",")
    expected = args.dask_documents * len(formats)
    report, pool, _ = _batch(args.library, args.work / "pool", formats, jobs=2, force=True)
    assert report.counts()["converted"] == expected, report.counts()
    # The client's start-up: importing Dask's client (not yet imported here) and connecting.
    started = time.perf_counter()
    import distributed  # noqa: F401

    client_import = time.perf_counter() - started
    started = time.perf_counter()
    with dask_cluster(args.work, 2) as (address, _):
        cluster = time.perf_counter() - started
        started = time.perf_counter()
        executor = DaskExecutor(address)
        client = client_import + time.perf_counter() - started
        report, batch, _ = _batch(
            args.library, args.work / "dask", formats, force=True, executor=executor
        )
        assert report.counts()["converted"] == expected, report.counts()
    return {"pool": pool, "cluster": cluster, "client": client, "dask": batch, "load": load()}


def child_throughput(args: argparse.Namespace) -> dict[str, Any]:
    from converter import writers

    rates: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for fmt in writers.parse_format_list("all"):
        before = tree_cpu(os.getpid())  # this process, its pool and the workers it reaped
        report, wall, _ = _batch(args.library, args.work / fmt, [fmt], jobs=2, force=True)
        assert report.counts()["converted"] == args.throughput_documents, report.counts()
        rates[fmt] = args.throughput_documents / wall
        cpu[fmt] = (tree_cpu(os.getpid()) - before) / args.throughput_documents
    return {"rates": rates, "cpu": cpu, "load": load()}


CHILDREN = {"rerun": child_rerun, "dask": child_dask, "throughput": child_throughput}


# -- in the parent: libraries, turns, tables ----------------------------------------------


def library_for(part: str, args: argparse.Namespace, folder: Path) -> tuple[Path, int]:
    from support.synthetic import write_library

    count = {
        "rerun": args.documents,
        "dask": args.dask_documents,
        "throughput": args.throughput_documents,
    }[part]
    library = folder / f"library-{part}"
    if not library.exists():
        write_library(library, count, broken=False, sections=(1, 2, 3, 5))
    return library, count


def run_part(part: str, checkout: Path, library: Path, work: Path, args: argparse.Namespace) -> Any:
    work.mkdir(parents=True)
    command = [
        str(checkout / ".venv" / "bin" / "python"),
        str(Path(__file__).resolve()),
        "--child",
        part,
        "--library",
        str(library),
        "--work",
        str(work),
    ]
    for name in ("documents", "dask_documents", "throughput_documents", "rounds"):
        command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    command += ["--rerun-formats", args.rerun_formats, "--dask-formats", args.dask_formats]
    result = subprocess.run(command, capture_output=True, text=True, cwd=checkout)
    if result.returncode != 0:
        raise SystemExit(f"{part} in {checkout} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="rerun,dask,throughput")
    parser.add_argument("--before", type=Path)
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--rerun-formats", default="xml,html,epub,docx,brf,pef")
    parser.add_argument("--dask-documents", type=int, default=40)
    parser.add_argument("--dask-formats", default="epub,docx")
    parser.add_argument("--throughput-documents", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--library", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(TESTS))  # tests/support and tests/dask_cluster.py
    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return
    checkouts = {"after": REPO}
    if args.before is not None:
        checkouts = {"before": args.before.resolve(), "after": REPO}
    print(f"Library benchmark; at start: {load()}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for part in args.parts.split(","):
            library, count = library_for(part, args, folder)
            rounds = 1 if part == "rerun" else args.rounds  # the re-run repeats inside
            results: dict[str, list[Any]] = {label: [] for label in checkouts}
            for round_ in range(rounds):
                for label, checkout in checkouts.items():
                    work = folder / f"{part}-{label}-{round_}"
                    results[label].append(run_part(part, checkout, library, work, args))
            REPORTS[part](results, count, args)
    print(f"at end: {load()}")


def report_rerun(results: dict[str, list[Any]], count: int, args: argparse.Namespace) -> None:
    formats = args.rerun_formats
    print(f"\nunchanged re-run, {count} documents x {formats} (2 pool workers)")
    print(f"{'':8} {'full s':>8} {'re-run s':>9} {'cpu s':>7} {'% of full':>9}", end="")
    print(f" {'CLI re-run s':>12} {'cpu s':>7} {'% of full':>9}  load")
    for label, [result] in results.items():
        print(
            f"{label:8} {result['full']:8.1f} {result['rerun']:9.3f} {result['rerun_cpu']:7.3f} "
            f"{result['rerun'] / result['full'] * 100:8.2f}% {result['cli']:12.3f} "
            f"{result['cli_cpu']:7.3f} {result['cli'] / result['full'] * 100:8.2f}%  "
            f"{result['load']}"
        )


def report_dask(results: dict[str, list[Any]], count: int, args: argparse.Namespace) -> None:
    print(
        f"\nDask against the local pool, {count} documents x {args.dask_formats}, 2 workers, "
        f"median of {args.rounds} rounds (s)"
    )
    print(
        f"{'':8} {'pool':>7} {'dask':>7} {'client':>7} {'dask+client / pool':>19} "
        f"{'cluster start (apart)':>22}"
    )
    for label, rounds in results.items():
        pool = statistics.median(r["pool"] for r in rounds)
        dask = statistics.median(r["dask"] for r in rounds)
        client = statistics.median(r["client"] for r in rounds)
        cluster = statistics.median(r["cluster"] for r in rounds)
        ratios = [(r["dask"] + r["client"]) / r["pool"] for r in rounds]
        print(
            f"{label:8} {pool:7.2f} {dask:7.2f} {client:7.2f} "
            f"{statistics.median(ratios):18.2f}x {cluster:22.2f}"
        )
        for result in rounds:
            print(f"{'':8} round: {json.dumps(result)}")


def report_throughput(results: dict[str, list[Any]], count: int, args: argparse.Namespace) -> None:
    print(
        f"\nthroughput, {count} documents per format, 2 pool workers (documents/s, median "
        f"of {args.rounds} rounds; the pool's start-up included)"
    )
    labels = list(results)
    formats = list(results[labels[0]][0]["rates"])
    print(
        f"{'format':8} "
        + " ".join(f"{label + ' docs/s':>14}" for label in labels)
        + " "
        + " ".join(f"{label + ' CPU s/doc':>17}" for label in labels)
    )
    for fmt in formats:
        rates = [statistics.median(r["rates"][fmt] for r in results[label]) for label in labels]
        cpus = [statistics.median(r["cpu"][fmt] for r in results[label]) for label in labels]
        print(
            f"{fmt:8} "
            + " ".join(f"{rate:14.2f}" for rate in rates)
            + " "
            + " ".join(f"{cpu:17.3f}" for cpu in cpus)
        )
    for label in labels:
        print(f"{label}: loads {[r['load'] for r in results[label]]}")


REPORTS = {"rerun": report_rerun, "dask": report_dask, "throughput": report_throughput}


if __name__ == "__main__":
    main()
