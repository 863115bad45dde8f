"""The PDF reader on small PDFs made here: structure, page numbers, artifacts, and bad PDFs."""

from __future__ import annotations

import io

import pikepdf
import pytest
from lxml import etree

from converter import api
from converter.errors import InputError
from converter.options import Options
from converter.readers import pdf
from converter.words import account

# Three print pages with a running header, a page number in the footer, headings in a
# larger bold font, a list, a table, and a compound word hyphenated at a line end.
HTML = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Harbour Town Council annual review</title>
<style>
@page { size: A4; margin: 30mm 25mm;
  @top-center { content: "Harbour Town Council annual review"; font-size: 8pt }
  @bottom-right { content: counter(page); font-size: 10pt } }
body { font-family: sans-serif; font-size: 12pt; line-height: 1.3 }
h1 { font-size: 26pt } h2 { font-size: 15pt }
.new { break-before: page }
td, th { padding: 4pt 12pt; text-align: left }
</style></head><body>
<h1>Harbour Town Council annual review</h1>
<p>This review looks at how the council kept its promises over the year. It was written
by the audit team after visiting every service in the town.</p>
<h2>What went well</h2>
<ul><li>Bins were collected on time in every ward.</li>
<li>The library opened on Sundays for the first time.</li></ul>
<p>Residents said the new service was well-<br>regarded by families and that waiting
times were shorter than before.</p>
<h2 class="new">Services in numbers</h2>
<table><thead><tr><th>Service</th><th>Visits</th></tr></thead>
<tbody><tr><td>Library</td><td>12000</td></tr><tr><td>Swimming pool</td><td>8500</td></tr></tbody></table>
<p>The pool was closed for repairs in March, which explains the lower figure for the
spring quarter of the year.</p>
<h2 class="new">What needs to change</h2>
<p>The council should publish its accounts sooner, and it should answer letters
within ten working days.</p>
</body></html>
"""


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    from weasyprint import HTML as Document

    return bytes(Document(string=HTML).write_pdf(pdf_variant="pdf/ua-1"))


@pytest.fixture(scope="module")
def tree(sample_pdf: bytes) -> etree._Element:
    return api.parse(sample_pdf, format="pdf").getroot()


def text(element: etree._Element) -> str:
    return " ".join("".join(str(t) for t in element.itertext()).split())


def test_print_pages_kept(tree: etree._Element) -> None:
    source = tree.find("meta/source")
    assert source is not None
    assert (source.get("format"), source.get("pages")) == ("pdf", "3")
    assert [b.get("page") for b in tree.iterfind(".//pagebreak")] == ["2", "3"]


def test_running_header_and_page_numbers_are_artifacts_of_their_page(
    tree: etree._Element,
) -> None:
    artifacts = [(a.get("reason"), a.get("page"), a.text) for a in tree.iterfind("artifacts/*")]
    title = "Harbour Town Council annual review"
    headers = [(page, t) for reason, page, t in artifacts if reason == "running-header"]
    assert headers == [("1", title), ("2", title), ("3", title)]
    numbers = [(page, t) for reason, page, t in artifacts if reason == "page-number"]
    assert numbers == [("1", "1"), ("2", "2"), ("3", "3")]
    # The header's text is gone from the body but the title stays as the title.
    assert tree.findtext("meta/title") == title
    assert title not in text(tree.find("body"))  # type: ignore[arg-type]


def test_language_from_the_catalog(tree: etree._Element) -> None:
    assert tree.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"


def test_headings_lists_and_hyphenation(tree: etree._Element) -> None:
    headings = [text(h) for h in tree.iterfind("body//section/heading")]
    assert headings == ["What went well", "Services in numbers", "What needs to change"]
    items = [text(i) for i in tree.iterfind("body//list/item")]
    assert items == [
        "Bins were collected on time in every ward.",
        "The library opened on Sundays for the first time.",
    ]
    body = text(tree.find("body"))  # type: ignore[arg-type]
    assert "was well-regarded by families" in body


def test_table_cells_from_positions(tree: etree._Element) -> None:
    body = text(tree.find("body"))  # type: ignore[arg-type]
    for cell in ("Service", "Visits", "Library", "12000", "Swimming pool", "8500"):
        assert cell in body


def test_nothing_lost(sample_pdf: bytes, tree: etree._Element) -> None:
    words = account(pdf.text_layer(sample_pdf), tree)
    assert words.ok, (words.lost, words.invented)


def test_line_end_hyphen_is_kept_and_joined(sample_pdf: bytes) -> None:
    layouts, _ = pdf.extract(sample_pdf, name="x.pdf")
    extraction = pdf.source_lines(layouts)
    texts = [line.text for line in extraction.content]
    joined = [t for t in texts if "well-regarded" in t]
    assert joined and joined[0].endswith("well-regarded")
    assert not any(t.startswith("regarded") for t in texts)


def test_layout_hints_reach_structure_recovery(sample_pdf: bytes) -> None:
    layouts, info = pdf.extract(sample_pdf, name="x.pdf")
    assert info.tagged and info.pages == 3 and info.language == "en-GB"
    lines = {line.text: line for line in pdf.source_lines(layouts).content}
    heading, body = (
        lines["What went well"],
        lines["\u2022 Bins were collected on time in every ward."],
    )
    assert heading.bold and not body.bold
    assert heading.font_size and body.font_size and heading.font_size > body.font_size
    assert heading.x is not None and body.x is not None and body.x > heading.x


# --- bad PDFs -----------------------------------------------------------------------------


def blank_pdf(pages: int = 1, *, image: bool = False) -> bytes:
    document = pikepdf.new()
    for _ in range(pages):
        page = document.add_blank_page(page_size=(595, 842))
        if image:
            picture = pikepdf.Stream(document, b"\x00\xff\xff\x00")
            picture.Type, picture.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
            picture.Width, picture.Height, picture.BitsPerComponent = 2, 2, 8
            picture.ColorSpace = pikepdf.Name.DeviceGray
            page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=picture))
            page.Contents = pikepdf.Stream(document, b"q 500 0 0 700 40 60 cm /Im0 Do Q")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def refused(data: bytes) -> str:
    with pytest.raises(InputError) as caught:
        api.parse(data, format="pdf")
    return str(caught.value)


def test_encrypted(sample_pdf: bytes) -> None:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(sample_pdf)) as document:
        document.save(out, encryption=pikepdf.Encryption(owner="owner", user="secret"))
    assert "encrypted" in refused(out.getvalue())


def test_truncated(sample_pdf: bytes) -> None:
    assert "truncated" in refused(sample_pdf[: len(sample_pdf) // 2])


def test_damaged(sample_pdf: bytes) -> None:
    damaged = b"%PDF-1.7\n" + b"\x00garbage " * 500 + b"\n%%EOF\n"
    assert "damaged" in refused(damaged)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"Just some words in a text file.\n", "not a PDF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "not a PDF"),
    ],
    ids=["text", "png"],
)
def test_not_a_pdf(data: bytes, says: str) -> None:
    assert says in refused(data)


def test_image_only_needs_ocr() -> None:
    message = refused(blank_pdf(2, image=True))
    assert "no text layer" in message and "OCR" in message


def test_no_text_at_all() -> None:
    assert "no text" in refused(blank_pdf(1))


def test_too_many_pages() -> None:
    message = refused(blank_pdf(pdf.MAX_PAGES + 1))
    assert f"over the limit of {pdf.MAX_PAGES}" in message


def test_too_large(sample_pdf: bytes) -> None:
    with pytest.raises(InputError, match="over the limit"):
        api.parse(sample_pdf, format="pdf", options=Options(max_input_bytes=1024))


def test_cli_reports_one_line_not_a_traceback(tmp_path: object) -> None:
    from click.testing import CliRunner

    from converter.cli import main

    path = tmp_path / "report.pdf"  # type: ignore[operator]
    path.write_bytes(b"%PDF-1.4\n" + b"x" * 100)
    result = CliRunner().invoke(main, [str(path), "--to", "xml", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "report.pdf" in result.output and "truncated" in result.output
