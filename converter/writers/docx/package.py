"""The docx writer's package, after python-docx has saved it: parts python-docx has no API
for (embedded fonts, footnotes, custom properties), then a reproducible zip.

Fonts: Atkinson Hyperlegible (SIL Open Font License, which allows embedding) goes into
the package as obfuscated fonts (ECMA-376 Part 1, 17.8.1), so Word and LibreOffice draw
it where it is not installed instead of falling back to Arial or DejaVu Sans.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from converter import resources
from converter import tree as canonical

Element = etree._Element

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
FONT_REL = f"{R_NS}/font"
FOOTNOTES_REL = f"{R_NS}/footnotes"
HYPERLINK_REL = f"{R_NS}/hyperlink"
CUSTOM_REL = f"{R_NS}/custom-properties"
ODTTF = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
FONT_NAME = "Atkinson Hyperlegible"
#: The font files embedded, by the fontTable element that names them.
EMBEDDED = {"embedRegular": "Regular", "embedBold": "Bold"}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the zip epoch: every entry gets it, so bytes are stable


def w(name: str) -> str:
    return f"{{{W_NS}}}{name}"


@dataclass
class Extras:
    """What the writer adds to the saved package."""

    footnotes: list[Element] = field(default_factory=list)  # w:footnote, ids from 1
    custom_properties: bytes | None = None  # docProps/custom.xml
    embed_fonts: bool = True


def finish(data: bytes, extras: Extras) -> bytes:
    """The saved package with the extras added, as a reproducible zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    if extras.embed_fonts:
        _embed_fonts(parts)
    if extras.footnotes:
        _add_footnotes(parts, extras.footnotes)
    if extras.custom_properties is not None:
        _add_custom_properties(parts, extras.custom_properties)
    return reproducible_zip(parts)


def reproducible_zip(parts: dict[str, bytes]) -> bytes:
    """The parts with fixed entry order, times and attributes."""
    names = list(parts)
    first = [n for n in ("[Content_Types].xml", "_rels/.rels") if n in names]
    ordered = first + sorted(n for n in names if n not in first)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, parts[name])
    return output.getvalue()


# -- parts, relationships and content types ---------------------------------------------------


def _xml(data: bytes) -> Element:
    return etree.fromstring(data, canonical.safe_parser())


