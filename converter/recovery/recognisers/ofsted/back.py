"""Ofsted's standard back matter (about, other formats, licence, contact, copyright), and a
copyright page at the front of older reports."""

from __future__ import annotations

import re

from converter.recovery.model import Block, Document, Facts

_BACK_START = re.compile(
    r"^(?:The Office for Standards in Education|If you would like a copy of this document|Any complaints about the inspection)"
)
_BACK_ROLES = (
    (re.compile(r"different format|large print or Braille", re.IGNORECASE), "alternative-formats"),
    (
        re.compile(
            r"reuse this information|Open Government Licence|open-government-licence", re.IGNORECASE
        ),
        "licence",
    ),
    (re.compile(r"^\u00a9|Crown copyright", re.IGNORECASE), "copyright"),
    (
        re.compile(
            r"^(?:Piccadilly Gate|Store Street|Manchester|M1 2WD|T:|Textphone|E:|W:|Aviation House)",
            re.IGNORECASE,
        ),
        "contact",
    ),
    (
        re.compile(
            r"^(?:The Office for Standards in Education|This (?:report|publication) is available|Interested in our work|Any complaints|Parent View|You can use Parent View)",
            re.IGNORECASE,
        ),
        "about",
    ),
)
_BACK_PARAGRAPH = re.compile(
    r"^\s*(?:If you would like a copy|You may reuse this information|This (?:report|publication) is available|"
    r"Interested in our work|Piccadilly Gate|\u00a9|Any complaints|Parent View|You can use Parent View|"
    r"The Office for Standards in Education)"
)
_FRONT_COPYRIGHT = re.compile(r"^\u00a9\s*Crown copyright", re.IGNORECASE)


def back_matter(document: Document, facts: Facts) -> None:
    blocks = document.blocks
    _front_copyright(blocks)
    start = None
    for index in range(len(blocks) * 6 // 10, len(blocks)):
        if _BACK_START.match(blocks[index].text):
            start = index
            break
    if start is None:
        return
    facts.back_start = start
    _split_back_blocks(blocks, start)
    role = "about"
    for block in blocks[start:]:
        for pattern, candidate in _BACK_ROLES:
            if pattern.search(block.text):
                role = candidate
                break
        block.role = role


def _front_copyright(blocks: list[Block]) -> None:
    """A copyright page at the front (2013 reports: page 2): its paragraphs are one
    untitled section with the copyright role, where they stand."""
    for index, block in enumerate(blocks[:12]):
        if block.kind == "para" and _FRONT_COPYRIGHT.match(block.text) and block.page <= 2:
            page = block.page
            end = index
            while end < len(blocks) and blocks[end].page == page and blocks[end].kind == "para":
                blocks[end].role = "copyright-page"
                end += 1
            return


def _split_back_blocks(blocks: list[Block], start: int) -> None:
    """Back-matter paragraphs run together in raw text; split where a standard one begins."""
    index = start
    while index < len(blocks):
        block = blocks[index]
        cut = next(
            (
                i
                for i in range(1, len(block.lines))
                if _BACK_PARAGRAPH.match(block.texts[i])
                and not block.texts[i - 1].rstrip().endswith(",")
            ),
            None,
        )
        if cut is not None and block.kind in ("para", "heading"):
            rest = Block("para", block.lines[cut:], block.texts[cut:])
            block.lines, block.texts = block.lines[:cut], block.texts[:cut]
            blocks.insert(index + 1, rest)
        index += 1
