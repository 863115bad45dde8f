"""DOCX writer: a large-print Word document with real styles, list numbering and table headers.

The styles come from a reference document (the packaged styles/reference.docx, or the one
``Options.reference_docx`` names); the print profile sets the sizes, colours, page size and
margins.  python-docx opens and saves the package; the body is written as OOXML directly,
because python-docx has no API for numbering, table headers, captions or bookmarks.
This package: ``__init__`` (write, the reference, reproducible zip), ``styles`` (styles,
page, settings and properties), ``body`` (paragraphs, lists, tables, links).
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

from converter import images, resources
from converter import tree as canonical
from converter.errors import InputError
from converter.options import Options
from converter.profiles import print_profile
from converter.writers.docx.body import BodyBuilder
from converter.writers.docx.styles import (
    StyleSheet,
    set_core_properties,
    set_page,
    set_settings,
)

Element = etree._Element

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the zip epoch: every entry gets it, so bytes are stable


def write(root: Element, options: Options) -> bytes:
    """The report as DOCX bytes: the same tree and options always give the same bytes."""
    profile = print_profile(options)
    document = _open_reference(options)
    styles = StyleSheet(document)
    styles.apply_profile(profile)
    set_page(document, profile)
    set_settings(document, profile, canonical.language(root))
    set_core_properties(document, root, profile)
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    builder = BodyBuilder(
        document,
        styles,
        profile,
        images=images.used(root),
        easy_read=root.get("variant") == "easy-read",
    )
    builder.front_page(root)
    builder.blocks(root.find("body"), level=1)  # type: ignore[arg-type]
    back = root.find("back")
    if back is not None:
        builder.blocks(back, level=1)
    builder.finish()
    sect_pr = body.find(qn("w:sectPr"))
    for paragraph in builder.paragraphs:
        if sect_pr is not None:
            sect_pr.addprevious(paragraph)
        else:
            body.append(paragraph)
    output = io.BytesIO()
    document.save(output)
    return reproducible_zip(output.getvalue())


def _open_reference(options: Options) -> DocxDocument:
    if options.reference_docx is None:
        data, name = resources.read_bytes("reference.docx"), "packaged reference.docx"
    else:
        name = str(options.reference_docx)
        try:
            data = options.reference_docx.read_bytes()
        except OSError as error:
            raise InputError(
                f"cannot read the reference document ({error.strerror})", source=name
            ) from None
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError):
        raise InputError("is not a Word (.docx) document", source=name) from None
    if document.part.content_type != MEDIA_TYPE + ".main+xml":
        raise InputError("is not a Word (.docx) document (a template or macro file?)", source=name)
    return document


def reproducible_zip(data: bytes) -> bytes:
    """The same package with fixed entry order, times and attributes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    first = [n for n in ("[Content_Types].xml", "_rels/.rels") if n in names]
    ordered = first + sorted(n for n in names if n not in first)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return output.getvalue()
