"""Opening a Word package safely: the zip checked before anything is unpacked, the parts found.

A .docx is a zip of XML parts joined by relationships (Open Packaging Conventions).
python-docx reads the package; before it does, the zip's own directory is checked, so a
zip bomb, a broken or encrypted file, or another kind of Office file is one clear error.
Nothing a relationship points to outside the package (a linked image on the web, an
attached template) is ever opened: python-docx keeps external targets as text.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.part import Part, XmlPart
from docx.package import Package
from lxml import etree

from converter import tree as canonical
from converter.errors import InputError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STRICT_W_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"

#: A compound file (OLE2): legacy .doc, or an encrypted Office document, which Office
#: wraps in one (its streams EncryptionInfo and EncryptedPackage).
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_WORD_STREAM = "WordDocument".encode("utf-16-le")

#: Unpacked, a report is a few megabytes of XML and its pictures; far more is a zip bomb.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_XML_PART_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 10_000

_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "template",
    # Macro-enabled documents and templates: the text is read, the macros never are.
    "application/vnd.ms-word.document.macroEnabled.main+xml": "macro-enabled document",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "macro-enabled template",
}
_OTHER_OFFICE = {
    "xl/workbook.xml": "an Excel workbook",
    "ppt/presentation.xml": "a PowerPoint presentation",
    "content.xml": "an OpenDocument file (convert it with --from odt)",
}


def sniff_compound_file(data: bytes) -> str | None:
    """'encrypted' or 'doc' for an OLE2 compound file, None for anything else."""
    if not data.startswith(CFB_MAGIC):
        return None
    if _ENCRYPTED_STREAM in data:
        return "encrypted"
    if _WORD_STREAM in data:
        return "doc"
    return "other"


def check_zip(data: bytes, *, name: str, what: str = "Word document") -> zipfile.ZipFile:
    """The zip, once its directory shows nothing hostile: not broken, not a bomb, not
    encrypted entries.  Sizes are the directory's; zipfile never reads past them."""
    kind = sniff_compound_file(data)
    if kind == "encrypted":
        raise InputError(
            f"is an encrypted {what}: it needs a password to open; save an unprotected copy",
            source=name,
        )
    if kind == "doc":
        raise InputError(
            "is a Word 97-2003 document (.doc), not .docx: convert it with --from doc",
            source=name,
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise InputError(
            f"is not a {what}, or it is damaged (not a readable zip)", source=name
        ) from None
    if len(entries) > MAX_ENTRIES:
        raise InputError(f"holds {len(entries)} files: too many for a {what}", source=name)
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNPACKED_BYTES:
        raise InputError(
            f"would unpack to {total / 1048576:.0f} MB (a zip bomb?), over the limit of "
            f"{MAX_UNPACKED_BYTES / 1048576:.0f} MB",
            source=name,
        )
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise InputError("is an encrypted zip: save an unprotected copy", source=name)
        if entry.filename.endswith((".xml", ".rels")) and entry.file_size > MAX_XML_PART_BYTES:
            raise InputError(
                f"holds an XML part of {entry.file_size / 1048576:.0f} MB "
                f"({entry.filename}): too large for a {what}",
                source=name,
            )
    return archive


@dataclass
class WordPackage:
    """The parts of a Word document the reader uses, each parsed once."""

    kind: str  # "document", "template", "macro-enabled document" ...
    document: etree._Element  # w:document
    main: Part
    styles: etree._Element | None
    numbering: etree._Element | None
    footnotes: etree._Element | None
    endnotes: etree._Element | None
    settings: etree._Element | None
    core: etree._Element | None  # docProps/core.xml
    app: etree._Element | None  # docProps/app.xml
    parts: dict[str, Part]  # main, footnotes, endnotes: whose relationships r:id names

    def related(self, r_id: str, part: str = "main") -> tuple[str, bytes | str] | None:
        """A relationship of a part: ("part", its bytes) or ("external", its target)."""
        owner = self.parts.get(part, self.main)
        relationship = owner.rels.get(r_id)
        if relationship is None:
            return None
        if relationship.is_external:
            return "external", relationship.target_ref
        return "part", relationship.target_part.blob


def open_package(data: bytes, *, name: str) -> WordPackage:
    """The Word package in ``data``, or one InputError saying what it is instead."""
    archive = check_zip(data, name=name)
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names:
        raise InputError("is a zip but not a Word document (no [Content_Types].xml)", source=name)
    for part_name, what in _OTHER_OFFICE.items():
        if part_name in names and "word/document.xml" not in names:
            raise InputError(f"is {what}, not a Word document", source=name)
    try:
        package = Package.open(io.BytesIO(data))
        main = package.main_document_part
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        NotImplementedError,  # a compression method zipfile lacks (Deflate64)
        RuntimeError,
        EOFError,
        zlib.error,
        etree.XMLSyntaxError,
    ) as error:
        raise InputError(
            f"is a damaged Word document: its package cannot be read ({_reason(error)})",
            source=name,
        ) from None
    kind = _MAIN_TYPES.get(main.content_type)
    if kind is None:
        raise InputError(
            f"is not a Word document (its main part is {main.content_type})", source=name
        )
    document = _xml(main, name=name)
    if document.tag != f"{{{W_NS}}}document":
        if document.tag.startswith(f"{{{STRICT_W_NS}}}"):
            raise InputError(
                "is saved as Strict Open XML, which is not read: save it as an ordinary "
                "Word Document (.docx)",
                source=name,
            )
        raise InputError(f"is not a Word document (its main part is <{document.tag}>)", source=name)

    parts: dict[str, Part] = {"main": main}

    def related(reltype: str, key: str | None = None) -> etree._Element | None:
        for relationship in main.rels.values():
            if relationship.reltype == reltype and not relationship.is_external:
                if key is not None:
                    parts[key] = relationship.target_part
                return _xml(relationship.target_part, name=name)
        return None

    core = app = None
    for relationship in package.rels.values():
        if relationship.is_external:
            continue
        if relationship.reltype == RT.CORE_PROPERTIES:
            core = _xml(relationship.target_part, name=name)
        elif relationship.reltype == RT.EXTENDED_PROPERTIES:
            app = _xml(relationship.target_part, name=name)
    return WordPackage(
        kind=kind,
        document=document,
        main=main,
        styles=related(RT.STYLES),
        numbering=related(RT.NUMBERING),
        footnotes=related(RT.FOOTNOTES, "footnotes"),
        endnotes=related(RT.ENDNOTES, "endnotes"),
        settings=related(RT.SETTINGS),
        core=core,
        app=app,
        parts=parts,
    )


def _xml(part: Part, *, name: str) -> etree._Element:
    """A part's XML: python-docx's own parse where it made one (its parser resolves no
    entities), else the bytes parsed with the hardened parser."""
    if isinstance(part, XmlPart):
        element: etree._Element = part.element
        return element
    try:
        return etree.fromstring(part.blob, canonical.safe_parser())
    except etree.XMLSyntaxError as error:
        raise InputError(
            f"is a damaged Word document: {part.partname} is not well-formed XML ({error.msg})",
            source=name,
        ) from None


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:120]
