"""Round trip: our own DOCX and HTML copies of the sample and of every corpus text, read back
by the DOCX and HTML readers, give the same canonical tree: headings (text and depth),
lists (type, labels, items, nesting), tables (header rows, cells), notes (label, text),
numbered paragraphs (number, text) and the words of title, body and back matter.

A copy is the tree as the writers' edition step arranges it for readers
(``edition.prepare``: a heading for an untitled opening and for the back matter, a caption
for a table without one, characters every font draws); read back, it gives that tree,
exactly.  What a copy says about itself and is no part of the document (its title page,
its contents field, the "[note 2]" printed around a note reference, the "Note 2:" before
a note) the readers leave out, and every word of the source comes back."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import FIXTURES, sample_and_corpus_params
from lxml import etree

from converter import parse, readers
from converter.words import tree_words
from converter.writers import edition

Element = etree._Element

#: What the copies must keep of the tree: its words, where the title page of a copy is its
#: own (a note about the copy) and is left out when it is read back.
PARTS = ("meta/title", "body", "back")
#: The sample, the corpus, and a tree with what the copies add around the text: notes
#: cited once, twice and never (DOCX footnotes and NOTEREF fields), the source's own
#: contents page, an untitled opening and back matter, a table without a caption.
SOURCES = [
    *sample_and_corpus_params(),
    pytest.param(FIXTURES / "xml" / "notes-and-contents.xml", id="notes-and-contents"),
]


def _text(element: Element) -> str:
    """An element's text as read, nested lists and page markers left out; a note
    reference as itself ("[^2]"), on the word it belongs to (the space a copy sets
    before it, so that it is never glued to the word, is the copy's, not the text's)."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "noteref":
            parts[-1] = parts[-1].rstrip()
            parts.append(f"[^{_text(child)}]")
        elif child.tag not in ("list", "pagebreak"):
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
    arranged = edition.prepare(original)
    expected, found = structure(arranged), structure(back)
    for part in expected:
        assert found[part] == expected[part], part
    words: Counter[str] = tree_words(arranged, parts=PARTS)
    read: Counter[str] = tree_words(back, parts=PARTS)
    assert not words - read, dict(words - read)
    assert not read - words, dict(read - words)
    # Every word of the source itself (the arranged tree only adds words to it).
    source: Counter[str] = tree_words(original, parts=PARTS)
    assert not source - read, dict(source - read)


@pytest.mark.parametrize("path", SOURCES)
def test_docx_copy_reads_back_the_same(render, path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = render(path, "docx")
    back = readers.read(copy.read_bytes(), name=copy.name)
    assert back.find("meta/source").get("format") == "docx"  # type: ignore[union-attr]
    assert_same(parse(path).getroot(), back)


@pytest.mark.parametrize("path", SOURCES)
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


def test_notes_kept_in_the_text_read_back_the_same(tmp_path: Path) -> None:
    """A DOCX whose notes stay in the text (their marks are not Word's footnote numbers):
    each citation, a link "[note 2]", reads back as a reference to the same note, and
    each note's "Note 2:" as its mark."""
    root = parse(FIXTURES / "xml" / "notes-and-contents.xml").getroot()
    heading = root.find(".//section[@id='improve']/heading")
    assert heading is not None
    heading.remove(heading.find("noteref"))  # type: ignore[arg-type]
    source = tmp_path / "notes-in-the-text.xml"
    source.write_bytes(etree.tostring(root))
    from converter import Options, api

    [output] = api.convert(source, ["docx"], Options(), tmp_path)
    assert output.path is not None
    back = readers.read(output.path.read_bytes(), name=output.path.name)
    assert_same(root, back)
    assert [(n.get("label"), n.get("id")) for n in back.iter("note")] == [
        ("1", "note-1"),
        ("2", "note-2"),
        ("3", "note-3"),
    ]
    assert [r.get("ref") for r in back.iter("noteref")] == ["note-2", "note-2"]
