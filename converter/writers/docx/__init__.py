"""DOCX writer: a large-print Word document with real styles, list numbering and table headers.

The styles come from a reference document (the packaged styles/reference.docx, or the one
``Options.reference_docx`` names); the print profile sets the sizes, colours, page size and
margins.  python-docx opens and saves the package; the body is written as OOXML directly,
because python-docx has no API for numbering, table headers, captions or bookmarks.
This package: ``__init__`` (write, the reference), ``styles`` (styles, page, header and
footer, settings and properties), ``body`` (paragraphs, lists, tables, links, footnotes),
``contents`` (the contents field), ``package`` (embedded fonts, footnotes and custom
properties added to the saved package, reproducible zip).
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

from converter import images, profiles, resources
from converter import tree as canonical
from converter.errors import InputError
from converter.options import Options
from converter.profiles import print_profile
from converter.writers import edition, facts, xhtml
from converter.writers.docx import contents, package
from converter.writers.docx.body import BodyBuilder, Segment
from converter.writers.docx.styles import (
    StyleSheet,
    set_core_properties,
    set_footer,
    set_page,
    set_settings,
)

Element = etree._Element

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def write(root: Element, options: Options) -> bytes:
    """The report as DOCX bytes: the same tree and options always give the same bytes."""
    canonical.validate(root)
    root = edition.prepare(root)
    profile = print_profile(options)
    document = _open_reference(options)
    styles = StyleSheet(document)
    styles.apply_profile(profile)
    set_page(document, profile)
    set_footer(document, styles)
    set_settings(document, profile, edition.language(root))
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
    if not xhtml.has_source_contents(root):
        _contents_page(builder, root)
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
    extras = package.Extras(
        footnotes=builder.footnotes,
        custom_properties=facts.custom_properties(facts.PrintFacts.of(options)),
    )
    return package.finish(output.getvalue(), extras)


def _contents_page(builder: BodyBuilder, root: Element) -> None:
    """The contents field on a page of its own after the title page."""
    found: list[contents.Entry] = []
    for part in (root.find("body"), root.find("back")):
        if part is not None:
            found.extend(contents.entries(part))
    heading = builder.make_paragraph("toc-heading", [Segment("Contents")])
    field = contents.contents_field(heading, found, builder.styles.ids)
    builder.flush_into_next(field)
    builder.page_break_before = True


def describe(payload: bytes, options: Options) -> str:
    """'Word document, large print 18 pt, Atkinson Hyperlegible embedded, 3 footnotes'."""
    profile = profiles.print_profile(options)
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        names = archive.namelist()
        notes = 0
        if "word/footnotes.xml" in names:
            footnotes = etree.fromstring(
                archive.read("word/footnotes.xml"), canonical.safe_parser()
            )
            notes = sum(1 for note in footnotes if note.get(qn("w:type")) is None)
    fonts = any(name.endswith(".odttf") for name in names)
    parts = [f"Word document (Office Open XML), {profile.label} {profile.font_size:g} pt"]
    if fonts:
        parts.append("Atkinson Hyperlegible embedded")
    if notes > 0:
        parts.append(f"{notes} footnote{'s' if notes != 1 else ''}")
    return ", ".join(parts)


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
