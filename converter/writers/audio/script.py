"""The spoken script of a report: what the narrator says, element by element, part by part.

Made from the translated XHTML (``xhtml.translate_report``), so that every clip points at an
element of the book that shows it: each heading, paragraph, list item, table caption and
cell, figure caption, image (its description: the img's alt text) and print page marker is
one utterance.  Its text is the element's own words as shown; what is spoken is that text
after the lexicon, with the structure announced around it ("List of 4 items.", "Table:
Judgement, Grade.", "Row 1: ...", "Image: ...", "Page 3.").  A decorative image is
presentation only (alt=""): never said.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from lxml import etree

from converter.images import NO_DESCRIPTION
from converter.words import RENDERED_PARTS, tree_words, words
from converter.writers import edition, xhtml
from converter.writers import parts as report_parts
from converter.writers.audio import lexicon as pronunciation
from converter.writers.audio.engine import speakable

Element = etree._Element

HEADINGS = report_parts.HEADINGS
#: Elements spoken as one utterance each.
SPOKEN = (*HEADINGS, "p", "li", "caption", "figcaption", "th", "td", "img")
#: Elements whose spoken children speak for them.
CONTAINERS = ("ul", "ol", "table", "aside", "figure")
#: Silence after an utterance, in seconds, by its kind: structure heard as pauses too.
PAUSE_AFTER = {
    "heading": 0.8,
    "p": 0.5,
    "item": 0.4,
    "caption": 0.4,
    "cell": 0.3,
    "image": 0.5,
    "page": 0.4,
}
#: What is said before an image's description (the words are the writer's, not the tree's).
IMAGE = "Image:"
IMAGE_UNDESCRIBED = "Image without a description."
LINKED_IMAGE = "Image, not included in this copy:"
LINKED_IMAGE_UNDESCRIBED = "Image, not included in this copy, without a description."
#: The word the page adds around a note: "[note 1]" where it is cited, "Note 1:" before it.
NOTE_WORD = "note"
PAUSE_BEFORE_HEADING = 0.4


@dataclass(frozen=True)
class Utterance:
    """One clip: an element of the book, its words as shown, and what the engine is sent."""

    id: str  # the element's id in the written book
    kind: str  # heading, p, item, caption, cell, image, page
    text: str  # the element's own text as shown (no words of nested spoken elements)
    announce: str  # structure said before it ("Row 2:"), or "" (the words are not the tree's)
    spoken: str  # sent to the engine: announce + text after the lexicon
    level: int = 0  # a heading's level (1: the title)
    page: str = ""  # a page marker's print page

    @property
    def pause(self) -> float:
        return PAUSE_AFTER[self.kind]


@dataclass
class ScriptPart:
    """One part of the book (report_parts.split): one audio file, SMIL and track."""

    number: int  # 1-based
    stem: str
    title: str
    kind: str
    utterances: list[Utterance] = field(default_factory=list)


@dataclass
class Script:
    parts: list[ScriptPart]

    @property
    def utterances(self) -> list[Utterance]:
        return [u for part in self.parts for u in part.utterances]


def script_of(html: Element) -> Script:
    """The script of a translated report.  Gives an id to each spoken element that has
    none (table cells, the subtitle, a note's paragraph), in place, the same way every time,
    so that every writer that translates the same tree gets the same ids."""
    give_ids(html)
    script = Script([])
    lex = pronunciation.lexicon()
    for number, part in enumerate(report_parts.split(html), start=1):
        spoken = ScriptPart(number, part.stem, part.title, part.kind)
        for block in part.blocks:
            for element in block.iter():
                utterance = _utterance(element, lex)
                if utterance is not None:
                    spoken.utterances.append(utterance)
        script.parts.append(spoken)
    return script


def script_of_tree(root: Element) -> Script:
    """The script of a canonical tree, arranged (``edition.prepare``) and translated as
    every talking writer does it."""
    return script_of(xhtml.translate_report(edition.prepare(root)).html)


def give_ids(html: Element) -> None:
    """An id for every spoken element without one: ``<table id>-r<row>c<column>`` for a
    cell, ``<parent id>-text`` or ``spoken-<n>`` otherwise (never one the page uses)."""
    taken = {str(e.get("id")) for e in html.iter() if e.get("id")}

    def fresh(base: str) -> str:
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}-{number}", number + 1
        taken.add(candidate)
        return candidate

    counter = 0
    for table in html.iter("table"):
        table_id = table.get("id") or fresh("table")
        for row_number, row in enumerate(table.iter("tr"), start=1):
            for column, cell in enumerate(row.iterfind("*"), start=1):
                if not cell.get("id"):
                    cell.set("id", fresh(f"{table_id}-r{row_number}c{column}"))
    for element in html.iter(*SPOKEN):
        if element.get("id") or (element.tag == "img" and not image_description(element)):
            continue  # a decorative image is never said: it needs no id
        parent = element.getparent()
        if parent is not None and parent.get("id"):
            suffix = "image" if element.tag == "img" else "text"
            element.set("id", fresh(f"{parent.get('id')}-{suffix}"))
        else:
            counter += 1
            element.set("id", fresh(f"spoken-{counter}"))


def own_text(element: Element) -> str:
    """The text of an element without that of spoken elements nested in it (a list inside
    an item, a table inside a paragraph): those are utterances of their own."""
    pieces: list[str] = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in (*SPOKEN, *CONTAINERS):
            if "noteref" in (child.get("class") or "").split():
                pieces.append(" ")  # a note's marker printed on its word ("area1") is a word
            if not unsaid(child):
                pieces.append(own_text(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


def unsaid(element: Element) -> bool:
    """An element of the page never said: a note's link back to the text (for the eye
    and the hand; the listener goes on to the next clip)."""
    return "backlink" in (element.get("class") or "").split()


def book_words(root: Element) -> Counter[str]:
    """The words a talking book of an arranged tree (``edition.prepare``) says as shown:
    the words of its rendered parts, the title shown when it has none, and the word
    "note" the page adds to each reference ("[note 1]") and to each note ("Note 1:")."""
    counted = tree_words(root, parts=RENDERED_PARTS)
    if not " ".join((root.findtext("meta/title") or "").split()):
        counted.update(words(xhtml.UNTITLED))
    notes = sum(
        1
        for part in RENDERED_PARTS
        for found in root.iterfind(part)
        for _ in found.iter("noteref", "note")
    )
    for word in words(NOTE_WORD):
        counted[word] += notes
    return counted


def _utterance(element: Element, lex: pronunciation.Lexicon) -> Utterance | None:
    tag = element.tag
    if not isinstance(tag, str):
        return None
    if "pagebreak" in (element.get("class") or "").split():
        label = (element.get("aria-label") or "").removeprefix("Print page ").strip()
        return Utterance(
            str(element.get("id")), "page", "", f"Page {label}.", f"Page {label}.", page=label
        )
    if tag not in SPOKEN:
        return None
    if tag == "img" or "figure-text" in (element.get("class") or "").split():
        return _image(element, lex)
    text = " ".join(own_text(element).split())
    kind, level = _kind(tag)
    announce = _announcement(element, kind)
    if not words(text) and not (kind == "cell" and announce) and kind != "heading":
        # Nothing to say: no words (the checks ask only for elements with words).  A heading
        # is always an utterance: the DAISY NCC and the chapters need every one.
        return None
    spoken = say(kind, announce, text, lex)
    return Utterance(str(element.get("id")), kind, text, announce, spoken, level=level)


def say(kind: str, announce: str, text: str, lex: pronunciation.Lexicon) -> str:
    """What the engine is sent: the structure announced, then the text after the lexicon
    (an empty cell is said to be empty)."""
    said = lex.apply(text) if text else ("empty" if kind == "cell" else "")
    return speakable(f"{announce} {said}" if announce else said)


def image_description(element: Element) -> str:
    """An img's description as it is said (its alt text); "" for an image never said: a
    decorative one, or an Easy Read line's picture (the line's words say what it shows, and
    are said; braille leaves it out for the same reason)."""
    if element.get("role") == "presentation" or "symbol" in (element.get("class") or "").split():
        return ""
    return " ".join((element.get("alt") or "").split())


def _image(element: Element, lex: pronunciation.Lexicon) -> Utterance | None:
    """An image, said as its description: the img's alt text, or the paragraph standing in
    for a picture the source only linked to.  "Image without a description" is the writer's
    words, so it is said as structure, not as the report's text."""
    linked = element.tag != "img"
    if linked:
        shown = " ".join(own_text(element).split()).removeprefix(xhtml.LINKED_IMAGE).strip()
    else:
        shown = image_description(element)
        if not shown:
            return None  # decorative: presentation only, never said
    if shown == NO_DESCRIPTION:
        text, announce = "", LINKED_IMAGE_UNDESCRIBED if linked else IMAGE_UNDESCRIBED
    else:
        text, announce = shown, LINKED_IMAGE if linked else IMAGE
    spoken = say("image", announce, text, lex)
    return Utterance(str(element.get("id")), "image", text, announce, spoken)


