"""Repairs to WeasyPrint's tagged PDF, made on its pydyf objects just before they are
written (write_pdf's finisher): artifacts, whole tables (its issue #2903), header cell
scopes, caption groups, our facts in the XMP, and for PDF/UA-2 list numbering and structure
destinations (ISO 14289-2 8.2.5.25 and 8.8), which WeasyPrint's own pdf/ua-2 output lacks.
Also the readers of a written file's structure that the checks share (pikepdf)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pydyf

from converter.errors import OutputError

if TYPE_CHECKING:
    import pikepdf

#: A structure element, or another dictionary of the file: a pydyf.Dictionary, untyped.
PdfDict = Any


@dataclass
class Repaired:
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
#: pydyf writes bytes as they are: the PDF null (Python's None would be written "None").
_NULL = b"null"


# -- what the layout knows (box walks, before the PDF is written) ------------------------------


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


# -- the repairs, on pydyf objects ----------------------------------------------------------


def repair(
    pdf: Any,
    fragments: list[tuple[str, int]],
    *,
    merge_tables: bool = True,
    lists: list[str] | None = None,
    structure_destinations: bool = False,
    xmp: bytes | None = None,
) -> Repaired:
    """Repair WeasyPrint's pydyf.PDF in place, before it is written (a write_pdf finisher).

    Merge split tables (unless told not to: a control for the tests), scope header cells,
    turn marked content outside the structure tree into artifacts and group captions.  For
    PDF/UA-2, give lists their ListNumbering (``lists``) and make every destination a
    structure destination.  ``xmp``: an rdf:Description added to the XMP metadata.

    Working on the objects WeasyPrint is about to write costs a walk of the tree and of the
    content streams that change; reading the written file again and saving it (pikepdf)
    cost a tenth of the whole render.
    """
    root = _required(pdf, pdf.catalog["StructTreeRoot"])
    # The structure tree is walked once, and again only after a repair that moved elements
    # in it (a merged table, a decorative figure taken out); the repairs that only set
    # attributes leave it as it was.
    elements = _struct_elements(pdf, root)
    merged = _merge_tables(pdf, elements, fragments) if merge_tables else []
    if merged:
        elements = _struct_elements(pdf, root)
    _scope_header_cells(pdf, elements)
    decorative = _decorative_figures(pdf, elements)
    if decorative:
        elements = _struct_elements(pdf, root)
    artifacts = _orphans_to_artifacts(pdf, root, elements, decorative)
    _group_captions(pdf, elements)
    if lists is not None:
        _number_lists(elements, lists)
    destinations = _structure_destinations(pdf, root) if structure_destinations else 0
    if xmp is not None:
        _add_to_xmp(pdf, xmp)
    return Repaired(merged, artifacts, destinations)


def identified(data: bytes) -> bytes:
    """The written file with a file identifier in its trailer: the MD5 of its bytes, twice
    (ISO 32000-2 14.4: required in PDF 2.0, recommended before).  WeasyPrint's own
    identifier serialises and compresses every object a second time to hash it (a fifth of
    write_pdf); the trailer (a cross-reference stream's dictionary, or the classic one) is
    the file's last dictionary, after every object, so adding an entry to it moves none."""
    start = int(data[data.rindex(b"startxref") + len(b"startxref") :].split()[0])
    opening = data.index(b"<<", start)
    closing = data.index(b">>", opening)
    if b"<<" in data[opening + 2 : closing] or b"/ID" in data[opening:closing]:
        raise OutputError("the PDF trailer is not the flat dictionary WeasyPrint writes")
    digest = hashlib.md5(data, usedforsecurity=False).hexdigest().encode("ascii")
    entry = b"/ID [<" + digest + b"> <" + digest + b">]"
    return data[:closing] + entry + data[closing:]


def _object(pdf: Any, reference: object) -> PdfDict | None:
    """The object a pydyf reference (b"12 0 R") names; None for anything else (an MCID, a
    null, a direct object)."""
    if isinstance(reference, bytes) and reference.endswith(b" R"):
        return pdf.objects[int(reference.split(b" ", 1)[0])]
    return None


def _required(pdf: Any, reference: object) -> PdfDict:
    """The object a reference WeasyPrint always writes names (the tree's root, a page's
    contents, the XMP packet)."""
    found = _object(pdf, reference)
    if found is None:
        raise OutputError(f"WeasyPrint's PDF names no object where expected ({reference!r})")
    return found


def _page_contents(pdf: Any, page: bytes) -> list[Any]:
    """The operations of a page's content stream (WeasyPrint writes one stream a page)."""
    stream = _required(pdf, _required(pdf, page)["Contents"])
    operations: list[Any] = stream.stream
    return operations


def _kids(pdf: Any, element: PdfDict) -> list[PdfDict]:
    """The structure elements among an element's kids (not its MCIDs, not its OBJRs)."""
    kids = element.get("K")
    found = []
    for kid in kids if isinstance(kids, list) else [kids]:
        value = _object(pdf, kid)
        if isinstance(value, pydyf.Dictionary) and "S" in value:
            found.append(value)
    return found


def _struct_elements(pdf: Any, root: PdfDict) -> list[PdfDict]:
    """Every structure element reachable from the root, depth first in reading order."""
    found: list[PdfDict] = []

    def walk(element: PdfDict) -> None:
        found.append(element)
        for kid in _kids(pdf, element):
            walk(kid)

    for top in _kids(pdf, root):
        walk(top)
    return found


def _child(pdf: Any, element: PdfDict, role: str) -> PdfDict | None:
    return next((kid for kid in _kids(pdf, element) if kid.get("S") == role), None)


def _descendants(pdf: Any, element: PdfDict) -> list[PdfDict]:
    found = [element]
    for kid in _kids(pdf, element):
        found.extend(_descendants(pdf, kid))
    return found


def _number_lists(elements: list[PdfDict], numbering: list[str]) -> None:
    """ListNumbering on every L (PDF/UA-2 8.2.5.25-1: required where items have labels)."""
    lists = [e for e in elements if e.get("S") == "/L"]
    if len(lists) != len(numbering):
        raise OutputError(f"found {len(lists)} L structure elements for {len(numbering)} lists")
    for element, value in zip(lists, numbering, strict=True):
        attributes = element.get("A")
        if not isinstance(attributes, pydyf.Dictionary):
            attributes = pydyf.Dictionary({"O": "/List"})
            element["A"] = attributes
        attributes["ListNumbering"] = f"/{value}"


# -- tables ------------------------------------------------------------------------------------


def _merge_tables(pdf: Any, elements: list[PdfDict], fragments: list[tuple[str, int]]) -> list[str]:
    """Make each table split over pages one Table structure element again.

    WeasyPrint tags every page's fragment of a table as its own Table, each with the
    repeated header row.  The later fragments' body rows move into the first fragment's
    TBody; their repeated THead leaves the structure tree (its marked content then becomes
    an artifact, as a repeated header should) and their cells' /Headers point at the first
    fragment's header cells.
    """
    tables = [e for e in elements if e.get("S") == "/Table"]
    if len(tables) != len(fragments):
        raise OutputError(
            f"found {len(tables)} Table structure elements for {len(fragments)} table fragments"
        )
    by_id: dict[str, list[PdfDict]] = defaultdict(list)
    for (table_id, _), element in zip(fragments, tables, strict=True):
        by_id[table_id].append(element)
    merged = []
    for table_id, parts in by_id.items():
        if len(parts) < 2 or not table_id:
            continue
        _merge_fragments(pdf, parts)
        merged.append(table_id)
    return merged


def _merge_fragments(pdf: Any, parts: list[PdfDict]) -> None:
    """Move the rows of every later fragment into the first.  The first fragment may hold
    only the caption (the rows moved to the next page): it then adopts the first header
    row group and body it meets."""
    first = parts[0]
    head = _child(pdf, first, "/THead")
    body = _child(pdf, first, "/TBody")
    header_ids = _header_ids(pdf, head)
    for part in parts[1:]:
        renamed: dict[str, Any] = {}
        for kid in _kids(pdf, part):
            role = kid.get("S")
            if role == "/THead" and head is not None:
                # A repeated header row: drop it, point its cells' users at the first one.
                for key, cell_id in _header_ids(pdf, kid).items():
                    if key in header_ids:
                        renamed[cell_id.string] = header_ids[key]
                continue
            if role == "/TBody" and body is not None:
                for row in _kids(pdf, kid):
                    _adopt(pdf, body, row, renamed)
                continue
            _adopt(pdf, first, kid, renamed)
            if role == "/THead":
                head, header_ids = kid, _header_ids(pdf, kid)
            elif role == "/TBody":
                body = kid
        _detach(pdf, part)


def _adopt(pdf: Any, parent: PdfDict, element: PdfDict, renamed: dict[str, Any]) -> None:
    element["P"] = parent.reference
    if not isinstance(parent.get("K"), list):
        parent["K"] = pydyf.Array([parent["K"]] if "K" in parent else [])
    parent["K"].append(element.reference)
    _rename_headers(pdf, element, renamed)


def _scope_header_cells(pdf: Any, elements: list[PdfDict]) -> None:
    """Give every TH a /Scope (WeasyPrint writes none): Column in a THead, else Row, as our
    XHTML translator only makes body header cells for row headers."""
    for table in (e for e in elements if e.get("S") == "/Table"):
        head = _child(pdf, table, "/THead")
        in_head = {cell.number for cell in _descendants(pdf, head)} if head is not None else set()
        for cell in _descendants(pdf, table):
            if cell.get("S") != "/TH":
                continue
            attributes = cell.get("A")
            if not isinstance(attributes, pydyf.Dictionary):
                attributes = pydyf.Dictionary({"O": "/Table"})
                cell["A"] = attributes
            if "Scope" not in attributes:
                attributes["Scope"] = "/Column" if cell.number in in_head else "/Row"


def _header_ids(pdf: Any, head: PdfDict | None) -> dict[str, Any]:
    """The cells of a header row group by their row-column key ("0-1" of ID "12-0-1")."""
    found: dict[str, Any] = {}
    if head is None:
        return found
    for cell in _descendants(pdf, head):
        if cell.get("S") == "/TH" and "ID" in cell:
            found[cell["ID"].string.split("-", 1)[-1]] = cell["ID"]
    return found


def _rename_headers(pdf: Any, row: PdfDict, renamed: dict[str, Any]) -> None:
    for cell in _descendants(pdf, row):
        attributes = cell.get("A")
        if not isinstance(attributes, pydyf.Dictionary) or "Headers" not in attributes:
            continue
        attributes["Headers"] = pydyf.Array(
            [renamed.get(header.string, header) for header in attributes["Headers"]]
        )


def _detach(pdf: Any, element: PdfDict) -> None:
    """Remove an element from its parent, and parents left empty by that (page fragments)."""
    parent = _object(pdf, element.get("P"))
    if not isinstance(parent, pydyf.Dictionary) or "K" not in parent:
        return
    reference = element.reference
    kids = parent["K"] if isinstance(parent["K"], list) else [parent["K"]]
    remaining = pydyf.Array([kid for kid in kids if kid != reference])
    parent["K"] = remaining
    if not remaining and parent.get("S") not in ("/Document", None):
        _detach(pdf, parent)


# -- figures, captions, artifacts --------------------------------------------------------------


def _decorative_figures(pdf: Any, elements: list[PdfDict]) -> set[int]:
    """A decorative image (an img with an empty alt) is not content: its Figure leaves the
    structure tree, so that its drawing becomes a layout artifact, as PDF/UA asks."""
    detached = set()
    for element in elements:
        alt = element.get("Alt")
        if element.get("S") == "/Figure" and not (alt is not None and str(alt.string).strip()):
            _detach(pdf, element)
            detached.add(element.number)
    return detached


def _group_captions(pdf: Any, elements: list[PdfDict]) -> None:
    """A figure and its caption grouped in a Sect.  WeasyPrint tags <figure> NonStruct,
    which PDF 2.0 reads through (as it does a Div): the Caption would then stand among the
    section's children, not first or last in a group of its own (PDF/UA-2 8.2.5.27-1)."""
    for element in elements:
        if element.get("S") not in ("/NonStruct", "/Div"):
            continue
        if any(kid.get("S") == "/Caption" for kid in _kids(pdf, element)):
            element["S"] = "/Sect"


def _orphans_to_artifacts(
    pdf: Any, root: PdfDict, elements: list[PdfDict], layout: AbstractSet[int] = frozenset()
) -> int:
    """Marked content whose structure element hangs off no tree (WeasyPrint's running heads
    and page numbers in margin boxes, decorative images: ``layout``) becomes /Artifact, as
    PDF/UA requires.  ``elements``: the tree's elements (_struct_elements)."""
    reachable = {element.number for element in elements}
    nums = _required(pdf, root["ParentTree"])["Nums"]
    pages = pdf.page_references
    count = 0
    for i in range(0, len(nums), 2):
        key, owners = nums[i], nums[i + 1]
        if not isinstance(owners, list):
            continue  # an annotation's own entry
        kinds: dict[int, str] = {}
        for mcid, reference in enumerate(owners):
            element = _object(pdf, reference)
            if element is not None and element.number not in reachable:
                kinds[mcid] = "/Layout" if element.number in layout else "/Pagination"
                owners[mcid] = _NULL
        if kinds:
            count += _mark_as_artifacts(_page_contents(pdf, pages[key]), kinds)
    return count


def _mark_as_artifacts(operations: list[Any], kinds: dict[int, str]) -> int:
    """Rewrite the marked-content sequences of the given MCIDs as artifacts of their kind.
    WeasyPrint's content stream is a list of pydyf operations: a BDC is the tag (a name),
    its property list (a dictionary with the MCID) and the operator, one item each."""
    changed = 0
    for index, operation in enumerate(operations):
        if not isinstance(operation, pydyf.Dictionary):
            continue
        mcid = operation.get("MCID")
        if mcid in kinds and operations[index + 1 : index + 2] == [b"BDC"]:
            operations[index - 1] = "/Artifact"
            operations[index] = pydyf.Dictionary({"Type": kinds[mcid]})
            changed += 1
    if changed != len(kinds):
        raise OutputError(
            f"found {changed} of {len(kinds)} untagged marked-content sequences on a page"
        )
    return changed


# -- XMP ---------------------------------------------------------------------------------------


def _add_to_xmp(pdf: Any, description: bytes) -> None:
    """Add an rdf:Description to the XMP packet WeasyPrint wrote (its own RDF, one block)."""
    metadata = _required(pdf, pdf.catalog["Metadata"])
    [packet] = metadata.stream
    if packet.count(b"</rdf:RDF>") != 1:
        raise OutputError("the XMP metadata is not the one RDF block WeasyPrint writes")
    metadata.stream = [packet.replace(b"</rdf:RDF>", description + b"</rdf:RDF>")]


# -- structure destinations (PDF/UA-2 8.8) ---------------------------------------------------


def _structure_destinations(pdf: Any, root: PdfDict) -> int:
    """Every destination within the document also names the structure element it lands on:
    named destinations (links) become << /D [...] /SD [...] >>, outline items go-to
    actions with /D and /SD.  The element is the one whose text starts first below the
    destination's top on its page (a heading, a paragraph, a note)."""
    finder = _ElementFinder(pdf, root)
    count = 0
    catalog_names = pdf.catalog.get("Names")
    names = catalog_names.get("Dests") if isinstance(catalog_names, dict) else None
    if isinstance(names, dict) and "Names" in names:
        flat = names["Names"]
        for i in range(1, len(flat), 2):
            destination = flat[i]
            if isinstance(destination, list):
                flat[i] = pydyf.Dictionary(
                    {"D": destination, "SD": finder.structure_destination(destination)}
                )
                count += 1
    outlines = _object(pdf, pdf.catalog.get("Outlines"))
    stack = [_object(pdf, outlines.get("First"))] if outlines is not None else []
    while stack:
        item = stack.pop()
        if not isinstance(item, pydyf.Dictionary):
            continue
        target = item.get("Dest")
        if isinstance(target, list):
            item["A"] = pydyf.Dictionary(
                {"S": "/GoTo", "D": target, "SD": finder.structure_destination(target)}
            )
            del item["Dest"]
            count += 1
        stack.extend(_object(pdf, item.get(key)) for key in ("Next", "First") if key in item)
    return count


class _ElementFinder:
    """Structure elements by where their text starts on the page."""

    def __init__(self, pdf: Any, root: PdfDict) -> None:
        self.pdf = pdf
        self.root = root
        self.pages = pdf.page_references
        self.page_index = {reference: index for index, reference in enumerate(self.pages)}
        self.parents: dict[int, list[Any]] = {}
        nums = _required(pdf, root["ParentTree"])["Nums"]
        for i in range(0, len(nums), 2):
            if isinstance(nums[i + 1], list):
                self.parents[nums[i]] = nums[i + 1]
        self.origins: dict[int, list[tuple[float, float, int]]] = {}

    def structure_destination(self, destination: list[Any]) -> pydyf.Array:
        """[element, /XYZ, left, top, zoom] for a destination [page, /XYZ, left, top, zoom]."""
        page = self.page_index[destination[0]]
        top = float(destination[3]) if len(destination) > 3 else float("inf")
        element = self.element_below(page, top)
        return pydyf.Array([element.reference, *destination[1:]])

    def page_origins(self, page: int) -> list[tuple[float, float, int]]:
        if page not in self.origins:
            self.origins[page] = text_origins(_page_contents(self.pdf, self.pages[page]))
        return self.origins[page]

    def element_below(self, page: int, top: float) -> PdfDict:
        """The block element of the first text at or below ``top`` on a page (else on the
        pages after it; else the document element)."""
        for index in range(page, len(self.pages)):
            limit = top + 1.0 if index == page else float("inf")
            below = [(y, x, mcid) for x, y, mcid in self.page_origins(index) if y <= limit]
            below.sort(key=lambda found: (-found[0], found[1]))
            for _, _, mcid in below:
                element = self._element(index, mcid)
                if element is not None:
                    return element
        return _kids(self.pdf, self.root)[0]

    def _element(self, page: int, mcid: int) -> PdfDict | None:
        parents = self.parents.get(page)
        if parents is None or mcid >= len(parents):
            return None
        element = _object(self.pdf, parents[mcid])
        if not isinstance(element, pydyf.Dictionary):
            return None  # an artifact
        while True:
            parent = _object(self.pdf, element.get("P"))
            if not isinstance(parent, pydyf.Dictionary):
                break
            if parent.get("Type") == "/StructTreeRoot" or parent.get("S") == "/Document":
                break
            inline = element.get("S") in _INLINE_ROLES
            item_part = element.get("S") in ("/Lbl", "/LBody") and parent.get("S") == "/LI"
            if not (inline or item_part):
                break
            element = parent
        return element


_TEXT_SHOWING = (b"Tj", b"TJ", b"'", b'"')


def text_origins(operations: list[Any]) -> list[tuple[float, float, int]]:
    """(x, y, MCID) of the first glyph of each marked-content sequence with text, in
    default user space, from a pydyf content stream: one operation an item, bytes ending
    with the operator, a BDC's tag and property list items of their own before it."""
    identity: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    ctm, stack = identity, []
    text_matrix = identity
    marks: list[int | None] = []
    found: dict[int, tuple[float, float]] = {}
    for index, operation in enumerate(operations):
        if not isinstance(operation, bytes):
            continue  # a BDC's tag or property list: read at the operator
        operator = operation[operation.rfind(b" ") + 1 :]
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q":
            ctm = stack.pop() if stack else ctm
        elif operator == b"cm":
            ctm = multiply(matrix(operation.split()[:6]), ctm)
        elif operator == b"BDC":
            properties = operations[index - 1]
            mcid = properties.get("MCID") if isinstance(properties, dict) else None
            marks.append(mcid if isinstance(mcid, int) else None)
        elif operator == b"BMC":
            marks.append(None)
        elif operator == b"EMC":
            if marks:
                marks.pop()
        elif operator == b"BT":
            text_matrix = identity
        elif operator == b"Tm":
            text_matrix = matrix(operation.split()[:6])
        elif operator in _TEXT_SHOWING:
            current = next((m for m in reversed(marks) if m is not None), None)
            if current is not None and current not in found:
                _, _, _, _, x, y = multiply(text_matrix, ctm)
                found[current] = (x, y)
    return [(x, y, mcid) for mcid, (x, y) in found.items()]


# -- reading a written file (the checks and tests share these) -------------------------------


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


def struct_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element reachable from the root of a written file (pikepdf), depth
    first in reading order."""
    import pikepdf

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
