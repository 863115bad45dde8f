"""The one conversion pipeline: read a source once, make its summary at most once, write each
output on its own (atomically, a failure stopping no other), check it, and return one record
per output.  The Python API, the CLI, batch and the web service all convert through here.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar, cast

from lxml import etree

from converter import fixes, readers, review, tree, writers
from converter.errors import ConverterError, InputError, OutputError, UsageError
from converter.options import Options

# The checks, the summary and the Easy Read edition are imported where they are used: a
# conversion that does none of them (most of them) does not pay for their imports.
if TYPE_CHECKING:
    from converter.transforms import easy_read as easy_read_transform
    from converter.transforms import summary as summary_transform

Source = str | bytes | os.PathLike[str]
Status = Literal["converted", "failed"]
#: One requested output: its format, and the file to write (None: return the bytes).
Target = tuple[str, Path | None]
#: Told of each output file once it is written, before it is checked: (format, path).
Written = Callable[[str, Path], None]


@dataclass
class OutputRecord:
    """One output of one source: the shape the CLI's messages, the batch report and manifest,
    and the web service all read."""

    format: str
    path: Path | None  # the file written (None when the bytes were asked for)
    status: Status
    seconds: float = 0.0
    size: int | None = None
    sha256: str | None = None
    error: str | None = None  # one line, naming the source and the format
    check: dict[str, object] | None = None  # check.FileReport.to_json(), when asked to check
    data: bytes | None = None  # the bytes, when no path was given
    companions: tuple[Path, ...] = ()  # files written beside it (the summary's trace)
    about: str = ""  # what was written, for a person: "24 pages, PDF/UA-1, large print 18 pt"


@dataclass
class Conversion:
    """Everything that came of one source: its facts and one record per requested output."""

    source: str  # the name it is reported by (its path, '<bytes>' or '<text>')
    sha256: str | None = None  # of the bytes read (None when they could not be read)
    size: int | None = None
    mtime_ns: int | None = None  # a file's modification time
    ctime_ns: int | None = None  # its change time (any change to it, times included)
    inode: int | None = None
    read_ns: int | None = None  # when it was read (wall clock, just before its stat)
    outputs: list[OutputRecord] = field(default_factory=list)
    error: str | None = None  # the source itself failed, and every output with it
    deterministic: bool = False  # that failure is the input's own: same bytes, same error
    seconds: float = 0.0
    #: What the structure review found probably wrong in the tree (all outputs share it).
    findings: list[review.Finding] = field(default_factory=list)
    #: The reviewed fixes applied to the tree (a patch file or corrected tree), if any.
    fixes: Path | None = None
    #: Nothing was written: the review found something and the tree awaits a person.
    held: bool = False
    # The exceptions behind the failures, for the Python API to raise and --verbose to show.
    # Kept in this process only: a batch sends the records, not these, between processes.
    exceptions: list[BaseException] = field(default_factory=list, repr=False, compare=False)

    @property
    def failed(self) -> bool:
        return any(output.status == "failed" for output in self.outputs)


# -- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    data: bytes
    name: str
    size: int
    mtime_ns: int | None = None
    ctime_ns: int | None = None
    inode: int | None = None
    read_ns: int | None = None


def load(source: Source, max_bytes: int | None = None) -> Loaded:
    """The bytes of a source and the name to report it by.

    A path-like is a file; bytes are the content; a str is a path when it names an existing
    file and holds no newline, else it is the text itself.  A file over ``max_bytes`` is
    refused before it is read into memory.
    """
    if isinstance(source, bytes):
        return Loaded(source, "<bytes>", len(source))
    if isinstance(source, str) and ("\n" in source or not os.path.isfile(source)):
        data = source.encode("utf-8")
        return Loaded(data, "<text>", len(data))
    path = Path(source)
    try:
        if path.is_dir():
            raise InputError("is a folder, not a file", source=str(path))
        read_ns = time.time_ns()
        stat = path.stat()
        if max_bytes is not None and stat.st_size > max_bytes:
            raise InputError(
                f"is {stat.st_size / 1048576:.0f} MB, over the limit of {max_bytes / 1048576:.0f} MB",
                source=str(path),
            )
        data = path.read_bytes()
        return Loaded(
            data, str(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, read_ns
        )
    except FileNotFoundError:
        raise InputError("no such file", source=str(path)) from None
    except PermissionError:
        raise InputError("cannot be read (permission denied)", source=str(path)) from None
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror})", source=str(path)) from None


def read(
    source: Source, *, format: str | None = None, options: Options | None = None
) -> etree._Element:
    """A source's canonical tree, or one ConverterError."""
    options = options or Options()
    loaded = load(source, options.max_input_bytes)
    return readers.read(
        loaded.data, name=loaded.name, format=format, max_bytes=options.max_input_bytes
    )


