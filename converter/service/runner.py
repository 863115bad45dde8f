"""Runs service jobs with the batch executors' task function, on their pool or Dask cluster.

Batch runs a known list of tasks; the service's jobs arrive one by one, so it submits each
job's task to the executor's underlying futures interface as it comes, at most ``workers``
at a time, and records the result in the job store.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import logging
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from pathlib import Path
from typing import Any

from converter import pipeline, writers
from converter.batch.executors import DaskExecutor, PoolExecutor
from converter.batch.task import Task, TaskResult, convert_task
from converter.options import Options
from converter.service.config import ServiceConfig
from converter.service.store import Job, Store, new_id
from converter.version import __version__

log = logging.getLogger("converter.service")
MAX_ATTEMPTS = 3  # a job whose worker crashed is tried again, this many times in all


def cache_key(source_sha256: str, formats: list[str], options: Options) -> str:
    """Identical requests (same bytes, formats, options and converter) share their outputs."""
    text = "\0".join((source_sha256, ",".join(formats), options.fingerprint(), __version__))
    return hashlib.sha256(text.encode()).hexdigest()


def options_from_record(record: dict[str, Any]) -> Options:
    return Options.from_values(record)


def options_record(options: Options) -> dict[str, Any]:
    record = asdict(options)
    record.pop("extra")
    if record.get("reference_docx") is not None:
        record["reference_docx"] = str(record["reference_docx"])
    return record


class JobRunner:
    """Dispatches queued jobs, at most ``workers`` at a time, and records their results."""

    def __init__(self, store: Store, config: ServiceConfig) -> None:
        self.store = store
        self.config = config
        self._executor: concurrent.futures.Executor | None = None
        self._batch_executor: PoolExecutor | DaskExecutor | None = None
        self._inflight: dict[str, tuple[concurrent.futures.Future[TaskResult], float]] = {}
        self._attempts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="converter-jobs", daemon=True)

    # -- life -----------------------------------------------------------------------------

    def start(self) -> None:
        resumed = self.store.requeue_unfinished()
        if resumed:
            log.info("resuming %d unfinished job(s)", resumed)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=10)
        if self._batch_executor is not None:
            self._batch_executor.close()

    def _make_executor(self) -> concurrent.futures.Executor:
        """The batch executors' pool or Dask client, fed one job at a time as jobs arrive."""
        if self.config.scheduler:
            self._batch_executor = DaskExecutor(self.config.scheduler)
            return self._batch_executor.client.get_executor(pure=False, retries=2)  # type: ignore[no-any-return]
        self._batch_executor = PoolExecutor(self.config.workers)
        return self._batch_executor.pool()

    # -- requests -------------------------------------------------------------------------

    def submit(self, job: Job) -> Job:
        """Record a job; reuse the outputs of an identical finished one when they still exist."""
        earlier = self.store.finished_job_for(job.cache_key)
        if earlier is not None and all(Path(o["path"]).is_file() for o in earlier.outputs):
            job.status, job.outputs = "done", earlier.outputs
            job.started = job.finished = time.time()
            return self.store.add_job(job)
        job.status = "queued"
        self.store.add_job(job)
        self._wake.set()
        return job

    def output_folder(self, key: str) -> Path:
        return self.config.data_dir / "outputs" / key[:2] / key

    # -- the loop -------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self._expire()
                self._dispatch()
            except Exception:  # keep serving; the log says what went wrong
                log.exception("job dispatch failed")
            self._wake.wait(0.5)
            self._wake.clear()

    def _dispatch(self) -> None:
        with self._lock:
            free = self.config.workers - len(self._inflight)
        if free <= 0:
            return
        for job in self.store.jobs_with_status("queued")[:free]:
            self._start(job)

    def _start(self, job: Job) -> None:
        if self._executor is None:
            self._executor = self._make_executor()
        options = options_from_record(job.options)
        folder = self.output_folder(job.cache_key)
        stem = Path(job.source_name).stem or "document"
        outputs = tuple(
            (fmt, str(folder / pipeline.output_name(stem, writers.get(fmt), options)))
            for fmt in job.formats
        )
        task = Task(source=job.source_path, outputs=outputs, options=options, key=job.id)
        self.store.mark_running(job.id)
        future = self._executor.submit(convert_task, task)
        with self._lock:
            self._inflight[job.id] = (future, time.monotonic())
        future.add_done_callback(functools.partial(self._finished, job.id))

    def _finished(self, job_id: str, future: concurrent.futures.Future[TaskResult]) -> None:
        with self._lock:
            entry = self._inflight.pop(job_id, None)
        if entry is None:
            return  # already failed for taking too long
        if time.monotonic() - entry[1] > self.config.max_seconds:
            # Finished, but past the limit (between two looks of the loop): the limit holds.
            self.store.finish(job_id, "failed", [], self._too_long())
            return
        try:
            result = future.result()
        except BrokenProcessPool:
            self._retry(job_id, "a worker process stopped unexpectedly")
            return
        except Exception as error:
            self._retry(job_id, f"{type(error).__name__}: {error}")
            return
        outputs = [
            {
                "format": o.format,
                "path": str(o.path),
                "status": o.status,
                "size": o.size,
                "seconds": round(o.seconds, 3),
                "error": o.error,
                "check": o.check,
            }
            for o in result.outputs
        ]
        failed = [o for o in result.outputs if o.status == "failed"]
        message = result.error or ("; ".join(str(o.error) for o in failed) if failed else None)
        self.store.finish(job_id, "failed" if failed else "done", outputs, message)
        self._wake.set()

    def _retry(self, job_id: str, reason: str) -> None:
        attempts = self._attempts.get(job_id, 1)
        if isinstance(self._batch_executor, PoolExecutor):
            self._batch_executor.close()  # stops what is left of the broken pool
            self._executor = None  # and a new one starts on the next dispatch
        if attempts >= MAX_ATTEMPTS:
            self.store.finish(job_id, "failed", [], f"conversion failed {attempts} times: {reason}")
            return
        self._attempts[job_id] = attempts + 1
        log.warning("job %s: %s; trying again", job_id, reason)
        self.store.finish(job_id, "queued", [], None)
        self._wake.set()

    def _expire(self) -> None:
        now = time.monotonic()
        with self._lock:
            late = [
                jid for jid, (_, t) in self._inflight.items() if now - t > self.config.max_seconds
            ]
            for job_id in late:
                future, _ = self._inflight.pop(job_id)
                future.cancel()
        for job_id in late:
            self.store.finish(job_id, "failed", [], self._too_long())

    def _too_long(self) -> str:
        return f"the conversion took longer than {self.config.max_seconds:g} seconds"


def new_job(
    owner: str,
    source_name: str,
    source_path: str,
    source_sha256: str,
    formats: list[str],
    options: Options,
) -> Job:
    return Job(
        id=new_id(),
        owner=owner,
        source_name=source_name,
        source_path=source_path,
        source_sha256=source_sha256,
        formats=formats,
        options=options_record(options),
        cache_key=cache_key(source_sha256, formats, options),
        status="queued",
    )
