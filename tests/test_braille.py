"""Braille (BRF and PEF): layout, the checks of converter/check/braille.py, back-translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLE, sample_and_corpus_params
from lxml import etree

from converter import Options, api
from converter.check import CHECKERS, check_file
from converter.check import braille as checks
from converter.errors import DependencyError, UsageError
from converter.writers import braille, brf, pef

FIXTURE = FIXTURES / "xml" / "braille-report.xml"
MIN_RECOVERY = 0.98


def fixture_root() -> etree._Element:
    return etree.parse(str(FIXTURE)).getroot()


def assert_all_pass(results: list[checks.CheckResult]) -> None:
    failed = [f"{r.name}: {r.status} {list(r.details[:5])}" for r in results if r.status != "pass"]
    assert not failed, failed


def assert_recovered(root: etree._Element, data: bytes, options: Options) -> None:
    recovery = checks.word_recovery(root, data, options)
    misses = ", ".join(f"{w} x{n}" for w, n in recovery.misses.most_common())
    print(
        f"recovered {recovery.recovered}/{recovery.expected} ({recovery.ratio:.2%}); misses: {misses or 'none'}"
    )
    assert recovery.ratio >= MIN_RECOVERY, f"{recovery.ratio:.2%} recovered; misses: {misses}"


def text_pages(data: bytes) -> list[list[str]]:
    pages, findings = checks.read_brf(data)
    assert not findings
    return pages


# -- the hand-written fixture -------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_outputs() -> tuple[bytes, bytes, braille.BrailleDocument]:
    root = fixture_root()
    document = braille.layout(root, Options())
    return brf.encode(document), pef.encode(root, document), document


def test_fixture_passes_every_check(fixture_outputs: tuple[bytes, bytes, object]) -> None:
    brf_data, pef_data, _ = fixture_outputs
    assert_all_pass(checks.check_brf(brf_data, Options()))
    assert_all_pass(checks.check_pef(pef_data, Options()))
    assert_all_pass([checks.agreement(brf_data, pef_data)])


def test_fixture_back_translates(fixture_outputs: tuple[bytes, bytes, object]) -> None:
    assert_recovered(fixture_root(), fixture_outputs[0], Options())


def test_brf_bytes(fixture_outputs: tuple[bytes, bytes, braille.BrailleDocument]) -> None:
    data, _, document = fixture_outputs
    text = data.decode("ascii")
    assert text.endswith("\r\n\f")
    assert text.count("\f") == len(document.pages) >= 4
    assert "\n" not in text.replace("\r\n", "")
    # North American ASCII braille: "children" is *N in UEB grade 2, the title page first.
    assert ",9SPEC;N" in text and "*N" in text


def test_layout_follows_ukaaf(
    fixture_outputs: tuple[bytes, bytes, braille.BrailleDocument],
) -> None:
    _, _, document = fixture_outputs
    pages = [[line for line in page.lines] for page in document.pages]
    kinds = [line.kind for page in pages for line in page]
    # Three print pages are known: three print page indicator lines, never a page's last.
    assert kinds.count("print-page") == 3
    for page in pages:
        assert page[0].kind == "page-number"
        assert page[-1].kind != "print-page"
    body = [line for page in pages for line in page[1:]]
    translate = braille.Translator(document.code).translate
    # A main heading is centred, with a blank line before and after.
    heading = translate("Judgements")
    [index] = [i for i, line in enumerate(body) if line.cells.strip(braille.BLANK) == heading]
    line = body[index].cells
    left = len(line) - len(line.lstrip(braille.BLANK))
    assert abs(left - (40 - len(heading)) // 2) <= 1
    assert body[index - 1].kind == "blank" and body[index + 1].kind == "blank"
    # A paragraph's first line is indented two cells, its runovers start at cell 1.
    first = translate("Children and families")
    [start] = [i for i, line in enumerate(body) if line.cells.startswith(braille.BLANK * 2 + first)]
    assert not body[start + 1].cells.startswith(braille.BLANK)
    # A list item hangs: label at the margin, runovers at cell 3.
    item = translate("1. The timeliness")
    [start] = [i for i, line in enumerate(body) if line.cells.startswith(item)]
    assert body[start + 1].cells.startswith(braille.BLANK * 2)
    assert not body[start + 1].cells.startswith(braille.BLANK * 3)
    # Table rows are linearised with their header labels.
    assert any(translate("Grade: Good") in line.cells for line in body)
    # The title page names the document and says this is a braille edition.
    title = "".join(line.cells for line in pages[0])
    assert translate("Braille edition") in title and translate("Brailleshire") in title


def test_long_sequences_divide_only_where_the_code_allows(
    fixture_outputs: tuple[bytes, bytes, braille.BrailleDocument],
) -> None:
    _, _, document = fixture_outputs
    lines = [line for page in document.pages for line in page.lines if line.kind == "text"]
    joined = [line.cells for line in lines if line.joins]
    assert joined, "the fixture's long URL should need dividing"
    for cells in joined:
        assert cells.endswith((braille.CONTINUATION, braille.HYPHEN))
        assert cells[-2] not in braille.PREFIXES
    # Within a block, every other line ends at a word's end: the next word did not fit.
    translate = braille.Translator(document.code).translate
    paragraph = translate(" ".join(fixture_root().findtext(".//p[@id='s-1']").split()))  # type: ignore[union-attr]
    wrapped = braille.wrap(paragraph, 40, 2, 0)
    assert [w for line in wrapped for w in line.cells.split(braille.BLANK) if w] == [
        w for w in paragraph.split(braille.BLANK) if w
    ]
    for line, following in zip(wrapped, wrapped[1:], strict=False):
        assert not line.joins and len(line.cells) <= 40
        next_word = following.cells.split(braille.BLANK)[0]
        assert len(line.cells) + 1 + len(next_word) > 40


def test_one_liblouis_call_per_block(
    fixture_outputs: tuple[bytes, bytes, braille.BrailleDocument],
) -> None:
    _, _, document = fixture_outputs
    root = fixture_root()
    blocks = (
        len(root.findall(".//p")) + len(root.findall(".//item")) + len(root.findall(".//heading"))
    )
    blocks += (
        len(root.findall(".//row")) + len(root.findall(".//note")) + len(root.findall(".//table"))
    )
    inline_breaks = 2  # an inline page break splits its paragraph's translation in two
    note_references = 1  # a note indicator splits its paragraph's translation in two
    captions = 1  # the table's transcriber's note
    assert document.translator_calls <= blocks + inline_breaks + note_references + captions
    assert document.preliminary_calls > 0  # title page, transcriber's notes and contents


def test_planted_faults_are_caught(fixture_outputs: tuple[bytes, bytes, object]) -> None:
    data, pef_data, _ = fixture_outputs
    lines = data.split(b"\r\n")
    index = next(i for i, line in enumerate(lines) if 20 < len(line) < 40 and b"\f" not in line)
    lines[index] = lines[index].ljust(41, b"A")
    long_line = b"\r\n".join(lines)
    results = {r.name: r for r in checks.check_brf(long_line, Options())}
    assert results["brf-page-size"].status == "fail"
    assert "41 cells" in results["brf-page-size"].details[0]
    assert checks.agreement(long_line, pef_data).status == "fail"

    no_form_feed = data.rstrip(b"\f")
    assert {r.name: r.status for r in checks.check_brf(no_form_feed, Options())}[
        "brf-encoding"
    ] == "fail"

    pages = data.split(b"\f")
    swapped = b"\f".join([pages[1], pages[0], *pages[2:]])
    assert {r.name: r.status for r in checks.check_brf(swapped, Options())}[
        "brf-page-numbers"
    ] == "fail"

    too_many = data.replace(b"\f", b"\r\n" * 30 + b"\f", 1)
    assert {r.name: r.status for r in checks.check_brf(too_many, Options())}[
        "brf-page-size"
    ] == "fail"

    not_braille = pef_data.replace("\u283c\u2801<".encode(), b"1<", 1)
    assert not_braille != pef_data
    assert {r.name: r.status for r in checks.check_pef(not_braille, Options())}[
        "pef-schema"
    ] == "fail"
    no_identifier = etree.fromstring(pef_data)
    identifier = no_identifier.find(f".//{{{checks.DC_NS}}}identifier")
    assert identifier is not None
    identifier.getparent().remove(identifier)  # type: ignore[union-attr]
    results_pef = {
        r.name: r.status for r in checks.check_pef(etree.tostring(no_identifier), Options())
    }
    assert results_pef["pef-schema"] == "fail"


def test_check_file_registered_and_compares_siblings(tmp_path: Path) -> None:
    assert CHECKERS["brf"] == CHECKERS["pef"] == "converter.check.braille"
    api.convert(FIXTURE, ["brf", "pef"], Options(), tmp_path)
    for name in ("braille-report.brf", "braille-report.pef"):
        report = check_file(tmp_path / name)
        assert report.passed, report.to_text()
        assert "brf-pef-agreement" in {r.name for r in report.results}
        assert all(r.status == "pass" for r in report.results), report.to_text()


def test_cells_and_lines_options() -> None:
    options = Options(braille_cells=32, braille_lines=20)
    root = fixture_root()
    data = brf.write(root, options)
    assert_all_pass(checks.check_brf(data, options))
    pages = text_pages(data)
    assert max(len(line) for page in pages for line in page) == 32
    assert max(len(page) for page in pages) == 20
    assert_recovered(root, data, options)
    # The default 40 x 25 limits reject nothing here, and 30 cells would reject these lines.
    assert {r.name: r.status for r in checks.check_brf(data, Options(braille_cells=30))}[
        "brf-page-size"
    ] == "fail"


def test_languages() -> None:
    assert braille.code_for("en-GB", 2).table == "en-ueb-g2.ctb"
    assert braille.code_for("en", 1).table == "en-ueb-g1.ctb"
    welsh = braille.code_for("cy", 2)
    assert welsh.table == "cy-cy-g2.ctb"
    with pytest.raises(UsageError, match="no braille translation table for language 'xx'"):
        braille.code_for("xx", 2)
    root = fixture_root()
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "cy")
    assert_all_pass(checks.check_brf(brf.write(root, Options()), Options()))


def test_missing_liblouis_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "louis", None)  # import louis now raises ImportError
    with pytest.raises(DependencyError, match="liblouis-bin liblouis-data python3-louis"):
        brf.write(fixture_root(), Options())


def test_every_canonical_element_is_laid_out() -> None:
    root = etree.parse(str(FIXTURES / "xml" / "xhtml-every-element.xml")).getroot()
    data = brf.write(root, Options())
    assert_all_pass(checks.check_brf(data, Options()))
    assert_recovered(root, data, Options())


# -- the sample and the corpus ------------------------------------------------------------


@pytest.mark.parametrize("source", sample_and_corpus_params())
def test_brf_and_pef(source: Path, render: object) -> None:
    brf_path = render(source, "brf")  # type: ignore[operator]
    pef_path = render(source, "pef")  # type: ignore[operator]
    brf_report = check_file(brf_path)
    pef_report = check_file(pef_path)
    assert all(r.status == "pass" for r in brf_report.results), brf_report.to_text()
    assert all(r.status == "pass" for r in pef_report.results), pef_report.to_text()
    assert_all_pass([checks.agreement(brf_path.read_bytes(), pef_path.read_bytes())])
    root = api.parse(source).getroot()
    assert_recovered(root, brf_path.read_bytes(), Options())
    pages = text_pages(brf_path.read_bytes())
    # One indicator per print page break, and one for the page the text starts on.
    from converter.writers import edition

    pagebreaks = edition.prepare(root).findall(".//pagebreak")
    indicators = sum(1 for page in pages for line in page if checks._PRINT_PAGE.match(line))
    assert indicators == len(pagebreaks)


def test_grade_1_and_grade_2(render: object) -> None:
    grade1 = Options(braille_grade=1)
    grade2_path = render(SAMPLE, "brf")  # type: ignore[operator]
    grade1_path = render(SAMPLE, "brf", grade1)  # type: ignore[operator]
    report = check_file(grade1_path, grade1)
    assert all(r.status == "pass" for r in report.results), report.to_text()
    assert_recovered(api.parse(SAMPLE).getroot(), grade1_path.read_bytes(), grade1)
    cells = {}
    for grade, path in ((1, grade1_path), (2, grade2_path)):
        cells[grade] = sum(len(line) for page in text_pages(path.read_bytes()) for line in page)
    print(f"grade 1: {cells[1]} cells; grade 2: {cells[2]} cells ({cells[2] / cells[1]:.0%})")
    assert cells[2] < 0.9 * cells[1]
    assert len(text_pages(grade2_path.read_bytes())) < len(text_pages(grade1_path.read_bytes()))


def test_command_line_options_and_check(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "converter", *args],
            capture_output=True,
            text=True,
            timeout=120,
        )

    made = run(
        str(FIXTURE),
        "--to",
        "brf,pef",
        "--braille-grade",
        "1",
        "--cells",
        "32",
        "--lines",
        "20",
        "-o",
        str(tmp_path),
    )
    assert made.returncode == 0, made.stderr
    data = (tmp_path / "braille-report.brf").read_bytes()
    options = Options(braille_grade=1, braille_cells=32, braille_lines=20)
    assert_all_pass(checks.check_brf(data, options))
    assert max(len(line) for page in text_pages(data) for line in page) == 32
    assert_recovered(fixture_root(), data, options)
    # Grade 1 really is uncontracted: "children" is spelled out, not *N.
    assert b"*N" not in data and b"*ILDR5" not in data
    # `convert check` checks at the default 40 x 25 (limits are maxima); the PEF's own
    # volume geometry (32 x 20) tightens its checks.
    for name in ("braille-report.brf", "braille-report.pef"):
        checked = run("check", str(tmp_path / name))
        assert checked.returncode == 0, checked.stdout + checked.stderr
    pef_results = checks.check_pef((tmp_path / "braille-report.pef").read_bytes(), Options())
    assert_all_pass(pef_results)
    assert "32 cells" in next(r.standard for r in pef_results if r.name == "pef-page-size")
    foreign = tmp_path / "foreign.xml"
    root = fixture_root()
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "xx")
    foreign.write_bytes(etree.tostring(root))
    refused = run(str(foreign), "--to", "brf", "-o", str(tmp_path / "out"))
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "no braille translation table for language 'xx'" in refused.stderr


@pytest.mark.parametrize(("cells", "lines"), [(20, 10), (100, 100)])
def test_extreme_page_sizes(cells: int, lines: int) -> None:
    options = Options(braille_cells=cells, braille_lines=lines)
    root = fixture_root()
    document = braille.layout(root, options)
    brf_data, pef_data = brf.encode(document), pef.encode(root, document)
    assert_all_pass(checks.check_brf(brf_data, options) + checks.check_pef(pef_data, options))
    assert_all_pass([checks.agreement(brf_data, pef_data)])
    assert_recovered(root, brf_data, options)


# -- preliminary pages, notes, tables, links and interpoint (issue 17) ---------------------


def back_translated(document: braille.BrailleDocument, page: braille.Page) -> str:
    translator = braille.Translator(document.code)
    return " ".join(
        " ".join(translator.back_translate(line.cells).split())
        for line in page.lines
        if line.cells.strip(braille.BLANK)
    )


@pytest.fixture(scope="module")
def sample_document() -> braille.BrailleDocument:
    return braille.layout(api.parse(SAMPLE).getroot(), Options())


def test_preliminary_pages_come_first_numbered_p1_p2(
    sample_document: braille.BrailleDocument,
) -> None:
    labels = [page.number for page in sample_document.pages]
    preliminary = [label for label in labels if label.startswith("p")]
    assert preliminary == [f"p{n}" for n in range(1, len(preliminary) + 1)]
    assert len(preliminary) >= 3  # title page, transcriber's notes, contents
    assert labels[len(preliminary)] == "1"
    first_line = sample_document.pages[0].lines[0].cells
    assert first_line.endswith(braille.PRELIMINARY + braille.braille_number(1))


def test_title_page_gives_title_dates_producer_and_volume(
    sample_document: braille.BrailleDocument,
) -> None:
    title = back_translated(sample_document, sample_document.pages[0])
    assert "Warwickshire" in title
    assert "Inspection dates: 22 November to 3 December 2021" in title
    assert "Made by converter from the report published by Ofsted" in title
    body_pages = sum(1 for page in sample_document.pages if not page.number.startswith("p"))
    assert "Volume 1 of 1" in title and f"braille pages 1 to {body_pages}" in title
    assert "Unified English Braille, grade 2" in title
    assert ".txt" not in title and "ofsted-ilacs" not in title


def test_contents_page_gives_each_heading_its_braille_page(
    sample_document: braille.BrailleDocument,
) -> None:
    pages = sample_document.pages
    [contents] = [
        p
        for p in pages
        if p.number.startswith("p") and "Contents" in back_translated(sample_document, p)
    ]
    translator = braille.Translator(sample_document.code)
    body = {page.number: page for page in pages if not page.number.startswith("p")}
    entries = [line.cells for line in contents.lines[2:] if braille.GUIDE_DOT * 2 in line.cells]
    assert len(entries) >= 5  # Overview, improvements, three judgements, the back matter
    for entry in entries:
        number = entry.rsplit(braille.BLANK, 1)[1]
        digits = "".join(str(braille.DIGITS.index(c)) for c in number[1:])
        assert entry.rstrip(braille.BLANK).endswith(number) and len(entry) <= 40
        # The entry's first word is on the page it names.
        words_before = (
            entry.split(braille.GUIDE_DOT * 2)[0].strip(braille.BLANK).split(braille.BLANK)
        )
        first = translator.back_translate(words_before[0])
        assert first in back_translated(sample_document, body[digits]), (first, digits)


def test_transcribers_notes_and_tables(sample_document: braille.BrailleDocument) -> None:
    notes = back_translated(sample_document, sample_document.pages[1])
    assert notes.startswith("p2 Transcriber")
    assert "Tables are set out row by row" in notes
    assert '"Overview" and "About this document" were added' in notes  # UEB quotes
    text = " ".join(back_translated(sample_document, page) for page in sample_document.pages)
    # The table under its caption (never just "Table") and a transcriber's note in UEB's
    # transcriber's note indicators.
    assert "Table 1: Judgement and Grade" in text
    cells = "".join(line.cells for page in sample_document.pages for line in page.lines)
    assert cells.count(braille.TN_OPEN) == cells.count(braille.TN_CLOSE) == 1
    opening = cells.index(braille.TN_OPEN)
    assert cells.index(braille.TN_CLOSE) > opening
    assert "table: set out row by row, each cell after its column heading" in text
    assert "transcriber's note indicators, dots 4 46 126" in notes.replace("\u2019", "'")


def test_a_table_without_column_headings_is_not_said_to_have_them() -> None:
    """Label and value pairs, or a judgement table whose only heading is its caption: the
    transcriber's note does not promise column headings the reader will not meet."""
    root = api.parse(FIXTURES / "xml" / "core-minimal.xml").getroot()
    table = root.find(".//table")
    assert table is not None
    table.remove(table.find("head"))
    document = braille.layout(root, Options())
    translate = braille.Translator(document.code).back_translate
    lines = (translate(line.cells) for page in document.pages for line in page.lines)
    text = " ".join(" ".join(lines).split())
    assert "table: set out row by row, its cells separated by semicolons" in text
    assert "each cell after its column heading" not in text
    assert "January; 120" in text


