"""The shared XHTML translator: every schema element has a translation, unknown ones fail."""

from __future__ import annotations

from collections import Counter
from importlib import resources

import pytest
from conftest import FIXTURES
from lxml import etree

from converter import tree as canonical
from converter.words import RENDERED_PARTS, tree_words, words
from converter.writers import xhtml

EVERY_ELEMENT = FIXTURES / "xml" / "xhtml-every-element.xml"
RNG = "{http://relaxng.org/ns/structure/1.0}"


def schema_element_names() -> set[str]:
    data = resources.files("converter.schema").joinpath("report.rng").read_bytes()
    grammar = etree.fromstring(data, canonical.safe_parser())
    return {element.get("name") for element in grammar.iter(f"{RNG}element")}


def load(path=EVERY_ELEMENT) -> etree._Element:
    return etree.parse(str(path), canonical.safe_parser()).getroot()


def test_schema_has_the_elements_we_expect() -> None:
    names = schema_element_names()
    assert {"report", "section", "table", "cell", "noteref", "pagebreak"} <= names
    assert len(names) > 30


@pytest.mark.parametrize("name", sorted(schema_element_names()))
def test_every_schema_element_has_a_translation(name: str) -> None:
    translator = xhtml.XhtmlTranslator()
    handled = (
        hasattr(translator, f"visit_{name}")
        or name in xhtml.INLINE_TRANSLATED
        or name in xhtml.TRANSLATED_BY_PARENT
        or name in xhtml.NOT_RENDERED
    )
    assert handled, f"<{name}> has no XHTML translation and is not declared as not rendered"
    # Declared in one place only: a translated element is never also "not rendered".
    assert not (name in xhtml.NOT_RENDERED and hasattr(translator, f"visit_{name}"))


def test_fixture_holds_every_schema_element() -> None:
    root = load()
    assert canonical.schema_errors(root) == []
    assert {element.tag for element in root.iter() if isinstance(element.tag, str)} == (
        schema_element_names()
    )


def rendered_words(root: etree._Element) -> list[str]:
    """The words every writer must render, in reading order (numbers and labels included)."""
    pieces: list[str] = []

    def walk(element: etree._Element) -> None:
        if element.tag == "description":
            return  # an image's description is its alternative text, not printed text
        if element.tag in ("p", "item", "note"):
            pieces.append(element.get("n") or element.get("label") or "")
        pieces.append(element.text or "")
        for child in element:
            if isinstance(child.tag, str):
                walk(child)
            pieces.append(child.tail or "")

    for part in RENDERED_PARTS:
        for element in root.iterfind(part):
            walk(element)
            pieces.append(" ")
    return words(" ".join(pieces))


def in_order(expected: list[str], found: list[str]) -> list[str]:
    """The expected words missing from ``found`` taken in order (empty: all there, in order)."""
    missing, position = [], 0
    for word in expected:
        try:
            position = found.index(word, position) + 1
        except ValueError:
            missing.append(word)
    return missing


def test_every_rendered_word_reaches_the_html_in_order() -> None:
    root = load()
    document = xhtml.translate_report(root)
    expected = rendered_words(root)
    descriptions = Counter(w for d in root.iter("description") for w in words(d.text or ""))
    assert Counter(expected) + descriptions == tree_words(root, parts=RENDERED_PARTS)
    html_words = words(" ".join(document.html.find("body").itertext()))
    assert in_order(expected, html_words) == []
    alt = " ".join(img.get("alt", "") for img in document.html.iter("img"))
    pictures = Counter(w for s in root.iter("symbol") for w in words(s.get("alt", "")))
    assert Counter(words(alt)) == descriptions + pictures  # an Easy Read picture's alt text too


def test_semantics() -> None:
    html = xhtml.translate_report(load()).html
    assert html.get("lang") == "en-GB"
    assert html.find("body/header/h1").text.startswith("Inspection of Riverside")
    assert html.find("body/main") is not None and html.find("body/footer") is not None
    table = html.find(".//table[@id='judgements']")
    assert table.find("caption").text == "Judgements and grades"
    assert [th.get("scope") for th in table.iter("th")] == ["col", "col", "row", "row"]
    assert html.find(".//abbr").get("title") == "Riverside Borough Council"
    assert html.find(".//span[@lang='fr']") is not None
    assert html.find(".//ol/li/ul/li") is not None  # nested list inside its item
    assert html.find(".//p[@id='p-1']/span[@class='number']").text == "1."
    levels = [h.tag for h in html.iter("h1", "h2", "h3", "h4")]
    assert levels == ["h1", "h2", "h3", "h3", "h2", "h2", "h2"]
    assert not list(html.iter("script", "link"))
    [figure] = html.iter("figure")
    img = figure.find("img")
    assert img.get("alt").startswith("A bar chart: referrals answered")
    assert img.get("src").startswith("data:image/png;base64,")  # self-contained
    assert (img.get("width"), img.get("style")) == ("6", "width: 6px")  # never enlarged
    assert figure.find("figcaption").text == "Figure 1: Referrals answered within a day"
    assert "Riverside inspection report" not in etree.tostring(html, encoding="unicode")
    # An Easy Read line: its picture (with its alt text) on the left, its words beside it.
    line = html.find(".//div[@id='line-1']")
    assert line.get("class") == "easy-line"
    assert line.find("img").get("alt") == "A hand giving a thumbs up"
    assert line.find("img").get("src").startswith("data:image/svg+xml;base64,")
    assert line.find("p/strong").text == "good"
    assert html.find(".//div[@id='line-2']").get("class") == "easy-line continues no-symbol"
    assert html.find(".//section[@id='easy-read-lines']").get("class") == "role-hard-words"


