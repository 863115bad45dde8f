"""Runs the service's work on worker processes, under one set of limits.

Three kinds of work share the workers: conversions of queued jobs (their results recorded in
the job store), reading an upload, and rendering a preview (a request waits for these two).
At most ``workers`` pieces run at once, each within ``max_seconds`` and ``max_memory_mb``,
and every piece, waiting or running, counts towards ``max_active_jobs``.

Locally each worker is a process of its own (a one-process pool) and the leader of its own
process group (``worker.start``).  Work that runs past a limit is stopped by killing the
worker and everything it started (a veraPDF JVM, Chromium; ``processes.kill_tree``): once
they are gone and its partial files removed, and only then, its place is given to the next
piece of work; no other work is touched, and a fresh worker takes its place.  On a Dask cluster the worker process running
it is restarted instead.  Conversions run the batch task (``convert_task``).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import logging
import multiprocessing
import os
import re
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from converter import pipeline, processes, writers
from converter.batch.task import Task, TaskResult
from converter.options import Options
from converter.service import names, reviewing, worker
from converter.service.config import ServiceConfig
from converter.service.store import Job, Review, Store, new_id
from converter.version import __version__

log = logging.getLogger("converter.service")
MAX_ATTEMPTS = 3  # a job whose worker crashed (not one we stopped) is tried this many times
TASKS_PER_WORKER = 100  # then a fresh process: what a long-lived renderer gathers never grows
WARM_UP_SECONDS = 120  # a new worker that has not started by then is killed and made again
TICK_SECONDS = 0.1  # how often running work is looked at (its time and memory)

Kind = Literal["convert", "read", "preview", "change"]
DOING = {
    "convert": "the conversion",
    "read": "reading it",
    "preview": "making the preview",
    "change": "changing the structure",
}
HELD_TREE = "recovered.xml"  # a held job's tree, in its output folder, until its review takes it


class Busy(Exception):
    """As much work as the service allows is waiting or running: try again later."""


class WorkFailed(Exception):
    """Reading an upload or making a preview did not finish; the message says why."""


def owner_folder(owner: str) -> str:
    """A folder name per person that reveals nothing of their name."""
    return hashlib.sha256(owner.encode()).hexdigest()[:16]


def cache_key(
    owner: str,
    source_name: str,
    source_sha256: str,
    formats: list[str],
    options: Options,
    tree: str = "",
) -> str:
    """Identical requests share their outputs only when they are the same person's, of the
    same bytes under the same name: an output carries its source's name, and another
    person's copy would tell them what someone else converted.  ``tree`` says what the
    copies are made from: the SHA-256 of a reviewed tree, "as-is" for the source as read
    whatever its review finds, or "" for the source once its review finds nothing."""
    text = "\0".join(
        (
            owner,
            source_name,
            source_sha256,
            ",".join(formats),
            options.fingerprint(),
            tree,
            __version__,
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()


def options_from_record(record: dict[str, Any]) -> Options:
    return Options.from_values(record)


def options_record(options: Options) -> dict[str, Any]:
    record = asdict(options)
    record.pop("extra")
    if record.get("reference_docx") is not None:
        record["reference_docx"] = str(record["reference_docx"])
    return record


@dataclass
class Work:
    kind: Kind
    function: Callable[..., Any]
    arguments: tuple[Any, ...]
    folder: Path | None = None  # holds its partial files: removed when it is stopped
    job_id: str | None = None  # a conversion's job
    waiter: concurrent.futures.Future[Any] | None = None  # a waiting request's answer


@dataclass
class Running:
    work: Work
    future: Any  # a concurrent.futures.Future, or a Dask future
    started: float = field(default_factory=time.monotonic)


# -- workers ------------------------------------------------------------------------------


class LocalWorker:
    """One worker process (a one-process pool), started warm, replaced when it is killed."""

    def __init__(self, server_pid: int, wake: Callable[[], None]) -> None:
        self.server_pid = server_pid
        self.wake = wake  # the runner's loop, told when this worker is ready
        self.pool: ProcessPoolExecutor | None = None
        self.pid: int | None = None  # also its process group's id
        self.tasks = 0
        self._warming: concurrent.futures.Future[int] | None = None
        self._warm_since = 0.0

    def ready(self) -> bool:
        """Started and idle; a worker that is not running is started (and ready later)."""
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                max_workers=1,
                # A fresh interpreter that inherits none of the server's threads or sockets.
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=worker.start,
                initargs=(self.server_pid,),
            )
            self._warming = self.pool.submit(worker.ready)
            self._warming.add_done_callback(lambda _: self.wake())
            self._warm_since = time.monotonic()
            return False
        if self._warming is not None:
            if not self._warming.done():
                if time.monotonic() - self._warm_since > WARM_UP_SECONDS:
                    log.warning(
                        "a worker did not start within %d s; starting another", WARM_UP_SECONDS
                    )
                    self.kill(None)
                return False
            try:
                self.pid = self._warming.result()
            except Exception as error:
                log.warning("a worker failed to start: %s", error)
                self.discard()
                return False
            self._warming = None
        return True

    def submit(self, function: Callable[..., Any], *arguments: Any) -> Any:
        assert self.pool is not None
        self.tasks += 1
        return self.pool.submit(function, *arguments)

    def memory_mb(self, running: dict[int, processes.Process]) -> float | None:
        return processes.memory_mb(running, self.pid) if self.pid is not None else None

    def kill(self, future: Any) -> None:
        """Kill the worker and all it started, and return once every process of it is gone."""
        pids = {self.pid} if self.pid is not None else set()
        if self.pool is not None:  # a worker still starting has no pid of ours yet
            pids |= set(getattr(self.pool, "_processes", None) or {})
        for pid in pids:
            processes.kill_tree(pid)
        self.discard()

    def finished_task(self) -> None:
        if self.tasks >= TASKS_PER_WORKER:
            self.kill(None)  # idle: it and what it started go; a fresh one starts when needed

    def discard(self) -> None:
        if self.pool is not None:
            # Never wait on a pool whose worker was killed: there is nothing left to wait for.
            self.pool.shutdown(wait=False, cancel_futures=True)
        self._reset()

    def _reset(self) -> None:
        self.pool, self.pid, self.tasks, self._warming = None, None, 0, None


class DaskWorker:
    """A place on a Dask cluster: work is submitted to the scheduler; stopping it restarts
    the worker process that runs it (its nanny starts a fresh one)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def ready(self) -> bool:
        return True

    def submit(self, function: Callable[..., Any], *arguments: Any) -> Any:
        return self.client.submit(function, *arguments, pure=False, retries=0)

    def memory_mb(self, running: dict[int, processes.Process]) -> float | None:
        return None  # each Dask worker has its own --memory-limit

    def kill(self, future: Any) -> None:
        if future is None:
            return
        holders = [
            address for address, keys in self.client.processing().items() if future.key in keys
        ]
        self.client.cancel([future], force=True)
        if holders:
            try:
                self.client.restart_workers(holders, timeout=60)
            except Exception as error:  # a worker without a nanny cannot be restarted
                log.warning("could not restart Dask worker %s: %s", holders, error)

    def finished_task(self) -> None:
        pass

    def discard(self) -> None:
        pass


