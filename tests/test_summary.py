"""The plain-language summary: structure, traceability, faithfulness, readability, determinism."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
from conftest import CORPUS_ABSENT, FIXTURES, SAMPLE, corpus_texts
from lxml import etree

from converter import Options, api
from converter import tree as canonical
from converter.check import check_file
from converter.check.summary import parse_markdown, readability
from converter.transforms.faithfulness import claim_words, faithfulness_findings
from converter.transforms.summary import Planner, Sentence, summarize, trace_json
from converter.transforms.summary_data import load
from converter.writers.summary import write as write_markdown

ILACS = FIXTURES / "xml" / "summary-ilacs.xml"
GENERIC = FIXTURES / "xml" / "summary-generic.xml"
TRACE = Options(trace=True)


def source_root(path: Path) -> etree._Element:
    return api.parse(path).getroot()


def results_by_name(path: Path) -> dict[str, object]:
    return {r.name: r for r in check_file(path, Options()).results}


# --- Structure and traceability ------------------------------------------------------------


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


def test_fixture_summary_has_every_grade_and_improvement_in_order() -> None:
    root = source_root(ILACS)
    summary = summarize(root)
    items = summary.findall("body/section[@role='improvements']//item")
    assert [i.get("cites") for i in items] == ["improve-1", "improve-2", "improve-3", "improve-4"]
    text = canonical.text_content(summary.find("body"))
    assert "Children who need help and protection: good." in text
    assert "Overall effectiveness: good." in text
    assert "Good is the second of four grades." in text


def test_generic_document_says_plainly_it_has_no_grades(tmp_path: Path) -> None:
    root = source_root(GENERIC)
    summary = summarize(root)
    text = canonical.text_content(summary)
    assert "This document has no grades." in text
    assert summary.find("body/section[@id='sum-grades']") is None
    [path, _trace] = sorted(
        o.path for o in api.convert(GENERIC, ["summary"], TRACE, tmp_path) if o.path
    )
    results = results_by_name(path)
    assert all(r.status == "pass" for r in results.values()), results  # type: ignore[attr-defined]


def test_markdown_shows_references_and_trace_lists_sources_and_rules(tmp_path: Path) -> None:
    outputs = api.convert(ILACS, ["summary"], TRACE, tmp_path)
    names = sorted(o.path.name for o in outputs if o.path)
    assert names == ["summary-ilacs.summary.md", "summary-ilacs.summary.trace.json"]
    markdown = (tmp_path / "summary-ilacs.summary.md").read_text()
    trace = json.loads((tmp_path / "summary-ilacs.summary.trace.json").read_text())
    assert "1. " in markdown and "[improve-4]" in markdown
    for record in trace["sentences"]:
        assert record["cites"] and all(c in trace["cited"] for c in record["cites"])
        assert f"[{', '.join(record['cites'])}]" in markdown
    rules = {r[0] for record in trace["sentences"] for r in record["rules"]}
    assert "phrase" in rules  # the phrase bank was used, and the trace says where


def test_every_writer_can_render_the_summary_tree() -> None:
    [output] = api.convert(ILACS, ["xml"], Options(summary=True))
    assert output.data is not None
    rendered = etree.fromstring(output.data, canonical.safe_parser())
    assert rendered.get("variant") == "summary"
    assert canonical.schema_errors(rendered) == []


def test_two_runs_give_identical_output() -> None:
    root = source_root(SAMPLE)
    first = (
        canonical.serialize(summarize(root)),
        trace_json(root),
        write_markdown(summarize(root), Options()),
    )
    again = source_root(SAMPLE)
    second = (
        canonical.serialize(summarize(again)),
        trace_json(again),
        write_markdown(summarize(again), Options()),
    )
    assert first == second


# --- The sample and the corpus -------------------------------------------------------------


def _figures(path: Path) -> tuple[str, dict[str, str]]:
    results = results_by_name(path)
    status = {name: r.status for name, r in results.items()}  # type: ignore[attr-defined]
    details = results["summary-readability"].details  # type: ignore[attr-defined]
    return "; ".join(details), status


def test_sample_summary_meets_every_target(render: object) -> None:
    path: Path = render(SAMPLE, "summary", TRACE)  # type: ignore[operator]
    figures, status = _figures(path)
    print(f"\nsample: {figures}")
    assert status == {
        "summary-readability": "pass",
        "summary-citations": "pass",
        "summary-acronyms": "pass",
        "summary-faithfulness": "pass",
    }, figures
    trace = json.loads(path.with_name(path.name.replace(".md", ".trace.json")).read_text())
    grades = [r["slots"] for r in trace["sentences"] if r["template"] == "grade"]
    assert len(grades) == 4 and all(g["grade"] == "good" for g in grades)
    improvements = [
        r["cites"][0]
        for r in trace["sentences"]
        if r["kind"] in ("source", "fallback") and r["cites"][0].startswith("improve-")
    ]
    assert improvements == ["improve-1", "improve-2", "improve-3", "improve-4"]


def test_corpus_summaries_table(render: object) -> None:
    """A summary for every corpus text, the same checks tabulated; faithfulness must hold."""
    texts = corpus_texts()
    if not texts:
        pytest.skip(CORPUS_ABSENT)
    rows = [f"{'document':44} {'read.':5} {'cite':5} {'acro':5} {'faith':5}  figures / findings"]
    for text in [SAMPLE, *texts]:
        path: Path = render(text, "summary", TRACE)  # type: ignore[operator]
        figures, status = _figures(path)
        marks = [
            status[n][:4]
            for n in (
                "summary-readability",
                "summary-citations",
                "summary-acronyms",
                "summary-faithfulness",
            )
        ]
        rows.append(
            f"{text.name.split('.')[0][:44]:44} "
            + " ".join(f"{m:5}" for m in marks)
            + f"  {figures}"
        )
        assert status["summary-citations"] == "pass", text.name
        assert status["summary-faithfulness"] == "pass", (text.name, figures)
    print("\n" + "\n".join(rows))


# --- The faithfulness checker catches injected errors --------------------------------------


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner(source_root(ILACS))


def _source_sentence(planner: Planner, block: str, starts: str) -> Sentence:
    for sentence, _ in planner.candidates(planner.root.find(f".//*[@id='{block}']")):
        if sentence.text.startswith(starts):
            return sentence
    raise AssertionError(f"no candidate of {block} starting {starts!r}")


def _findings(planner: Planner, sentence: Sentence, **changes: object) -> list[str]:
    record = sentence.record() | changes
    return faithfulness_findings(record, planner.cited, planner.facts, planner.data)


def test_untouched_sentences_pass(planner: Planner) -> None:
    sentence = _source_sentence(planner, "p-4", "In a small number of cases")
    assert _findings(planner, sentence) == []
    for s in planner.plan().sentences():
        assert _findings(planner, s) == [], s.text


def test_changed_quantifier_is_caught(planner: Planner) -> None:
    sentence = _source_sentence(planner, "p-4", "In a small number of cases")
    changed = sentence.text.replace("a small number of cases", "most cases")
    found = _findings(planner, sentence, text=changed)
    assert any("'most'" in f for f in found) and any("'small'" in f for f in found), found


def test_dropped_not_is_caught(planner: Planner) -> None:
    sentence = _source_sentence(planner, "p-4", "In a small number of cases")
    found = _findings(planner, sentence, text=sentence.text.replace(" not ", " "))
    assert any("'not'" in f for f in found), found


def test_invented_claim_is_caught(planner: Planner) -> None:
    sentence = _source_sentence(planner, "p-11", "Practice for disabled children")
    invented = sentence.text[:-1] + " because the council cut its budget."
    found = _findings(planner, sentence, text=invented)
    assert any("words not in its source" in f and "budget" in f for f in found), found


def test_wrong_grade_is_caught(planner: Planner) -> None:
    [grade] = [s for s in planner.plan().sentences() if s.template == "grade"][:1]
    wrong_text = grade.text.replace("good", "outstanding")
    assert _findings(planner, grade, text=wrong_text)  # text no longer the template's
    slots = grade.slots | {"grade": "outstanding"}
    found = _findings(planner, grade, text=wrong_text, slots=slots)
    assert any("does not grade" in f for f in found), found


def test_grade_word_added_to_a_finding_is_caught(planner: Planner) -> None:
    sentence = _source_sentence(planner, "p-11", "Practice for disabled children")
    found = _findings(planner, sentence, text="Practice for disabled children is inadequate.")
    assert any("'inadequate'" in f for f in found), found


def test_source_words_that_are_not_in_the_cited_block_are_caught(planner: Planner) -> None:
    sentence = _source_sentence(planner, "p-11", "Practice for disabled children")
    found = _findings(planner, sentence, cites=["p-10"])
    assert any("not in the paragraphs it cites" in f for f in found), found


def test_checker_catches_an_edited_markdown_file(tmp_path: Path) -> None:
    outputs = api.convert(ILACS, ["summary"], TRACE, tmp_path)
    path = next(o.path for o in outputs if o.path and o.path.suffix == ".md")
    assert results_by_name(path)["summary-faithfulness"].status == "pass"  # type: ignore[attr-defined]
    text = path.read_text()
    path.write_text(
        text.replace("Overall effectiveness: good.", "Overall effectiveness: outstanding.")
    )
    assert results_by_name(path)["summary-faithfulness"].status == "fail"  # type: ignore[attr-defined]


def test_checker_without_trace_does_not_claim_faithfulness(tmp_path: Path) -> None:
    [output] = api.convert(ILACS, ["summary"], Options(), tmp_path)
    assert output.path is not None
    assert results_by_name(output.path)["summary-faithfulness"].status == "not-run"  # type: ignore[attr-defined]


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
    for phrase in data.phrases:
        assert claim_words(phrase.source) == claim_words(phrase.plain), phrase
    for split in data.splits:
        assert not claim_words(split.opens), split
    for short, long_form in data.acronyms.items():
        assert short and long_form


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


def test_markdown_parse_round_trips_the_sentences(tmp_path: Path) -> None:
    root = source_root(ILACS)
    markdown = write_markdown(summarize(root), Options()).decode()
    parsed = parse_markdown(markdown, load())
    texts = [text for _, text, _ in parsed.lines]
    assert texts == [s.text for s in Planner(root).plan().sentences()]


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
