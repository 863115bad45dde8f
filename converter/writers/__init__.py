"""The writer registry: every output format by name, plus the `converter.writers` entry points.

A writer is a function ``write(tree, options) -> bytes`` in its own module, which may also
define ``describe(payload, options) -> str``: one line on what it wrote, for the terminal
("24 pages, PDF/UA-1, large print 18 pt").  Modules are imported on first use so that a
cheap format never pays for an expensive one's imports, and the installed packages' entry
points (importlib.metadata reads every package's metadata) are read only when a name is not
built in or the whole list is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from converter.errors import UsageError
from converter.options import Options

WriteFunction = Callable[[etree._Element, Options], bytes]
DescribeFunction = Callable[[bytes, Options], str]


@dataclass(frozen=True)
class Writer:
    name: str
    extension: str  # without the dot; the output is <stem>.<extension>
    media_type: str
    description: str
    module: str = ""  # for built-in writers: imported on first use
    function: WriteFunction | None = None  # for writers registered directly
    summary: bool = False  # renders the report's summary: the pipeline hands it that tree
    talking: bool = False  # an audio format: slow to make, so left out of "all" unless named
    audio_extension: str = ""  # the extension of its talking variant (--audio), if it has one

    def write(self, root: etree._Element, options: Options) -> bytes:
        return self.load()(root, options)

    def load(self) -> WriteFunction:
        if self.function is not None:
            return self.function
        return importlib.import_module(self.module).write  # type: ignore[no-any-return]

    def describe(self, payload: bytes, options: Options) -> str:
        """One line on an output this writer made (its description when it says no more)."""
        if self.function is not None or not self.module:
            return self.description
        describe: DescribeFunction | None = getattr(
            importlib.import_module(self.module), "describe", None
        )
        return describe(payload, options) if describe is not None else self.description


_BUILT_IN = (
    Writer("xml", "xml", "application/xml", "canonical XML", "converter.writers.xml"),
    Writer("html", "html", "text/html", "accessible HTML page", "converter.writers.html"),
    Writer(
        "pdf", "pdf", "application/pdf", "large-print PDF (PDF/UA-1 or -2)", "converter.writers.pdf"
    ),
    Writer(
        "epub",
        "epub",
        "application/epub+zip",
        "EPUB 3 (accessible; with --audio, narrated: <stem>.audio.epub)",
        "converter.writers.epub",
        audio_extension="audio.epub",
    ),
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
    Writer(
        "daisy",
        "daisy.zip",
        "application/zip",
        "DAISY 2.02 talking book, full text and audio (zipped)",
        "converter.writers.daisy",
        talking=True,
    ),
    Writer(
        "mp3",
        "mp3.zip",
        "application/zip",
        "MP3 per section with chapters and a playlist (zipped)",
        "converter.writers.mp3",
        talking=True,
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


def parse_format_list(text: str, *, easy_read: bool = False) -> list[str]:
    """'pdf,epub' -> ['pdf', 'epub']; 'all' -> every format but the talking ones, which take
    time ('all,daisy' adds one); unknown names are a UsageError.

    With ``easy_read`` (the Easy Read edition instead of the full text) 'all' means every
    format that can render it: not the summary's own format, which named is an error.
    """
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names:
        raise UsageError(f"no format given; choose from {', '.join(formats())} or all")
    chosen: list[str] = []
    for name in names:
        if name == "all":
            chosen += [
                n
                for n, writer in registry().items()
                if not writer.talking and not (easy_read and writer.summary)
            ]
            continue
        if get(name).summary and easy_read:
            raise UsageError(
                f"--easy-read: the {name} format is the plain-language summary itself; "
                "ask for html, pdf, docx or epub for the Easy Read edition"
            )
        chosen.append(name)
    return list(dict.fromkeys(chosen))
