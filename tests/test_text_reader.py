"""The text reader on the sample and on small invented fixtures, one per mess real text shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, GOLDEN, SAMPLE
from lxml import etree

from converter import parse
from converter.readers.text import source_lines
from converter.recovery import SourceLine, recover
from converter.tree import safe_parser, schema_errors, serialize

TEXT = FIXTURES / "text"


def read(path: Path) -> etree._Element:
    root = parse(path).getroot()
    assert schema_errors(root) == []
    return root


def text_of(element: etree._Element | None) -> str:
    assert element is not None
    return " ".join("".join(str(t) for t in element.itertext()).split())


@pytest.fixture(scope="module")
def sample() -> etree._Element:
    return read(SAMPLE)


def test_sample_title_and_kind(sample: etree._Element) -> None:
    assert (
        sample.findtext("meta/title")
        == "Inspection of Warwickshire County Council local authority children's services"
    )
    assert sample.findtext("meta/kind") == "ofsted-ilacs"
    assert sample.findtext("meta/subject") == "Warwickshire County Council"


def test_sample_dates(sample: etree._Element) -> None:
    dates = {d.get("role"): d.get("when") for d in sample.iterfind("meta/date")}
    assert dates["inspection-start"] == "2021-11-22"
    assert dates["inspection-end"] == "2021-12-03"
    assert (
        sample.findtext("meta/date[@role='inspection-start']") == "22 November to 3 December 2021"
    )


def test_sample_lead_inspector(sample: etree._Element) -> None:
    assert (
        sample.findtext("meta/person[@role='lead-inspector']")
        == "Alison Smale, Her Majesty's Inspector"
    )


def test_sample_judgements_all_good(sample: etree._Element) -> None:
    judgements = sample.findall("meta/judgements/judgement")
    assert [j.get("area") for j in judgements] == [
        "impact-of-leaders",
        "help-and-protection",
        "children-in-care-and-care-leavers",
        "overall-effectiveness",
    ]
    assert {j.get("grade") for j in judgements} == {"good"}
    assert [j.findtext("grade") for j in judgements] == ["Good"] * 4
    table = sample.find("body/table[@id='judgements']")
    assert (
        table is not None and len(table.findall("row")) == 4 and table.find("head/row") is not None
    )


def test_sample_improvements(sample: etree._Element) -> None:
    section = sample.find("body/section[@role='improvements']")
    assert section is not None
    assert text_of(section.find("heading")) == "What needs to improve?"
    items = section.findall("list/item")
    assert [i.get("id") for i in items] == ["improve-1", "improve-2", "improve-3", "improve-4"]
    assert text_of(items[1]) == "Ensuring that plans routinely include timescales for action."


def test_sample_graded_sections(sample: etree._Element) -> None:
    graded = sample.findall("body/section[@grade]")
    assert [(s.get("id"), s.get("grade")) for s in graded] == [
        ("help-and-protection", "good"),
        ("children-in-care-and-care-leavers", "good"),
        ("impact-of-leaders", "good"),
    ]
    assert text_of(graded[0].find("heading")).endswith("help and protection: good")


def test_sample_numbered_paragraphs(sample: etree._Element) -> None:
    paragraphs = sample.findall("body//p[@n]")
    assert [p.get("n") for p in paragraphs] == [str(n) for n in range(1, 44)]
    assert [p.get("id") for p in paragraphs] == [f"p-{n}" for n in range(1, 44)]
    assert all(not text_of(p).startswith(p.get("n", "") + ".") for p in paragraphs)


@pytest.mark.parametrize(
    "number, continuation",
    [
        ("5", "children's social care services ensures that information is readily available"),
        ("19", "detail for individual children to enable professionals"),
        (
            "36",
            "transform and improve services, some aspects of practice need to improve more quickly",
        ),
    ],
)
def test_sample_paragraph_split_by_page_break_is_whole(
    sample: etree._Element, number: str, continuation: str
) -> None:
    paragraph = sample.find(f"body//p[@id='p-{number}']")
    assert continuation in text_of(paragraph)
    following = paragraph.getnext() if paragraph is not None else None
    assert following is None or following.get("n") == str(int(number) + 1)


def test_sample_back_matter(sample: etree._Element) -> None:
    roles = [s.get("role") for s in sample.iterfind("back/section")]
    for role in ("about", "alternative-formats", "licence", "contact", "copyright"):
        assert role in roles
    offer = text_of(sample.find("back/section[@role='alternative-formats']"))
    assert "0300 123 1231" in offer and "enquiries@ofsted.gov.uk" in offer
    link = sample.find("back/section[@role='alternative-formats']//a")
    assert link is not None and link.get("href") == "mailto:enquiries@ofsted.gov.uk"
    assert "Crown copyright 2022" in text_of(sample.find("back/section[@role='copyright']"))


def test_sample_blocks_have_ids_and_sources(sample: etree._Element) -> None:
    for element in sample.iter("section", "heading", "p", "list", "item", "table"):
        assert element.get("id")
        first, last = (int(x) for x in element.get("src", "0-0").split("-"))
        assert 1 <= first <= last <= 112


def test_sample_golden(sample: etree._Element, accept: bool) -> None:
    golden = GOLDEN / "ofsted-ilacs-warwickshire-2021.xml"
    produced = serialize(sample)
    if accept or not golden.exists():
        golden.write_bytes(produced)
        if not accept:
            pytest.fail(f"wrote {golden}: review it and commit it")
    expected = etree.fromstring(golden.read_bytes(), safe_parser(remove_blank_text=True))
    actual = etree.fromstring(produced, safe_parser(remove_blank_text=True))
    assert etree.tostring(actual, method="c14n") == etree.tostring(expected, method="c14n")


# --- fixtures: one mess each ------------------------------------------------------------------


def test_form_feed_mid_paragraph_gives_inline_pagebreak() -> None:
    root = read(TEXT / "form-feed-mid-paragraph.txt")
    assert root.find("meta/source").get("pages") == "3"  # type: ignore[union-attr]
    first = root.find("body//p[@id='p-1']")
    breaks = first.findall("pagebreak") if first is not None else []
    assert [b.get("page") for b in breaks] == ["2"]
    assert "that children will understand when they read their records" in text_of(first)
    assert root.find("body//pagebreak[@page='3']") is not None


def test_running_footers_and_page_numbers_are_artifacts() -> None:
    root = read(TEXT / "form-feed-mid-paragraph.txt")
    reasons = [(a.get("reason"), a.text) for a in root.iterfind("artifacts/artifact")]
    assert reasons.count(("page-number", "1")) == 1 and ("page-number", "3") in reasons
    assert sum(1 for r, _ in reasons if r == "running-footer") == 6
    body = text_of(root.find("body"))
    assert body.count("3 to 7 February 2025") == 1  # the cover's "Inspection dates" only
    for artifact in root.iterfind("artifacts/artifact"):
        assert artifact.get("src") and artifact.get("page")


def test_lost_hyphen_repaired_on_over_long_line_only() -> None:
    root = read(TEXT / "form-feed-mid-paragraph.txt")
    assert "support a decision-making culture" in text_of(root.find("body//p[@id='p-2']"))


def test_ilacs_short_from_dates() -> None:
    root = read(TEXT / "form-feed-mid-paragraph.txt")
    assert root.findtext("meta/kind") == "ofsted-ilacs-short"
    assert [s.get("grade") for s in root.iterfind("body//section[@grade]")] == ["good"]


def test_paragraph_numbers_on_their_own_line() -> None:
    root = read(TEXT / "numbers-on-own-line.txt")
    paragraphs = root.findall("body//p[@n]")
    assert [p.get("n") for p in paragraphs] == ["1", "2", "3", "4", "5"]
    assert text_of(paragraphs[2]).startswith("The work of the front door")
    assert "right help in time" in text_of(paragraphs[1])  # continued over the page break
    assert [a.text for a in root.iterfind("artifacts/artifact[@reason='page-number']")] == [
        "1",
        "2",
        "3",
    ]
    assert root.findtext("meta/title") == "Eastbury Borough Council"
    assert root.findtext("meta/subtitle") == "Inspection of children’s social care services"
    assert root.findtext("meta/person[@role='lead-inspector']") == "Sam Smith HMI"
    assert root.find("body/section").get("grade") == "inadequate"  # type: ignore[union-attr]


def test_page_n_of_m_footers_in_mid_sentence() -> None:
    root = read(TEXT / "page-n-of-m-footers.txt")
    assert [a.text for a in root.iterfind("artifacts/artifact[@reason='page-number']")] == [
        "Page 1 of 3",
        "Page 2 of 3",
        "Page 3 of 3",
    ]
    assert root.findtext("meta/kind") == "ofsted-school"
    assert root.findtext("meta/title") == "Hilltop Primary School"
    assert [
        (j.get("area"), j.get("grade")) for j in root.iterfind("meta/judgements/judgement")
    ] == [
        ("overall-effectiveness", "good"),
        ("outcomes", "requires-improvement"),
    ]
    section = root.find("body/section[@role='improvements']")
    assert section is not None
    items = section.findall("list/item")
    assert [i.get("id") for i in items] == ["improve-1", "improve-2"]
    assert len(items[0].findall("list/item")) == 2  # en-dash sub-items nest
    assert root.find("body/section[@grade='good']") is not None  # "This is a good school"


def test_contents_page_and_orphan_bullet() -> None:
    root = read(TEXT / "contents-and-orphan-bullets.txt")
    contents = root.find("body/section[@role='contents']")
    assert contents is not None
    assert [text_of(i) for i in contents.findall("list/item")] == [
        "Introduction",
        "What we found in the parks and playgrounds",
    ]
    assert [a.get("reason") for a in root.iterfind("artifacts/artifact")] == [
        "contents-page-number"
    ] * 2
    headings = [text_of(s.find("heading")) for s in root.iterfind("body/section")]
    assert headings[1:] == [
        "Introduction",
        "What we found in the parks and playgrounds",
    ]  # two-line heading joined
    items = root.findall("body/section[@id='introduction']/list/item")
    assert text_of(items[0]) == "More trees were planted than in any year before."
    assert root.findtext("meta/kind") == "generic"


def test_links_and_email_addresses() -> None:
    root = read(TEXT / "contents-and-orphan-bullets.txt")
    hrefs = [a.get("href") for a in root.iterfind("body//a")]
    assert hrefs == ["mailto:parks@example.org", "https://example.org/parks"]


def test_letter_form() -> None:
    root = read(TEXT / "letter.txt")
    assert root.findtext("meta/kind") == "ofsted-focused-visit-letter"
    assert root.findtext("meta/title") == "Focused visit to Westford Council children’s services"
    assert root.findtext("meta/subject") == "Westford Council"
    dates = {d.get("role"): d.get("when") for d in root.iterfind("meta/date")}
    assert dates == {
        "letter": "2025-03-03",
        "inspection-start": "2025-02-04",
        "inspection-end": "2025-02-05",
    }
    roles = [p.get("role") for p in root.iter("p") if p.get("role")]
    assert roles == [
        "address",
        "address",
        "date",
        "address",
        "salutation",
        "closing",
        "signature",
        "signature",
    ]
    assert root.findtext("meta/person[@role='signatory']") == "Pat Jones, His Majesty’s Inspector"


def test_layout_mode_columns_and_kept_hyphens() -> None:
    root = read(TEXT / "layout-columns.txt")
    judgements = [
        (j.findtext("label"), j.get("grade")) for j in root.iterfind("meta/judgements/judgement")
    ]
    assert judgements == [
        ("The impact of leaders on social work practice with children and families", "outstanding"),
        ("The experiences and progress of care leavers", "good"),
        ("Overall effectiveness", "outstanding"),
    ]
    assert "from multi-disciplinary teams" in text_of(root.find("body"))


def test_numbered_list_versus_numbered_paragraphs() -> None:
    root = read(TEXT / "layout-columns.txt")
    ordered = root.find("body/list[@type='ordered']")
    assert ordered is not None and [i.get("label") for i in ordered] == ["1.", "2."]
    assert root.find("body//p[@n]") is None


def test_pipe_table() -> None:
    root = read(TEXT / "pipe-table.txt")
    table = root.find("body/table")
    assert table is not None
    assert [text_of(c) for c in table.iterfind("head/row/cell")] == ["Area", "Count"]
    assert [[text_of(c) for c in r] for r in table.iterfind("row")] == [
        ["North", "12"],
        ["South", "7"],
    ]
    assert table.find("head/row/cell").get("scope") == "col"  # type: ignore[union-attr]


def test_generic_text_headings_lists_paragraphs() -> None:
    text = (
        "A guide to the allotments\n\nGetting a plot\n\nWrite to the secretary. Plots are given out in\n"
        "the order that requests arrive.\n\n- Bring a spade.\n- Bring gloves.\n\nRules\n\nNo bonfires in summer.\n"
    )
    root = parse(text).getroot()
    assert root.findtext("meta/title") == "A guide to the allotments"
    assert root.findtext("meta/kind") == "generic"
    assert [text_of(s.find("heading")) for s in root.iterfind("body/section")] == [
        "Getting a plot",
        "Rules",
    ]
    assert text_of(root.find("body/section/p")) == (
        "Write to the secretary. Plots are given out in the order that requests arrive."
    )
    assert [text_of(i) for i in root.iterfind("body/section/list/item")] == [
        "Bring a spade.",
        "Bring gloves.",
    ]


@pytest.mark.parametrize(
    "bullet", ["\u25fc", "\uf06e", "\uf03c", "\uf02d", "-", "*", "\u2022", "\u25aa", "\uf0b7"]
)
def test_every_bullet_character_seen(bullet: str) -> None:
    root = parse(f"Notes\n\n{bullet} first point\n{bullet} second point\n").getroot()
    assert [text_of(i) for i in root.iterfind("body//item")] == ["first point", "second point"]


def test_source_lines_pages_from_form_feeds() -> None:
    lines = source_lines("one\ntwo\n\fthree\n\f")
    assert [(x.number, x.text, x.page) for x in lines] == [
        (1, "one", 1),
        (2, "two", 1),
        (3, "three", 2),
        (4, "", 2),
    ]


def test_recover_api_for_other_readers() -> None:
    lines = [
        SourceLine(1, "Title of a PDF", 1, font_size=20.0, bold=True),
        SourceLine(2, "Body text here.", 1),
    ]
    root = recover(lines)
    assert root.findtext("meta/title") == "Title of a PDF"
    assert text_of(root.find("body/p")) == "Body text here."
