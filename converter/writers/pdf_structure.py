"""Repairs to WeasyPrint's tagged PDF with pikepdf: artifacts, whole tables (its issue
#2903), and for PDF/UA-2 list numbering and structure destinations (ISO 14289-2 8.2.5.25
and 8.8), which WeasyPrint's own pdf/ua-2 output lacks."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

import pikepdf

from converter.errors import OutputError


@dataclass
class Repaired:
    pdf: bytes
    merged_tables: list[str] = field(default_factory=list)  # ids of tables made whole again
    artifacts: int = 0  # marked-content sequences turned into artifacts
    structure_destinations: int = 0  # destinations given a structure element (PDF/UA-2)


#: CSS list-style-type -> PDF 2.0 ListNumbering (ISO 32000-2 Table 376).
LIST_NUMBERING = {
    "disc": "Disc",
    "circle": "Circle",
    "square": "Square",
    "decimal": "Decimal",
    "lower-roman": "LowerRoman",
    "upper-roman": "UpperRoman",
    "lower-alpha": "LowerAlpha",
    "lower-latin": "LowerAlpha",
    "upper-alpha": "UpperAlpha",
    "upper-latin": "UpperAlpha",
}
#: Structure elements that only wrap text: a destination points at the block around them.
_INLINE_ROLES = ("/Span", "/NonStruct", "/Link")


def table_fragments(document: Any) -> list[tuple[str, int]]:
    """(table id, page index) of every table fragment WeasyPrint laid out, in the order its
    tagger makes Table structure elements: page by page, depth first."""
    fragments: list[tuple[str, int]] = []

    def walk(box: Any, page_index: int) -> None:
        if getattr(box, "is_table_wrapper", False) and box.element_tag == "table":
            fragments.append((box.element.get("id", ""), page_index))
        for child in getattr(box, "children", ()):
            walk(child, page_index)

    for index, page in enumerate(document.pages):
        walk(page._page_box, index)
    return fragments


def captions_alone(document: Any) -> list[str]:
    """Ids of tables whose first fragment holds only the caption: a table kept whole
    (break-inside: avoid) that is taller than a page leaves its caption behind."""
    alone: list[str] = []
    seen: set[str] = set()

    def has_rows(box: Any) -> bool:
        return box.element_tag == "tr" or any(
            has_rows(child) for child in getattr(box, "children", ())
        )

    def walk(box: Any) -> None:
        if getattr(box, "is_table_wrapper", False) and box.element_tag == "table":
            table_id = box.element.get("id", "")
            if table_id and table_id not in seen:
                seen.add(table_id)
                table = box.get_wrapped_table()
                if table is None or not has_rows(table):
                    alone.append(table_id)
            return
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return alone


def list_numbering(document: Any) -> list[str]:
    """The ListNumbering of every list fragment WeasyPrint laid out, in the order its tagger
    makes L structure elements (as ``table_fragments``)."""
    numbering: list[str] = []

    def walk(box: Any) -> None:
        if box.element_tag in ("ul", "ol") and not getattr(box, "is_table_wrapper", False):
            style = str(box.style["list_style_type"])
            fallback = "Ordered" if box.element_tag == "ol" else "Unordered"
            numbering.append(LIST_NUMBERING.get(style, fallback))
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return numbering


def repair(
    data: bytes,
    fragments: list[tuple[str, int]],
    *,
    merge_tables: bool = True,
    lists: list[str] | None = None,
    structure_destinations: bool = False,
    xmp: Callable[[pikepdf.Pdf], None] | None = None,
) -> Repaired:
    """Merge split tables (unless told not to: a control for the tests), scope header cells,
    and turn marked content outside the structure tree into artifacts.  For PDF/UA-2, give
    lists their ListNumbering (``lists``) and make every destination a structure
    destination.  ``xmp`` writes our facts into the metadata."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        # The structure tree is walked once, and again only after a repair that moved
        # elements in it (a merged table, a decorative figure taken out): each walk visits
        # every element, and the repairs that only set attributes leave it as it was.
        elements = struct_elements(pdf)
        merged = _merge_tables(elements, fragments) if merge_tables else []
        if merged:
            elements = struct_elements(pdf)
        _scope_header_cells(elements)
        decorative = _decorative_figures(elements)
        if decorative:
            elements = struct_elements(pdf)
        artifacts = _orphans_to_artifacts(pdf, elements, decorative)
        _group_captions(pdf)
        if lists is not None:
            _number_lists(pdf, lists)
        destinations = _structure_destinations(pdf) if structure_destinations else 0
        if xmp is not None:
            xmp(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return Repaired(out.getvalue(), merged, artifacts, destinations)


def _number_lists(pdf: pikepdf.Pdf, numbering: list[str]) -> None:
    """ListNumbering on every L (PDF/UA-2 8.2.5.25-1: required where items have labels)."""
    lists = [e for e in struct_elements(pdf) if e.get("/S") == "/L"]
    if len(lists) != len(numbering):
        raise OutputError(f"found {len(lists)} L structure elements for {len(numbering)} lists")
    for element, value in zip(lists, numbering, strict=True):
        attributes = element.get("/A")
        if not isinstance(attributes, pikepdf.Dictionary):
            attributes = pikepdf.Dictionary(O=pikepdf.Name.List)
            element.A = attributes
        attributes.ListNumbering = pikepdf.Name(f"/{value}")


# -- structure destinations (PDF/UA-2 8.8) ---------------------------------------------------


def _structure_destinations(pdf: pikepdf.Pdf) -> int:
    """Every destination within the document also names the structure element it lands on:
    named destinations (links) become << /D [...] /SD [...] >>, outline items go-to
    actions with /D and /SD.  The element is the one whose text starts first below the
    destination's top on its page (a heading, a paragraph, a note)."""
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    finder = _ElementFinder(pdf)
    count = 0
    catalog_names = pdf.Root.get("/Names")
    names = catalog_names.get("/Dests") if isinstance(catalog_names, pikepdf.Dictionary) else None
    if isinstance(names, pikepdf.Dictionary) and "/Names" in names:
        flat = names.Names
        for i in range(1, len(flat), 2):
            destination = flat[i]
            if isinstance(destination, pikepdf.Array):
                flat[i] = pikepdf.Dictionary(
                    D=destination, SD=_structure_destination(destination, pages, finder)
                )
                count += 1
    outlines = pdf.Root.get("/Outlines")
    stack = [outlines.get("/First")] if outlines is not None else []
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Dictionary):
            continue
        target = item.get("/Dest")
        if isinstance(target, pikepdf.Array):
            item.A = pikepdf.Dictionary(
                S=pikepdf.Name.GoTo,
                D=target,
                SD=_structure_destination(target, pages, finder),
            )
            del item.Dest
            count += 1
        stack.extend(x for x in (item.get("/Next"), item.get("/First")) if x is not None)
    return count


