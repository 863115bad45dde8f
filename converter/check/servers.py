"""Validators kept running for a whole session: one process per validator and Python process
(EPUBCheck in a JVM, Ace in Node with its browser), sent one request per line.

Starting such a process costs more than checking a small document with it, so a batch
starts each once per worker instead of once per document.  The protocol, spoken by our
small programs beside this module (java/, node/): the process writes MARK + "READY" when it
can take requests; it answers each request line with one MARK + "DONE <answer>" line; any
other output line is not ours (a library's) and is skipped.  A process that stops, or takes
longer than a request's time, is ended (with everything it started) and started again for
the next request.
"""

from __future__ import annotations

import atexit
import contextlib
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from converter import processes
from converter.errors import DependencyError


class LineServer:
    """One validator process speaking the line protocol."""

    def __init__(
        self,
        command: Sequence[str],
        mark: str,
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        start_timeout: float = 300,
    ) -> None:
        self.mark = mark
        self._lock = threading.Lock()
        # A session of its own: on a timeout the whole group goes (a browser Node started).
        self._process = subprocess.Popen(
            list(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # the validators' console messages: reports hold them
            text=True,
            encoding="utf-8",
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        # What the process started (Node's browser, in a session of its own), recorded
        # after each answer: a process that dies leaves it to init, out of its tree.
        self._family: set[tuple[int, int]] = set()
        if self._answer(start_timeout, "READY") is None:
            self.close()
            raise DependencyError(f"{Path(command[0]).name} did not start ({' '.join(command)})")
        self._family = processes.family(self._process.pid)

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def request(self, line: str, timeout: float) -> str | None:
        """The answer to one request, or None when the process stopped or overran
        ``timeout`` seconds (it is then ended)."""
        if "\n" in line:
            raise ValueError(f"a request is one line: {line!r}")
        with self._lock:
            assert self._process.stdin is not None
            try:
                self._process.stdin.write(line + "\n")
                self._process.stdin.flush()
            except OSError:
                return None
            answer = self._answer(timeout, "DONE ")
            if answer is not None:
                self._family |= processes.family(self._process.pid)
            return answer

    def _answer(self, timeout: float, head: str) -> str | None:
        """The rest of the next line of ours starting with ``head``; None at its end."""
        assert self._process.stdout is not None
        watchdog = threading.Timer(timeout, self._end)
        watchdog.start()
        try:
            while line := self._process.stdout.readline():
                if line.startswith(self.mark + head):
                    return line.rstrip("\n").removeprefix(self.mark + head)
            return None
        finally:
            watchdog.cancel()
            watchdog.join()  # a fired watchdog has ended everything before the caller goes on

    def _end(self) -> None:
        """End the process, everything it started (a browser leads a group of its own),
        and what it started before that is still running though the process has died."""
        processes.kill_tree(self._process.pid)
        processes.kill_family(self._family)

    def close(self) -> None:
        """Stop the process (it ends when its input does; else it is ended) and release its
        pipes."""
        assert self._process.stdin is not None and self._process.stdout is not None
        with contextlib.suppress(OSError):  # it had stopped: nothing to flush to
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._end()
            self._process.wait()
        self._end()  # what it started and left behind (a browser)
        self._process.stdout.close()


_running: dict[str, LineServer] = {}
_starting = threading.Lock()
_closed_at_exit: list[bool] = []


def running(key: str, start: Callable[[], LineServer]) -> LineServer:
    """This process's server ``key``: started on first use, started again if it stopped
    (ended after a timeout, crashed), closed at exit."""
    with _starting:
        if not _closed_at_exit:
            atexit.register(close_all)
            _closed_at_exit.append(True)
        server = _running.get(key)
        if server is None or not server.alive:
            if server is not None:
                server.close()
            server = _running[key] = start()
        return server


def close_all() -> None:
    while _running:
        _, server = _running.popitem()
        server.close()