def _bytes(element: Element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rels_name(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


def _relationships(parts: dict[str, bytes], part: str) -> Element:
    name = _rels_name(part)
    if name in parts:
        return _xml(parts[name])
    return etree.Element(f"{{{RELS_NS}}}Relationships", nsmap={None: RELS_NS})  # type: ignore[dict-item]


def _relate(rels: Element, rel_type: str, target: str) -> str:
    """Add a relationship under an unused id and return the id."""
    taken = {r.get("Id") for r in rels}
    number = 1
    while f"rIdC{number}" in taken:
        number += 1
    rel_id = f"rIdC{number}"
    etree.SubElement(rels, f"{{{RELS_NS}}}Relationship", Id=rel_id, Type=rel_type, Target=target)
    return rel_id


def _content_type(
    parts: dict[str, bytes], *, part: str = "", extension: str = "", kind: str
) -> None:
    types = _xml(parts["[Content_Types].xml"])
    if extension:
        if not any(
            d.get("Extension") == extension for d in types.iterfind(f"{{{TYPES_NS}}}Default")
        ):
            types.insert(
                0, etree.Element(f"{{{TYPES_NS}}}Default", Extension=extension, ContentType=kind)
            )
    else:
        for existing in types.iterfind(f"{{{TYPES_NS}}}Override"):
            if existing.get("PartName") == f"/{part}":
                types.remove(existing)
        etree.SubElement(types, f"{{{TYPES_NS}}}Override", PartName=f"/{part}", ContentType=kind)
    parts["[Content_Types].xml"] = _bytes(types)


def _document_target(parts: dict[str, bytes], rel_type: str) -> str | None:
    """The part the main document relates to with a relationship type, if any."""
    for rel in _relationships(parts, "word/document.xml"):
        if rel.get("Type") == rel_type:
            return "word/" + str(rel.get("Target")).lstrip("/").removeprefix("word/")
    return None


# -- embedded fonts -------------------------------------------------------------------------


def obfuscate(font: bytes, key: str) -> bytes:
    """ECMA-376 font obfuscation: the first 32 bytes XORed with the key GUID's bytes taken
    from its last byte to its first."""
    digits = key.strip("{}").replace("-", "")
    key_bytes = bytes.fromhex(digits)[::-1]
    head = bytes(b ^ key_bytes[i % 16] for i, b in enumerate(font[:32]))
    return head + font[32:]


def font_key(name: str) -> str:
    """A stable GUID per font file (the same document always gives the same bytes)."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"converter:font:{name}")).upper() + "}"


def _embed_fonts(parts: dict[str, bytes]) -> None:
    """Atkinson Hyperlegible embedded when the styles or the text are set in it (a user's
    reference document in fonts of its own gets none: embedding would draw nothing)."""
    table_part = _document_target(parts, f"{R_NS}/fontTable")
    if table_part is None or table_part not in parts:
        return
    named = FONT_NAME.encode()
    if not any(named in parts.get(part, b"") for part in ("word/styles.xml", "word/document.xml")):
        return
    table = _xml(parts[table_part])
    font = next((f for f in table.iterfind(w("font")) if f.get(w("name")) == FONT_NAME), None)
    if font is None:
        font = etree.SubElement(table, w("font"))
        font.set(w("name"), FONT_NAME)
        etree.SubElement(font, w("family")).set(w("val"), "swiss")
    for existing in list(font):
        if existing.tag in (w(tag) for tag in EMBEDDED):
            font.remove(existing)
    rels = _relationships(parts, table_part)
    folder = table_part.rpartition("/")[0]
    for element, weight in EMBEDDED.items():
        path = next(p for p in resources.font_files() if p.stem.endswith(f"-{weight}"))
        key = font_key(path.name)
        target = f"fonts/{path.stem}.odttf"
        parts[f"{folder}/{target}"] = obfuscate(path.read_bytes(), key)
        rel_id = _relate(rels, FONT_REL, target)
        embed = etree.SubElement(font, w(element))
        embed.set(f"{{{R_NS}}}id", rel_id)
        embed.set(w("fontKey"), key)
    parts[table_part] = _bytes(table)
    parts[_rels_name(table_part)] = _bytes(rels)
    _content_type(parts, extension="odttf", kind=ODTTF)


# -- footnotes ------------------------------------------------------------------------------


def _add_footnotes(parts: dict[str, bytes], footnotes: list[Element]) -> None:
    """word/footnotes.xml with Word's two separators and our notes; hyperlinks inside the
    notes get their relationships in the footnotes part too."""
    root = etree.Element(w("footnotes"), nsmap={"w": W_NS, "r": R_NS})
    for number, kind, mark in (
        (-1, "separator", "separator"),
        (0, "continuationSeparator", "continuationSeparator"),
    ):
        separator = etree.SubElement(root, w("footnote"))
        separator.set(w("type"), kind)
        separator.set(w("id"), str(number))
        paragraph = etree.SubElement(separator, w("p"))
        ppr = etree.SubElement(paragraph, w("pPr"))
        spacing = etree.SubElement(ppr, w("spacing"))
        spacing.set(w("after"), "0")
        spacing.set(w("line"), "240")
        spacing.set(w("lineRule"), "auto")
        etree.SubElement(etree.SubElement(paragraph, w("r")), w(mark))
    for footnote in footnotes:
        root.append(footnote)
    target = _document_target(parts, FOOTNOTES_REL)
    if target is None:
        target = "word/footnotes.xml"
        document_rels = _relationships(parts, "word/document.xml")
        _relate(document_rels, FOOTNOTES_REL, "footnotes.xml")
        parts[_rels_name("word/document.xml")] = _bytes(document_rels)
    _content_type(parts, part=target, kind=FOOTNOTES_TYPE)
    # Links in the notes were related to the document part: give the footnotes part the
    # same relationships under the same ids.
    used = {str(e.get(f"{{{R_NS}}}id")) for e in root.iter() if e.get(f"{{{R_NS}}}id")}
    if used:
        document_rels = _relationships(parts, "word/document.xml")
        rels = etree.Element(f"{{{RELS_NS}}}Relationships", nsmap={None: RELS_NS})  # type: ignore[dict-item]
        for rel in document_rels:
            if rel.get("Id") in used:
                # Every attribute copied: Id, Type, Target, TargetMode.
                attributes = {str(k): str(v) for k, v in rel.attrib.items()}
                etree.SubElement(rels, f"{{{RELS_NS}}}Relationship", attributes)
        parts[_rels_name(target)] = _bytes(rels)
    parts[target] = _bytes(root)


# -- custom properties ----------------------------------------------------------------------


def _add_custom_properties(parts: dict[str, bytes], data: bytes) -> None:
    target = "docProps/custom.xml"
    rels = _xml(parts["_rels/.rels"])
    if not any(r.get("Type") == CUSTOM_REL for r in rels):
        _relate(rels, CUSTOM_REL, target)
        parts["_rels/.rels"] = _bytes(rels)
    parts[target] = data
    _content_type(parts, part=target, kind=CUSTOM_TYPE)
