"""The large-print PDF: PDF/UA-1 (veraPDF and our own structure checks), words, layout, safety."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import FIXTURES, REPO, SAMPLE, corpus_params, corpus_texts, sample_and_corpus_params
from lxml import etree
from test_xhtml import in_order, rendered_words

from converter import Options, api, profiles
from converter import tree as canonical
from converter.check import CheckResult, check_file, pdf_layout, verapdf
from converter.check import pdf as pdf_check
from converter.words import words
from converter.writers import facts as writer_facts
from converter.writers import pdf as pdf_writer
from converter.writers import pdf_structure

PROFILES = profiles.profile_names()
SCHEMES = profiles.colour_names()
LONG_TABLE = FIXTURES / "xml" / "pdf-long-table.xml"
HOSTILE = FIXTURES / "xml" / "pdf-hostile-text.xml"
EVERY_ELEMENT = FIXTURES / "xml" / "xhtml-every-element.xml"

# The sample at every profile (default colours) and at every colour scheme (default
# profile), plus the measure at its widest: clear print on A3.  The full matrix is bench/.
SAMPLE_OPTIONS = [
    *(pytest.param(Options(profile=name), id=name) for name in PROFILES),
    *(pytest.param(Options(colours=name), id=name) for name in SCHEMES if name != "black-on-white"),
    pytest.param(Options(profile="clear-14", paper="A3"), id="clear-14-A3"),
]


def failures(results: list[CheckResult]) -> list[str]:
    return [f"{r.name}: {r.status} {list(r.details[:5])}" for r in results if r.status != "pass"]


def text_of(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


# -- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize("source", sample_and_corpus_params())
def test_default_profile_passes_every_check(render, source: Path) -> None:
    path = render(source, "pdf")
    results = check_file(path, Options()).results
    assert {r.name for r in results} >= {"verapdf-pdf-ua-1", "pdf-tables-whole", "pdf-artifacts"}
    assert failures(results) == []


@pytest.mark.parametrize("options", SAMPLE_OPTIONS)
def test_sample_at_every_profile_and_scheme_passes_every_check(render, options: Options) -> None:
    results = check_file(render(SAMPLE, "pdf", options), options).results
    assert failures(results) == []


def test_untagged_pdf_fails_verapdf_and_our_checks(tmp_path: Path) -> None:
    """Negative control: the same document rendered without PDF/UA tagging."""
    from weasyprint import HTML

    root = api.parse(EVERY_ELEMENT).getroot()
    html_text, _ = pdf_writer.build_html(root, profiles.print_profile(Options()))
    path = tmp_path / "untagged.pdf"
    path.write_bytes(HTML(string=html_text).write_pdf())
    results = {r.name: r for r in check_file(path, Options()).results}
    assert results["verapdf-pdf-ua-1"].status == "fail"
    assert results["pdf-tagged"].status == "fail"


def test_body_text_at_the_wrong_size_fails(render) -> None:
    """The text-size check measures: an 18 pt PDF does not pass as 24 pt."""
    path = render(SAMPLE, "pdf")
    results = {r.name: r for r in check_file(path, Options(profile="large-24")).results}
    assert results["pdf-text-size"].status == "fail"
    assert results["pdf-artifacts"].status == "fail"  # page numbers are not at 24 pt either


# -- tables split over pages (WeasyPrint #2903) ----------------------------------------------


def test_a_table_too_long_for_a_page_is_one_table(render) -> None:
    path = render(LONG_TABLE, "pdf")
    assert failures(check_file(path, Options()).results) == []
    with pikepdf.open(path) as pdf:
        tables = [e for e in pdf_structure.struct_elements(pdf) if e.get("/S") == "/Table"]
        assert len(tables) == 1
        rows = [e for e in pdf_check._descendants(tables[0]) if e.get("/S") == "/TR"]
        assert len(rows) == 1 + 24  # one header row (the repeats are artifacts) and 24 rows
        pages = {e.Pg.objgen for e in pdf_check._descendants(tables[0]) if "/Pg" in e}
        assert len(pages) >= 2  # it really did run over a page break


def test_without_the_merge_the_split_table_is_found() -> None:
    """Control: WeasyPrint's own output has one Table per page, and our check says so."""
    root = api.parse(LONG_TABLE).getroot()
    rendering = pdf_writer.render(root, Options(), merge_tables=False)
    assert len({page for table_id, page in rendering.table_fragments if table_id == "areas"}) >= 2
    with pikepdf.open(__import__("io").BytesIO(rendering.pdf)) as pdf:
        findings = pdf_check.split_table_findings(pdf, pdf_structure.struct_elements(pdf))
    assert findings and "second Table" in findings[0]


# -- content ----------------------------------------------------------------------------


