"""The PDF reader on every corpus PDF: as good as the text reader on pdftotext text, nothing lost."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import CORPUS, corpus_params, corpus_pdfs
from lxml import etree
from support.pdf_scoring import (
    FACETS,
    expected_facts,
    facet_verdicts,
    scored,
    text_reader_best,
)
from support.scoring import normal, score

from converter import api
from converter.readers import pdf
from converter.words import account

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def trees() -> dict[Path, etree._Element]:
    return {}


def tree_of(path: Path, trees: dict[Path, etree._Element]) -> etree._Element:
    if path not in trees:
        trees[path] = api.parse(path).getroot()
    return trees[path]


@pytest.mark.parametrize("path", corpus_params(corpus_pdfs()))
def test_as_good_as_the_text_reader(
    path: Path, trees: dict[Path, etree._Element], tmp_path: Path
) -> None:
    facts = expected_facts(CORPUS)[path.stem]
    mine = scored("pdf", tree_of(path, trees), facts)
    text = text_reader_best(path, facts, tmp_path)
    verdicts = facet_verdicts(mine, text, facts)
    worse = {f: (mine.facets[f], text.facets[f]) for f in FACETS if verdicts[f] == "worse"}
    assert not worse
    # Field by field against expected.json: nothing the text reader gets right is wrong here.
    lost_fields = [f for f, s in text.scores.items() if s.ok and not mine.scores[f].ok]
    assert not lost_fields, {f: mine.scores[f].detail for f in lost_fields}


@pytest.mark.parametrize("path", corpus_params(corpus_pdfs()))
def test_nothing_lost(path: Path, trees: dict[Path, etree._Element]) -> None:
    words = account(pdf.text_layer(path.read_bytes()), tree_of(path, trees))
    assert words.ok, (dict(words.lost), dict(words.invented))


@pytest.mark.parametrize("path", corpus_params(corpus_pdfs()))
def test_print_pages_match_the_pdf(path: Path, trees: dict[Path, etree._Element]) -> None:
    root = tree_of(path, trees)
    document = pdfium.PdfDocument(path)
    count = len(document)
    document.close()
    assert root.find("meta/source").get("pages") == str(count)  # type: ignore[union-attr]
    breaks = [int(b.get("page", "0")) for b in root.iterfind(".//pagebreak")]
    assert breaks == list(range(2, count + 1))
    # Every printed page number set aside follows the pages it was found on: the page's
    # place in the file, less one offset for the whole document (a cover and a contents
    # page left unnumbered).
    offsets = set()
    for artifact in root.iterfind("artifacts/artifact[@reason='page-number']"):
        printed = re.match(r"(?:page\s+)?(\d+)", artifact.text or "", re.IGNORECASE)
        assert printed, artifact.text
        offsets.add(int(artifact.get("page", "0")) - int(printed.group(1)))
    assert len(offsets) <= 1, offsets


def _heading(section: etree._Element) -> str:
    return " ".join("".join(section.findtext("heading") or "").split())


@pytest.mark.parametrize(
    "path",
    corpus_params([p for p in corpus_pdfs() if p.name.startswith(("ofsted-sif", "ofsted-school"))]),
)
def test_sections_nest_by_type_size(path: Path, trees: dict[Path, etree._Element]) -> None:
    body = tree_of(path, trees).find("body")
    assert body is not None
    if path.name.startswith("ofsted-sif"):
        subs = [
            s for s in body.iter("section") if _heading(s) in ("Summary", "Inspection findings")
        ]
        assert len(subs) >= 4
        for section in subs:
            parent = section.getparent()
            assert parent is not None and parent.get("role") == "judgement", _heading(section)
        # The report's two parts hold its judgements: three levels in all.
        assert body.find("section/section/section") is not None
    else:
        judgements = body.findall(".//section[@role='judgement']")
        assert judgements
        for section in judgements:
            parent = section.getparent()
            assert parent is not None and _heading(parent) == "Inspection judgements"


def _with_tables() -> list[Path]:
    """The corpus PDFs for which expected.json describes tables (read by eye)."""
    if not (CORPUS / "expected.json").exists():
        return []
    facts = expected_facts(CORPUS)
    return [p for p in corpus_pdfs() if (facts.get(p.stem) or {}).get("tables")]


def _cells(row: etree._Element) -> list[str]:
    return [normal("".join(str(t) for t in cell.itertext())) for cell in row.iterfind("cell")]


@pytest.mark.parametrize("path", corpus_params(_with_tables()))
def test_tables_as_read_by_eye(path: Path, trees: dict[Path, etree._Element]) -> None:
    """Every table expected.json describes is a table of the tree: its rows, columns,
    header rows and first and last rows; where it gives them, the spans of the first
    row, the second header row and the first body row cell by cell."""
    facts = expected_facts(CORPUS)[path.stem]
    root = tree_of(path, trees)
    result = score(root, facts)["tables"]
    assert result.ok, result.detail
    for wanted in facts["tables"]:
        first = normal(wanted["first_row_cells"][0])
        table = next(
            t for t in root.iterfind("body//table") if _cells(t.find(".//row"))[0] == first
        )
        rows = table.findall("head/row") + table.findall("row")
        if "first_row_spans" in wanted:
            spans = [int(c.get("colspan", "1")) for c in rows[0].iterfind("cell")]
            assert spans == wanted["first_row_spans"]
        if "second_header_row_cells" in wanted:
            assert _cells(rows[1]) == [normal(c) for c in wanted["second_header_row_cells"]]
        if "first_body_row_cells" in wanted:
            body = rows[int(wanted.get("header_rows", 0))]
            assert _cells(body) == [normal(c) for c in wanted["first_body_row_cells"]]


#: The fields the PDF reader cannot get right, and why; every other field of every PDF
#: must be right.
PDF_KNOWN_MISSES = {
    (
        "minutes-house-committee-2016-06",
        "subject",
    ): "'House of Lords' is only in the logo, an image",
    ("police-knife-crime-summary-2015-08", "subject"): "the police service is named only in "
    "the logo, an image",
    ("police-knife-crime-summary-2015-08", "headings"): "a shaded call-out ('This report uses "
    "LIVE DATA ...') is set in the headings' type, bold and large: by its print, a heading",
    ("ofsted-sif-reinspection-norfolk-2018", "back"): "expected.json gives the offer's phone "
    "as 0300 123 4234; the source's offer reads 0300 123 1231",
}


@pytest.mark.parametrize("path", corpus_params(corpus_pdfs()))
def test_every_field_right_but_the_known_misses(
    path: Path, trees: dict[Path, etree._Element]
) -> None:
    facts = expected_facts(CORPUS)[path.stem]
    scores = scored("pdf", tree_of(path, trees), facts).scores
    wrong = {
        field: s.detail
        for field, s in scores.items()
        if s.ok == ((path.stem, field) in PDF_KNOWN_MISSES)
    }
    assert wrong == {}, "fields wrong (or now right: take them off PDF_KNOWN_MISSES)"
