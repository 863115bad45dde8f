"""EPUBCheck in one long-lived JVM: the same verdict as the command line, many books per JVM,
a new JVM when one stops, and any file name."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLE

from converter import Options, api
from converter.check import epub as epub_check
from converter.check import epubcheck

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    [output] = api.convert(SAMPLE, "epub", Options(), tmp_path_factory.mktemp("epub"))
    assert output.path is not None
    return output.path


def planted(book: Path, folder: Path) -> Path:
    """The book with an attribute no content document may have (EPUBCheck RSC-005)."""
    bad = folder / "planted.epub"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("nav.xhtml"):
                data = data.replace(b"<nav", b"<nav bogus='1'", 1)
            target.writestr(item, data)
    return bad


def command_line(book: Path, folder: Path) -> list[tuple[str, str]]:
    """(severity, ID) of every fatal, error and warning of `java -jar epubcheck.jar`."""
    jar = epub_check.epubcheck_jar()
    assert jar is not None
    report = folder / "cli-report.json"
    subprocess.run(
        ["java", "-jar", str(jar), str(book), "--json", str(report)], capture_output=True
    )
    messages = json.loads(report.read_text())["messages"]
    return sorted(
        (m["severity"], m["ID"]) for m in messages if m["severity"] in ("FATAL", "ERROR", "WARNING")
    )


def ids(result: epub_check.CheckResult) -> list[tuple[str, str]]:
    return sorted(tuple(detail.split(" ", 2)[:2]) for detail in result.details)  # type: ignore[misc]


def test_the_same_verdict_as_the_command_line(book: Path, tmp_path: Path) -> None:
    bad = planted(book, tmp_path)
    good = epub_check.run_epubcheck(book)
    assert good.status == "pass" and command_line(book, tmp_path) == []
    failed = epub_check.run_epubcheck(bad)
    assert failed.status == "fail"
    assert ids(failed) == command_line(bad, tmp_path) != []


def test_many_books_one_jvm(book: Path, tmp_path: Path) -> None:
    jar = epub_check.epubcheck_jar()
    assert jar is not None
    bad = planted(book, tmp_path)
    epub_check.run_epubcheck(book)
    pid = epubcheck.server(jar)._process.pid
    verdicts = [epub_check.run_epubcheck(path).status for path in (book, bad, book, bad)]
    assert verdicts == ["pass", "fail", "pass", "fail"]  # nothing carried from one to the next
    assert epubcheck.server(jar)._process.pid == pid


def test_a_stopped_jvm_is_started_again(book: Path) -> None:
    jar = epub_check.epubcheck_jar()
    assert jar is not None
    first = epubcheck.server(jar)
    first._process.kill()
    first._process.wait()
    assert epub_check.run_epubcheck(book).status == "pass"
    assert epubcheck.server(jar) is not first


def test_a_check_over_its_time_ends_the_jvm_and_fails(book: Path, tmp_path: Path) -> None:
    jar = epub_check.epubcheck_jar()
    assert jar is not None
    server = epubcheck.server(jar)
    os.kill(server._process.pid, signal.SIGSTOP)  # a JVM that never answers
    assert server.check(book.resolve(), tmp_path / "report.json", timeout=1) is None
    server._process.wait(timeout=30)
    assert not server.alive
    assert epub_check.run_epubcheck(book).status == "pass"  # the next check starts a new one


def test_any_file_name(book: Path, tmp_path: Path) -> None:
    odd = tmp_path / "a\tbook\nwith lines.epub"
    shutil.copyfile(book, odd)
    assert epub_check.run_epubcheck(odd).status == "pass"
