"""Structure recovery on small invented texts, one per kind of mess real reports show
(tests/fixtures/text/fidelity/): each is recovered right, keeps every word and gives no
structure-review finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES
from lxml import etree

from converter import parse
from converter.readers.decode import decode_text
from converter.review import reading_text, review
from converter.tree import schema_errors
from converter.words import account

FIDELITY = FIXTURES / "text" / "fidelity"


def tree(name: str) -> etree._Element:
    root = parse(FIDELITY / f"{name}.txt").getroot()
    assert schema_errors(root) == []
    return root


def texts(root: etree._Element, path: str) -> list[str]:
    return [reading_text(e) for e in root.iterfind(path)]


@pytest.mark.parametrize("path", sorted(FIDELITY.glob("*.txt")), ids=lambda p: p.stem)
def test_every_word_kept_and_no_finding(path: Path) -> None:
    root = parse(path).getroot()
    words = account(decode_text(path.read_bytes(), source=path.name), root)
    assert words.ok, (dict(words.lost), dict(words.invented))
    assert [f.line() for f in review(root)] == []


def test_older_report_offset_page_numbers_and_grade_lines() -> None:
    root = tree("older-report-offset-page-numbers")
    assert root.findtext("meta/title") == "Inspection of fostering services: Marsh Borough Council"
    assert root.findtext("meta/subject") == "Marsh Borough Council"
    assert root.findtext("meta/person[@role='lead-inspector']") == "Ann Example HMI"
    dates = {d.get("role"): d.get("when") for d in root.iterfind("meta/date")}
    assert dates == {
        "inspection-start": "2022-05-02",
        "inspection-end": "2022-05-06",
        "publication": "2022-06-10",
    }
    # Printed page numbers (physical page minus two) are furniture, never text.
    numbers = [
        (a.get("page"), a.text) for a in root.iterfind("artifacts/artifact[@reason='page-number']")
    ]
    assert numbers == [("3", "1"), ("4", "2"), ("5", "3"), ("6", "4")]
    assert all(
        not text[:1].isdigit() or p.get("n") for p in root.iter("p") for text in [reading_text(p)]
    )
    # "Grade 3 (Adequate)" under a heading is that section's grade, not a heading.
    graded = {
        reading_text(s.find("heading")): s.get("grade") for s in root.iterfind(".//section[@grade]")
    }
    assert graded == {"Overall effectiveness": "adequate", "Capacity to improve": "good"}
    assert "Grade 3 (Adequate)" not in texts(root, ".//heading")
    # The paragraph split by a page break is whole; the judgements come from the last table.
    assert any(
        "helps them to understand the children they look after" in t for t in texts(root, ".//p")
    )
    assert [
        (j.findtext("label"), j.get("grade")) for j in root.iterfind("meta/judgements/judgement")
    ] == [
        ("Overall effectiveness", "adequate"),
        ("Capacity to improve", "good"),
    ]
    # The cover's labels and values, read column by column, are rows again.
    cover = root.find("body/table")
    assert cover is not None
    assert [[reading_text(c) for c in r] for r in cover.iter("row")] == [
        ["Age group:", "All"],
        ["Published:", "10 June 2022"],
    ]
    assert cover.find("row/cell").get("scope") == "row"  # type: ignore[union-attr]
    assert root.find("body/section[@role='copyright']") is not None


def test_footnote_markers_become_notes() -> None:
    root = tree("footnote-markers-glued")
    headings = texts(root, ".//section/heading")
    assert "What needs to improve?" in headings and "The local authority area" in headings
    notes = {n.get("label"): reading_text(n) for n in root.iter("note")}
    assert notes == {
        "1": "This report uses the term ‘children’ for children and young people.",
        "2": "The council’s own figures, which inspectors did not check.",
    }
    refs = [(r.get("ref"), r.text) for r in root.iter("noteref")]
    assert refs == [("note-1", "1"), ("note-2", "2")]
    for note in root.iter("note"):
        assert root.xpath(f"//noteref[@ref='{note.get('id')}']")


def test_letter_dates_in_first_sentence() -> None:
    root = tree("letter-dates-in-first-sentence")
    assert root.findtext("meta/title") == "Focused visit to Tarn County Council children’s services"
    assert root.findtext("meta/kind") == "ofsted-focused-visit-letter"
    dates = {d.get("role"): d.get("when") for d in root.iterfind("meta/date")}
    assert dates == {"inspection-start": "2020-10-13", "inspection-end": "2020-10-13"}
    assert root.findtext("meta/person[@role='signatory']") == "Ann Example, His Majesty’s Inspector"


def test_minutes_numbered_capital_headings() -> None:
    root = tree("minutes-numbered-capital-headings")
    assert root.findtext("meta/title") == "PARISH COMMITTEE"
    assert root.findtext("meta/subtitle") == "MINUTES"
    assert root.find("meta/date[@role='document']").get("when") == "2023-03-14"  # type: ignore[union-attr]
    assert texts(root, "body/section/heading") == [
        "1. MINUTES OF THE 1ST MEETING OF THE 2022-23 SESSION AND MATTERS ARISING",
        "2. FOOTPATHS",
        "3. ANY OTHER BUSINESS",
        "4. DATE OF NEXT MEETING",
    ]
    assert not root.findall(".//p[@n]")
    assert {a.text for a in root.iterfind("artifacts/artifact")} == {"H/22–23", "2nd Meeting"}


def test_schedule_codes_then_routes_are_a_table() -> None:
    root = tree("schedule-codes-then-routes")
    tables = root.findall(".//table")
    assert [len(t.findall("row")) for t in tables] == [5, 3]
    rows = [[reading_text(c) for c in r] for r in tables[0].iter("row")]
    assert rows[2] == [
        "0C5",
        "A458 between Six Ashes Road and Morfe Lane, a long route whose description runs on "
        "and wraps onto a second line.",
    ]
    assert rows[3][0] == "0C93"  # the table runs on over the page break
    assert texts(root, "body/section/heading") == ["Monday : 03/09/2012", "Tuesday : 04/09/2012"]
    assert root.findtext("meta/title") == "Mobile Routes: Week Start 03/09/2012"


def test_two_page_document_with_a_scattered_footer() -> None:
    root = tree("two-page-scattered-footer")
    furniture = [a.text for a in root.iterfind("artifacts/artifact")]
    assert furniture.count("Data is subject to daily change") == 2
    assert "04/09/2020" not in furniture and "04/04/2020" in furniture
    assert "© Example Police (2020)" in furniture and "Page 2" in furniture
    body = reading_text(root.find("body"))  # type: ignore[arg-type]
    assert "daily change" not in body and "Example Police" not in body
    assert root.find("meta/date[@role='publication']").get("when") == "2020-04-04"  # type: ignore[union-attr]


def test_interleaved_grade_box() -> None:
    root = tree("interleaved-grade-box")
    section = root.find(".//section[@role='judgement']")
    assert section is not None
    assert reading_text(section.find("heading")) == (  # type: ignore[arg-type]
        "The experiences and progress of children who need help and protection"
    )
    assert section.get("grade") == "requires-improvement"
    assert [j.get("grade") for j in root.iterfind("meta/judgements/judgement")] == [
        "requires-improvement"
    ] * 3


def test_control_and_private_use_characters() -> None:
    root = tree("control-and-private-use-characters")
    assert texts(root, ".//item") == [
        "The first point, set with a symbol font.",
        "The second point, set with a symbol font.",
    ]
    paragraph = texts(root, ".//p")[0]
    assert "(struck)" in paragraph and "\u0336" not in paragraph
    link = root.find(".//a")
    assert link is not None and link.get("href", "").endswith(".gov.uk/contact")


def test_judgement_labels_with_full_stops_and_wrapped_grades() -> None:
    root = tree("judgement-labels-with-full-stops")
    judgements = [
        (j.findtext("label"), j.get("grade")) for j in root.iterfind("meta/judgements/judgement")
    ]
    assert judgements == [
        ("Children’s services in Upton require improvement to be good", "requires-improvement"),
        ("1. Children who need help and protection.", "requires-improvement"),
        ("2. Leadership, management and governance.", "good"),
        ("3. Children looked after and achieving permanence.", "inadequate"),
    ]
    section = root.find(".//section[@role='judgement']")
    assert section is not None and section.get("grade") == "requires-improvement"
    assert reading_text(section.find("heading")) == (  # type: ignore[arg-type]
        "The experiences and progress of children who need help and protection"
    )


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Monitoring visit to Tarn County Council children’s services", "ofsted-monitoring-letter"),
        ("Focused visit to Tarn County Council children’s services", "ofsted-focused-visit-letter"),
    ],
)
def test_visit_letters_by_their_title(title: str, kind: str) -> None:
    text = (FIDELITY / "letter-dates-in-first-sentence.txt").read_text(encoding="utf-8")
    root = parse(
        text.replace("Focused visit to Tarn County Council children’s services", title)
    ).getroot()
    assert root.findtext("meta/kind") == kind
    assert root.findtext("meta/subject") == "Tarn County Council"


def test_two_prose_columns_side_by_side_are_read_one_after_the_other() -> None:
    root = tree("two-columns-interleaved")
    items = texts(root, ".//section/list/item")
    assert items[:4] == [
        "Safeguarding is ineffective. Not enough attention has been paid to assessing risks "
        "and acting on concerns. Actions have not been taken in accordance with the school policy.",
        "Leaders are failing to improve teaching and to provide pupils with an acceptable "
        "standard of education.",
        "Standards at the end of key stages 1 and 2 are well below the national average and "
        "not improving quickly enough. Disadvantaged pupils do not achieve as well as others.",
        "Teaching and learning are not effective and pupils are underachieving in reading, "
        "writing and mathematics.",
    ]
    assert not root.findall(".//table")


def test_priority_actions_with_their_responsible_body() -> None:
    root = tree("priority-actions-with-responsible-body")
    assert root.findtext("meta/kind") == "ofsted-area-send"
    section = root.find(".//section[@role='improvements']")
    assert section is not None
    table = section.find("table")
    assert table is not None
    assert [reading_text(c) for c in table.iterfind("head/row/cell")] == [
        "Responsible body",
        "Areas for priority action",
    ]
    rows = [[reading_text(c) for c in r] for r in table.iterfind("row")]
    assert rows == [
        [
            "Fenby Council and NHS Fenby Integrated Care Board",
            "Leaders should urgently reduce the time children and young people wait for "
            "assessment of their needs, and tell families how long they will wait.",
        ],
        [
            "Fenby Council",
            "Leaders should make sure that plans for children with SEND are reviewed on time.",
        ],
    ]
    assert root.findtext("meta/person[@role='lead-inspector']") == "Ann Example, HMI"


@pytest.mark.parametrize(
    "text",
    [
        "\f\nchildren",  # lines that start on page 2: two pages counted, one with text
        "Inspection dates: 3 to 7 March 2025\n1.\nDear Ms Smith",  # a number before a salutation
        "Notes\n\nA short list typed by hand:\n\n1. apples\n\n2. pears\n",  # a label and its list
    ],
)
def test_found_by_the_property_tests(text: str) -> None:
    root = parse(text).getroot()
    assert schema_errors(root) == []
    assert account(text, root).ok
