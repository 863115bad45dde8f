"""Heading levels in PDF sources: from type sizes, from H1-H6 tags, and never skipped."""

from __future__ import annotations

import io

import pikepdf
import pytest
from lxml import etree

from converter import api
from converter.readers import pdf
from converter.recovery import SourceLine, recover
from converter.tree import schema_errors
from converter.words import account

BODY = (
    "<p>The committee met four times this year and agreed every item on its list, "
    "with the help of volunteers from the village.</p>"
)

# Two sizes of heading under the title; no tags, so only the sizes tell the levels.
SIZES = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Village hall report</title>
<style>body {{ font-family: sans-serif; font-size: 11pt }}
h1 {{ font-size: 24pt }} h2 {{ font-size: 17pt }} h3 {{ font-size: 13pt }}</style></head><body>
<h1>Village hall report</h1>{BODY}
<h2>Our year</h2>{BODY}
<h3>Repairs to the roof</h3>{BODY}
<h3>New chairs</h3>{BODY}
<h2>Next year</h2>{BODY}
<h3>Money</h3>{BODY}
</body></html>
"""

# Every heading set alike, so only the tags tell the levels; H4 straight after H2 skips one.
TAGS = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Village hall report</title>
<style>body {{ font-family: sans-serif; font-size: 11pt }}
h1 {{ font-size: 24pt }} h2, h3, h4 {{ font-size: 13pt; font-weight: bold }}</style></head><body>
<h1>Village hall report</h1>{BODY}
<h2>Our year</h2>{BODY}
<h4>Repairs to the roof</h4>{BODY}
<h3>New chairs</h3>{BODY}
<h2>Next year</h2>{BODY}
<h3>Money</h3>{BODY}
</body></html>
"""


def make_pdf(html: str, *, tagged: bool) -> bytes:
    from weasyprint import HTML as Document

    variant = {"pdf_variant": "pdf/ua-1"} if tagged else {}
    return bytes(Document(string=html).write_pdf(**variant))


def outline(root: etree._Element) -> list[tuple[int, str]]:
    """(depth, heading text) of every body section, in document order."""
    body = root.find("body")
    assert body is not None
    return [
        (
            len([a for a in s.iterancestors() if a.tag == "section"]) + 1,
            " ".join("".join(s.findtext("heading") or "").split()),
        )
        for s in body.iter("section")
    ]


def read(data: bytes) -> etree._Element:
    root = api.parse(data, format="pdf").getroot()
    assert schema_errors(root) == []
    words = account(pdf.text_layer(data), root)
    assert not words.lost and not words.invented
    return root


@pytest.fixture(scope="module")
def sizes_pdf() -> bytes:
    return make_pdf(SIZES, tagged=False)


@pytest.fixture(scope="module")
def tags_pdf() -> bytes:
    return make_pdf(TAGS, tagged=True)


def test_nesting_from_font_sizes(sizes_pdf: bytes) -> None:
    assert "/StructTreeRoot" not in pikepdf.open(io.BytesIO(sizes_pdf)).Root
    assert outline(read(sizes_pdf)) == [
        (1, "Our year"),
        (2, "Repairs to the roof"),
        (2, "New chairs"),
        (1, "Next year"),
        (2, "Money"),
    ]


def test_nesting_from_tags_and_no_skipped_level(tags_pdf: bytes) -> None:
    layouts, info = pdf.extract(tags_pdf, name="tags.pdf")
    assert info.tagged
    levels = {
        line.text: line.heading_level for line in pdf.source_lines(layouts).content if line.text
    }
    assert levels["Repairs to the roof"] == 4 and levels["New chairs"] == 3
    # H4 under H2 nests one level down, never two; the H3 after it is its sibling.
    assert outline(read(tags_pdf)) == [
        (1, "Our year"),
        (2, "Repairs to the roof"),
        (2, "New chairs"),
        (1, "Next year"),
        (2, "Money"),
    ]


def lines_of(headings: list[tuple[str, float, bool, int | None]]) -> list[SourceLine]:
    """A heading line then a body line for each (text, size, bold, tag level)."""
    lines: list[SourceLine] = []
    for text, size, bold, level in headings:
        number = len(lines) + 1
        lines.append(SourceLine(number, text, font_size=size, bold=bold, heading_level=level))
        lines.append(SourceLine(number + 1, ""))
        lines.append(
            SourceLine(number + 2, "A sentence of body text about it.", font_size=10, bold=False)
        )
        lines.append(SourceLine(number + 3, ""))
    return lines


def depths(root: etree._Element) -> list[int]:
    assert schema_errors(root) == []
    return [depth for depth, _ in outline(root)]


def test_sizes_rank_headings_and_bold_ranks_above_regular() -> None:
    lines = lines_of(
        [
            ("Report title", 24, True, None),
            ("Part one", 16, True, None),
            ("Chapter", 12, True, None),
            ("Aside", 12, False, None),
            ("Part two", 16, True, None),
        ]
    )
    assert depths(recover(lines, recognisers=())) == [1, 2, 3, 1]


def test_one_heading_size_stays_flat() -> None:
    lines = lines_of(
        [("Title", 20, True, None), ("First", 14, True, None), ("Second", 14, True, None)]
    )
    assert depths(recover(lines, recognisers=())) == [1, 1]


def test_levels_never_skip_and_may_start_below_one() -> None:
    lines = lines_of(
        [
            ("Title", 20, True, None),
            ("Opening", 12, True, 3),  # deeper than anything before it: still top level
            ("Part", 12, True, 1),
            ("Deep", 12, True, 5),  # two levels skipped: nests one down
            ("Deeper", 12, True, 6),
            ("Middle", 12, True, 3),  # closes Deep and Deeper, sits beside Deep
            ("Part again", 12, True, 1),
        ]
    )
    assert depths(recover(lines, recognisers=())) == [1, 1, 2, 3, 2, 1]


def test_untagged_heading_takes_the_level_of_its_type() -> None:
    lines = lines_of(
        [
            ("Title", 20, True, None),
            ("Part", 16, True, 1),
            ("Section", 13, True, 2),
            ("Another section", 13, True, None),  # same type as a tagged H2
            ("Smaller still", 11, True, None),  # below every tagged type: one under H2
        ]
    )
    assert depths(recover(lines, recognisers=())) == [1, 2, 2, 3]
