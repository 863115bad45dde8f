"""The DOCX reader on a document made with python-docx holding every construct it knows."""

from __future__ import annotations

import base64
import hashlib

import pytest
from lxml import etree
from support import word

from converter import images, readers
from converter.review import review
from converter.tree import XML_LANG

Element = etree._Element


@pytest.fixture(scope="module")
def data() -> bytes:
    return word.feature_docx()


@pytest.fixture(scope="module")
def root(data: bytes) -> Element:
    return readers.read(data, name="feature.docx")


def text(element: Element | None) -> str:
    assert element is not None
    return " ".join("".join(element.itertext()).split())


def own_text(item: Element) -> str:
    """An item's text without the lists nested in it."""
    parts = [item.text or ""]
    for child in item:
        if child.tag != "list":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def test_title_subtitle_language_and_source(root: Element) -> None:
    # The Title style wins over the template's stale core property.
    assert root.findtext("meta/title") == "Parish services review"
    assert root.findtext("meta/subtitle") == "A fixture for the DOCX reader"
    assert root.findtext("meta/subject") == "Fixture subject"
    assert root.get(XML_LANG) == "en-GB"
    source = root.find("meta/source")
    assert source is not None and source.get("format") == "docx" and source.get("pages") == "2"
    # The title left the body; the contents heading and the empty paragraph are not content.
    body_text = text(root.find("body"))
    assert "Parish services review" not in body_text
    assert "Contents placeholder" not in body_text


def test_headings_nest_by_style_and_a_style_based_on_a_heading(root: Element) -> None:
    outline = [
        (len(list(h.iterancestors("section"))), text(h)) for h in root.iterfind("body//heading")
    ]
    assert outline[:4] == [
        (1, "Findings"),
        (2, "Services for older people"),
        (2, "Custom heading style"),  # "Report Section" is based on Heading 2
        (1, "Pictures"),
    ]


def test_lists_with_levels_and_the_labels_word_prints(root: Element) -> None:
    bullets, steps, options = root.findall("body//section/list")[:3]
    assert bullets.get("type") == "bullet"
    assert [own_text(i) for i in bullets.iterfind("item")] == [
        "Volunteers run it",
        "Meals cost two pounds",
        "Bookings are by phone",
    ]
    nested = bullets.find("item/list")
    assert nested is not None and text(nested) == "Transport is arranged"
    assert steps.get("type") == "ordered"
    assert [i.get("label") for i in steps.iterfind("item")] == ["1.", "2.", "3."]
    assert [i.get("label") for i in options.iterfind("item")] == ["(a)", "(b)"]
    detail = options.find("item/list/item")
    assert detail is not None and detail.get("label") == "I." and own_text(detail) == "A detail"


def test_table_with_header_row_merged_cells_and_caption(root: Element) -> None:
    table = root.find("body//table")
    assert table is not None
    assert text(table.find("caption")) == "Table 1: Attendance by club"
    head = table.findall("head/row/cell")
    assert [text(c) for c in head] == ["Club", "Members", "Meetings"]
    assert all(c.get("header") == "true" and c.get("scope") == "col" for c in head)
    rows = table.findall("row")
    assert rows[0].find("cell").get("rowspan") == "2"  # type: ignore[union-attr]
    assert text(rows[0].find("cell")) == "Lunch and youth clubs"
    assert [c.get("colspan") for c in rows[1]] == ["2"]
    assert [text(c) for c in rows[2]] == ["Choir", "12", "30"]


def test_footnote_and_endnote_are_notes_cited_where_they_stand(root: Element) -> None:
    refs = {ref.get("ref"): ref.text for ref in root.iter("noteref")}
    notes = {note.get("id"): note for note in root.iter("note")}
    assert set(refs) == set(notes) and len(notes) == 2
    footnote = next(n for n in notes.values() if text(n).startswith("Built"))
    endnote = next(n for n in notes.values() if text(n).startswith("Extended"))
    assert footnote.get("label") == "1" and refs[footnote.get("id")] == "1"
    assert endnote.get("label") == "i"  # Word numbers endnotes i, ii, iii
    # The footnote follows the paragraph that cites it; the endnote ends the document.
    assert footnote.getprevious() is not None and "1902" in text(footnote.getprevious())
    assert list(root.find("body").iter("note"))[-1] is endnote  # type: ignore[union-attr]


def test_emphasis_link_and_language(root: Element) -> None:
    first = root.find("body/p")
    assert first is not None
    assert text(first.find("strong")) == "March" and text(first.find("em")) == "finished"
    link = first.find("a")
    assert link is not None and link.get("href") == "https://www.example.org/parish"
    span = first.find("span")
    assert span is not None and span.get(XML_LANG) == "fr-FR" and text(span) == "liberté"


