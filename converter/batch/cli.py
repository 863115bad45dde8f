"""The command-line face of a batch: run it, print the summary, return the exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from converter.batch.progress import Progress
from converter.batch.run import REPORT_NAME, run_batch
from converter.errors import ConverterError
from converter.options import Options


def run_batch_command(
    roots: list[Path],
    formats: list[str],
    options: Options,
    out_dir: Path,
    *,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    jobs: int | None,
    scheduler: str | None,
    force: bool,
    prune: bool,
    report_path: Path | None,
    source_format: str | None,
) -> int:
    """``convert LIBRARY --to ... -o OUT_DIR``: 0 all converted, 1 something failed, 2 usage,
    130 interrupted (the outputs done so far are kept and a re-run resumes)."""
    progress = Progress()
    try:
        report = run_batch(
            roots,
            formats,
            options,
            out_dir,
            include=include,
            exclude=exclude,
            jobs=jobs,
            scheduler=scheduler or os.environ.get("CONVERTER_SCHEDULER") or None,
            force=force,
            prune=prune,
            report_path=report_path,
            source_format=source_format,
            progress=progress,
        )
    except ConverterError as error:
        click.echo(f"convert: error: {error}", err=True)
        return error.exit_code
    except OSError as error:  # e.g. a Dask scheduler that cannot be reached
        click.echo(f"convert: error: {error}", err=True)
        return 1
    for record in report.records:
        if record.status == "failed" and record.unchanged:
            click.echo(f"failed (unchanged): {record.error}", err=True)
    click.echo(report.summary(), err=True)
    click.echo(f"report: {report_path or out_dir / REPORT_NAME}", err=True)
    if report.interrupted:
        # Everything of ours is written and flushed (outputs, manifest, report).  Leave now:
        # the process pool's helper threads may be stuck on pipes to the workers we ended,
        # and the interpreter would wait on them at exit.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(report.exit_code)
    return report.exit_code
