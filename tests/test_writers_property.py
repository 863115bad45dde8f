"""Writers never crash on a valid tree: schema-valid generated trees (long titles, empty
sections, deep nesting, large tables, every element, awkward text) through the pipeline to
every format give, for each format, a well-formed output or one clean error, never an
internal error."""

from __future__ import annotations

import io
import itertools
import tempfile
import zipfile
from pathlib import Path

import pikepdf
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from converter import check, formats, pipeline
from converter import tree as canonical

FIXTURES = Path(__file__).parent / "fixtures" / "xml"

# Text as reports hold it, and as they should not: markup characters, quotes, accents,
# non-Latin letters, symbols, private-use bullets, and runs of spaces; never a character XML
# cannot hold.
_ALPHABET = st.characters(
    codec="utf-8",
    exclude_categories=("Cs", "Cc", "Co"),
    include_characters="\uf06e\uf0b7\u25fc\u2019\u201c\u201d&<>\"' \t\n",
)
TEXT = st.text(_ALPHABET, max_size=60)
WORDS = st.text(_ALPHABET, min_size=1, max_size=30).filter(lambda t: t.strip() != "")
GRADES = ("outstanding", "good", "requires-improvement", "inadequate", "adequate", "not-graded")
KINDS = ("ofsted-ilacs", "ofsted-sif", "ofsted-focused-visit-letter", "ofsted-school", "generic")


class _Ids:
    def __init__(self) -> None:
        self.counter = itertools.count(1)
        self.notes: list[str] = []

    def next(self, prefix: str = "b") -> str:
        return f"{prefix}-{next(self.counter)}"


@st.composite
def inline(draw: st.DrawFn, parent: etree._Element, ids: _Ids, depth: int = 0) -> None:
    """Mixed content: text with em, strong, abbr, a, quote, noteref, span and pagebreaks."""
    parent.text = draw(TEXT)
    for _ in range(draw(st.integers(0, 3 if depth < 3 else 0))):
        kind = draw(
            st.sampled_from(("em", "strong", "abbr", "a", "quote", "noteref", "span", "pagebreak"))
        )
        child = etree.SubElement(parent, kind)
        if kind == "abbr":
            child.set("title", draw(WORDS))
            child.text = draw(WORDS)
        elif kind == "noteref":
            child.set("ref", "NOTE")  # pointed at a real note once the tree is built
            child.text = draw(st.sampled_from(("1", "2", "*")))
        elif kind == "pagebreak":
            child.set("page", draw(st.sampled_from(("2", "iv", "12a"))))
        else:
            if kind == "a":
                child.set(
                    "href",
                    draw(
                        st.sampled_from(
                            ("https://example.org/x", "mailto:a@b.c", "#p-1", "javascript:alert(1)")
                        )
                    ),
                )
            if kind == "span":
                child.set(canonical.XML_LANG, draw(st.sampled_from(("fr", "cy", "en-GB", "de"))))
            draw(inline(child, ids, depth + 1))
        child.tail = draw(TEXT)


@st.composite
def blocks(draw: st.DrawFn, parent: etree._Element, ids: _Ids, depth: int) -> None:
    kinds = ["p", "list", "table", "note", "pagebreak"] + (["section"] * 2 if depth < 12 else [])
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(kinds))
        if kind == "section":
            draw(section(parent, ids, depth + 1))
        elif kind == "p":
            p = etree.SubElement(parent, "p", id=ids.next("p"))
            if draw(st.booleans()):
                p.set("n", draw(st.sampled_from(("1", "12", "3.2"))))
            draw(inline(p, ids))
        elif kind == "list":
            draw(listing(parent, ids, 0))
        elif kind == "table":
            draw(table(parent, ids))
        elif kind == "note":
            note = etree.SubElement(parent, "note", id=ids.next("note"))
            ids.notes.append(note.get("id", ""))
            draw(inline(note, ids))
        else:
            etree.SubElement(parent, "pagebreak", page=draw(st.sampled_from(("3", "x"))))


