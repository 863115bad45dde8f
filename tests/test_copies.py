"""What a careful reader of the copies finds, across formats (issue 17): title pages that
say what a copy is, notes with links both ways, the source's own contents page as the
contents, headings for the untitled opening and back matter, captions, addresses in one
block, web addresses without angle brackets, British English, no missing glyph."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import FIXTURES, SAMPLE
from lxml import etree

from converter import Options, api
from converter.check import braille as braille_checks
from converter.check import check_file, verapdf
from converter.words import words
from converter.writers import braille, brf

NOTES = FIXTURES / "xml" / "notes-and-contents.xml"
UNDRAWABLE = FIXTURES / "xml" / "pdf-undrawable-characters.xml"
XHTML = "http://www.w3.org/1999/xhtml"
OPS = "{http://www.idpf.org/2007/ops}type"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def pdf_text(path: Path, *args: str) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, str(path), "-"], capture_output=True, check=True
    )
    return " ".join(done.stdout.decode("utf-8").split())


def html_of(path: Path) -> etree._Element:
    return etree.fromstring(path.read_bytes(), etree.HTMLParser())


def epub_files(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: etree.fromstring(archive.read(name))
            for name in archive.namelist()
            if name.endswith((".xhtml", ".opf"))
        }


def docx_part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def braille_text(path: Path) -> str:
    """The BRF back-translated, lines joined (for searching, not for counting)."""
    pages, _ = braille_checks.read_brf(path.read_bytes())
    code = braille.code_for("en-GB", 2)
    return " ".join(
        " ".join(braille.Translator(code).back_translate(line) for line in page if line)
        for page in pages
    )


# -- the title page: what this copy is, never a file name -----------------------------------


def test_title_pages_give_dates_edition_and_origin_but_no_file_name(render) -> None:  # type: ignore[no-untyped-def]
    first = pdf_text(render(SAMPLE, "pdf"), "-f", "1", "-l", "1")
    assert "Inspection dates: 22 November to 3 December 2021" in first
    assert "Large print edition: 18 point, black text on white." in first
    assert "Made by converter from the report published by Ofsted." in first
    assert ".txt" not in first and "made from the file" not in first
    docx = docx_part(render(SAMPLE, "docx"), "word/document.xml")
    front = " ".join(
        "".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in docx.iter(f"{{{W}}}p")
    )
    assert "Large print edition: 18 point" in front and ".txt" not in front
    epub = epub_files(render(SAMPLE, "epub"))
    title_page = " ".join("".join(epub["EPUB/title.xhtml"].itertext()).split())
    assert "Inspection dates: 22 November" in title_page and ".txt" not in title_page
    assert "Made by converter from the report published by Ofsted." in title_page
    title = braille_text(render(SAMPLE, "brf"))
    assert "Volume 1 of 1" in title and ".txt" not in title


def test_a_summary_says_this_program_wrote_it(render) -> None:  # type: ignore[no-untyped-def]
    first = pdf_text(render(SAMPLE, "pdf", Options(summary=True)), "-f", "1", "-l", "1")
    assert "written by converter, a computer program, not by Ofsted" in first
    assert "published by Ofsted" not in first


def test_the_title_page_is_one_page_at_giant_print(render) -> None:  # type: ignore[no-untyped-def]
    options = Options(profile="giant-32")
    path = render(SAMPLE, "pdf", options)
    results = {r.name: r for r in check_file(path, options).results}
    assert results["pdf-title-page"].status == "pass", results["pdf-title-page"].details
    assert "Made by converter" in pdf_text(path, "-f", "1", "-l", "1")


# -- notes: links to and back, epub:type, Word footnotes, UEB note indicators ---------------


def test_notes_in_html_link_both_ways_and_are_never_glued(render) -> None:  # type: ignore[no-untyped-def]
    html = html_of(render(NOTES, "html"))
    references = html.findall(".//a[@class='noteref']")
    assert [r.text for r in references] == ["[note 1]", "[note 2]", "[note 2]"]
    assert [r.get("id") for r in references] == ["ref-note-1", "ref-note-2", "ref-note-2-2"]
    for reference in references:
        assert reference.get("role") == "doc-noteref"
        before = reference.getprevious()
        text = before.tail if before is not None else reference.getparent().text
        assert text.endswith(" "), "a note reference is set off from the word before it"
        note = html.find(f".//aside[@id='{reference.get('href')[1:]}']")
        assert note is not None and note.get("role") == "doc-footnote"
    back = html.find(".//aside[@id='note-2']//a[@role='doc-backlink']")
    assert back is not None and back.get("href") == "#ref-note-2"
    assert html.find(".//aside[@id='note-3']//a[@role='doc-backlink']") is None  # never cited
    assert "Note 2:" in "".join(html.find(".//aside[@id='note-2']").itertext())


def test_notes_in_epub_are_footnotes_and_noterefs(render) -> None:  # type: ignore[no-untyped-def]
    path = render(NOTES, "epub")
    files = epub_files(path)
    asides = [a for f in files.values() for a in f.iter(f"{{{XHTML}}}aside")]
    refs = [a for f in files.values() for a in f.iter(f"{{{XHTML}}}a") if a.get(OPS) == "noteref"]
    assert {a.get(OPS) for a in asides} == {"footnote"}
    assert len(refs) == 3
    # Each cited note links back to where it is cited, in whichever file that is.
    where = {
        str(element.get("id")): name.removeprefix("EPUB/")
        for name, f in files.items()
        for element in f.iter()
        if element.get("id")
    }
    for aside in asides:
        backs = [a for a in aside.iter(f"{{{XHTML}}}a") if a.get("role") == "doc-backlink"]
        if aside.get("id") == "note-3":
            assert not backs  # never cited
            continue
        [back] = backs
        target_file, _, target_id = str(back.get("href")).rpartition("#")
        assert target_id.startswith("ref-") and where[target_id] == (
            target_file or where[str(aside.get("id"))]
        )
    report = check_file(path)
    assert report.passed, report.to_text()


def test_notes_in_pdf_link_to_the_note_and_back(render) -> None:  # type: ignore[no-untyped-def]
    path = render(NOTES, "pdf")
    text = pdf_text(path)
    assert "Most families get help early [note 2], and" in text
    assert "Note 2: Inspectors read 120 case files" in text
    with pikepdf.open(path) as pdf:
        targets = {
            str(a.Dest) for page in pdf.pages for a in page.get("/Annots", []) if "/Dest" in a
        }
    assert {"note-1", "note-2", "ref-note-1", "ref-note-2"} <= targets


def test_notes_in_docx_are_word_footnotes(render) -> None:  # type: ignore[no-untyped-def]
    path = render(NOTES, "docx")
    document = docx_part(path, "word/document.xml")
    references = list(document.iter(f"{{{W}}}footnoteReference"))
    assert [r.get(f"{{{W}}}id") for r in references] == ["1", "2"]
    footnotes = docx_part(path, "word/footnotes.xml")
    texts = {
        n.get(f"{{{W}}}id"): "".join(t.text or "" for t in n.iter(f"{{{W}}}t"))
        for n in footnotes.iter(f"{{{W}}}footnote")
    }
    assert texts["1"].strip().startswith("These are the areas")
    assert texts["2"].strip().startswith("Inspectors read 120 case files")
    body = "".join(t.text or "" for t in document.iter(f"{{{W}}}t"))
    assert "Inspectors read 120 case files" not in body  # a cited note is only a footnote
    assert "A note the text never cites" in body  # an uncited one stays where it was
    assert "early [note " in body  # set off by a space, in brackets, never glued
    # The link in the note resolves from the footnotes part.
    with zipfile.ZipFile(path) as archive:
        assert "word/_rels/footnotes.xml.rels" in archive.namelist()
    # Note 2 is cited twice: Word allows one reference a footnote, so the second citation
    # is a NOTEREF field to the bookmark around the first, showing the same number.
    bookmarks = {
        b.get(f"{{{W}}}name"): b.getnext()
        for b in document.iter(f"{{{W}}}bookmarkStart")
        if str(b.get(f"{{{W}}}name")).startswith("_Ref_note_")
    }
    assert {
        name: run.find(f"{{{W}}}footnoteReference").get(f"{{{W}}}id")
        for name, run in bookmarks.items()
    } == {
        "_Ref_note_1": "1",
        "_Ref_note_2": "2",
    }
    fields = [" ".join((t.text or "").split()) for t in document.iter(f"{{{W}}}instrText")]
    assert "NOTEREF _Ref_note_2 \\h" in fields
    # The number at body size and bold, never raised (LibreOffice draws footnote anchors
    # in the "footnote reference" style).
    styles = docx_part(path, "word/styles.xml")
    [style] = [
        s
        for s in styles.iter(f"{{{W}}}style")
        if s.find(f"{{{W}}}name").get(f"{{{W}}}val") == "footnote reference"
    ]
    assert style.find(f"{{{W}}}rPr/{{{W}}}vertAlign").get(f"{{{W}}}val") == "baseline"
    assert style.find(f"{{{W}}}rPr/{{{W}}}b") is not None
    style_id = style.get(f"{{{W}}}styleId")
    for run in bookmarks.values():
        assert run.find(f"{{{W}}}rPr/{{{W}}}rStyle").get(f"{{{W}}}val") == style_id


def test_notes_whose_marks_word_would_change_stay_in_the_text(tmp_path: Path) -> None:
    """Word numbers footnotes 1, 2, 3 in the order they are cited.  When that would give a
    note another mark than the source's (here note 1 is never cited, so note 2 would be
    footnote 1 beside a "Note 1" left in the text), every note stays where the source put
    it, each citation a link to it: one number never stands for two notes."""
    root = api.parse(NOTES).getroot()
    heading = root.find(".//section[@id='improve']/heading")
    heading.remove(heading.find("noteref"))
    [output] = api.convert(etree.tostring(root), ["docx"], Options(), tmp_path, source_format="xml")
    with zipfile.ZipFile(output.path) as archive:
        assert "word/footnotes.xml" not in archive.namelist()
    document = docx_part(output.path, "word/document.xml")
    assert not list(document.iter(f"{{{W}}}footnoteReference"))
    links = [
        (h.get(f"{{{W}}}anchor"), "".join(t.text or "" for t in h.iter(f"{{{W}}}t")))
        for h in document.iter(f"{{{W}}}hyperlink")
        if h.get(f"{{{W}}}anchor", "").startswith("note")
    ]
    assert links == [("note_2", "[note 2]"), ("note_2", "[note 2]")]
    body = "".join(t.text or "" for t in document.iter(f"{{{W}}}t"))
    for label in ("Note 1:", "Note 2:", "Note 3:"):
        assert body.count(label) == 1


def test_notes_in_braille_use_the_note_indicator_after_their_paragraph(render) -> None:  # type: ignore[no-untyped-def]
    pages, _ = braille_checks.read_brf(render(NOTES, "brf").read_bytes())
    lines = [line for page in pages for line in page]
    code = braille.code_for("en-GB", 2)
    translator = braille.Translator(code)
    mark = braille.NOTE_INDICATOR + braille.braille_number(2)
    citing = [
        i
        for i, line in enumerate(lines)
        if mark in line and not line.lstrip(braille.BLANK).startswith(mark)
    ]
    notes = [i for i, line in enumerate(lines) if line.lstrip(braille.BLANK).startswith(mark)]
    assert len(citing) == 2 and len(notes) == 1  # cited twice, laid out once
    assert citing[0] < notes[0]
    assert translator.translate("Inspectors") in "".join(lines[notes[0] : notes[0] + 2])
    # Never a bare digit glued to the word: the digit follows the note indicator.
    assert translator.translate("early") + mark in lines[citing[0]]


# -- the source's own contents page ---------------------------------------------------------


def test_the_source_contents_page_is_the_contents_in_every_format(render) -> None:  # type: ignore[no-untyped-def]
    entries = ["What needs to improve?", "Help and protection", "Leaders' work with partners"]
    html = html_of(render(NOTES, "html"))
    navs = html.findall(".//nav[@role='doc-toc']") + html.findall(".//nav[@class='contents']")
    assert len(navs) == 1, "one contents page, never ours beside the source's"
    links = {a.text: a.get("href") for a in navs[0].iter("a")}
    assert links["Help and protection"] == "#help-heading"
    assert links["What needs to improve?"] == "#improve-heading"
    assert "Annex: inspection methods" in "".join(navs[0].itertext())  # no section: text only

    pdf = pdf_text(render(NOTES, "pdf"))
    assert pdf.count("Contents") == 1
    assert re.search(r"Help and protection \u2013 page \d+", pdf)

    epub = render(NOTES, "epub")
    opf = epub_files(epub)["EPUB/content.opf"]
    spine = [i.get("idref") for i in opf.iter("{http://www.idpf.org/2007/opf}itemref")]
    assert "nav" not in spine  # navigation only: the source's contents is in the text

    document = docx_part(render(NOTES, "docx"), "word/document.xml")
    instructions = "".join(t.text or "" for t in document.iter(f"{{{W}}}instrText"))
    assert " TOC " not in instructions and "PAGEREF help_heading" in instructions

    text = braille_text(render(NOTES, "brf"))
    for entry in [*entries, "Annex: inspection methods"]:
        assert all(word in words(text) for word in words(entry))


def test_every_word_of_the_source_contents_reaches_every_output(render) -> None:  # type: ignore[no-untyped-def]
    root = api.parse(NOTES).getroot()
    entry_words = words(" ".join(root.find(".//section[@role='contents']").itertext()))
    outputs = {
        "html": " ".join(html_of(render(NOTES, "html")).itertext()),
        "pdf": pdf_text(render(NOTES, "pdf")),
        "epub": " ".join(
            " ".join(f.itertext()) for f in epub_files(render(NOTES, "epub")).values()
        ),
        "docx": " ".join(
            t.text or ""
            for t in docx_part(render(NOTES, "docx"), "word/document.xml").iter(f"{{{W}}}t")
        ),
        "brf": braille_text(render(NOTES, "brf")),
    }
    for name, text in outputs.items():
        found = words(text)
        assert all(word in found for word in entry_words), name


# -- headings for untitled parts, captions, addresses, web addresses -------------------------


def test_the_opening_and_the_back_matter_have_headings_and_contents_entries(render) -> None:  # type: ignore[no-untyped-def]
    contents = pdf_text(render(SAMPLE, "pdf"), "-f", "2", "-l", "2")
    assert re.search(r"Overview \u2013 page \d+", contents)
    assert re.search(r"About this document \u2013 page \d+", contents)
    assert "improve?, page" not in contents and re.search(r"improve\? \u2013 page \d+", contents)
    epub = epub_files(render(SAMPLE, "epub"))
    nav = " ".join(epub["EPUB/nav.xhtml"].itertext())
    assert "Overview" in nav and "About this document" in nav
    back = [name for name in epub if name.startswith("EPUB/back-")]
    assert back == ["EPUB/back-01.xhtml"], "the back matter is one file under its heading"
    heading = epub["EPUB/back-01.xhtml"].find(f".//{{{XHTML}}}h1")
    assert heading is not None and heading.text == "About this document"


def test_tables_have_captions_everywhere(render) -> None:  # type: ignore[no-untyped-def]
    caption = "Table 1: Judgement and Grade"
    html = html_of(render(SAMPLE, "html"))
    assert html.find(".//table/caption").text == caption
    epub = epub_files(render(SAMPLE, "epub"))
    captions = [c.text for f in epub.values() for c in f.iter(f"{{{XHTML}}}caption")]
    assert captions == [caption]
    assert caption in braille_text(render(SAMPLE, "brf"))


def test_a_title_row_across_a_table_becomes_its_caption_said_once() -> None:
    """ "Children's services in York are good" printed across the judgements table: the
    copies' caption, not also a column heading over no column."""
    from converter.writers import edition

    root = api.parse(FIXTURES / "xml" / "core-minimal.xml").getroot()
    table = root.find(".//table")
    assert table is not None
    table.remove(table.find("caption"))
    head = table.find("head")
    assert head is not None
    title = etree.fromstring(
        '<row><cell header="true" scope="col" colspan="2">Contacts <em>by</em> month</cell></row>'
    )
    head.insert(0, title)
    arranged = edition.prepare(root).find(".//table")
    assert arranged is not None
    caption = arranged.find("caption")
    assert caption is not None and "".join(caption.itertext()) == "Table 1: Contacts by month"
    assert caption.find("em") is not None  # its inline markup goes with it
    rows = [["".join(c.itertext()) for c in row.iter("cell")] for row in arranged.iter("row")]
    assert rows[0] == ["Month", "Contacts"]  # the column headings stay, the title row is gone
    # A head of that one row only goes with it; a one-column table keeps its heading.
    head.remove(head.find("row[2]"))
    arranged = edition.prepare(root).find(".//table")
    assert arranged is not None and arranged.find("head") is None
    single = etree.fromstring(
        '<table id="t"><head><row><cell header="true" scope="col">Month</cell></row></head>'
        "<row><cell>January</cell></row></table>"
    )
    assert edition._title_row(single) is None