@pytest.mark.parametrize("source", sample_and_corpus_params())
def test_every_word_in_reading_order(render, source: Path) -> None:
    root = api.parse(source).getroot()
    found = words(
        text_of(render(source, "pdf"), "-raw")
    )  # content order: WeasyPrint's reading order
    assert in_order(rendered_words(root), found) == []


def test_title_page_and_contents(render) -> None:
    root = api.parse(SAMPLE).getroot()
    path = render(SAMPLE, "pdf")
    first = " ".join(text_of(path, "-f", "1", "-l", "1").split())
    title = " ".join(root.findtext("meta/title").split())
    assert title in first
    assert "Large print edition: 18 point, black text on white." in first
    second = " ".join(text_of(path, "-f", "2", "-l", "2").split())
    # "What needs to improve? – page 4": the page close to its entry, no comma after a "?".
    assert "Contents" in second and re.search(r"improve\? \u2013 page \d+", second)
    assert ", page" not in second
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
        stack = list(outline.root)
        while stack:
            item = stack.pop()
            titles.append(item.title)
            stack.extend(item.children)
    headings = [
        " ".join(canonical.text_content(h).split()) for h in root.iterfind("body/section/heading")
    ]
    assert titles[0] == title
    assert all(any(h in t for t in titles) for h in headings[:5]) or headings == []


@pytest.mark.parametrize(
    ("options", "label"),
    [
        (Options(profile="clear-14"), "Clear print edition: 14 point"),
        (Options(profile="giant-32"), "Giant print edition: 32 point"),
    ],
)
def test_title_page_names_the_print_size(render, options: Options, label: str) -> None:
    first = " ".join(text_of(render(SAMPLE, "pdf", options), "-f", "1", "-l", "1").split())
    assert label in first


# -- layout -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options", [pytest.param(Options(), id="large-18"), *SAMPLE_OPTIONS[:1], SAMPLE_OPTIONS[-1]]
)
def test_layout(render, render_cache: Path, options: Options) -> None:
    """Nothing outside the page; no line longer than the profile's; pages as PNG artifacts."""
    path = render(SAMPLE, "pdf", options)
    profile = profiles.print_profile(options)
    artifacts = render_cache.parent / "artifacts" / f"pdf-{profile.name}-{profile.paper}"
    artifacts.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "4", str(path), str(artifacts / "page")],
        check=True,
    )
    assert len(list(artifacts.glob("page-*.png"))) == 4
    layout = etree.fromstring(text_of(path, "-bbox-layout").encode())
    namespace = {"h": "http://www.w3.org/1999/xhtml"}
    longest = 0
    for page in layout.iterfind(".//h:page", namespace):
        width, height = float(page.get("width")), float(page.get("height"))
        for word in page.iterfind(".//h:word", namespace):
            box = [float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
            assert box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height, word.text
        for line in page.iterfind(".//h:line", namespace):
            text = " ".join(w.text or "" for w in line.iterfind("h:word", namespace))
            longest = max(longest, len(text))
    assert 20 < longest <= profile.line_length


# -- safety -------------------------------------------------------------------------------


def test_markup_and_urls_in_the_text_are_text_and_nothing_is_fetched() -> None:
    fetcher = pdf_writer.resource_fetcher_class()()
    root = api.parse(HOSTILE).getroot()
    rendering = pdf_writer.render(root, Options(), fetcher=fetcher)
    # Only our fonts (fetched once per process: the shared FontConfiguration keeps them).
    assert set(fetcher.requested) <= set(pdf_writer.FONT_URLS.values())
    assert fetcher.refused == []
    with pikepdf.open(__import__("io").BytesIO(rendering.pdf)) as pdf:
        text = "".join(
            subprocess.run(
                ["pdftotext", "-enc", "UTF-8", "-", "-"],
                input=rendering.pdf,
                capture_output=True,
                check=True,
            ).stdout.decode()
        )
        annotations = [a for page in pdf.pages for a in page.get("/Annots", [])]
    flat = " ".join(text.split())
    assert '<script>fetch("http://example.com/steal")</script>' in flat
    assert "<img src=http://example.com/tracker.png" in flat
    assert "url(file:///etc/hostname)" in flat
    uris = {str(a.A.URI) for a in annotations if "/A" in a and "/URI" in a.A}
    assert "http://example.com/page" in uris
    assert not any(uri.startswith(("file:", "javascript:")) for uri in uris)


def test_the_fetcher_refuses_everything_but_our_fonts() -> None:
    fetcher = pdf_writer.resource_fetcher_class()()
    for url in (
        "file:///etc/passwd",
        "http://example.com/x.css",
        "data:text/css,body{}",
        "converter-resource:font/../../etc/passwd",
    ):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert fetcher.fetch(pdf_writer.FONT_URLS["bold"]).read()[:4] == b"\x00\x01\x00\x00"


def test_the_file_is_well_formed_reproducible_and_identified() -> None:
    """The repairs are made on WeasyPrint's objects before it writes them, and the identifier
    is added to the trailer it wrote: qpdf finds nothing to fix, the same tree gives the same
    bytes, and the identifier is the hash of the file without it."""
    import hashlib
    import io

    root = api.parse(LONG_TABLE).getroot()
    first = pdf_writer.render(root, Options()).pdf
    assert pdf_writer.render(root, Options()).pdf == first
    with pikepdf.open(io.BytesIO(first)) as pdf:
        assert pdf.check_pdf_syntax() == []
        identifier = bytes(pdf.trailer.ID[0])
        assert bytes(pdf.trailer.ID[1]) == identifier
    without = re.sub(rb"/ID \[<[0-9a-f]{32}> <[0-9a-f]{32}>\]", b"", first)
    assert identifier.hex() == hashlib.md5(without).hexdigest()


def test_one_font_configuration_per_process() -> None:
    assert pdf_writer.font_configuration() is pdf_writer.font_configuration()


# -- what a reader sees: the visual check over every profile, scheme and paper ------------

PAPERS = ("A4", "A3")
VISUAL = ("pdf-glyphs-inside", "pdf-text-colours", "pdf-text-size", "pdf-title-page")
ARTIFACTS = Path(os.environ.get("CONVERTER_TEST_ARTIFACTS", REPO / "test-artifacts"))


def keep_page_images(path: Path, name: str) -> Path:
    """The first three pages and the last, as small PNGs, kept as test artifacts."""
    folder = ARTIFACTS / "pdf-pages" / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    with pikepdf.open(path) as pdf:
        count = len(pdf.pages)
    for first, last in ((1, min(3, count)), (count, count)):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "24",
                "-f",
                str(first),
                "-l",
                str(last),
                str(path),
                str(folder / "page"),
            ],
            check=True,
        )
    return folder


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("profile", PROFILES)
def test_visual_check_of_the_sample(render, profile: str, scheme: str, paper: str) -> None:
    """Every glyph inside the trim box and the margins, every text run in the scheme's text
    or link colour, body text at the profile's size, the title page on one page."""
    options = Options(profile=profile, colours=scheme, paper=paper)
    path = render(SAMPLE, "pdf", options)
    assert list(keep_page_images(path, f"sample-{profile}-{scheme}-{paper}").glob("*.png"))
    results = {r.name: r for r in pdf_check.own_checks(path, options)}
    failed = [
        f"{name}: {list(results[name].details[:3])}"
        for name in VISUAL
        if results[name].status != "pass"
    ]
    assert failed == []


