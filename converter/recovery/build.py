"""Step 5: the canonical tree from blocks and facts, with stable readable ids."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from lxml import etree

from converter.recovery.model import Block, Document, Facts
from converter.recovery.notes import NOTEREF, SENTINEL
from converter.recovery.patterns import _LINK, join_texts
from converter.tree import SCHEMA_VERSION, XML_LANG, append_text

_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slug(text: str, *, words: int = 6) -> str:
    """A readable id fragment: the first few words, lower case, joined by hyphens."""
    parts = [p for p in _SLUG_DROP.split(text.casefold()) if p][:words]
    value = "-".join(parts)
    return value or "section"


class Ids:
    """Stable, readable, unique ids: slugs for sections, prefix-N counters for the rest."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.counters: Counter[str] = Counter()

    def unique(self, base: str) -> str:
        if not base or not (base[0].isalpha() or base[0] == "_"):
            base = f"s-{base}" if base else "s"
        candidate, suffix = base, 2
        while candidate in self.used:
            candidate = f"{base}-{suffix}"
            suffix += 1
        self.used.add(candidate)
        return candidate

    def next(self, prefix: str) -> str:
        while True:
            self.counters[prefix] += 1
            candidate = f"{prefix}-{self.counters[prefix]}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate


def build(document: Document, facts: Facts, *, language: str = "en") -> etree._Element:
    """Step 5: the canonical tree from blocks and facts."""
    root = etree.Element("report", {"schema-version": SCHEMA_VERSION})
    root.set(XML_LANG, language)
    root.set("variant", "full")
    _meta(root, facts, document)
    body = etree.SubElement(root, "body")
    back_start = facts.back_start if facts.back_start is not None else len(document.blocks)
    ids = Ids()
    _Builder(body, ids, in_back=False).add(document.blocks[:back_start], first_page=1)
    if back_start < len(document.blocks):
        back = etree.SubElement(root, "back")
        previous_page = document.blocks[back_start - 1].lines[-1].page if back_start else 1
        _back(back, document.blocks[back_start:], ids, previous_page)
    if document.artifacts:
        by_number = {x.number: x for x in document.lines}
        artifacts = etree.SubElement(root, "artifacts")
        for number in sorted(document.artifacts):
            line = by_number[number]
            item = etree.SubElement(
                artifacts,
                "artifact",
                {
                    "src": f"{number}-{number}",
                    "reason": document.artifacts[number],
                    "page": str(line.page),
                },
            )
            item.text = _xml_safe(line.text.strip())
    return root


