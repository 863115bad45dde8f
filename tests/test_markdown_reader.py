"""The Markdown reader maps headings, lists, tables, links and emphasis to the canonical schema."""

from __future__ import annotations

from lxml import etree

from converter import parse
from converter.tree import schema_errors

DOCUMENT = """# Inspection of Anytown services

Intro paragraph with *emphasis*, **strong words** and a [link](https://example.org/a).

## What needs to improve?

- First item
- Second item
  - nested item

## Findings

1. Numbered one.
2. Numbered two.

| Judgement | Grade |
|-----------|-------|
| Overall   | Good  |

### Detail

> A quoted paragraph.

```
code block text
```
"""


def md(text: str) -> etree._Element:
    root = parse(text.encode("utf-8"), format="md").getroot()
    assert schema_errors(root) == []
    return root


def flat(element: etree._Element | None) -> str:
    assert element is not None
    return " ".join("".join(str(t) for t in element.itertext()).split())


def test_title_from_first_heading() -> None:
    root = md(DOCUMENT)
    assert root.findtext("meta/title") == "Inspection of Anytown services"
    assert root.find("meta/source").get("format") == "md"  # type: ignore[union-attr]


def test_sections_nest_by_level() -> None:
    root = md(DOCUMENT)
    assert [s.get("id") for s in root.iterfind("body/section")] == [
        "what-needs-to-improve",
        "findings",
    ]
    assert root.find("body/section[@id='findings']/section[@id='detail']") is not None


def test_inline_markup() -> None:
    p = md(DOCUMENT).find("body/p")
    assert p is not None
    assert p.findtext("em") == "emphasis" and p.findtext("strong") == "strong words"
    link = p.find("a")
    assert link is not None and link.get("href") == "https://example.org/a" and link.text == "link"


def test_lists_nested_and_ordered() -> None:
    root = md(DOCUMENT)
    bullets = root.find("body/section[@id='what-needs-to-improve']/list")
    assert bullets is not None and bullets.get("type") == "bullet"
    assert [flat(i) for i in bullets.findall("item")][0] == "First item"
    assert flat(bullets.find("item[2]/list/item")) == "nested item"
    ordered = root.find("body/section[@id='findings']/list")
    assert ordered is not None and ordered.get("type") == "ordered"
    assert [i.get("label") for i in ordered] == ["1.", "2."]


def test_table_with_header_cells() -> None:
    table = md(DOCUMENT).find(".//table")
    assert table is not None
    assert [c.get("scope") for c in table.iterfind("head/row/cell")] == ["col", "col"]
    assert [flat(c) for c in table.iterfind("row/cell")] == ["Overall", "Good"]


def test_quote_and_code_are_kept_as_text() -> None:
    detail = md(DOCUMENT).find(".//section[@id='detail']")
    assert [flat(p) for p in detail.findall("p")] == ["A quoted paragraph.", "code block text"]  # type: ignore[union-attr]


def test_sources_and_ids() -> None:
    root = md(DOCUMENT)
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert root.find("body/p").get("src") == "3-3"  # type: ignore[union-attr]


def test_no_heading_takes_first_line_as_title() -> None:
    root = md("Just a line of text.\n\nAnd another.\n")
    assert root.findtext("meta/title") == "Just a line of text."
    assert len(root.findall("body/p")) == 2


def test_raw_html_is_text_not_markup() -> None:
    root = md("# T\n\n<script>alert(1)</script>\n\nText with <b>tag</b>.\n")
    assert root.find(".//script") is None and root.find(".//b") is None
    assert "<script>alert(1)</script>" in flat(root.find("body"))
