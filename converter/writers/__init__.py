"""The writer registry: every output format by name, plus the `converter.writers` entry points.

A writer is a function ``write(tree, options) -> bytes`` in its own module.  Modules are
imported on first use so that a cheap format never pays for an expensive one's imports, and
the installed packages' entry points (importlib.metadata reads every package's metadata) are
read only when a name is not built in or the whole list is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

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


#: The writers known so far: the built-in ones, then, once read, those of installed plug-ins.
_WRITERS: dict[str, Writer] = {writer.name: writer for writer in _BUILT_IN}
_plugins_read = False


def registry() -> dict[str, Writer]:
    """Every writer by name: the built-in ones, then those of installed plug-ins."""
    _read_plugins()
    return _WRITERS


def _read_plugins() -> None:
    """Add the writers of the `converter.writers` entry points, once.  A plug-in that reuses
    a name is refused whenever they are read (a list of formats, `all`, a name not built in);
    a conversion to a built-in format does not read them, and gets the built-in writer."""
    global _plugins_read
    if _plugins_read:
        return
    from importlib.metadata import entry_points

    found: dict[str, Writer] = dict(_WRITERS)
    for entry_point in entry_points(group="converter.writers"):
        writer = entry_point.load()
        if not isinstance(writer, Writer):
            raise UsageError(f"entry point {entry_point.name!r} is not a converter Writer")
        _add(found, writer)
    _WRITERS.update(found)
    _plugins_read = True


def _add(writers: dict[str, Writer], writer: Writer) -> None:
    if writer.name in writers or writer.name == "all":
        raise UsageError(f"two writers are registered as {writer.name!r}")
    writers[writer.name] = writer


def formats() -> list[str]:
    """The names of every registered output format."""
    return list(registry())


def get(name: str) -> Writer:
    if name not in _WRITERS:
        _read_plugins()
    if name not in _WRITERS:
        raise UsageError(f"unknown format {name!r}; choose from {', '.join(_WRITERS)} or all")
    return _WRITERS[name]


def parse_format_list(text: str) -> list[str]:
    """'pdf,epub' -> ['pdf', 'epub']; 'all' -> every format; unknown names are a UsageError."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names:
        raise UsageError(f"no format given; choose from {', '.join(formats())} or all")
    if "all" in names:
        return formats()
    for name in names:
        get(name)
    return list(dict.fromkeys(names))
