"""Run a batch: find the sources, skip what the manifest shows unchanged, convert the rest,
record each result as it arrives, and end with a summary and a JSON report."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath
from typing import Any

from converter import pipeline, writers
from converter.batch.discover import Source, discover, output_path
from converter.batch.executors import Executor, make_executor
from converter.batch.manifest import (
    Entry,
    Manifest,
    file_sha256,
    output_unchanged,
    source_unchanged_by_stat,
)
from converter.batch.progress import Progress
from converter.batch.task import Task, TaskResult
from converter.errors import ConverterError, UsageError
from converter.options import Options
from converter.version import __version__

REPORT_NAME = "batch-report.json"
EXIT_INTERRUPTED = 130  # the shell's convention for a run stopped by Ctrl-C


@dataclass
class Record:
    """One output of the batch, as the report lists it."""

    source: str  # relative to the library
    format: str
    output: str  # relative to OUT_DIR
    status: str  # converted, skipped, failed, interrupted, orphaned, removed
    seconds: float = 0.0
    size: int | None = None
    error: str | None = None
    check: dict[str, object] | None = None
    unchanged: bool = False  # failed: the same source failed the same way last time; not retried
    warnings: list[str] | None = None  # the structure review's findings on its source

    @property
    def check_failed(self) -> bool:
        return self.check is not None and self.check.get("passed") is False


@dataclass
class BatchReport:
    out_dir: str
    formats: list[str]
    executor: str
    workers: int
    started: float
    finished: float = 0.0
    interrupted: bool = False
    records: list[Record] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        counts = Counter(record.status for record in self.records)
        counts["check-failed"] = sum(record.check_failed for record in self.records)
        return counts

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        counts = self.counts()
        return 1 if counts["failed"] or counts["check-failed"] else 0

    def summary(self) -> str:
        counts = self.counts()
        documents = len({r.source for r in self.records if r.status == "converted"})
        parts = [
            f"{counts['converted']} output(s) converted from {documents} document(s)",
            f"{counts['skipped']} unchanged and skipped",
            f"{counts['failed']} failed"
            + (
                f" ({sum(r.unchanged for r in self.records)} unchanged since they failed before)"
                if any(r.unchanged for r in self.records)
                else ""
            ),
        ]
        if counts["check-failed"]:
            parts.append(f"{counts['check-failed']} failed their checks")
        warned = len({r.source for r in self.records if r.warnings})
        if warned:
            parts.append(f"{warned} document(s) with structure warnings (listed in {REPORT_NAME})")
        if counts["interrupted"]:
            parts.append(f"{counts['interrupted']} not done (interrupted; run again to resume)")
        if counts["orphaned"]:
            parts.append(f"{counts['orphaned']} whose source is gone (--prune removes them)")
        if counts["removed"]:
            parts.append(f"{counts['removed']} removed (source gone)")
        seconds = self.finished - self.started
        return f"{'; '.join(parts)}; {seconds:.1f} s"

    def to_json(self) -> dict[str, object]:
        counts = self.counts()
        return {
            "converter-version": __version__,
            "out_dir": self.out_dir,
            "formats": self.formats,
            "executor": self.executor,
            "workers": self.workers,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.started)),
            "seconds": round(self.finished - self.started, 3),
            "interrupted": self.interrupted,
            "exit_code": self.exit_code,
            "counts": dict(sorted(counts.items())),
            "outputs": [record_json(record) for record in self.records],
        }


#: The fields of a Record, in order (asdict deep-copies: slow for thousands of records).
_RECORD_FIELDS = tuple(f.name for f in fields(Record))


def record_json(record: Record) -> dict[str, Any]:
    return {name: getattr(record, name) for name in _RECORD_FIELDS}


def report_text(data: dict[str, Any]) -> str:
    """The report as JSON text, one output a line: each line encoded by json's C encoder
    (indent= would use its pure Python one, many times slower on a large library)."""
    lines = []
    for key, value in data.items():
        if key == "outputs":
            records = ",\n".join(f"  {json.dumps(record)}" for record in value)
            lines.append(f' "outputs": [\n{records}\n ]')
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


@dataclass
class _Plan:
    tasks: list[Task] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)  # skipped, refused, clashing
    sources: dict[str, Source] = field(default_factory=dict)  # task key -> source
    fixes: dict[str, str | None] = field(default_factory=dict)  # task key -> its fixes' hash


def run_batch(
    roots: list[Path],
    formats: list[str],
    options: Options,
    out_dir: Path,
    *,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    jobs: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    prune: bool = False,
    report_path: Path | None = None,
    source_format: str | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> BatchReport:
    """Convert every source under ``roots`` to every format, mirrored into ``out_dir``."""
    progress = progress or Progress()
    if options.fixes is not None and not options.fixes.is_dir():
        raise UsageError(
            f"--fixes {options.fixes}: a batch takes a folder of patch files named like its "
            "sources (2021/report.txt: FOLDER/2021/report.fixes.json)"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_partial_files(out_dir)  # left by a worker killed outright in an earlier run
    manifest = Manifest.load(out_dir)
    options_key = manifest.add_options(options.fingerprint())
    sources, refused = discover(roots, include, exclude, skip=out_dir)
    plan = _plan(sources, formats, options, options_key, out_dir, manifest, force, source_format)
    for relative, reason in refused:
        plan.records.append(Record(relative, "", "", "failed", error=f"{relative}: {reason}"))
    try:
        executor = executor or make_executor(len(plan.tasks), jobs=jobs, scheduler=scheduler)
    except BaseException:
        manifest.close()
        raise
    report = BatchReport(
        str(out_dir), formats, type(executor).__name__, executor.workers, time.time()
    )
    report.records.extend(plan.records)
    skipped = sum(record.status == "skipped" for record in plan.records)
    progress.start(len(plan.tasks), skipped, executor.workers, report.executor)
    finished: set[str] = set()
    restore_signals = _sigterm_as_interrupt()
    try:
        with executor:
            for result in executor.run(plan.tasks):
                finished.add(result.key)
                records = _record(
                    result,
                    plan.sources[result.key],
                    out_dir,
                    options_key,
                    manifest,
                    plan.fixes[result.key],
                )
                report.records.extend(records)
                failure = next((r.error for r in records if r.status == "failed"), None)
                progress.advance(result.failed, f"failed: {failure}" if failure else None)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        restore_signals()
        progress.finish()
        _remove_partial_files(out_dir)
    for task in plan.tasks:
        if task.key not in finished:
            for fmt, path in task.outputs:
                relative = Path(path).relative_to(out_dir.resolve()).as_posix()
                report.records.append(Record(task.key, fmt, relative, "interrupted"))
    if not report.interrupted:
        present = {str(source.relative) for source in sources}
        report.records.extend(_orphans(manifest, present, out_dir, prune))
    manifest.save()
    report.finished = time.time()
    target = report_path or out_dir / REPORT_NAME
    pipeline.write_atomically(target, report_text(report.to_json()).encode("utf-8"))
    return report


def _plan(
    sources: list[Source],
    formats: list[str],
    options: Options,
    options_key: str,
    out_dir: Path,
    manifest: Manifest,
    force: bool,
    source_format: str | None,
) -> _Plan:
    plan = _Plan()
    names: dict[str, list[str]] = {}  # output -> the sources that would write it
    wanted = [source for source in sources if source.selected]
    # Each output's name, made once: (source, format) -> name.
    named = {
        (source.relative, fmt): _output_name(source, fmt, options)
        for source in wanted
        for fmt in formats
    }
    for (relative, _), name in named.items():
        names.setdefault(name, []).append(str(relative))
    folders: dict[PurePosixPath, Path] = {}  # resolved once per output folder
    for source in wanted:
        key = str(source.relative)
        hasher = _SourceHash(source.path)
        patch = fixes_for(options.fixes, source.relative)
        try:
            fixes_sha256 = file_sha256(patch) if patch is not None else None
        except OSError:
            fixes_sha256 = ""  # unreadable: the conversion says why; never taken as unchanged
        outputs: list[tuple[str, str]] = []
        for fmt in formats:
            name = named[(source.relative, fmt)]
            if len(names[name]) > 1:
                clash = " and ".join(names[name])
                plan.records.append(
                    Record(key, fmt, name, "failed", error=f"{clash} would both write {name}")
                )
                continue
            try:
                path = output_path(out_dir, PurePosixPath(name), folders)
            except ConverterError as error:
                plan.records.append(Record(key, fmt, name, "failed", error=str(error)))
                continue
            entry = manifest.entries.get(name)
            kept = (
                _unchanged(entry, key, fmt, options_key, hasher, path)
                if not force and entry is not None and entry.fixes_sha256 == fixes_sha256
                else None
            )
            if kept is not None:
                if kept is not entry:  # the same content under a new stat: trusted next time
                    manifest.record(name, kept)
                plan.records.append(_skipped(kept, key, name))
                continue
            outputs.append((fmt, str(path)))
        if outputs:
            task_options = options.replace(fixes=patch) if options.fixes is not None else options
            plan.tasks.append(
                Task(str(source.path), tuple(outputs), task_options, source_format, key)
            )
            plan.sources[key] = source
            plan.fixes[key] = fixes_sha256
    return plan


def fixes_for(folder: Path | None, relative: PurePosixPath) -> Path | None:
    """A source's patch file in a batch's folder of fixes: named like the source, with
    ``.fixes.json`` for its extension (2021/report.txt: FOLDER/2021/report.fixes.json)."""
    if folder is None:
        return None
    patch = folder / relative.with_suffix(".fixes.json")
    return patch if patch.is_file() else None


def _output_name(source: Source, fmt: str, options: Options) -> str:
    name = pipeline.output_name(source.relative.stem, writers.get(fmt), options)
    return (source.relative.parent / name).as_posix()


class _SourceHash:
    """A source's stat and (only when the stat cannot be trusted) hash, read once per source."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stat: os.stat_result | None = None
        self._sha256: str | None = None
        self.read_ns = 0  # when the stat was taken (wall clock, just before it)

    def stat(self) -> os.stat_result | None:
        if self._stat is None:
            try:
                self.read_ns = time.time_ns()
                self._stat = os.stat(self.path)
            except OSError:
                return None
        return self._stat

    def sha256(self) -> str | None:
        if self._sha256 is None:
            try:
                self._sha256 = file_sha256(self.path)
            except OSError:
                return None
        return self._sha256