# -- naming the outputs -------------------------------------------------------------------


def output_name(stem: str, writer: writers.Writer, options: Options) -> str:
    """<stem>.<ext>; <stem>.summary.<ext> for a summary rendered by another writer,
    <stem>.easy-read.<ext> for the Easy Read edition, with the talking variant's extension
    (<stem>.audio.epub) with --audio."""
    extension = writer.extension
    if options.audio and writer.audio_extension:
        extension = writer.audio_extension
    if options.easy_read and not writer.summary:
        return f"{stem}.easy-read.{extension}"
    if options.summary and not writer.summary:
        return f"{stem}.summary.{extension}"
    return f"{stem}.{extension}"


def file_name(path: Path, writer: writers.Writer, options: Options) -> Path:
    """A file named by the user for one output, given the format's extension when it has
    none of its own: ``-o copy --to brf`` writes copy.brf."""
    if path.suffix:
        return path  # an extension of the user's own choosing
    return path.with_name(path.name + output_name("", writer, options))  # + ".summary.pdf"


def targets(
    formats: Sequence[str], out: str | os.PathLike[str] | None, stem: str, options: Options
) -> list[Target]:
    """Where each format goes: nowhere (``out`` None: the bytes are returned), into a folder
    as ``<stem>.<ext>``, or, for one format, into the file ``out`` names."""
    if out is None:
        return [(fmt, None) for fmt in formats]
    target = Path(out)
    if target.is_dir():
        return [(fmt, target / output_name(stem, writers.get(fmt), options)) for fmt in formats]
    if len(formats) > 1:
        raise UsageError(f"-o {target} is a file but {len(formats)} formats were asked for")
    return [(fmt, file_name(target, writers.get(fmt), options)) for fmt in formats]


def stem_of(name: str) -> str:
    """The stem outputs are named by: the file's, or 'document' for bytes and text."""
    return Path(name).stem if not name.startswith("<") else "document"


# -- converting ---------------------------------------------------------------------------


def convert(
    source: Source,
    outputs: Iterable[Target],
    options: Options | None = None,
    *,
    source_format: str | None = None,
    hold_for_review: Path | None = None,
    written: Written | None = None,
) -> Conversion:
    """Read ``source`` once and produce every output in ``outputs``.

    Never raises for a bad document or a failing writer: each failure is one record (and
    the source's own failure, every record), so one format never stops another.  With
    ``options.fixes`` the reviewed fixes are applied to the tree first.  With
    ``hold_for_review``, a tree the structure review finds anything in is written there
    (canonical XML) instead of any output, for a person to review (``Conversion.held``).
    ``written`` is told of each output file as soon as it is written, before its checks
    (the service renders a preview's image then); it must not raise.
    """
    options = options or Options()
    outputs = list(outputs)
    for fmt, _ in outputs:
        writers.get(fmt)  # an unknown format is the caller's mistake: raise before any work
    started = time.perf_counter()
    conversion = Conversion(source_name(source))
    try:
        loaded = load(source, options.max_input_bytes)
        conversion.source, conversion.size = loaded.name, loaded.size
        conversion.mtime_ns, conversion.ctime_ns = loaded.mtime_ns, loaded.ctime_ns
        conversion.inode, conversion.read_ns = loaded.inode, loaded.read_ns
        conversion.sha256 = hashlib.sha256(loaded.data).hexdigest()
        root = readers.read(
            loaded.data, name=loaded.name, format=source_format, max_bytes=options.max_input_bytes
        )
        if options.fixes is not None:
            root, conversion.fixes = with_fixes(root, options.fixes, loaded, conversion.sha256)
    except Exception as error:
        if conversion.sha256 is None and isinstance(source, os.PathLike | str):
            conversion.sha256 = _file_sha256(source)  # a refused huge file: still known
        conversion.error = describe(error, conversion.source)
        conversion.deterministic = isinstance(error, InputError)
        conversion.exceptions.append(error)
        conversion.outputs = [
            OutputRecord(fmt, path, "failed", error=conversion.error) for fmt, path in outputs
        ]
        conversion.seconds = time.perf_counter() - started
        return conversion
    conversion.findings = review.review(root)
    if hold_for_review is not None and conversion.findings:
        # Held for a person: the tree they will review is all that is written.
        try:
            write_atomically(hold_for_review, tree.serialize(root))
            conversion.held = True
        except Exception as error:
            conversion.error = describe(error, conversion.source)
            conversion.exceptions.append(error)
            conversion.outputs = [
                OutputRecord(fmt, path, "failed", error=conversion.error) for fmt, path in outputs
            ]
        conversion.seconds = time.perf_counter() - started
        return conversion
    if options.strict and conversion.findings:
        # --strict: a copy whose structure is in doubt is not written at all.
        conversion.error = (
            f"{conversion.source}: {review.summary_line(conversion.findings)} "
            "(--strict: nothing written)"
        )
        conversion.deterministic = True
        conversion.outputs = [
            OutputRecord(fmt, path, "failed", error=conversion.error) for fmt, path in outputs
        ]
        conversion.seconds = time.perf_counter() - started
        return conversion
    trees = _Trees(root, options)
    if options.easy_read:
        from converter.transforms import easy_read as easy_read_transform

        try:
            trees.easy_read()
        except easy_read_transform.NothingToSay as error:
            # The document's own nature, the same for every format: said once.
            conversion.error = describe(error, conversion.source)
            conversion.deterministic = True
            conversion.exceptions.append(error)
            conversion.outputs = [
                OutputRecord(fmt, path, "failed", error=conversion.error) for fmt, path in outputs
            ]
            conversion.seconds = time.perf_counter() - started
            return conversion
        except Exception:
            pass  # an internal failure: each output records it, as for the summary
    for fmt, path in outputs:
        conversion.outputs.append(_produce(trees, fmt, path, options, conversion, written))
    conversion.seconds = time.perf_counter() - started
    return conversion


