"""The plain-language summary: what a parent reads first, traceability, faithfulness (with
injected faults), readability targets, the PDF and the text alike, determinism."""

from __future__ import annotations

import copy
import json
import re
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, CORPUS_ABSENT, FIXTURES, SAMPLE, corpus_params, corpus_texts
from lxml import etree

from converter import Options, api
from converter import tree as canonical
from converter.check import check_file
from converter.check.summary import min_words_for, parse_markdown, readability
from converter.transforms import summary as summary_module
from converter.transforms.faithfulness import (
    claim_words,
    faithfulness_findings,
    incomplete,
    summary_findings,
)
from converter.transforms.plain import Rewriter
from converter.transforms.summary import (
    Plan,
    Planner,
    plan_readability,
    source_facts,
    summarize,
    summary_of,
    trace_json,
)
from converter.transforms.summary_data import load
from converter.words import words
from converter.writers.summary import write as write_markdown

ILACS = FIXTURES / "xml" / "summary-ilacs.xml"
GENERIC = FIXTURES / "xml" / "summary-generic.xml"
TRACE = Options(trace=True)
CHECKS = (
    "summary-readability",
    "summary-structure",
    "summary-citations",
    "summary-acronyms",
    "summary-faithfulness",
)


def source_root(path: Path) -> etree._Element:
    return api.parse(path).getroot()


def results_by_name(path: Path) -> dict[str, Any]:
    return {r.name: r for r in check_file(path, Options()).results}


def markdown_of(path: Path, **options: Any) -> str:
    summary = summary_of(source_root(path), sources=options.get("sources", False))
    return write_markdown(summary.tree, Options()).decode()


# --- What a parent reads first -------------------------------------------------------------


def test_summary_is_a_valid_canonical_tree_whose_blocks_all_cite_the_source() -> None:
    root = source_root(ILACS)
    summary = summarize(root)
    assert canonical.schema_errors(summary) == []
    assert summary.get("variant") == "summary"
    source_ids = {e.get("id") for e in root.iter() if e.get("id")}
    blocks = list(summary.iter("p", "item"))
    assert blocks
    for block in blocks:
        cites = (block.get("cites") or "").split()
        assert cites, canonical.text_content(block)
        assert set(cites) <= source_ids, cites


def test_outcome_first_then_grades_improvements_concerns_and_strengths() -> None:
    headings = [h for h in re.findall(r"^## (.+)$", markdown_of(ILACS), re.MULTILINE)]
    assert headings[:5] == [
        "In short",
        "The grades",
        "What needs to improve",
        "The most serious concerns",
        "What works well",
    ]
    assert headings[-2:] == ["About this summary", "The full report"]
    first = markdown_of(ILACS).split("## In short\n\n")[1].splitlines()[0]
    assert first.startswith("The overall grade is good.")


def test_every_grade_and_every_improvement_item_whole_and_in_order() -> None:
    root = source_root(ILACS)
    plan = Planner(root).plan()
    grades = [s for s in plan.sentences() if s.template in ("grade", "outcome_grade")]
    assert [s.text for s in grades] == [
        "The overall grade is good.",
        "Children who need help and protection: good.",
    ]
    improvements = [
        s for s in plan.sentences() if s.section == "improvements" and s.kind == "point"
    ]
    assert list(dict.fromkeys(s.cites[0] for s in improvements)) == [
        "improve-1",
        "improve-2",
        "improve-3",
        "improve-4",
    ]
    for ident in ("improve-1", "improve-2", "improve-3", "improve-4"):
        said = " ".join(s.source_text for s in improvements if s.cites[0] == ident)
        assert words(said) == words(plan.cited[ident])  # whole: not a word cut


def test_the_most_serious_concern_comes_first() -> None:
    markdown = markdown_of(SAMPLE)
    concerns = markdown.split("## The most serious concerns\n\n")[1].split("\n\n")[0]
    lines = concerns.splitlines()
    serious = [
        n for n, line in enumerate(lines) if "strategy discussions were not held" in line
    ] + [n for n, line in enumerate(lines) if "mental health" in line and "too long" in line]
    assert len(serious) == 2 and max(serious) < 3, concerns  # both there, at the top