def _unchanged(
    entry: Entry, key: str, fmt: str, options_key: str, source: _SourceHash, path: Path
) -> Entry | None:
    """The manifest's entry when the output need not be made again (with the source's new
    stat when only that changed), else None.  The source is hashed only when its stat
    cannot be trusted (manifest.source_unchanged_by_stat)."""
    if (entry.source, entry.format, entry.options, entry.version) != (
        key,
        fmt,
        options_key,
        __version__,
    ):
        return None
    stat = source.stat()
    if stat is None or stat.st_size != entry.source_size:
        return None
    kept = entry
    if not source_unchanged_by_stat(entry, stat):
        if source.sha256() != entry.source_sha256:
            return None
        kept = replace(
            entry,
            source_mtime_ns=stat.st_mtime_ns,
            source_ctime_ns=stat.st_ctime_ns,
            source_inode=stat.st_ino,
            source_read_ns=source.read_ns,
        )
    if entry.status == "failed" or output_unchanged(entry, path):
        return kept
    return None


def _skipped(entry: Entry, key: str, name: str) -> Record:
    if entry.status == "failed":
        return Record(key, entry.format, name, "failed", error=entry.error, unchanged=True)
    check: dict[str, object] | None = None
    if entry.check_passed is not None:
        check = {"passed": entry.check_passed}
    return Record(
        key,
        entry.format,
        name,
        "skipped",
        size=entry.output_size,
        check=check,
        warnings=entry.warnings,
    )


