"""Structure fixes: every kind applied to the planted tree (valid after, its finding gone,
nothing lost), refused cleanly when it no longer fits, and the command line's patch file
(``--fixes``), for one source and for a batch, refused when the source has changed."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLE
from lxml import etree

from converter import fixes, parse, pipeline, review, tree
from converter.batch.manifest import Manifest
from converter.batch.progress import Progress
from converter.batch.run import run_batch
from converter.options import Options
from converter.words import tree_words

PLANTED = FIXTURES / "xml" / "review-planted.xml"
#: What a person writes for the planted image without a description: a suggested fix never
#: invents one, so the tests give it as the review page's field would.
DESCRIPTION = "The parish hall seen from the green, its doors open."


def planted() -> etree._Element:
    return parse(PLANTED).getroot()


def suggested(root: etree._Element) -> dict[tuple[str, str | None], fixes.Fix]:
    """Each finding's suggested fix, keyed by (rule, element), with its target's lines."""
    found: dict[tuple[str, str | None], fixes.Fix] = {}
    for finding in review.review(root):
        if finding.fix is None:
            continue
        target = root.xpath("//*[@id = $id]", id=finding.fix.target) if finding.fix.target else []
        src = target[0].get("src") if target else None  # type: ignore[union-attr,index]
        detail = dict(finding.fix.detail)
        if finding.fix.kind == "describe-image":
            assert "description" not in detail  # never invented
            detail["description"] = DESCRIPTION
        found[(finding.rule, finding.element)] = fixes.Fix(
            finding.fix.kind, finding.fix.target, detail, src, finding.rule
        )
    return found


def words_of(root: etree._Element) -> Counter[str]:
    return tree_words(root)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- every kind, on the planted tree ------------------------------------------------------

SUGGESTIONS = sorted(suggested(planted()), key=lambda key: (key[0], key[1] or ""))


def test_every_kind_is_suggested_by_some_planted_finding() -> None:
    assert set(fixes.KINDS) == set(review.FIX_KINDS)  # the same names in both layers
    kinds = {fix.kind for fix in suggested(planted()).values()}
    assert kinds == set(fixes.KINDS)


@pytest.mark.parametrize("key", SUGGESTIONS, ids=[f"{r}-{e}" for r, e in SUGGESTIONS])
def test_each_suggested_fix_applies_and_its_finding_goes(key: tuple[str, str | None]) -> None:
    root = planted()
    before = words_of(root)
    fix = suggested(root)[key]
    applied = fixes.apply(root, fix)
    assert applied.summary
    assert tree.schema_errors(root) == []
    remaining = [(f.rule, f.element) for f in review.review(root)]
    assert key not in remaining, remaining
    after = words_of(root)
    # Nothing lost: every word stays in the tree (the page furniture included) but a
    # footnote marker cut from the title, which its note keeps as its label.
    lost = before - after
    if fix.kind == "attach-footnote" and fix.target is None:
        assert set(lost) <= {"board1"} and after["board"] == before["board"] + 1
    else:
        assert not lost, lost
    if fix.kind == "set-grade":
        assert root.find("meta/judgements/judgement").get("grade") == "inadequate"  # type: ignore[union-attr]
        assert root.find(".//section[@id='overall-effectiveness']").get("grade") == "inadequate"  # type: ignore[union-attr]


def test_every_suggested_fix_in_turn_leaves_only_what_no_button_covers() -> None:
    root = planted()
    while True:
        pending = suggested(root)
        if not pending:
            break
        fixes.apply(root, next(iter(pending.values())))
    assert {f.rule for f in review.review(root)} == {
        "two-contents",
        "long-running-head",
        "pending-changes",  # the source's tracked changes: no change to the tree settles it
    }
    assert tree.schema_errors(root) == []


def test_what_each_fix_makes() -> None:
    root = planted()
    for fix in suggested(root).values():
        fixes.apply(root, fix)
    body = root.find("body")
    assert body is not None
    joined = root.find(".//p[@id='para-1']")
    assert joined is not None and joined.find("pagebreak").get("page") == "4"  # type: ignore[union-attr]
    assert root.find(".//p[@id='para-2']") is None and joined.get("src") == "22-28"
    ref = root.find(".//heading[@id='what-needs-to-improve-heading']/noteref")
    assert ref is not None and ref.text == "1"
    note = root.find(f".//note[@id='{ref.get('ref')}']")
    assert note is not None and note.get("label") == "1"
    assert review.reading_text(note).startswith("The board's terms")
    assert (
        root.findtext("meta/title")
        == "Review of the effectiveness of the parish safeguarding board"
    )
    table = body.find(".//table")
    assert table is not None and len(table.findall("row")) == 4
    assert [c.text for c in table.findall("row")[0]] == ["12", "15"]
    heading = root.find(".//section[@id='next-steps']/heading")
    assert heading is not None and heading.text == "Next steps"
    split = root.find(".//p[@id='p-12']")
    assert split is not None and split.get("n") == "12"
    assert review.reading_text(split).startswith("The parish clerk")
    reasons = {(a.text, a.get("reason")) for a in root.iterfind("artifacts/artifact")}
    assert {("5", "page-number"), ("3", "page-number")} <= reasons
    assert "\uf04a" not in tree.text_content(root)
    figure = root.find(".//figure[@id='figure-1']")
    assert figure is not None and [c.tag for c in figure] == ["image", "description", "caption"]
    assert figure.findtext("description") == DESCRIPTION


def test_an_image_is_described_or_marked_decorative_never_both() -> None:
    root = planted()
    applied = fixes.apply(
        root, fixes.Fix("describe-image", "figure-1", {"description": "  A   map.  "})
    )
    assert (
        applied.summary
        == "Gave the image \u201cThe parish hall\u201d the description \u201cA map.\u201d."
    )
    assert root.findtext(".//figure[@id='figure-1']/description") == "A map."
    # Marked decorative after all: its description goes with it, and so does the finding.
    applied = fixes.apply(root, fixes.Fix("describe-image", "figure-1", {"decorative": "true"}))
    figure = root.find(".//figure[@id='figure-1']")
    assert figure is not None and figure.get("decorative") == "true"
    assert figure.find("description") is None and tree.schema_errors(root) == []
    assert "image-without-description" not in {f.rule for f in review.review(root)}
    # A decorative image described: the mark goes.
    fixes.apply(root, fixes.Fix("describe-image", "figure-2", {"description": "A border."}))
    border = root.find(".//figure[@id='figure-2']")
    assert border is not None and border.get("decorative") is None
    assert border.findtext("description") == "A border."
    assert (
        fixes.Fix("describe-image", "figure-2", {"description": "A border."}).describe()
        == "described the image figure-2 as 'A border.'"
    )


def test_a_grade_line_after_its_section_goes_into_it() -> None:
    """Text recovery opens a section of its own at the grade line, beside the section it
    grades: the grade, the line and what followed it go to the section before."""
    root = parse(FIXTURES / "text" / "review-grade-line-after-its-heading.txt").getroot()
    fix = suggested(root)[("heading-grade-line", "grade-4-inadequate-heading")]
    fixes.apply(root, fix)
    section = root.find(".//section[@id='overall-effectiveness']")
    assert section is not None and section.get("grade") == "inadequate"
    assert [b.get("id") for b in section if b.tag == "p"] == [
        "grade-4-inadequate-heading",
        "para-1",
    ]
    assert review.review(root) == []


def test_paragraph_to_heading_at_each_level() -> None:
    """A paragraph inside a section becomes a subsection's heading (level 2), or closes
    its section and opens a sibling (level 1), taking what follows it."""
    for level, parent in (("2", "service-information"), ("1", None)):
        root = planted()
        fix = fixes.Fix("paragraph-to-heading", "para-4", {"level": level})
        fixes.apply(root, fix)
        section = root.find(".//heading[@id='para-4']/..")
        assert section is not None
        holder = section.getparent()
        assert holder is not None
        assert (holder.get("id") if holder.tag == "section" else None) == parent
        assert [b.get("id") for b in section if b.tag == "p"] == ["p-11"]
        assert tree.schema_errors(root) == []
    with pytest.raises(fixes.FixError, match="level 1 to 2"):
        fixes.apply(planted(), fixes.Fix("paragraph-to-heading", "para-4", {"level": "3"}))


def test_a_heading_becomes_a_paragraph_and_back() -> None:
    root = planted()
    original = tree.serialize(root)
    fixes.apply(root, fixes.Fix("heading-to-paragraph", "service-information-heading"))
    assert root.find(".//section[@id='service-information']") is None
    fixes.apply(
        root, fixes.Fix("paragraph-to-heading", "service-information-heading", {"level": "1"})
    )
    assert tree.serialize(root).replace(b'id="service-information-3"', b"") != original  # ids kept
    section = root.find(".//heading[@id='service-information-heading']/..")
    assert section is not None and [b.get("id") for b in section if b.tag == "p"] == [
        "para-4",
        "p-11",
    ]


@pytest.mark.parametrize(
    "fix, message",
    [
        (fixes.Fix("join-next", "no-such-id"), "no element 'no-such-id'"),
        (fixes.Fix("join-next", "para-1", src="1-2"), "now covers source lines 22-24, not 1-2"),
        (fixes.Fix("join-next", "para-18"), "no paragraph after it"),
        (fixes.Fix("join-next", "overall-effectiveness"), "is a section, not a paragraph"),
        (fixes.Fix("mark-furniture", "para-4", {"text": "7"}), "no longer begins or ends with '7'"),
        (fixes.Fix("attach-footnote", "para-4", {"marker": "1"}), "no footnote marker 1"),
        (fixes.Fix("set-grade", "service-information", {"grade": "splendid"}), "not a grade"),
        (fixes.Fix("split-paragraph", "para-4", {"at": "elephants"}), "has no 'elephants'"),
        (fixes.Fix("lines-to-table", "para-8", {"last": "para-15", "columns": "9"}), "1 to 8"),
        (fixes.Fix("lines-to-table", "para-8", {"last": "para-4"}), "not a paragraph after"),
        (fixes.Fix("remove-character", "para-4", {"characters": "\uf04a"}), "no longer holds"),
        (fixes.Fix("heading-to-paragraph", "para-4"), "is a paragraph, not a section"),
        (fixes.Fix("describe-image", "para-4", {"description": "A"}), "not an image"),
        (fixes.Fix("describe-image", "figure-1"), "write what the image shows"),
        (
            fixes.Fix("describe-image", "figure-1", {"description": "A", "decorative": "true"}),
            "a decorative image has no description",
        ),
        (fixes.Fix("describe-image", "figure-1", {"decorative": "yes"}), "'true' or 'false'"),
        (
            fixes.Fix("describe-image", "figure-1", {"description": "word " * 300}),
            "under 1000 characters",
        ),
    ],
)
def test_a_fix_that_does_not_fit_is_refused_and_changes_nothing(
    fix: fixes.Fix, message: str
) -> None:
    root = planted()
    before = tree.serialize(root)
    with pytest.raises(fixes.FixError, match=message.replace("(", r"\(")):
        fixes.apply(root, fix)
    assert tree.serialize(root) == before


def test_a_fix_that_would_leave_the_tree_invalid_is_refused() -> None:
    root = planted()
    # A back-matter section holds only sections: its heading cannot become a paragraph.
    back = etree.SubElement(root, "back")
    root.remove(back)
    root.insert(list(root).index(root.find("body")) + 1, back)  # type: ignore[arg-type]
    section = etree.SubElement(back, "section", id="about", role="about")
    etree.SubElement(section, "heading", id="about-heading").text = "About this report"
    etree.SubElement(section, "p", id="about-1").text = "Text."
    assert tree.schema_errors(root) == []
    with pytest.raises(fixes.FixError, match="back matter"):
        fixes.apply(root, fixes.Fix("heading-to-paragraph", "about"))


def test_unknown_kinds_and_malformed_fixes_are_refused() -> None:
    with pytest.raises(fixes.FixError, match="unknown fix 'explode'"):
        fixes.Fix("explode", "para-1")
    with pytest.raises(fixes.FixError, match="unknown fields: colour"):
        fixes.Fix.from_json({"kind": "join-next", "target": "para-1", "colour": "red"})
    with pytest.raises(fixes.FixError, match="detail is an object"):
        fixes.Fix.from_json({"kind": "join-next", "target": "para-1", "detail": [1]})


# -- patch files --------------------------------------------------------------------------


def make_patch(source: Path, root: etree._Element) -> fixes.Patch:
    return fixes.Patch(source.name, sha256(source), tuple(suggested(root).values()))


def test_a_patch_round_trips_and_applies_in_order() -> None:
    root = planted()
    patch = make_patch(PLANTED, root)
    again = fixes.Patch.from_json(json.loads(patch.dumps()))
    assert again == patch
    applied = fixes.apply_patch(root, again)
    assert len(applied) == len(patch.fixes)


def test_a_patch_for_other_bytes_is_refused_and_changes_nothing() -> None:
    root = planted()
    patch = make_patch(PLANTED, root)
    other = fixes.Patch(patch.source_name, "0" * 64, patch.fixes)
    before = tree.serialize(root)
    with pytest.raises(fixes.FixError, match="another version of review-planted.xml"):
        fixes.apply_patch(root, other)
    assert tree.serialize(root) == before


def test_a_patch_stops_at_the_fix_that_no_longer_fits_and_changes_nothing() -> None:
    root = planted()
    patch = make_patch(PLANTED, root)
    broken = fixes.Patch(
        patch.source_name,
        patch.source_sha256,
        (*patch.fixes[:2], fixes.Fix("join-next", "para-404")),
    )
    before = tree.serialize(root)
    with pytest.raises(fixes.FixError, match="fix 3 of 3: there is no element 'para-404'"):
        fixes.apply_patch(root, broken)
    assert tree.serialize(root) == before


@pytest.mark.parametrize(
    "text, message",
    [
        (b"{not json", "not a JSON patch file"),
        (b'{"fixes": []}', 'no "converter-fixes": 1'),
        (b'{"converter-fixes": 1, "fixes": []}', "names no source"),
        (
            b'{"converter-fixes": 1, "source": {"sha256": "' + b"a" * 64 + b'"}}',
            'no list of "fixes"',
        ),
    ],
)
def test_a_malformed_patch_file_is_one_clear_error(
    tmp_path: Path, text: bytes, message: str
) -> None:
    path = tmp_path / "bad.fixes.json"
    path.write_bytes(text)
    with pytest.raises(fixes.FixError, match=message) as raised:
        fixes.Patch.load(path)
    assert str(raised.value).startswith(str(path))


# -- the command line ---------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "converter", *args], capture_output=True, text=True, timeout=600
    )


@pytest.fixture()
def patch_file(tmp_path: Path) -> Path:
    source = tmp_path / "report.xml"
    source.write_bytes(PLANTED.read_bytes())
    path = tmp_path / "report.fixes.json"
    path.write_bytes(make_patch(source, parse(source).getroot()).dumps())
    return path


def test_cli_applies_a_patch_file_to_every_format(tmp_path: Path, patch_file: Path) -> None:
    source = tmp_path / "report.xml"
    out = tmp_path / "out"
    result = cli(str(source), "--fixes", str(patch_file), "--to", "all", "-o", str(out))
    assert result.returncode == 0, result.stderr
    # The fixed tree has only what no button covers left.
    assert "3 structure warnings" in result.stderr
    fixed = etree.parse(str(out / "report.xml")).getroot()
    assert fixed.find(".//table") is not None and fixed.find(".//noteref") is not None
    assert fixed.find("meta/source").get("sha256") == sha256(source)  # type: ignore[union-attr]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<table" in html and "Next steps</h" in html
    assert {p.suffix for p in out.iterdir()} >= {".pdf", ".docx", ".epub", ".brf", ".pef"}


def test_cli_refuses_a_patch_when_the_source_has_changed(tmp_path: Path, patch_file: Path) -> None:
    source = tmp_path / "report.xml"
    source.write_text(source.read_text().replace("youth club", "youth centre"))
    out = tmp_path / "out"
    result = cli(str(source), "--fixes", str(patch_file), "--to", "xml,pdf", "-o", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("convert: error:")]
    assert len(errors) == 1, result.stderr
    assert str(patch_file) in errors[0] and "the source has changed" in errors[0]
    assert not out.exists() or not list(out.iterdir())  # nothing written


def test_cli_takes_a_corrected_tree_of_the_source(tmp_path: Path) -> None:
    """The canonical XML downloaded from a review (edit the structure), given to --fixes:
    the copy keeps naming the original, and a tree of other bytes is refused."""
    source = tmp_path / "report.txt"
    source.write_bytes(SAMPLE.read_bytes())
    root = parse(source).getroot()
    root.find(".//p[@n='1']").text = "Corrected by hand."  # type: ignore[union-attr]
    corrected = tmp_path / "report.corrected.xml"
    corrected.write_bytes(tree.serialize(root))
    out = tmp_path / "out"
    out.mkdir()
    result = cli(str(source), "--fixes", str(corrected), "--to", "html", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "Corrected by hand." in (out / "report.html").read_text(encoding="utf-8")
    source.write_bytes(SAMPLE.read_bytes() + b"\nA line added later.\n")
    refused = cli(str(source), "--fixes", str(corrected), "--to", "html", "-o", str(out))
    assert refused.returncode == 1 and "another version of the source" in refused.stderr


def test_the_fixes_option_is_documented() -> None:
    help_text = cli("--help").stdout
    assert "--fixes PATH" in help_text and "patch file" in help_text
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "--fixes" in readme and '"converter-fixes": 1' in readme


def test_the_pipeline_holds_a_tree_for_review(tmp_path: Path) -> None:
    held = tmp_path / "held.xml"
    out = tmp_path / "planted.html"
    conversion = pipeline.convert(PLANTED, [("html", out)], hold_for_review=held)
    assert conversion.held and not conversion.outputs and not out.exists()
    assert tree.schema_errors(etree.parse(str(held)).getroot()) == []
    clean = pipeline.convert(SAMPLE, [("xml", tmp_path / "s.xml")], hold_for_review=held)
    assert not clean.held and (tmp_path / "s.xml").exists()  # nothing found: converted


# -- a batch ------------------------------------------------------------------------------


def quiet() -> Progress:
    return Progress(io.StringIO(), tty=False)


def test_a_batch_re_run_applies_each_sources_patch_again(tmp_path: Path) -> None:
    library, patches, out = tmp_path / "library", tmp_path / "fixes", tmp_path / "out"
    (library / "2021").mkdir(parents=True)
    source = library / "2021" / "planted.xml"
    source.write_bytes(PLANTED.read_bytes())
    (library / "sample.txt").write_bytes(SAMPLE.read_bytes())
    (patches / "2021").mkdir(parents=True)
    patch = make_patch(source, parse(source).getroot())
    (patches / "2021" / "planted.fixes.json").write_bytes(patch.dumps())
    options = Options(fixes=patches)
    first = run_batch([library], ["xml"], options, out, progress=quiet())
    assert first.exit_code == 0, [r.error for r in first.records]
    fixed = etree.parse(str(out / "2021" / "planted.xml")).getroot()
    assert fixed.find(".//table") is not None
    entry = Manifest.load(out).entries["2021/planted.xml"]
    assert entry.fixes_sha256 == sha256(patches / "2021" / "planted.fixes.json")
    assert Manifest.load(out).entries["sample.xml"].fixes_sha256 is None
    # Unchanged: skipped.  A changed patch: that source alone is converted again.
    again = run_batch([library], ["xml"], options, out, progress=quiet())
    assert [r.status for r in again.records] == ["skipped", "skipped"]
    shorter = fixes.Patch(patch.source_name, patch.source_sha256, patch.fixes[:1])
    (patches / "2021" / "planted.fixes.json").write_bytes(shorter.dumps())
    third = run_batch([library], ["xml"], options, out, progress=quiet())
    statuses = {r.source: r.status for r in third.records}
    assert statuses == {"2021/planted.xml": "converted", "sample.txt": "skipped"}
    assert etree.parse(str(out / "2021" / "planted.xml")).getroot().find(".//table") is None
    # Without --fixes the fixed outputs are not taken as up to date.
    plain = run_batch([library], ["xml"], Options(), out, progress=quiet())
    assert {r.source: r.status for r in plain.records}["2021/planted.xml"] == "converted"


def test_a_batch_refuses_a_patch_whose_source_changed(tmp_path: Path) -> None:
    library, patches, out = tmp_path / "library", tmp_path / "fixes", tmp_path / "out"
    library.mkdir()
    patches.mkdir()
    source = library / "planted.xml"
    source.write_bytes(PLANTED.read_bytes())
    (patches / "planted.fixes.json").write_bytes(
        make_patch(source, parse(source).getroot()).dumps()
    )
    source.write_text(PLANTED.read_text().replace("youth club", "youth centre"))
    report = run_batch([library], ["xml", "html"], Options(fixes=patches), out, progress=quiet())
    assert report.exit_code == 1
    errors = {r.error for r in report.records}
    assert len(errors) == 1 and "the source has changed since it was reviewed" in str(errors.pop())
    assert not (out / "planted.xml").exists()


def test_a_batch_takes_a_folder_of_patches_not_one_file(tmp_path: Path, patch_file: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (library / "a.txt").write_bytes(SAMPLE.read_bytes())
    result = cli(str(library), "--to", "xml", "--fixes", str(patch_file), "-o", str(tmp_path / "o"))
    assert result.returncode == 2 and "a batch takes a folder of patch files" in result.stderr


def test_applying_a_fix_to_a_copy_leaves_the_original(tmp_path: Path) -> None:
    root = planted()
    work = copy.deepcopy(root)
    fixes.apply(work, next(iter(suggested(work).values())))
    assert tree.serialize(root) == tree.serialize(planted())