def test_images_keep_their_bytes_descriptions_and_decorative_mark(root: Element) -> None:
    figures = root.findall(".//figure")
    assert len(figures) == 4
    chart, border, undescribed, photo = figures
    assert chart.findtext("description") == (
        "A bar chart of club members: lunch club 40, youth club 25."
    )
    assert text(chart.find("caption")) == "Figure 1: Members by club"  # the caption below it
    assert border.get("decorative") == "true" and border.find("description") is None
    assert undescribed.find("description") is None and undescribed.get("decorative") is None
    assert photo.findtext("description") == "The parish hall, from the south"  # its title
    for figure in figures:
        ref = figure.find("image").get("ref")  # type: ignore[union-attr]
        stored = images.load(root, ref)  # type: ignore[arg-type]
        assert hashlib.sha256(stored.data).hexdigest() == ref
        assert stored.media_type == "image/png"  # the TIFF photo was converted
    assert len(root.findall("resources/resource")) == 4
    resource = root.find("resources/resource")
    assert resource is not None and base64.b64decode(resource.text or "")[:4] == b"\x89PNG"


def test_page_break(root: Element) -> None:
    breaks = root.findall(".//pagebreak")
    assert [b.get("page") for b in breaks] == ["2"]
    heading = next(h for h in root.iter("heading") if text(h) == "Made by hand")
    assert heading.get("page") == "2"


def test_structure_typed_by_hand_is_recovered(root: Element) -> None:
    section = next(s for s in root.iter("section") if text(s.find("heading")) == "Made by hand")
    assert section.find("heading/strong") is None  # its bold was the heading's look
    numbered = section.findall("p[@n]")
    assert [p.get("n") for p in numbered] == ["1", "2", "3", "4", "5", "6"]
    assert text(numbered[0]).startswith("Numbered paragraph 1 says")  # the typed number is @n
    typed = section.find("list")
    assert typed is not None and typed.get("type") == "ordered"
    assert [(i.get("label"), text(i)) for i in typed.iterfind("item")] == [
        ("1.", "apples"),
        ("2.", "pears"),
        ("3.", "plums"),
    ]


def test_tracked_changes_accepted_comments_and_hidden_text_left_out(root: Element) -> None:
    body = text(root.find("body"))
    assert "The report was finally approved." in body
    assert "never" not in body.split()  # the deleted word
    assert "Comment words" not in body and "Hidden words" not in body
    assert root.find("meta/source").get("tracked-changes") == "2"  # type: ignore[union-attr]


def test_review_names_the_image_without_description_and_the_pending_changes(
    root: Element,
) -> None:
    findings = review(root)
    rules = [f.rule for f in findings]
    assert rules.count("image-without-description") == 1
    image = next(f for f in findings if f.rule == "image-without-description")
    assert "Picture 3" in image.message and "page 1" in image.message
    assert "pending-changes" in rules


def test_detected_by_content_whatever_the_name(data: bytes) -> None:
    assert readers.reader_for(None, "report.txt", data).name == "docx"
    assert readers.reader_for(None, None, data).name == "docx"
    assert readers.read(data, name="no-extension").findtext("meta/title") == (
        "Parish services review"
    )


def test_a_macro_enabled_document_is_read_its_macros_never(data: bytes) -> None:
    macro = readers.read(word.docm(data), name="feature.docm")
    plain = readers.read(data, name="feature.docx")
    assert text(macro.find("body")) == text(plain.find("body"))


def test_a_long_document_reads(tmp_path: object) -> None:
    root = readers.read(word.long_docx(pages=5), name="long.docx")
    assert len(root.findall(".//p[@n]")) == 15
    assert len(root.findall("body/section")) == 5
    assert root.find("meta/source").get("pages") == "6"  # type: ignore[union-attr]


def _document(paragraphs: list[str]) -> bytes:
    """A document whose body is the given raw paragraphs (WordprocessingML)."""
    import io

    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    body = document.element.body
    for xml in paragraphs:
        body.insert(len(body) - 1, parse_xml(f"<w:p {nsdecls('w', 'wp', 'a', 'r')}>{xml}</w:p>"))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_pages_as_word_last_laid_them_out() -> None:
    """Where Word recorded its own page breaks (w:lastRenderedPageBreak), they are the
    pages, the explicit break among them counted once."""
    data = _document(
        [
            "<w:r><w:t>First page text.</w:t></w:r>",
            "<w:r><w:lastRenderedPageBreak/><w:t>Second page, then a break</w:t>"
            '<w:br w:type="page"/></w:r>',
            "<w:r><w:lastRenderedPageBreak/><w:t>Third page.</w:t></w:r>",
        ]
    )
    root = readers.read(data, name="rendered.docx")
    assert [b.get("page") for b in root.iter("pagebreak")] == ["2", "3"]
    assert root.find("meta/source").get("pages") == "3"  # type: ignore[union-attr]


