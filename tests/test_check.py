"""`convert check` catches planted faults: the issue's list, across formats, through the
product's own checkers (the writers' tests use the same ones on good outputs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pikepdf
from conftest import SAMPLE

from converter import Options
from converter.check import check_file


def statuses(path: Path, options: Options | None = None) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {r.name: (r.status, r.details) for r in check_file(path, options).results}


def test_pdf_without_lang_is_caught(render, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "no-lang.pdf"
    with pikepdf.open(render(SAMPLE, "pdf")) as pdf:
        del pdf.Root.Lang
        pdf.save(broken)
    found = statuses(broken)
    assert found["pdf-language"][0] == "fail"
    veraPDF = [status for name, (status, _) in found.items() if name.startswith("verapdf")]
    assert veraPDF == ["fail"]


def test_html_with_a_contrast_failure_and_an_image_without_alt_is_caught(tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Bad page</title></head>"
        "<body><main><h1>Bad page</h1>"
        "<p style='color:#aaaaaa;background:#ffffff'>Pale grey text on white is hard to read.</p>"
        "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' width='20' height='20'>"
        "</main></body></html>",
        encoding="utf-8",
    )
    status, details = statuses(page)["axe-core"]
    assert status == "fail"
    rules = {line.split(" ", 1)[0] for line in details}
    assert {"color-contrast", "image-alt"} <= rules


def test_convert_check_exits_1_on_a_planted_fault_and_0_on_our_output(
    render, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    brf = tmp_path / "long-line.brf"
    good = render(SAMPLE, "brf").read_bytes()
    first, rest = good.split(b"\r\n", 1)
    brf.write_bytes(first + b"\r\n" + b"A" * 41 + b"\r\n" + rest)
    bad = subprocess.run(
        [sys.executable, "-m", "converter", "check", str(brf)], capture_output=True, timeout=120
    )
    assert bad.returncode == 1, bad.stdout
    assert b"41" in bad.stdout
    ok = subprocess.run(
        [sys.executable, "-m", "converter", "check", str(render(SAMPLE, "brf"))],
        capture_output=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stdout


def test_a_missing_validator_is_not_run_never_a_pass(render, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from converter.check import browser

    monkeypatch.setattr(browser, "missing", lambda: "chromium is not installed (test)")
    status, details = statuses(render(SAMPLE, "html"))["axe-core"]
    assert status == "not-run"
    assert "chromium is not installed" in details[0]
