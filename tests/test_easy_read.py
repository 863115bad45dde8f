"""The Easy Read edition: what it says and in what order, every line traceable and no longer
than 15 words, pictures only from the reviewed data and always with alt text, the reading
grade, the honest refusal of a document with nothing to say in Easy Read, and planted
faults that the rules (shared with `convert check`) must each catch."""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, SAMPLE
from lxml import etree
from PIL import Image

from converter import Options, api, symbols
from converter import tree as canonical
from converter.check import check_file
from converter.errors import UsageError
from converter.transforms.easy_read import EasyRead, NothingToSay, easy_read_of
from converter.transforms.easy_read_data import load
from converter.transforms.easy_read_rules import (
    MAX_GRADE,
    MAX_WORDS,
    edition_findings,
    expected_symbol,
    readability,
    sentences_in,
)
from converter.words import words

ILACS = FIXTURES / "xml" / "summary-ilacs.xml"
GENERIC = FIXTURES / "xml" / "summary-generic.xml"
MINUTES = FIXTURES / "text" / "fidelity" / "minutes-numbered-capital-headings.txt"
TIMETABLE = FIXTURES / "text" / "fidelity" / "schedule-codes-then-routes.txt"
EASY = Options(easy_read=True)


def edition(path: Path) -> EasyRead:
    return easy_read_of(api.parse(path).getroot())


@pytest.fixture(scope="module")
def sample() -> EasyRead:
    return edition(SAMPLE)


def findings(made: EasyRead, records: list[dict[str, Any]]) -> list[str]:
    plan = made.plan
    return edition_findings(records, plan.cited, plan.facts, load(), plan.sections())


# --- What it says, in what order -----------------------------------------------------------


def test_the_sample_edition_keeps_every_rule(sample: EasyRead) -> None:
    assert sample.findings() == []
    tree = sample.tree
    assert canonical.schema_errors(tree) == []
    assert tree.get("variant") == "easy-read"
    assert tree.findtext("meta/title", "").startswith("Easy Read: Inspection of Warwickshire")
    source_ids = {e.get("id") for e in sample.source.iter() if e.get("id")}
    lines = list(tree.iter("line"))
    assert len(lines) >= 20
    for line in lines:
        text = " ".join(canonical.text_content(line).split())
        assert len(words(text)) <= MAX_WORDS, text
        assert sentences_in(text) == 1, text
        cites = (line.get("cites") or "").split()
        assert cites and set(cites) <= source_ids, text


def test_outcome_first_then_grades_good_better_next_and_help(sample: EasyRead) -> None:
    body = [h.text for h in sample.tree.iterfind("body/section/heading")]
    assert body == [
        "About this report",
        "What the inspectors found",
        "The grades",
        "What is good",
        "What must get better",
        "What happens next",
        "Hard words",
    ]
    back = [h.text for h in sample.tree.iterfind("back/section/heading")]
    assert back == ["Where to get help", "About the pictures"]
    assert sample.tree.find("body/section[@role='hard-words']") is not None
    assert sample.tree.find("back/section[@role='licence']") is not None


def test_every_grade_in_words_with_its_picture_and_the_word_in_bold(sample: EasyRead) -> None:
    lines = {line.text: line for line in sample.plan.lines()}
    overall = lines["The overall grade is good."]
    assert overall.symbol == "grade-good" and overall.strong == ("good",)
    graded = [line for line in sample.plan.lines() if line.sentence.template == "grade"]
    assert [line.text for line in graded] == [
        "The grade for how leaders run social work for children is good.",
        "The grade for help for children who need to be kept safe is good.",
        "The grade for children in care and care leavers is good.",
    ]
    element = sample.tree.find(".//line[@id='" + overall.id + "']")
    assert element is not None and element.findtext("strong") == "good"
    assert element.find("symbol").get("alt") == "A hand giving a thumbs up"


