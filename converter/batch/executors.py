"""Executors that run the batch task: in this process, a local process pool, or a Dask cluster.

All three take the same picklable task function (``task.convert_task`` by default) and the
same ``Task`` records, keep a bounded number of tasks in flight, and yield results as they
finish (in any order).  The web service reuses them as they are::

    with make_executor(len(tasks), jobs=None, scheduler=None) as executor:
        for result in executor.run(tasks):
            ...
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from converter.batch.task import OutputRecord, Task, TaskResult, convert_task
from converter.errors import DependencyError

TaskFunction = Callable[[Task], TaskResult]

#: Documents a pool worker converts before it is replaced by a fresh process, so that what
#: a long-lived renderer accumulates (DESIGN.md section 7) never grows with the batch.
MAX_TASKS_PER_CHILD = 100
#: How often a task may be lost with its worker (crash, out-of-memory kill) before it fails.
MAX_ATTEMPTS = 3


class Executor:
    """Runs tasks; ``run`` yields each one's result as it finishes."""

    workers: int = 1

    def run(
        self, tasks: Iterable[Task], function: TaskFunction = convert_task
    ) -> Iterator[TaskResult]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the workers once every task is done."""

    def stop(self) -> None:
        """Stop now (interrupted): cancel what has not started, stop the workers."""
        self.close()

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.stop()


class InProcessExecutor(Executor):
    """One document at a time in this process: nothing to start, for a single document."""

    def run(
        self, tasks: Iterable[Task], function: TaskFunction = convert_task
    ) -> Iterator[TaskResult]:
        for task in tasks:
            yield function(task)


class PoolExecutor(Executor):
    """A local process pool: one single-threaded process per core, recycled and rebuilt.

    A worker that dies (killed, out of memory, a crash in a C library) breaks a
    ``ProcessPoolExecutor`` and loses every task in flight.  The pool is then rebuilt and
    the lost tasks are run again one at a time, so that the document that kills its worker
    is found and fails alone (after ``max_attempts``) while the others complete.
    """

    def __init__(
        self,
        jobs: int | None = None,
        *,
        max_tasks_per_child: int | None = MAX_TASKS_PER_CHILD,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.workers = max(1, jobs or os.cpu_count() or 1)
        self.max_tasks_per_child = max_tasks_per_child
        self.max_attempts = max_attempts
        self._pool: ProcessPoolExecutor | None = None
        self.pools_started = 0  # more than one: a worker died and the pool was rebuilt

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self.pools_started += 1
            # forkserver: max_tasks_per_child cannot recycle forked workers, and a fresh
            # interpreter does not inherit this process's threads or open files.
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_start_worker,
                max_tasks_per_child=self.max_tasks_per_child,
            )
        return self._pool

    def worker_pids(self) -> list[int]:
        """The pids of the pool's current worker processes (for tests and monitoring)."""
        processes = getattr(self._pool, "_processes", None) or {}
        return [pid for pid, process in list(processes.items()) if process.is_alive()]

    def run(
        self, tasks: Iterable[Task], function: TaskFunction = convert_task
    ) -> Iterator[TaskResult]:
        pending = iter(tasks)
        suspects: deque[Task] = deque()  # lost with a dead worker: rerun one at a time
        attempts: dict[int, int] = {}
        in_flight: dict[Future[TaskResult], Task] = {}
        limit = 2 * self.workers  # enough to keep every worker busy, little to lose
        exhausted = False
        while True:
            lost: list[Task] = []
            if suspects:
                if not in_flight:
                    self._submit(function, suspects.popleft(), in_flight, lost)
            else:
                while not exhausted and len(in_flight) < limit and not lost:
                    task = next(pending, None)
                    if task is None:
                        exhausted = True
                    else:
                        self._submit(function, task, in_flight, lost)
            if not in_flight and not lost:
                if suspects:
                    continue
                return
            if in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                results, lost_now = self._collect(done, in_flight)
                lost += lost_now
                if lost:  # the pool is broken: every other task in flight is lost with it
                    results_rest, lost_rest = self._collect(set(wait(in_flight).done), in_flight)
                    results += results_rest
                    lost += lost_rest
                yield from results
            if lost:
                self._discard_pool()
                for task in lost:
                    attempts[id(task)] = attempts.get(id(task), 0) + 1
                    if attempts[id(task)] >= self.max_attempts:
                        yield lost_result(task, "its worker process died (crash or out of memory)")
                    else:
                        suspects.append(task)

    def _submit(
        self,
        function: TaskFunction,
        task: Task,
        in_flight: dict[Future[TaskResult], Task],
        lost: list[Task],
    ) -> None:
        try:
            in_flight[self.pool().submit(_run_in_worker, function, task)] = task
        except BrokenProcessPool:
            lost.append(task)

    @staticmethod
    def _collect(
        done: set[Future[TaskResult]], in_flight: dict[Future[TaskResult], Task]
    ) -> tuple[list[TaskResult], list[Task]]:
        results: list[TaskResult] = []
        lost: list[Task] = []
        for future in done:
            task = in_flight.pop(future)
            try:
                results.append(future.result())
            except BrokenProcessPool:
                lost.append(task)
            except Exception as error:  # e.g. a task that cannot be pickled
                results.append(lost_result(task, f"{type(error).__name__}: {error}"))
        return results, lost

    def _discard_pool(self) -> None:
        # Never shutdown(wait=True) a broken pool: CPython 3.11's manager thread can spin
        # for ever sending stop sentinels to a worker that will not read them (seen here
        # under load).  Ending the workers ourselves lets that thread finish.
        self.stop()

    def close(self) -> None:
        """Let the workers finish and exit; end any that does not within a minute."""
        if self._pool is None:
            return
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False)
        for process in processes:
            process.join(timeout=60)
        self._end(processes)
        self._pool = None

    def stop(self) -> None:
        """Stop at once: cancel queued tasks and terminate the workers.

        A terminated worker removes the temporary file of an output it was writing
        (``pipeline.write_atomically``) before it exits, so no partial output is left.
        """
        if self._pool is None:
            return
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        # Workers first: the pool's own shutdown takes locks that an interrupt may have
        # caught half-way, and it has nothing left to wait for once its workers are gone.
        self._end(processes)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None

    @staticmethod
    def _end(processes: list[Any]) -> None:
        """Terminate the worker processes still alive; kill those that ignore it."""
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)