def _structure_destination(
    destination: pikepdf.Array, pages: dict[tuple[int, int], int], finder: _ElementFinder
) -> pikepdf.Array:
    page = pages[destination[0].objgen]
    top = float(destination[3]) if len(destination) > 3 else float("inf")
    element = finder.element_below(page, top)
    return pikepdf.Array([element, *list(destination)[1:]])


class _ElementFinder:
    """Structure elements by where their text starts on the page."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.parents: dict[int, pikepdf.Array] = {}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        for i in range(0, len(nums), 2):
            value = nums[i + 1]
            if isinstance(value, pikepdf.Array):
                self.parents[int(nums[i])] = value
        self.origins: dict[int, list[tuple[float, float, int]]] = {}

    def page_origins(self, page: int) -> list[tuple[float, float, int]]:
        if page not in self.origins:
            self.origins[page] = text_origins(self.pdf.pages[page])
        return self.origins[page]

    def element_below(self, page: int, top: float) -> pikepdf.Dictionary:
        """The block element of the first text at or below ``top`` on a page (else on the
        pages after it; else the document element)."""
        for index in range(page, len(self.pdf.pages)):
            limit = top + 1.0 if index == page else float("inf")
            below = [(y, x, mcid) for x, y, mcid in self.page_origins(index) if y <= limit]
            below.sort(key=lambda found: (-found[0], found[1]))
            for _, _, mcid in below:
                element = self._element(index, mcid)
                if element is not None:
                    return element
        document = self.pdf.Root.StructTreeRoot.K
        found = document[0] if isinstance(document, pikepdf.Array) else document
        assert isinstance(found, pikepdf.Dictionary)
        return found

    def _element(self, page: int, mcid: int) -> pikepdf.Dictionary | None:
        parents = self.parents.get(page)
        if parents is None or mcid >= len(parents):
            return None
        element = parents[mcid]
        if not isinstance(element, pikepdf.Dictionary):
            return None  # an artifact
        while isinstance(element.get("/P"), pikepdf.Dictionary):
            parent = element.P
            assert isinstance(parent, pikepdf.Dictionary)
            if parent.get("/Type") == "/StructTreeRoot" or parent.get("/S") == "/Document":
                break
            inline = element.get("/S") in _INLINE_ROLES
            item_part = element.get("/S") in ("/Lbl", "/LBody") and parent.get("/S") == "/LI"
            if not (inline or item_part):
                break
            element = parent
        return element


def text_origins(page: pikepdf.Page) -> list[tuple[float, float, int]]:
    """(x, y, MCID) of the first glyph of each marked-content sequence with text, in
    default user space."""
    identity: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    ctm, stack = identity, []
    text_matrix = identity
    marks: list[int | None] = []
    found: dict[int, tuple[float, float]] = {}
    for instruction in pikepdf.parse_content_stream(page):
        operands, op = instruction.operands, str(instruction.operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else ctm
        elif op == "cm":
            ctm = multiply(matrix(operands), ctm)
        elif op == "BDC":
            properties = operands[1]
            raw = properties.get("/MCID") if isinstance(properties, pikepdf.Dictionary) else None
            marks.append(int(raw) if raw is not None else None)
        elif op == "BMC":
            marks.append(None)
        elif op == "EMC":
            if marks:
                marks.pop()
        elif op == "BT":
            text_matrix = identity
        elif op == "Tm":
            text_matrix = matrix(operands)
        elif op in ("Tj", "TJ", "'", '"'):
            current = next((m for m in reversed(marks) if m is not None), None)
            if current is not None and current not in found:
                _, _, _, _, x, y = multiply(text_matrix, ctm)
                found[current] = (x, y)
    return [(x, y, mcid) for mcid, (x, y) in found.items()]


def matrix(operands: Any) -> tuple[float, float, float, float, float, float]:
    a, b, c, d, e, f = (float(x) for x in operands)
    return (a, b, c, d, e, f)


def multiply(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _merge_tables(
    elements: list[pikepdf.Dictionary], fragments: list[tuple[str, int]]
) -> list[str]:
    """Make each table split over pages one Table structure element again.

    WeasyPrint tags every page's fragment of a table as its own Table, each with the
    repeated header row.  The later fragments' body rows move into the first fragment's
    TBody; their repeated THead leaves the structure tree (its marked content then becomes
    an artifact, as a repeated header should) and their cells' /Headers point at the first
    fragment's header cells.
    """
    tables = [e for e in elements if e.get("/S") == "/Table"]
    if len(tables) != len(fragments):
        raise OutputError(
            f"found {len(tables)} Table structure elements for {len(fragments)} table fragments"
        )
    by_id: dict[str, list[pikepdf.Dictionary]] = defaultdict(list)
    for (table_id, _), element in zip(fragments, tables, strict=True):
        by_id[table_id].append(element)
    merged = []
    for table_id, parts in by_id.items():
        if len(parts) < 2 or not table_id:
            continue
        _merge_fragments(parts)
        merged.append(table_id)
    return merged


def _merge_fragments(parts: list[pikepdf.Dictionary]) -> None:
    """Move the rows of every later fragment into the first.  The first fragment may hold
    only the caption (the rows moved to the next page): it then adopts the first header
    row group and body it meets."""
    first = parts[0]
    head = _child(first, "/THead")
    body = _child(first, "/TBody")
    header_ids = _header_ids(head)
    for part in parts[1:]:
        renamed: dict[str, pikepdf.Object] = {}
        for kid in _kids(part):
            role = kid.get("/S")
            if role == "/THead" and head is not None:
                # A repeated header row: drop it, point its cells' users at the first one.
                for key, cell_id in _header_ids(kid).items():
                    if key in header_ids:
                        renamed[str(cell_id)] = header_ids[key]
                continue
            if role == "/TBody" and body is not None:
                for row in _kids(kid):
                    _adopt(body, row, renamed)
                continue
            _adopt(first, kid, renamed)
            if role == "/THead":
                head, header_ids = kid, _header_ids(kid)
            elif role == "/TBody":
                body = kid
        _detach(part)


def _adopt(
    parent: pikepdf.Dictionary, element: pikepdf.Dictionary, renamed: dict[str, pikepdf.Object]
) -> None:
    element.P = parent
    if not isinstance(parent.get("/K"), pikepdf.Array):
        parent.K = pikepdf.Array([parent.K] if "/K" in parent else [])
    parent.K.append(element)
    _rename_headers(element, renamed)


def _scope_header_cells(elements: list[pikepdf.Dictionary]) -> None:
    """Give every TH a /Scope (WeasyPrint writes none): Column in a THead, else Row, as our
    XHTML translator only makes body header cells for row headers."""
    for table in (e for e in elements if e.get("/S") == "/Table"):
        head = _child(table, "/THead")
        in_head = {cell.objgen for cell in _descendants(head)} if head is not None else set()
        for cell in _descendants(table):
            if cell.get("/S") != "/TH":
                continue
            attributes = cell.get("/A")
            if not isinstance(attributes, pikepdf.Dictionary):
                attributes = pikepdf.Dictionary(O=pikepdf.Name.Table)
                cell.A = attributes
            if "/Scope" not in attributes:
                scope = "/Column" if cell.objgen in in_head else "/Row"
                attributes.Scope = pikepdf.Name(scope)


def _kids(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    kids = element.get("/K")
    items = kids if isinstance(kids, pikepdf.Array) else [kids]
    return [kid for kid in items if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]


def _child(element: pikepdf.Dictionary, role: str) -> pikepdf.Dictionary | None:
    return next((kid for kid in _kids(element) if kid.get("/S") == role), None)


def _descendants(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    found = [element]
    for kid in _kids(element):
        found.extend(_descendants(kid))
    return found


def _header_ids(head: pikepdf.Dictionary | None) -> dict[str, pikepdf.Object]:
    """The cells of a header row group by their row-column key ("0-1" of ID "12-0-1")."""
    found: dict[str, pikepdf.Object] = {}
    if head is None:
        return found
    for cell in _descendants(head):
        if cell.get("/S") == "/TH" and "/ID" in cell:
            key = str(cell.ID).split("-", 1)[-1]
            found[key] = cell.ID
    return found


def _rename_headers(row: pikepdf.Dictionary, renamed: dict[str, pikepdf.Object]) -> None:
    for cell in _descendants(row):
        attributes = cell.get("/A")
        if not isinstance(attributes, pikepdf.Dictionary) or "/Headers" not in attributes:
            continue
        attributes.Headers = pikepdf.Array(
            [renamed.get(str(ref), ref) for ref in attributes.Headers]
        )


def _detach(element: pikepdf.Dictionary) -> None:
    """Remove an element from its parent, and parents left empty by that (page fragments)."""
    parent = element.get("/P")
    if not isinstance(parent, pikepdf.Dictionary) or "/K" not in parent:
        return
    kids = parent.K if isinstance(parent.K, pikepdf.Array) else pikepdf.Array([parent.K])
    remaining = pikepdf.Array([kid for kid in kids if not _same(kid, element)])
    parent.K = remaining
    if not len(remaining) and parent.get("/S") not in ("/Document", None):
        _detach(parent)


def _same(a: object, b: pikepdf.Dictionary) -> bool:
    return isinstance(a, pikepdf.Dictionary) and a.objgen == b.objgen


def struct_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element reachable from the root, depth first in reading order."""
    root = pdf.Root.get("/StructTreeRoot")
    found: list[pikepdf.Dictionary] = []
    if root is None:
        return found

    def walk(kids: Any) -> None:
        if isinstance(kids, pikepdf.Array):
            for kid in kids:
                walk(kid)
        elif (
            isinstance(kids, pikepdf.Dictionary) and kids.get("/Type") != "/MCR" and ("/S" in kids)
        ):
            found.append(kids)
            walk(kids.get("/K"))

    walk(root.get("/K"))
    return found