@st.composite
def section(draw: st.DrawFn, parent: etree._Element, ids: _Ids, depth: int) -> None:
    element = etree.SubElement(parent, "section", id=ids.next("s"))
    if draw(st.booleans()):
        element.set(
            "role",
            draw(
                st.sampled_from(
                    ("summary", "improvements", "judgement", "letter", "about", "other")
                )
            ),
        )
    if draw(st.booleans()):
        element.set("grade", draw(st.sampled_from(GRADES)))
    if draw(st.integers(0, 4)):  # most sections have a heading; some have none
        heading = etree.SubElement(element, "heading", id=ids.next("h"))
        draw(inline(heading, ids))
    draw(blocks(element, ids, depth))  # may add nothing: an empty section


@st.composite
def listing(draw: st.DrawFn, parent: etree._Element, ids: _Ids, depth: int) -> None:
    element = etree.SubElement(parent, "list", id=ids.next("l"))
    element.set("type", draw(st.sampled_from(("bullet", "ordered"))))
    for _ in range(draw(st.integers(1, 4))):
        item = etree.SubElement(element, "item", id=ids.next("i"))
        if draw(st.booleans()):
            item.set("label", draw(st.sampled_from(("a)", "(ii)", "\u2022"))))
        draw(inline(item, ids))
        if depth < 6 and draw(st.integers(0, 3)) == 0:
            draw(listing(item, ids, depth + 1))


@st.composite
def table(draw: st.DrawFn, parent: etree._Element, ids: _Ids) -> None:
    element = etree.SubElement(parent, "table", id=ids.next("t"))
    if draw(st.booleans()):
        draw(inline(etree.SubElement(element, "caption"), ids))
    large = draw(st.integers(0, 5)) == 0  # now and then a table of many rows and columns
    columns = draw(st.integers(1, 12 if large else 4))
    rows = draw(st.integers(1, 60 if large else 4))

    def row(container: etree._Element, header: bool) -> None:
        cells = etree.SubElement(container, "row")
        for column in range(columns):
            cell = etree.SubElement(cells, "cell")
            if header or (column == 0 and draw(st.booleans())):
                cell.set("header", "true")
                cell.set("scope", "col" if header else "row")
            if not large and draw(st.integers(0, 6)) == 0:
                cell.set(draw(st.sampled_from(("colspan", "rowspan"))), "2")
            cell.text = draw(TEXT) if not large else f"{column}-{len(container)}"

    if draw(st.booleans()):
        row(etree.SubElement(element, "head"), header=True)
    for _ in range(rows):
        row(element, header=False)