def with_fixes(
    root: etree._Element, path: Path, loaded: Loaded, sha256: str
) -> tuple[etree._Element, Path | None]:
    """The tree with a source's reviewed fixes applied, and the file they came from: a
    patch file of fixes, a corrected canonical tree of the source, or a folder holding
    ``<stem>.fixes.json`` (None when it holds none for this source).  Fixes made for other
    bytes than these are refused (FixError): the source has changed since its review."""
    if path.is_dir():
        path = path / f"{stem_of(loaded.name)}.fixes.json"
        if not path.is_file():
            return root, None
    if path.suffix.lower() == ".xml":
        try:
            data = path.read_bytes()
        except OSError as error:
            raise fixes.FixError(f"cannot be read ({error.strerror})", source=str(path)) from None
        return fixes.corrected_tree(data, name=str(path), source_sha256=sha256), path
    fixes.apply_patch(root, fixes.Patch.load(path), source=str(path))
    return root, path


_Made = TypeVar("_Made")


class _Trees:
    """The document's tree and, each made at most once and only when some output needs it,
    its summary and its Easy Read edition (one that cannot be made fails each output that
    needs it, with the same error)."""

    def __init__(self, root: etree._Element, options: Options) -> None:
        self.root = root
        self.options = options
        self.traces: set[Path] = set()  # the Easy Read traces written so far
        self._made: dict[str, object] = {}  # by name: what was made, or the error it raised

    def _once(self, name: str, make: Callable[[], _Made]) -> _Made:
        if name not in self._made:
            try:
                self._made[name] = make()
            except Exception as error:
                self._made[name] = error
        made = self._made[name]
        if isinstance(made, Exception):
            raise made
        return cast(_Made, made)

    def summary(self) -> summary_transform.Summary:
        def make() -> summary_transform.Summary:
            from converter.transforms import summary as summary_transform

            planned = summary_transform.summary_of(self.root, sources=self.options.sources_list)
            planned.tree  # noqa: B018 - make (and validate) the tree now, once
            return planned

        return self._once("summary", make)

    def easy_read(self) -> easy_read_transform.EasyRead:
        def make() -> easy_read_transform.EasyRead:
            from converter.transforms import easy_read as easy_read_transform

            made = easy_read_transform.easy_read_of(self.root)
            made.tree  # noqa: B018 - make (and validate) the tree now, once
            return made

        return self._once("easy read", make)

    def for_writer(self, writer: writers.Writer, options: Options) -> etree._Element:
        if options.easy_read:
            if writer.summary:
                raise OutputError(
                    f"the {writer.name} format is the plain-language summary itself: "
                    "it has no Easy Read edition"
                )
            return self.easy_read().tree
        if writer.summary or options.summary:
            return self.summary().tree
        return self.root