def _meta(root: etree._Element, facts: Facts, document: Document) -> None:
    meta = etree.SubElement(root, "meta")
    etree.SubElement(meta, "title").text = _xml_safe(facts.title or "Untitled document")
    if facts.subtitle:
        etree.SubElement(meta, "subtitle").text = _xml_safe(facts.subtitle)
    etree.SubElement(meta, "kind").text = facts.kind
    if facts.subject:
        etree.SubElement(meta, "subject").text = _xml_safe(facts.subject)
    if facts.publisher:
        etree.SubElement(meta, "publisher").text = _xml_safe(facts.publisher)
    for role, when, written in facts.dates:
        etree.SubElement(meta, "date", {"role": role, "when": when}).text = _xml_safe(written)
    for role, name in facts.people:
        etree.SubElement(meta, "person", {"role": role}).text = _xml_safe(name)
    source = etree.SubElement(meta, "source", {"name": "", "sha256": "0" * 64, "format": "txt"})
    if document.pages > 1:
        source.set("pages", str(document.pages))
    if facts.judgements:
        judgements = etree.SubElement(meta, "judgements")
        for area, grade, label, written in facts.judgements:
            judgement = etree.SubElement(judgements, "judgement", {"area": area, "grade": grade})
            etree.SubElement(judgement, "label").text = _xml_safe(label)
            etree.SubElement(judgement, "grade").text = _xml_safe(written)


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot hold most control characters: they become spaces (no word is lost).
    A footnote marker where no noteref can stand (a title in meta) is dropped: its note
    keeps its label."""
    if SENTINEL in text:
        text = NOTEREF.sub("", text)
    return _XML_UNSAFE.sub(" ", text)


def _src(block: Block) -> dict[str, str]:
    return {"src": f"{block.first}-{block.last}", "page": str(block.page)}


class _Builder:
    """Adds blocks to a container, opening a section at each heading."""

    def __init__(self, container: etree._Element, ids: Ids, *, in_back: bool) -> None:
        self.top = container
        self.container = container
        self.ids = ids
        self.in_back = in_back
        self.page = 1
        self.list: etree._Element | None = None
        self.list_marker = ""
        self.nested: etree._Element | None = None
        self.improvement_items = 0
        self.section_role: str | None = None
        self.open: list[tuple[int, etree._Element]] = []  # (level, section) from the top down
        self.pending_notes: list[Block] = []
        self.note_labels: dict[int, str] = {}

    def add(self, blocks: Sequence[Block], *, first_page: int) -> None:
        self.page = first_page
        self.note_labels.update(
            {int(b.ident.split("-")[-1]): b.marker for b in blocks if b.kind == "note" and b.ident}
        )
        for block in blocks:
            self.block(block)
        self.flush_notes()

    def flush_notes(self) -> None:
        """Notes cited in a section close it (a reader meets them before the next heading)."""
        for block in self.pending_notes:
            self.close_list()
            note = etree.SubElement(
                self.container,
                "note",
                {
                    "id": self.ids.unique(block.ident or "note"),
                    "label": block.marker,
                    **_src(block),
                },
            )
            self.inline(note, block, skip_first_page=True)
        self.pending_notes = []

    def pagebreaks(self, block: Block) -> list[int]:
        """The pages that start at or before this block's first line, not yet marked."""
        new = list(range(self.page + 1, block.page + 1))
        self.page = max(self.page, block.page)
        return new

    def block_pagebreaks(self, pages: list[int]) -> None:
        for page in pages:
            self.close_list()
            etree.SubElement(
                self.container,
                "pagebreak",
                {"page": str(page), "id": self.ids.unique(f"page-{page}")},
            )

    def block(self, block: Block) -> None:
        if block.kind == "note":
            self.pending_notes.append(block)  # placed at the end of its section
            return
        pages = self.pagebreaks(block)
        if block.kind == "item":
            self.item(block, pages)
            return
        self.block_pagebreaks(pages)
        self.close_list()
        if block.role == "copyright-page":
            self.copyright_page(block)
            return
        if self.container.get("role") == "copyright" and self.container.find("heading") is None:
            self.container = self.open[-1][1] if self.open else self.top
        if block.kind == "heading":
            self.section(block)
        elif block.kind == "table":
            self.table(block)
        else:
            self.paragraph(block)

    def section(self, block: Block) -> None:
        """A section for a heading, inside the nearest open section of a higher level."""
        self.flush_notes()
        level = block.level or 1
        while self.open and self.open[-1][0] >= level:
            self.open.pop()
        parent = self.open[-1][1] if self.open else self.top
        base = block.ident or block.area or slug(block.text)
        section = etree.SubElement(parent, "section", {"id": self.ids.unique(base), **_src(block)})
        self.open.append((level, section))
        if block.role:
            section.set("role", block.role)
        if block.grade:
            section.set("grade", block.grade)
        if block.area:
            section.set("area", block.area)
        heading = etree.SubElement(
            section,
            "heading",
            {"id": self.ids.unique(f"{section.get('id')}-heading"), **_src(block)},
        )
        self.inline(heading, block, skip_first_page=True)
        self.container = section
        self.section_role = block.role
        self.improvement_items = 0

    def copyright_page(self, block: Block) -> None:
        """A copyright page at the front: an untitled section with the copyright role."""
        if not (
            self.container.get("role") == "copyright" and self.container.find("heading") is None
        ):
            self.container = etree.SubElement(
                self.container,
                "section",
                {"id": self.ids.unique("copyright"), "role": "copyright", **_src(block)},
            )
        else:
            self.container.set(
                "src", f"{self.container.get('src', '1-1').split('-')[0]}-{block.last}"
            )
        self.paragraph(block)

    def paragraph(self, block: Block) -> None:
        ident = self.ids.unique(f"p-{block.n}") if block.n is not None else self.ids.next("para")
        p = etree.SubElement(self.container, "p", {"id": ident, **_src(block)})
        if block.n is not None:
            p.set("n", block.n)
        if block.role in ("address", "date", "salutation", "closing", "signature", "lead"):
            p.set("role", block.role)
        if block.n is None and block.marker.isdigit():
            # A number read as a list's or paragraph's and then judged to be text: its
            # words are the source's, so it stays in the text.
            add_inline_text(p, f"{block.marker}. ")
        self.inline(p, block, skip_first_page=True)

    def item(self, block: Block, pages: list[int]) -> None:
        ordered = block.role == "ordered"
        list_type = "ordered" if ordered else "bullet"
        if self.list is not None and self.list.get("type") != list_type:
            self.close_list()
        if self.list is None:
            self.list = etree.SubElement(
                self.container,
                "list",
                {"id": self.ids.next("list"), "type": list_type, **_src(block)},
            )
            self.list_marker = block.marker if not ordered else ""
            self.nested = None
        else:
            self.list.set("src", f"{self.list.get('src', '1-1').split('-')[0]}-{block.last}")
        sub = (
            not ordered and self.list_marker and block.marker != self.list_marker and len(self.list)
        )
        if sub:
            parent_item = self.list[-1]
            if self.nested is None or self.nested.getparent() is not parent_item:
                self.nested = etree.SubElement(
                    parent_item,
                    "list",
                    {"id": self.ids.next("list"), "type": "bullet", **_src(block)},
                )
            target = self.nested
        else:
            self.nested = None
            target = self.list
        if self.section_role == "improvements" and not sub:
            self.improvement_items += 1
            ident = self.ids.unique(f"improve-{self.improvement_items}")
        else:
            ident = self.ids.next("item")
        item = etree.SubElement(target, "item", {"id": ident, **_src(block)})
        if ordered:
            item.set("label", f"{block.marker}.")
        for page in pages:
            etree.SubElement(
                item, "pagebreak", {"page": str(page), "id": self.ids.unique(f"page-{page}")}
            )
        self.inline(item, block, skip_first_page=True, append=bool(pages))

    def close_list(self) -> None:
        self.list = None
        self.nested = None

    def table(self, block: Block) -> None:
        ident = self.ids.unique(block.ident) if block.ident else self.ids.next("table")
        table = etree.SubElement(self.container, "table", {"id": ident, **_src(block)})
        spans = block.spans if len(block.spans) == len(block.rows) else [()] * len(block.rows)
        width = max((sum(_widths(r, s)) for r, s in zip(block.rows, spans, strict=True)), default=1)
        rows = list(zip(block.rows, spans, strict=True))
        head_rows = rows[: block.head_rows]
        body_rows = rows[block.head_rows :] or [([""], ())]
        if head_rows:
            head = etree.SubElement(table, "head")
            for cells, widths in head_rows:
                self.row(head, cells, widths, width, header=True)
        for cells, widths in body_rows:
            self.row(table, cells, widths, width, header=False, row_header=block.row_headers)

    def row(
        self,
        parent: etree._Element,
        cells: list[str],
        widths: tuple[int, ...],
        width: int,
        *,
        header: bool,
        row_header: bool = False,
    ) -> None:
        """One row; its cells span the columns the reader found, and a short row's last
        cell spans the rest."""
        row = etree.SubElement(parent, "row")
        spans = list(_widths(cells, widths))
        if sum(spans) < width:
            spans[-1] += width - sum(spans)
        for index, (value, span) in enumerate(zip(cells, spans, strict=True)):
            cell = etree.SubElement(row, "cell")
            if header:
                cell.set("header", "true")
                cell.set("scope", "col")
            elif row_header and index == 0:
                cell.set("header", "true")
                cell.set("scope", "row")
            if span > 1:
                cell.set("colspan", str(span))
            add_inline_text(cell, value)

    def inline(
        self, element: etree._Element, block: Block, *, skip_first_page: bool, append: bool = False
    ) -> None:
        """The block's text with inline page breaks where the page turned inside it."""
        segments: list[str | int] = []
        page = block.lines[0].page
        texts: list[str] = []
        for line, text in zip(block.lines, block.texts, strict=False):
            if line.page != page:
                segments.append(join_texts(texts))
                segments.append(line.page)
                texts = []
                page = line.page
            texts.append(text)
        segments.append(join_texts(texts))
        self.page = max(self.page, page)
        wrote = False
        for segment in segments:
            if isinstance(segment, int):
                etree.SubElement(
                    element,
                    "pagebreak",
                    {"page": str(segment), "id": self.ids.unique(f"page-{segment}")},
                )
                continue
            if segment:
                add_inline_text(element, f" {segment}" if wrote else segment, self.note_labels)
                wrote = True