@st.composite
def reports(draw: st.DrawFn) -> bytes:
    """A schema-valid canonical tree, as the bytes of an XML file."""
    ids = _Ids()
    root = etree.Element("report", {"schema-version": canonical.SCHEMA_VERSION})
    root.set(canonical.XML_LANG, draw(st.sampled_from(("en-GB", "en", "cy"))))
    meta = etree.SubElement(root, "meta")
    # Titles from none at all to far past Word's 255-character property limit.
    etree.SubElement(meta, "title").text = draw(
        st.one_of(TEXT, st.text(_ALPHABET, min_size=250, max_size=700))
    )
    if draw(st.booleans()):
        etree.SubElement(meta, "subtitle").text = draw(TEXT)
    etree.SubElement(meta, "kind").text = draw(st.sampled_from(KINDS))
    if draw(st.booleans()):
        etree.SubElement(meta, "subject").text = draw(
            st.one_of(TEXT, st.text(_ALPHABET, min_size=256, max_size=400))
        )
    if draw(st.booleans()):
        etree.SubElement(meta, "publisher").text = draw(TEXT)
    if draw(st.booleans()):
        date = etree.SubElement(meta, "date", role="inspection-start", when="2021-11-22")
        date.text = draw(TEXT)
    if draw(st.booleans()):
        person = etree.SubElement(meta, "person", role="lead-inspector")
        person.text = draw(TEXT)
    etree.SubElement(meta, "source", name="generated.xml", sha256="0" * 64, format="xml")
    if draw(st.booleans()):
        judgements = etree.SubElement(meta, "judgements")
        for area in draw(
            st.lists(
                st.sampled_from(("overall-effectiveness", "help-and-protection")),
                min_size=1,
                max_size=2,
                unique=True,
            )
        ):
            judgement = etree.SubElement(
                judgements, "judgement", area=area, grade=draw(st.sampled_from(GRADES))
            )
            etree.SubElement(judgement, "label").text = draw(WORDS)
            etree.SubElement(judgement, "grade").text = draw(WORDS)
    body = etree.SubElement(root, "body")
    draw(blocks(body, ids, 0))
    if draw(st.booleans()):
        back = etree.SubElement(root, "back")
        for _ in range(draw(st.integers(0, 2))):
            draw(section(back, ids, 10))
    for noteref in list(root.iter("noteref")):
        if ids.notes:
            noteref.set("ref", ids.notes[0])
        else:  # no note to point at: the reference is plain text instead
            _unwrap(noteref)
    assert canonical.schema_errors(root) == [], canonical.schema_errors(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _unwrap(element: etree._Element) -> None:
    parent = element.getparent()
    assert parent is not None
    text = (element.text or "") + (element.tail or "")
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(element)


def well_formed(fmt: str, data: bytes, source: bytes) -> None:
    """The output is what its format says it is (the validators run elsewhere, on fixtures)."""
    if fmt in ("xml", "pef"):
        root = etree.fromstring(data, canonical.safe_parser())
        if fmt == "xml":
            assert canonical.schema_errors(root) == []
    elif fmt == "html":
        assert data.startswith(b"<!DOCTYPE html>") and b"</html>" in data
    elif fmt == "pdf":
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert len(pdf.pages) >= 1
    elif fmt in ("epub", "docx"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None
    elif fmt in ("daisy", "mp3"):  # a talking book: our own checker passes it
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"book.{fmt}.zip"
            path.write_bytes(data)
            root = etree.fromstring(source, canonical.safe_parser())
            for result in check.check_file(path, fmt=fmt, source=root).results:
                assert result.status == "pass", (result.name, result.details[:5])
    elif fmt == "brf":
        data.decode("ascii")
    else:
        data.decode("utf-8")


EVERY_ELEMENT = (FIXTURES / "xhtml-every-element.xml").read_bytes()


def stress_report() -> bytes:
    """The extremes at once: a 700-character title, sections nested 14 deep, lists 7 deep,
    empty sections, and a table of 200 rows by 12 columns."""
    root = etree.fromstring(
        b'<report schema-version="1.0" xml:lang="en-GB"><meta><title/><kind>generic</kind>'
        b'<source name="s.xml" sha256="' + b"0" * 64 + b'" format="xml"/></meta><body/></report>'
    )
    root.find("meta/title").text = ("A very long title of a report " * 24).strip()  # type: ignore[union-attr]
    parent = root.find("body")
    assert parent is not None
    for depth in range(14):
        etree.SubElement(parent, "section", id=f"empty-{depth}")
        parent = etree.SubElement(parent, "section", id=f"deep-{depth}")
        etree.SubElement(parent, "heading", id=f"deep-{depth}-h").text = f"Level {depth + 1}"
        etree.SubElement(parent, "p", id=f"deep-{depth}-p").text = f"Text at level {depth + 1}."
    item_parent = parent
    for depth in range(7):
        listing = etree.SubElement(item_parent, "list", id=f"list-{depth}", type="bullet")
        item_parent = etree.SubElement(listing, "item", id=f"item-{depth}")
        item_parent.text = f"Item at depth {depth + 1}"
    table = etree.SubElement(parent, "table", id="big")
    etree.SubElement(table, "caption").text = "A large table"
    head = etree.SubElement(etree.SubElement(table, "head"), "row")
    for column in range(12):
        etree.SubElement(head, "cell", header="true", scope="col").text = f"Column {column}"
    for number in range(200):
        row = etree.SubElement(table, "row")
        for column in range(12):
            etree.SubElement(row, "cell").text = f"{number}.{column}"
    assert canonical.schema_errors(root) == []
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(reports())
@example(EVERY_ELEMENT)
@example(stress_report())
def test_every_writer_gives_an_output_or_one_clean_error(source: bytes) -> None:
    conversion = pipeline.convert(source, [(fmt, None) for fmt in formats()], source_format="xml")
    assert conversion.error is None, conversion.error  # the tree is valid: it must be read
    for record in conversion.outputs:
        if record.status == "failed":
            assert record.error is not None and "\n" not in record.error
            assert "internal error" not in record.error, record.error
            # A transform that makes an invalid tree from a valid one is a bug, not bad input.
            assert "not valid canonical XML" not in record.error, record.error
        else:
            assert record.data is not None
            well_formed(record.format, record.data, source)
