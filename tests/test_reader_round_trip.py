"""Round trip: our own DOCX and HTML copies of the sample and of every corpus text, read back
by the DOCX and HTML readers, give the same canonical tree: headings (text and depth),
lists (type, labels, items, nesting), tables (header rows, cells), notes (label, text),
numbered paragraphs (number, text) and the words of title, body and back matter."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import sample_and_corpus_params
from lxml import etree

from converter import parse, readers
from converter.words import tree_words

Element = etree._Element

#: What the copies must keep of the tree: its words, where the title page of a copy is its
#: own (a note about the copy) and is left out when it is read back.
PARTS = ("meta/title", "body", "back")


def _text(element: Element) -> str:
    """An element's text as read, nested lists and page markers left out."""
    parts = [element.text or ""]
    for child in element:
        if child.tag not in ("list", "pagebreak"):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def structure(root: Element) -> dict[str, list[object]]:
    return {
        "headings": [
            (len(list(h.iterancestors("section"))), _text(h))
            for h in root.iterfind(".//section/heading")
        ],
        "lists": [
            (
                lst.get("type"),
                len(list(lst.iterancestors("list"))),
                [(item.get("label"), _text(item)) for item in lst.iterfind("item")],
            )
            for lst in root.iterfind(".//list")
        ],
        "tables": [
            (
                len(table.findall("head/row")),
                [[_text(cell) for cell in row.iterfind("cell")] for row in table.iter("row")],
            )
            for table in root.iterfind(".//table")
        ],
        "notes": [(note.get("label"), _text(note)) for note in root.iterfind(".//note")],
        "numbered": [(p.get("n"), _text(p)) for p in root.iterfind(".//p[@n]")],
    }


def assert_same(original: Element, back: Element) -> None:
    expected, found = structure(original), structure(back)
    for part in expected:
        assert found[part] == expected[part], part
    words: Counter[str] = tree_words(original, parts=PARTS)
    read: Counter[str] = tree_words(back, parts=PARTS)
    assert not words - read, dict(words - read)
    assert not read - words, dict(read - words)


@pytest.mark.parametrize("path", sample_and_corpus_params())
def test_docx_copy_reads_back_the_same(render, path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = render(path, "docx")
    back = readers.read(copy.read_bytes(), name=copy.name)
    assert back.find("meta/source").get("format") == "docx"  # type: ignore[union-attr]
    assert_same(parse(path).getroot(), back)


@pytest.mark.parametrize("path", sample_and_corpus_params())
def test_html_copy_reads_back_the_same(render, path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = render(path, "html")
    back = readers.read(copy.read_bytes(), name=copy.name)
    assert back.find("meta/source").get("format") == "html"  # type: ignore[union-attr]
    assert_same(parse(path).getroot(), back)


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_copy_of_the_reader_fixture_reads_back_the_same(render, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """Figures too: their descriptions, decorative marks, captions and image bytes survive
    our DOCX and HTML copies."""
    from support import word

    source = tmp_path / "feature.docx"
    source.write_bytes(word.feature_docx())
    original = parse(source).getroot()
    copy = render(source, fmt)
    back = readers.read(copy.read_bytes(), name=copy.name)
    assert_same(original, back)

    def figures(root: Element) -> list[tuple[str | None, ...]]:
        return [
            (f.get("decorative"), f.findtext("description"), f.findtext("caption"))
            + tuple(i.get("ref") for i in f.iterfind("image"))
            for f in root.iter("figure")
        ]

    assert figures(back) == figures(original)
