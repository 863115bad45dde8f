"""Heading levels in text sources: SIF sub-headings, a numbering scheme, flat otherwise."""

from __future__ import annotations

from conftest import FIXTURES, SAMPLE
from lxml import etree

from converter import parse
from converter.recovery import SourceLine, recover
from converter.tree import schema_errors
from converter.words import account

TEXT = FIXTURES / "text"


def outline(root: etree._Element) -> list[tuple[int, str]]:
    """(depth, section id) of every body section, in document order."""
    body = root.find("body")
    assert body is not None
    return [
        (len([a for a in s.iterancestors() if a.tag == "section"]) + 1, str(s.get("id")))
        for s in body.iter("section")
    ]


def read(name: str) -> etree._Element:
    path = TEXT / name
    root = parse(path).getroot()
    assert schema_errors(root) == []
    words = account(path.read_text(encoding="utf-8"), root)
    assert not words.lost and not words.invented
    return root


def test_sif_summary_and_findings_sit_under_their_judgement() -> None:
    root = read("sif-sub-headings.txt")
    assert root.findtext("meta/kind") == "ofsted-sif"
    assert outline(root) == [
        (1, "help-and-protection"),
        (2, "summary"),
        (2, "inspection-findings"),
        (1, "children-looked-after"),
        (2, "summary-2"),
        (2, "inspection-findings-2"),
        (2, "adoption"),
        (1, "leadership-management-governance"),
        (2, "summary-3"),
        (1, "information-about-this-inspection"),
    ]
    # Role, grade and area stay on the section whose heading announced them.
    adoption = root.find(".//section[@id='adoption']")
    assert adoption is not None
    assert (adoption.get("role"), adoption.get("grade"), adoption.get("area")) == (
        "judgement",
        "good",
        "adoption",
    )
    parent = adoption.getparent()
    assert parent is not None and parent.get("area") == "children-looked-after"
    assert [s.get("grade") for s in root.iterfind(".//body//section[@grade]")] == [
        "requires-improvement",
        "good",
        "good",
        "good",
    ]
    # The paragraph after a sub-heading belongs to the sub-section, not its parent.
    summary = root.find(".//section[@id='summary']")
    assert summary is not None and summary.find("p") is not None


def test_numbering_scheme_gives_levels() -> None:
    root = read("numbered-headings.txt")
    assert root.findtext("meta/kind") == "generic"
    assert outline(root) == [
        (1, "s-1-introduction"),
        (2, "s-1-1-scope"),
        (2, "s-1-2-method"),
        (1, "s-2-findings"),
        (2, "s-2-1-waiting-lists"),
    ]
    heading = root.find(".//section[@id='s-1-introduction']/heading")
    assert heading is not None and heading.text == "1. Introduction"


def test_sample_and_unnumbered_text_stay_flat() -> None:
    root = parse(SAMPLE).getroot()
    assert {depth for depth, _ in outline(root)} == {1}
    lines = [
        SourceLine(1, "Parish newsletter"),
        SourceLine(2, ""),
        SourceLine(3, "Spring events"),
        SourceLine(4, ""),
        SourceLine(5, "The fair returns to the green in April this year."),
        SourceLine(6, ""),
        SourceLine(7, "Summer events"),
        SourceLine(8, ""),
        SourceLine(9, "The regatta is on the last Saturday of July."),
    ]
    assert [d for d, _ in outline(recover(lines))] == [1, 1]


def test_a_numbered_list_is_not_taken_for_headings() -> None:
    lines = [
        SourceLine(1, "Shopping"),
        SourceLine(2, ""),
        SourceLine(3, "1. Apples"),
        SourceLine(4, "2. Pears"),
        SourceLine(5, ""),
        SourceLine(6, "Notes"),
        SourceLine(7, ""),
        SourceLine(8, "Buy the fruit on Saturday morning at the market."),
    ]
    root = recover(lines)
    assert schema_errors(root) == []
    assert len(root.findall(".//list[@type='ordered']/item")) == 2
    assert [d for d, _ in outline(root)] == [1]


def test_markdown_like_hashes_give_levels_without_skipping() -> None:
    root = read("marked-headings.txt")
    assert root.findtext("meta/title") == "Community garden handbook"
    # '#### Compost' straight after '## Rules' nests one level down, never two.
    assert outline(root) == [
        (1, "getting-started"),
        (2, "your-plot"),
        (2, "tools"),
        (1, "rules"),
        (2, "compost"),
    ]
    headings = [h.text for h in root.iterfind(".//section/heading")]
    assert headings == ["Getting started", "Your plot", "Tools", "Rules", "Compost"]
