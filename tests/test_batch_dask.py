"""Batch conversion through a real Dask cluster on loopback: a `dask scheduler` and two
`dask worker --nthreads 1` processes, started and stopped by the test."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from dask_cluster import dask_cluster
from support.synthetic import BROKEN, write_library

from converter.batch.executors import DaskExecutor
from converter.batch.manifest import MANIFEST_NAME
from converter.batch.progress import Progress
from converter.batch.run import REPORT_NAME, run_batch
from converter.options import Options

FORMATS = ["xml"]


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """The address of a scheduler with two single-threaded workers, all on 127.0.0.1."""
    with dask_cluster(tmp_path_factory.mktemp("dask"), workers=2) as running:
        yield running


def outputs(out: Path) -> dict[str, bytes]:
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name not in (MANIFEST_NAME, REPORT_NAME)
    }


def test_dask_cluster_gives_the_same_outputs_as_the_local_pool(
    cluster: tuple[str, list[subprocess.Popen[bytes]]], tmp_path: Path
) -> None:
    address, _ = cluster
    library = tmp_path / "lib"
    good = write_library(library, 30)
    local = run_batch(
        [library],
        FORMATS,
        Options(),
        tmp_path / "local",
        jobs=2,
        progress=Progress(io.StringIO(), tty=False),
    )
    distributed = run_batch(
        [library],
        FORMATS,
        Options(),
        tmp_path / "dask",
        scheduler=address,
        progress=Progress(io.StringIO(), tty=False),
    )
    assert distributed.executor == "DaskExecutor" and distributed.workers == 2
    workers = {
        json.dumps(r["source"])
        for r in json.loads((tmp_path / "dask" / REPORT_NAME).read_text())["outputs"]
    }
    assert len(workers) == len(good) + len(BROKEN)
    assert local.counts()["converted"] == distributed.counts()["converted"] == len(good)
    assert distributed.counts()["failed"] == len(BROKEN)
    assert outputs(tmp_path / "local") == outputs(tmp_path / "dask")
    # The same manifest logic: an unchanged re-run through the cluster converts nothing.
    again = run_batch(
        [library],
        FORMATS,
        Options(),
        tmp_path / "dask",
        scheduler=address,
        progress=Progress(io.StringIO(), tty=False),
    )
    assert again.counts()["converted"] == 0 and again.counts()["skipped"] == len(good)


def test_dask_batch_survives_a_killed_worker(
    cluster: tuple[str, list[subprocess.Popen[bytes]]], tmp_path: Path
) -> None:
    address, processes = cluster
    library = tmp_path / "lib"
    good = write_library(library, 40, broken=False)
    out = tmp_path / "out"
    executor = DaskExecutor(address)
    from converter.batch.task import Task

    tasks = [
        Task(str(path), (("xml", str(out / f"{index}.xml")),), Options(), key=str(index))
        for index, path in enumerate(good)
    ]
    worker_pids = executor.client.run(os.getpid)
    victim = sorted(worker_pids.values())[0]
    results = []
    with executor:
        for result in executor.run(tasks):
            results.append(result)
            if len(results) == 4:
                os.kill(victim, signal.SIGKILL)  # the worker process itself, mid-batch
    assert sorted(int(r.key) for r in results) == list(range(len(good)))
    assert all(not r.failed for r in results), [r.error for r in results if r.failed]
    assert len(list(out.glob("*.xml"))) == len(good)


def test_talking_book_parts_are_narrated_across_the_cluster(
    cluster: tuple[str, list[subprocess.Popen[bytes]]], tmp_path: Path
) -> None:
    """From a task on a Dask worker, the parts of a talking book go to the cluster's
    workers (worker_client: the waiting task leaves its thread, so no deadlock on
    one-thread workers), come back in order, and the batch's DAISY books are the same
    bytes as the local pool's."""
    from distributed import Client

    from converter import parse
    from converter.writers import xhtml
    from converter.writers.audio import narration
    from converter.writers.audio import script as spoken_script

    address, _ = cluster
    fixture = Path(__file__).parent / "fixtures" / "xml" / "epub-pages.xml"
    script = spoken_script.script_of(xhtml.translate_report(parse(fixture).getroot()).html)
    voice = narration.voice_of(Options(), "en")
    jobs = [
        narration.PartJob(
            part.number,
            tuple(u.spoken for u in part.utterances),
            tuple(0.0 for _ in part.utterances),
            tuple(u.pause for u in part.utterances),
            voice,
        )
        for part in script.parts
    ]
    from converter.batch import task

    with Client(address, set_as_default=False, timeout=30) as client:
        # What a batch task on a worker narrates with (the functions pickle by name).
        assert client.submit(task.part_runner, pure=False).result(timeout=60) is (
            task.on_dask_cluster
        )
        parts = client.submit(
            task.on_dask_cluster, narration.narrate_part, jobs, pure=False
        ).result(timeout=300)
        worker_pids = {str(pid) for pid in client.run(os.getpid).values()}
    assert [part.number for part in parts] == [job.number for job in jobs]
    assert {part.worker.split("@")[0] for part in parts} <= worker_pids

    library = tmp_path / "lib"
    write_library(library, 2, broken=False, sections=(1, 2))
    progress = Progress(io.StringIO(), tty=False)
    local = run_batch(
        [library], ["daisy"], Options(), tmp_path / "local", jobs=2, progress=progress
    )
    remote = run_batch(
        [library], ["daisy"], Options(), tmp_path / "dask", scheduler=address, progress=progress
    )
    assert local.counts()["converted"] == remote.counts()["converted"] == 2
    assert outputs(tmp_path / "local") == outputs(tmp_path / "dask")
