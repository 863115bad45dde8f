"""Read canonical XML, so a person can correct the structure by hand and render again."""

from __future__ import annotations

from lxml import etree

from converter import tree as canonical
from converter.errors import InputError


def read(data: bytes, *, name: str) -> etree._Element:
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data:
        # Entities and DTDs have no place in canonical XML; refusing them outright also
        # rules out billion-laughs expansion and external entity reads.
        raise InputError("XML with a DOCTYPE or entity declarations is not accepted", source=name)
    try:
        root = etree.fromstring(data, canonical.safe_parser())
    except etree.XMLSyntaxError as error:
        raise InputError(f"malformed XML: {error.msg} (line {error.lineno})", source=name) from None
    if root.tag != "report":
        raise InputError(
            f"not canonical XML: the root element is <{root.tag}>, not <report>", source=name
        )
    canonical.validate(root, source=name)
    # Every version so far only added to the last, so a valid older tree is a current one.
    root.set("schema-version", canonical.SCHEMA_VERSION)
    return root
