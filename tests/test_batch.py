"""Batch conversion of an invented library: discovery, manifest, re-runs, pruning, failure
isolation, path safety, worker crashes and interruption."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner
from support.synthetic import BROKEN, write_library

from converter import check, cli, writers
from converter.batch.discover import discover, output_path
from converter.batch.executors import PoolExecutor
from converter.batch.manifest import MANIFEST_NAME, Manifest, file_sha256
from converter.batch.progress import Progress
from converter.batch.run import REPORT_NAME, run_batch
from converter.batch.task import Task
from converter.errors import UsageError
from converter.options import Options

FORMATS = ["xml"]  # the formats on main; more are added here as their writers land
PYTHON = Path(sys.executable)


def quiet() -> Progress:
    return Progress(io.StringIO(), tty=False)


def batch(library: Path, out: Path, **kwargs: object) -> object:
    return run_batch(
        [library], FORMATS, kwargs.pop("options", Options()), out, progress=quiet(), **kwargs
    )  # type: ignore[arg-type]


def outputs(out: Path) -> dict[str, bytes]:
    """Every output file under a folder (not the manifest or report), by relative path."""
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name not in (MANIFEST_NAME, REPORT_NAME)
    }


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("library")
    good = write_library(folder, 52)
    return folder, good


def test_library_converted_checked_and_rerun_skips(
    library: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    folder, good = library
    out = tmp_path / "out"
    report = batch(folder, out, jobs=2, options=Options(check=True))
    by_source = {record.source: record for record in report.records}  # type: ignore[attr-defined]
    assert report.executor == "PoolExecutor" and report.workers == 2  # type: ignore[attr-defined]
    for path in good:
        record = by_source[path.relative_to(folder).as_posix()]
        assert record.status == "converted", record
        assert record.size == len((out / record.output).read_bytes())
        assert record.check["passed"] is True, record.check  # converter.check ran on it
    for name in BROKEN:
        record = by_source[name]
        assert record.status == "failed"
        assert record.error and name.split("/")[1] in record.error  # the error names the file
    assert report.exit_code == 1  # type: ignore[attr-defined]
    # The outputs mirror the library's tree and are valid (the real checker, once more).
    for path in good:
        relative = path.relative_to(folder).with_suffix(".xml")
        assert check.check_file(out / relative).passed
    data = json.loads((out / REPORT_NAME).read_text())
    assert len(data["outputs"]) == len(good) + len(BROKEN)
    assert data["counts"]["converted"] == len(good) and data["counts"]["failed"] == len(BROKEN)
    assert {"source", "format", "output", "status", "seconds", "size", "error", "check"} <= set(
        data["outputs"][0]
    )
    assert not list(out.rglob("*.part"))
    before = outputs(out)

    again = batch(folder, out, jobs=2)
    counts = again.counts()  # type: ignore[attr-defined]
    assert counts["converted"] == 0 and counts["skipped"] == len(good)
    # Bad input is not retried while it is unchanged, and still reported as failed.
    assert counts["failed"] == len(BROKEN)
    assert all(r.unchanged for r in again.records if r.status == "failed")  # type: ignore[attr-defined]
    assert outputs(out) == before

    changed = good[7]
    changed.write_text(changed.read_text() + "\nA new closing paragraph about invented plans.\n")
    third = batch(folder, out, jobs=2)
    converted = [r for r in third.records if r.status == "converted"]  # type: ignore[attr-defined]
    assert [r.source for r in converted] == [changed.relative_to(folder).as_posix()]
    assert third.counts()["skipped"] == len(good) - 1  # type: ignore[attr-defined]
    assert b"invented plans" in (out / converted[0].output).read_bytes()

    # An output changed by hand is made again; --force makes everything again.
    victim = out / good[3].relative_to(folder).with_suffix(".xml")
    victim.write_bytes(b"edited")
    fourth = batch(folder, out)
    assert [r.output for r in fourth.records if r.status == "converted"] == [  # type: ignore[attr-defined]
        victim.relative_to(out).as_posix()
    ]
    forced = batch(folder, out, force=True, jobs=2)
    assert forced.counts()["converted"] == len(good)  # type: ignore[attr-defined]
    assert forced.counts()["failed"] == len(BROKEN)  # type: ignore[attr-defined]


def test_every_registered_format(tmp_path: Path) -> None:
    """Built against the registry: every writer registered converts in a batch."""
    folder = tmp_path / "lib"
    good = write_library(folder, 5, broken=False, sections=(1, 2))
    out = tmp_path / "out"
    every = writers.formats()
    report = run_batch([folder], every, Options(), out, jobs=2, progress=quiet())
    assert report.counts()["converted"] == len(good) * len(every), [
        r.error for r in report.records if r.status == "failed"
    ]
    for record in report.records:
        assert (out / record.output).stat().st_size == record.size > 0
    again = run_batch([folder], every, Options(), out, jobs=2, progress=quiet())
    assert again.counts()["skipped"] == len(good) * len(every)


def test_manifest_records_hashes_options_and_version(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    [source] = write_library(folder, 1, broken=False)
    out = tmp_path / "out"
    options = Options(profile="large-24")
    report = batch(folder, out, options=options)
    assert report.exit_code == 0 and report.executor == "InProcessExecutor"  # type: ignore[attr-defined]
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    [(name, entry)] = manifest["outputs"].items()
    assert entry["source_sha256"] == file_sha256(source)
    assert entry["output_sha256"] == file_sha256(out / name)
    assert manifest["options"][entry["options"]] == options.fingerprint()
    assert entry["version"] and not (out / ".converter-manifest.journal").exists()
    # Other options make the output again.
    assert batch(folder, out, options=Options()).counts()["converted"] == 1  # type: ignore[attr-defined]


def test_removed_source_reported_then_pruned(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    good = write_library(folder, 6, broken=False)
    out = tmp_path / "out"
    batch(folder, out, jobs=2)
    gone = good[2]
    gone.unlink()
    output = out / gone.relative_to(folder).with_suffix(".xml")
    report = batch(folder, out)
    [orphan] = [r for r in report.records if r.status == "orphaned"]  # type: ignore[attr-defined]
    assert orphan.output == output.relative_to(out).as_posix() and output.exists()
    assert report.exit_code == 0  # type: ignore[attr-defined]
    # An excluded source is still present: its outputs are not orphans.
    excluded = batch(folder, out, exclude=(good[0].name,))
    assert [
        r.status for r in excluded.records if r.source == good[0].relative_to(folder).as_posix()
    ] == []  # type: ignore[attr-defined]
    pruned = batch(folder, out, prune=True)
    assert [r.output for r in pruned.records if r.status == "removed"] == [orphan.output]  # type: ignore[attr-defined]
    assert not output.exists()
    assert orphan.output not in Manifest.load(out).entries
    assert batch(folder, out).counts()["orphaned"] == 0  # type: ignore[attr-defined]


def test_include_exclude_and_output_folder_inside_library(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    write_library(folder, 10, broken=False)
    out = folder / "out"  # inside the library: its .xml outputs must never become sources
    report = batch(folder, out, include=("2019/*",), exclude=("*.xml",))
    sources = {r.source for r in report.records}  # type: ignore[attr-defined]
    assert sources and all(s.startswith("2019/") and s.endswith(".txt") for s in sources)
    assert batch(folder, out).counts()["converted"] == 10 - len(sources)  # type: ignore[attr-defined]
    assert not any(r.source.startswith("out/") for r in batch(folder, out, force=True).records)  # type: ignore[attr-defined]


def test_path_traversal_cannot_write_outside(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    write_library(folder, 3, broken=False)
    secret = tmp_path / "secret.txt"
    secret.write_text("Private words that must not be converted.\n")
    (folder / "link.txt").symlink_to(secret)  # a link out of the library
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    out = tmp_path / "out"
    (out).mkdir()
    (out / "2020").symlink_to(outside, target_is_directory=True)  # OUT_DIR/2020 -> elsewhere
    report = batch(folder, out)
    failed = {r.source: r.error for r in report.records if r.status == "failed"}  # type: ignore[attr-defined]
    assert "link.txt" in failed and "outside" in failed["link.txt"]
    assert any(
        "outside" in (error or "") for source, error in failed.items() if source.startswith("2020/")
    )
    assert list(outside.iterdir()) == []
    assert not (out / "link.xml").exists()
    for name in ("../escape.txt", "/etc/passwd", "a/../../b.txt"):
        with pytest.raises(UsageError):
            output_path(out, PurePosixPath(name))
    sources, refused = discover([folder])
    assert [relative for relative, _ in refused] == ["link.txt"]
    assert all(".." not in s.relative.parts for s in sources)


def test_clashing_output_names_fail_both(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    [xml_source] = write_library(folder, 5, broken=False)[4:]  # a canonical XML document
    twin = xml_source.with_suffix(".txt")
    twin.write_text("A plain text twin of the same name.\n")
    report = batch(folder, tmp_path / "out")
    failed = [r for r in report.records if r.status == "failed"]  # type: ignore[attr-defined]
    assert len(failed) == 2 and all("would both write" in (r.error or "") for r in failed)


def test_cli_batch(library: tuple[Path, list[Path]], tmp_path: Path) -> None:
    folder, good = library
    out = tmp_path / "out"
    report_path = tmp_path / "report.json"
    runner = CliRunner()
    result = runner.invoke(
        cli.main,
        [
            str(folder),
            "--to",
            ",".join(FORMATS),
            "-o",
            str(out),
            "--jobs",
            "2",
            "--report",
            str(report_path),
        ],
    )
    assert result.exit_code == 1, result.output  # the broken documents
    assert f"{len(good)} output(s) converted" in result.output
    assert json.loads(report_path.read_text())["counts"]["converted"] == len(good)
    result = runner.invoke(cli.main, [str(folder), "--to", "xml", "-o", str(out)])
    assert f"{len(good)} unchanged and skipped" in result.output
    result = runner.invoke(cli.main, [str(good[0]), "--to", "xml", "-o", str(out), "--prune"])
    assert result.exit_code == 2 and "for a batch only" in result.output


def test_pool_survives_a_killed_worker(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    good = write_library(folder, 24, broken=False)
    out = tmp_path / "out"
    tasks = [
        Task(str(path), (("xml", str(out / f"{index}.xml")),), Options(), key=str(index))
        for index, path in enumerate(good)
    ]
    executor = PoolExecutor(2)
    results = []
    killed = None
    with executor:
        for result in executor.run(tasks):
            results.append(result)
            if killed is None and len(results) == 3:
                killed = executor.worker_pids()[0]
                os.kill(killed, signal.SIGKILL)
    assert killed is not None and executor.pools_started >= 2  # the pool really broke
    assert sorted(int(r.key) for r in results) == list(range(len(good)))
    assert all(not r.failed for r in results), [r.error for r in results if r.failed]
    assert len(list(out.glob("*.xml"))) == len(good) and not list(out.glob(".*.part"))


@pytest.mark.parametrize("how", ["sigterm", "ctrl-c"])
def test_interrupt_mid_batch_stops_cleanly_and_resumes(how: str, tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    good = write_library(folder, 150, broken=False)
    out = tmp_path / "out"
    command = [
        str(PYTHON),
        "-m",
        "converter",
        str(folder),
        "--to",
        "xml",
        "-o",
        str(out),
        "--jobs",
        "2",
    ]
    # Ctrl-C at a terminal signals the whole process group: the batch and its workers.
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True)
    journal = out / ".converter-manifest.journal"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text().count('"output"') >= 10:
            break
        time.sleep(0.01)
    if how == "sigterm":
        process.send_signal(signal.SIGTERM)
    else:
        os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    assert not list(out.rglob("*.part"))
    manifest = Manifest.load(out)
    done = outputs(out)
    assert 10 <= len(manifest.entries) < len(good), "the batch was not stopped in the middle"
    for name, entry in manifest.entries.items():  # consistent: every entry is its file
        assert file_sha256(out / name) == entry.output_sha256
    for name in done:  # and every file is whole
        assert check.check_file(out / name).passed, name
    resumed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(manifest.entries)} unchanged and skipped" in resumed.stderr
    assert len(Manifest.load(out).entries) == len(good)


def test_structure_warnings_in_the_report_and_kept_for_unchanged_sources(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    planted = Path(__file__).parent / "fixtures" / "xml" / "review-planted.xml"
    (folder / "planted.xml").write_bytes(planted.read_bytes())
    clean = Path(__file__).parent / "fixtures" / "xml" / "core-minimal.xml"
    (folder / "clean.xml").write_bytes(clean.read_bytes())
    out = tmp_path / "out"
    first = run_batch([folder], FORMATS, Options(), out, progress=quiet())
    warned = {r.source: r.warnings for r in first.records if r.status == "converted"}
    assert warned["clean.xml"] is None
    assert warned["planted.xml"] and any("[glued-marker]" in w for w in warned["planted.xml"])
    assert "1 document(s) with structure warnings" in first.summary()
    report = json.loads((out / REPORT_NAME).read_text())
    assert any(o["warnings"] for o in report["outputs"] if o["source"] == "planted.xml")
    again = run_batch([folder], FORMATS, Options(), out, progress=quiet())
    skipped = {r.source: r.warnings for r in again.records}
    assert [r.status for r in again.records] == ["skipped", "skipped"]
    assert skipped["planted.xml"] == warned["planted.xml"]  # an unchanged source keeps them
