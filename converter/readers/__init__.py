"""Readers: one module per input format, each turning bytes into a canonical tree."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from lxml import etree

from converter import tree
from converter.errors import InputError, UsageError

ReadFunction = Callable[..., etree._Element]


@dataclass(frozen=True)
class Reader:
    name: str
    module: str  # imported on first use, so `convert --to xml` does not import PDF libraries
    extensions: tuple[str, ...]
    description: str

    def function(self) -> ReadFunction:
        return importlib.import_module(self.module).read  # type: ignore[no-any-return]


READERS: dict[str, Reader] = {
    reader.name: reader
    for reader in (
        Reader(
            "txt", "converter.readers.text", (".txt", ".text"), "plain text (pdftotext output too)"
        ),
        Reader("md", "converter.readers.markdown", (".md", ".markdown"), "Markdown (CommonMark)"),
        Reader(
            "xml", "converter.readers.canonical", (".xml",), "canonical XML (for hand correction)"
        ),
        Reader("pdf", "converter.readers.pdf", (".pdf",), "PDF with a text layer"),
    )
}


def reader_for(name: str | None, path: str | None) -> Reader:
    """The reader named, or the one whose extension matches the path (plain text otherwise)."""
    if name is not None:
        if name not in READERS:
            raise UsageError(f"unknown input format {name!r}; choose from {', '.join(READERS)}")
        return READERS[name]
    suffix = PurePath(path or "").suffix.lower()
    for reader in READERS.values():
        if suffix in reader.extensions:
            return reader
    return READERS["txt"]


def read(
    data: bytes, *, name: str, format: str | None = None, max_bytes: int | None = None
) -> etree._Element:
    """Read a source into a schema-valid canonical tree, or raise one InputError."""
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError(
            f"is {len(data) / 1048576:.0f} MB, over the limit of {max_bytes / 1048576:.0f} MB",
            source=name,
        )
    if not data.strip():
        raise InputError("is empty", source=name)
    reader = reader_for(format, name)
    try:
        root = reader.function()(data, name=name)
    except InputError as error:
        error.source = error.source or name
        raise
    except RecursionError:
        raise InputError("is nested too deeply to read", source=name) from None
    source = root.find("meta/source")
    if source is None:
        raise AssertionError(f"reader {reader.name} made no meta/source")
    source.set("name", PurePath(name).name)
    source.set("sha256", hashlib.sha256(data).hexdigest())
    source.set("format", reader.name)
    return tree.validate(root, source=name)
