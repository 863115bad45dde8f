"""OpenDocument, RTF and Word 97-2003 sources: LibreOffice turns them into DOCX, read by the
DOCX reader.  The ODT is written by hand for the test; the .doc is LibreOffice's own from it."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from lxml import etree
from support import word

from converter import readers
from converter.errors import DependencyError, InputError
from converter.readers import office
from converter.review import review
from converter.tree import XML_LANG

Element = etree._Element

pytestmark = pytest.mark.slow


def text(element: Element | None) -> str:
    assert element is not None
    return " ".join("".join(element.itertext()).split())


@pytest.fixture(scope="module")
def odt() -> bytes:
    return word.feature_odt()


@pytest.fixture(scope="module")
def root(odt: bytes) -> Element:
    return readers.read(odt, name="hall.odt")


def test_odt_structure_survives_libreoffice(root: Element) -> None:
    assert root.findtext("meta/title") == "Village hall report"
    assert root.findtext("meta/subtitle") == "Written for the LibreOffice reader"
    assert root.find("meta/source").get("format") == "odt"  # type: ignore[union-attr]
    assert root.get(XML_LANG) == "en-GB"
    outline = [
        (len(list(h.iterancestors("section"))), text(h)) for h in root.iterfind("body//heading")
    ]
    assert outline == [(1, "Background"), (2, "Rooms"), (1, "Pictures")]
    bullets, steps = root.findall(".//section/list")
    assert bullets.get("type") == "bullet" and bullets.find("item/list") is not None
    assert [i.get("label") for i in steps.iterfind("item")] == ["1.", "2."]
    table = root.find(".//table")
    assert table is not None
    assert [text(c) for c in table.iterfind("head/row/cell")] == ["Room", "Charge"]
    assert [[text(c) for c in r] for r in table.findall("row")] == [
        ["Main hall", "20 pounds"],
        ["Kitchen", "5 pounds"],
    ]


def test_odt_note_link_language_and_emphasis(root: Element) -> None:
    paragraph = root.find(".//section/p")
    assert paragraph is not None
    assert text(paragraph.find("strong")) == "1902"
    assert paragraph.find("span").get(XML_LANG) == "fr-FR"  # type: ignore[union-attr]
    assert paragraph.find("a").get("href") == "https://www.example.org/hall"  # type: ignore[union-attr]
    [note] = root.findall(".//note")
    assert text(note) == "From the parish records."
    assert paragraph.find("noteref").get("ref") == note.get("id")  # type: ignore[union-attr]


def test_odt_pictures_keep_their_descriptions(root: Element) -> None:
    figures = root.findall(".//figure")
    assert len(figures) == 3
    assert figures[0].findtext("description") == (
        "A floor plan of the hall with the kitchen at the back."
    )
    assert all(f.find("image").get("ref") for f in figures)  # type: ignore[union-attr]
    # LibreOffice 7.4 does not carry ODF's decorative mark into DOCX: without it, the line
    # is an image without a description like the photo, and the review says so for both
    # rather than guess.
    missing = [f for f in review(root) if f.rule == "image-without-description"]
    assert [f.element for f in missing] == [figures[1].get("id"), figures[2].get("id")]


def test_rtf() -> None:
    rtf = (
        b"{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}"
        b"{\\stylesheet{\\s1 heading 1;}}"
        b"{\\pard\\s1\\outlinelevel0\\b Rooms for hire\\b0\\par}"
        b"{\\pard The hall has a {\\b main room} and a kitchen.\\par}"
        b"}"
    )
    root = readers.read(rtf, name="hall.rtf")
    assert root.find("meta/source").get("format") == "rtf"  # type: ignore[union-attr]
    body = text(root.find("body"))
    assert "The hall has a main room and a kitchen." in body
    assert "Rooms for hire" in (root.findtext("meta/title") or "") + body


def test_legacy_doc(odt: bytes) -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        (folder / "hall.odt").write_bytes(odt)
        subprocess.run(
            [
                office.soffice(),
                f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                "doc:MS Word 97",
                "--outdir",
                str(folder),
                str(folder / "hall.odt"),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        doc = (folder / "hall.doc").read_bytes()
    assert readers.reader_for(None, "hall.bin", doc).name == "doc"
    root = readers.read(doc, name="hall.doc")
    assert root.find("meta/source").get("format") == "doc"  # type: ignore[union-attr]
    assert [text(h) for h in root.iterfind("body//heading")] == ["Background", "Rooms", "Pictures"]
    # LibreOffice's Word 97 filter keeps the pictures but not their descriptions (the
    # .doc it writes holds none): each is reported, none invented.
    figures = root.findall(".//figure")
    assert len(figures) == 3 and all(f.find("image").get("ref") for f in figures)  # type: ignore[union-attr]
    missing = {f.element for f in review(root) if f.rule == "image-without-description"}
    assert missing == {f.get("id") for f in figures if f.find("description") is None}


def test_missing_libreoffice_is_one_clear_error(
    odt: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(office, "SOFFICE_PATHS", ())
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(DependencyError, match="needs LibreOffice"):
        readers.read(odt, name="hall.odt")


def test_not_an_office_document() -> None:
    with pytest.raises(InputError, match="not an OpenDocument"):
        readers.read(b"plain words, not a document", name="x.odt", format="odt")