def test_a_long_improvement_item_is_split_into_points_never_cut() -> None:
    rewriter = Rewriter(load(), source_root(ILACS))
    item = (
        "Increase the participation of children in care in strategic planning by making sure "
        "that all young people know and understand the pledge and contribute to the children "
        "in care council, so that their views shape services."
    )
    points = rewriter.points(item)
    assert len(points) > 1
    assert all(len(words(text)) <= 20 for text, _, _ in points)
    assert words(" ".join(source for _, source, _ in points)) == words(item)


def test_a_mixed_sentence_is_split_into_its_parts() -> None:
    root = copy.deepcopy(source_root(ILACS))
    paragraph = root.find(".//p[@id='p-11']")
    paragraph.text = (
        "While initial assessments of children's mental health are completed on time, "
        "children wait too long for specialist help."
    )
    planner = Planner(root)
    found = planner.candidates(paragraph, "help-and-protection", 0)
    assert [(c.label, c.unit.text()) for c in found] == [
        ("concern", "Children wait too long for specialist help.")
    ]


def test_terms_are_explained_in_place_the_first_time_only() -> None:
    markdown = markdown_of(ILACS)
    explanation = "A strategy discussion is a meeting about a child at risk of harm."
    assert markdown.count(explanation) == 1
    line = next(line for line in markdown.splitlines() if explanation in line)
    before = markdown[: markdown.index(explanation)]
    assert "strategy discussion" in before.split("## What needs to improve")[1], line


def test_generic_document_says_plainly_it_has_no_grades(tmp_path: Path) -> None:
    text = markdown_of(GENERIC)
    assert "This document gives no grades." in text
    assert "## The grades" not in text
    [path, _trace] = sorted(
        o.path for o in api.convert(GENERIC, ["summary"], TRACE, tmp_path) if o.path
    )
    results = results_by_name(path)
    assert all(r.status == "pass" for r in results.values()), results


# --- The reader's copy and the trace -------------------------------------------------------


def test_reader_copy_has_no_reference_tags_and_says_who_wrote_it(tmp_path: Path) -> None:
    outputs = api.convert(ILACS, ["summary"], TRACE, tmp_path)
    names = sorted(o.path.name for o in outputs if o.path)
    assert names == ["summary-ilacs.summary.md", "summary-ilacs.summary.trace.json"]
    markdown = (tmp_path / "summary-ilacs.summary.md").read_text()
    trace = json.loads((tmp_path / "summary-ilacs.summary.trace.json").read_text())
    assert not re.search(r"\[(?:p|para|improve)-\d+", markdown)
    assert "A computer program wrote this from the report." in markdown
    assert "The visit was from 22 November to 3 December 2021." in markdown
    assert "phone 0300 123 1231. Or email enquiries@ofsted.gov.uk." in markdown
    for record in trace["sentences"]:
        assert record["cites"] and all(c in trace["cited"] for c in record["cites"])
    assert [line["text"] for line in trace["lines"]] == [
        text for _, text in parse_markdown(markdown, load()).lines
    ]
    rules = {r[0] for record in trace["sentences"] for r in record["rules"]}
    assert "phrase" in rules  # the phrase bank was used, and the trace says where


def test_sources_list_says_where_each_part_comes_from(tmp_path: Path) -> None:
    markdown = markdown_of(ILACS, sources=True)
    assert "## Where this comes from" in markdown
    listing = markdown.split("## Where this comes from\n\n")[1]
    assert "- The most serious concerns: paragraphs 4, 8 and 11." in listing
    assert "- What needs to improve: the part headed ‘What needs to improve’." in listing
    [path, _] = sorted(
        o.path
        for o in api.convert(ILACS, ["summary"], Options(trace=True, sources_list=True), tmp_path)
        if o.path
    )
    assert all(r.status == "pass" for r in results_by_name(path).values())


def test_the_report_date_is_said() -> None:
    root = copy.deepcopy(source_root(ILACS))
    etree.SubElement(root.find("meta"), "date", {"role": "publication", "when": "2022-01-19"})
    markdown = write_markdown(summarize(root), Options()).decode()
    assert "The report was published on 19 January 2022." in markdown


def test_every_writer_can_render_the_summary_tree() -> None:
    [output] = api.convert(ILACS, ["xml"], Options(summary=True))
    assert output.data is not None
    rendered = etree.fromstring(output.data, canonical.safe_parser())
    assert rendered.get("variant") == "summary"
    assert canonical.schema_errors(rendered) == []


