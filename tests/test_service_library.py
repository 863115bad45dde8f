"""The service's document library: a report looked up by id reads only its own file, and still
sees every change (edited, removed, replaced by a link, added)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from converter.service import library as library_module
from converter.service.library import Library


def report_text(title: str) -> str:
    return f"{title}\n\nSummary\n\n1. A numbered paragraph about invented plans.\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "lib" / "2021").mkdir(parents=True)
    (tmp_path / "lib" / "a.txt").write_text(report_text("First invented report"))
    (tmp_path / "lib" / "2021" / "b.txt").write_text(report_text("Second invented report"))
    return tmp_path / "lib"


def test_a_listed_report_is_found_without_listing_the_library_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = Library(folder)
    reports = {report.title: report for report in library.reports()}
    wanted = reports["Second invented report"]

    def no_listing(self: Library) -> list[object]:
        raise AssertionError("the whole library was listed for one report")

    monkeypatch.setattr(Library, "reports", no_listing)
    assert library.get(wanted.id) == wanted


def test_an_edited_report_is_described_again(folder: Path) -> None:
    library = Library(folder)
    [report] = [r for r in library.reports() if r.name == "a.txt"]
    path = folder / "a.txt"
    path.write_text(report_text("First invented report, corrected"))
    os.utime(path, ns=(1, 1))  # whatever its time: it differs from the one described
    found = library.get(report.id)
    assert found is not None and found.title == "First invented report, corrected"


def test_a_removed_report_is_gone_and_a_new_one_is_found(folder: Path) -> None:
    library = Library(folder)
    [report] = [r for r in library.reports() if r.name == "a.txt"]
    (folder / "a.txt").unlink()
    assert library.get(report.id) is None
    (folder / "c.txt").write_text(report_text("Third invented report"))
    [new] = [r for r in Library(folder).reports() if r.name == "c.txt"]
    assert library.get(new.id) == new  # not listed before: found by listing again


def test_a_report_replaced_by_a_link_is_refused(folder: Path, tmp_path: Path) -> None:
    library = Library(folder)
    [report] = [r for r in library.reports() if r.name == "a.txt"]
    outside = tmp_path / "outside.txt"
    outside.write_text(report_text("Not in the library"))
    (folder / "a.txt").unlink()
    (folder / "a.txt").symlink_to(outside)
    assert library.get(report.id) is None


def test_an_unknown_id_is_none(folder: Path) -> None:
    assert Library(folder).get("no-such-report") is None
    assert Library(None).get("no-such-report") is None
    assert library_module.SOURCE_SUFFIXES  # every reader's file endings
