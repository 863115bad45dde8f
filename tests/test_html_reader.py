"""The HTML reader on a publication page shaped like GOV.UK's: the main content only, its
structure as marked up, and nothing the page names fetched."""

from __future__ import annotations

import pytest
from conftest import FIXTURES
from lxml import etree

from converter import images, readers
from converter.errors import InputError
from converter.review import review
from converter.tree import XML_LANG

Element = etree._Element
PAGE = FIXTURES / "html" / "publication-page.html"


def text(element: Element | None) -> str:
    assert element is not None
    return " ".join("".join(element.itertext()).split())


def page(base: str = "http://127.0.0.1:9") -> bytes:
    return PAGE.read_bytes().replace(b"REMOTE", base.encode())


@pytest.fixture(scope="module")
def root() -> Element:
    return readers.read(page(), name="publication.html")


def test_title_language_and_main_content_only(root: Element) -> None:
    assert root.findtext("meta/title") == "Village services report"
    assert root.get(XML_LANG) == "en-GB"
    assert root.find("meta/source").get("format") == "html"  # type: ignore[union-attr]
    body = text(root.find("body"))
    for furniture in (
        "Skip to main content",  # the skip link, outside main
        "GOV.UK",  # the site header
        "Home",  # the breadcrumbs
        "Search",  # the form
        "Related content",  # the aside
        "Support links",  # the site footer
        "Hidden words",
        "fetch(",  # the scripts
        "background",  # the styles
    ):
        assert furniture not in body, furniture
    assert "How the parish looks after its residents" in body
    assert "Text in a styled box." in body


def test_headings_lists_and_description_list(root: Element) -> None:
    outline = [
        (len(list(h.iterancestors("section"))), text(h)) for h in root.iterfind("body//heading")
    ]
    assert outline == [(1, "Summary"), (1, "Findings"), (2, "Clubs"), (1, "Footnotes")]
    bullets, letters = root.findall(".//section/list")
    nested = bullets.find("item/list/item")
    assert nested is not None and text(nested) == "Its members chose the name."
    assert [i.get("label") for i in letters.iterfind("item")] == ["c.", "d."]  # start=3 type=a
    terms = root.findall(".//table")[0]
    assert [(c.get("scope"), text(c)) for c in terms.iterfind("row/cell[@header]")] == [
        ("row", "Population"),
        ("row", "Clubs"),
    ]


def test_table_scope_spans_and_caption(root: Element) -> None:
    table = root.findall(".//table")[1]
    assert text(table.find("caption")) == "Attendance by club"
    assert [c.get("scope") for c in table.iterfind("head/row/cell")] == ["col", "col", "col"]
    rows = table.findall("row")
    assert rows[0].find("cell").get("scope") == "row"  # type: ignore[union-attr]
    assert rows[0].findall("cell")[2].get("rowspan") == "2"
    assert rows[2].find("cell").get("colspan") == "3"  # type: ignore[union-attr]


def test_inline_markup_language_quotes_and_notes(root: Element) -> None:
    summary = root.find(".//section/p")
    assert summary is not None
    assert text(summary.find("strong")) == "three clubs"
    assert summary.find("abbr").get("title") == "Parish Council Association"  # type: ignore[union-attr]
    assert summary.find("a").get("href") == "https://www.example.org/guidance"  # type: ignore[union-attr]
    ref = summary.find("noteref")
    [note] = root.findall(".//note")
    assert ref is not None and ref.get("ref") == note.get("id") and ref.text == "1"
    assert text(note) == "Figures from the parish office."  # the back link left out
    welsh = root.find(".//p/span")
    assert welsh is not None and welsh.get(XML_LANG) == "cy"
    assert root.find(".//p/quote") is not None  # <q> and the blockquote


def test_images_only_from_the_page_itself(root: Element) -> None:
    chart, rule, photo, undescribed = root.findall(".//figure")
    assert chart.findtext("description", "").startswith("A bar chart of members")
    assert text(chart.find("caption")) == "Figure 1: Members by club"
    assert images.load(root, chart.find("image").get("ref")).width == 4  # type: ignore[union-attr, arg-type]
    assert rule.get("decorative") == "true"  # alt=""
    # A remote picture is named, never fetched; its description stays.
    assert photo.find("image").get("ref") is None  # type: ignore[union-attr]
    assert photo.find("image").get("name", "").endswith("/photo.jpg")  # type: ignore[union-attr]
    assert photo.findtext("description") == "The village hall from the south."
    missing = [f for f in review(root) if f.rule == "image-without-description"]
    assert [f.element for f in missing] == [undescribed.get("id")]
    assert "undescribed.png" in missing[0].message


def test_detected_by_content() -> None:
    assert readers.reader_for(None, "page.txt", page()).name == "html"
    assert (
        readers.reader_for(None, None, b"\xef\xbb\xbf<!-- x --><!DOCTYPE html><p>").name == "html"
    )


def test_declared_charset_and_empty_page() -> None:
    latin = "<html><head><meta charset='windows-1252'></head><body><p>Caf\xe9</p></body></html>"
    root = readers.read(latin.encode("cp1252"), name="cafe.html")
    assert text(root.find("body")) == "Café"
    with pytest.raises(InputError):
        readers.read(b"<html><body></body></html>", name="empty.html", format="html")


def test_the_documents_own_contents_page_is_content_other_navigation_not() -> None:
    """A nav whose role says it is the document's table of contents (doc-toc, as a copy
    of ours marks the source's own contents page) is a section with the contents role
    and its list; a page's other navigation stays out."""
    page_text = (
        "<!DOCTYPE html><html lang='en-GB'><head><title>Parish report</title></head><body>"
        "<main><h1>Parish report</h1>"
        "<nav aria-label='On this page'><ul><li><a href='#a'>Jump to the findings</a></li>"
        "</ul></nav>"
        "<nav role='doc-toc' aria-labelledby='c'><h2 id='c'>Contents</h2>"
        "<ul><li><a href='#a'>Findings</a></li><li>Annex</li></ul></nav>"
        "<section><h2 id='a'>Findings</h2><p>The hall is well used.</p></section>"
        "</main></body></html>"
    )
    root = readers.read(page_text.encode(), name="parish.html")
    contents = root.find("body/section[@role='contents']")
    assert contents is not None and text(contents.find("heading")) == "Contents"
    assert [text(i) for i in contents.iterfind("list/item")] == ["Findings", "Annex"]
    assert "Jump to the findings" not in text(root.find("body"))