@pytest.mark.parametrize("source", corpus_params(corpus_texts()))
def test_visual_check_of_the_corpus(render, source: Path) -> None:
    path = render(source, "pdf")
    keep_page_images(path, f"{source.name.split('.')[0]}-large-18")
    results = {r.name: r for r in pdf_check.own_checks(path, Options())}
    failed = [
        f"{name}: {list(results[name].details[:3])}"
        for name in VISUAL
        if results[name].status != "pass"
    ]
    assert failed == []


def test_the_visual_check_catches_planted_faults(render, tmp_path: Path) -> None:
    """Negative controls: off-scheme colours, text pushed off the page, a title page that
    runs on, body text at the wrong size."""
    path = render(SAMPLE, "pdf")
    wrong_scheme = {
        r.name: r for r in pdf_check.own_checks(path, Options(colours="yellow-on-black"))
    }
    assert wrong_scheme["pdf-text-colours"].status == "fail"
    shifted = tmp_path / "shifted.pdf"
    with pikepdf.open(path) as pdf:
        page = pdf.pages[3]
        page.contents_add(pdf.make_stream(b"1 0 0 1 -120 0 cm"), prepend=True)
        pdf.save(shifted)
    placed = {r.name: r for r in pdf_check.own_checks(shifted, Options())}
    assert placed["pdf-glyphs-inside"].status == "fail"
    assert "outside the trim box" in placed["pdf-glyphs-inside"].details[0]
    root = api.parse(FIXTURES / "xml" / "core-minimal.xml").getroot()
    root.find("meta/title").text = " ".join(["A title far too long for one page"] * 30)
    [output] = api.convert(
        canonical.serialize(root),
        ["pdf"],
        Options(profile="giant-32"),
        tmp_path,
        source_format="xml",
    )
    long_title = {r.name: r for r in pdf_check.own_checks(output.path, Options(profile="giant-32"))}
    assert long_title["pdf-title-page"].status == "fail"
    wrong_size = {r.name: r for r in pdf_check.own_checks(path, Options(profile="large-24"))}
    assert wrong_size["pdf-text-size"].status == "fail"


# -- running heads and links ---------------------------------------------------------------


