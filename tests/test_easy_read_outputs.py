"""The Easy Read edition of the sample and of every corpus report, as the real validators see
it: the PDF (veraPDF PDF/UA-1 with its pictures as Figures with /Alt, about 20 pages at
most), the DOCX (our checks and LibreOffice), the HTML (axe-core in Chromium) and, for the
sample, the EPUB (EPUBCheck and Ace); every line at most 15 words, every picture with alt
text, the attribution page in each copy; no words over a picture; page images of the
sample's PDF kept in test-artifacts/easy-read/."""

from __future__ import annotations

import functools
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from conftest import REPO, SAMPLE, sample_and_corpus_params
from lxml import etree

from converter import Options, api, profiles, symbols
from converter import tree as canonical
from converter.check import CheckResult, check_file
from converter.check.browser import browser
from converter.transforms.easy_read import EasyRead, NothingToSay, easy_read_of
from converter.transforms.easy_read_rules import MAX_WORDS, readability
from converter.words import words
from converter.writers import pdf as pdf_writer
from converter.writers.pdf_structure import struct_elements

EASY = Options(easy_read=True, trace=True)
ARTIFACTS = REPO / "test-artifacts" / "easy-read"


@functools.cache
def edition(source: Path) -> EasyRead | NothingToSay:
    """The edition of a document, or the error refusing it (planned once per process)."""
    try:
        return easy_read_of(api.parse(source).getroot())
    except NothingToSay as refusal:
        return refusal


def made(source: Path) -> EasyRead | None:
    """The edition; None for a document refused, once the refusal is checked to be right:
    nothing graded, no improvement asked for, and the one error saying why."""
    found = edition(source)
    if isinstance(found, NothingToSay):
        facts = found_facts(source)
        assert not facts["judgements"] and not facts["improvements"], source.name
        assert str(found).startswith("no Easy Read edition:")
        print(f"\n{source.stem}: refused: {found}")
        return None
    return found


def sample() -> EasyRead:
    found = made(SAMPLE)
    assert found is not None
    return found


def found_facts(source: Path) -> dict[str, Any]:
    from converter.transforms.summary import source_facts

    return source_facts(api.parse(source).getroot())[1]


def failures(results: list[CheckResult]) -> list[str]:
    return [f"{r.name}: {r.status} {list(r.details[:5])}" for r in results if r.status != "pass"]


def figures(edition_made: EasyRead, source: Path, pdf: Path | None = None) -> str:
    lines = edition_made.plan.lines()
    reading = readability([line.text for line in lines])
    pictured = [line for line in lines if line.symbol]
    pages = f", {len(pikepdf.open(pdf).pages)} pages" if pdf is not None else ""
    return (
        f"{source.stem}: {len(lines)} lines, longest {reading.longest} words, FK "
        f"{reading.grade_level:.1f}{pages}, {len({line.symbol for line in pictured})} pictures "
        f"on {len(pictured)} lines, {len(lines) - len(pictured)} lines without"
    )


@pytest.mark.parametrize("source", sample_and_corpus_params())
def test_pdf_passes_verapdf_and_the_easy_read_checks(render: Any, source: Path) -> None:
    edition_made = made(source)
    if edition_made is None:
        return
    path: Path = render(source, "pdf", EASY)
    results = check_file(path, EASY).results
    names = {r.name for r in results}
    assert {"verapdf-pdf-ua-1", "easy-read-picture-alt", "easy-read-attribution"} <= names
    assert {"easy-read-length"} <= names
    print(
        f"\n{figures(edition_made, source, path)}; PDF {'pass' if not failures(results) else 'FAIL'}"
    )
    assert failures(results) == []
    with pikepdf.open(path) as pdf:
        pictures = [e for e in struct_elements(pdf) if str(e.get("/S")) == "/Figure"]
        alts = sorted({str(e.get("/Alt")) for e in pictures})
    expected = edition_made.tree.findall(".//line/symbol")
    assert len(pictures) == len(expected)  # every picture tagged as a Figure, with its /Alt
    assert alts == sorted({s.get("alt") for s in expected})


