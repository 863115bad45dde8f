"""The `convert` command: a click group whose default command converts."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from converter import __version__, api, profiles, readers, writers
from converter.errors import ConverterError, UsageError
from converter.options import Options

SUBCOMMANDS = ("serve", "check")


class DefaultGroup(click.Group):
    """Runs the `to` command unless the first argument names a subcommand."""

    default_command = "to"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        command = self.get_command(ctx, self.default_command)
        assert command is not None
        command.format_help(ctx, formatter)


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"convert: error: {message}", err=True)
    sys.exit(code)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Accessible copies of a report: large-print PDF, DOCX, EPUB 3, braille, HTML, summaries."""


@main.command(
    "to",
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
    help="Input format: txt, md, xml, pdf. Default: from the extension (txt for '-').",
)
@click.option(
    "--profile", default="large-18", show_default=True, help="Print profile (see --list-profiles)."
)
@click.option(
    "--font-size",
    type=float,
    metavar="PT",
    help="Body size in points; overrides the profile. Below 16 is clear print; below 12 is refused.",
)
@click.option(
    "--line-spacing", type=float, metavar="N", help="Line spacing as a multiple of the size."
)
@click.option(
    "--margins", "margin_mm", type=float, metavar="MM", help="Page margins in millimetres."
)
@click.option(
    "--colours",
    "--colors",
    "colours",
    default="black-on-white",
    show_default=True,
    help="Colour scheme: "
    + ", ".join(
        ("black-on-white", "black-on-cream", "black-on-yellow", "yellow-on-black", "white-on-black")
    )
    + ".",
)
@click.option(
    "--paper",
    type=click.Choice(["A4", "A3"], case_sensitive=False),
    default="A4",
    show_default=True,
)
@click.option(
    "--braille-grade",
    type=click.Choice(["1", "2"]),
    default="2",
    show_default=True,
    help="Unified English Braille grade (2 is contracted).",
)
@click.option(
    "--cells",
    "braille_cells",
    type=int,
    default=40,
    show_default=True,
    help="Braille cells per line.",
)
@click.option(
    "--lines",
    "braille_lines",
    type=int,
    default=25,
    show_default=True,
    help="Braille lines per page.",
)
@click.option(
    "--summary", is_flag=True, help="Convert the plain-language summary instead of the full report."
)
@click.option(
    "--trace", is_flag=True, help="With --to summary: also write <stem>.summary.trace.json."
)
@click.option(
    "--reference-docx",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A reference .docx whose styles the DOCX uses.",
)
@click.option(
    "--check", "check", is_flag=True, help="Check each output's accessibility after writing it."
)
@click.option("--list-formats", is_flag=True, help="List the output formats and exit.")
@click.option(
    "--list-profiles", is_flag=True, help="List the print profiles and colour schemes and exit."
)
@click.option("--version", is_flag=True, help="Say which program this is and exit.")
@click.option(
    "-v", "--verbose", is_flag=True, help="More detail, including tracebacks of internal errors."
)
def to_command(
    sources: Sequence[str],
    to: str | None,
    output: str | None,
    source_format: str | None,
    verbose: bool,
    list_formats: bool,
    list_profiles: bool,
    version: bool,
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
        formats = writers.parse_format_list(to)
        if source_format is not None:
            readers.reader_for(source_format, None)
    except ConverterError as error:
        fail(str(error), 2)
    code = run_conversions(list(sources), formats, options, output, source_format, verbose)
    sys.exit(code)


@main.command("check")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.option(
    "--profile",
    default="large-18",
    show_default=True,
    help="The profile the outputs were made with.",
)
@click.option(
    "--font-size", type=float, metavar="PT", help="The body size the outputs were made with."
)
def check_command(
    files: Sequence[Path], as_json: bool, profile: str, font_size: float | None
) -> None:
    """Check the accessibility of output FILES (PDF, EPUB, DOCX, HTML, BRF, PEF, summary, XML)."""
    from converter import check

    try:
        options = Options(profile=profile, font_size=font_size)
        reports = [check.check_file(path, options) for path in files]
    except ConverterError as error:
        fail(str(error), error.exit_code)
    if as_json:
        click.echo(check.reports_json(reports))
    else:
        click.echo("\n\n".join(report.to_text() for report in reports))
    sys.exit(0 if all(report.passed for report in reports) else 1)


def _options(values: dict[str, Any]) -> Options:
    values = dict(values)
    values["braille_grade"] = int(values["braille_grade"])
    values["paper"] = values["paper"].upper()
    return Options(**values)


def run_conversions(
    sources: list[str],
    formats: list[str],
    options: Options,
    output: str | None,
    source_format: str | None,
    verbose: bool,
) -> int:
    """Convert every source; print one line per failure; return the exit code."""
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
        try:
            failed += _convert_one(
                source, formats, options, output, folder, file_target, source_format, verbose
            )
        except ConverterError as error:
            click.echo(f"convert: error: {error}", err=True)
            if isinstance(error, UsageError):
                return 2
            failed += 1
        except Exception as error:  # a bug: still one line, the detail with --verbose
            click.echo(
                f"convert: internal error converting {source}: {type(error).__name__}: {error}",
                err=True,
            )
            if verbose:
                traceback.print_exc()
            failed += 1
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
) -> int:
    data: api.Source
    fmt: str | None
    if source == "-":
        data, stem, fmt = sys.stdin.buffer.read(), "stdin", source_format or "txt"
    else:
        data, stem, fmt = Path(source), Path(source).stem, source_format
    if output == "-":
        [result] = api.convert(data, formats, options, None, source_format=fmt, stem=stem)
        assert result.data is not None
        sys.stdout.buffer.write(result.data)
        sys.stdout.buffer.flush()
        return 0
    if file_target is None:
        folder.mkdir(parents=True, exist_ok=True)
    results = api.convert(
        data, formats, options, file_target or folder, source_format=fmt, stem=stem
    )
    failed = 0
    for result in results:
        if verbose:
            click.echo(f"wrote {result.path}", err=True)
        if options.check and result.path is not None and not result.path.name.endswith(".json"):
            from converter import check

            report = check.check_file(result.path, options)
            click.echo(report.to_text())
            failed += 0 if report.passed else 1
    return failed


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
            target = api.output_name(stem, writers.get(name), options)
            if target in seen and seen[target] != source:
                fail(f"{seen[target]} and {source} would both write {folder / target}", 2)
            seen[target] = source