def test_transcribers_notes_in_the_text_take_one_form(tmp_path: Path) -> None:
    """A figure's description and a table's layout are transcriber's notes of one form:
    the indicators around the words, every line blocked at cell 3 (issue 16's figures and
    issue 17's tables share Layout.transcriber_note)."""
    from support import word

    from converter import parse

    source = tmp_path / "feature.docx"
    source.write_bytes(word.feature_docx())
    root = parse(source).getroot()
    assert root.find(".//figure") is not None and root.find(".//table") is not None
    document = braille.layout(root, Options())
    translate = braille.Translator(document.code).back_translate
    lines = [line for page in document.pages for line in page.lines]
    notes: list[list[braille.Line]] = []
    for index, line in enumerate(lines):
        if braille.TN_OPEN in line.cells:
            end = next(i for i in range(index, len(lines)) if braille.TN_CLOSE in lines[i].cells)
            notes.append(lines[index : end + 1])
    said = [" ".join(translate(line.cells).strip() for line in note) for note in notes]
    assert said == [
        "table: set out row by row, each cell after its column heading",
        "image: A bar chart of club members: lunch club 40, youth club 25.",
        "image without a description",
        "image: The parish hall, from the south",
    ]
    for note in notes:
        assert note[0].cells.startswith(braille.BLANK * 2 + braille.TN_OPEN), note[0]
        assert note[-1].cells.rstrip(braille.BLANK).endswith(braille.TN_CLOSE), note[-1]
        for line in note[1:]:
            assert line.cells.startswith(braille.BLANK * 2) and line.cells[2] != braille.BLANK
    # Said once in the preliminary pages.
    preliminary = " ".join(
        back_translated(document, page) for page in document.pages if page.number.startswith("p")
    )
    assert "transcriber's note indicators" in preliminary.replace("\u2019", "'")