@pytest.mark.parametrize("source", sample_and_corpus_params())
def test_docx_passes_our_checks_and_libreoffice(render: Any, source: Path) -> None:
    edition_made = made(source)
    if edition_made is None:
        return
    path: Path = render(source, "docx", EASY)
    results = check_file(path, EASY).results
    assert {"libreoffice-pdf-roundtrip", "docx-image-alt", "easy-read-picture-alt"} <= {
        r.name for r in results
    }
    assert failures(results) == []
    # The picture first, then a tab, then the words: symbol left, words right.
    namespace = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    body = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    drawn = [
        p
        for p in body.iter(f"{{{namespace['w']}}}p")
        if p.find(".//w:drawing", namespace) is not None
    ]
    assert len(drawn) == len(edition_made.tree.findall(".//line/symbol"))
    for paragraph in drawn:
        runs = paragraph.findall("w:r", namespace)
        assert runs[0].find("w:drawing", namespace) is not None
        assert runs[1].find("w:tab", namespace) is not None
        assert "".join(t.text or "" for t in paragraph.iterfind(".//w:t", namespace)).strip()


@pytest.mark.parametrize("source", sample_and_corpus_params())
def test_html_passes_axe_with_every_picture_described(render: Any, source: Path) -> None:
    if made(source) is None:
        return
    path: Path = render(source, "html", EASY)
    results = check_file(path, EASY).results
    assert {"axe-core", "easy-read-lines", "easy-read-picture-alt"} <= {r.name for r in results}
    assert failures(results) == []


@pytest.mark.parametrize("source", sample_and_corpus_params())
def test_tree_is_faithful_to_its_report(render: Any, source: Path) -> None:
    """The canonical tree with its trace, against the source it was made from."""
    if made(source) is None:
        return
    path: Path = render(source, "xml", EASY)
    root = api.parse(source).getroot()
    results = check_file(path, EASY, source=root).results
    names = {r.name for r in results}
    assert {"easy-read-lines", "easy-read-readability", "easy-read-faithfulness"} <= names
    assert failures(results) == []
    for line in etree.parse(str(path)).iter("line"):
        assert len(words(canonical.text_content(line))) <= MAX_WORDS


def test_sample_epub_passes_epubcheck_and_ace(render: Any) -> None:
    path: Path = render(SAMPLE, "epub", EASY)
    results = check_file(path, EASY).results
    assert {"epubcheck", "ace", "easy-read-picture-alt"} <= {r.name for r in results}
    assert failures(results) == []
    with zipfile.ZipFile(path) as book:
        names = book.namelist()
        package = book.read("EPUB/content.opf").decode()
    used = {s.get("ref") for s in sample().tree.iter("symbol")}
    assert sorted(n for n in names if n.startswith("EPUB/images/symbols/")) == sorted(
        f"EPUB/images/symbols/{concept}.svg" for concept in used
    )
    assert "alternativeText" in package and ">visual<" in package


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(Options(easy_read=True, profile="giant-32"), id="giant-32"),
        pytest.param(Options(easy_read=True, colours="yellow-on-black"), id="yellow-on-black"),
    ],
)
def test_sample_at_giant_print_and_dark_colours_passes(render: Any, options: Options) -> None:
    path: Path = render(SAMPLE, "pdf", options)
    assert failures(check_file(path, options).results) == []