# -- the runner ---------------------------------------------------------------------------


class JobRunner:
    """Dispatches work to the workers, watches its limits, and records the results."""

    def __init__(self, store: Store, config: ServiceConfig) -> None:
        self.store = store
        self.config = config
        self._workers: list[LocalWorker | DaskWorker] = []
        self._client: Any = None
        self._running: dict[int, Running] = {}  # worker index -> what it runs
        self._waiting: deque[Work] = deque()  # reads and previews: before queued jobs
        self._asked = 0  # reads and previews asked for and not yet answered
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
        if self.config.scheduler:
            from converter.batch.executors import DaskExecutor

            self._client = DaskExecutor(self.config.scheduler).client
            places = max(1, sum(self._client.nthreads().values()))
            self._workers = [DaskWorker(self._client) for _ in range(places)]
        else:
            self._workers = [
                LocalWorker(os.getpid(), self._wake.set) for _ in range(self.config.workers)
            ]
            for place in self._workers:
                place.ready()  # start them now: the first request finds them warm
        self._thread.start()

    def stop(self) -> None:
        """Stop at once: running conversions stay marked running and run again at the next
        start; requests waiting for a read or preview are told the service is stopping."""
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        with self._lock:
            running, self._running = dict(self._running), {}
            waiting, self._waiting = list(self._waiting), deque()
        for index, entry in running.items():
            self._workers[index].kill(entry.future)
            if entry.work.waiter is not None:
                waiting.append(entry.work)
        for work in waiting:
            if work.waiter is not None and not work.waiter.done():
                work.waiter.set_exception(WorkFailed("the service is stopping"))
        for place in self._workers:
            place.discard()
        if self._client is not None:
            self._client.close()

    # -- asking for work ------------------------------------------------------------------

    def _admit(self) -> None:
        """Refuse new work when as much as allowed is waiting or running (call with the lock)."""
        if self.store.count_active() + self._asked >= self.config.max_active_jobs:
            raise Busy(
                f"{self.config.max_active_jobs} requests are already in progress; "
                "please try again in a minute"
            )

    def submit(self, job: Job) -> Job:
        """Record a job (or Busy); reuse the outputs of an identical finished one (the same
        person's) when they still exist.  A job waiting for its source's structure review
        is recorded and waits (it takes no place among the jobs in progress)."""
        if job.status == "needs-review":
            return self.store.add_job(job)
        with self._lock:
            self._admit()
            earlier = self.store.finished_job_for(job.cache_key)
            if earlier is not None and all(Path(o["path"]).is_file() for o in earlier.outputs):
                job.status, job.outputs = "done", earlier.outputs
                job.warnings = earlier.warnings
                job.started = job.finished = time.time()
                return self.store.add_job(job)
            job.status = "queued"
            self.store.add_job(job)
        self._wake.set()
        return job

    def call(
        self, kind: Kind, function: Callable[..., Any], *arguments: Any, folder: Path | None = None
    ) -> concurrent.futures.Future[Any]:
        """Run ``function(*arguments)`` on a worker under the limits (or Busy); the future
        holds its result, or WorkFailed."""
        waiter: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._lock:
            if self._stopping.is_set():
                raise Busy("the service is stopping")
            self._admit()
            self._asked += 1
            self._waiting.append(Work(kind, function, arguments, folder=folder, waiter=waiter))
        waiter.add_done_callback(self._answered)
        self._wake.set()
        return waiter

    def _answered(self, _: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._asked -= 1

    def output_folder(self, job: Job) -> Path:
        """Each job's outputs in a folder of its own: stopping one removes nothing of another."""
        return self.config.data_dir / "outputs" / owner_folder(job.owner) / job.id

    def written_output(self, job: Job, fmt: str) -> Path | None:
        """The job's output in ``fmt`` once it is written: as its record says when the job
        has finished (a reused job's output is another's), else where its conversion writes
        it, checked or not yet."""
        if job.status in ("queued", "running"):
            if fmt not in job.formats:
                return None
            path = self.output_paths(job)[fmt]
            return path if path.is_file() else None
        output = next(
            (o for o in job.outputs if o["format"] == fmt and o["status"] != "failed"), None
        )
        return Path(output["path"]) if output is not None else None

    def output_paths(self, job: Job, options: Options | None = None) -> dict[str, Path]:
        """Where the job's conversion writes each format: each file is renamed into place
        whole, so one that exists is complete (its checks may still be running)."""
        if options is None:
            options = options_from_record(job.options)
        folder = self.output_folder(job)
        stem = names.file_stem(job.source_name)
        return {
            fmt: folder / pipeline.output_name(stem, writers.get(fmt), options)
            for fmt in job.formats
        }

    # -- the loop -------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self._watch()
                self._dispatch()
            except Exception:  # keep serving; the log says what went wrong
                log.exception("job dispatch failed")
            with self._lock:
                busy = bool(self._running)
            self._wake.wait(TICK_SECONDS if busy else 0.5)
            self._wake.clear()

    def _watch(self) -> None:
        """Collect finished work; stop work past its time or memory."""
        with self._lock:
            running = dict(self._running)
        if not running:
            return
        local = any(isinstance(self._workers[index], LocalWorker) for index in running)
        seen = processes.snapshot() if local else {}
        for index, entry in running.items():
            place = self._workers[index]
            if entry.future.done():
                self._collect(index, entry)
                continue
            doing = DOING[entry.work.kind]
            reason = None
            if time.monotonic() - entry.started > self.config.max_seconds:
                reason = f"{doing} took longer than {self.config.max_seconds:g} seconds"
            else:
                memory = place.memory_mb(seen)
                if memory is not None and memory > self.config.max_memory_mb:
                    reason = f"{doing} needed more than {self.config.max_memory_mb} MB of memory"
            if reason is not None:
                self._stop(index, entry, reason)

    def _dispatch(self) -> None:
        queued: deque[Job] | None = None
        for index, place in enumerate(self._workers):
            if self._stopping.is_set():
                return
            with self._lock:
                if index in self._running:
                    continue
            if not place.ready():
                continue
            with self._lock:
                work = self._waiting.popleft() if self._waiting else None
            if work is None:
                if queued is None:
                    with self._lock:
                        running_jobs = {e.work.job_id for e in self._running.values()}
                    queued = deque(
                        j for j in self.store.jobs_with_status("queued") if j.id not in running_jobs
                    )
                if not queued:
                    return
                work = self._conversion(queued.popleft())
                if work is None:
                    continue
            if work.waiter is not None and not work.waiter.set_running_or_notify_cancel():
                continue  # its request has gone (the client closed the connection)
            try:
                future = place.submit(work.function, *work.arguments)
            except Exception as error:  # a broken pool: a fresh worker next time
                place.discard()
                self._fail(work, f"{DOING[work.kind]} could not start: {error}")
                continue
            with self._lock:
                self._running[index] = Running(work, future)
            future.add_done_callback(lambda _: self._wake.set())

    def _conversion(self, job: Job) -> Work | None:
        try:
            options = options_from_record(job.options)
        except Exception as error:
            self.store.finish(job.id, "failed", [], f"the options are not valid: {error}")
            return None
        folder = self.output_folder(job)
        outputs = tuple((fmt, str(path)) for fmt, path in self.output_paths(job, options).items())
        hold = None
        if job.tree_path is not None:  # made from the tree staff reviewed
            options = options.replace(fixes=Path(job.tree_path))
        elif not job.send_as_is:  # stopped for review if the review finds anything
            hold = str(folder / HELD_TREE)
        task = Task(
            source=job.source_path,
            outputs=outputs,
            options=options,
            key=job.id,
            hold_for_review=hold,
        )
        self.store.mark_running(job.id)
        return Work("convert", reviewing.convert_job, (task,), folder=folder, job_id=job.id)

    def _collect(self, index: int, entry: Running) -> None:
        place = self._workers[index]
        with self._lock:
            self._running.pop(index, None)
        work = entry.work
        try:
            result = entry.future.result()
        except Exception as error:  # the worker died under it (a crash, the kernel's OOM killer)
            place.discard()
            reason = f"its worker process stopped unexpectedly ({type(error).__name__})"
            if work.kind == "convert" and work.job_id is not None:
                self._retry(work.job_id, reason)
            else:
                self._fail(work, f"{DOING[work.kind]} failed: {reason}")
            return
        place.finished_task()
        if work.kind == "convert" and work.job_id is not None:
            self._record(work.job_id, result)
        elif work.waiter is not None and not work.waiter.done():
            work.waiter.set_result(result)
        self._wake.set()

    def _stop(self, index: int, entry: Running, reason: str) -> None:
        """Kill the work's worker and all it started; remove its partial files; say why."""
        started = time.monotonic()
        self._workers[index].kill(entry.future)
        if entry.work.folder is not None:
            shutil.rmtree(entry.work.folder, ignore_errors=True)
        log.warning(
            "stopped %s after %.1f s: %s", entry.work.kind, time.monotonic() - started, reason
        )
        # Only now, with nothing of it left, is its place given to other work.
        with self._lock:
            self._running.pop(index, None)
        self._fail(entry.work, reason)
        self._wake.set()

    def _fail(self, work: Work, reason: str) -> None:
        if work.job_id is not None:
            self.store.finish(work.job_id, "failed", [], reason)
        elif work.waiter is not None and not work.waiter.done():
            work.waiter.set_exception(WorkFailed(reason))

    def _retry(self, job_id: str, reason: str) -> None:
        attempts = self._attempts.get(job_id, 1)
        if attempts >= MAX_ATTEMPTS:
            self.store.finish(job_id, "failed", [], f"conversion failed {attempts} times: {reason}")
            return
        self._attempts[job_id] = attempts + 1
        log.warning("job %s: %s; trying again", job_id, reason)
        self.store.finish(job_id, "queued", [], None)
        self._wake.set()

    def _record(self, job_id: str, result: TaskResult) -> None:
        job = self.store.job(job_id)
        if job is None:
            return
        public = _Public(job, self.output_folder(job), self.config)
        if result.held:
            self._held(job, result, [public.text(line) or "" for line in result.warnings])
            return
        outputs = [
            {
                "format": o.format,
                "path": str(o.path),
                "status": o.status,
                "size": o.size,
                "seconds": round(o.seconds, 3),
                "error": public.text(o.error),
                "check": public.value(o.check),
            }
            for o in result.outputs
        ]
        failed = [o for o in outputs if o["status"] == "failed"]
        message = public.text(result.error) or (
            "; ".join(str(o["error"]) for o in failed) if failed else None
        )
        warnings = [public.text(line) or "" for line in result.warnings]
        self.store.finish(job_id, "failed" if failed else "done", outputs, message, warnings)

    # -- structure reviews ----------------------------------------------------------------

    def review_folder(self, review_id: str) -> Path:
        return self.config.data_dir / "reviews" / review_id

    def _held(self, job: Job, result: TaskResult, warnings: list[str]) -> None:
        """A conversion stopped for review: its source's review starts with the tree it
        recovered (or, when one has started meanwhile, the job joins that one)."""
        held = self.output_folder(job) / HELD_TREE
        review_id = new_id()
        folder = self.review_folder(review_id)
        folder.mkdir(parents=True, exist_ok=True)
        tree_path = folder / "tree-1.xml"
        held.replace(tree_path)
        lines = held.with_name(reviewing.LINES_NAME)
        if lines.exists():
            lines.replace(folder / reviewing.LINES_NAME)
        now = time.time()
        review = self.store.add_review(
            Review(
                id=review_id,
                scope=job.scope,
                source_sha256=job.source_sha256,
                source_name=job.source_name,
                status="in-review",
                version=1,
                tree_path=str(tree_path),
                tree_sha256=hashlib.sha256(tree_path.read_bytes()).hexdigest(),
                findings=result.findings,
                preview=None,
                started_by=job.owner,
                created=now,
                updated=now,
            ),
            job.owner,
            job.id,
        )
        if review.id != review_id:  # this source's review had begun: the new tree is not needed
            shutil.rmtree(folder, ignore_errors=True)
        self.store.hold_for_review(job.id, review.id, warnings)
        if review.status == "reviewed":  # finished while this job ran: made from its tree
            self.queue_reviewed(review)

    def approve(
        self, review: Review, expected_version: int | None, who: str, job_id: str
    ) -> Review:
        """A person approves a review's tree: every job waiting for it is made from it."""
        approved = self.store.approve_review(review.id, expected_version, who, job_id)
        self.queue_reviewed(approved)
        return approved

    def queue_reviewed(self, review: Review) -> None:
        for job in self.store.jobs_of_review(review.id, "needs-review"):
            options = options_from_record(job.options)
            key = cache_key(
                job.owner,
                job.source_name,
                job.source_sha256,
                job.formats,
                options,
                review.tree_sha256,
            )
            self.store.queue_with_tree(job.id, review.id, review.tree_path, review.tree_sha256, key)
        self._wake.set()


class _Public:
    """Messages as people see them: the source by its own name, outputs by their file
    names, never a path on the server."""

    def __init__(self, job: Job, folder: Path, config: ServiceConfig) -> None:
        self.replacements = [
            (job.source_path, job.source_name),
            (str(folder) + os.sep, ""),
            (str(config.data_dir.resolve()) + os.sep, ""),
            (str(config.data_dir) + os.sep, ""),
        ]
        if config.library is not None:
            self.replacements.append((str(config.library.resolve()) + os.sep, ""))

    def text(self, text: str | None) -> str | None:
        if text is None:
            return None
        for path, name in self.replacements:
            text = text.replace(path, name)
        # Any other absolute path (a system file in a message): its last part only.
        return re.sub(r"(?<![\w.:/])/(?:[\w.+@-]+/)+([\w.+@-]+)", r"\1", text)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value


def new_job(
    owner: str,
    source_name: str,
    source_path: str,
    source_sha256: str,
    formats: list[str],
    options: Options,
    *,
    scope: str = "",
    send_as_is: bool = False,
    review: Review | None = None,
) -> Job:
    """A job for a source, given its structure review so far: made from the reviewed tree
    when there is one, waiting for the review in progress unless sent as is, else queued
    (and stopped for review if the review finds anything)."""
    job = Job(
        id=new_id(),
        owner=owner,
        source_name=source_name,
        source_path=source_path,
        source_sha256=source_sha256,
        formats=formats,
        options=options_record(options),
        cache_key="",
        status="queued",
        scope=scope,
        send_as_is=send_as_is,
    )
    tree = "as-is" if send_as_is else ""
    if review is not None and review.status == "reviewed":
        job.review_id, job.tree_path, job.tree_sha256 = (
            review.id,
            review.tree_path,
            review.tree_sha256,
        )
        tree = review.tree_sha256
    elif review is not None and not send_as_is:
        job.review_id, job.status = review.id, "needs-review"
        job.warnings = [str(finding.get("line", "")) for finding in review.findings]
    job.cache_key = cache_key(owner, source_name, source_sha256, formats, options, tree)
    return job