def _kind(tag: str) -> tuple[str, int]:
    if tag in HEADINGS:
        return "heading", int(tag[1])
    kinds = {"p": "p", "li": "item", "caption": "caption", "figcaption": "caption"}
    return {**kinds, "th": "cell", "td": "cell"}[tag], 0


def _announcement(element: Element, kind: str) -> str:
    """The structure said before an element's words."""
    if kind == "item":
        parent = element.getparent()
        items = [] if parent is None else list(parent.iterfind("li"))
        announce = ""
        if items and items[0] is element:
            count = len(items)
            announce = f"List of {count} item{'s' if count != 1 else ''}."
        if (
            parent is not None
            and parent.tag == "ol"
            and "labelled" not in (parent.get("class") or "")
        ):
            announce = f"{announce} {items.index(element) + 1}.".strip()
        return announce
    if kind == "caption":  # a figure's caption says itself, and so does "Table 1: ..."
        table_caption = element.tag == "caption" and not own_text(element).strip().startswith(
            "Table"
        )
        return "Table:" if table_caption else ""
    if kind != "cell":
        return ""
    row = element.getparent()
    table = next((a for a in element.iterancestors("table")), None)
    if row is None or table is None:
        return ""
    rows = list(table.iter("tr"))
    cells = list(row.iterfind("*"))
    column = cells.index(element)
    head = _header_row(table)
    announce = ""
    if row is rows[0] and column == 0:
        body_rows = len(rows) - (1 if head is not None else 0)
        described = f"{body_rows} row{'s' if body_rows != 1 else ''}"
        announce = f"Table, {described}." if table.find("caption") is None else f"{described}."
        if head is not None:
            announce += " Columns:"
    if head is not None and row is head:
        return announce
    body_index = rows.index(row) - (1 if head is not None else 0) + 1
    if column == 0:
        return f"{announce} Row {body_index}:".strip()
    if head is not None:
        head_cells = list(head.iterfind("*"))
        if column < len(head_cells):
            name = " ".join("".join(str(t) for t in head_cells[column].itertext()).split())
            if name:
                return f"{name}:"
    return announce


def _header_row(table: Element) -> Element | None:
    """The first row when it is a row of column headers (in a thead, or all th)."""
    first = next(table.iter("tr"), None)
    if first is None:
        return None
    parent = first.getparent()
    if parent is not None and parent.tag == "thead":
        return first
    cells = list(first.iterfind("*"))
    if cells and all(c.tag == "th" and c.get("scope") != "row" for c in cells):
        return first
    return None


def script_words(script: Script) -> list[str]:
    """The words shown in the book that the script speaks, in reading order."""
    return [w for u in script.utterances for w in words(u.text)]


def spoken_findings(script: Script) -> list[str]:
    """Each utterance's text sent to the engine must be its text after the lexicon, with
    only the structure announced before it: nothing else added, nothing left out."""
    lex = pronunciation.lexicon()
    findings = []
    for utterance in script.utterances:
        expected = say(utterance.kind, utterance.announce, utterance.text, lex)
        if utterance.spoken != expected:
            findings.append(
                f"{utterance.id}: sent {utterance.spoken[:60]!r}, expected {expected[:60]!r}"
            )
    return findings