def _start_worker() -> None:
    # Ctrl-C reaches every process of the terminal's group: the batch decides when workers
    # stop (it terminates them), so that no worker dies half-way through a file by itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)


def _stop_worker(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _run_in_worker(function: TaskFunction, task: Task) -> TaskResult:
    try:
        return function(task)
    except SystemExit:
        # Terminated: the stack has unwound (temporary files removed); leave now instead
        # of letting the pool's worker loop carry on with the next task.
        os._exit(143)


class DaskExecutor(Executor):
    """A Dask distributed cluster (``dask scheduler`` + ``dask worker --nthreads 1``).

    Workers must see the sources and the output folder at the same paths (a shared file
    system).  Dask reschedules the tasks of a worker that dies; ``retries`` covers a task
    that raises; a task lost more often than the scheduler allows fails alone.  Workers are
    long-lived: the PDF writer shares one FontConfiguration per process to keep memory flat,
    and ``dask worker --lifetime 1h --lifetime-restart`` recycles them as the pool does.
    """

    def __init__(self, address: str, *, retries: int = 2, timeout: float = 30) -> None:
        try:
            from distributed import Client
        except ImportError:  # a core install: Dask is an extra
            raise DependencyError(
                "a Dask scheduler needs Dask's packages: pip install 'converter[dask]'"
            ) from None

        self.address = address
        self.retries = retries
        self.client = Client(address, set_as_default=False, timeout=timeout)
        self.workers = max(1, sum(self.client.nthreads().values()))
        self._futures: dict[Any, Any] = {}  # Dask key -> future, of the tasks not yet done

    def run(
        self, tasks: Iterable[Task], function: TaskFunction = convert_task
    ) -> Iterator[TaskResult]:
        from distributed import as_completed

        pending = iter(tasks)
        in_flight: dict[Any, Task] = {}  # Dask key -> task
        completed = as_completed(loop=self.client.loop)
        limit = 2 * self.workers

        def submit() -> bool:
            task = next(pending, None)
            if task is None:
                return False
            future = self.client.submit(function, task, pure=False, retries=self.retries)
            in_flight[future.key] = task
            self._futures[future.key] = future
            completed.add(future)
            return True

        while len(in_flight) < limit and submit():
            pass
        for future in completed:
            task = in_flight.pop(future.key)
            self._futures.pop(future.key, None)
            try:
                yield future.result()
            except Exception as error:  # KilledWorker, or a task that cannot be sent
                yield lost_result(task, f"{type(error).__name__}: {error}")
            future.release()
            while len(in_flight) < limit and submit():
                pass

    def close(self) -> None:
        self.client.close()

    def stop(self) -> None:
        if self._futures:
            self.client.cancel(list(self._futures.values()))
            self._futures = {}
        self.client.close()


def make_executor(count: int, *, jobs: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor for ``count`` tasks: Dask when a scheduler is named, else a local pool
    (at most one worker per task), or this process for a single task."""
    if scheduler:
        return DaskExecutor(scheduler)
    if count <= 1:
        return InProcessExecutor()
    return PoolExecutor(min(jobs or os.cpu_count() or 1, count))


def lost_result(task: Task, reason: str) -> TaskResult:
    """The result of a task that never reported back: every output failed with the reason."""
    error = f"{task.source}: not converted: {reason}"
    result = TaskResult(task.key, task.source, None, None, None, error=error)
    result.outputs = [
        OutputRecord(fmt, Path(path), "failed", error=error) for fmt, path in task.outputs
    ]
    return result