def _decorative_figures(elements: list[pikepdf.Dictionary]) -> set[tuple[int, int]]:
    """A decorative image (an img with an empty alt) is not content: its Figure leaves the
    structure tree, so that its drawing becomes a layout artifact, as PDF/UA asks."""
    detached = set()
    for element in elements:
        if element.get("/S") == "/Figure" and not str(element.get("/Alt", "")).strip():
            _detach(element)
            detached.add(element.objgen)
    return detached


def _group_captions(pdf: pikepdf.Pdf) -> None:
    """A figure and its caption grouped in a Sect.  WeasyPrint tags <figure> NonStruct,
    which PDF 2.0 reads through (as it does a Div): the Caption would then stand among the
    section's children, not first or last in a group of its own (PDF/UA-2 8.2.5.27-1)."""
    for element in struct_elements(pdf):
        if element.get("/S") not in ("/NonStruct", "/Div"):
            continue
        kids = element.get("/K")
        kids = kids if isinstance(kids, pikepdf.Array) else pikepdf.Array([kids])
        if any(isinstance(k, pikepdf.Dictionary) and k.get("/S") == "/Caption" for k in kids):
            element.S = pikepdf.Name.Sect


def _orphans_to_artifacts(
    pdf: pikepdf.Pdf,
    elements: list[pikepdf.Dictionary],
    layout: AbstractSet[tuple[int, int]] = frozenset(),
) -> int:
    """Marked content whose structure element hangs off no tree (WeasyPrint's running heads
    and page numbers in margin boxes, decorative images: ``layout``) becomes /Artifact, as
    PDF/UA requires.  ``elements``: the tree's elements (struct_elements)."""
    reachable = {element.objgen for element in elements}
    root = pdf.Root.StructTreeRoot
    nums = root.ParentTree.Nums
    orphans: dict[int, dict[int, str]] = defaultdict(dict)  # page index -> MCID -> kind
    for i in range(0, len(nums), 2):
        key, value = int(nums[i]), nums[i + 1]
        if not isinstance(value, pikepdf.Array):
            continue
        for mcid, element in enumerate(value):
            if isinstance(element, pikepdf.Dictionary) and element.objgen not in reachable:
                kind = "/Layout" if element.objgen in layout else "/Pagination"
                orphans[key][mcid] = kind
                value[mcid] = pikepdf.Dictionary()  # placeholder below
        for mcid in orphans[key]:
            value[mcid] = None
    count = 0
    for index, page in enumerate(pdf.pages):
        if orphans.get(index):
            count += _mark_as_artifacts(pdf, page, orphans[index])
    return count


