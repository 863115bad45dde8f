"""EPUBCheck in one long-lived JVM (our small Java class) for many EPUB files.

Each check is the command line's own (``EpubChecker.run`` with ``BOOK --json REPORT``), so
its report is the same; only the JVM's start and warm-up, most of a short run's CPU time,
are paid once per process instead of once per book.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import threading
from pathlib import Path

from converter.check import jvm
from converter.errors import DependencyError

CLASS_NAME = "EpubCheckServer"
MARK = "@@epubcheck "  # the prefix of every line our Java class writes
# Most of EPUBCheck's work on a book is code run once: the C1 compiler alone and the serial
# collector halved its CPU time per document when each book had its own JVM (15 s -> 6 s),
# and still keep the long-lived JVM small.
JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:CICompilerCount=1")


def _cache_dir() -> Path:
    return jvm.cache_dir("epubcheck")


def _classpath(jar: Path) -> str:
    # The jar's manifest names its libraries (lib/*.jar beside it).
    return os.pathsep.join([str(jar), str(_cache_dir())])


class Server:
    """One JVM running EPUBCheck; check() sends it a book and waits for its report."""

    def __init__(self, jar: Path) -> None:
        if shutil.which("javac") is None and not (_cache_dir() / f"{CLASS_NAME}.class").exists():
            raise DependencyError("javac is not installed (apt-get install default-jdk-headless)")
        jvm.compile_class(CLASS_NAME, _classpath(jar), _cache_dir())
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            ["java", *JVM_FLAGS, "-cp", _classpath(jar), CLASS_NAME],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # EPUBCheck's console messages: the report has them
            text=True,
            encoding="utf-8",
        )
        if self._readline() != MARK + "READY":
            self.close()
            raise DependencyError("EPUBCheck did not start")

    def _readline(self) -> str | None:
        """The next line the JVM wrote, or None when it stopped."""
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        return line.rstrip("\n") if line else None

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def check(self, book: Path, report: Path, timeout: float) -> int | None:
        """EPUBCheck's exit code for ``book``, its JSON report written to ``report``; None
        when the JVM stopped or took longer than ``timeout`` seconds (it is then ended)."""
        for path in (book, report):
            if "\t" in str(path) or "\n" in str(path):
                raise ValueError(f"a path EPUBCheck's server cannot take: {path!r}")
        with self._lock:
            assert self._process.stdin is not None
            try:
                self._process.stdin.write(f"{book}\t{report}\n")
                self._process.stdin.flush()
            except OSError:
                return None
            watchdog = threading.Timer(timeout, self._process.kill)
            watchdog.start()
            try:
                line = self._readline()
                while line is not None and not line.startswith(MARK + "DONE "):
                    line = self._readline()
            finally:
                watchdog.cancel()
        if line is None:  # stopped: server() starts another for the next book
            return None
        return int(line.removeprefix(MARK + "DONE "))

    def close(self) -> None:
        """Stop the JVM (it ends when its input does) and release its pipes."""
        assert self._process.stdin is not None and self._process.stdout is not None
        try:
            self._process.stdin.close()
        except OSError:
            pass  # it had stopped: nothing to flush to
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process.stdout.close()


@functools.cache
def _servers() -> dict[Path, Server]:
    servers: dict[Path, Server] = {}

    def close_all() -> None:
        for server in servers.values():
            server.close()

    atexit.register(close_all)
    return servers


_starting = threading.Lock()


def server(jar: Path) -> Server:
    """This process's EPUBCheck JVM for ``jar``: started on first use, started again if it
    stopped (killed after a timeout, crashed), closed at exit."""
    with _starting:
        servers = _servers()
        running = servers.get(jar)
        if running is None or not running.alive:
            if running is not None:
                running.close()
            running = servers[jar] = Server(jar)
        return running
