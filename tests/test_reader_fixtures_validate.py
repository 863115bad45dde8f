"""Every writer's validator passes on the copies of the reader fixtures (a python-docx
document, an ODT through LibreOffice, a GOV.UK-shaped page), images with and without
descriptions included: veraPDF and our PDF checks, EPUBCheck and Ace, axe-core, the DOCX
checks and LibreOffice, the braille checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES
from support import word

from converter.check import check_file

pytestmark = pytest.mark.slow

FORMATS = ("pdf", "epub", "html", "docx", "brf", "pef")


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reader-fixtures")
    made = {
        "feature.docx": word.feature_docx(),
        "hall.odt": word.feature_odt(),
        "publication.html": (FIXTURES / "html" / "publication-page.html")
        .read_bytes()
        .replace(b"REMOTE", b"http://127.0.0.1:9"),  # nothing listens: never fetched anyway
    }
    for name, data in made.items():
        (folder / name).write_bytes(data)
    return {name: folder / name for name in made}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ["feature.docx", "hall.odt", "publication.html"])
def test_every_validator_passes(render, sources: dict[str, Path], name: str, fmt: str) -> None:  # type: ignore[no-untyped-def]
    output = render(sources[name], fmt)
    report = check_file(output)
    assert report.results, report.to_text()
    assert all(result.status == "pass" for result in report.results), report.to_text()


@pytest.mark.parametrize("name", ["feature.docx", "hall.odt", "publication.html"])
def test_pdf_ua_2_passes_with_figures_title_page_and_contents(  # type: ignore[no-untyped-def]
    render, sources: dict[str, Path], name: str
) -> None:
    """The PDF/UA-2 copy (structure destinations for the contents' links and the
    bookmarks) passes veraPDF's UA-2 profile and our checks, figures and all."""
    import pikepdf

    from converter import Options

    output = render(sources[name], "pdf", Options(pdf_standard="ua-2"))
    report = check_file(output)
    assert "verapdf-pdf-ua-2" in {r.name for r in report.results}, report.to_text()
    assert all(result.status == "pass" for result in report.results), report.to_text()
    from converter.writers.pdf_structure import struct_elements

    with pikepdf.open(output) as pdf:
        assert "/Figure" in {str(e.get("/S")) for e in struct_elements(pdf)}
        # The contents page (page 2) links to the sections, each link a structure
        # destination as well as a page one.
        links = [a for a in pdf.pages[1].get("/Annots", []) if a.get("/Subtype") == "/Link"]
        assert links
        names = pdf.Root.Names.Dests.Names
        assert all("/SD" in names[i] for i in range(1, len(names), 2))


def test_figures_reach_the_outputs(render, sources: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    """The described image's description is its alt text in HTML and PDF and its
    transcriber's note in braille; the undescribed one says so."""
    import lxml.html
    import pikepdf

    from converter.writers.pdf_structure import struct_elements

    page = lxml.html.fromstring(render(sources["feature.docx"], "html").read_bytes())
    shown = [(img.get("alt"), img.get("role")) for img in page.iter("img")]
    assert shown == [
        ("A bar chart of club members: lunch club 40, youth club 25.", None),
        ("", "presentation"),  # the decorative border
        ("image without a description", None),
        ("The parish hall, from the south", None),
    ]
    with pikepdf.open(render(sources["feature.docx"], "pdf")) as pdf:
        alts = [str(e.get("/Alt")) for e in struct_elements(pdf) if e.get("/S") == "/Figure"]
        boxes = [e.get("/A") for e in struct_elements(pdf) if e.get("/S") == "/Figure"]
    assert alts == [
        "A bar chart of club members: lunch club 40, youth club 25.",
        "image without a description",
        "The parish hall, from the south",
    ]  # the decorative border is an artifact, not a Figure
    assert all(box is not None and "/BBox" in box for box in boxes)
    brf = render(sources["feature.docx"], "brf").read_text(encoding="ascii")
    assert "@.<IMAGE3 ,A B> *>T" in brf  # "image: A bar chart" in a transcriber's note
