"""The `xml` writer: the canonical tree itself, pretty-printed and schema-valid."""

from __future__ import annotations

from lxml import etree

from converter import tree as canonical
from converter.options import Options


def write(root: etree._Element, options: Options) -> bytes:
    canonical.validate(root)
    return canonical.serialize(root)


def describe(payload: bytes, options: Options) -> str:
    return f"canonical XML, schema {canonical.SCHEMA_VERSION}"