_BDC = pikepdf.Operator("BDC")  # compared as an object: no string made per instruction


def _mark_as_artifacts(pdf: pikepdf.Pdf, page: pikepdf.Page, mcids: dict[int, str]) -> int:
    instructions = pikepdf.parse_content_stream(page)
    changed = 0
    rewritten: list[pikepdf.ContentStreamInstruction | tuple[Any, Any]] = []
    for instruction in instructions:
        operands, operator = instruction.operands, instruction.operator
        if operator == _BDC and len(operands) == 2:
            properties = operands[1]
            if (
                isinstance(properties, pikepdf.Dictionary)
                and int(properties.get("/MCID", -1)) in mcids
            ):
                kind = mcids[int(properties.get("/MCID", -1))]
                artifact = pikepdf.Dictionary(Type=pikepdf.Name(kind))
                rewritten.append(
                    pikepdf.ContentStreamInstruction([pikepdf.Name.Artifact, artifact], operator)
                )
                changed += 1
                continue
        # Operands and operator as such (no instruction object made for each in Python):
        # written again as a new instruction's would be, numbers normalised (352. -> 352).
        rewritten.append((operands, operator))
    if changed != len(mcids):
        raise OutputError(
            f"found {changed} of {len(mcids)} untagged marked-content sequences on a page"
        )
    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(rewritten))
    return changed
