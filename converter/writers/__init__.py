"""The writer registry: every output format by name, plus the `converter.writers` entry points.

A writer is a function ``write(tree, options) -> bytes`` in its own module.  Modules are
imported on first use so that a cheap format never pays for an expensive one's imports.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points

from lxml import etree

from converter.errors import UsageError
from converter.options import Options

WriteFunction = Callable[[etree._Element, Options], bytes]


@dataclass(frozen=True)
class Writer:
    name: str
    extension: str  # without the dot; the output is <stem>.<extension>
    media_type: str
    description: str
    module: str = ""  # for built-in writers: imported on first use
    function: WriteFunction | None = None  # for writers registered directly
    summary: bool = False  # renders the report's summary: the pipeline hands it that tree

    def write(self, root: etree._Element, options: Options) -> bytes:
        return self.load()(root, options)

    def load(self) -> WriteFunction:
        if self.function is not None:
            return self.function
        return importlib.import_module(self.module).write  # type: ignore[no-any-return]


_BUILT_IN = (
    Writer("xml", "xml", "application/xml", "canonical XML", "converter.writers.xml"),
    Writer("html", "html", "text/html", "accessible HTML page", "converter.writers.html"),
    Writer("pdf", "pdf", "application/pdf", "large-print PDF (PDF/UA-1)", "converter.writers.pdf"),
    Writer("epub", "epub", "application/epub+zip", "EPUB 3 (accessible)", "converter.writers.epub"),
    Writer(
        "docx",
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "large-print Word document",
        "converter.writers.docx",
    ),
    Writer("brf", "brf", "application/x-brf", "braille, ASCII (BRF)", "converter.writers.brf"),
    Writer("pef", "pef", "application/x-pef+xml", "braille, PEF 1.0", "converter.writers.pef"),
    Writer(
        "summary",
        "summary.md",
        "text/markdown",
        "plain-language summary",
        "converter.writers.summary",
        summary=True,
    ),
)


@functools.cache
def registry() -> dict[str, Writer]:
    """Every writer by name: the built-in ones, then those of installed plug-ins."""
    writers: dict[str, Writer] = {}
    for writer in _BUILT_IN:
        _add(writers, writer)
    for entry_point in entry_points(group="converter.writers"):
        writer = entry_point.load()
        if not isinstance(writer, Writer):
            raise UsageError(f"entry point {entry_point.name!r} is not a converter Writer")
        _add(writers, writer)
    return writers


def _add(writers: dict[str, Writer], writer: Writer) -> None:
    if writer.name in writers or writer.name == "all":
        raise UsageError(f"two writers are registered as {writer.name!r}")
    writers[writer.name] = writer


def formats() -> list[str]:
    """The names of every registered output format."""
    return list(registry())


def get(name: str) -> Writer:
    writers = registry()
    if name not in writers:
        raise UsageError(f"unknown format {name!r}; choose from {', '.join(writers)} or all")
    return writers[name]


def parse_format_list(text: str, *, easy_read: bool = False) -> list[str]:
    """'pdf,epub' -> ['pdf', 'epub']; 'all' -> every format; unknown names are a UsageError.

    With ``easy_read`` (the Easy Read edition instead of the full text) 'all' means every
    format that can render it: not the summary's own format, which names it is an error.
    """
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names:
        raise UsageError(f"no format given; choose from {', '.join(formats())} or all")
    if "all" in names:
        return [n for n in formats() if not (easy_read and get(n).summary)]
    for name in names:
        if get(name).summary and easy_read:
            raise UsageError(
                f"--easy-read: the {name} format is the plain-language summary itself; "
                "ask for html, pdf, docx or epub for the Easy Read edition"
            )
    return list(dict.fromkeys(names))
