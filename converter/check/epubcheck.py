"""EPUBCheck in one long-lived JVM (our small Java class, java/EpubCheckServer.java) per
process, for many EPUB files.

Each check is the command line's own (``EpubChecker.run`` with ``BOOK --json REPORT``), so
its report is the same; only the JVM's start and warm-up, most of a short run's CPU time,
are paid once per process instead of once per book.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from converter.check import jvm, servers
from converter.errors import DependencyError

CLASS_NAME = "EpubCheckServer"
MARK = "@@epubcheck "  # the prefix of every line our Java class writes
# Most of EPUBCheck's work on a book is code run once: the C1 compiler alone and the serial
# collector halved its CPU time per document when each book had its own JVM (15 s -> 6 s),
# and still keep the long-lived JVM small.
JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:CICompilerCount=1")


def _cache_dir() -> Path:
    return jvm.cache_dir("epubcheck")


def _start(jar: Path) -> servers.LineServer:
    if shutil.which("javac") is None and not (_cache_dir() / f"{CLASS_NAME}.class").exists():
        raise DependencyError("javac is not installed (apt-get install default-jdk-headless)")
    # The jar's manifest names its libraries (lib/*.jar beside it).
    classpath = os.pathsep.join([str(jar), str(_cache_dir())])
    jvm.compile_class(CLASS_NAME, classpath, _cache_dir())
    return servers.LineServer(["java", *JVM_FLAGS, "-cp", classpath, CLASS_NAME], MARK)


def server(jar: Path) -> servers.LineServer:
    """This process's EPUBCheck JVM for ``jar``."""
    return servers.running(f"epubcheck {jar}", lambda: _start(jar))


def check(jar: Path, book: Path, report: Path, timeout: float) -> int | None:
    """EPUBCheck's exit code for ``book``, its JSON report written to ``report``; None when
    the JVM stopped or took longer than ``timeout`` seconds."""
    for path in (book, report):
        if "\t" in str(path) or "\n" in str(path):
            raise ValueError(f"a path EPUBCheck's server cannot take: {path!r}")
    answer = server(jar).request(f"{book}\t{report}", timeout)
    return None if answer is None else int(answer)
