"""parse() and convert(): the Python API that the CLI, batch and the web service all call."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from converter import readers, writers
from converter.errors import InputError, OutputError, UsageError
from converter.options import Options

Source = str | bytes | os.PathLike[str]


@dataclass(frozen=True)
class Output:
    """One converted output: written to ``path``, or returned as ``data`` when no path."""

    format: str
    path: Path | None
    data: bytes | None


def load(source: Source) -> tuple[bytes, str]:
    """The bytes of a source and the name to report it by.

    A path-like is a file; bytes are the content; a str is a path when it names an
    existing file and holds no newline, else it is the text itself.
    """
    if isinstance(source, bytes):
        return source, "<bytes>"
    if isinstance(source, str) and ("\n" in source or not os.path.isfile(source)):
        return source.encode("utf-8"), "<text>"
    path = Path(source)
    try:
        if path.is_dir():
            raise InputError("is a folder, not a file", source=str(path))
        return path.read_bytes(), str(path)
    except FileNotFoundError:
        raise InputError("no such file", source=str(path)) from None
    except PermissionError:
        raise InputError("cannot be read (permission denied)", source=str(path)) from None
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror})", source=str(path)) from None


def parse(
    source: Source, *, format: str | None = None, options: Options | None = None
) -> etree._ElementTree:
    """Read a source into its canonical XML tree (a plain lxml ElementTree)."""
    data, name = load(source)
    options = options or Options()
    root = readers.read(data, name=name, format=format, max_bytes=options.max_input_bytes)
    return etree.ElementTree(root)


def output_name(stem: str, writer: writers.Writer, options: Options) -> str:
    """<stem>.<ext>, or <stem>.summary.<ext> for a summary rendered by another writer."""
    if options.summary and not writer.extension.startswith("summary."):
        return f"{stem}.summary.{writer.extension}"
    return f"{stem}.{writer.extension}"


def render(root: etree._Element, format: str, options: Options) -> bytes:
    """One format's bytes for a tree; with options.summary, of the tree's summary."""
    writer = writers.get(format)
    if options.summary and not writer.extension.startswith("summary."):
        from converter.transforms.summary import summarize

        root = summarize(root)
    return writer.write(root, options)


def convert(
    source: Source,
    formats: str | Iterable[str],
    options: Options | None = None,
    out: str | os.PathLike[str] | None = None,
    *,
    source_format: str | None = None,
    stem: str | None = None,
) -> list[Output]:
    """Convert one source to each format.

    ``out`` None returns the bytes; a folder receives ``<stem>.<ext>`` files; a file path
    (one format only) receives that output.  Files are written whole or not at all.
    """
    options = options or Options()
    names = writers.parse_format_list(formats) if isinstance(formats, str) else list(formats)
    for name in names:
        writers.get(name)
    data, source_name = load(source)
    root = readers.read(
        data, name=source_name, format=source_format, max_bytes=options.max_input_bytes
    )
    stem = stem or (Path(source_name).stem if not source_name.startswith("<") else "document")
    target = Path(out) if out is not None else None
    if target is not None and not target.is_dir() and len(names) > 1:
        raise UsageError(f"-o {target} is a file but {len(names)} formats were asked for")
    outputs: list[Output] = []
    for name in names:
        writer = writers.get(name)
        payload = render(root, name, options)
        if target is None:
            outputs.append(Output(name, None, payload))
            continue
        path = target / output_name(stem, writer, options) if target.is_dir() else target
        write_atomically(path, payload)
        outputs.append(Output(name, path, None))
        for extra_name, extra in extras(root, writer, options, stem).items():
            extra_path = path.parent / extra_name
            write_atomically(extra_path, extra)
            outputs.append(Output(name, extra_path, None))
    return outputs


def extras(
    root: etree._Element, writer: writers.Writer, options: Options, stem: str
) -> dict[str, bytes]:
    """Companion files a writer offers beside its output (the summary's trace JSON)."""
    if writer.name == "summary" and options.trace:
        from converter.transforms.summary import trace_json

        return {f"{stem}.summary.trace.json": trace_json(root)}
    return {}


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


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