def test_an_address_is_one_block_on_one_page(render) -> None:  # type: ignore[no-untyped-def]
    html = html_of(render(SAMPLE, "html"))
    [address] = [d for d in html.iter("div") if d.get("class") == "address"][:1]
    lines = ["".join(p.itertext()) for p in address.iter("p")]
    assert lines == ["Piccadilly Gate", "Store Street", "Manchester", "M1 2WD"]
    pdf_pages = (
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(render(SAMPLE, "pdf")), "-"],
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\f")
    )
    [page] = [p for p in pdf_pages if "Piccadilly Gate" in p]
    assert all(line in page for line in lines)


def test_web_addresses_lose_their_angle_brackets_and_break_after_slashes(render) -> None:  # type: ignore[no-untyped-def]
    text = pdf_text(render(SAMPLE, "pdf"))
    assert "<https://" not in text and "/>" not in text
    assert "This report is available at https://reports.ofsted.gov.uk/." in text
    html = html_of(render(SAMPLE, "html"))
    link = html.find(
        ".//a[@href='https://www.nationalarchives.gov.uk/doc/open-government-licence']"
    )
    assert link is not None and len(link.findall("wbr")) >= 4
    assert "".join(link.itertext()) == "www.nationalarchives.gov.uk/doc/open-government-licence"
    # At giant print the long address breaks after a slash or a dot, never inside a word.
    giant = subprocess.run(
        [
            "pdftotext",
            "-enc",
            "UTF-8",
            str(render(SAMPLE, "pdf", Options(profile="giant-32"))),
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout.decode()
    lines = giant.splitlines()
    start = next(i for i, line in enumerate(lines) if "www.nationalarchives" in line)
    assert lines[start].rstrip().endswith(("/", ".", "www.nationalarchives.gov.uk/doc/"))


def test_documents_are_in_british_english(render) -> None:  # type: ignore[no-untyped-def]
    html = html_of(render(SAMPLE, "html"))
    assert html.get("lang") == "en-GB"
    opf = epub_files(render(SAMPLE, "epub"))["EPUB/content.opf"]
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"
    with pikepdf.open(render(SAMPLE, "pdf")) as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
    core = docx_part(render(SAMPLE, "docx"), "docProps/core.xml")
    assert core.findtext("{http://purl.org/dc/elements/1.1/}language") == "en-GB"


# -- characters no font can draw --------------------------------------------------------------


@pytest.mark.parametrize("standard", ["ua-1", "ua-2"])
def test_no_missing_glyph_reaches_a_pdf(tmp_path: Path, standard: str) -> None:
    [output] = api.convert(UNDRAWABLE, ["pdf"], Options(pdf_standard=standard), tmp_path)
    assert output.path is not None
    result = verapdf.validate(output.path, standard.replace("-", ""))
    assert result.compliant, result.failed_rules
    text = pdf_text(output.path)
    assert "w o r d" not in text and "word" in text and "ŵyr" in text  # letters stay
    assert not re.search("[\u0080-\u009f\ue000-\uf8ff\ufffd\u0336]", text)


def test_undrawable_characters_reach_no_output() -> None:
    root = api.parse(UNDRAWABLE).getroot()
    planted = re.compile("[\u0080-\u009f\ue000-\uf8ff\ufffd\u0336\u200e]")
    for fmt in ("html", "epub", "docx"):
        [output] = api.convert(UNDRAWABLE, [fmt], Options())
        assert output.data is not None
        if fmt == "html":
            text = output.data.decode("utf-8")
        else:
            with zipfile.ZipFile(io.BytesIO(output.data)) as archive:
                text = "".join(
                    archive.read(n).decode("utf-8")
                    for n in archive.namelist()
                    if n.endswith(".xhtml") or n == "word/document.xml"
                )
        assert not planted.search(text), fmt
    data = brf.write(root, Options())
    assert braille_checks.check_brf(data, Options())[0].status == "pass"
