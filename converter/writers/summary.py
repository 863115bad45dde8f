"""The `summary` writer: the plain-language summary as Markdown, for a reader: no reference
tags (a sentence's sources are in the trace, `--trace`, and the `--sources` list)."""

from __future__ import annotations

import re

from lxml import etree

from converter import tree as canonical
from converter.errors import OutputError
from converter.images import NO_DESCRIPTION
from converter.options import Options

_ESCAPE = re.compile(r"([\\`*_\[\]<>])")
_LINE_START = re.compile(r"^([#+-]|\d+\.)")


def escape(text: str) -> str:
    """Markdown-safe text: inline markup characters and block markers at the start escaped."""
    text = _ESCAPE.sub(r"\\\1", " ".join(text.split()))
    return _LINE_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], text)


def write(root: etree._Element, options: Options) -> bytes:
    """A summary tree (transforms.summary; the pipeline makes it) as Markdown."""
    if root.get("variant") != "summary":
        raise OutputError("the summary writer takes a summary tree (report variant='summary')")
    lines = [f"# {escape(root.findtext('meta/title') or 'Summary')}", ""]
    for container in (root.find("body"), root.find("back")):
        if container is not None:
            for section in container.iterfind("section"):
                _section(section, 2, lines)
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")


def _section(section: etree._Element, level: int, lines: list[str]) -> None:
    for child in section:
        if child.tag == "heading":
            lines.extend([f"{'#' * min(level, 6)} {escape(canonical.text_content(child))}", ""])
        elif child.tag == "p":
            lines.extend([_text(child), ""])
        elif child.tag == "list":
            _list(child, lines, "")
            lines.append("")
        elif child.tag == "section":
            _section(child, level + 1, lines)
        elif child.tag == "figure" and child.get("decorative") != "true":
            # Plain text shows no picture: its description only.
            description = " ".join((child.findtext("description") or "").split())
            lines.extend([f"Image: {escape(description or NO_DESCRIPTION)}", ""])


def _list(listing: etree._Element, lines: list[str], indent: str) -> None:
    ordered = listing.get("type") == "ordered"
    for number, item in enumerate(listing.iterfind("item"), 1):
        marker = f"{number}." if ordered else "-"
        lines.append(f"{indent}{marker} {_text(item)}")
        for points in item.iterfind("list"):
            _list(points, lines, indent + " " * (len(marker) + 1))


def _text(element: etree._Element) -> str:
    """The block's own text (not a nested list), its term in bold where it has one."""
    parts = [escape(element.text)] if element.text and element.text.strip() else []
    for child in element:
        if child.tag == "list":
            continue
        inner = escape(canonical.text_content(child))
        parts.append(f"**{inner}**" if child.tag == "strong" else inner)
        if child.tail and child.tail.strip():
            parts.append(escape(child.tail))
    return "".join(parts).strip()


def describe(payload: bytes, options: Options) -> str:
    """'412 words of plain language, Markdown' (references left out of the count)."""
    text = re.sub(r"\[[^\]]*\]", " ", payload.decode("utf-8"))
    count = len(re.findall(r"[^\W_]+(?:'[^\W_]+)*", text))
    return f"{count} words of plain language, Markdown"
