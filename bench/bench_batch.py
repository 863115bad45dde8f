"""Batch throughput: 1 against 2 pool workers, the local pool against Dask on this machine,
an unchanged re-run against a full run; and the whole ../shared/corpus when it is present.

    .venv/bin/python bench/bench_batch.py [--documents 500] [--sample 48]

Sizes keep the run near ten minutes on two cores: the throughput rows convert ``--sample``
invented documents to every registered format (PDF costs about 1 s a document); the
full-run/re-run rows use the whole ``--documents`` library with every format but the two
slowest (pdf, summary), since a re-run's cost does not depend on the formats' cost.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from dask_cluster import dask_cluster  # noqa: E402  (the tests' loopback cluster)
from support.synthetic import write_library  # noqa: E402  (tests/support, on the path above)

from converter import writers
from converter.batch.progress import Progress
from converter.batch.run import BatchReport, run_batch
from converter.options import Options

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def timed(
    library: Path, out: Path, formats: list[str], **kwargs: object
) -> tuple[BatchReport, float]:
    started = time.perf_counter()
    report = run_batch(
        [library],
        formats,
        Options(),
        out,
        progress=Progress(io.StringIO(), tty=False),
        **kwargs,  # type: ignore[arg-type]
    )
    return report, time.perf_counter() - started


def row(label: str, report: BatchReport, seconds: float, documents: int, note: str = "") -> float:
    counts = report.counts()
    rate = documents / seconds
    print(
        f"{label:34} {documents:5d} {counts['converted']:7d} {counts['skipped']:7d} "
        f"{counts['failed']:6d} {seconds:8.1f} {rate:7.2f}  {note}"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--sample", type=int, default=48)
    parser.add_argument("--rerun-formats", default="xml,html,epub,docx,brf,pef")
    args = parser.parse_args()
    every = writers.formats()
    cheap = writers.parse_format_list(args.rerun_formats)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"cores: {os.cpu_count()}; load average at start: {load}; every format: {','.join(every)}"
    )
    print(
        f"{'run':34} {'docs':>5} {'outputs':>7} {'skipped':>7} {'failed':>6} {'seconds':>8} {'docs/s':>7}"
    )
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        sample = work / "sample"
        write_library(sample, args.sample, broken=False)
        one, seconds = timed(sample, work / "pool1", every, jobs=1)
        rate_1 = row("pool, 1 worker, every format", one, seconds, args.sample)
        two, seconds = timed(sample, work / "pool2", every, jobs=2)
        rate_2 = args.sample / seconds
        row(
            "pool, 2 workers, every format",
            two,
            seconds,
            args.sample,
            f"scaling x{rate_2 / rate_1:.2f}",
        )
        with dask_cluster(work, 2) as (address, _):
            dask, seconds = timed(sample, work / "dask2", every, scheduler=address)
            row(
                "dask, 2 workers, every format",
                dask,
                seconds,
                args.sample,
                f"x{(args.sample / seconds) / rate_2:.2f} of the pool",
            )
        library = work / "library"
        write_library(library, args.documents, broken=False)
        full, full_seconds = timed(library, work / "full", cheap, jobs=2)
        row(f"pool 2, full run ({len(cheap)} formats)", full, full_seconds, args.documents)
        again, again_seconds = timed(library, work / "full", cheap, jobs=2)
        row(
            "pool 2, unchanged re-run",
            again,
            again_seconds,
            args.documents,
            f"{again_seconds / full_seconds * 100:.1f}% of the full run",
        )
        print(f"load average now: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
        texts = (
            sorted(CORPUS.glob("*.txt")) + sorted(CORPUS.glob("*.pdf")) if CORPUS.is_dir() else []
        )
        if not texts:
            print("corpus: ../shared/corpus is absent; skipped")
            return
        corpus = work / "corpus"
        corpus.mkdir()
        for path in texts:  # copies: links out of a library are refused by design
            shutil.copy(
                path, corpus / (path.stem.replace(".", "-") + "-" + path.suffix[1:] + path.suffix)
            )
        report, seconds = timed(corpus, work / "corpus-out", every, jobs=2)
        failures = [r.error for r in report.records if r.status == "failed"]
        row(
            "corpus, pool 2, every format",
            report,
            seconds,
            len(texts),
            f"{len(texts)} sources (.txt and .pdf)",
        )
        for error in failures:
            print(f"  failed: {error}")


if __name__ == "__main__":
    main()
