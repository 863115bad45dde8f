"""What the job runner says of a job's outputs: a preview needs its PDF written, not checked."""

from __future__ import annotations

from pathlib import Path

from converter.options import Options
from converter.service.config import ServiceConfig
from converter.service.runner import JobRunner, new_job
from converter.service.store import Store


def test_an_output_is_there_once_written_and_its_checks_need_not_be_done(tmp_path: Path) -> None:
    config = ServiceConfig(data_dir=tmp_path / "data")
    store = Store(config.database)
    runner = JobRunner(store, config)  # not started: no worker is needed to say where
    source = tmp_path / "report.txt"
    source.write_text("Report\n\nA line.\n")
    job = new_job("alice", source.name, str(source), "0" * 64, ["pdf", "epub"], Options())
    store.add_job(job)
    work = runner._conversion(job)  # what a worker is given: the paths it writes
    assert work is not None
    [task] = work.arguments
    assert dict(task.outputs) == {fmt: str(p) for fmt, p in runner.output_paths(job).items()}
    job = store.job(job.id) or job
    assert job.status == "running"
    assert runner.written_output(job, "pdf") is None  # not written yet
    pdf = runner.output_paths(job)["pdf"]
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7")  # renamed into place whole, its checks still running
    assert runner.written_output(job, "pdf") == pdf
    assert runner.written_output(job, "epub") is None
    assert runner.written_output(job, "docx") is None  # not asked for
    # Finished: as its record says (a job that reused another's outputs names those).
    job.status = "done"
    job.outputs = [{"format": "pdf", "path": "/elsewhere/report.pdf", "status": "converted"}]
    assert runner.written_output(job, "pdf") == Path("/elsewhere/report.pdf")
    job.outputs[0]["status"] = "failed"
    assert runner.written_output(job, "pdf") is None
