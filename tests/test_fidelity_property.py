"""Property: report-like text with the mess of a printed page (running heads and feet, page
numbers at the top or the foot, paragraphs split by page breaks, footnotes with markers
glued to their words, tables flattened into label/value lines) keeps every word and gives no
structure-review finding."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter.readers import read
from converter.readers.decode import decode_text
from converter.review import review
from converter.tree import schema_errors
from converter.words import account

_NOUNS = [
    "council",
    "plan",
    "service",
    "carers",
    "families",
    "schools",
    "records",
    "budget",
    "library",
    "parks",
    "housing",
    "transport",
    "staff",
    "training",
    "visits",
    "meetings",
    "reviews",
    "children",
    "teams",
    "support",
    "health",
    "care",
]
_WORDS = [
    "council",
    "plan",
    "service",
    "carers",
    "families",
    "schools",
    "records",
    "budget",
    "library",
    "parks",
    "housing",
    "transport",
    "staff",
    "training",
    "visits",
    "meetings",
    "reviews",
    "children",
    "teams",
    "support",
    "health",
    "care",
    "helps",
    "keeps",
    "shows",
    "needs",
    "makes",
    "gives",
    "local",
    "new",
    "more",
    "most",
    "many",
    "clear",
    "timely",
    "careful",
    "regular",
    "every",
    "year",
    "week",
    "month",
    "town",
    "village",
    "area",
    "quickly",
    "well",
    "often",
]
#: Varied per page: a line repeated on every page is a running head by rights.
_MONTHS = ("", "January", "February", "March", "April", "May")
_LABELS = ("Reference", "Owner", "Review date", "Status", "Area")
_WIDTH = 72


@dataclass
class Page:
    lines: list[str]


def _sentence(words: list[str]) -> str:
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


sentences = st.lists(st.sampled_from(_WORDS), min_size=4, max_size=14).map(_sentence)
paragraphs = st.lists(sentences, min_size=1, max_size=4).map(" ".join)
headings = st.lists(st.sampled_from(_NOUNS), min_size=2, max_size=4, unique=True).map(
    lambda words: " ".join(words).capitalize()
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A report of two to four pages, each page's text built from blocks, then laid out
    with its furniture; one paragraph may cite a footnote printed at its page's foot."""
    pages = draw(st.integers(min_value=2, max_value=4))
    header = draw(st.sampled_from(["", "Parish annual report 2024"]))
    numbers_at_top = draw(st.booleans())
    number_style = draw(st.sampled_from(["{n}", "Page {n} of {m}"]))
    footer = draw(st.sampled_from(["", "Published by the parish council, 12 March 2024"]))
    body: list[list[str]] = []
    for index in range(pages):
        blocks: list[str] = []
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            kind = draw(st.sampled_from(["heading", "paragraph", "paragraph", "list", "table"]))
            if kind == "heading":
                blocks.append(draw(headings))
            elif kind == "list":
                items = draw(st.lists(sentences, min_size=2, max_size=3))
                blocks.append("\n".join(f"\u2022 {item}" for item in items))
            elif kind == "table" and index == 0:
                labels = draw(
                    st.lists(st.sampled_from(_LABELS), min_size=2, max_size=4, unique=True)
                )
                values = [draw(st.sampled_from(_NOUNS)).capitalize() for _ in labels]
                blocks.append(
                    "\n".join(f"{label}:" for label in labels) + "\n\n" + "\n".join(values)
                )
            else:
                blocks.append("\n".join(textwrap.wrap(draw(paragraphs), _WIDTH)))
        body.append(blocks)
    # A footnote: a marker on the first paragraph's last word, the note at that page's foot.
    note = None
    first_page = body[0]
    for position, block in enumerate(first_page):
        if block.endswith(".") and not block.startswith("\u2022") and ":" not in block:
            first_page[position] = block[:-1] + "1."
            note = _sentence(draw(st.lists(st.sampled_from(_WORDS), min_size=5, max_size=10)))
            break
    # A paragraph run over the page break, split mid-sentence (its continuation in lower case).
    split = draw(st.booleans())
    text: list[str] = []
    for index, blocks in enumerate(body, start=1):
        page: list[str] = []
        if header:
            page += [header, ""]
        if numbers_at_top:
            page += [number_style.format(n=index, m=pages), ""]
        if split and index > 1:  # the rest of the paragraph the last page broke off
            page += [f"staff on Saturdays and in {_MONTHS[index]}.", ""]
        page += ["\n\n".join(blocks)]
        if split and index < pages:
            page += ["", f"In {_MONTHS[index]} the review found that the library needs more"]
        if note is not None and index == 1:
            page += ["", "1", "", note]
        if footer:
            page += ["", footer]
        if not numbers_at_top:
            page += ["", number_style.format(n=index, m=pages)]
        text.append("Parish report\n\n" + "\n".join(page) if index == 1 else "\n".join(page))
    return "\n\f".join(text) + "\n\f"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_report_like_text_keeps_every_word_and_gives_no_finding(document: str) -> None:
    data = document.encode("utf-8")
    root = read(data, name="generated.txt")
    assert schema_errors(root) == []
    words = account(decode_text(data, source="generated.txt"), root)
    assert words.ok, (dict(words.lost), dict(words.invented))
    assert [f.line() for f in review(root)] == []
    # Furniture is set aside, never left in the text a reader meets.
    body = " ".join(" ".join(e.itertext()) for e in root.iterfind("body"))
    assert "Published by the parish council" not in body
    assert "Parish annual report 2024" not in body
    if "needs more\n" in document:  # the paragraph the page broke is one again
        paragraphs = [" ".join(" ".join(p.itertext()).split()) for p in root.iter("p")]
        assert any("the library needs more staff on Saturdays" in p for p in paragraphs)
