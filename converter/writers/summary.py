"""The `summary` writer: the plain-language summary as Markdown, each sentence with its sources."""

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
            lines.extend([_sentence(child), ""])
        elif child.tag == "list":
            ordered = child.get("type") == "ordered"
            for number, item in enumerate(child.iterfind("item"), 1):
                marker = f"{number}." if ordered else "-"
                lines.append(f"{marker} {_sentence(item)}")
            lines.append("")
        elif child.tag == "section":
            _section(child, level + 1, lines)
        elif child.tag == "figure" and child.get("decorative") != "true":
            # Plain text shows no picture: its description only.
            description = " ".join((child.findtext("description") or "").split())
            lines.extend([f"Image: {escape(description or NO_DESCRIPTION)}", ""])


def _sentence(element: etree._Element) -> str:
    """The block's text, its term in bold where it has one, then its references."""
    parts = [escape(element.text or "")] if element.text else []
    for child in element:
        inner = escape(canonical.text_content(child))
        parts.append(f"**{inner}**" if child.tag == "strong" else inner)
        if child.tail:
            parts.append(escape(child.tail))
    text = "".join(parts).strip()
    cites = element.get("cites")
    return f"{text} [{', '.join(cites.split())}]" if cites else text


def describe(payload: bytes, options: Options) -> str:
    """'412 words of plain language, Markdown' (references left out of the count)."""
    text = re.sub(r"\[[^\]]*\]", " ", payload.decode("utf-8"))
    count = len(re.findall(r"[^\W_]+(?:'[^\W_]+)*", text))
    return f"{count} words of plain language, Markdown"