def test_a_text_box_is_content() -> None:
    box = (
        "<w:r><w:drawing><wp:anchor><wp:docPr id='5' name='Text Box 5'/><a:graphic>"
        "<a:graphicData uri='http://schemas.microsoft.com/office/word/2010/wordprocessingShape'>"
        "<wps:wsp xmlns:wps='http://schemas.microsoft.com/office/word/2010/wordprocessingShape'>"
        "<wps:txbx><w:txbxContent><w:p><w:r><w:t>Words in a box.</w:t></w:r></w:p>"
        "</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor>"
        "</w:drawing></w:r>"
    )
    root = readers.read(
        _document(
            [
                "<w:pPr><w:pStyle w:val='Title'/></w:pPr><w:r><w:t>Boxes</w:t></w:r>",
                "<w:r><w:t>Before the box.</w:t></w:r>" + box,
            ]
        ),
        name="box.docx",
    )
    paragraphs = [text(p) for p in root.iter("p")]
    assert paragraphs == ["Before the box.", "Words in a box."]
    assert root.find(".//figure") is None  # a shape with text is no picture


def test_a_contents_page_written_out_and_numbered_paragraphs_of_our_copies() -> None:
    """Contents entries written out as text ("toc 1" paragraphs outside a TOC field, as a
    copy of ours writes a source's own contents page) are the document's contents list,
    their page numbers (PAGEREF results) left out as print artifacts; Word's generated
    contents (a TOC field) are not; a number in the Paragraph Number style is a numbered
    paragraph's number."""
    import io

    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    for name in ("toc 1", "toc 2"):
        document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    number_style = document.styles.add_style("Paragraph Number", WD_STYLE_TYPE.CHARACTER)
    ids = {name: document.styles[name].style_id for name in ("toc 1", "toc 2")}

    def entry(style: str, words: str, page: str) -> str:
        return (
            f"<w:pPr><w:pStyle w:val='{ids[style]}'/></w:pPr>"
            f"<w:hyperlink w:anchor='part'><w:r><w:t>{words}</w:t></w:r></w:hyperlink>"
            "<w:r><w:tab/></w:r><w:r><w:fldChar w:fldCharType='begin'/></w:r>"
            "<w:r><w:instrText xml:space='preserve'> PAGEREF part \\h </w:instrText></w:r>"
            "<w:r><w:fldChar w:fldCharType='separate'/></w:r>"
            f"<w:r><w:t>{page}</w:t></w:r><w:r><w:fldChar w:fldCharType='end'/></w:r>"
        )

    generated = (
        f"<w:pPr><w:pStyle w:val='{ids['toc 1']}'/></w:pPr>"
        "<w:r><w:fldChar w:fldCharType='begin'/></w:r>"
        "<w:r><w:instrText xml:space='preserve'> TOC \\o </w:instrText></w:r>"
        "<w:r><w:fldChar w:fldCharType='separate'/></w:r>"
        "<w:r><w:t>Generated entry</w:t></w:r><w:r><w:fldChar w:fldCharType='end'/></w:r>"
    )
    paragraphs = [
        "<w:pPr><w:pStyle w:val='Title'/></w:pPr><w:r><w:t>A report</w:t></w:r>",
        "<w:pPr><w:pStyle w:val='Heading1'/></w:pPr><w:r><w:t>Contents</w:t></w:r>",
        entry("toc 1", "The first part", "3"),
        entry("toc 2", "A part of it", "4"),
        generated,
        "<w:pPr><w:pStyle w:val='Heading1'/></w:pPr><w:bookmarkStart w:id='1' w:name='part'/>"
        "<w:r><w:t>The first part</w:t></w:r><w:bookmarkEnd w:id='1'/>",
        f"<w:r><w:rPr><w:rStyle w:val='{number_style.style_id}'/></w:rPr>"
        "<w:t xml:space='preserve'>7. </w:t></w:r><w:r><w:t>Seven is the number.</w:t></w:r>",
    ]
    body = document.element.body
    for xml in paragraphs:
        body.insert(len(body) - 1, parse_xml(f"<w:p {nsdecls('w', 'r')}>{xml}</w:p>"))
    out = io.BytesIO()
    document.save(out)
    root = readers.read(out.getvalue(), name="contents.docx")
    contents = root.find(".//section/list")
    assert contents is not None
    assert [own_text(i) for i in contents.iterfind("item")] == ["The first part"]
    assert [own_text(i) for i in contents.iterfind("item/list/item")] == ["A part of it"]
    words = text(root.find("body"))
    assert "Generated entry" not in words and " 3" not in words and " 4" not in words
    [numbered] = root.findall(".//p[@n]")
    assert numbered.get("n") == "7" and text(numbered) == "Seven is the number."
