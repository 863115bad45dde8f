"""What every copy says about itself, and the tree arranged for readers before any writer.

One place decides what a transcriber adds around the text: the title page's facts (title,
dates, which edition, who made it from what), the document language as written into
files, a heading for the untitled opening and for the back matter, captions for tables
that have none, address lines kept as one block, web addresses without the angle brackets
that set them off in plain text, and characters every font can draw (``glyphs``).  The
canonical tree itself never changes: writers get an arranged copy (``prepare``).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from lxml import etree

from converter import tree as canonical
from converter.writers import glyphs

Element = etree._Element

PRODUCER = "converter"
#: Headings we give parts the source left untitled, first unused one wins.
OPENING_HEADINGS = ("Overview", "Introduction", "Opening")
BACK_HEADING = "About this document"
#: Paragraph roles whose consecutive paragraphs are drawn as one block (an address).
ADDRESS = "address"

COLOUR_WORDS = {
    "black-on-white": "black text on white",
    "black-on-cream": "black text on cream",
    "black-on-yellow": "black text on yellow",
    "yellow-on-black": "yellow text on black",
    "white-on-black": "white text on black",
}

_URL_TEXT = re.compile(r"^(https?://|www\.|mailto:)?[\w.-]+\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def one_line(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def language(root: Element) -> str:
    """The language tag written into every file.  A bare "en" becomes "en-GB": our
    sources are British public bodies' reports, in British spelling, and screen readers
    and Word pick their voice and dictionary from the region."""
    tag = canonical.language(root)
    return "en-GB" if tag.lower() == "en" else tag


def is_summary(root: Element) -> bool:
    return root.get("variant") == "summary"


def is_easy_read(root: Element) -> bool:
    return root.get("variant") == "easy-read"


def colour_words(scheme: str) -> str:
    return COLOUR_WORDS.get(scheme, scheme.replace("-", " "))


# -- the title page -----------------------------------------------------------------------


@dataclass(frozen=True)
class TitlePage:
    """What a title page says, in order: title, subtitle, subject, dates, the edition, and
    where the copy comes from.  Never a file name: a reader has no use for it."""

    title: str
    subtitle: str = ""
    dates: tuple[str, ...] = ()
    edition: str = ""
    origin: str = ""

    def facts(self) -> list[str]:
        """The lines under the title and subtitle."""
        return [*self.dates, self.edition, self.origin]


def title_page(root: Element, edition: str) -> TitlePage:
    """The title page facts of a report; ``edition`` says which copy this is ("Large print
    edition: 18 point, black text on white.")."""
    meta = root.find("meta")
    assert meta is not None
    title = one_line(meta.findtext("title")) or "Untitled"
    subtitle = one_line(meta.findtext("subtitle"))
    # A subtitle that gives the inspection dates already (as some reports' do) is not
    # repeated by a dates line of our own.
    dates = [
        line
        for line in date_lines(meta)
        if not (line.startswith("Inspection dates") and "inspection date" in subtitle.casefold())
    ]
    if is_easy_read(root) and edition:
        edition = f"Easy Read {edition[0].lower()}{edition[1:]}"  # "Easy Read large print..."
    return TitlePage(
        title=title,
        subtitle=subtitle,
        dates=tuple(dates),
        edition=edition,
        origin=origin(root),
    )


def date_lines(meta: Element) -> list[str]:
    """The document's dates as it words them: inspection dates once, then publication."""
    lines: list[str] = []
    dates = {d.get("role"): one_line(d.text) for d in meta.iterfind("date") if one_line(d.text)}
    start, end = dates.get("inspection-start"), dates.get("inspection-end")
    if start and end and start != end:
        lines.append(f"Inspection dates: {start} to {end}")
    elif start or end:
        lines.append(f"Inspection dates: {start or end}")
    if dates.get("letter"):
        lines.append(f"Date of letter: {dates['letter']}")
    if dates.get("document"):
        lines.append(f"Date: {dates['document']}")
    if dates.get("publication"):
        lines.append(f"Published: {dates['publication']}")
    return lines


def origin(root: Element) -> str:
    """Who made this copy from what.  A summary says this program wrote it, so no reader
    takes it for the publisher's own words."""
    publisher = one_line(root.findtext("meta/publisher"))
    kind = "report" if (root.findtext("meta/kind") or "generic") != "generic" else "document"
    if is_summary(root) or is_easy_read(root):
        what = "summary" if is_summary(root) else "Easy Read version"
        by = f", not by {publisher}" if publisher else ""
        return (
            f"This {what} was written by {PRODUCER}, a computer program{by}, from the "
            f"{kind} of the same name."
        )
    if publisher:
        return f"Made by {PRODUCER} from the {kind} published by {publisher}."
    return f"Made by {PRODUCER} from the original {kind}."


def print_edition(label: str, font_size: float, scheme: str) -> str:
    """'Large print edition: 18 point, black text on white.'"""
    return f"{label.capitalize()} edition: {font_size:g} point, {colour_words(scheme)}."


# -- the arranged tree ----------------------------------------------------------------------


def prepare(root: Element) -> Element:
    """A copy of the tree arranged for readers (the canonical tree is left as it is)."""
    arranged = copy.deepcopy(root)
    _drawable(arranged)
    taken = {str(e.get("id")) for e in arranged.iter() if e.get("id")}
    _unbracket_links(arranged)
    _first_print_page(arranged)
    _title_opening(arranged, taken)
    _title_back(arranged, taken)
    _mark_addresses(arranged)
    _caption_tables(arranged)
    return arranged


def unique_id(base: str, taken: set[str]) -> str:
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


def _drawable(root: Element) -> None:
    """Text every output can draw (glyphs.drawable); the stored images' base64 is data,
    not text, and is left as it is."""
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("resources", "resource"):
            continue
        if element.text:
            element.text = glyphs.drawable(element.text)
        if element.tail:
            element.tail = glyphs.drawable(element.tail)
        for name in ("label", "title"):
            if element.get(name):
                element.set(name, glyphs.drawable(element.get(name, "")))


def _unbracket_links(root: Element) -> None:
    """'<https://reports.ofsted.gov.uk/>': plain text sets a web address off with angle
    brackets; a copy shows the link alone."""
    for link in root.iter("a"):
        text = one_line(canonical.text_content(link))
        if not _URL_TEXT.match(text):
            continue
        before = link.getprevious()
        parent = link.getparent()
        if parent is None:
            continue
        preceding = before.tail if before is not None else parent.text
        if not (preceding or "").rstrip(" ").endswith("<") or not (link.tail or "").startswith(">"):
            continue
        trimmed = (preceding or "").rstrip(" ")[:-1]
        if before is not None:
            before.tail = trimmed
        else:
            parent.text = trimmed
        link.tail = (link.tail or "")[1:]


def _first_print_page(root: Element) -> None:
    """The text before the first print page break sat on the page before it: mark that
    page too (page lists and braille page indicators otherwise start at page 2)."""
    body = root.find("body")
    first = next(root.iter("pagebreak"), None)
    if body is None or first is None or not first.get("page", "").isdigit():
        return
    number = int(first.get("page", "0"))
    if number < 2:
        return
    marker = etree.Element("pagebreak", page=str(number - 1))
    body.insert(0, marker)


def _heading_texts(container: Element) -> set[str]:
    return {
        one_line(canonical.text_content(h)).casefold()
        for h in container.iterfind(".//section/heading")
    }


def _title_opening(root: Element, taken: set[str]) -> None:
    """The blocks before a body's first section get a section and a heading of their own
    (dates, the judgement table and the summary otherwise have no contents entry), when
    the body has sections after them."""
    body = root.find("body")
    if body is None:
        return
    opening: list[Element] = []
    for child in body:
        if child.tag == "section":
            break
        if isinstance(child.tag, str):
            opening.append(child)
    if len(opening) == len([c for c in body if isinstance(c.tag, str)]):
        return  # no section follows: the whole body is one part (a letter, a note)
    # Print page breaks at either end belong between the parts, not inside the opening.
    while opening and opening[0].tag == "pagebreak":
        opening.pop(0)
    while opening and opening[-1].tag == "pagebreak":
        opening.pop()
    if not opening:
        return
    used = _heading_texts(body)
    text = next((h for h in OPENING_HEADINGS if h.casefold() not in used), OPENING_HEADINGS[0])
    section = etree.Element("section", id=unique_id("overview", taken))
    heading = etree.SubElement(section, "heading", id=unique_id("overview-heading", taken))
    heading.text = text
    opening[0].addprevious(section)
    section.extend(opening)


def _title_back(root: Element, taken: set[str]) -> None:
    """The back matter's untitled sections (about, formats, licence, contact, copyright)
    become one titled part, so it has a heading, a contents entry and one EPUB file."""
    back = root.find("back")
    if back is None or not len(back):
        return
    sections = [child for child in back if child.tag == "section"]
    if len(sections) == 1 and sections[0].find("heading") is not None:
        return
    part = etree.Element("section", id=unique_id("back-matter", taken), role="about")
    heading = etree.SubElement(part, "heading", id=unique_id("back-matter-heading", taken))
    heading.text = BACK_HEADING
    part.extend(sections)
    back.append(part)


def _mark_addresses(root: Element) -> None:
    """Lines of a postal address or contact list (short paragraphs in a contact section)
    are marked as address lines, which writers keep together as one block."""
    for section in root.iter("section"):
        if section.get("role") != "contact":
            continue
        for paragraph in section.iterfind("p"):
            text = one_line(canonical.text_content(paragraph))
            if text and len(text) <= 60 and not text.endswith("."):
                paragraph.set("role", ADDRESS)


def address_runs(blocks: list[Element]) -> list[list[Element]]:
    """Blocks grouped so that consecutive address paragraphs form one group; a gap in
    their source lines (a blank line) starts a new address."""
    groups: list[list[Element]] = []
    for block in blocks:
        if (
            block.tag == "p"
            and block.get("role") == ADDRESS
            and groups
            and groups[-1][-1].tag == "p"
            and groups[-1][-1].get("role") == ADDRESS
            and _adjacent(groups[-1][-1], block)
        ):
            groups[-1].append(block)
        else:
            groups.append([block])
    return groups


def _adjacent(first: Element, second: Element) -> bool:
    """Whether two blocks sat on consecutive source lines (unknown lines: assume so)."""
    end, start = first.get("src", ""), second.get("src", "")
    if not end or not start:
        return True
    return int(start.split("-")[0]) <= int(end.split("-")[1]) + 1


def _caption_tables(root: Element) -> None:
    """A table without a caption gets one ("Table 2: Area, visits and notes"), so screen
    readers, the EPUB's and braille's readers know what it holds before they read it.  A
    first header row that is one cell across the table is the table's title as printed
    ("Children's services in Norfolk require improvement to be good"): it becomes the
    caption, said once, not a column heading over no column."""
    for number, table in enumerate(root.iter("table"), start=1):
        if table.find("caption") is not None:
            continue
        caption = etree.Element("caption")
        title = _title_row(table)
        if title is None:
            caption.text = table_caption(table, number)
        else:
            [cell] = title.findall("cell")
            caption.text = f"Table {number}: {cell.text or ''}"
            caption.extend(list(cell))  # its inline markup (a note reference) goes with it
            head = title.getparent()
            assert head is not None
            head.remove(title)
            if not len(head):
                table.remove(head)
        table.insert(0, caption)


def _title_row(table: Element) -> Element | None:
    """The table's first header row when it is one cell spanning every column, above other
    rows of several cells."""
    row = table.find("head/row")
    if row is None:
        return None
    cells = row.findall("cell")
    widths = [
        sum(int(c.get("colspan", "1")) for c in other.iterfind("cell"))
        for other in table.iter("row")
        if other is not row
    ]
    if len(cells) != 1 or not widths or max(widths) < 2:
        return None
    return row if int(cells[0].get("colspan", "1")) == max(widths) else None


def table_caption(table: Element, number: int) -> str:
    headings = column_headings(table)
    if not headings:
        return f"Table {number}"
    return f"Table {number}: {join_words(headings)}"


def column_headings(table: Element) -> list[str]:
    """The header cells' texts of a table's first header row (a head row, or a first row of
    header cells)."""
    row = table.find("head/row")
    if row is None:
        first = table.find("row")
        if first is not None and all(c.get("header") == "true" for c in first.iterfind("cell")):
            row = first
    if row is None:
        return []
    return [text for c in row.iterfind("cell") if (text := one_line(canonical.text_content(c)))]


def join_words(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(items) < 3:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