def _produce(
    trees: _Trees,
    fmt: str,
    path: Path | None,
    options: Options,
    conversion: Conversion,
    written: Written | None = None,
) -> OutputRecord:
    """Render, write and check one output; any failure becomes this output's record."""
    started = time.perf_counter()
    writer = writers.get(fmt)
    companions: list[Path] = []
    try:
        payload = writer.write(trees.for_writer(writer, options), options)
        if path is not None:
            remove_leftovers(path)
            write_atomically(path, payload)
            if writer.summary and options.trace:
                from converter.transforms import summary as summary_transform

                trace = summary_transform.trace_path(path)
                write_atomically(trace, trees.summary().trace_json())
                companions.append(trace)
            elif options.easy_read and options.trace:
                from converter.transforms.easy_read_tree import trace_path as easy_read_trace_path

                trace = easy_read_trace_path(path)
                if trace not in trees.traces:  # one trace beside all of the edition's formats
                    write_atomically(trace, trees.easy_read().trace_json())
                    trees.traces.add(trace)
                    companions.append(trace)
    except Exception as error:
        conversion.exceptions.append(error)
        return OutputRecord(
            fmt,
            path,
            "failed",
            time.perf_counter() - started,
            error=f"{describe(error, conversion.source)} ({fmt} not written)",
        )
    record = OutputRecord(
        fmt,
        path,
        "converted",
        time.perf_counter() - started,
        size=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(),
        data=payload if path is None else None,
        companions=tuple(companions),
        about=_about(writer, payload, options),
    )
    if written is not None and path is not None:
        written(fmt, path)
    if options.check and path is not None:
        # The tree the output was made from (a summary's, with --summary), except for the
        # summary format itself, whose check compares it with the report it summarises.
        made_from = trees.root if writer.summary else trees.for_writer(writer, options)
        record.check = _check(path, fmt, options, made_from)
    return record


def _about(writer: writers.Writer, payload: bytes, options: Options) -> str:
    """The writer's one line on what it wrote; a failure to say is no failure to write."""
    try:
        return writer.describe(payload, options)
    except Exception:  # a description never fails an output that was written
        return ""


def _check(path: Path, fmt: str, options: Options, source: etree._Element) -> dict[str, object]:
    from converter import check

    try:
        return check.check_file(path, options, fmt=fmt, source=source).to_json()
    except ConverterError as error:  # no checks for this format (a plug-in's) yet
        return {
            "path": str(path),
            "format": fmt,
            "passed": None,
            "error": str(error),
            "results": [],
        }


# -- writing ------------------------------------------------------------------------------


def write_atomically(path: Path, payload: bytes) -> None:
    """Write a whole file or nothing: a temporary file in the same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        os.fchmod(handle, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"cannot write ({error.strerror})", source=str(path)) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_leftovers(path: Path) -> None:
    """Remove the temporary files a process killed mid-write (SIGKILL, out of memory) left
    for this output: whoever writes it now owns it."""
    prefix = f".{path.name}."  # write_atomically's names: .NAME.RANDOM.part
    for name in _temporary_files(str(path.parent)):
        if name.startswith(prefix) and len(name) >= len(prefix) + 5:
            (path.parent / name).unlink(missing_ok=True)


@functools.lru_cache(maxsize=256)
def _temporary_files(folder: str) -> frozenset[str]:
    """The temporary files in a folder (``.NAME.RANDOM.part``), listed once per process: a
    batch writes thousands of outputs into one folder, and listing it for each output cost
    42 ms an output at 80,000 files.  A file listed and gone since costs nothing; one left
    after the listing, by a process killed while this one went on, is removed by the next
    process to list the folder (a killed pool worker brings a fresh pool, and so a fresh
    listing)."""
    try:
        with os.scandir(folder) as entries:
            return frozenset(
                e.name for e in entries if e.name.startswith(".") and e.name.endswith(".part")
            )
    except OSError:  # no such folder yet, or none we may list: then nothing was left there
        return frozenset()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# -- describing failures ------------------------------------------------------------------


def describe(error: BaseException, source: str | None) -> str:
    """One line: a ConverterError's own message (naming the source), else the type, text and
    place of an internal error."""
    if isinstance(error, ConverterError):
        if source and not error.source:
            error.source = source
        return str(error)
    import traceback  # only when something failed

    where = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
    place = f" at {Path(where[0].filename).name}:{where[0].lineno}" if where else ""
    text = " ".join(str(error).split())
    if len(text) > 200:
        text = text[:199] + "\u2026"
    prefix = f"{source}: " if source else ""
    return f"{prefix}internal error: {type(error).__name__}: {text}{place}"


def source_name(source: Source) -> str:
    """The name ``load`` reports a source by, before it is read."""
    if isinstance(source, bytes):
        return "<bytes>"
    if isinstance(source, str) and ("\n" in source or not os.path.isfile(source)):
        return "<text>"
    return str(source)


def _file_sha256(source: str | os.PathLike[str]) -> str | None:
    try:
        with open(source, "rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None