def test_improvement_items_are_whole_or_counted(sample: EasyRead) -> None:
    lines = sample.plan.lines()
    shown = list(dict.fromkeys(ln.sentence.cites[0] for ln in lines if ln.sentence.kind == "point"))
    every = sample.plan.facts["improvements"]
    assert shown and set(shown) < set(every)
    for ident in shown:
        said = " ".join(
            ln.sentence.source_text for ln in lines if ln.sentence.cites[:1] == (ident,)
        )
        assert words(said) == words(sample.plan.cited[ident])  # whole: not a word cut
    [counted] = [ln for ln in lines if ln.sentence.template == "improvements_more"]
    assert counted.sentence.slots["count"] == str(len(every) - len(shown))
    assert "You can read them in the full report." in [ln.text for ln in lines]


def test_a_long_item_is_said_in_parts_that_go_on_from_each_other() -> None:
    root = api.parse(SAMPLE).getroot()
    from converter.transforms.easy_read import Planner

    planner = Planner(root)
    item = planner.cited["improve-1"]
    lines = planner.item_lines("improve-1", item)
    assert len(lines) > 1 and all(len(words(ln.text)) <= MAX_WORDS for ln in lines)
    assert [ln.continues for ln in lines] == [False] + [True] * (len(lines) - 1)
    assert not any(ln.symbol for ln in lines[1:])  # one picture, beside the item's first line
    assert words(" ".join(ln.sentence.source_text for ln in lines)) == words(item)


def test_hard_words_are_explained_in_the_box_and_bold_where_used() -> None:
    made = edition(ILACS)
    box = next(p for p in made.plan.parts if p.key == "hard-words")
    explained = [ln.text for ln in box.lines]
    assert "Children in care are looked after by the council." in explained
    users = [ln for ln in made.plan.lines() if "children in care" in ln.text.casefold()]
    assert any("children in care" in s.casefold() for ln in users for s in ln.strong)
    assert "Words in bold are explained at the end." in [ln.text for ln in made.plan.lines()]


def test_every_picture_is_the_one_the_reviewed_data_gives(sample: EasyRead) -> None:
    data = load()
    records = sample.plan.records()
    for record in records:
        assert record["symbol"] == expected_symbol(record, data), record["text"]
        if record["symbol"]:
            assert record["alt"] == symbols.get(record["symbol"]).alt
    assert any(not r["symbol"] for r in records)  # no fitting picture: none, never a guess
    assert len({r["symbol"] for r in records if r["symbol"]}) >= 8


def test_the_reading_grade_is_at_most_3_and_counted_as_textstat_counts_it(
    sample: EasyRead,
) -> None:
    import textstat

    texts = [ln.text for ln in sample.plan.lines()]
    figures = readability(texts)
    assert figures.grade_level <= MAX_GRADE
    chooser = random.Random(21)
    for size in (1, 3, 8, len(texts)):
        chosen = chooser.sample(texts, size)
        joined = " ".join(t if t[-1] in ".!?:" else t + "." for t in chosen)
        assert readability(chosen).grade_level == textstat.flesch_kincaid_grade(joined)
        assert readability(chosen).reading_ease == textstat.flesch_reading_ease(joined)


def test_two_runs_give_identical_output() -> None:
    first, second = edition(SAMPLE), edition(SAMPLE)
    assert canonical.serialize(first.tree) == canonical.serialize(second.tree)
    assert first.trace_json() == second.trace_json()


# --- Documents with no grades --------------------------------------------------------------


def test_a_document_with_no_grades_says_what_it_says_and_no_more() -> None:
    """Minutes or a review: no 'gives no grades' line (nobody grades them); what the
    document says, in its own words, each line citing its paragraph."""
    for path in (GENERIC, MINUTES):
        made = edition(path)
        assert made.findings() == []
        texts = [ln.text for ln in made.plan.lines()]
        assert not any("grade" in t for t in texts), texts
        said = next(p for p in made.plan.parts if p.key == "sections")
        assert said.heading == "What the document says" and said.lines
        assert all(ln.sentence.kind == "source" for ln in said.lines)