def test_two_runs_give_identical_output() -> None:
    def run() -> tuple[bytes, bytes, bytes]:
        root = source_root(SAMPLE)
        return (
            canonical.serialize(summarize(root, sources=True)),
            trace_json(root, sources=True),
            write_markdown(summarize(root, sources=True), Options()),
        )

    assert run() == run()


# --- The sample and the corpus -------------------------------------------------------------


def _figures(path: Path) -> tuple[str, dict[str, str], dict[str, Any]]:
    results = results_by_name(path)
    status = {name: r.status for name, r in results.items()}
    details = results["summary-readability"].details
    trace = json.loads(path.with_name(path.name.replace(".md", ".trace.json")).read_text())
    return "; ".join(details), status, trace


def _numbers(details: str) -> dict[str, float]:
    found = re.search(
        r"Flesch Reading Ease ([\d.]+), Flesch-Kincaid grade (-?[\d.]+), (\d+) sentences, "
        r"mean ([\d.]+) words, longest (\d+)",
        details,
    )
    assert found, details
    ease, grade, _, mean, longest = (float(g) for g in found.groups())
    return {"ease": ease, "grade": grade, "mean": mean, "longest": longest}


def test_sample_summary_meets_the_sample_targets(render: Any) -> None:
    path: Path = render(SAMPLE, "summary", TRACE)
    figures, status, trace = _figures(path)
    print(f"\nsample: {figures}")
    assert status == dict.fromkeys(CHECKS, "pass"), figures
    numbers = _numbers(figures)
    assert numbers["ease"] >= 70 and numbers["grade"] <= 5, figures
    assert numbers["longest"] <= 20 and numbers["mean"] <= 12, figures
    grades = [r["slots"]["grade"] for r in trace["sentences"] if "grade" in r["template"]]
    assert grades == ["good"] * 4


@pytest.mark.parametrize("text", corpus_params(corpus_texts()))
def test_corpus_summary_meets_the_targets(render: Any, text: Path) -> None:
    """Every corpus summary: FRE >= 65, FK <= 6, sentences <= 20 words and 12 on average,
    350-700 words for a report with 4,000 words of prose (fewer in proportion for less: a
    timetable is nearly all table, and table cells are not prose), every grade and
    improvement item (whole), no empty section, faithful."""
    path: Path = render(text, "summary", TRACE)
    figures, status, trace = _figures(path)
    print(f"\n{text.name}: {figures}")
    for name in CHECKS[1:]:
        assert status[name] == "pass", (name, results_by_name(path)[name].details)
    assert status["summary-readability"] == "pass", figures


def test_the_length_target_scales_with_the_reports_prose_not_its_tables() -> None:
    assert min_words_for(4000) == min_words_for(9000) == 350
    assert min_words_for(2000) == 175 and min_words_for(20) == 1
    root = copy.deepcopy(source_root(GENERIC))
    section = root.find("body/section")
    table = etree.SubElement(section, "table", {"id": "table-1"})
    for number in range(200):
        row = etree.SubElement(table, "row")
        for text in ("Monday", f"Stop {number} by the green at ten past nine"):
            etree.SubElement(row, "cell").text = text
    facts = source_facts(root)[1]
    prose = source_facts(source_root(GENERIC))[1]
    assert facts["prose_words"] == prose["source_words"] == prose["prose_words"]
    assert facts["source_words"] > prose["source_words"] + 1000
    assert min_words_for(facts["prose_words"]) < 20 < min_words_for(facts["source_words"])
    # The summary of the mostly-table document passes its length check.
    figures = readability(["Opening hours are on six days."], 60, facts["prose_words"])
    assert not [f for f in figures.findings() if "words, outside" in f]


