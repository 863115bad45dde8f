"""The one task every executor runs: convert one source to its formats, return result records."""

from __future__ import annotations

import glob
import hashlib
import os
import resource
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from converter import __version__, api, readers, writers
from converter.errors import ConverterError, InputError
from converter.options import Options

Status = Literal["converted", "skipped", "failed"]


@dataclass(frozen=True)
class Task:
    """What to convert: plain data, so it pickles to a process or a Dask worker."""

    source: str  # path of the source file, as the workers see it
    outputs: tuple[tuple[str, str], ...]  # (format, output path) in order
    options: Options
    source_format: str | None = None
    key: str = ""  # the caller's name for the task (the source's relative path in a batch)


@dataclass
class OutputRecord:
    format: str
    path: str
    status: Status
    seconds: float = 0.0
    size: int | None = None
    sha256: str | None = None
    error: str | None = None
    check: dict[str, object] | None = None  # converter.check FileReport.to_json(), with --check


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

    @property
    def failed(self) -> bool:
        return any(output.status == "failed" for output in self.outputs)


def convert_task(task: Task) -> TaskResult:
    """Read the source once, render each format, write each output atomically.

    Never raises for a bad document: the error goes into the records, so one document fails
    alone.  Idempotent: a retried task rewrites the same files whole.
    """
    started = time.perf_counter()
    result = TaskResult(task.key, task.source, None, None, None, worker=_worker_name())
    try:
        stat = os.stat(task.source)
        result.source_size, result.source_mtime_ns = stat.st_size, stat.st_mtime_ns
        if stat.st_size > task.options.max_input_bytes:
            # A huge file is refused before it is read into memory; hashed as a stream so
            # that the manifest still knows when it changes.
            with open(task.source, "rb") as stream:
                result.source_sha256 = hashlib.file_digest(stream, "sha256").hexdigest()
            limit = task.options.max_input_bytes / 1048576
            raise InputError(
                f"is {stat.st_size / 1048576:.0f} MB, over the limit of {limit:.0f} MB",
                source=task.source,
            )
        data, name = api.load(Path(task.source))
        result.source_sha256 = hashlib.sha256(data).hexdigest()
        root = readers.read(
            data, name=name, format=task.source_format, max_bytes=task.options.max_input_bytes
        )
    except Exception as error:
        result.error = _describe(error, task.source)
        result.deterministic = isinstance(error, InputError)
        result.outputs = [
            OutputRecord(fmt, path, "failed", error=result.error) for fmt, path in task.outputs
        ]
        return _finish(result, started)
    stem = Path(task.source).stem
    for fmt, path in task.outputs:
        result.outputs.append(_render_one(root, fmt, Path(path), stem, task.options))
    return _finish(result, started)


def _render_one(root: object, fmt: str, path: Path, stem: str, options: Options) -> OutputRecord:
    started = time.perf_counter()
    try:
        payload = api.render(root, fmt, options)  # type: ignore[arg-type]
        _remove_leftovers(path)
        api.write_atomically(path, payload)
        writer = writers.get(fmt)
        for extra_name, extra in api.extras(root, writer, options, stem).items():  # type: ignore[arg-type]
            api.write_atomically(path.parent / extra_name, extra)
    except Exception as error:
        return OutputRecord(
            fmt, str(path), "failed", time.perf_counter() - started, error=_describe(error, None)
        )
    record = OutputRecord(
        fmt,
        str(path),
        "converted",
        time.perf_counter() - started,
        size=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(),
    )
    if options.check:
        record.check = _check(path, options)
    return record


def _remove_leftovers(path: Path) -> None:
    """Remove the temporary file a worker killed mid-write (SIGKILL, out of memory) left
    for this output: the retried task owns the output now."""
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.part"):
        leftover.unlink(missing_ok=True)


def _check(path: Path, options: Options) -> dict[str, object]:
    from converter import check

    try:
        return check.check_file(path, options).to_json()
    except ConverterError as error:  # no checks for this format yet
        return {"path": str(path), "passed": None, "error": str(error), "results": []}


def _describe(error: BaseException, source: str | None) -> str:
    """One line: a ConverterError's own message, else the type and text of an internal error."""
    if isinstance(error, ConverterError):
        if source and not error.source:
            error.source = source
        return str(error)
    where = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
    place = f" at {Path(where[0].filename).name}:{where[0].lineno}" if where else ""
    return f"internal error: {type(error).__name__}: {error}{place}"


def _finish(result: TaskResult, started: float) -> TaskResult:
    result.seconds = time.perf_counter() - started
    # ru_maxrss is in kilobytes on Linux: the peak of this process over its whole life.
    result.worker_peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result


def _worker_name() -> str:
    return f"{os.getpid()}@{os.uname().nodename}"
