"""Readers: one module per input format, each turning bytes into a canonical tree."""

from __future__ import annotations

import hashlib
import importlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from lxml import etree

from converter import images, tree
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
        Reader(
            "docx",
            "converter.readers.docx",
            (".docx", ".docm", ".dotx", ".dotm"),
            "Word document (.docx)",
        ),
        Reader(
            "odt", "converter.readers.office", (".odt", ".ott"), "OpenDocument text (LibreOffice)"
        ),
        Reader("rtf", "converter.readers.office", (".rtf",), "Rich Text Format (LibreOffice)"),
        Reader("doc", "converter.readers.office", (".doc", ".dot"), "Word 97-2003 (LibreOffice)"),
        Reader("html", "converter.readers.html", (".html", ".htm", ".xhtml"), "a web page (HTML)"),
    )
}

#: The start of an HTML page (after a byte order mark, white space, an XML declaration and
#: comments): its doctype or html element.
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]",
    re.IGNORECASE | re.DOTALL,
)
_CANONICAL_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<report[\s>]", re.DOTALL
)
_ODF_TEXT = b"mimetypeapplication/vnd.oasis.opendocument.text"
_WORD_MAIN = re.compile(
    rb"wordprocessingml\.(?:document|template)\.main|ms-word\.(?:document|template)\.macroEnabled"
)
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def detect(data: bytes) -> str | None:
    """The input format the bytes themselves show, or None when they show none (plain
    text, Markdown).  Looks at the first bytes and a zip's directory, never further."""
    head = data[:4096]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if _ODF_TEXT in head[:100]:
            return "odt"  # ODF stores its mimetype first and uncompressed, for exactly this
        return "docx" if _zip_holds_word(data) else None
    if head.startswith(_CFB):
        # An encrypted .docx travels in the same container as a .doc: the DOCX reader
        # says it is encrypted.
        return "docx" if "EncryptedPackage".encode("utf-16-le") in data else "doc"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return "rtf"
    if _HTML_START.match(head):
        return "html"
    if _CANONICAL_START.match(head):
        return "xml"
    return None


def _zip_holds_word(data: bytes) -> bool:
    import zipfile  # only for a zip: a text source never pays for it

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "word/document.xml" in names:
            return True
        info = archive.getinfo("[Content_Types].xml")
        if info.file_size > 1024 * 1024:
            return False
        return bool(_WORD_MAIN.search(archive.read(info)))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, RuntimeError):
        return False


def reader_for(name: str | None, path: str | None, data: bytes | None = None) -> Reader:
    """The reader named, else the one the content shows, else the one whose extension
    matches the path (plain text otherwise)."""
    if name is not None:
        if name not in READERS:
            raise UsageError(f"unknown input format {name!r}; choose from {', '.join(READERS)}")
        return READERS[name]
    detected = detect(data) if data is not None else None
    if detected is not None:
        return READERS[detected]
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
    reader = reader_for(format, name, data)
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
    tree.validate(root, source=name)
    images.check_references(root)
    return root