def test_the_length_target_of_a_timetable_is_checked_end_to_end(tmp_path: Path) -> None:
    """A document that is nearly all table: its summary, written and checked as `convert
    check` does, passes on length against its prose; judged against every word it would not
    (a negative control: the scaling is what makes it pass)."""
    root = copy.deepcopy(source_root(GENERIC))
    section = root.find("body/section")
    table = etree.SubElement(section, "table", {"id": "table-1"})
    for number in range(400):
        row = etree.SubElement(table, "row")
        for text in ("Monday", f"Stop {number} by the green at ten past nine"):
            etree.SubElement(row, "cell").text = text
    source = tmp_path / "timetable.xml"
    source.write_bytes(canonical.serialize(root))
    outputs = api.convert(source, ["summary"], TRACE, tmp_path)
    path = next(o.path for o in outputs if o.path and o.path.suffix == ".md")
    result = results_by_name(path)["summary-readability"]
    assert result.status == "pass", result.details
    facts = json.loads(path.with_name("timetable.summary.trace.json").read_text())["facts"]
    assert facts["prose_words"] + 4000 <= facts["source_words"]
    parsed = parse_markdown(path.read_text(), load())
    prose = [t for section, t in parsed.lines if section != load().headings["glossary"]]
    against_all = readability(prose, parsed.total_words, facts["source_words"])
    assert any("words, outside" in f for f in against_all.findings())


# --- Plainer findings where a plan misses the readability targets --------------------------


def _finding_texts(plan: Plan, key: str) -> list[str]:
    return [u.text() for p in plan.parts if p.key == key for u in p.units()]


def _clean(plan: Plan) -> list[str]:
    sections = [
        {"key": p.key, "heading": p.heading, "sentences": len(p.sentences())}
        for p in plan.all_parts()
    ]
    records = [s.record() for s in plan.sentences()]
    return summary_findings(records, plan.cited, plan.facts, load(), sections, plan.places)