def test_a_link_whose_text_is_its_address_is_given_once(
    sample_document: braille.BrailleDocument,
) -> None:
    text = " ".join(back_translated(sample_document, page) for page in sample_document.pages)
    assert "www.gov.uk/ofsted" in text
    assert "(https://www.gov.uk/ofsted)" not in text and "(httpscc//www.gov.uk/ofsted)" not in text
    assert braille.same_address("mailto:a@b.org", "a@b.org")
    assert not braille.same_address("https://example.org/x", "see the Ofsted site")


def test_interpoint_in_pef_and_brf(tmp_path: Path) -> None:
    options = Options(duplex=True)
    api.convert(FIXTURE, ["brf", "pef"], options, tmp_path)
    pef_data = (tmp_path / "braille-report.pef").read_bytes()
    brf_data = (tmp_path / "braille-report.brf").read_bytes()
    volume = etree.fromstring(pef_data).find(f".//{{{checks.PEF_NS}}}volume")
    assert volume is not None and volume.get("duplex") == "true"
    document = braille.layout(fixture_root(), options)
    labels = [page.number for page in document.pages]
    first_text = labels.index("1")
    assert first_text % 2 == 0, "the text starts on a right-hand (odd) page"
    assert len(labels) % 2 == 0
    assert not document.pages[1].lines, "the title page's back is blank"
    for name in ("braille-report.brf", "braille-report.pef"):
        report = check_file(tmp_path / name, options)
        assert report.passed, report.to_text()
    assert brf_data.count(b"\f") == len(labels)
    single = braille.layout(fixture_root(), Options())
    assert all(page.lines for page in single.pages)
    assert (
        etree.fromstring(pef.write(fixture_root(), Options()))
        .find(f".//{{{checks.PEF_NS}}}volume")
        .get("duplex")
        == "false"
    )
