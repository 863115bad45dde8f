"""Read Markdown (CommonMark plus tables) through markdown-it-py into the canonical tree."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree
from markdown_it import MarkdownIt
from markdown_it.token import Token

from converter.readers.decode import decode_text
from converter.recovery.build import Ids, add_inline_text, slug
from converter.tree import SCHEMA_VERSION, XML_LANG

_PARSER = MarkdownIt("commonmark").enable("table")


def read(data: bytes, *, name: str) -> etree._Element:
    text = decode_text(data, source=name)
    return MarkdownReader(text).tree()


class MarkdownReader:
    """Walks markdown-it's token stream once, opening a section at each heading."""

    def __init__(self, text: str) -> None:
        self.tokens = _PARSER.parse(text)
        self.root = etree.Element("report", {"schema-version": SCHEMA_VERSION})
        self.root.set(XML_LANG, "en")
        self.root.set("variant", "full")
        self.meta = etree.SubElement(self.root, "meta")
        self.body = etree.SubElement(self.root, "body")
        self.ids = Ids()
        self.sections: list[tuple[int, etree._Element]] = []  # (heading level, section)
        self.title: str | None = None

    def tree(self) -> etree._Element:
        self.blocks(self.tokens, 0, len(self.tokens), self.body)
        title = self.title
        if title is None:
            title = next(
                (
                    t.content.strip().splitlines()[0]
                    for t in self.tokens
                    if t.type == "inline" and t.content.strip()
                ),
                "",
            )
        etree.SubElement(self.meta, "title").text = title or "Untitled document"
        etree.SubElement(self.meta, "kind").text = "generic"
        etree.SubElement(self.meta, "source", {"name": "", "sha256": "0" * 64, "format": "md"})
        return self.root

    # blocks ----------------------------------------------------------------------------
    def container(self) -> etree._Element:
        return self.sections[-1][1] if self.sections else self.body

    def blocks(
        self, tokens: Sequence[Token], start: int, end: int, parent: etree._Element | None
    ) -> None:
        index = start
        while index < end:
            token = tokens[index]
            close = _closing(tokens, index)
            target = parent if parent is not None and parent is not self.body else self.container()
            if token.type == "heading_open":
                self.heading(token, tokens[index + 1])
            elif token.type == "paragraph_open":
                self.paragraph(target, token, tokens[index + 1])
            elif token.type in ("bullet_list_open", "ordered_list_open"):
                self.list(target, tokens, index, close)
            elif token.type == "table_open":
                self.table(target, tokens, index, close)
            elif token.type == "blockquote_open":
                self.blocks(tokens, index + 1, close, target)
            elif token.type in ("fence", "code_block", "html_block"):
                p = etree.SubElement(target, "p", {"id": self.ids.next("para"), **_src(token)})
                add_inline_text(p, token.content.strip())
            index = close + 1

    def heading(self, token: Token, inline: Token) -> None:
        level = int(token.tag[1])
        text = inline.content.strip()
        if self.title is None and level == 1 and not self.sections and not len(self.body):
            self.title = text
            return
        while self.sections and self.sections[-1][0] >= level:
            self.sections.pop()
        parent = self.container()
        section = etree.SubElement(
            parent, "section", {"id": self.ids.unique(slug(text)), **_src(token)}
        )
        heading = etree.SubElement(
            section,
            "heading",
            {"id": self.ids.unique(f"{section.get('id')}-heading"), **_src(token)},
        )
        self.inline(heading, inline)
        self.sections.append((level, section))

    def paragraph(self, parent: etree._Element, token: Token, inline: Token) -> None:
        p = etree.SubElement(parent, "p", {"id": self.ids.next("para"), **_src(token)})
        self.inline(p, inline)

    def list(self, parent: etree._Element, tokens: Sequence[Token], start: int, end: int) -> None:
        ordered = tokens[start].type == "ordered_list_open"
        element = etree.SubElement(
            parent,
            "list",
            {
                "id": self.ids.next("list"),
                "type": "ordered" if ordered else "bullet",
                **_src(tokens[start]),
            },
        )
        index = start + 1
        number = int(tokens[start].attrGet("start") or 1)
        while index < end:
            if tokens[index].type != "list_item_open":
                index += 1
                continue
            close = _closing(tokens, index)
            item = etree.SubElement(
                element, "item", {"id": self.ids.next("item"), **_src(tokens[index])}
            )
            if ordered:
                item.set("label", f"{number}.")
                number += 1
            inner = index + 1
            while inner < close:
                token = tokens[inner]
                inner_close = _closing(tokens, inner)
                if token.type == "paragraph_open":
                    if len(item) or item.text:
                        add_inline_text(item, " ")
                    self.inline(item, tokens[inner + 1])
                elif token.type in ("bullet_list_open", "ordered_list_open"):
                    self.list(item, tokens, inner, inner_close)
                elif token.type in ("fence", "code_block", "html_block"):
                    add_inline_text(item, token.content.strip())
                inner = inner_close + 1
            index = close + 1

    def table(self, parent: etree._Element, tokens: Sequence[Token], start: int, end: int) -> None:
        table = etree.SubElement(
            parent, "table", {"id": self.ids.next("table"), **_src(tokens[start])}
        )
        head: etree._Element | None = None
        row: etree._Element | None = None
        in_head = False
        for index in range(start + 1, end):
            token = tokens[index]
            if token.type == "thead_open":
                head, in_head = etree.SubElement(table, "head"), True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open":
                row = etree.SubElement(head if in_head and head is not None else table, "row")
            elif token.type in ("th_open", "td_open") and row is not None:
                cell = etree.SubElement(row, "cell")
                if token.type == "th_open":
                    cell.set("header", "true")
                    cell.set("scope", "col")
                self.inline(cell, tokens[index + 1])
        if not table.findall("row"):  # the schema wants a body row
            body_row = etree.SubElement(table, "row")
            etree.SubElement(body_row, "cell")

    # inline ----------------------------------------------------------------------------
    def inline(self, element: etree._Element, token: Token) -> None:
        stack: list[etree._Element] = [element]
        for child in token.children or []:
            current = stack[-1]
            kind = child.type
            if kind == "text":
                _append(current, child.content)
            elif kind in ("softbreak", "hardbreak"):
                _append(current, " ")
            elif kind in ("code_inline", "html_inline"):
                _append(current, child.content)
            elif kind in ("em_open", "strong_open"):
                stack.append(
                    etree.SubElement(current, kind[:-5] if kind == "strong_open" else "em")
                )
            elif kind == "link_open":
                stack.append(
                    etree.SubElement(current, "a", {"href": str(child.attrGet("href") or "")})
                )
            elif kind in ("em_close", "strong_close", "link_close") and len(stack) > 1:
                stack.pop()
            elif kind == "image":
                _append(current, child.content)


def _append(element: etree._Element, text: str) -> None:
    if not text:
        return
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _closing(tokens: Sequence[Token], index: int) -> int:
    """The index of the token that closes tokens[index] (itself for a self-contained token)."""
    token = tokens[index]
    if token.nesting != 1:
        return index
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth == 0:
            return position
    return len(tokens) - 1


def _src(token: Token) -> dict[str, str]:
    if token.map:
        first, last = token.map[0] + 1, max(token.map[0] + 1, token.map[1])
        return {"src": f"{first}-{last}"}
    return {}
