"""The conversion pipeline: each output fails alone, the summary is planned once per source,
one record shape for the API, the CLI, batch and the service, and output names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE

from converter import Options, api, cli, formats, pipeline, writers
from converter.batch.task import Task, convert_task
from converter.transforms import summary as summary_transform

FIXTURE = Path(__file__).parent / "fixtures" / "xml" / "core-minimal.xml"


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "converter", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def expected_names(stem: str) -> dict[str, str]:
    return {fmt: f"{stem}.{writers.get(fmt).extension}" for fmt in writers.parse_format_list("all")}


def test_to_all_with_a_failing_writer_writes_every_other_output(tmp_path: Path) -> None:
    """A real failure of one writer (a broken reference document for the DOCX): every other
    output is written, the exit status is 1, and one line names the format that failed."""
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip at all")
    out = tmp_path / "out"
    result = run(FIXTURE, "--to", "all", "-o", out, "--reference-docx", broken)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("convert: error: "), result.stderr
    assert "docx not written" in lines[0] and "not a Word" in lines[0]
    assert "Traceback" not in result.stderr
    names = expected_names("core-minimal")
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(name for fmt, name in names.items() if fmt != "docx")


def test_an_internal_error_in_one_writer_stops_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that crashes (a bug, like python-docx's 255-character limit did): one line
    naming the format and the error, never a traceback; the other formats are written."""

    def crash(root: object, options: Options) -> bytes:
        raise ValueError("exceeded 255 char limit for property, got:\n\n'a long title'")

    original = writers.get("docx")
    broken = writers.Writer(
        "docx", original.extension, original.media_type, original.description, function=crash
    )
    monkeypatch.setitem(writers.registry(), "docx", broken)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli.main, [str(FIXTURE), "--to", "all", "-o", str(out)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"convert: error: {FIXTURE}: internal error: ValueError: ")
    assert lines[0].endswith("(docx not written)") and "Traceback" not in result.stderr
    names = expected_names("core-minimal")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        name for fmt, name in names.items() if fmt != "docx"
    )
    # The Python API writes the others too, then raises the writer's own error.
    api_out = tmp_path / "api"
    api_out.mkdir()
    with pytest.raises(ValueError, match="255 char"):
        api.convert(FIXTURE, "all", Options(), api_out)
    assert len(list(api_out.iterdir())) == len(writers.parse_format_list("all")) - 1


def test_bad_input_fails_every_output_in_records_never_raising(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    conversion = pipeline.convert(empty, [("xml", tmp_path / "a.xml"), ("html", None)])
    assert conversion.deterministic and conversion.error == f"{empty}: is empty"
    assert [(o.format, o.status, o.error) for o in conversion.outputs] == [
        ("xml", "failed", conversion.error),
        ("html", "failed", conversion.error),
    ]
    assert conversion.sha256 is not None and list(tmp_path.iterdir()) == [empty]


def test_the_summary_is_planned_once_per_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    real_plan = summary_transform.plan

    def counted(root: object, *, sources: bool = False) -> summary_transform.Plan:
        calls.append(root)
        return real_plan(root, sources=sources)  # type: ignore[arg-type]

    monkeypatch.setattr(summary_transform, "plan", counted)
    records = api.convert(FIXTURE, formats(), Options(summary=True, trace=True), tmp_path)
    assert len(calls) == 1
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "core-minimal.summary.trace.json" in names and "core-minimal.summary.pdf" in names
    assert len(records) == len(formats()) + 1  # the trace is a record of its own


def test_one_record_shape_for_api_and_batch(tmp_path: Path) -> None:
    [record] = api.convert(FIXTURE, ["xml"], Options(), tmp_path / "api")
    result = convert_task(Task(str(FIXTURE), (("xml", str(tmp_path / "batch.xml")),), Options()))
    [batch_record] = result.outputs
    assert type(record) is type(batch_record) is pipeline.OutputRecord
    assert (record.status, record.size, record.sha256) == (
        batch_record.status,
        batch_record.size,
        batch_record.sha256,
    )


@pytest.mark.parametrize(
    "given, to, written",
    [
        ("copy", "brf", "copy.brf"),
        ("copy", "summary", "copy.summary.md"),
        ("copy.txt", "brf", "copy.txt"),
        ("copy.brf", "brf", "copy.brf"),
    ],
)
def test_o_file_without_extension_gets_the_formats(
    tmp_path: Path, given: str, to: str, written: str
) -> None:
    result = run(FIXTURE, "--to", to, "-o", given, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [written]


def test_o_with_summary_option_names_the_summary(tmp_path: Path) -> None:
    [record] = api.convert(SAMPLE, ["xml"], Options(summary=True), tmp_path / "copy")
    assert record.path == tmp_path / "copy.summary.xml"


def test_each_output_is_announced_once_written_and_before_its_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, str, bool]] = []

    def check(path: Path, fmt: str, options: Options, source: object) -> dict[str, object]:
        events.append(("checked", fmt, path.is_file()))
        return {"path": str(path), "format": fmt, "passed": True, "results": []}

    monkeypatch.setattr(pipeline, "_check", check)
    targets = [("xml", tmp_path / "a.xml"), ("html", tmp_path / "a.html")]
    conversion = pipeline.convert(
        FIXTURE,
        targets,
        Options(check=True),
        written=lambda fmt, path: events.append(("written", fmt, path.is_file())),
    )
    assert [record.status for record in conversion.outputs] == ["converted", "converted"]
    assert events == [
        ("written", "xml", True),
        ("checked", "xml", True),
        ("written", "html", True),
        ("checked", "html", True),
    ]
