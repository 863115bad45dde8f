"""The print facts a copy carries inside itself (PDF XMP, DOCX custom properties), so that
`convert check` measures it against the profile and colours it was made with, unasked.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from converter import tree as canonical
from converter.options import Options

#: Our XMP namespace: the print facts of a copy (the prefix is only a convention).
XMP_NAMESPACE = "http://ns.converter-project.org/print/1.0/"
XMP_PREFIX = "converter"
RDF_NAMESPACE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#: DOCX custom property names, as Word shows them under File > Properties > Custom.
DOCX_NAMES = {
    "profile": "Print profile",
    "font_size": "Font size (point)",
    "colours": "Colour scheme",
    "paper": "Paper",
    "line_spacing": "Line spacing",
    "margin_mm": "Margins (mm)",
    "pdf_standard": "PDF standard",
}
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM_PART = "docProps/custom.xml"
# The format id Word gives every user-defined property.
CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


@dataclass(frozen=True)
class PrintFacts:
    """The options a print copy was made with, resolved (the size actually used)."""

    profile: str
    font_size: float
    colours: str
    paper: str
    line_spacing: float
    margin_mm: float
    pdf_standard: str = ""

    @classmethod
    def of(cls, options: Options) -> PrintFacts:
        from converter.profiles import print_profile

        profile = print_profile(options)
        return cls(
            profile.name,
            profile.font_size,
            profile.colours,
            profile.paper,
            profile.line_spacing,
            profile.margin_mm,
            options.pdf_standard,
        )

    def values(self) -> dict[str, str]:
        return {
            "profile": self.profile,
            "font_size": f"{self.font_size:g}",
            "colours": self.colours,
            "paper": self.paper,
            "line_spacing": f"{self.line_spacing:g}",
            "margin_mm": f"{self.margin_mm:g}",
            **({"pdf_standard": self.pdf_standard} if self.pdf_standard else {}),
        }

    @classmethod
    def from_values(cls, values: dict[str, str]) -> PrintFacts | None:
        """Facts read back from a file; None when they are missing or not ours."""
        try:
            return cls(
                values["profile"],
                float(values["font_size"]),
                values["colours"],
                values["paper"],
                float(values["line_spacing"]),
                float(values["margin_mm"]),
                values.get("pdf_standard", ""),
            )
        except (KeyError, ValueError):
            return None

    def options(self, base: Options | None = None) -> Options:
        """Options that make a copy like this one (for its checks)."""
        changes: dict[str, Any] = {
            "profile": self.profile,
            "font_size": self.font_size,
            "colours": self.colours,
            "paper": self.paper,
            "line_spacing": self.line_spacing,
            "margin_mm": self.margin_mm,
        }
        if self.pdf_standard:
            changes["pdf_standard"] = self.pdf_standard
        return (base or Options()).replace(**changes)


# -- PDF: XMP -------------------------------------------------------------------------------


def xmp_description(facts: PrintFacts) -> bytes:
    """The facts as an rdf:Description, for a PDF's XMP packet (pdf_structure adds it)."""
    description = etree.Element(
        f"{{{RDF_NAMESPACE}}}Description",
        {f"{{{RDF_NAMESPACE}}}about": ""},
        nsmap={"rdf": RDF_NAMESPACE, XMP_PREFIX: XMP_NAMESPACE},
    )
    for name, value in facts.values().items():
        etree.SubElement(description, f"{{{XMP_NAMESPACE}}}{_xmp_name(name)}").text = value
    return etree.tostring(description, encoding="utf-8")


def read_pdf(path: Path) -> PrintFacts | None:
    import pikepdf

    try:
        with pikepdf.open(path) as pdf, pdf.open_metadata() as meta:
            values = {
                name: str(meta.get(f"{{{XMP_NAMESPACE}}}{_xmp_name(name)}", ""))
                for name in DOCX_NAMES
            }
    except (pikepdf.PdfError, OSError):
        return None
    return PrintFacts.from_values({k: v for k, v in values.items() if v})


def _xmp_name(name: str) -> str:
    """font_size -> fontSize (XMP property names are camel case)."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


# -- DOCX: custom properties ------------------------------------------------------------------


def custom_properties(facts: PrintFacts) -> bytes:
    """docProps/custom.xml holding the facts, one string property each."""
    root = etree.Element(
        f"{{{CUSTOM_NS}}}Properties",
        nsmap={None: CUSTOM_NS, "vt": VT_NS},  # type: ignore[dict-item]
    )
    for pid, (name, value) in enumerate(facts.values().items(), start=2):
        prop = etree.SubElement(
            root,
            f"{{{CUSTOM_NS}}}property",
            fmtid=CUSTOM_FMTID,
            pid=str(pid),
            name=DOCX_NAMES[name],
        )
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def read_docx(source: Path | bytes) -> PrintFacts | None:
    """The facts of a DOCX file (a path, or the package's bytes)."""
    try:
        with zipfile.ZipFile(
            io.BytesIO(source) if isinstance(source, bytes) else source
        ) as archive:
            data = archive.read(CUSTOM_PART)
        root = etree.fromstring(data, canonical.safe_parser())
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return None
    by_label = {label: name for name, label in DOCX_NAMES.items()}
    values = {
        by_label[str(prop.get("name"))]: "".join(str(t) for t in prop.itertext()).strip()
        for prop in root.iterfind(f"{{{CUSTOM_NS}}}property")
        if prop.get("name") in by_label
    }
    return PrintFacts.from_values(values)


def read(path: Path) -> PrintFacts | None:
    """The facts a PDF or DOCX file carries, or None (another format, or not ours)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return read_pdf(path)
    if suffix == ".docx":
        return read_docx(path)
    return None
