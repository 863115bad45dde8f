"""The canonical body from a stream of blocks whose kind the source states (DOCX, HTML).

Readers of marked-up sources know what each block is: a heading of some level, a list
item at some depth, a table, a figure, a note.  They hand :class:`Block` objects, in
reading order, to an :class:`Outline`, which nests sections under headings and items
into lists, gives every element a stable readable id (the same scheme as structure
recovery's), places notes and builds the back matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from converter.recovery.build import Ids, slug
from converter.tree import append_text

Element = etree._Element


@dataclass
class Block:
    """One block of the source, its kind known.

    ``content`` is what the reader built: for heading, p, item and note an element whose
    text and children are canonical inline content; for table and figure the canonical
    element itself (without an id).  ``level`` is a heading's level (1 = top) or an
    item's list depth (0 = top); items with the same ``list_key`` at one depth share a
    list.  ``back`` names the back-matter section (its role) the block belongs to.
    """

    kind: str  # heading, p, item, table, figure, note, pagebreak
    content: Element | None = None
    src: tuple[int, int] | None = None
    page: int | None = None
    level: int = 1
    ordered: bool = False
    label: str | None = None  # an ordered item's label, a note's, a page break's page
    list_key: object = None
    n: str | None = None
    role: str | None = None  # a section's role (for a heading), a paragraph's role
    grade: str | None = None
    area: str | None = None
    ident: str | None = None  # an id the reader reserved (notes cited before they appear)
    deferred: bool = False  # a note placed at the end of its section, not where it is met
    back: str | None = None


@dataclass
class _OpenList:
    depth: int
    element: Element
    ordered: bool
    key: object


@dataclass
class Outline:
    """Builds body (and back) of a report from blocks, one at a time."""

    root: Element
    ids: Ids = field(default_factory=Ids)

    def __post_init__(self) -> None:
        self.body = self.root.find("body")
        if self.body is None:
            self.body = etree.SubElement(self.root, "body")
        self.top: Element = self.body
        self.container: Element = self.body
        self.sections: list[tuple[int, Element]] = []
        self.lists: list[_OpenList] = []
        self.pending_notes: list[Block] = []
        self.back: Element | None = None
        self.back_role: str | None = None

    # -- blocks ---------------------------------------------------------------------------

    def add(self, block: Block) -> None:
        if block.back is not None and self.back_role != block.back:
            self._enter_back(block)
        if block.kind == "note" and block.deferred:
            self.pending_notes.append(block)
            return
        if block.kind == "item":
            self._item(block)
            return
        self.lists = []
        if block.kind == "heading":
            self._heading(block)
        elif block.kind == "p":
            self._paragraph(block)
        elif block.kind in ("table", "figure"):
            self._whole(block, "table" if block.kind == "table" else "figure")
        elif block.kind == "note":
            # A note standing in the text joins the notes cited before it in the section:
            # they are met first (the print's notes are in the order they are cited).
            self._flush_notes()
            self._note(block)
        elif block.kind == "pagebreak":
            page = block.label or str(block.page or 1)
            etree.SubElement(
                self.container, "pagebreak", {"page": page, "id": self.ids.unique(f"page-{page}")}
            )
        else:
            raise AssertionError(f"no canonical element for a {block.kind!r} block")

    def finish(self) -> None:
        self._flush_notes()
        self.lists = []

    # -- each kind ------------------------------------------------------------------------

    def _heading(self, block: Block) -> None:
        self._flush_notes()
        assert block.content is not None
        level = max(1, block.level)
        if self.back is not None and self.container is self.top and not len(self.top):
            # The heading of a back-matter part, met before anything else in it: the
            # part's own heading, not a section inside it.
            heading = etree.SubElement(
                self.top, "heading", {"id": self.ids.unique(f"{self.top.get('id')}-heading")}
            )
            _where(heading, block)
            _move_content(block.content, heading)
            self.sections = [(level, self.top)]
            return
        while self.sections and self.sections[-1][0] >= level:
            self.sections.pop()
        parent = self.sections[-1][1] if self.sections else self.top
        text = " ".join("".join(str(t) for t in block.content.itertext()).split())
        section = etree.SubElement(
            parent, "section", {"id": self.ids.unique(block.area or slug(text))}
        )
        _where(section, block)
        for name in ("role", "grade", "area"):
            value = getattr(block, name)
            if value:
                section.set(name, value)
        heading = etree.SubElement(
            section, "heading", {"id": self.ids.unique(f"{section.get('id')}-heading")}
        )
        _where(heading, block)
        _move_content(block.content, heading)
        self.sections.append((level, section))
        self.container = section

    def _paragraph(self, block: Block) -> None:
        assert block.content is not None
        ident = self.ids.unique(f"p-{block.n}") if block.n else self.ids.next("para")
        p = etree.SubElement(self.container, "p", {"id": ident})
        _where(p, block)
        if block.n:
            p.set("n", block.n)
        if block.role:
            p.set("role", block.role)
        _move_content(block.content, p)

    def _item(self, block: Block) -> None:
        assert block.content is not None
        depth = max(0, block.level)
        while self.lists and self.lists[-1].depth > depth:
            self.lists.pop()
        if self.lists and self.lists[-1].depth == depth:
            current = self.lists[-1]
            if current.ordered != block.ordered or current.key != block.list_key:
                self.lists.pop()
        if not self.lists or self.lists[-1].depth < depth:
            if self.lists and len(self.lists[-1].element):
                parent = self.lists[-1].element[-1]  # nested in the last item
            else:
                parent = self.container
                self.lists = []
            element = etree.SubElement(
                parent,
                "list",
                {"id": self.ids.next("list"), "type": "ordered" if block.ordered else "bullet"},
            )
            _where(element, block)
            self.lists.append(_OpenList(depth, element, block.ordered, block.list_key))
        current = self.lists[-1]
        current.element.set("src", _merge_src(current.element.get("src"), block.src))
        item = etree.SubElement(current.element, "item", {"id": self.ids.next("item")})
        _where(item, block)
        if block.ordered and block.label:
            item.set("label", block.label)
        _move_content(block.content, item)

    def _whole(self, block: Block, prefix: str) -> None:
        assert block.content is not None
        element = block.content
        element.set("id", self.ids.next(prefix))
        _where(element, block)
        self.container.append(element)

    def _note(self, block: Block) -> None:
        assert block.content is not None
        note = etree.SubElement(
            self.container, "note", {"id": block.ident or self.ids.next("note")}
        )
        _where(note, block)
        if block.label:
            note.set("label", block.label)
        _move_content(block.content, note)

    def _flush_notes(self) -> None:
        """Notes cited in a section close it: a reader meets them before the next heading."""
        pending, self.pending_notes = self.pending_notes, []
        self.lists = []
        for block in pending:
            self._note(block)

    def _enter_back(self, block: Block) -> None:
        self._flush_notes()
        self.lists = []
        if self.back is None:
            self.back = etree.SubElement(self.root, "back")
            body = self.root.find("body")
            if body is not None:
                body.addnext(self.back)
        role = block.back or "about"
        section = etree.SubElement(
            self.back, "section", {"id": self.ids.unique(role), "role": role}
        )
        _where(section, block)
        self.back_role = role
        self.sections = []
        self.top = section
        self.container = section


def _where(element: Element, block: Block) -> None:
    if block.src is not None:
        element.set("src", f"{block.src[0]}-{block.src[1]}")
    if block.page is not None:
        element.set("page", str(block.page))


def _merge_src(current: str | None, src: tuple[int, int] | None) -> str:
    if src is None:
        return current or "1-1"
    if current is None:
        return f"{src[0]}-{src[1]}"
    first, last = (int(x) for x in current.split("-"))
    return f"{min(first, src[0])}-{max(last, src[1])}"


def _move_content(source: Element, target: Element) -> None:
    """Move the inline content (text and children) of ``source`` to the end of ``target``."""
    append_text(target, source.text)
    for child in list(source):
        target.append(child)
