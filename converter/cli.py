"""The `convert` command: a click group whose default command converts."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from converter import options, pipeline, profiles, readers, review, writers
from converter.errors import ConverterError, UsageError
from converter.options import Options
from converter.version import __version__

SUBCOMMANDS = ("serve", "check")


class DefaultGroup(click.Group):
    """Runs the `to` command unless the first argument names a subcommand."""

    default_command = "to"

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Click's own usage errors (a bad value, an unknown option) in our one-line style,
        naming the command a person typed (never the hidden 'convert to')."""
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.UsageError as error:
            command = "convert"
            if error.ctx is not None and error.ctx.info_name not in (None, "to", "main"):
                command = f"convert {error.ctx.info_name}"
            fail(f"{_sentence(error.format_message())}; see {command} --help", 2)
        except click.ClickException as error:
            fail(_sentence(error.format_message()), error.exit_code)
        except click.Abort:
            fail("stopped", 130)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        command = self.get_command(ctx, self.default_command)
        assert command is not None
        command.format_help(ctx, formatter)


class DefaultCommand(click.Command):
    """The converting command: its usage line reads as the program's own."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        program = ctx.find_root().info_name or "convert"
        formatter.write_usage(program, "SOURCE... --to FORMAT[,FORMAT...] [OPTIONS]")


def option_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    """One click option per field of Options that has a flag (converter.options.Setting):
    the CLI states no option of its own, so it can never drift from the options object."""
    types = options.field_types()
    for option, setting in reversed(options.settings()):
        kind = options.value_type(types[option.name])
        text = setting.help
        if setting.choices is not None and setting.choices not in (
            profiles.profile_names,
            profiles.colour_names,
        ):
            text += " One of: " + ", ".join(str(c) for c in setting.choices()) + "."
        flag: dict[str, Any] = {"help": text, "metavar": setting.metavar}
        if kind is bool:
            flag = {"help": text, "is_flag": True}
        elif kind is Path:
            flag["type"] = click.Path(dir_okay=setting.folder, path_type=Path)
        else:
            flag["type"] = kind
        if option.default is not None and kind is not bool:
            flag |= {"default": option.default, "show_default": True}
        command = click.option(setting.flag, *setting.aliases, option.name, **flag)(command)
    return command


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"convert: error: {message}", err=True)
    sys.exit(code)


def _sentence(message: str) -> str:
    """Click's 'Invalid value for ...' as our errors read: lower case, no full stop."""
    message = " ".join(message.split()).rstrip(".")
    return message[:1].lower() + message[1:]


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Accessible copies of a report: large-print PDF, DOCX, EPUB 3, braille, HTML, summaries."""


@main.command(
    "to",
    cls=DefaultCommand,
    help="Convert SOURCE files (or '-' for standard input) to the formats given with --to.\n\n"
    "Subcommands: 'convert check FILE...' reports on accessibility; 'convert serve' "
    "starts the web service.  A source file named like a subcommand is given as ./serve.",
)
@click.argument("sources", nargs=-1, metavar="SOURCE...")
@click.option("--to", "to", metavar="FORMAT[,FORMAT...]", help="Output formats, or 'all'.")
@click.option(
    "-o",
    "--output",
    "output",
    metavar="PATH",
    help="Output file (one source and format) or folder; '-' for standard output. Default: output/",
)
@click.option(
    "--from",
    "source_format",
    metavar="FORMAT",
    help=f"Input format: {', '.join(readers.READERS)}. Default: what the content shows, "
    "else the extension (txt for '-').",
)
@option_flags
@click.option(
    "--include", multiple=True, metavar="GLOB", help="Batch: convert only sources matching GLOB."
)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Batch: skip sources matching GLOB.")
@click.option(
    "--jobs", type=click.IntRange(min=1), help="Batch: worker processes. Default: one per core."
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Batch: a Dask scheduler (tcp://host:port) to run on. Default: $CONVERTER_SCHEDULER.",
)
@click.option("--force", is_flag=True, help="Batch: convert everything, changed or not.")
@click.option("--prune", is_flag=True, help="Batch: remove outputs whose source has gone.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Batch: where to write the JSON report. Default: OUT_DIR/batch-report.json.",
)
@click.option("--list-formats", is_flag=True, help="List the output formats and exit.")
@click.option(
    "--list-profiles", is_flag=True, help="List the print profiles and colour schemes and exit."
)
@click.option("--version", is_flag=True, help="Say which program this is and exit.")
@click.option(
    "-v", "--verbose", is_flag=True, help="More detail, including tracebacks of internal errors."
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Print nothing but errors (not the line per output)."
)
def to_command(
    sources: Sequence[str],
    to: str | None,
    output: str | None,
    source_format: str | None,
    verbose: bool,
    quiet: bool,
    list_formats: bool,
    list_profiles: bool,
    version: bool,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    jobs: int | None,
    scheduler: str | None,
    force: bool,
    prune: bool,
    report_path: Path | None,
    **option_values: Any,
) -> None:
    if version:
        click.echo(f"convert (converter {__version__}, accessible document converter)")
        return
    if list_formats:
        for writer in writers.registry().values():
            click.echo(f"{writer.name:8} .{writer.extension:12} {writer.description}")
        return
    if list_profiles:
        for name, label, size in profiles.describe_profiles():
            click.echo(f"{name:10} {size:4g} pt  {label}")
        click.echo("colour schemes: " + ", ".join(profiles.colour_names()))
        return
    try:
        options = _options(option_values)
        if not sources:
            raise UsageError("no SOURCE given (a file, a folder, or '-' for standard input)")
        if not to:
            raise UsageError(f"--to is required; formats: {', '.join(writers.formats())}, or all")
        formats = writers.parse_format_list(to, easy_read=options.easy_read)
        if source_format is not None:
            readers.reader_for(source_format, None)
    except ConverterError as error:
        fail(str(error), 2)
    batch_only: dict[str, object] = {
        "--include": include,
        "--exclude": exclude,
        "--jobs": jobs,
        "--force": force,
    }
    batch_only |= {"--scheduler": scheduler, "--prune": prune, "--report": report_path}
    if any(source != "-" and Path(source).is_dir() for source in sources):
        if output == "-":
            fail("-o - (standard output) cannot take a batch; give an output folder", 2)
        from converter.batch.cli import run_batch_command

        code = run_batch_command(
            [Path(source) for source in sources],
            formats,
            options,
            Path(output or "output"),
            include=include,
            exclude=exclude,
            jobs=jobs,
            scheduler=scheduler,
            force=force,
            prune=prune,
            report_path=report_path,
            source_format=source_format,
        )
        sys.exit(code)
    given = [name for name, value in batch_only.items() if value]
    if given:
        fail(f"{', '.join(given)}: for a batch only (a folder among the sources)", 2)
    code = run_conversions(
        list(sources), formats, options, output, source_format, verbose, quiet=quiet
    )
    sys.exit(code)


@main.command("check")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.option(
    "--profile",
    metavar="NAME",
    help="The profile the outputs were made with. Default: what each file records "
    "(PDF and DOCX carry their profile and colours), else large-18.",
)
@click.option(
    "--font-size", type=float, metavar="PT", help="The body size the outputs were made with."
)
@click.option(
    "--colours", "--colors", "colours", metavar="SCHEME", help="The colour scheme they use."
)
def check_command(
    files: Sequence[Path],
    as_json: bool,
    profile: str | None,
    font_size: float | None,
    colours: str | None,
) -> None:
    """Check the accessibility of output FILES (PDF, EPUB, DOCX, HTML, BRF, PEF, summary, XML)."""
    from converter import check

    try:
        reports = []
        for path in files:
            options: Options | None = None
            if profile or font_size or colours:
                base = check.options_of(path)
                given = {"profile": profile, "font_size": font_size, "colours": colours}
                changes: dict[str, str | float | None] = {
                    name: value for name, value in given.items() if value
                }
                if profile and not font_size:
                    changes["font_size"] = None  # the profile's own size
                options = base.replace(**changes)
            reports.append(check.check_file(path, options))
    except ConverterError as error:
        fail(str(error), error.exit_code)
    if as_json:
        click.echo(check.reports_json(reports))
    else:
        click.echo("\n\n".join(report.to_text() for report in reports))
    sys.exit(0 if all(report.passed for report in reports) else 1)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--library",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of reports staff can choose from.",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for jobs, uploads and outputs (default .converter-service or $CONVERTER_DATA).",
)
@click.option(
    "--workers", type=int, help="Conversions at once on the local process pool (default 2)."
)
@click.option(
    "--scheduler", help="A Dask scheduler address to run conversions on (or $CONVERTER_SCHEDULER)."
)
@click.option("--max-upload-mb", type=int, help="Largest upload accepted (default 20).")
@click.option(
    "--max-seconds",
    type=float,
    help="Longest a conversion, the reading of an upload or a preview may take (default 300).",
)
@click.option(
    "--max-memory-mb",
    type=int,
    help="Most memory a worker and what it starts may use for one piece of work (default 2048).",
)
@click.option("--max-jobs", type=int, help="Requests in progress at once (default 8).")
@click.option(
    "--allowed-hosts",
    metavar="NAME[,NAME...]",
    help="Host names the service answers to besides localhost (with access tokens only; "
    "'*' for any). Default: $CONVERTER_ALLOWED_HOSTS, else --host and this machine's name.",
)
@click.option(
    "--forwarded-allow-ips",
    metavar="ADDRESS[,ADDRESS...]",
    help="Proxies trusted to pass the client's address and scheme (X-Forwarded-For, "
    "X-Forwarded-Proto). Default: none.",
)
@click.option(
    "--tls-cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Serve HTTPS with this certificate (PEM); with --tls-key.",
)
@click.option(
    "--tls-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The private key (PEM) of --tls-cert.",
)
def serve_command(
    host: str,
    port: int,
    library: Path | None,
    data_dir: Path | None,
    workers: int | None,
    scheduler: str | None,
    max_upload_mb: int | None,
    max_seconds: float | None,
    max_memory_mb: int | None,
    max_jobs: int | None,
    allowed_hosts: str | None,
    forwarded_allow_ips: str | None,
    tls_cert: Path | None,
    tls_key: Path | None,
) -> None:
    """Start the web service (access tokens from $CONVERTER_TOKENS as name:token,...)."""
    try:
        import uvicorn

        from converter.service.app import create_app
    except ImportError as error:  # a core install: the web service is an extra
        fail(
            f"convert serve needs the web service's packages ({error.name} is missing): "
            "pip install 'converter[service]'",
            1,
        )
    from converter.service.config import config_from_environment, hosts_from_text

    try:
        config = config_from_environment(
            host=host,
            port=port,
            library=library,
            data_dir=data_dir,
            workers=workers,
            scheduler=scheduler,
            max_seconds=max_seconds,
            max_memory_mb=max_memory_mb,
            max_active_jobs=max_jobs,
            max_upload_bytes=max_upload_mb * 1048576 if max_upload_mb else None,
            allowed_hosts=hosts_from_text(allowed_hosts) if allowed_hosts else None,
            forwarded_allow_ips=forwarded_allow_ips,
            tls_cert=tls_cert,
            tls_key=tls_key,
        )
    except ConverterError as error:
        fail(str(error), error.exit_code)
    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        log_level="info",
        # Forwarded headers only from the proxies named: a client cannot claim to be one.
        proxy_headers=config.forwarded_allow_ips is not None,
        forwarded_allow_ips=config.forwarded_allow_ips or "",
        ssl_certfile=str(config.tls_cert) if config.tls_cert else None,
        ssl_keyfile=str(config.tls_key) if config.tls_key else None,
        server_header=False,
    )


def _options(values: dict[str, Any]) -> Options:
    return Options(**values)


def run_conversions(
    sources: list[str],
    formats: list[str],
    options: Options,
    output: str | None,
    source_format: str | None,
    verbose: bool,
    *,
    quiet: bool = False,
) -> int:
    """Convert every source; print one line per output written (unless ``quiet``) and one
    per failure; return the exit code."""
    if output == "-" and (len(sources) != 1 or len(formats) != 1):
        fail("-o - (standard output) needs exactly one source and one format", 2)
    many = len(sources) > 1 or len(formats) > 1
    target = Path(output) if output not in (None, "-") else Path("output")
    if (
        output not in (None, "-")
        and not many
        and not target.is_dir()
        and not output.endswith(("/", "\\"))
    ):
        folder, file_target = target.parent, target
    else:
        folder, file_target = target, None
    _refuse_clashing_names(sources, formats, options, folder if file_target is None else None)
    failed = 0
    for source in sources:
        failed += _convert_one(
            source, formats, options, output, folder, file_target, source_format, verbose, quiet
        )
    return 1 if failed else 0


def _convert_one(
    source: str,
    formats: list[str],
    options: Options,
    output: str | None,
    folder: Path,
    file_target: Path | None,
    source_format: str | None,
    verbose: bool,
    quiet: bool = False,
) -> int:
    """Convert one source through the pipeline; the number of its outputs that failed."""
    data: pipeline.Source
    fmt: str | None
    if source == "-":
        data, stem, fmt = sys.stdin.buffer.read(), "stdin", source_format or "txt"
    else:
        data, stem, fmt = Path(source), Path(source).stem, source_format
    targets: list[pipeline.Target]
    if output == "-":
        targets = [(formats[0], None)]
    elif file_target is not None:
        targets = [(formats[0], pipeline.file_name(file_target, writers.get(formats[0]), options))]
    else:
        folder.mkdir(parents=True, exist_ok=True)
        targets = [
            (name, folder / pipeline.output_name(stem, writers.get(name), options))
            for name in formats
        ]
    conversion = pipeline.convert(data, targets, options, source_format=fmt)
    if verbose:
        import traceback

        for error in conversion.exceptions:
            traceback.print_exception(error)
    if conversion.findings and not options.strict:
        # The structure review: one line per source, the list with --verbose.
        click.echo(
            f"convert: warning: {conversion.source}: {review.summary_line(conversion.findings)}",
            err=True,
        )
        if verbose:
            for finding in conversion.findings:
                fix = f" (suggested fix: {finding.fix.kind})" if finding.fix else ""
                click.echo(f"  [{finding.rule}] {finding.line()}{fix}", err=True)
    if conversion.error is not None:  # the source itself: one line, not one per format
        click.echo(f"convert: error: {conversion.error}", err=True)
        if verbose:
            for finding in conversion.findings:
                click.echo(f"  [{finding.rule}] {finding.line()}", err=True)
        return 1
    failed = 0
    for record in conversion.outputs:
        if record.status == "failed":
            click.echo(f"convert: error: {record.error}", err=True)
            failed += 1
            continue
        if record.data is not None:
            sys.stdout.buffer.write(record.data)
            sys.stdout.buffer.flush()
        elif not quiet:
            click.echo(f"wrote {record.path}" + (f": {record.about}" if record.about else ""))
            for path in record.companions:
                click.echo(f"wrote {path}")
        if record.check is not None:
            click.echo(check_text(record.check))
            failed += 0 if record.check.get("passed") is not False else 1
    return failed


def check_text(report: dict[str, object]) -> str:
    """A check report (FileReport.to_json()) as the text `convert check` prints."""
    from converter import check

    return check.FileReport.from_json(report).to_text()


def _refuse_clashing_names(
    sources: list[str], formats: list[str], options: Options, folder: Path | None
) -> None:
    """Two sources that would write the same output name are a usage error naming both."""
    if folder is None:
        return
    seen: dict[str, str] = {}
    for source in sources:
        stem = "stdin" if source == "-" else Path(source).stem
        for name in formats:
            target = pipeline.output_name(stem, writers.get(name), options)
            if target in seen and seen[target] != source:
                fail(f"{seen[target]} and {source} would both write {folder / target}", 2)
            seen[target] = source