def test_a_timetable_is_refused_with_one_clear_error(tmp_path: Path) -> None:
    """A document of routes and times has no finding to put in Easy Read: one error naming
    it and saying why, exit 1, and no file written, rather than an empty edition."""
    with pytest.raises(NothingToSay, match="no Easy Read edition: it has no findings"):
        edition(TIMETABLE)
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "converter", str(TIMETABLE), "--to", "pdf,docx,html",
         "--easy-read", "-o", str(out)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("convert: error")]
    assert len(errors) == 1, result.stderr
    assert TIMETABLE.name in errors[0] and "no Easy Read edition" in errors[0]
    assert "Traceback" not in result.stderr
    assert not out.exists() or not list(out.iterdir())


# --- Options -------------------------------------------------------------------------------


def test_easy_read_is_an_edition_of_its_own(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="choose one"):
        Options(summary=True, easy_read=True)
    with pytest.raises(UsageError, match="large print"):
        Options(easy_read=True, profile="clear-14")
    with pytest.raises(UsageError, match="large print"):
        Options(easy_read=True, font_size=14)
    from converter import writers

    names = writers.parse_format_list("all", easy_read=True)
    assert "summary" not in names and {"pdf", "docx", "html", "epub", "xml"} <= set(names)
    assert "summary" in writers.parse_format_list("all")
    with pytest.raises(UsageError, match="plain-language summary itself"):
        writers.parse_format_list("pdf,summary", easy_read=True)
    with pytest.raises(UsageError, match="unknown format 'rtf'"):
        writers.parse_format_list("pdf,rtf", easy_read=True)


def test_the_command_line_writes_easy_read_names(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "converter", str(ILACS), "--to", "xml,brf", "--easy-read",
         "--trace", "-o", str(tmp_path)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "summary-ilacs.easy-read.brf",
        "summary-ilacs.easy-read.trace.json",
        "summary-ilacs.easy-read.xml",
    ]
    for bad in (["--summary"], ["--profile", "clear-14"]):
        refused = subprocess.run(
            [sys.executable, "-m", "converter", str(ILACS), "--to", "pdf", "--easy-read", *bad],
            capture_output=True,
            text=True,
        )
        assert refused.returncode == 2 and "Traceback" not in refused.stderr


def test_braille_gives_the_words_without_the_pictures() -> None:
    [output] = api.convert(ILACS, ["brf"], EASY)
    assert output.data is not None
    brf = output.data.decode("ascii")
    assert "thumbs" not in brf.lower()  # no alt text: the words say it all
    [plain] = api.convert(ILACS, ["pef"], EASY.replace(braille_grade=1))
    assert plain.data is not None and b"pef" in plain.data


# --- Planted faults: each caught by the rules ----------------------------------------------


def _line(records: list[dict[str, Any]], contains: str) -> dict[str, Any]:
    return next(r for r in records if contains in r["text"])


def test_the_unchanged_edition_is_clean(sample: EasyRead) -> None:
    assert findings(sample, sample.plan.records()) == []


def test_an_untraceable_line_is_caught(sample: EasyRead) -> None:
    records = sample.plan.records()
    record = _line(records, "wait too long")
    record["cites"] = []
    assert any(f"{record['id']}: cites no source" in f for f in findings(sample, records))
    record["cites"] = ["p-999"]
    assert any("p-999, not in the source" in f for f in findings(sample, records))


def test_a_line_over_15_words_or_of_two_sentences_is_caught(sample: EasyRead) -> None:
    records = sample.plan.records()
    record = _line(records, "The overall grade is good.")
    record["text"] = (
        "The overall grade is good, and the inspectors looked at many cases of all the children."
    )
    found = findings(sample, records)
    assert any(f"{record['id']}: 16 words, over 15" in f for f in found), found
    record["text"] = "The overall grade is good. Good is fine."
    assert any(f"{record['id']}: more than one sentence" in f for f in findings(sample, records))


