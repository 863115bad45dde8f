"""The text reader on every corpus text, and its field-by-field score against expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS, CORPUS_ABSENT, corpus_params, corpus_texts
from lxml import etree
from support.scoring import FIELDS, score

from converter import parse
from converter.tree import schema_errors

#: The fields the text reader cannot get right, and why; every other field of every
#: document must be right (test_corpus_score_table).
KNOWN_MISSES = {
    (
        "minutes-house-committee-2016-06",
        "subject",
    ): "'House of Lords' is only in the logo, an image",
    (
        "police-knife-crime-summary-2015-08",
        "subject",
    ): "the police service is named only in the logo, an image",
    (
        "police-knife-crime-summary-2015-08",
        "tables",
    ): "pdftotext flattens the 11-column table column by "
    "column; the review says so (flattened-table)",
    (
        "police-knife-crime-summary-2015-08",
        "headings",
    ): "its column headers reach the text as loose lines",
    ("ofsted-school-rounds-green-primary-2016", "hyphens"): "'selfesteem' ends a line of normal "
    "length: no evidence of a lost hyphen",
    (
        "ofsted-sif-reinspection-norfolk-2018",
        "back",
    ): "expected.json gives the offer's phone as 0300 "
    "123 4234, but the source's offer reads 0300 123 1231 (4234 is the contact block's number)",
}


def expected_facts() -> dict[str, dict[str, object]]:
    return {
        e["file"]: e for e in json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    }


@pytest.mark.parametrize("path", corpus_params(corpus_texts()))
def test_corpus_text_parses_valid_with_structure(path: Path) -> None:
    facts = expected_facts()[path.name]
    root = parse(path).getroot()
    assert schema_errors(root) == []
    assert len(root.findtext("meta/title", "")) > 10
    assert root.findtext("meta/kind") == facts["kind"]
    assert root.findall("body//section") or root.findall("body//table")
    artifacts = {a.text for a in root.iterfind("artifacts/artifact")}
    # Page furniture is set aside exactly where the document has some.
    detail = facts.get("running_header_footer_detail") or {}
    furniture = facts["running_header_footer"] or detail.get("page_number_line")
    assert bool(artifacts) == bool(furniture)
    for p in root.iter("p", "item", "heading"):
        text = "".join(str(t) for t in p.itertext()).strip()
        assert text not in {a for a in artifacts if a and len(a) > 3}, text


@pytest.mark.parametrize("path", corpus_params(corpus_texts()))
def test_corpus_grades_where_the_report_has_them(path: Path) -> None:
    facts = expected_facts()[path.name]
    root = parse(path).getroot()
    grades = [j.get("grade") for j in root.iterfind("meta/judgements/judgement")]
    assert grades == [j["grade"] for j in facts["judgements"]]  # type: ignore[attr-defined]


def test_corpus_score_table(capsys: pytest.CaptureFixture[str]) -> None:
    """Every field of expected.json right for every document, but the known misses."""
    if not corpus_texts():
        pytest.skip(CORPUS_ABSENT)
    facts = expected_facts()
    totals = dict.fromkeys(FIELDS, 0)
    wrong: list[str] = []
    lines = [f"{'document':36}" + "".join(f"{f[:8]:>9}" for f in FIELDS)]
    for name, entry in sorted(facts.items()):
        scores = score(parse(CORPUS / name).getroot(), entry)
        stem = name.split(".")[0]
        lines.append(
            f"{stem[:36]:36}" + "".join(f"{'ok' if scores[f].ok else 'NO':>9}" for f in FIELDS)
        )
        for field in FIELDS:
            totals[field] += scores[field].ok
            known = (stem, field) in KNOWN_MISSES
            if scores[field].ok == known:
                state = "now right: take it off KNOWN_MISSES" if known else "wrong"
                wrong.append(f"{stem} {field}: {state} ({scores[field].detail})")
    lines.append(f"{'right of ' + str(len(facts)):36}" + "".join(f"{totals[f]:>9}" for f in FIELDS))
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert wrong == []


def test_lost_hyphen_repairs() -> None:
    if not corpus_texts():
        pytest.skip(CORPUS_ABSENT)
    wanted = repaired = 0
    for name, entry in expected_facts().items():
        body = " ".join(
            "".join(str(t) for t in parse(CORPUS / name).getroot().find("body").itertext()).split()
        )  # type: ignore[union-attr]
        for word in entry["lost_hyphen_words"]:  # type: ignore[attr-defined]
            wanted += 1
            repaired += word["intended"].split(" (")[0] in body
    assert repaired >= wanted - 5, f"{repaired}/{wanted}"


def _heading(section: etree._Element) -> str:
    return " ".join("".join(section.findtext("heading") or "").split())


@pytest.mark.parametrize(
    "path",
    corpus_params(
        [p for p in corpus_texts() if p.name.startswith(("ofsted-sif", "ofsted-school"))]
    ),
)
def test_corpus_sub_headings_nest_under_their_part(path: Path) -> None:
    root = parse(path).getroot()
    body = root.find("body")
    assert body is not None
    if root.findtext("meta/kind") in ("ofsted-sif", "ofsted-sif-reinspection"):
        subs = [
            s for s in body.iter("section") if _heading(s) in ("Summary", "Inspection findings")
        ]
        assert len(subs) >= 4
        for section in subs:
            parent = section.getparent()
            assert parent is not None and parent.get("role") == "judgement", _heading(section)
    else:
        judgements = body.findall(".//section[@role='judgement']")
        assert judgements
        for section in judgements:
            parent = section.getparent()
            assert parent is not None and parent.getparent() is body
            assert _heading(parent) == "Inspection judgements"
    # Every nested section sits exactly one level under a top-level part or its child.
    for section in body.iter("section"):
        depth = len([a for a in section.iterancestors() if a.tag == "section"])
        assert depth <= 1