def test_a_plan_that_misses_the_targets_takes_plainer_findings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sample meets grade 6 as it is; held to a stricter grade, the planner chooses
    plainer findings of the report's own until it meets it, keeping the two weightiest
    concerns, every grade and every improvement item, and stays faithful."""
    root = source_root(SAMPLE)
    usual = Planner(root).plan()
    before = plan_readability(usual).grade_level
    monkeypatch.setattr(summary_module, "MAX_GRADE_LEVEL", before - 0.2)
    plainer = Planner(root).plan()
    figures = plan_readability(plainer)
    assert figures.grade_level <= before - 0.2 and figures.reading_ease >= 65
    assert figures.total_words >= figures.min_words
    assert _finding_texts(plainer, "strengths") != _finding_texts(usual, "strengths")
    assert _finding_texts(plainer, "concerns")[:2] == _finding_texts(usual, "concerns")[:2]
    assert _clean(plainer) == []


def test_findings_are_left_out_only_past_the_weightiest_and_never_for_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = source_root(ILACS)
    usual = Planner(root).plan()
    before = plan_readability(usual).grade_level
    # Reachable only by leaving findings out: fewer are shown, never the two weightiest
    # concerns nor the last strength.
    monkeypatch.setattr(summary_module, "MAX_GRADE_LEVEL", before - 0.1)
    fewer = Planner(root).plan()
    assert plan_readability(fewer).grade_level <= before - 0.1
    shown = _finding_texts(fewer, "concerns") + _finding_texts(fewer, "strengths")
    assert len(shown) < len(_finding_texts(usual, "concerns") + _finding_texts(usual, "strengths"))
    assert _finding_texts(fewer, "concerns")[:2] == _finding_texts(usual, "concerns")[:2]
    assert _finding_texts(fewer, "strengths")
    assert _clean(fewer) == []
    # Out of reach: the plan as first made, not one stripped of findings for nothing.
    monkeypatch.setattr(summary_module, "MAX_GRADE_LEVEL", 0.0)
    assert [s.text for s in Planner(root).plan().sentences()] == [s.text for s in usual.sentences()]


def test_findings_are_found_however_deep_recovery_nested_them() -> None:
    """A part title recovered as a heading over everything after it ("The local authority",
    one of the headings whose own part holds no findings) hides nothing: a PDF recovers
    such titles, its text not."""
    root = copy.deepcopy(source_root(ILACS))
    body = root.find("body")
    wrapper = etree.Element("section", {"id": "the-local-authority"})
    etree.SubElement(wrapper, "heading", {"id": "h-local"}).text = "The local authority"
    for child in body.findall("section"):
        wrapper.append(child)
    body.append(wrapper)
    flat, nested = Planner(source_root(ILACS)), Planner(root)
    assert [(b.get("id"), area) for b, area in nested._findings_blocks()] == [
        (b.get("id"), area) for b, area in flat._findings_blocks()
    ]
    assert [s.text for s in nested.plan().sentences()] == [s.text for s in flat.plan().sentences()]


# --- Faithfulness: injected faults are each caught -----------------------------------------


@pytest.fixture(scope="module")
def sample_plan() -> Plan:
    return Planner(source_root(SAMPLE)).plan()


def _records(plan: Plan) -> list[dict[str, Any]]:
    return [s.record() for s in plan.sentences()]


def _check(plan: Plan, records: list[dict[str, Any]]) -> list[str]:
    sections = [
        {"key": p.key, "heading": p.heading, "sentences": len(p.sentences())}
        for p in plan.all_parts()
    ]
    return summary_findings(records, plan.cited, plan.facts, load(), sections, plan.places)


def _finding(records: list[dict[str, Any]], section: str, contains: str) -> dict[str, Any]:
    return next(r for r in records if r["section"] == section and contains in r["text"])


def test_the_unchanged_summary_is_clean(sample_plan: Plan) -> None:
    assert _check(sample_plan, _records(sample_plan)) == []


def test_a_truncated_sentence_is_caught(sample_plan: Plan) -> None:
    records = _records(sample_plan)
    record = _finding(records, "concerns", "strategy discussions were not held")
    record["source_text"] = record["source_text"].split(" when ")[0]
    record["text"] = record["source_text"] + " when."
    found = _check(sample_plan, records)
    assert any("incomplete: ends on 'when'" in f for f in found), found
    record["text"] = record["source_text"] + "."
    found = _check(sample_plan, records)
    assert any("stop in the middle of a sentence" in f for f in found), found


def test_a_dangling_pronoun_is_caught(sample_plan: Plan) -> None:
    records = _records(sample_plan)
    record = _finding(records, "concerns", "strategy discussions were not held")
    record["text"] = "Her " + record["text"][0].lower() + record["text"][1:]
    assert any("refers to nothing before it" in f for f in _check(sample_plan, records))
    record["text"] = "They were not held when there was a risk of significant harm."
    assert any("'they' refers to nothing" in f for f in _check(sample_plan, records))


def test_a_strength_listed_as_a_concern_is_caught(sample_plan: Plan) -> None:
    records = _records(sample_plan)
    strength = next(r for r in records if r["section"] == "strengths" and r["kind"] == "source")
    strength["section"] = "concerns"
    found = _check(sample_plan, records)
    assert any(f"{strength['id']}: a strength listed under concerns" in f for f in found), found


def test_a_strength_said_inside_a_concern_is_caught(sample_plan: Plan) -> None:
    """The part of a sentence shown must say what its list says: a strength cut from a
    sentence that is a concern as a whole (the rules missed it as mixed) is caught."""
    records = _records(sample_plan)
    record = next(r for r in records if r["section"] == "concerns" and r["kind"] == "source")
    record["text"] = "Leaders are committed to the service."
    record["source_text"] = "Leaders are committed to the service"
    record["finding"] = (
        "Leaders are committed to the service, with too many children still waiting too long."
    )
    record["rules"] = []
    sample_plan.cited[record["cites"][0]] += " " + record["finding"]
    try:
        found = _check(sample_plan, records)
    finally:
        sample_plan.cited[record["cites"][0]] = sample_plan.cited[record["cites"][0]][
            : -len(record["finding"]) - 1
        ]
    assert any(
        f"{record['id']}: a strength (by its own words) listed under concerns" in f for f in found
    ), found


def test_a_grade_meaning_that_leans_on_nothing_is_caught(sample_plan: Plan) -> None:
    records = _records(sample_plan)
    meaning = next(r for r in records if r["kind"] == "meaning")
    assert meaning["text"].startswith("This is the second of four grades.")  # after the outcome
    assert _check(sample_plan, records) == []
    meaning["section"] = "grades"  # "This" would then refer to nothing
    found = _check(sample_plan, records)
    assert any("is not our explanation of grade 'good'" in f for f in found), found


def test_a_dropped_not_is_caught(sample_plan: Plan) -> None:
    records = _records(sample_plan)
    record = _finding(records, "concerns", "were not held")
    record["text"] = record["text"].replace(" not ", " ")
    assert any("'not' 0 time(s) here, 1 in the source" in f for f in _check(sample_plan, records))


def test_a_changed_number_is_caught(sample_plan: Plan) -> None:
    records = _records(sample_plan)
    record = next(r for r in records if r["template"] == "dates")
    record["slots"] = record["slots"] | {"end": "4 December 2021"}
    record["text"] = record["text"].replace("3 December", "4 December")
    assert any(
        "end '4 December 2021' is not the report's" in f for f in _check(sample_plan, records)
    )
    records = _records(sample_plan)
    finding = next(r for r in records if r["kind"] == "source" and re.search(r"\d", r["text"]))
    finding["text"] = re.sub(r"\d+", "99", finding["text"], count=1)
    assert any("'99' 1 time(s) here" in f for f in _check(sample_plan, records))


def test_an_invented_claim_is_caught(sample_plan: Plan) -> None:
    records = _records(sample_plan)
    record = _finding(records, "strengths", "")
    record["text"] = record["text"][:-1] + " because the council cut its budget."
    found = _check(sample_plan, records)
    assert any("words not in its source" in f and "budget" in f for f in found), found


def test_a_missing_grade_is_caught(sample_plan: Plan) -> None:
    records = [r for r in _records(sample_plan) if r["template"] != "grade"]
    found = _check(sample_plan, records)
    assert any("the grade for 'Children in care and care leavers' is not" in f for f in found)


def test_a_wrong_grade_and_an_empty_section_are_caught(sample_plan: Plan) -> None:
    records = _records(sample_plan)
    grade = next(r for r in records if r["template"] == "grade")
    grade["slots"] = grade["slots"] | {"grade": "outstanding"}
    grade["text"] = grade["text"].replace("good", "outstanding")
    assert any("does not grade" in f for f in _check(sample_plan, records))
    sections = [{"key": "concerns", "heading": "The most serious concerns", "sentences": 0}]
    found = summary_findings(
        _records(sample_plan), sample_plan.cited, sample_plan.facts, load(), sections
    )
    assert found == ["the section 'The most serious concerns' is empty"]


def test_an_improvement_item_cut_short_is_caught(sample_plan: Plan) -> None:
    records = _records(sample_plan)
    points = [r for r in records if r["section"] == "improvements" and r["kind"] == "point"]
    records.remove(points[1])  # improve-1 is said in points: one of them left out
    assert any("improvement improve-1 is not whole" in f for f in _check(sample_plan, records))


def test_incomplete_sentences_by_rule() -> None:
    assert incomplete("Her appointment has acted as a catalyst for improvement, and she.", "source")
    assert incomplete("Weak oversight of cases by senior managers in the area.", "source") == [
        "incomplete: no main verb"
    ]
    assert incomplete("Children wait too long for help.", "source") == []


# --- The written summary, checked ----------------------------------------------------------


def test_checker_catches_an_edited_markdown_file(tmp_path: Path) -> None:
    outputs = api.convert(ILACS, ["summary"], TRACE, tmp_path)
    path = next(o.path for o in outputs if o.path and o.path.suffix == ".md")
    assert results_by_name(path)["summary-faithfulness"].status == "pass"
    text = path.read_text()
    path.write_text(text.replace("The overall grade is good.", "The overall grade is outstanding."))
    assert results_by_name(path)["summary-faithfulness"].status == "fail"


def test_checker_catches_reference_tags_and_an_empty_section(tmp_path: Path) -> None:
    outputs = api.convert(ILACS, ["summary"], TRACE, tmp_path)
    path = next(o.path for o in outputs if o.path and o.path.suffix == ".md")
    text = path.read_text()
    path.write_text(text.replace("disabled children.\n", "disabled children. [improve-4]\n", 1))
    assert results_by_name(path)["summary-structure"].status == "fail"
    path.write_text(text.replace("## The full report", "## Nothing here\n\n## The full report"))
    details = results_by_name(path)["summary-structure"].details
    assert "the section 'Nothing here' is empty" in details


def test_checker_without_trace_does_not_claim_faithfulness(tmp_path: Path) -> None:
    [output] = api.convert(ILACS, ["summary"], Options(), tmp_path)
    assert output.path is not None
    results = results_by_name(output.path)
    assert results["summary-faithfulness"].status == "not-run"
    assert results["summary-citations"].status == "not-run"


def test_checker_compares_the_trace_with_the_source_when_given(tmp_path: Path) -> None:
    api.convert(ILACS, ["summary"], TRACE, tmp_path)
    path = tmp_path / "summary-ilacs.summary.md"
    source = api.parse(ILACS).getroot()
    report = check_file(path, Options(), source=source)
    [result] = [r for r in report.results if r.name == "summary-faithfulness"]
    assert result.status == "pass", result.details
    other = tmp_path / "other.xml"
    shutil.copy(ILACS, other)
    other.write_text(other.read_text().replace("is variable", "is excellent"))
    report = check_file(path, Options(), source=api.parse(other).getroot())
    [result] = [r for r in report.results if r.name == "summary-faithfulness"]
    assert result.status == "fail"


# --- Data and the readability library ------------------------------------------------------


def test_phrase_bank_never_changes_a_claim_word() -> None:
    data = load()
    for phrase in (*data.phrases, *data.item_openings):
        assert claim_words(phrase.source) == claim_words(phrase.plain), phrase
    # A quantifier said in other words counts as the plain word, and only that one.
    assert claim_words("the majority of plans") == claim_words("most plans")
    assert claim_words("the majority of plans") != claim_words("some plans")
    for split in data.splits:
        assert not claim_words(split.opens), split
    for short, long_form in data.acronyms.items():
        assert short and long_form


def test_a_rewritten_phrase_is_never_rewritten_again_and_terms_stay_whole() -> None:
    rewriter = Rewriter(load(), source_root(ILACS))

    def plain(text: str) -> str:
        return rewriter.plain(text, text, [])[0]

    # "what the law requires" is not then made "what the law needs" by "requires" -> "needs",
    # and the term "statutory" does not stop the phrase that holds it.
    assert plain("Leaders meet statutory requirements") == "Leaders meet what the law requires."
    # A glossary term is explained, never reworded: "multi-agency" -> "joint" leaves the
    # multi-agency safeguarding hub whole.
    assert plain("The multi-agency safeguarding hub and multi-agency meetings work") == (
        "The multi-agency safeguarding hub and joint meetings work."
    )
    assert plain("The majority of plans are clear") == "Most plans are clear."


def test_an_improvement_items_opening_is_made_a_verb_only_at_its_start() -> None:
    data = load()
    rewriter = Rewriter(data, source_root(ILACS))
    item = "The recognition of risk and the response to neglect."
    [(text, source, rules)] = rewriter.points(item)
    assert text == "Spotting risk and the response to neglect."
    assert ["item-opening", "The recognition of", "Spotting"] in rules
    # Not inside a sentence, nor in a finding.
    assert rewriter.points("Improve the recognition of risk.")[0][0] == (
        "Improve the recognition of risk."
    )
    finding = "The recognition of risk is strong"
    assert rewriter.plain(finding, finding, [])[0] == finding + "."
    # The check knows the rule as ours, and refuses one that is not.
    record = {
        "id": "s-1",
        "text": text,
        "cites": ["p-1"],
        "kind": "point",
        "source_text": source,
        "rules": rules,
    }
    cited = {"p-1": item}
    assert faithfulness_findings(record, cited, {}, data) == []
    forged = ["item-opening", "The recognition of", "Ignoring"]
    record |= {"text": "Ignoring risk and the response to neglect.", "rules": [forged]}
    found = faithfulness_findings(record, cited, {}, data)
    assert any("rule item-opening" in f and "is not ours" in f for f in found), found


def test_an_acronym_is_spelled_out_as_it_was_when_the_report_was_written() -> None:
    """HMI was Her Majesty's Inspector until September 2022: the word list of a 2018 report
    must not say His."""
    data = load()
    assert data.acronyms_at({"publication": "2018-08-01"})["HMI"] == "Her Majesty's Inspector"
    assert data.acronyms_at({"inspection-end": "2023-05-26"})["HMI"] == "His Majesty's Inspector"
    root = copy.deepcopy(source_root(ILACS))
    rewriter = Rewriter(data, root)
    text = "The visit was led by an HMI"
    assert rewriter.plain(text, text, [])[0] == "The visit was led by an Her Majesty's Inspector."
    record = {
        "id": "s-1",
        "text": "HMI: His Majesty's Inspector",
        "cites": ["p-1"],
        "kind": "acronym",
        "source_text": "",
        "rules": [],
    }
    facts = source_facts(root)[1]
    found = faithfulness_findings(record, {"p-1": "An HMI led the visit."}, facts, data)
    assert found == ["s-1: the cited source does not define HMI"]
    record["text"] = "HMI: Her Majesty's Inspector"
    assert faithfulness_findings(record, {"p-1": "An HMI led the visit."}, facts, data) == []


def test_number_rules_keep_every_number() -> None:
    rewriter = Rewriter(load(), source_root(ILACS))
    for before in (
        "Support for 16- to 17-year-old children in care is strong.",
        "Young people aged 16 to 17 years old are helped.",
        "The 16+ service is well led.",
    ):
        after, _, rules = rewriter.plain(before, before, [])
        assert any(rule[0] == "number" for rule in rules), before
        digits = [w for w in words(after) if w.isdigit()]
        assert digits == [w for w in words(before) if w.isdigit()], after


def test_explanations_are_whole_short_sentences() -> None:
    for term in load().terms:
        if term.explain:
            assert incomplete(term.explain, "explain") == [], term.term
            assert all(len(words(s)) <= 20 for s in term.explain.split(". ")), term.term


def test_readability_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import importlib.metadata

    import textstat

    assert importlib.metadata.version("textstat") == "0.7.4"

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    importlib.reload(textstat)  # a fresh load, as in a new process, with the network refused
    figures = readability(["Children in care make progress. Leaders listen to staff."], 400)
    assert figures.reading_ease > 60 and figures.sentences == 2


def test_markdown_parse_round_trips_the_lines() -> None:
    root = source_root(ILACS)
    summary = summary_of(root)
    markdown = write_markdown(summary.tree, Options()).decode()
    parsed = parse_markdown(markdown, load())
    texts = [text for _, text in parsed.lines]
    assert texts == [line["text"] for line in json.loads(summary.trace_json())["lines"]]


def test_a_figure_in_a_summary_is_its_description_only() -> None:
    from converter.writers import summary as summary_writer

    root = etree.fromstring(
        b'<report schema-version="1.2" xml:lang="en" variant="summary"><meta><title>S</title>'
        b"<kind>generic</kind><source name='s' sha256='" + b"0" * 64 + b"' format='xml'/></meta>"
        b"<body><section id='s1'><heading id='h1'>Pictures</heading>"
        b"<figure id='f1'><image name='chart.png'/><description>A chart of visits</description></figure>"
        b"<figure id='f2'><image name='photo.png'/></figure>"
        b"<figure id='f3' decorative='true'><image name='rule.png'/></figure>"
        b"</section></body></report>"
    )
    text = summary_writer.write(root, Options()).decode("utf-8")
    assert "Image: A chart of visits" in text
    assert "Image: image without a description" in text
    assert "rule.png" not in text and "chart.png" not in text


# --- The PDF and the text of a report give the same summary --------------------------------


def _findings_text(root: etree._Element) -> list[str]:
    planner = Planner(root)
    return [planner.cited[b.get("id") or ""] for b, _ in planner._findings_blocks()] + [
        planner.facts["title"]
    ]


@pytest.mark.parametrize(
    "pdf", corpus_params(sorted(CORPUS.glob("*.pdf")) if CORPUS.is_dir() else [])
)
def test_summary_from_the_pdf_is_the_summary_from_the_text(pdf: Path) -> None:
    """The summary depends on the report's words, not on how its text was cut into
    paragraphs or how deep recovery nested its parts.  Where the two recovered trees differ
    in their words (recovery, issue 14: a hyphen kept at a line end in the text, running
    heads), the summary must still be the same; the message says whether they differ."""
    if pdf is None:
        pytest.skip(CORPUS_ABSENT)
    [text] = sorted(CORPUS.glob(pdf.stem + ".*txt"))
    from_text, from_pdf = source_root(text), source_root(pdf)
    same = write_markdown(summarize(from_text), Options()) == write_markdown(
        summarize(from_pdf), Options()
    )
    trees_agree = (
        " ".join(_findings_text(from_text)).split() == " ".join(_findings_text(from_pdf)).split()
    )
    print(
        f"\n{pdf.stem}: summaries {'the same' if same else 'differ'}; "
        f"recovered words {'agree' if trees_agree else 'differ'}"
    )
    assert same, f"{pdf.stem}: recovered words {'agree' if trees_agree else 'differ'}"
