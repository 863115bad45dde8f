"""Bad input (DESIGN.md section 6) through the command line and the API: one clear error or a result."""

from __future__ import annotations

import codecs
import subprocess
import sys
import time
from pathlib import Path

import pytest

from converter import api, parse
from converter.errors import InputError

REPO = Path(__file__).resolve().parents[1]
TITLE_TEXT = "Report on the parks\n\nThe café is open daily. Naïve visitors are welcome.\n"


def billion_laughs() -> bytes:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    return f'<?xml version="1.0"?><!DOCTYPE report [{entities}]><report>&l9;</report>'.encode()


BAD: dict[str, bytes] = {
    "empty.txt": b"",
    "blank.txt": b" \n\n\t\n",
    "binary.txt": bytes(range(256)) * 20,
    "nul.txt": b"some text\x00with a NUL byte\n",
    "entities.xml": billion_laughs(),
    "external.xml": b'<?xml version="1.0"?><!DOCTYPE report SYSTEM "http://example.invalid/x.dtd"><report/>',
    "xxe.xml": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><report>&x;</report>',
    "malformed.xml": b"<report><meta><title>unclosed</meta>",
    "deep.xml": b"<report>" + b"<section>" * 10000 + b"</section>" * 10000 + b"</report>",
    # XML that is no report (an HTML page named .xml is read as the page it is).
    "not-report.xml": b"<document><body>hello</body></document>",
}

GOOD: dict[str, tuple[bytes, str]] = {
    "utf16.txt": (codecs.BOM_UTF16_LE + TITLE_TEXT.encode("utf-16-le"), "The café is open daily."),
    "utf16be.txt": (
        codecs.BOM_UTF16_BE + TITLE_TEXT.encode("utf-16-be"),
        "The café is open daily.",
    ),
    "utf8bom.txt": (codecs.BOM_UTF8 + TITLE_TEXT.encode("utf-8"), "The café is open daily."),
    "cp1252.txt": (
        TITLE_TEXT.encode("cp1252") + "Smart \u2019quotes\u2019 \u2013 dash.\n".encode("cp1252"),
        "Naïve visitors",
    ),
    "invalid-utf8.txt": (b"Title\n\nBroken \xff\xfe byte here.\n", "Broken"),
    "one-long-line.txt": ((" ".join(["word"] * 50000)).encode(), "word word"),
    "markup.txt": (
        b"Title\n\n<script>alert(1)</script> & <b>bold</b>\n",
        "<script>alert(1)</script>",
    ),
    # A web page under another name is read as one (by its content): its script dropped.
    "page-named.xml": (b"<html><body><p>hello</p><script>alert(1)</script></body></html>", "hello"),
}


def run_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "converter", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env=None,
    )


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_cli_one_line_error(name: str, tmp_path: Path) -> None:
    source = tmp_path / name
    source.write_bytes(BAD[name])
    out = tmp_path / "out"
    result = run_cli(source, "--to", "xml", "-o", f"{out}/", cwd=REPO)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("convert: error:") and name in lines[0], (
        result.stderr
    )
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_api_raises_input_error(name: str) -> None:
    with pytest.raises(InputError) as error:
        parse(BAD[name], format="xml" if name.endswith(".xml") else "txt")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("name", sorted(GOOD))
def test_awkward_but_valid_text_converts(name: str, tmp_path: Path) -> None:
    data, expected = GOOD[name]
    source = tmp_path / name
    source.write_bytes(data)
    out = tmp_path / "out"
    result = run_cli(source, "--to", "xml", "-o", f"{out}/", cwd=REPO)
    assert result.returncode == 0, result.stderr
    written = (out / f"{source.stem}.xml").read_text(encoding="utf-8")
    escaped = expected.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert escaped in written
    assert "<script>" not in written
    assert [p.name for p in out.iterdir()] == [f"{source.stem}.xml"]  # no temporary files left
    assert parse(data, format="txt").getroot().find("meta/title") is not None


def test_cp1252_decoded_as_windows_1252() -> None:
    root = parse(GOOD["cp1252.txt"][0], format="txt").getroot()
    text = "".join(str(t) for t in root.find("body").itertext())  # type: ignore[union-attr]
    assert "\u2019quotes\u2019 \u2013 dash" in text


def test_huge_input_refused_fast(tmp_path: Path) -> None:
    source = tmp_path / "huge.txt"
    with source.open("wb") as stream:
        line = b"All work and no play makes a very long report indeed.\n" * 1000
        while stream.tell() < 100 * 1024 * 1024:
            stream.write(line)
    out = tmp_path / "out"
    started = time.perf_counter()
    result = run_cli(source, "--to", "xml", "-o", f"{out}/", cwd=REPO)
    elapsed = time.perf_counter() - started
    assert result.returncode == 1
    assert "over the limit" in result.stderr and "Traceback" not in result.stderr
    assert elapsed < 10, elapsed
    assert not out.exists() or list(out.iterdir()) == []
    with pytest.raises(InputError, match="over the limit"):
        api.parse(source)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("Title\n\nText.\n")
    missing_to = run_cli(source, cwd=tmp_path)
    unknown = run_cli(source, "--to", "nonsense", cwd=tmp_path)
    bad_from = run_cli(source, "--to", "xml", "--from", "docbook", cwd=tmp_path)
    for result in (missing_to, unknown, bad_from):
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "output").exists() or list((tmp_path / "output").iterdir()) == []


def test_missing_file_is_a_failed_conversion(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "nope.txt", "--to", "xml", "-o", tmp_path / "out", cwd=tmp_path)
    assert (
        result.returncode == 1
        and "no such file" in result.stderr
        and "Traceback" not in result.stderr
    )
