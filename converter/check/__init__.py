"""`convert check`: one implementation of "is this output accessible", per output format.

Each format's checks live in their own module with ``check(path, options) -> list[CheckResult]``
(the summary's also takes the source tree it was made from, to check its trace against).
A validator that is not installed gives a "not-run" result, never a pass.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from lxml import etree

from converter.errors import UsageError
from converter.options import Options

Status = Literal["pass", "fail", "not-run"]


@dataclass(frozen=True)
class CheckResult:
    """One named check against one standard."""

    name: str  # e.g. "verapdf-pdf-ua-1"
    standard: str  # what it stands for, e.g. "PDF/UA-1 (ISO 14289-1), veraPDF"
    status: Status
    details: tuple[str, ...] = ()  # findings when failed; the reason when not run
    seconds: float = 0.0

    @staticmethod
    def of(name: str, standard: str, findings: list[str], *, seconds: float = 0.0) -> CheckResult:
        """Pass when there are no findings, else fail listing them."""
        return CheckResult(name, standard, "fail" if findings else "pass", tuple(findings), seconds)


@dataclass
class FileReport:
    path: str
    format: str
    results: list[CheckResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """No check failed (checks not run are reported, and do not count as passes)."""
        return all(result.status != "fail" for result in self.results)

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "format": self.format,
            "passed": self.passed,
            "results": [asdict(result) for result in self.results],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> FileReport:
        """The report ``to_json`` wrote; a file with no checks reads as one not run."""
        results = data.get("results")
        report = cls(str(data["path"]), str(data.get("format", "")))
        for result in results if isinstance(results, list) else []:
            report.results.append(CheckResult(**{**result, "details": tuple(result["details"])}))
        if data.get("error"):
            report.results.append(
                CheckResult("checks", "checks for this format", "not-run", (str(data["error"]),))
            )
        return report

    def to_text(self) -> str:
        lines = [f"{self.path} ({self.format}): {'PASS' if self.passed else 'FAIL'}"]
        for result in self.results:
            lines.append(f"  [{result.status.upper():7}] {result.name}: {result.standard}")
            lines.extend(f"            - {detail}" for detail in result.details[:20])
            if len(result.details) > 20:
                lines.append(f"            ... and {len(result.details) - 20} more")
        not_run = [r.name for r in self.results if r.status == "not-run"]
        if not_run:
            lines.append(f"  not established: {', '.join(not_run)} (validator not available)")
        return "\n".join(lines)


CheckFunction = Callable[[Path, Options], list[CheckResult]]
SourceCheckFunction = Callable[[Path, Options, "etree._Element | None"], list[CheckResult]]

# Output format -> the module holding its `check(path, options)` function.
CHECKERS: dict[str, str] = {
    "xml": "converter.check.xml",
    "epub": "converter.check.epub",
    "pdf": "converter.check.pdf",
    "html": "converter.check.html",
    "docx": "converter.check.docx",
    "brf": "converter.check.braille",
    "pef": "converter.check.braille",
    "summary": "converter.check.summary",
    "daisy": "converter.check.daisy",
    "mp3": "converter.check.mp3",
}
#: Files named <stem>.easy-read.<ext> are Easy Read editions (converter.check.easy_read).
EASY_READ_MARKER = ".easy-read."
# Formats whose checks compare the output with the source tree, when they are given it.
SOURCE_CHECKS = frozenset({"summary", "daisy", "epub"})

# File name endings, longest first, to the format whose checks apply.
_SUFFIXES = (
    (".summary.md", "summary"),
    (".daisy.zip", "daisy"),
    (".mp3.zip", "mp3"),
    (".xml", "xml"),
    (".html", "html"),
    (".htm", "html"),
    (".xhtml", "html"),
    (".pdf", "pdf"),
    (".epub", "epub"),
    (".docx", "docx"),
    (".brf", "brf"),
    (".pef", "pef"),
)


def format_of(path: Path) -> str:
    name = path.name.lower()
    for suffix, fmt in _SUFFIXES:
        if name.endswith(suffix):
            return fmt
    raise UsageError(f"{path}: no checks for this kind of file")


def check_file(
    path: Path,
    options: Options | None = None,
    *,
    fmt: str | None = None,
    source: etree._Element | None = None,
) -> FileReport:
    """Run every check that applies to a file (``source``: the tree it was made from).

    Without ``options``, a file's own print facts (its profile, size and colours, which
    the PDF and DOCX writers record inside it) say what to measure it against.
    """
    fmt = fmt or format_of(path)
    if fmt not in CHECKERS:
        raise UsageError(f"{path}: no checks for format {fmt!r} yet")
    module = importlib.import_module(CHECKERS[fmt])
    options = options or options_of(path)
    if fmt in SOURCE_CHECKS:
        with_source: SourceCheckFunction = module.check
        report = FileReport(str(path), fmt, with_source(path, options, source))
    else:
        function: CheckFunction = module.check
        report = FileReport(str(path), fmt, function(path, options))
    if EASY_READ_MARKER in path.name:
        # An Easy Read edition: its own rules besides those of its format.
        from converter.check import easy_read

        report.results.extend(easy_read.check(path, options, fmt, source))
    return report


def options_of(path: Path) -> Options:
    """The options a file says it was made with (writers.facts), else the defaults."""
    from converter.writers import facts

    found = facts.read(path)
    return found.options() if found is not None else Options()


def reports_json(reports: list[FileReport]) -> str:
    return json.dumps([report.to_json() for report in reports], indent=2)