def _record(
    result: TaskResult,
    source: Source,
    out_dir: Path,
    options_key: str,
    manifest: Manifest,
    fixes_sha256: str | None,
) -> list[Record]:
    """The report's records of one task, each also written to the manifest's journal."""
    records: list[Record] = []
    top = out_dir.resolve()
    for output in result.outputs:
        assert output.path is not None  # a batch always names each output's file
        name = output.path.relative_to(top).as_posix()
        record = Record(
            str(source.relative),
            output.format,
            name,
            output.status,
            round(output.seconds, 4),
            output.size,
            output.error,
            output.check,
            warnings=list(result.warnings) or None,
        )
        records.append(record)
        if output.status == "converted" and result.source_sha256 is not None:
            try:
                mtime_ns = os.stat(output.path).st_mtime_ns
            except OSError:
                manifest.remove(name)
                continue
            check_passed = output.check.get("passed") if output.check else None
            entry = Entry(
                str(source.relative),
                output.format,
                "converted",
                result.source_sha256,
                result.source_size or 0,
                result.source_mtime_ns or 0,
                options_key,
                result.version,
                output_sha256=output.sha256,
                output_size=output.size,
                output_mtime_ns=mtime_ns,
                check_passed=check_passed if isinstance(check_passed, bool) else None,
                warnings=list(result.warnings) or None,
                fixes_sha256=fixes_sha256,
                source_ctime_ns=result.source_ctime_ns,
                source_inode=result.source_inode,
                source_read_ns=result.source_read_ns,
            )
            manifest.record(name, entry)
        elif result.deterministic and result.source_sha256 is not None:
            # Bad input fails the same way until the source changes: remember, do not retry.
            entry = Entry(
                str(source.relative),
                output.format,
                "failed",
                result.source_sha256,
                result.source_size or 0,
                result.source_mtime_ns or 0,
                options_key,
                result.version,
                error=output.error,
                fixes_sha256=fixes_sha256,
                source_ctime_ns=result.source_ctime_ns,
                source_inode=result.source_inode,
                source_read_ns=result.source_read_ns,
            )
            manifest.record(name, entry)
        else:
            manifest.remove(name)  # retried next time
    return records


