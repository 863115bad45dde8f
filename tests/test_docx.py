"""The docx writer: its checker (with the LibreOffice round trip) on every document, the OOXML
it writes, profiles and colour schemes, reference documents, planted faults, reproducibility."""

from __future__ import annotations

import fcntl
import io
import json
import re
import subprocess
import sys
import zipfile
from dataclasses import asdict
from pathlib import Path

import docx
import pytest
from conftest import FIXTURES, REPO, SAMPLE, corpus_texts
from docx.shared import Pt
from lxml import etree

from converter import Options, parse, resources
from converter import tree as canonical
from converter.check import CheckResult, check_file
from converter.check import docx as docx_check
from converter.errors import InputError
from converter.profiles import colour_names, print_profile, profile_names
from converter.words import words
from converter.writers import docx as docx_writer
from converter.writers import facts as writer_facts
from converter.writers.docx import package

FEATURES = FIXTURES / "xml" / "docx-features.xml"
W = docx_check.W_NS
NS = {"w": W, "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def write(source: Path, options: Options | None = None) -> bytes:
    return docx_writer.write(parse(source).getroot(), options or Options())


def parts(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: etree.fromstring(archive.read(name), canonical.safe_parser())
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        }


def text_of(element: etree._Element) -> str:
    return "".join(str(t.text or "") for t in element.iter(w("t")))


# -- every document through the checker, LibreOffice converting all of them in one run --------

# (id, source, options): the fixture, the sample and each corpus text at the default profile;
# the sample at every other profile and colour scheme once (DESIGN.md section 8).
JOBS: list[tuple[str, Path, Options]] = [
    ("fixture", FEATURES, Options()),
    ("sample", SAMPLE, Options()),
    *((path.name.split(".")[0], path, Options()) for path in corpus_texts()),
    *(
        (f"sample-{name}", SAMPLE, Options(profile=name))
        for name in profile_names()
        if name != Options().profile
    ),
    *(
        (f"sample-{name}", SAMPLE, Options(colours=name))
        for name in colour_names()
        if name != Options().colours
    ),
    ("sample-a3", SAMPLE, Options(paper="A3")),
]


@pytest.fixture(scope="session")
def checked(render, render_cache: Path) -> dict[str, tuple[Path, list[CheckResult], Path]]:
    """(docx, check results, LibreOffice's PDF) per job, computed once per session: the first
    xdist worker checks everything in ONE LibreOffice run, the other reads its results."""
    folder = render_cache / "docx-checks"
    with open(render_cache / "docx-checks.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            done = folder / "results.json"
            paths = [render(source, "docx", options) for _, source, options in JOBS]
            if not done.exists():
                folder.mkdir(exist_ok=True)
                results = docx_check.check_many(
                    [(path, options) for path, (_, _, options) in zip(paths, JOBS, strict=True)],
                    pdf_folder=folder,
                )
                done.write_text(json.dumps([[asdict(r) for r in rs] for rs in results]))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    stored = json.loads(done.read_text())
    return {
        job_id: (
            path,
            [CheckResult(**{**r, "details": tuple(r["details"])}) for r in results],
            folder / f"{index}.pdf",
        )
        for index, ((job_id, _, _), path, results) in enumerate(
            zip(JOBS, paths, stored, strict=True)
        )
    }


@pytest.mark.parametrize("job_id", [job[0] for job in JOBS])
def test_every_check_passes(checked, job_id: str) -> None:
    _, results, _ = checked[job_id]
    names = {r.name for r in results}
    assert {"docx-headings", "docx-table-headers", "libreoffice-pdf-roundtrip"} <= names
    failed = [(r.name, r.status, r.details[:3]) for r in results if r.status != "pass"]
    assert not failed


def tree_units(root: etree._Element) -> list[list[str]]:
    """The words of each rendered block of a tree (title, headings, paragraphs, items, cells),
    in reading order; a block's nested blocks are units of their own."""
    units = []
    blocks = ("title", "subtitle", "heading", "p", "item", "caption", "cell", "note")
    # A cited note is a Word footnote, at the foot of its page: not in the text's order.
    cited = {ref.get("ref") for ref in root.iter("noteref")}
    for part in ("meta/title", "meta/subtitle", "body", "back"):
        for top in root.iterfind(part):
            for element in top.iter(*blocks):
                if element.tag == "note" and element.get("id") in cited:
                    continue
                own = [element.text or ""]
                for child in element:
                    if child.tag == "noteref":
                        # A Word footnote reference: "[note N]", Word numbering in order.
                        own.append(" ")
                    elif child.tag not in ("list", "table", "note"):
                        own.append("".join(str(t) for t in child.itertext()))
                    own.append(child.tail or "")
                found = words("".join(own))
                if found:
                    units.append(found)
    return units


@pytest.mark.parametrize("job_id", [job[0] for job in JOBS if job[2] == Options()])
def test_libreoffice_pdf_holds_every_word_of_the_tree_in_order(checked, job_id: str) -> None:
    source = next(job[1] for job in JOBS if job[0] == job_id)
    _, _, pdf = checked[job_id]
    root = parse(source).getroot()
    found = docx_check.pdf_words(pdf)
    findings = docx_check.words_in_order(tree_units(root), found)
    assert not findings
    # Footnotes: each cited note's words, in order, somewhere in LibreOffice's pages.
    cited = {ref.get("ref") for ref in root.iter("noteref")}
    for note in (n for n in root.iter("note") if n.get("id") in cited):
        assert not docx_check.words_in_order([words("".join(note.itertext()))], found)


def test_corpus_is_in_the_matrix_when_present() -> None:
    ids = {job[0] for job in JOBS}
    assert len(ids) == len(JOBS)
    assert all(path.name.split(".")[0] in ids for path in corpus_texts())


# -- the OOXML written -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def features() -> dict[str, etree._Element]:
    return parts(write(FEATURES))


def paragraphs_with_style(document: etree._Element, style: str) -> list[etree._Element]:
    return [
        p
        for p in document.iter(w("p"))
        if p.find(f"w:pPr/w:pStyle[@w:val='{style}']", NS) is not None
    ]


def test_title_page_says_which_document_and_offers_other_formats(features) -> None:
    """Title, subtitle, dates, the edition and who made it from what; no file name; then
    the contents field and the text, each on a new page."""
    document = features["word/document.xml"]
    body_paragraphs = list(document.iter(w("p")))
    assert (
        text_of(body_paragraphs[0]) == "Inspection of Example local authority children's services"
    )
    assert paragraphs_with_style(document, "Title") == [body_paragraphs[0]]
    front = [text_of(p) for p in body_paragraphs[:6]]
    assert "Published: 18 June 2021" in front
    [note] = paragraphs_with_style(document, "VersionNote")
    assert text_of(note).startswith("Large print edition: 18 point, black text on white.")
    assert "Made by converter from the report published by Ofsted." in front
    assert not any(".pdf" in text for text in front)
    sdt = document.find(".//w:sdt", NS)
    assert sdt is not None and sdt.find(".//w:docPartGallery", NS).get(w("val")) == (
        "Table of Contents"
    )
    heading = sdt.find(".//w:p", NS)
    assert text_of(heading) == "Contents"
    assert heading.find("w:pPr/w:pageBreakBefore", NS) is not None
    # The body starts on a new page after the contents.
    first_body = sdt.getnext()
    assert first_body.find("w:pPr/w:pageBreakBefore", NS) is not None


def test_headings_follow_section_depth(features) -> None:
    document = features["word/document.xml"]
    levels = [
        (p.find("w:pPr/w:pStyle", NS).get(w("val")), text_of(p))
        for p in document.iter(w("p"))
        if p.find("w:pPr/w:pStyle", NS).get(w("val")).startswith("Heading")
    ]
    assert levels == [
        ("Heading1", "Overview"),  # the untitled opening, titled for the contents
        ("Heading1", "Judgements"),
        ("Heading1", "Overall effectiveness"),
        ("Heading2", "In detail"),
        ("Heading3", "Deeper detail"),  # the untitled section adds no level
        ("Heading1", "What needs to improve"),
        ("Heading1", "About this document"),  # the back matter, under one heading
    ]
    styles = features["word/styles.xml"]
    for level in range(1, 10):
        style = styles.find(f"w:style[@w:styleId='Heading{level}']", NS)
        assert style.find("w:pPr/w:outlineLvl", NS).get(w("val")) == str(level - 1)


def test_numbered_paragraphs_keep_their_numbers_as_text(features) -> None:
    texts = [text_of(p) for p in features["word/document.xml"].iter(w("p"))]
    # The note reference is a Word footnote: "[note 1]", its number Word's own.
    assert any(t.startswith("1. Children in ECC receive good help [note ], and") for t in texts)
    assert any(
        t.startswith(
            "3. Social workers visit children regularly, and the page turned in the middle"
        )
        for t in texts
    )


def test_lists_use_real_numbering(features) -> None:
    document = features["word/document.xml"]
    numbering = features["word/numbering.xml"]
    items = {
        text_of(p): p.find("w:pPr/w:numPr", NS)
        for p in document.iter(w("p"))
        if p.find("w:pPr/w:numPr", NS) is not None
    }
    assert set(items) == {
        "Plans that include timescales.",
        "Oversight of placements:",
        "with connected carers;",
        "out of the county.",
        "Third step, numbered from three.",
        "Fourth step.",
    }

    def definition(num_pr: etree._Element) -> tuple[str, str, str, str | None]:
        level = num_pr.find("w:ilvl", NS).get(w("val"))
        num_id = num_pr.find("w:numId", NS).get(w("val"))
        num = numbering.find(f"w:num[@w:numId='{num_id}']", NS)
        abstract_id = num.find("w:abstractNumId", NS).get(w("val"))
        lvl = numbering.find(
            f"w:abstractNum[@w:abstractNumId='{abstract_id}']/w:lvl[@w:ilvl='{level}']", NS
        )
        start = num.find(f"w:lvlOverride[@w:ilvl='{level}']/w:startOverride", NS)
        return (
            level,
            lvl.find("w:numFmt", NS).get(w("val")),
            lvl.find("w:lvlText", NS).get(w("val")),
            start.get(w("val")) if start is not None else None,
        )

    assert definition(items["Plans that include timescales."])[:2] == ("0", "bullet")
    # A nested ordered list prints its own labels, "(a)", at its own level.
    assert definition(items["with connected carers;"]) == ("1", "lowerLetter", "(%2)", "1")
    assert definition(items["Third step, numbered from three."]) == ("0", "decimal", "%1.", "3")
    # Two ordered lists never share a counter: each has its own w:num.
    ordered = {
        items[t].find("w:numId", NS).get(w("val"))
        for t in ("with connected carers;", "Fourth step.")
    }
    assert len(ordered) == 2
    # Every abstractNum precedes every num, as the schema requires.
    tags = [etree.QName(c).localname for c in numbering]
    assert tags == sorted(tags, key=lambda t: t != "abstractNum")


def test_judgement_table_without_header_gets_judgement_and_grade() -> None:
    tree = parse(FEATURES).getroot()
    judgements = etree.SubElement(tree.find("meta"), "judgements")
    judgement = etree.SubElement(judgements, "judgement", area="visits", grade="good")
    etree.SubElement(judgement, "label").text = "Visits made"
    etree.SubElement(judgement, "grade").text = "40"
    tree.find("meta/source").addnext(judgements)
    canonical.validate(tree)
    tables = list(parts(docx_writer.write(tree, Options()))["word/document.xml"].iter(w("tbl")))
    header = tables[2].find("w:tr", NS)
    assert [text_of(c) for c in header.findall("w:tc", NS)] == ["Judgement", "Grade"]


def test_lettered_top_level_list_keeps_its_format() -> None:
    tree = parse(FEATURES).getroot()
    outer = tree.find(".//list[@id='list-2']")
    for item, label in zip(outer.findall("item"), ("(c)", "(d)"), strict=True):
        item.set("label", label)
    data = docx_writer.write(tree, Options())
    numbering = parts(data)["word/numbering.xml"]
    lvl0 = [a.find("w:lvl[@w:ilvl='0']", NS) for a in numbering.iterfind("w:abstractNum", NS)]
    formats = {
        (lvl.find("w:numFmt", NS).get(w("val")), lvl.find("w:lvlText", NS).get(w("val")))
        for lvl in lvl0
    }
    assert ("lowerLetter", "(%1)") in formats


def test_tables_have_repeating_headers_captions_and_spans(features) -> None:
    tables = list(features["word/document.xml"].iter(w("tbl")))
    assert len(tables) == 3
    first, second, third = tables
    assert first.find("w:tblPr/w:tblCaption", NS).get(w("val")) == "Judgements and grades"
    assert "column headings: Judgement, Grade" in first.find("w:tblPr/w:tblDescription", NS).get(
        w("val")
    )
    for table in tables:
        rows = table.findall("w:tr", NS)
        assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
        assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows[1:])
        header_styles = {p.get(w("val")) for p in rows[0].iterfind(".//w:pStyle", NS)}
        assert header_styles == {"TableHeading"}
    # The header row given as header cells outside <head> is still the header row.
    assert (
        second.find("w:tblPr/w:tblCaption", NS).get(w("val")) == "Table 2: Area, Visits and Notes"
    )
    rows = second.findall("w:tr", NS)
    north = rows[1].findall("w:tc", NS)
    assert north[0].find("w:tcPr/w:vMerge", NS).get(w("val")) == "restart"
    assert north[1].find("w:tcPr/w:gridSpan", NS).get(w("val")) == "2"
    continued = rows[2].findall("w:tc", NS)
    assert continued[0].find("w:tcPr/w:vMerge", NS).get(w("val")) is None
    assert [text_of(c) for c in continued] == ["", "Five", "Short"]
    assert all(len(r.findall("w:tc", NS)) == 3 for r in rows if r is not rows[1])
    # A table with no header row gets one, and its description says so.
    added = third.findall("w:tr", NS)
    assert [text_of(c) for c in added[0].findall("w:tc", NS)] == ["Column 1", "Column 2"]
    assert "converter added one" in third.find("w:tblPr/w:tblDescription", NS).get(w("val"))
    assert [text_of(c) for c in added[1].findall("w:tc", NS)] == ["Visits made", "40"]
    # Row headers read as headers.
    judgement_rows = first.findall("w:tr", NS)
    assert judgement_rows[1].find(".//w:pStyle", NS).get(w("val")) == "TableHeading"


def test_links_are_real_hyperlinks_and_unsafe_ones_stay_text(features) -> None:
    document = features["word/document.xml"]
    rels = features["word/_rels/document.xml.rels"]
    targets = {
        r.get("Id"): (r.get("Target"), r.get("TargetMode"))
        for r in rels
        if r.get("Type", "").endswith("/hyperlink")
    }
    assert set(t for t, _ in targets.values()) == {
        "https://reports.example.org/ecc",
        "mailto:enquiries@example.org",
    }
    assert all(mode == "External" for _, mode in targets.values())
    links = {text_of(h): h for h in document.iter(w("hyperlink"))}
    assert (
        targets[links["the reports site"].get(f"{{{NS['r']}}}id")][0]
        == "https://reports.example.org/ecc"
    )
    assert "script link" not in links
    # A cited note is a footnote, not a link; the contents' entries link to headings.
    assert "1" not in links and links["Overall effectiveness"].get(w("anchor")) == "summary_h"
    bookmarks = {b.get(w("name")) for b in document.iter(w("bookmarkStart"))}
    assert {"page_1", "page_2", "page_3", "p_1", "table_1"} <= bookmarks
    ids = [b.get(w("id")) for b in document.iter(w("bookmarkStart"))]
    assert len(ids) == len(set(ids))


def test_long_title_and_publisher_fit_words_property_limits() -> None:
    """A title (or subject, publisher) over 255 characters: every core property is cut at a
    word to Word's limit with an ellipsis, and the Title paragraph keeps the whole title."""
    root = parse(FEATURES).getroot()
    title = "Focused visit to the example children's services " + "and partners " * 30 + "board1"
    root.find("meta/title").text = title  # type: ignore[union-attr]
    root.find("meta/subject").text = "Example County Council " * 15  # type: ignore[union-attr]
    root.find("meta/publisher").text = "Ofsted and partners " * 20  # type: ignore[union-attr]
    found = parts(docx_writer.write(root, Options()))
    core = found["docProps/core.xml"]
    values = {child.tag.split("}")[1]: child.text or "" for child in core}
    assert values and all(len(value) <= 255 for value in values.values()), values
    assert values["title"].endswith("\u2026") and values["title"].startswith("Focused visit")
    assert " ".join(values["title"][:-1].split()) in " ".join(title.split())
    assert values["creator"].endswith("\u2026") and values["subject"].endswith("\u2026")
    assert values["description"].startswith("Large print edition")
    [first] = [p for p in found["word/document.xml"].iter(w("p"))][:1]
    assert " ".join(text_of(first).split()) == " ".join(title.split())


def test_emphasis_is_bold_and_languages_are_marked(features) -> None:
    document = features["word/document.xml"]
    styles = features["word/styles.xml"]
    runs = {text_of(r): r for r in document.iter(w("r"))}
    assert runs["improved"].find("w:rPr/w:rStyle", NS).get(w("val")) == "Emphasis"
    emphasis = styles.find("w:style[@w:styleId='Emphasis']/w:rPr", NS)
    assert emphasis.find("w:b", NS) is not None and emphasis.find("w:i", NS) is None
    assert runs["c'est la vie"].find("w:rPr/w:lang", NS).get(w("val")) == "fr"
    assert not list(document.iter(w("i"))) and not list(document.iter(w("br")))


def test_document_properties_and_language(features) -> None:
    core = features["docProps/core.xml"]
    dc = "{http://purl.org/dc/elements/1.1/}"
    assert (
        core.findtext(f"{dc}title") == "Inspection of Example local authority children's services"
    )
    assert core.findtext(f"{dc}subject") == "Example County Council"
    assert core.findtext(f"{dc}creator") == "Ofsted"
    assert core.findtext(f"{dc}language") == "en-GB"
    assert "large print" in core.findtext(
        "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords"
    )
    assert core.findtext("{http://purl.org/dc/terms/}created") == "2021-06-18T00:00:00Z"
    defaults = features["word/styles.xml"].find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert defaults.find("w:lang", NS).get(w("val")) == "en-GB"
    assert defaults.find("w:rFonts", NS).get(w("ascii")) == "Atkinson Hyperlegible"
    settings = features["word/settings.xml"]
    assert settings.find("w:autoHyphenation", NS).get(w("val")) == "false"
    assert settings.find("w:themeFontLang", NS).get(w("val")) == "en-GB"
    fonts = features["word/fontTable.xml"]
    atkinson = fonts.find("w:font[@w:name='Atkinson Hyperlegible']", NS)
    assert atkinson.find("w:family", NS).get(w("val")) == "swiss"  # falls back to a sans serif


# -- profiles and colour schemes ---------------------------------------------------------------


@pytest.mark.parametrize("profile", profile_names())
def test_profile_sizes_and_label(profile: str) -> None:
    options = Options(profile=profile)
    found = parts(write(FEATURES, options))
    size = print_profile(options).font_size
    styles = found["word/styles.xml"]
    assert styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:sz", NS).get(w("val")) == str(
        round(size * 2)
    )
    heading = styles.find("w:style[@w:styleId='Heading1']/w:rPr/w:sz", NS)
    assert int(heading.get(w("val"))) > size * 2
    [note] = paragraphs_with_style(found["word/document.xml"], "VersionNote")
    label = print_profile(options).label.capitalize()
    assert text_of(note).startswith(f"{label} edition: {size:g} point,")


def test_font_size_override_below_large_print_is_labelled_clear_print() -> None:
    found = parts(write(FEATURES, Options(font_size=14)))
    [note] = paragraphs_with_style(found["word/document.xml"], "VersionNote")
    assert text_of(note).startswith("Clear print edition: 14 point")


@pytest.mark.parametrize("scheme", colour_names())
def test_colour_schemes(scheme: str) -> None:
    options = Options(colours=scheme)
    profile = print_profile(options)
    found = parts(write(FEATURES, options))
    defaults = found["word/styles.xml"].find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert defaults.find("w:color", NS).get(w("val")) == profile.foreground.lstrip("#").upper()
    link = found["word/styles.xml"].find("w:style[@w:styleId='Hyperlink']/w:rPr/w:color", NS)
    assert link.get(w("val")) == profile.link.lstrip("#").upper()
    background = found["word/document.xml"].find("w:background", NS)
    shape = found["word/settings.xml"].find("w:displayBackgroundShape", NS)
    if profile.background.lower() == "#ffffff":
        assert background is None and shape is None
    else:
        assert background.get(w("color")) == profile.background.lstrip("#").upper()
        assert shape is not None
    # No style keeps a colour of its own that could break the scheme's contrast.
    for style in found["word/styles.xml"].iterfind("w:style", NS):
        if style.get(w("styleId")) != "Hyperlink":
            assert style.find("w:rPr/w:color", NS) is None


def test_paper_and_margins() -> None:
    found = parts(write(FEATURES, Options(paper="A3", margin_mm=25)))
    sect = found["word/document.xml"].find("w:body/w:sectPr", NS)
    size = sect.find("w:pgSz", NS)
    assert (int(size.get(w("w"))), int(size.get(w("h")))) == (16838, 23811)
    assert sect.find("w:pgMar", NS).get(w("left")) == "1417"


# -- reference documents -----------------------------------------------------------------------


def test_packaged_reference_is_what_the_script_builds(tmp_path: Path) -> None:
    """tools/make_reference_docx.py (a build script, not shipped) makes the packaged
    reference.docx byte for byte, with the writer's own size factors."""
    built = tmp_path / "reference.docx"
    script = REPO / "tools" / "make_reference_docx.py"
    result = subprocess.run([sys.executable, str(script), str(built)], capture_output=True)
    assert result.returncode == 0, result.stderr
    assert built.read_bytes() == resources.read_bytes("reference.docx")


def test_the_writer_imports_no_build_script() -> None:
    code = (
        "import sys, converter.writers.docx; print(sorted(m for m in sys.modules if 'make_' in m))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stderr


def test_user_reference_styles_are_kept_and_missing_ones_added(tmp_path: Path) -> None:
    # python-docx's own template: Word's styles, none of our custom ones.
    reference = docx.Document()
    normal = reference.styles["Normal"]
    normal.font.name = "Verdana"
    normal.font.size = Pt(9)
    path = tmp_path / "mine.docx"
    reference.save(str(path))
    data = write(FEATURES, Options(reference_docx=path))
    found = parts(data)
    styles = found["word/styles.xml"]
    fonts = styles.find("w:style[@w:styleId='Normal']/w:rPr/w:rFonts", NS)
    assert fonts.get(w("ascii")) == "Verdana"
    # The profile's size wins over the reference's 9 pt.
    assert styles.find("w:style[@w:styleId='Normal']/w:rPr/w:sz", NS).get(w("val")) == "36"
    for style_id in ("VersionNote", "TableText", "DataTable", "ParagraphNumber"):
        assert styles.find(f"w:style[@w:styleId='{style_id}']", NS) is not None
    out = tmp_path / "out.docx"
    out.write_bytes(data)
    results = docx_check.check_many([(out, Options())])[0]
    failed = [(r.name, r.details[:3]) for r in results if r.status == "fail"]
    assert not failed


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04broken"])
def test_bad_reference_is_one_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(content)
    with pytest.raises(InputError, match="not a Word"):
        write(FEATURES, Options(reference_docx=path))


def test_missing_reference_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the reference document"):
        write(FEATURES, Options(reference_docx=tmp_path / "absent.docx"))


# -- planted faults ----------------------------------------------------------------------------


def statuses(path: Path, options: Options | None = None) -> dict[str, str]:
    return {r.name: r.status for r in check_file(path, options or Options()).results}


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Word file as people make them: no headings, a table with no header row, empty
    paragraphs for spacing, a manual line break, small italic text."""
    document = docx.Document()
    document.add_paragraph("Report on things")
    document.add_paragraph("")
    paragraph = document.add_paragraph("First line")
    paragraph.add_run().add_break()
    paragraph.add_run("second line").italic = True
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Area"
    table.cell(1, 0).text = "North"
    path = tmp_path_factory.mktemp("planted") / "planted.docx"
    document.save(str(path))
    return path


def test_planted_faults_are_caught(planted: Path) -> None:
    found = statuses(planted)
    assert found["docx-headings"] == "fail"
    assert found["docx-table-headers"] == "fail"
    assert found["docx-no-empty-paragraphs"] == "fail"
    assert found["docx-title"] == "fail"
    assert found["docx-print-size"] == "fail"
    assert found["docx-language"] == "fail"
    # It still opens in LibreOffice with every word: the round trip is not what fails it.
    assert found["libreoffice-pdf-roundtrip"] == "pass"


def test_skipped_heading_level_and_wrong_profile_are_caught(tmp_path: Path) -> None:
    tree = parse(FEATURES).getroot()
    data = docx_writer.write(tree, Options())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries["word/document.xml"] = entries["word/document.xml"].replace(
        b'w:val="Heading2"', b'w:val="Heading4"'
    )
    broken = tmp_path / "skipped.docx"
    with zipfile.ZipFile(broken, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    package = docx_check.Package.open(broken)
    results = {r.name: r for r in docx_check.structure_checks(package, Options())}
    assert results["docx-headings"].status == "fail"
    assert "level 4 follows level 1" in results["docx-headings"].details[0]
    # Checked against a 24 pt profile, an 18 pt document fails the size check.
    wrong = {r.name: r for r in docx_check.structure_checks(package, Options(profile="large-24"))}
    assert wrong["docx-print-size"].status == "fail"


def test_not_a_docx_is_a_failed_check_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    path.write_bytes(b"hello")
    assert statuses(path) == {"docx-package": "fail"}


def test_missing_libreoffice_is_not_run_never_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_check, "SOFFICE", "/nonexistent/soffice")
    result = docx_check.libreoffice_round_trip({0: FEATURES}, {0: [["x"]]})[0]
    assert result.status == "not-run"


def test_words_in_order_catches_loss_and_reordering() -> None:
    text = ["a", "b", "c", "d", "e", "f"]
    assert docx_check.words_in_order([["a", "b"], ["c"], ["e", "f"]], text) == []
    assert docx_check.words_in_order([["a", "x"]], text)
    assert docx_check.words_in_order([["e"], ["b"]], text)


# -- reproducible bytes ------------------------------------------------------------------------


def test_same_input_gives_same_bytes() -> None:
    first = write(SAMPLE)
    assert write(SAMPLE) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_writer_is_registered() -> None:
    from converter import writers

    writer = writers.get("docx")
    assert writer.extension == "docx"
    assert writer.media_type == docx_writer.MEDIA_TYPE


# -- what a reader of the Word copy meets (issue 17) ------------------------------------------


def test_a_real_contents_field_with_its_entries(features) -> None:
    """Word's TOC field in a Table of Contents content control: References > Update Table
    works; its entries are already filled in, each a link to its heading's bookmark."""
    document = features["word/document.xml"]
    sdt = document.find(".//w:sdt", NS)
    instruction = "".join(t.text or "" for t in sdt.iter(w("instrText")))
    assert instruction.strip().startswith('TOC \\o "1-3" \\h')
    kinds = [c.get(w("fldCharType")) for c in sdt.iter(w("fldChar"))]
    assert kinds[0] == "begin" and kinds[-1] == "end" and "separate" in kinds
    entries = [
        (p.find("w:pPr/w:pStyle", NS).get(w("val")), text_of(p), p.find("w:hyperlink", NS))
        for p in sdt.iter(w("p"))
        if p.find("w:hyperlink", NS) is not None
    ]
    assert [(style, text) for style, text, _ in entries] == [
        ("TOC1", "Overview"),
        ("TOC1", "Judgements"),
        ("TOC1", "Overall effectiveness"),
        ("TOC2", "In detail"),
        ("TOC3", "Deeper detail"),
        ("TOC1", "What needs to improve"),
        ("TOC1", "About this document"),
    ]
    bookmarks = {b.get(w("name")) for b in document.iter(w("bookmarkStart"))}
    assert all(link.get(w("anchor")) in bookmarks for _, _, link in entries)
    settings = features["word/settings.xml"]
    assert settings.find("w:updateFields", NS).get(w("val")) == "true"  # Word adds pages


def test_atkinson_hyperlegible_is_embedded(features) -> None:
    data = write(FEATURES)
    fonts = features["word/fontTable.xml"]
    atkinson = fonts.find("w:font[@w:name='Atkinson Hyperlegible']", NS)
    rels = {r.get("Id"): r.get("Target") for r in features["word/_rels/fontTable.xml.rels"]}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for element, weight in (("embedRegular", "Regular"), ("embedBold", "Bold")):
            embed = atkinson.find(f"w:{element}", NS)
            target = rels[embed.get(f"{{{NS['r']}}}id")]
            obfuscated = archive.read(f"word/{target}")
            key = embed.get(w("fontKey"))
            original = next(p for p in resources.font_files() if p.stem.endswith(weight))
            # Obfuscation is its own inverse: undone, the file is the font itself.
            assert package.obfuscate(obfuscated, key) == original.read_bytes()
            assert obfuscated[:32] != original.read_bytes()[:32]
        types = archive.read("[Content_Types].xml").decode()
    assert 'Extension="odttf"' in types
    assert features["word/settings.xml"].find("w:embedTrueTypeFonts", NS) is not None


def test_libreoffice_uses_the_embedded_font(checked) -> None:
    """Atkinson Hyperlegible is not installed here: LibreOffice's PDF uses the embedded one,
    with no substitution (no DejaVu, Liberation or Arial in its font list)."""
    installed = subprocess.run(
        ["fc-list", ":family=Atkinson Hyperlegible"], capture_output=True, text=True
    )
    assert installed.stdout.strip() == "", "the test needs the font not installed system-wide"
    for job in ("sample", "fixture", "sample-giant-32"):
        _, _, pdf = checked[job]
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
        names = [line.split()[0] for line in fonts.stdout.splitlines()[2:]]
        assert names and all("AtkinsonHyperlegible" in name for name in names), (job, names)


def test_page_n_of_m_in_the_footer(features) -> None:
    footers = [root for name, root in features.items() if name.startswith("word/footer")]
    assert footers
    for footer in footers:
        instructions = [f.get(w("instr")).strip() for f in footer.iter(w("fldSimple"))]
        assert instructions == ["PAGE", "NUMPAGES"]
        assert "".join(t.text or "" for t in footer.iter(w("t"))).replace("1", "") == "Page  of "


def test_table_widths_follow_their_content() -> None:
    """A grade column stays narrow beside a long judgement: no 50/50 split."""
    found = parts(write(SAMPLE))
    table = found["word/document.xml"].find(".//w:tbl", NS)
    widths = [int(c.get(w("w"))) for c in table.iterfind("w:tblGrid/w:gridCol", NS)]
    assert len(widths) == 2 and widths[0] > 2.5 * widths[1]
    grade_cells = [row.findall("w:tc", NS)[1] for row in table.findall("w:tr", NS)]
    assert all(c.find("w:tcPr/w:tcW", NS).get(w("w")) == str(widths[1]) for c in grade_cells)
    assert table.find("w:tblPr/w:tblLayout", NS).get(w("type")) == "fixed"


@pytest.mark.parametrize("scheme", ["yellow-on-black", "black-on-cream"])
def test_a_colour_scheme_that_prints(checked, scheme: str) -> None:
    """The page colour is a page-sized shape behind the text in the header, which Word and
    LibreOffice print (Word's page background alone is never printed by default)."""
    profile = print_profile(Options(colours=scheme))
    found = parts(write(FEATURES, Options(colours=scheme)))
    headers = [root for name, root in found.items() if name.startswith("word/header")]
    rects = [r for h in headers for r in h.iter("{urn:schemas-microsoft-com:vml}rect")]
    assert rects and all(r.get("fillcolor") == profile.background for r in rects)
    link = found["word/styles.xml"].find("w:style[@w:styleId='Hyperlink']/w:rPr/w:color", NS)
    assert link.get(w("val")) == profile.link.lstrip("#").upper()
    # LibreOffice's print of it: the page's corner is the scheme's background.
    _, _, pdf = checked[f"sample-{scheme}"]
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", "10", "-f", "2", "-l", "2", str(pdf)],
        capture_output=True,
        check=True,
    ).stdout
    from PIL import Image

    pixel = Image.open(io.BytesIO(png)).convert("RGB").getpixel((1, 1))
    assert "#{:02x}{:02x}{:02x}".format(*pixel) == profile.background


def test_the_docx_carries_its_print_facts() -> None:
    options = Options(profile="giant-32", colours="white-on-black")
    facts = writer_facts.read_docx(write(FEATURES, options))
    assert facts is not None and facts.options() == options.replace(
        font_size=32.0, line_spacing=1.3, margin_mm=15.0
    )
    custom = parts(write(FEATURES, options))["docProps/custom.xml"]
    names = {p.get("name") for p in custom}
    assert {"Print profile", "Colour scheme", "Font size (point)"} <= names


def test_a_font_substituted_by_libreoffice_is_caught(tmp_path: Path) -> None:
    """Negative control: the embedded fonts unreadable (their key changed, so they do not
    de-obfuscate), LibreOffice draws the text in a fallback font, and the round trip says so."""
    data = write(FEATURES)
    broken = tmp_path / "wrong-font-key.docx"
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(broken, "w") as target:
        for name in source.namelist():
            payload = source.read(name)
            if name == "word/fontTable.xml":
                payload = re.sub(
                    rb'w:fontKey="\{[0-9A-F-]+\}"',
                    b'w:fontKey="{00000000-0000-0000-0000-000000000000}"',
                    payload,
                )
            target.writestr(name, payload)
    [result] = [
        r for r in docx_check.check(broken, Options()) if r.name == "libreoffice-pdf-roundtrip"
    ]
    assert result.status == "fail"
    assert any("not the embedded font" in detail for detail in result.details)
