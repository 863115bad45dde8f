"""The epub writer: EPUBCheck and Ace on every document, structure, words, reproducibility."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLE, corpus_params, corpus_texts
from lxml import etree

from converter import Options, api, parse
from converter import tree as canonical
from converter.check import epub as epub_check
from converter.errors import ConverterError
from converter.words import RENDERED_PARTS, words
from converter.writers import epub as epub_writer

PAGES = FIXTURES / "xml" / "epub-pages.xml"
PLAIN = FIXTURES / "xml" / "epub-plain.xml"
NS = epub_check.NS


def documents() -> list[object]:
    return [
        pytest.param(PAGES, id="fixture-pages"),
        pytest.param(PLAIN, id="fixture-plain"),
        pytest.param(SAMPLE, id="sample"),
        *corpus_params(corpus_texts()),
    ]


def write(source: Path, options: Options | None = None) -> bytes:
    return epub_writer.write(parse(source).getroot(), options or Options())


def unpack(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, canonical.safe_parser())


def spine_documents(parts: dict[str, bytes]) -> list[tuple[str, etree._Element]]:
    """(name, root) of each content document in spine order, the navigation document left out."""
    package = xml(parts["EPUB/content.opf"])
    items = {i.get("id"): i for i in package.iterfind("opf:manifest/opf:item", NS)}
    found = []
    for ref in package.iterfind("opf:spine/opf:itemref", NS):
        item = items[ref.get("idref")]
        if "nav" not in (item.get("properties") or ""):
            found.append((item.get("href", ""), xml(parts[f"EPUB/{item.get('href')}"])))
    return found


def text_node_words(element: etree._Element) -> list[str]:
    """Words text node by text node, as converter.words.tree_words counts them."""
    return [word for text in element.itertext() for word in words(str(text))]


def body_words(root: etree._Element) -> list[str]:
    found: list[str] = []
    for body in root.iter(f"{{{NS['h']}}}body"):
        found.extend(text_node_words(body))
    return found


# -- the real validators: EPUBCheck and Ace, once per document ---------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("source", documents())
def test_epubcheck_and_ace_find_nothing(render, source: Path) -> None:
    path = render(source, "epub")
    results = epub_check.check(path, Options())
    names = [result.name for result in results]
    assert "epubcheck" in names and "ace" in names
    for result in results:
        assert result.status == "pass", f"{result.name}: {result.status} {result.details[:10]}"


@pytest.mark.slow
def test_large_print_yellow_on_black_passes_ace_and_epubcheck(render) -> None:
    options = Options(profile="giant-32", colours="yellow-on-black")
    path = render(SAMPLE, "epub", options)
    for result in epub_check.check(path, options):
        assert result.status == "pass", f"{result.name}: {result.status} {result.details[:10]}"


@pytest.mark.slow
def test_planted_faults_are_caught_by_every_checker(render, tmp_path: Path) -> None:
    """No accessibility metadata, a broken link, a content document with no language:
    our checks, EPUBCheck and Ace (its metadata checks and axe-core on the content) all fail."""
    parts = unpack(render(PAGES, "epub").read_bytes())
    package = xml(parts["EPUB/content.opf"])
    metadata = package.find("opf:metadata", NS)
    for meta in list(metadata.iterfind("opf:meta", NS)):
        prop = meta.get("property", "")
        if prop.startswith(("schema:", "dcterms:conformsTo")):
            metadata.remove(meta)
    parts["EPUB/content.opf"] = etree.tostring(package, xml_declaration=True, encoding="utf-8")
    nav = parts["EPUB/nav.xhtml"].replace(
        b'href="title.xhtml#title"', b'href="missing.xhtml#title"'
    )
    assert nav != parts["EPUB/nav.xhtml"]
    parts["EPUB/nav.xhtml"] = nav
    chapter = xml(parts["EPUB/chapter-03.xhtml"])  # a content document with no language
    del chapter.attrib["lang"], chapter.attrib[canonical.XML_LANG]
    parts["EPUB/chapter-03.xhtml"] = etree.tostring(chapter, xml_declaration=True, encoding="utf-8")
    broken = tmp_path / "broken.epub"
    broken.write_bytes(repack(parts))
    results = {result.name: result for result in epub_check.check(broken, Options())}
    assert results["epub-language"].status == "fail"
    metadata_result = results["epub-accessibility-metadata"]
    assert metadata_result.status == "fail"
    assert "no schema:accessMode" in metadata_result.details
    assert results["epubcheck"].status == "fail"
    assert any("RSC-007" in detail for detail in results["epubcheck"].details)
    assert results["ace"].status == "fail"
    assert any("metadata" in detail.lower() for detail in results["ace"].details)
    assert any("chapter-03.xhtml" in detail for detail in results["ace"].details)


def repack(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, payload in parts.items():
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, payload, compress_type=method)
    return out.getvalue()


def test_package_without_xml_lang_is_caught(tmp_path: Path) -> None:
    parts = unpack(write(PAGES))
    package = xml(parts["EPUB/content.opf"])
    del package.attrib[canonical.XML_LANG]
    parts["EPUB/content.opf"] = etree.tostring(package, xml_declaration=True, encoding="utf-8")
    broken = tmp_path / "no-lang.epub"
    broken.write_bytes(repack(parts))
    results = {result.name: result for result in epub_check.package_checks(broken)}
    assert results["epub-language"].status == "fail"
    assert "the package element has no xml:lang" in results["epub-language"].details


def test_page_list_missing_while_claimed_is_caught(tmp_path: Path) -> None:
    parts = unpack(write(PAGES))
    nav = xml(parts["EPUB/nav.xhtml"])
    page_list = epub_check._nav_of(nav, "page-list")
    assert page_list is not None
    page_list.getparent().remove(page_list)
    parts["EPUB/nav.xhtml"] = etree.tostring(nav, xml_declaration=True, encoding="utf-8")
    broken = tmp_path / "no-page-list.epub"
    broken.write_bytes(repack(parts))
    results = {result.name: result for result in epub_check.package_checks(broken)}
    assert results["epub-page-list"].status == "fail"


def test_missing_validators_are_not_run_never_pass(monkeypatch, tmp_path: Path) -> None:
    path = tmp_path / "book.epub"
    path.write_bytes(write(PLAIN))
    monkeypatch.setattr(epub_check.shutil, "which", lambda name: None)
    monkeypatch.setattr(epub_check, "epubcheck_jar", lambda: None)
    monkeypatch.setattr(epub_check, "ace_command", lambda: None)
    monkeypatch.delenv("PUPPETEER_EXECUTABLE_PATH", raising=False)
    assert epub_check.run_epubcheck(path).status == "not-run"
    assert epub_check.run_ace(path).status == "not-run"


def test_unreadable_epub_fails_the_package_checks(tmp_path: Path) -> None:
    path = tmp_path / "junk.epub"
    path.write_bytes(b"not a zip at all")
    [result] = epub_check.package_checks(path)
    assert result.status == "fail"


# -- nothing lost, in order --------------------------------------------------------------------


@pytest.mark.parametrize("source", documents())
def test_every_word_of_the_tree_is_in_the_content_documents_in_order(render, source: Path) -> None:
    root = parse(source).getroot()
    expected: list[str] = []
    for part in RENDERED_PARTS:
        for element in root.iterfind(part):
            expected.extend(text_node_words(element))
    found: list[str] = []
    for _, document in spine_documents(unpack(render(source, "epub").read_bytes())):
        found.extend(body_words(document))
    position = 0
    for index, word in enumerate(expected):
        try:
            position = found.index(word, position) + 1
        except ValueError:
            context = " ".join(expected[max(0, index - 8) : index + 1])
            pytest.fail(f"word {index} {word!r} missing or out of order after: {context}")


def test_artifacts_are_not_rendered() -> None:
    parts = unpack(write(PAGES))
    text = b"".join(parts.values())
    assert b"Never rendered artifact" not in text


# -- reproducible --------------------------------------------------------------------------------


def test_two_runs_give_identical_bytes() -> None:
    assert write(PAGES) == write(PAGES)
    assert write(SAMPLE) == write(SAMPLE)


def test_another_process_gives_identical_bytes(tmp_path: Path) -> None:
    """A fresh interpreter (new hash seed, new clock) writes the same bytes."""
    target = tmp_path / "again.epub"
    subprocess.run(
        [sys.executable, "-m", "converter", str(SAMPLE), "--to", "epub", "-o", str(target)],
        check=True,
        capture_output=True,
    )
    assert target.read_bytes() == write(SAMPLE)


def test_zip_layout_is_fixed() -> None:
    with zipfile.ZipFile(io.BytesIO(write(PAGES))) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "mimetype"
    assert infos[0].compress_type == zipfile.ZIP_STORED
    assert {info.date_time for info in infos} == {epub_writer.ZIP_DATE}
    assert [i.filename for i in infos][1:3] == ["META-INF/container.xml", "EPUB/content.opf"]


# -- package, navigation and metadata --------------------------------------------------------------


def test_package_metadata() -> None:
    root = parse(PAGES).getroot()
    parts = unpack(epub_writer.write(root, Options()))
    package = xml(parts["EPUB/content.opf"])
    assert package.get(canonical.XML_LANG) == "en-GB"
    meta = package.find("opf:metadata", NS)

    def dc(name: str) -> list[str]:
        return [e.text or "" for e in meta.iterfind(f"dc:{name}", NS)]

    def props(name: str) -> list[str]:
        return [e.text or "" for e in meta.iterfind("opf:meta", NS) if e.get("property") == name]

    assert dc("title") == ["Inspection of Example local authority children's services"]
    assert dc("language") == ["en-GB"]
    assert dc("publisher") == ["Ofsted"]
    assert dc("date") == ["2021-06-18"]
    assert dc("source") == ["epub-pages.xml"]
    [identifier] = dc("identifier")
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", identifier)
    other = parse(PLAIN).getroot()
    other_id = xml(unpack(epub_writer.write(other, Options()))["EPUB/content.opf"]).findtext(
        "opf:metadata/dc:identifier", namespaces=NS
    )
    assert other_id != identifier  # derived from the source's sha256
    assert props("dcterms:modified") == ["2021-06-18T00:00:00Z"]
    assert props("dcterms:conformsTo") == [epub_writer.CONFORMANCE]
    assert props("schema:accessMode") == ["textual"]
    assert props("schema:accessModeSufficient") == ["textual"]
    assert props("schema:accessibilityHazard") == ["none"]
    features = props("schema:accessibilityFeature")
    for feature in ("structuralNavigation", "tableOfContents", "readingOrder", "printPageNumbers"):
        assert feature in features
    [summary] = props("schema:accessibilitySummary")
    assert "epub-pages.xml" in summary and "page" in summary
    [pagination] = [e for e in meta.iterfind("opf:meta", NS) if e.get("property") == "source-of"]
    assert pagination.text == "pagination" and pagination.get("refines") == "#original"


def test_without_print_pages_no_page_claims() -> None:
    parts = unpack(write(PLAIN))
    package = xml(parts["EPUB/content.opf"])
    features = [
        e.text
        for e in package.iterfind("opf:metadata/opf:meta", NS)
        if e.get("property") == "schema:accessibilityFeature"
    ]
    assert "printPageNumbers" not in features and "pageNavigation" not in features
    assert epub_check._nav_of(xml(parts["EPUB/nav.xhtml"]), "page-list") is None
    # No date in the tree: the fixed epoch.
    assert b"2000-01-01T00:00:00Z" in parts["EPUB/content.opf"]


def test_one_content_document_per_top_level_section_plus_title_page() -> None:
    """Title page, the text before the first section, then a file per top-level section."""
    root = parse(PAGES).getroot()
    found = spine_documents(unpack(write(PAGES)))
    names = [name for name, _ in found]
    top_sections = len(root.findall("body/section")) + len(root.findall("back/section"))
    assert root.find("body")[1].tag != "section"  # the fixture has text before its sections
    assert names[:3] == ["title.xhtml", "chapter-01.xhtml", "chapter-02.xhtml"]
    assert len(names) == 2 + top_sections
    for name, document in found:
        assert document.get(canonical.XML_LANG) == "en-GB"
        levels = [
            etree.QName(e).localname
            for e in document.iter()
            if isinstance(e.tag, str) and re.fullmatch(r"h[1-6]", etree.QName(e).localname)
        ]
        if name != "chapter-01.xhtml":  # the text before the first section has no heading
            assert levels and levels[0] == "h1", name
    landmarks = epub_check._nav_of(xml(unpack(write(PAGES))["EPUB/nav.xhtml"]), "landmarks")
    [start] = [a for a in landmarks.iter() if a.get(epub_check.OPS_TYPE) == "bodymatter"]
    assert start.get("href") == "chapter-01.xhtml#page-1"


def test_nav_has_toc_landmarks_and_page_list() -> None:
    parts = unpack(write(PAGES))
    nav = xml(parts["EPUB/nav.xhtml"])
    toc = epub_check._nav_of(nav, "toc")
    hrefs = [a.get("href") for a in toc.iterfind(".//h:a", NS)]
    # The untitled opening is chapter 2 ("Overview"); the back matter one file.
    assert "chapter-02.xhtml#overview-heading" in hrefs
    assert "chapter-04.xhtml#improve-h" in hrefs and "back-01.xhtml#licence-h" in hrefs
    nested = toc.find("h:ol/h:li/h:ol/h:li/h:ol/h:li/h:a", NS)
    assert nested is not None and nested.text == "A deeper heading"
    kinds = [a.get(epub_check.OPS_TYPE) for a in epub_check._nav_of(nav, "landmarks").iter()]
    assert {"titlepage", "toc", "bodymatter"} <= set(kinds)
    pages = [a.text for a in epub_check._nav_of(nav, "page-list").iterfind(".//h:a", NS)]
    assert pages == ["1", "2", "3"]
    # Each page-list target exists, with the pagebreak semantics.
    for link in epub_check._nav_of(nav, "page-list").iterfind(".//h:a", NS):
        name, fragment = link.get("href").split("#")
        [marker] = xml(parts[f"EPUB/{name}"]).xpath("//*[@id=$id]", id=fragment)
        assert marker.get(epub_check.OPS_TYPE) == "pagebreak"
        assert marker.get("role") == "doc-pagebreak"
        assert marker.get("aria-label") == f"Print page {link.text}"


def test_links_across_documents_are_rewritten() -> None:
    parts = unpack(write(PAGES))
    chapter = xml(parts["EPUB/chapter-04.xhtml"])
    noteref = chapter.find(".//h:a[@role='doc-noteref']", NS)
    assert noteref.get("href") == "#note-1"  # the note is in the same file
    nav = parts["EPUB/nav.xhtml"].decode()
    assert 'href="title.xhtml#title"' in nav


def test_markup_in_text_stays_text() -> None:
    parts = unpack(write(PAGES))
    text = b"".join(parts.values())
    assert b"<script" not in text
    assert b"&lt;script&gt;" in text


@pytest.mark.parametrize(
    ("profile", "percent"), [("clear-14", "116.7%"), ("large-18", "150.0%"), ("giant-32", "266.7%")]
)
def test_stylesheet_is_relative_and_follows_the_profile(profile: str, percent: str) -> None:
    css = unpack(write(PLAIN, Options(profile=profile)))["EPUB/styles/epub.css"].decode()
    assert f"html {{ font-size: {percent}; }}" in css
    assert not re.search(r"\d(px|pt|cm|mm|in)\b", css), "a fixed size in the stylesheet"
    assert "!important" not in css
    assert "color:" not in css.replace("currentColor", "")  # the reader's colours by default


def test_chosen_colour_scheme_is_applied() -> None:
    css = unpack(write(PLAIN, Options(colours="yellow-on-black")))["EPUB/styles/epub.css"]
    assert b"color: #ffff00; background-color: #000000" in css


def test_invalid_tree_is_one_clear_error() -> None:
    root = parse(PLAIN).getroot()
    root.remove(root.find("body"))
    with pytest.raises(ConverterError):
        epub_writer.write(root, Options())


def test_registered_as_a_writer_and_checker(tmp_path: Path) -> None:
    from converter import writers
    from converter.check import CHECKERS

    writer = writers.get("epub")
    assert (writer.extension, writer.media_type) == ("epub", "application/epub+zip")
    assert CHECKERS["epub"] == "converter.check.epub"
    [output] = api.convert(PLAIN, ["epub"], Options(), tmp_path)
    assert output.path is not None and output.path.name == "epub-plain.epub"


# -- what a reader meets (issue 17) --------------------------------------------------------


def test_the_page_list_starts_at_the_first_print_page() -> None:
    """A source whose first page break is page 2 began on page 1: the list says so."""
    parts = unpack(write(FIXTURES / "xml" / "notes-and-contents.xml"))
    nav = xml(parts["EPUB/nav.xhtml"])
    pages = [a.text for a in epub_check._nav_of(nav, "page-list").iterfind(".//h:a", NS)]
    assert pages == ["1", "2", "3"]


def test_print_page_markers_are_quiet() -> None:
    """A page turn between blocks is a plain right-aligned line; one inside a paragraph
    shows nothing: never bold inline text in the middle of a sentence."""
    css = unpack(write(PAGES))["EPUB/styles/epub.css"].decode()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    rules = re.findall(r"([^{}]*pagebreak[^{}]*)\{([^}]*)\}", css)
    assert rules and all("bold" not in body for _, body in rules)
    assert all(selector.strip().startswith("div.pagebreak") for selector, _ in rules)