def _orphans(manifest: Manifest, present: set[str], out_dir: Path, prune: bool) -> list[Record]:
    """Outputs whose source has gone: reported, and removed with ``prune``."""
    records: list[Record] = []
    for name, entry in sorted(manifest.entries.items()):
        if entry.source in present:
            continue
        if not prune:
            records.append(Record(entry.source, entry.format, name, "orphaned"))
            continue
        try:
            path = output_path(out_dir, PurePosixPath(name))
        except ConverterError as error:
            records.append(Record(entry.source, entry.format, name, "failed", error=str(error)))
            continue
        path.unlink(missing_ok=True)
        manifest.remove(name)
        _remove_empty_folders(path.parent, out_dir.resolve())
        records.append(Record(entry.source, entry.format, name, "removed"))
    return records


def _remove_empty_folders(folder: Path, top: Path) -> None:
    while folder != top and folder.is_relative_to(top):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _remove_partial_files(out_dir: Path) -> None:
    """Remove temporary files of pipeline.write_atomically (".<name>.<random>.part")."""
    for path in out_dir.rglob(".*.part"):
        if path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)


def _sigterm_as_interrupt() -> Callable[[], None]:
    """SIGTERM stops a batch as Ctrl-C does (cleanly), until the returned function restores it."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore
