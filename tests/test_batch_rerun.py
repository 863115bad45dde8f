"""Re-runs of a batch: a source's stat is trusted only when nothing in it changed and its last
change was well before it was read; otherwise its content is hashed.  Every way a user can
change a file while keeping its size (and even its modification time) is converted again;
an unchanged re-run hashes nothing and writes no manifest."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import time
from pathlib import Path

import pytest
from support.synthetic import write_library

from converter.batch import manifest as manifest_module
from converter.batch import run as run_module
from converter.batch.executors import InProcessExecutor
from converter.batch.manifest import MANIFEST_NAME, Entry, Manifest, source_unchanged_by_stat
from converter.batch.progress import Progress
from converter.batch.run import REPORT_NAME, BatchReport, run_batch
from converter.options import Options

FORMATS = ["xml", "html"]


def batch(library: Path, out: Path) -> BatchReport:
    return run_batch(
        [library],
        FORMATS,
        Options(),
        out,
        progress=Progress(io.StringIO(), tty=False),
        executor=InProcessExecutor(),  # in this process: the planner's hashing is counted
    )


def converted(report: BatchReport) -> list[str]:
    return sorted({record.source for record in report.records if record.status == "converted"})


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The sources the planner hashes, in order."""
    seen: list[Path] = []
    real = run_module.file_sha256

    def counting(path: Path) -> str:
        seen.append(Path(path))
        return real(path)

    monkeypatch.setattr(run_module, "file_sha256", counting)
    return seen


@pytest.fixture(autouse=True)
def no_racy_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test cannot set a file's change time back (the kernel sets it to now on every
    change, os.utime included), so the files here were all changed moments ago: the tests
    trust a stat whose change came before the read at all (the margin, RACY_NS, is 0) and
    set the margin themselves where it is what they test."""
    monkeypatch.setattr(manifest_module, "RACY_NS", 0)


@pytest.fixture
def library(tmp_path: Path) -> tuple[Path, list[Path]]:
    folder = tmp_path / "lib"
    return folder, write_library(folder, 4, broken=False, sections=(1, 2))


def age(paths: list[Path], seconds: float = 60) -> None:
    """Set the files' times back, as if they had been written a while before the batch."""
    then = time.time_ns() - int(seconds * 1e9)
    for path in paths:
        os.utime(path, ns=(then, then))
    time.sleep(0.05)  # their change times (now) come before any read that follows


def same_size_edit(path: Path) -> None:
    """Change one letter: the same size, other content."""
    data = bytearray(path.read_bytes())
    index = data.index(b"e")
    data[index : index + 1] = b"E"
    path.write_bytes(bytes(data))


def test_an_unchanged_rerun_hashes_nothing_and_writes_no_manifest(
    library: tuple[Path, list[Path]], tmp_path: Path, hashes: list[Path]
) -> None:
    folder, good = library
    age(good)
    out = tmp_path / "out"
    assert len(converted(batch(folder, out))) == len(good)
    written = (out / MANIFEST_NAME).stat()
    again = batch(folder, out)
    assert converted(again) == [] and again.counts()["skipped"] == len(good) * len(FORMATS)
    assert hashes == []
    after = (out / MANIFEST_NAME).stat()
    assert (after.st_ino, after.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert not (out / ".converter-manifest.journal").exists()
    report = json.loads((out / REPORT_NAME).read_text())  # the report is still written
    assert report["counts"]["skipped"] == len(good) * len(FORMATS)


def test_a_same_size_edit_with_the_modification_time_put_back_is_converted(
    library: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    """touch -r, cp -p, rsync -t, an editor that keeps times: the change time still moves."""
    folder, good = library
    age(good)
    out = tmp_path / "out"
    batch(folder, out)
    victim = good[1]
    before = victim.stat()
    same_size_edit(victim)
    os.utime(victim, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = victim.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert converted(batch(folder, out)) == [victim.relative_to(folder).as_posix()]
    assert b"E" in (out / victim.relative_to(folder).with_suffix(".xml")).read_bytes()


def test_a_file_replaced_by_another_with_the_same_size_and_times_is_converted(
    library: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    """A new file renamed over the old one (how editors and sync tools save), times copied."""
    folder, good = library
    age(good)
    out = tmp_path / "out"
    batch(folder, out)
    victim = good[2]
    before = victim.stat()
    replacement = victim.with_name("replacement.tmp")
    replacement.write_bytes(victim.read_bytes().replace(b"e", b"E", 1))
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    replacement.replace(victim)
    assert converted(batch(folder, out)) == [victim.relative_to(folder).as_posix()]


def test_a_source_changed_just_before_it_was_read_is_hashed_next_time(
    library: tuple[Path, list[Path]],
    tmp_path: Path,
    hashes: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Changed moments before the batch read it: a change in the same tick of the file
    system's clock could leave every time as it was, so its stat is not trusted yet."""
    folder, good = library
    monkeypatch.setattr(manifest_module, "RACY_NS", 3600 * 10**9)  # "moments": an hour
    out = tmp_path / "out"
    batch(folder, out)
    for entry in Manifest.load(out).entries.values():
        assert not source_unchanged_by_stat(entry, (folder / entry.source).stat())
    # A change in the same tick: the same size and times (as the file system would keep
    # them), other content.  Only the hash can tell.
    victim = good[0]
    before = victim.stat()
    same_size_edit(victim)
    os.utime(victim, ns=(before.st_atime_ns, before.st_mtime_ns))
    again = batch(folder, out)
    assert converted(again) == [victim.relative_to(folder).as_posix()]
    assert sorted(hashes) == sorted(good)  # each hashed once, not once per format
    # The others, found the same, are recorded with their stat afresh: once their last
    # change is old enough (here: at once), the stat alone is trusted.
    monkeypatch.setattr(manifest_module, "RACY_NS", 0)
    hashes.clear()
    assert converted(batch(folder, out)) == [] and hashes == []


def test_an_old_enough_change_is_trusted_by_its_stat(
    library: tuple[Path, list[Path]], tmp_path: Path, hashes: list[Path]
) -> None:
    folder, good = library
    age(good)
    out = tmp_path / "out"
    batch(folder, out)
    for entry in Manifest.load(out).entries.values():
        assert source_unchanged_by_stat(entry, (folder / entry.source).stat())
    assert converted(batch(folder, out)) == [] and hashes == []


def test_a_touched_but_unchanged_source_is_hashed_once_then_trusted(
    library: tuple[Path, list[Path]], tmp_path: Path, hashes: list[Path]
) -> None:
    folder, good = library
    age(good)
    out = tmp_path / "out"
    batch(folder, out)
    age(good[:1], seconds=30)  # touched (times changed), content the same
    assert converted(batch(folder, out)) == []
    assert hashes == [good[0]]
    hashes.clear()
    assert converted(batch(folder, out)) == [] and hashes == []


def test_a_manifest_written_before_stats_were_kept_is_hashed_once_then_trusted(
    library: tuple[Path, list[Path]], tmp_path: Path, hashes: list[Path]
) -> None:
    folder, good = library
    age(good)
    out = tmp_path / "out"
    batch(folder, out)
    data = json.loads((out / MANIFEST_NAME).read_text())
    for entry in data["outputs"].values():  # as an earlier version wrote it
        for name in ("source_ctime_ns", "source_inode", "source_read_ns"):
            del entry[name]
    (out / MANIFEST_NAME).write_text(json.dumps(data))
    assert converted(batch(folder, out)) == []
    assert sorted(hashes) == sorted(good)
    hashes.clear()
    assert converted(batch(folder, out)) == [] and hashes == []


def test_a_size_change_is_a_change_without_hashing(
    library: tuple[Path, list[Path]], tmp_path: Path, hashes: list[Path]
) -> None:
    folder, good = library
    age(good)
    out = tmp_path / "out"
    batch(folder, out)
    good[3].write_bytes(good[3].read_bytes() + b"\nOne more invented paragraph.\n")
    assert converted(batch(folder, out)) == [good[3].relative_to(folder).as_posix()]
    assert hashes == []


def test_the_trust_rule(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("text")
    stat = source.stat()
    read = max(stat.st_mtime_ns, stat.st_ctime_ns) + manifest_module.RACY_NS + 1
    entry = Entry(
        "a.txt",
        "xml",
        "converted",
        "0" * 64,
        stat.st_size,
        stat.st_mtime_ns,
        "options",
        "version",
        source_ctime_ns=stat.st_ctime_ns,
        source_inode=stat.st_ino,
        source_read_ns=read,
    )
    assert source_unchanged_by_stat(entry, stat)
    racy = dataclasses.replace(entry, source_read_ns=read - 2)  # changed within RACY_NS of it
    assert not source_unchanged_by_stat(racy, stat)
    for change in (
        {"source_size": stat.st_size + 1},
        {"source_mtime_ns": stat.st_mtime_ns - 1},
        {"source_ctime_ns": stat.st_ctime_ns - 1},
        {"source_inode": stat.st_ino + 1},
        {"source_inode": None},
    ):
        assert not source_unchanged_by_stat(dataclasses.replace(entry, **change), stat), change


def test_the_manifest_and_report_are_json_that_round_trips(
    library: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    folder, _ = library
    out = tmp_path / "out"
    report = batch(folder, out)
    loaded = Manifest.load(out)
    data = json.loads((out / MANIFEST_NAME).read_text())
    assert data["manifest-version"] == manifest_module.FORMAT_VERSION
    assert {name: Entry(**fields) for name, fields in data["outputs"].items()} == loaded.entries
    assert json.loads((out / REPORT_NAME).read_text()) == json.loads(json.dumps(report.to_json()))