def test_a_picture_without_alt_text_or_not_from_the_data_is_caught(sample: EasyRead) -> None:
    records = sample.plan.records()
    record = _line(records, "The overall grade is good.")
    record["alt"] = ""
    assert any("has no alt text" in f for f in findings(sample, records))
    record["alt"] = "A picture"
    assert any("not ours" in f for f in findings(sample, records))
    records = sample.plan.records()
    record = _line(records, "The overall grade is good.")
    record["symbol"], record["alt"] = "grade-inadequate", symbols.get("grade-inadequate").alt
    assert any("but the data gives 'grade-good'" in f for f in findings(sample, records))
    record["symbol"] = "unicorn"
    assert any("'unicorn' is not one of ours" in f for f in findings(sample, records))
    records = sample.plan.records()
    bare = next(r for r in records if r["kind"] == "source" and not r["symbol"])
    bare["symbol"], bare["alt"] = "happy", symbols.get("happy").alt
    assert any(
        f"{bare['id']}: picture 'happy', but the data gives" in f for f in findings(sample, records)
    )


def test_a_line_that_says_more_than_its_source_is_caught(sample: EasyRead) -> None:
    records = sample.plan.records()
    record = _line(records, "wait too long")
    record["text"] = record["text"][:-1] + " because of cuts."
    assert any("words not in its source" in f and "cut" in f for f in findings(sample, records))
    records = sample.plan.records()
    record = _line(records, "wait too long")
    record["text"] = record["text"].replace("Some children", "All children")
    assert any("'all' 1 time(s) here, 0 in the source" in f for f in findings(sample, records))


def test_a_wrong_grade_a_missing_grade_and_a_miscount_are_caught(sample: EasyRead) -> None:
    records = sample.plan.records()
    grade = next(r for r in records if r["template"] == "grade")
    grade["slots"] = grade["slots"] | {"grade": "outstanding"}
    grade["text"] = grade["text"].replace("good", "outstanding")
    assert any("does not grade" in f for f in findings(sample, records))
    records = [r for r in sample.plan.records() if r["template"] != "grade"]
    assert any("is not in the summary" in f for f in findings(sample, records))
    records = sample.plan.records()
    counted = next(r for r in records if r["template"] == "improvements_more")
    counted["slots"] = counted["slots"] | {"count": "1"}
    counted["text"] = "The report says 1 more things must get better."
    assert any("counts 1 items left out" in f for f in findings(sample, records))
    records = sample.plan.records()
    point = next(r for r in records if r["kind"] == "point")
    records.remove(point)  # an item shown, but not whole; or left out and not counted
    assert any("items left out" in f for f in findings(sample, records))


def test_an_edition_that_reads_too_hard_is_caught(sample: EasyRead) -> None:
    records = sample.plan.records()
    for record in records:
        if record["kind"] == "meaning-part":
            record["text"] = (
                "Considerable organisational deliberation characterises institutional responsibility."
            )
    found = findings(sample, records)
    assert any(f.startswith("Flesch-Kincaid grade") and f.endswith("> 3") for f in found), found


def test_a_bold_word_not_in_its_line_is_caught(sample: EasyRead) -> None:
    records = sample.plan.records()
    record = _line(records, "The overall grade is good.")
    record["strong"] = ["outstanding"]
    assert any("bold 'outstanding' is not in the line" in f for f in findings(sample, records))


# --- The written edition, checked ----------------------------------------------------------


def _results(path: Path, source: etree._Element | None = None) -> dict[str, Any]:
    return {r.name: r for r in check_file(path, Options(), source=source).results}


