"""The one task every executor runs: convert one source to its formats (through the pipeline)
and return its result records, as plain data that pickles to a process or a Dask worker."""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from converter import pipeline
from converter.options import Options
from converter.pipeline import OutputRecord
from converter.version import __version__
from converter.writers.audio import narration

__all__ = ["OutputRecord", "Task", "TaskResult", "convert_task"]


@dataclass(frozen=True)
class Task:
    """What to convert: plain data, so it pickles to a process or a Dask worker."""

    source: str  # path of the source file, as the workers see it
    outputs: tuple[tuple[str, str], ...]  # (format, output path) in order
    options: Options
    source_format: str | None = None
    key: str = ""  # the caller's name for the task (the source's relative path in a batch)
    #: Where to put the tree, and write nothing else, when the structure review finds
    #: anything (the service's "needs review"); None converts whatever the review finds.
    hold_for_review: str | None = None


@dataclass
class TaskResult:
    key: str
    source: str
    source_sha256: str | None  # of the bytes actually converted
    source_size: int | None
    source_mtime_ns: int | None
    outputs: list[OutputRecord] = field(default_factory=list)
    error: str | None = None  # when the source itself failed (every output failed with it)
    deterministic: bool = False  # the failure is the source's (bad input): same bytes, same error
    seconds: float = 0.0
    version: str = __version__
    worker: str = ""  # pid@host that ran it
    worker_peak_rss_kb: int = 0  # that worker's peak resident memory so far
    #: The structure review's findings, one line each ("line 33, page 2: ...").
    warnings: list[str] = field(default_factory=list)
    #: The same findings as records (Finding.to_json()), for a person to act on.
    findings: list[dict[str, object]] = field(default_factory=list)
    held: bool = False  # nothing written: the tree awaits review (Task.hold_for_review)
    # The rest of the source's stat when it was read (manifest.Entry: when to trust it).
    source_ctime_ns: int | None = None
    source_inode: int | None = None
    source_read_ns: int | None = None

    @property
    def failed(self) -> bool:
        return any(output.status == "failed" for output in self.outputs)


def convert_task(task: Task, written: pipeline.Written | None = None) -> TaskResult:
    """Convert one source to its outputs through the pipeline, and say how it went
    (``written``: as pipeline.convert).

    Never raises for a bad document: the error goes into the records, so one document fails
    alone.  Idempotent: a retried task rewrites the same files whole.
    """
    started = time.perf_counter()
    targets = [(fmt, Path(path)) for fmt, path in task.outputs]
    with narration.parts_run_by(part_runner()):
        conversion = pipeline.convert(
            Path(task.source),
            targets,
            task.options,
            source_format=task.source_format,
            hold_for_review=Path(task.hold_for_review) if task.hold_for_review else None,
            written=written,
        )
    result = TaskResult(
        task.key,
        task.source,
        conversion.sha256,
        conversion.size,
        conversion.mtime_ns,
        outputs=conversion.outputs,
        error=conversion.error,
        deterministic=conversion.deterministic,
        worker=_worker_name(),
        warnings=[f"[{f.rule}] {f.line()}" for f in conversion.findings],
        findings=[f.to_json() for f in conversion.findings],
        held=conversion.held,
        source_ctime_ns=conversion.ctime_ns,
        source_inode=conversion.inode,
        source_read_ns=conversion.read_ns,
    )
    return _finish(result, started)


def part_runner() -> narration.PartRunner:
    """Where a talking book's parts are narrated: on a Dask worker, across the whole
    cluster; in a worker of the local pool, one after another (the pool's other workers
    already use every core); in the calling process, in threads (one per core)."""
    if _on_dask_worker():
        return on_dask_cluster
    if multiprocessing.parent_process() is not None:
        return narration.one_at_a_time
    return narration.in_threads


def _on_dask_worker() -> bool:
    if "distributed" not in sys.modules:
        # A Dask worker has imported Dask; importing it to ask would cost every pool
        # worker 0.4 s of CPU and some 60 MB on its first task.
        return False
    try:
        from distributed import get_worker
    except ImportError:
        return False
    try:
        get_worker()
    except ValueError:
        return False
    return True


def on_dask_cluster(
    function: Callable[[narration.PartJob], narration.NarratedPart],
    jobs: Sequence[narration.PartJob],
) -> list[narration.NarratedPart]:
    """The parts as tasks of the cluster this task runs on.  ``worker_client`` lets this
    task leave its worker's thread while it waits, so a one-thread worker cannot deadlock."""
    from distributed import worker_client

    with worker_client() as client:
        futures = client.map(function, list(jobs), pure=False)
        return list(client.gather(futures))


def _finish(result: TaskResult, started: float) -> TaskResult:
    result.seconds = time.perf_counter() - started
    # ru_maxrss is in kilobytes on Linux: the peak of this process over its whole life.
    result.worker_peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result


def _worker_name() -> str:
    return f"{os.getpid()}@{os.uname().nodename}"
