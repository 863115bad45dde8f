"""The canonical XML tree: names, hardened parsing, schema validation and serialisation."""

from __future__ import annotations

import functools

from lxml import etree

from converter import resources
from converter.errors import InputError

SCHEMA_VERSION = "1.3"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"

#: Elements that hold text directly (inline content).
BLOCK_ELEMENTS = (
    "section",
    "heading",
    "p",
    "list",
    "item",
    "table",
    "note",
    "figure",
    "pagebreak",
    "line",
)
INLINE_ELEMENTS = ("em", "strong", "abbr", "a", "quote", "noteref", "span", "pagebreak")


def safe_parser(*, remove_blank_text: bool = False) -> etree.XMLParser:
    """An XML parser that never resolves entities, loads a DTD or touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=remove_blank_text,
    )


@functools.cache
def schema() -> etree.RelaxNG:
    """The packaged RELAX NG schema of the canonical XML."""
    data = resources.folder("converter.schema").joinpath("report.rng").read_bytes()
    return etree.RelaxNG(etree.fromstring(data, safe_parser()))


def schema_errors(root: etree._Element) -> list[str]:
    """Every schema violation of a tree, as 'line: message' strings (empty when valid)."""
    validator = schema()
    if validator.validate(root):
        return []
    return [f"{e.line}: {e.message}" for e in validator.error_log]


def validate(root: etree._Element, *, source: str | None = None) -> etree._Element:
    """Return the tree unchanged when it is valid canonical XML, else raise InputError."""
    errors = schema_errors(root)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(f"not valid canonical XML: {errors[0]}{more}", source=source)
    return root


def serialize(root: etree._Element) -> bytes:
    """Pretty, stable bytes: UTF-8, declaration, two-space indent, final newline."""
    copy = etree.fromstring(etree.tostring(root), safe_parser(remove_blank_text=True))
    etree.indent(copy, space="  ")
    return etree.tostring(copy, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def text_content(element: etree._Element) -> str:
    """All text inside an element, inline markup flattened, whitespace as written."""
    return "".join(str(t) for t in element.itertext())


def append_text(element: etree._Element, text: str | None) -> None:
    """Add text at the end of an element's mixed content (after its last child, if any)."""
    if not text:
        return
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text


def language(root: etree._Element) -> str:
    """The document's language tag (BCP 47)."""
    return str(root.get(XML_LANG) or "en")