def test_figures_decorative_undescribed_and_not_included() -> None:
    root = load()
    figure = root.find(".//figure")
    section = figure.getparent()
    decorative = etree.SubElement(section, "figure", id="f-decorative", decorative="true")
    decorative.append(etree.fromstring(etree.tostring(figure.find("image"))))
    undescribed = etree.SubElement(section, "figure", id="f-undescribed")
    undescribed.append(etree.fromstring(etree.tostring(figure.find("image"))))
    linked = etree.SubElement(section, "figure", id="f-linked")
    etree.SubElement(linked, "image", name="https://example.org/chart.png")
    etree.SubElement(linked, "description").text = "A chart of visits"
    html = xhtml.translate_report(root).html
    shown = html.find(".//div[@id='f-decorative']/img")
    assert (shown.get("alt"), shown.get("role")) == ("", "presentation")
    assert (
        html.find(".//figure[@id='f-undescribed']/img").get("alt") == "image without a description"
    )
    text = html.find(".//figure[@id='f-linked']/p").text
    assert text == "Image (not included in this copy): A chart of visits"
    assert "example.org" not in etree.tostring(html, encoding="unicode")  # never fetched


def test_unsafe_link_is_text_not_a_link() -> None:
    root = load()
    link = root.find(".//a")
    link.set("href", "javascript:alert(1)")
    html = xhtml.translate_report(root).html
    assert html.find(".//a[@href='javascript:alert(1)']") is None
    assert html.find(".//span[@class='link']").text == "the Ofsted website"


def test_unknown_block_element_is_an_error() -> None:
    root = load()
    etree.SubElement(root.find("body"), "sidebar", id="f1")
    with pytest.raises(xhtml.TranslationError, match="sidebar"):
        xhtml.translate_report(root)


def test_unknown_inline_element_is_an_error() -> None:
    root = load()
    etree.SubElement(root.find(".//p[@id='p-1']"), "blink").text = "x"
    with pytest.raises(xhtml.TranslationError, match="blink"):
        xhtml.translate_report(root)


def test_epub_signatures_keep_working() -> None:
    document = xhtml.translate_report(load(), epub=True)
    epub_type = f"{{{xhtml.OPS_NS}}}type"
    assert any(e.get(epub_type) == "footnote" for e in document.html.iter())
    assert [h.id for h in document.headings][:2] == ["title", "summary-heading"]
    assert [page for page, _ in document.page_ids] == ["2", "2a"]
    namespaced = xhtml.to_xhtml(document.html)
    assert namespaced.tag == f"{{{xhtml.XHTML_NS}}}html"
    assert namespaced.find(f"{{{xhtml.XHTML_NS}}}body") is not None
    etree.fromstring(etree.tostring(namespaced))  # well-formed XML


def test_serialized_html_is_html5() -> None:
    data = xhtml.serialize_html(xhtml.translate_report(load()).html)
    assert data.startswith(b"<!DOCTYPE html>\n<html")


def test_ids_the_translator_adds_never_clash_with_the_trees() -> None:
    from lxml import etree as lxml_etree

    from converter.writers.xhtml import translate_report

    root = lxml_etree.fromstring(
        b"<report schema-version='1.0' xml:lang='en'><meta><title>T</title><kind>generic</kind>"
        b"<source name='t' sha256='" + b"0" * 64 + b"' format='txt'/></meta><body>"
        b"<section id='main'><heading id='contents-heading'>Contents</heading><p id='title'>x</p></section>"
        b"<section id='back-matter'><heading id='title-block'>Main</heading><p id='contents'>y</p></section>"
        b"</body></report>"
    )
    document = translate_report(root, contents=True)
    ids = [element.get("id") for element in document.html.iter() if element.get("id")]
    assert len(ids) == len(set(ids)), ids
    assert {"main", "contents-heading", "title", "back-matter", "title-block", "contents"} <= set(
        ids
    )
