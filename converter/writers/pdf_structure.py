"""Repairs to WeasyPrint's tagged PDF with pikepdf: artifacts and whole tables (issue #2903)."""

from __future__ import annotations

import io
from collections import defaultdict
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


def repair(data: bytes, fragments: list[tuple[str, int]], *, merge_tables: bool = True) -> Repaired:
    """Merge split tables (unless told not to: a control for the tests), scope header cells,
    and turn marked content outside the structure tree into artifacts."""
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
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return Repaired(out.getvalue(), merged, artifacts)


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