def long_title_tree() -> bytes:
    root = api.parse(FIXTURES / "xml" / "core-minimal.xml").getroot()
    root.find("meta/title").text = (
        "Inspection of looked after children services and the local safeguarding "
        "children board of a county council"
    )
    root.find("meta").remove(root.find("meta/subject"))
    return canonical.serialize(root)


@pytest.mark.parametrize("profile", ["large-18", "giant-32"])
def test_a_long_running_head_is_shortened_to_fit_the_text_area(
    tmp_path: Path, profile: str
) -> None:
    options = Options(profile=profile)
    [output] = api.convert(long_title_tree(), ["pdf"], options, tmp_path, source_format="xml")
    second = text_of(output.path, "-f", "2", "-l", "2").splitlines()
    head = second[0].strip()
    assert head.startswith("Inspection of looked after") and head.endswith("\u2026")
    assert not head[:-1].endswith(" ")  # cut at a word, never mid-word
    results = {r.name: r for r in pdf_check.own_checks(output.path, options)}
    assert results["pdf-glyphs-inside"].status == "pass", results["pdf-glyphs-inside"].details


@pytest.mark.parametrize("scheme", SCHEMES)
def test_links_keep_to_the_colour_scheme(render, scheme: str) -> None:
    options = Options(colours=scheme)
    path = render(SAMPLE, "pdf", options)
    profile = profiles.print_profile(options)
    results = {r.name: r for r in pdf_check.own_checks(path, options)}
    assert results["pdf-text-colours"].status == "pass", results["pdf-text-colours"].details
    drawn, _ = pdf_layout.glyphs(path)
    colours = {"#{:02x}{:02x}{:02x}".format(*g.colour) for g in drawn}
    assert colours <= {profile.foreground, profile.link}
    if scheme == "yellow-on-black":
        assert colours == {"#ffff00"}, "no white links on a yellow-on-black copy"


# -- PDF/UA-2 --------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_pdf_ua_2_sample_at_every_profile(render, profile: str) -> None:
    options = Options(profile=profile, pdf_standard="ua-2")
    path = render(SAMPLE, "pdf", options)
    results = {r.name: r for r in check_file(path).results}  # the part read from the file
    assert "verapdf-pdf-ua-2" in results and "verapdf-pdf-ua-1" not in results
    assert failures(list(results.values())) == []
    with pikepdf.open(path) as pdf:
        assert pdf.pdf_version == "2.0"


@pytest.mark.parametrize("source", corpus_params(corpus_texts()))
def test_pdf_ua_2_corpus(render, source: Path) -> None:
    path = render(source, "pdf", Options(pdf_standard="ua-2"))
    result = verapdf.validate(path, "ua2")
    assert result.compliant, result.failed_rules


def test_pdf_ua_2_negative_controls(render, tmp_path: Path) -> None:
    """WeasyPrint's own pdf/ua-2 fails 8.8-1 (destinations are not structure destinations)
    and a UA-1 file is no UA-2 file: our post-processing is what makes it pass."""
    from weasyprint import CSS, HTML

    root = api.parse(SAMPLE).getroot()
    html_text, css = pdf_writer.build_html(root, profiles.print_profile(Options()))
    fetcher = pdf_writer.resource_fetcher_class()()
    raw = HTML(string=html_text, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=fetcher)], pdf_variant="pdf/ua-2"
    )
    own = tmp_path / "weasyprint-ua-2.pdf"
    own.write_bytes(raw)
    rules = " ".join(verapdf.validate(own, "ua2").failed_rules)
    assert "8.8-1" in rules
    ua1 = verapdf.validate(render(SAMPLE, "pdf"), "ua2")
    assert not ua1.compliant


def test_structure_destinations_land_on_their_headings(render) -> None:
    path = render(SAMPLE, "pdf", Options(pdf_standard="ua-2"))
    with pikepdf.open(path) as pdf:
        names = pdf.Root.Names.Dests.Names
        landing = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}
        for name in ("what-needs-to-improve-heading", "help-and-protection-heading"):
            assert landing[name].SD[0].S == "/H2"
        with pdf.open_outline() as outline:
            first = outline.root[0]
            assert first.title.startswith("Inspection of Warwickshire")
        item = pdf.Root.Outlines.First
        assert item.A.S == "/GoTo" and item.A.SD[0].S == "/H1"


# -- print facts in the file -------------------------------------------------------------


def test_the_pdf_carries_its_print_facts(render) -> None:
    options = Options(profile="large-24", colours="black-on-cream")
    path = render(SAMPLE, "pdf", options)
    facts = writer_facts.read_pdf(path)
    assert facts is not None
    assert (facts.profile, facts.font_size, facts.colours, facts.paper) == (
        "large-24",
        24.0,
        "black-on-cream",
        "A4",
    )
    # `convert check` measures it at 24 pt without being told.
    report = check_file(path)
    assert failures(report.results) == []
