"""Hostile and broken Word, OpenDocument and HTML sources: one clear error each, or a correct
result, and never a request to anything they name (a loopback server counts: zero)."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES
from support import word
from support.loopback import counting_server

from converter import Options, api, readers, writers
from converter.errors import InputError

PAGE = FIXTURES / "html" / "publication-page.html"


def _error(data: bytes, name: str) -> str:
    with pytest.raises(InputError) as caught:
        readers.read(data, name=name, max_bytes=Options().max_input_bytes)
    message = str(caught.value)
    assert message.startswith(f"{name}: ") and "\n" not in message
    return message


def test_zip_bomb_is_refused_before_unpacking() -> None:
    bomb = word.zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024  # small on disk, inside any input limit
    assert "zip bomb" in _error(bomb, "bomb.docx")


def test_broken_zip() -> None:
    good = word.feature_docx()
    assert "damaged" in _error(good[: len(good) // 2], "truncated.docx")
    assert "damaged" in _error(b"PK\x03\x04" + b"\x00" * 200, "broken.docx")


def test_encrypted_document() -> None:
    data = word.encrypted_docx()
    assert readers.reader_for(None, "locked.docx", data).name == "docx"
    assert "encrypted" in _error(data, "locked.docx")


def test_other_office_files_and_missing_parts() -> None:
    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert "Excel workbook" in _error(workbook.getvalue(), "sheet.docx")
    without = word.copy_without(word.feature_docx(), "word/document.xml")
    assert "Word document" in _error(without, "hollow.docx")


def test_encrypted_opendocument() -> None:
    source = zipfile.ZipFile(io.BytesIO(word.feature_odt()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "META-INF/manifest.xml":
                data = data.replace(
                    b'manifest:full-path="content.xml" manifest:media-type="text/xml"/>',
                    b'manifest:full-path="content.xml" manifest:media-type="text/xml">'
                    b"<manifest:encryption-data/></manifest:file-entry>",
                )
            target.writestr(info, data)
    assert "encrypted" in _error(out.getvalue(), "locked.odt")


def test_deeply_nested_html_is_an_answer_not_a_traceback() -> None:
    nested = (
        b"<html><body>" + b"<div>" * 5000 + b"deep words" + b"</div>" * 5000 + b"</body></html>"
    )
    try:
        root = readers.read(nested, name="deep.html")
    except InputError as error:
        assert "deep.html" in str(error)
    else:
        assert "deep words" in "".join(root.itertext())


def test_docx_links_are_never_fetched_reading_or_writing(tmp_path: Path) -> None:
    """A picture linked from the web, an attached template there, an INCLUDEPICTURE field:
    the DOCX is read and written to every format without one request."""
    with counting_server() as server:
        data = word.feature_docx(remote=server.base)
        root = readers.read(data, name="linked.docx")
        linked = [
            f
            for f in root.iter("figure")
            if f.findtext("description") == ("A picture linked from the web")
        ]
        assert linked and linked[0].find("image").get("ref") is None  # type: ignore[union-attr]
        source = tmp_path / "linked.docx"
        source.write_bytes(data)
        (tmp_path / "out").mkdir()
        outputs = api.convert(source, writers.formats(), Options(), out=tmp_path / "out")
        assert [o.status for o in outputs] == ["converted"] * len(outputs)
        assert server.requests == []


@pytest.mark.slow
def test_odt_linked_picture_is_never_fetched_by_libreoffice() -> None:
    with counting_server() as server:
        root = readers.read(word.feature_odt(remote=server.base), name="linked.odt")
        assert server.requests == []
    described = [f.findtext("description") for f in root.iter("figure")]
    assert "A linked picture" in described


def test_html_scripts_frames_remote_images_and_css_are_never_fetched(tmp_path: Path) -> None:
    with counting_server() as server:
        data = PAGE.read_bytes().replace(b"REMOTE", server.base.encode())
        source = tmp_path / "publication.html"
        source.write_bytes(data)
        root = readers.read(data, name="publication.html")
        (tmp_path / "out").mkdir()
        outputs = api.convert(source, writers.formats(), Options(), out=tmp_path / "out")
        assert [o.status for o in outputs] == ["converted"] * len(outputs)
        assert server.requests == []
    # Scripts and frames are dropped; the remote picture keeps only its address.
    assert server.base not in "".join(root.find("body").itertext())  # type: ignore[union-attr]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "converter", *args], capture_output=True, text=True, timeout=300
    )


def test_cli_one_clear_error_and_no_output_file(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(word.zip_bomb())
    out = tmp_path / "out"
    result = _cli(str(bomb), "--to", "xml,html", "-o", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("convert: error:")]
    assert len(errors) == 1 and "bomb.docx" in errors[0] and "zip bomb" in errors[0]
    assert not out.exists() or not any(out.iterdir())