def _widths(cells: Sequence[str], spans: tuple[int, ...]) -> tuple[int, ...]:
    """Each cell's columns: as found, or one each."""
    return spans if len(spans) == len(cells) else (1,) * len(cells)


def add_inline_text(
    element: etree._Element, text: str, notes: Mapping[int, str] | None = None
) -> None:
    """Append text to an element, with URLs and e-mail addresses as <a href> links and
    footnote markers (:data:`~converter.recovery.notes.NOTEREF` sentinels) as noterefs
    to ``note-N`` whose labels ``notes`` gives."""
    if SENTINEL in text and NOTEREF.search(text):
        position = 0
        for match in NOTEREF.finditer(text):
            add_inline_text(element, text[position : match.start()])
            number = int(match.group(1))
            ref = etree.SubElement(element, "noteref", {"ref": f"note-{number}"})
            ref.text = (notes or {}).get(number, str(number))
            position = match.end()
        add_inline_text(element, text[position:])
        return
    text = _xml_safe(text)
    if "@" not in text and "www." not in text and "://" not in text:
        append_text(element, text)  # no link possible: skip the costlier search
        return
    position = 0
    for match in _LINK.finditer(text):
        append_text(element, text[position : match.start()])
        link = etree.SubElement(element, "a")
        target = match.group(0)
        if match.group("email"):
            link.set("href", f"mailto:{target}")
        elif target.startswith("www."):
            link.set("href", f"https://{target}")
        else:
            link.set("href", target)
        link.text = target
        position = match.end()
    append_text(element, text[position:])


def _back(back: etree._Element, blocks: Sequence[Block], ids: Ids, page: int) -> None:
    """Back matter: consecutive blocks with the same role make one section."""
    section: etree._Element | None = None
    role: str | None = None
    builder = _Builder(back, ids, in_back=True)
    builder.page = page
    for block in blocks:
        block_role = block.role or role or "about"
        if section is None or block_role != role:
            role = block_role
            section = etree.SubElement(
                back, "section", {"id": ids.unique(role), "role": role, **_src(block)}
            )
        else:
            section.set("src", f"{section.get('src', '1-1').split('-')[0]}-{block.last}")
        builder.container = section
        builder.top = section
        if block.kind == "heading":
            block.kind = "para"
        builder.block(block)
    builder.flush_notes()