def test_checker_catches_planted_faults_in_the_written_tree(tmp_path: Path) -> None:
    outputs = api.convert(ILACS, ["xml"], EASY.replace(trace=True), tmp_path)
    path = next(o.path for o in outputs if o.path and o.path.suffix == ".xml")
    source = api.parse(ILACS).getroot()
    results = _results(path, source)
    for name in ("easy-read-lines", "easy-read-readability", "easy-read-attribution",
                 "easy-read-faithfulness"):  # fmt: skip
        assert results[name].status == "pass", (name, results[name].details)
    tree = etree.parse(str(path))
    lines = list(tree.iter("line"))
    lines[0].attrib.pop("cites")  # untraceable
    lines[1].text = (
        lines[1].text or ""
    ) + " and then many more words that run on and on past the limit"
    lines[1].find("symbol").set("alt", "A picture") if lines[1].find("symbol") is not None else None
    tree.write(str(path))
    results = _results(path, source)
    details = " ".join(results["easy-read-lines"].details)
    assert results["easy-read-lines"].status == "fail"
    assert f"{lines[0].get('id')}: cites no source" in details
    assert "over 15" in details
    assert results["easy-read-faithfulness"].status == "fail"  # the lines no longer match
    for licence in tree.iterfind(".//section[@role='licence']"):
        licence.getparent().remove(licence)
    tree.write(str(path))
    assert _results(path, source)["easy-read-attribution"].status == "fail"


def test_checker_without_trace_does_not_claim_faithfulness(tmp_path: Path) -> None:
    [output] = api.convert(ILACS, ["xml"], EASY, tmp_path)
    assert output.path is not None
    assert _results(output.path)["easy-read-faithfulness"].status == "not-run"


# --- The packaged pictures -----------------------------------------------------------------


def test_every_packaged_picture_is_the_mulberry_file_unchanged_with_alt_text() -> None:
    catalogue = symbols.catalogue()
    assert len(catalogue) >= 30
    for concept, symbol in catalogue.items():
        data = symbols.svg(concept)
        assert hashlib.sha256(data).hexdigest() == symbol.sha256, concept
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", concept)
        assert symbol.alt.strip() and symbol.alt[0].isupper() and not symbol.alt.endswith(".")
        assert not symbol.alt.lower().startswith(("image", "picture", "symbol")), symbol.alt
        # No words on the pictures: no text set in a font.
        assert not re.search(rb"<text|<tspan|font-family|font:", data), concept
        etree.fromstring(data, canonical.safe_parser())  # well-formed
        picture = Image.open(io.BytesIO(symbols.png(concept)))
        assert picture.format == "PNG" and picture.size == (symbols.PNG_PIXELS,) * 2
    assert "Creative Commons Attribution-Share Alike" in symbols.licence_text()


def test_the_package_ships_only_the_pictures_the_data_uses() -> None:
    data = load()
    used = (
        set(data.template_symbols.values())
        | {s for s in data.grade_symbols.values() if s}
        | {cue.concept for cue in data.cues}
    )
    assert used == set(symbols.catalogue())
    folder = Path(symbols.__file__).parent / symbols.FOLDER
    shipped = {p.stem for p in folder.iterdir() if p.suffix in (".svg", ".png")}
    assert shipped == used
    assert sorted(p.suffix for p in folder.iterdir()).count(".svg") == len(used)


def test_every_fixed_line_of_the_data_is_one_short_sentence() -> None:
    data = load()
    from converter.transforms.easy_read_data import EasyReadData

    assert isinstance(data, EasyReadData)
    texts = [data.summary.templates[key] for key in data.template_symbols]
    texts += [m for meanings in data.meanings.values() for m in meanings]
    texts += list(data.hard_words.values())
    for text in texts:
        filled = text.format(**{slot: "X" for slot in re.findall(r"\{(\w+)\}", text)})
        assert len(words(filled)) <= MAX_WORDS, text
        assert sentences_in(filled) == 1, text
    cue_words = [w.casefold() for cue in data.cues for w in cue.words]
    assert len(cue_words) == len(set(cue_words))  # a word gives one picture, never two


def test_the_trace_records_each_line_with_its_picture(sample: EasyRead) -> None:
    trace = json.loads(sample.trace_json())
    assert trace["variant"] == "easy-read"
    assert [line["text"] for line in trace["lines"]] == [ln.text for ln in sample.plan.lines()]
    assert all(c in trace["cited"] for line in trace["lines"] for c in line["cites"])