def test_sample_pdf_page_images_are_kept_and_no_words_are_over_a_picture(render: Any) -> None:
    """The pages as PNG (pdftoppm) in test-artifacts/easy-read/; and in WeasyPrint's own
    layout, no box of text overlaps a picture on any page."""
    path: Path = render(SAMPLE, "pdf", EASY)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(path), str(ARTIFACTS / "page")], check=True)
    pages = len(pikepdf.open(path).pages)
    assert len(list(ARTIFACTS.glob("page-*.png"))) == pages <= 20
    from weasyprint import CSS, HTML
    from weasyprint.formatting_structure import boxes

    root = sample().tree
    html_text, css = pdf_writer.build_html(root, profiles.print_profile(EASY))
    fetcher = pdf_writer.resource_fetcher_class()()
    fonts = pdf_writer.font_configuration()
    with pdf_writer._lock:
        stylesheet = CSS(string=css, url_fetcher=fetcher, font_config=fonts)
        document = HTML(string=html_text, url_fetcher=fetcher).render(
            font_config=fonts, stylesheets=[stylesheet]
        )
    assert len(document.pages) == pages

    def walk(box: Any) -> Any:
        yield box
        for child in getattr(box, "children", ()):
            yield from walk(child)

    seen = 0
    for page in document.pages:
        every = list(walk(page._page_box))
        pictures = [b for b in every if isinstance(b, boxes.ReplacedBox)]
        texts = [b for b in every if isinstance(b, boxes.TextBox) and b.text.strip()]
        for picture in pictures:
            seen += 1
            x, y = picture.content_box_x(), picture.content_box_y()
            left, top, right, bottom = x, y, x + picture.width, y + picture.height
            for text in texts:
                overlap = (
                    min(right, text.position_x + text.width) - max(left, text.position_x) > 0.5
                    and min(bottom, text.position_y + text.height) - max(top, text.position_y) > 0.5
                )
                assert not overlap, f"{text.text!r} over a picture on a page"
    assert seen == len(root.findall(".//line/symbol"))


def test_html_pictures_sit_left_of_their_words_in_a_browser(render: Any) -> None:
    path: Path = render(SAMPLE, "html", EASY)
    page = browser().new_page()
    try:
        page.set_content(path.read_text(encoding="utf-8"), wait_until="load")
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('.easy-line')].map(line => {
                 const img = line.querySelector('img'), p = line.querySelector('p');
                 return {img: img && img.getBoundingClientRect().toJSON(),
                         p: p.getBoundingClientRect().toJSON(),
                         loaded: img ? img.naturalWidth > 0 : true}; })"""
        )
    finally:
        page.context.close()
    pictured = [b for b in boxes if b["img"]]
    assert len(pictured) == len(sample().tree.findall(".//line/symbol"))
    for box in pictured:
        assert box["loaded"]  # the SVG in the data URL draws
        assert box["img"]["right"] <= box["p"]["left"]  # left of the words, never under them
        assert box["img"]["width"] >= 40
    words_left = {round(b["p"]["left"]) for b in boxes if not b["img"] and b["p"]["left"] > 100}
    assert len(words_left) <= 2  # lines without a picture keep the words' column


def test_every_copy_credits_the_pictures(render: Any) -> None:
    for fmt in ("pdf", "docx", "html", "epub"):
        path: Path = render(SAMPLE, fmt, EASY)
        [result] = [r for r in check_file(path, EASY).results if r.name == "easy-read-attribution"]
        assert result.status == "pass", (fmt, result.details)
    assert symbols.CREDIT == "Mulberry Symbols by Steve Lee"


def test_a_picture_without_alt_text_fails_every_format(render: Any, tmp_path: Path) -> None:
    """Planted: the alt text taken off one picture in the HTML, the DOCX and the PDF."""
    html = render(SAMPLE, "html", EASY)
    broken = tmp_path / "broken.easy-read.html"
    text = html.read_text(encoding="utf-8")
    alt = symbols.get("grade-good").alt
    broken.write_text(text.replace(f' alt="{alt}"', "", 1), encoding="utf-8")
    results = {r.name: r for r in check_file(broken, EASY).results}
    assert results["easy-read-picture-alt"].status == "fail"
    assert results["axe-core"].status == "fail"
    docx = render(SAMPLE, "docx", EASY)
    broken_docx = tmp_path / "broken.easy-read.docx"
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(broken_docx, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(f'descr="{alt}"'.encode(), b'descr=""', 1)
            target.writestr(item, data)
    results = {r.name: r for r in check_file(broken_docx, EASY).results}
    assert results["easy-read-picture-alt"].status == "fail"
    assert results["docx-image-alt"].status == "fail"
    pdf = render(SAMPLE, "pdf", EASY)
    broken_pdf = tmp_path / "broken.easy-read.pdf"
    with pikepdf.open(pdf) as document:
        figure = next(e for e in struct_elements(document) if str(e.get("/S")) == "/Figure")
        del figure["/Alt"]
        document.save(broken_pdf)
    results = {r.name: r for r in check_file(broken_pdf, EASY).results}
    assert results["easy-read-picture-alt"].status == "fail"
    assert results["verapdf-pdf-ua-1"].status == "fail"
