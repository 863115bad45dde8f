"""What a change in a structure review costs: the work a worker does for one fix.

    python bench/bench_review.py

For the planted tree, the sample and every corpus PDF (the longest documents): the
structure review itself, one fix applied (the tree copied, edited and validated against
the schema), the findings described for the page, and the preview of the changed page
(the whole large-print PDF written, the page found and drawn), side by side with a plain
PDF conversion of the same tree: the preview is the cost that grows with the document.
Each figure is the median of three runs, in milliseconds.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from converter import fixes, parse, review, writers
from converter.options import Options
from converter.service import reviewing

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
RUNS = 3


def median_ms(work: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def a_fix(root: etree._Element) -> fixes.Fix | None:
    """The first suggested fix, or else a paragraph joined with the next one (None: a
    document of tables, with no two paragraphs in a row)."""
    for finding in review.review(root):
        if finding.fix is not None:
            detail = dict(finding.fix.detail)
            if finding.fix.kind == "describe-image":
                detail["description"] = "A picture."  # what a person would type
            return fixes.Fix(finding.fix.kind, finding.fix.target, detail)
    for p in root.iter("p"):
        following = p.getnext()
        if following is not None and following.tag == "p" and p.get("id"):
            return fixes.Fix("join-next", p.get("id"))
    return None


def measure(path: Path, image: Path) -> tuple[str, ...]:
    root = parse(path).getroot()
    fix = a_fix(root)
    options = Options()
    pdf = writers.get("pdf")
    review_ms = median_ms(lambda: review.review(root))
    fix_ms = (
        median_ms(lambda: fixes.apply(etree.fromstring(etree.tostring(root)), fix))
        if fix is not None
        else float("nan")
    )
    describe_ms = median_ms(lambda: reviewing.describe(root, None))
    focus = fix.target if fix is not None else None
    preview_ms = median_ms(lambda: reviewing.draw_preview(root, focus, options, image))
    pdf_ms = median_ms(lambda: pdf.write(root, options))
    pages = root.find("meta/source")
    count = pages.get("pages", "") if pages is not None else ""
    return (
        path.name[:40],
        count or "-",
        f"{review_ms:.1f}",
        f"{fix_ms:.1f}",
        f"{describe_ms:.1f}",
        f"{preview_ms:.0f}",
        f"{pdf_ms:.0f}",
        f"{preview_ms / pdf_ms:.2f}",
    )


def main() -> int:
    sources = [REPO / "tests" / "fixtures" / "xml" / "review-planted.xml"]
    sources.append(REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt")
    if CORPUS.is_dir():
        sources += sorted(CORPUS.glob("*.pdf"))
    else:
        print(f"{CORPUS} is absent: the planted tree and the sample only", file=sys.stderr)
    header = ("document", "pages", "review", "fix", "describe", "preview", "pdf", "ratio")
    widths = (40, 6, 8, 8, 9, 8, 8, 6)
    print(
        "".join(
            f"{h:>{w}}" if i else f"{h:{w}}"
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "preview.png"
        for source in sources:
            row = measure(source, image)
            print(
                "".join(
                    f"{c:>{w}}" if i else f"{c:{w}}"
                    for i, (c, w) in enumerate(zip(row, widths, strict=True))
                )
            )
    print("ms, median of 3; ratio = preview / plain PDF conversion of the same tree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
