"""One XHTML translator over the canonical tree, reused by the html, pdf and epub writers.

Like docutils' NodeVisitor, every canonical element has a ``visit_<name>`` method and an
element without one is an error, never silently dropped.  The result is a plain lxml tree
of HTML elements (no namespace); :func:`to_xhtml` moves it into the XHTML namespace for
EPUB, :func:`serialize_html` writes it as HTML5.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lxml import etree

from converter import images, symbols
from converter import tree as canonical
from converter.errors import OutputError
from converter.images import NO_DESCRIPTION, StoredImage
from converter.tree import append_text
from converter.writers import edition

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"  # epub:type
_SAFE_HREF = re.compile(r"^(https?://|mailto:|tel:|#)", re.IGNORECASE)

Element = etree._Element


class TranslationError(OutputError):
    """The tree holds an element this translator does not know: a bug, fail loudly."""


#: Canonical elements that are rendered by the element around them, not on their own.
TRANSLATED_BY_PARENT = {
    "report": "translate_report",
    "meta": "translate_report",
    "title": "translate_report (the h1 and <title>)",
    "subtitle": "translate_report (the subtitle line)",
    "item": "visit_list",
    "caption": "visit_table and visit_figure",
    "image": "visit_figure (the img)",
    "description": "visit_figure (the img's alt text)",
    "head": "visit_table",
    "row": "visit_table",
    "cell": "visit_table",
    "symbol": "visit_line (the picture beside the line, its alt text)",
}
#: Canonical elements that are data, deliberately not rendered: metadata whose lines stay
#: in the body (dates, people, judgements) and artifacts removed from the print original.
NOT_RENDERED = {
    "kind": "metadata",
    "subject": "metadata (a writer may use it, e.g. a running head)",
    "publisher": "metadata (<meta name=author>)",
    "date": "metadata; its line stays in the body",
    "person": "metadata; its line stays in the body",
    "source": "metadata (named on the title page by the PDF writer)",
    "judgements": "metadata; the judgement table stays in the body",
    "judgement": "metadata",
    "label": "metadata",
    "grade": "metadata",
    "artifacts": "print artifacts of the source: never rendered",
    "artifact": "print artifacts of the source: never rendered",
    "resources": "image bytes, read through converter.images by visit_figure",
    "resource": "image bytes, read through converter.images by visit_figure",
}
#: Inline elements and the method that translates them.
INLINE_TRANSLATED = ("em", "strong", "abbr", "a", "quote", "noteref", "span", "pagebreak")


#: Where an image's bytes are found by the page: a function of the stored image (a data
#: URL in a self-contained page, a file of an EPUB, a URL the PDF renderer may fetch).
ImageSource = Callable[[StoredImage], str]


def data_url(image: StoredImage) -> str:
    return f"data:{image.media_type};base64,{base64.b64encode(image.data).decode('ascii')}"


#: The title shown for a report without one.
UNTITLED = "Untitled"
#: Said before the description of a picture the source only linked to (not in the copy).
LINKED_IMAGE = "Image (not included in this copy):"
#: Where an Easy Read picture's bytes are found by the page, by its concept: a data URL in
#: a self-contained page, a file of an EPUB, a URL the PDF renderer may fetch.
SymbolSource = Callable[[str], str]


def symbol_data_url(concept: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(symbols.svg(concept)).decode("ascii")


#: Elements the translator adds itself, by the id each gets unless the tree uses it already.
WRITER_IDS = ("title-block", "title", "contents", "contents-heading", "main", "back-matter")
#: A web address shown as link text breaks after these characters, never inside a word.
_URL_BREAKS = re.compile(r"(?<=[/.?&=_-])(?=[^/.?&=_-])")
_URL_TEXT = re.compile(r"^(https?://|www\.|mailto:)\S+$|^\S+\.[a-z]{2,}/\S*$", re.IGNORECASE)


def writer_ids(root: Element) -> dict[str, str]:
    """An id for each element the translator adds, unused by the tree (``main-2`` when a
    section of the report is already called ``main``)."""
    taken = {str(element.get("id")) for element in root.iter() if element.get("id")}
    ids: dict[str, str] = {}
    for base in WRITER_IDS:
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}-{number}", number + 1
        taken.add(candidate)
        ids[base] = candidate
    return ids


@dataclass
class Heading:
    """A heading met while translating, for contents pages, bookmarks and the EPUB nav."""

    level: int  # 1 is the document title; sections start at 2
    text: str
    id: str


@dataclass
class XhtmlTranslator:
    """Translate canonical elements into HTML elements.

    ``epub`` adds epub:type semantics beside the ARIA roles.  ``heading_offset`` is the
    HTML level of a top-level section's heading (2: the document title is the h1).
    """

    epub: bool = False
    heading_offset: int = 2
    headings: list[Heading] = field(default_factory=list)
    page_ids: list[tuple[str, str]] = field(default_factory=list)  # (page label, element id)
    # Heading texts used by more than one section: such sections get no accessible name,
    # as two regions with one name are ambiguous landmarks (axe landmark-unique).
    repeated_headings: set[str] = field(default_factory=set)
    # The ids the translator itself gives (main, back matter...), clear of the tree's ids.
    ids: dict[str, str] = field(default_factory=lambda: {name: name for name in WRITER_IDS})
    # The tree's images by hash, and how the page refers to one.
    images: dict[str, StoredImage] = field(default_factory=dict)
    image_source: ImageSource = data_url
    # Note id -> the ids given to its references, in order (a note links back to the first).
    noteref_ids: dict[str, list[str]] = field(default_factory=dict)
    # Heading words (case-folded, without note markers) -> the ids of the headings with
    # them, in order: a source contents entry links to the section it names (the second
    # "Executive summary" to the second such section).
    heading_ids: dict[str, list[str]] = field(default_factory=dict)
    _entries_seen: dict[str, int] = field(default_factory=dict)
    _noterefs_seen: dict[str, int] = field(default_factory=dict)
    # How the page refers to an Easy Read picture.
    symbol_source: SymbolSource = symbol_data_url

    # -- dispatch -------------------------------------------------------------------------

    def translate(self, element: Element, depth: int = 0) -> Element:
        visit: Callable[[Element, int], Element] | None = getattr(
            self, f"visit_{element.tag}", None
        )
        if visit is None or not isinstance(element.tag, str):
            raise TranslationError(f"no HTML translation for <{element.tag}>")
        return visit(element, depth)

    def blocks(self, elements: Iterable[Element], depth: int = 0) -> list[Element]:
        """Translated blocks; consecutive address lines go into one block that is never
        split over a page."""
        translated: list[Element] = []
        children = [child for child in elements if isinstance(child.tag, str)]
        for group in edition.address_runs(children):
            if len(group) == 1:
                translated.append(self.translate(group[0], depth))
                continue
            address = etree.Element("div", {"class": "address"})
            address.extend(self.translate(line, depth) for line in group)
            translated.append(address)
        return translated

    def inline_into(self, target: Element, source: Element) -> None:
        """Copy the mixed content of ``source`` (text and inline children) into ``target``."""
        append_text(target, source.text)
        for child in source:
            if not isinstance(child.tag, str):  # comments, processing instructions
                append_text(target, child.tail)
                continue
            if child.tag in ("list", "table", "note"):
                target.append(self.translate(child))
            else:
                if child.tag == "noteref" and not _ends_with_space(target):
                    append_text(target, " ")  # "improve? [note 1]", never "improve?1"
                target.append(self.translate_inline(child))
            append_text(target, child.tail)

    # -- blocks ---------------------------------------------------------------------------

    def visit_body(self, element: Element, depth: int) -> Element:
        main = etree.Element("main", id=self.ids["main"])
        main.extend(self.blocks(element, depth))
        return main

    def visit_back(self, element: Element, depth: int) -> Element:
        footer = etree.Element("footer", id=self.ids["back-matter"])
        footer.extend(self.blocks(element, depth))
        return footer

    def visit_section(self, element: Element, depth: int) -> Element:
        if element.get("role") == "contents" and element.find("heading") is not None:
            return self.visit_contents(element, depth)
        section = etree.Element("section", id=element.get("id", ""))
        heading = element.find("heading")
        if heading is not None:
            level = min(self.heading_offset + depth, 6)
            html_heading = self.visit_heading(heading, level)
            if _text(html_heading) not in self.repeated_headings:
                section.set("aria-labelledby", heading.get("id", ""))
            section.append(html_heading)
        if element.get("grade"):
            section.set("data-grade", element.get("grade", ""))
        if element.get("role"):
            section.set("class", f"role-{element.get('role')}")
        # A section without a heading does not deepen the outline: no skipped heading level.
        inner = depth + 1 if heading is not None else depth
        section.extend(self.blocks((c for c in element if c.tag != "heading"), inner))
        return section

    def visit_contents(self, element: Element, depth: int) -> Element:
        """The source's own contents page, shown as the document's contents: each entry
        that names a section links to it (the PDF adds its page number).  Its page numbers
        were print artifacts; its words are all kept."""
        nav = etree.Element(
            "nav",
            {
                "id": element.get("id", ""),
                "class": "contents source-contents",
                "role": "doc-toc",
            },
        )
        heading = element.find("heading")
        assert heading is not None
        html_heading = self.visit_heading(heading, min(self.heading_offset + depth, 6))
        html_heading.set("class", "contents-heading")
        nav.set("aria-labelledby", html_heading.get("id", ""))
        nav.append(html_heading)
        nav.extend(self.blocks((c for c in element if c.tag != "heading"), depth + 1))
        for item in nav.iter("li"):
            self._link_entry(item)
        return nav

    def _link_entry(self, item: Element) -> None:
        """Wrap a contents entry's text in a link to the heading it names, if one does."""
        if item.find("a") is not None or item.find("ol") is not None or item.find("ul") is not None:
            return
        key = entry_key(_text(item))
        targets = self.heading_ids.get(key, [])
        seen = self._entries_seen.get(key, 0)
        self._entries_seen[key] = seen + 1
        if not targets:
            return
        target = targets[min(seen, len(targets) - 1)]
        link = etree.Element("a", href=f"#{target}")
        link.text, item.text = item.text, None
        for child in list(item):
            link.append(child)
        item.append(link)

    def visit_heading(self, element: Element, level: int) -> Element:
        tag = f"h{max(1, min(level, 6))}"
        heading = etree.Element(tag, id=element.get("id", ""))
        self.inline_into(heading, element)
        self.headings.append(Heading(level, heading_text(element), heading.get("id", "")))
        return heading

    def visit_p(self, element: Element, depth: int) -> Element:
        paragraph = etree.Element("p", id=element.get("id", ""))
        if element.get("role"):
            paragraph.set("class", element.get("role", ""))
        number = element.get("n")
        if number:
            label = etree.SubElement(paragraph, "span", {"class": "number"})
            label.text = f"{number}."
            label.tail = " "
        self.inline_into(paragraph, element)
        return paragraph

    def visit_list(self, element: Element, depth: int) -> Element:
        tag = "ol" if element.get("type") == "ordered" else "ul"
        html_list = etree.Element(tag, id=element.get("id", ""))
        if any(item.get("label") for item in element.iterfind("item")):
            html_list.set("class", "labelled")  # the labels as written replace the markers
        for item in element.iterfind("item"):
            html_list.append(self.visit_item(item, depth))
        return html_list

    def visit_item(self, element: Element, depth: int) -> Element:
        item = etree.Element("li", id=element.get("id", ""))
        if element.get("label"):
            label = etree.SubElement(item, "span", {"class": "item-label"})
            label.text = element.get("label")
            label.tail = " "
        append_text(item, element.text)
        for child in element:
            if child.tag == "list":
                item.append(self.visit_list(child, depth))
            elif isinstance(child.tag, str):
                item.append(self.translate_inline(child))
            append_text(item, child.tail)
        return item

    def visit_table(self, element: Element, depth: int) -> Element:
        table = etree.Element("table", id=element.get("id", ""))
        caption = element.find("caption")
        if caption is not None:
            html_caption = etree.SubElement(table, "caption")
            self.inline_into(html_caption, caption)
        head = element.find("head")
        if head is not None:
            thead = etree.SubElement(table, "thead")
            for row in head.iterfind("row"):
                thead.append(self._row(row, in_head=True))
        tbody = etree.SubElement(table, "tbody")
        for row in element.iterfind("row"):
            tbody.append(self._row(row, in_head=False))
        return table

    def _row(self, row: Element, *, in_head: bool) -> Element:
        tr = etree.Element("tr")
        for cell in row.iterfind("cell"):
            # An empty header cell names nothing: it is written as a data cell.
            is_header = (in_head or cell.get("header") == "true") and bool(_text(cell))
            td = etree.SubElement(tr, "th" if is_header else "td")
            if is_header:
                td.set("scope", cell.get("scope") or ("col" if in_head else "row"))
            for span in ("colspan", "rowspan"):
                if cell.get(span):
                    td.set(span, cell.get(span, ""))
            self.inline_into(td, cell)
        return tr

    def visit_note(self, element: Element, depth: int) -> Element:
        """A footnote: 'Note 1:' and its text, with a link back to where it is cited."""
        note_id = element.get("id", "")
        aside = etree.Element("aside", {"id": note_id, "class": "note", "role": "doc-footnote"})
        if self.epub:
            aside.set(f"{{{OPS_NS}}}type", "footnote")
        paragraph = etree.SubElement(aside, "p")
        label = etree.SubElement(paragraph, "span", {"class": "note-label"})
        label.text = f"Note {element.get('label')}:" if element.get("label") else "Note:"
        label.tail = " "
        self.inline_into(paragraph, element)
        references = self.noteref_ids.get(note_id)
        if references:
            append_text(paragraph, " ")
            back = etree.SubElement(
                paragraph,
                "a",
                {"href": f"#{references[0]}", "class": "backlink", "role": "doc-backlink"},
            )
            back.text = "Back to the text"
        return aside

    def visit_figure(self, element: Element, depth: int) -> Element:
        """A figure: the image at its own size or the measure, whichever is smaller (never
        enlarged past its pixels), its description as the alt text, its caption below.
        A decorative image is presentation only (alt="": out of what is read aloud).
        An image the tree does not hold (the source only linked to it) is its description."""
        decorative = element.get("decorative") == "true"
        description = " ".join((element.findtext("description") or "").split())
        image = element.find("image")
        stored = self.images.get(image.get("ref", "")) if image is not None else None
        caption = element.find("caption")
        ident = element.get("id", "")
        if decorative and caption is None:
            figure = etree.Element("div", {"id": ident, "class": "figure decorative"})
        else:
            figure = etree.Element("figure", {"id": ident, "class": "figure"})
        if stored is not None:
            img = etree.SubElement(
                figure,
                "img",
                {
                    "src": self.image_source(stored),
                    "alt": "" if decorative else description or NO_DESCRIPTION,
                    "width": str(stored.width),
                    "height": str(stored.height),
                    "style": f"width: {stored.width}px",
                },
            )
            if decorative:
                img.set("role", "presentation")
        elif not decorative:
            # The picture is not in this copy (the source only linked to it): its
            # description stands in its place, said to be one.
            text = etree.SubElement(figure, "p", {"class": "figure-text"})
            text.text = f"{LINKED_IMAGE} {description or NO_DESCRIPTION}"
        if caption is not None:
            figcaption = etree.SubElement(figure, "figcaption")
            self.inline_into(figcaption, caption)
        return figure

    def visit_line(self, element: Element, depth: int) -> Element:
        """An Easy Read line: the picture on the left (its alt text says what it shows),
        the words on the right, never over it.  A line with no picture keeps its words in
        the same column; a line that goes on from the one before sits under its words."""
        classes = ["easy-line"]
        if element.get("continues") == "true":
            classes.append("continues")
        line = etree.Element("div", {"id": element.get("id", ""), "class": " ".join(classes)})
        symbol = element.find("symbol")
        if symbol is not None:
            etree.SubElement(
                line,
                "img",
                {
                    "class": "symbol",
                    "src": self.symbol_source(symbol.get("ref", "")),
                    "alt": symbol.get("alt", ""),
                },
            )
        else:
            line.set("class", " ".join([*classes, "no-symbol"]))
        words = etree.SubElement(line, "p")
        append_text(words, element.text)
        for child in element:
            if isinstance(child.tag, str) and child is not symbol:
                words.append(self.translate_inline(child))
            append_text(words, child.tail)
        return line

    def visit_pagebreak(self, element: Element, depth: int) -> Element:
        return self._pagebreak(element, "div")

    def _pagebreak(self, element: Element, tag: str) -> Element:
        page = element.get("page", "")
        marker_id = f"page-{page}"
        if any(existing == marker_id for _, existing in self.page_ids):
            marker_id = f"{marker_id}-{len(self.page_ids)}"
        self.page_ids.append((page, marker_id))
        marker = etree.Element(
            tag,
            {
                "id": marker_id,
                "class": "pagebreak",
                "role": "doc-pagebreak",
                "aria-label": f"Print page {page}",
            },
        )
        if self.epub:
            marker.set(f"{{{OPS_NS}}}type", "pagebreak")
        return marker

    # -- inline ---------------------------------------------------------------------------

    def translate_inline(self, element: Element) -> Element:
        tag = element.tag
        if tag == "pagebreak":
            return self._pagebreak(element, "span")
        if not isinstance(tag, str) or tag not in INLINE_TRANSLATED:
            raise TranslationError(f"no HTML translation for inline <{tag}>")
        if tag == "a":
            href = element.get("href", "")
            if _SAFE_HREF.match(href):
                html = etree.Element("a", href=href)
            else:  # a javascript:, file: or data: link is shown as text, never followed
                html = etree.Element("span", {"class": "link"})
        elif tag == "abbr":
            html = etree.Element("abbr", title=element.get("title", ""))
        elif tag == "noteref":
            return self._noteref(element)
        elif tag == "span":
            html = etree.Element("span", lang=element.get(canonical.XML_LANG, ""))
        elif tag == "quote":
            html = etree.Element("q")
        elif tag in ("em", "strong"):
            html = etree.Element(tag)
        else:
            raise TranslationError(f"no HTML translation for inline <{tag}>")
        self.inline_into(html, element)
        if tag == "a":
            _break_url(html)
        return html

    def _noteref(self, element: Element) -> Element:
        """'[note 1]', a link to the note, set off by a space: never glued to the word."""
        note_id = element.get("ref", "")
        seen = self._noterefs_seen.get(note_id, 0)
        self._noterefs_seen[note_id] = seen + 1
        references = self.noteref_ids.get(note_id, [])
        attributes = {"href": f"#{note_id}", "class": "noteref", "role": "doc-noteref"}
        if seen < len(references):
            attributes["id"] = references[seen]
        html = etree.Element("a", attributes)
        if self.epub:
            html.set(f"{{{OPS_NS}}}type", "noteref")
        marker = " ".join(canonical.text_content(element).split())
        html.text = f"[note {marker}]" if marker else "[note]"
        return html


def _break_url(link: Element) -> None:
    """Let a web address shown as its own text break after a slash or a dot, where a
    reader expects it, rather than at any letter."""
    if len(link) or not link.text or not _URL_TEXT.match(link.text):
        return
    parts = _URL_BREAKS.split(link.text)
    if len(parts) < 2:
        return
    link.text = parts[0]
    for part in parts[1:]:
        etree.SubElement(link, "wbr").tail = part


def _ends_with_space(element: Element) -> bool:
    last = element[-1].tail if len(element) else element.text
    if len(element) and last is None:
        return False
    return not last or last[-1].isspace()


def heading_text(heading: Element) -> str:
    """A heading's words for contents and bookmarks: note references left out."""
    pieces: list[str] = [heading.text or ""]
    for child in heading:
        if child.tag != "noteref":
            pieces.append(canonical.text_content(child))
        pieces.append(child.tail or "")
    return " ".join("".join(pieces).split())


def entry_key(text: str) -> str:
    """A contents entry or heading reduced to its words, to match one with the other."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def _text(element: Element) -> str:
    return " ".join("".join(str(t) for t in element.itertext()).split())


@dataclass
class HtmlDocument:
    """A translated report: the html element plus what writers need to build around it."""

    html: Element
    headings: list[Heading]
    page_ids: list[tuple[str, str]]
    title: str
    language: str
    source_contents: bool = False  # the source's contents page stands for ours


def translate_report(
    root: Element,
    *,
    css: str = "",
    epub: bool = False,
    contents: bool = False,
    title_page: Iterable[Element] = (),
    image_source: ImageSource = data_url,
    symbol_source: SymbolSource = symbol_data_url,
) -> HtmlDocument:
    """The whole report as one HTML page: title header, optional contents, main, footer.

    ``title_page`` elements go inside the title header (after the title and subtitle);
    ``contents`` adds a contents nav of the section headings between header and main,
    unless the source has a contents page of its own (a section with role contents),
    which is then the document's contents.
    """
    if root.tag != "report" or root.find("body") is None:
        raise TranslationError(f"not a canonical report: <{root.tag}>")
    texts = [_text(h) for h in root.iterfind(".//section/heading")]
    repeated = {text for text in texts if texts.count(text) > 1}
    ids = writer_ids(root)
    translator = XhtmlTranslator(
        epub=epub,
        repeated_headings=repeated,
        ids=ids,
        images=images.used(root),
        image_source=image_source,
        noteref_ids=noteref_ids(root, set(ids.values())),
        heading_ids=heading_ids(root),
        symbol_source=symbol_source,
    )
    language = edition.language(root)
    title = " ".join((root.findtext("meta/title") or "").split()) or UNTITLED
    html = etree.Element("html", lang=language)
    html.set(f"{{{canonical.XML_NS}}}lang", language)
    head = etree.SubElement(html, "head")
    etree.SubElement(head, "meta", charset="utf-8")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    publisher = root.findtext("meta/publisher")
    if publisher:
        etree.SubElement(head, "meta", name="author", content=" ".join(publisher.split()))
    if css:
        etree.SubElement(head, "style").text = css
    body = etree.SubElement(html, "body")
    if root.get("variant") == "easy-read":
        body.set("class", "easy-read")  # its own layout: pictures beside the lines
    header = etree.SubElement(body, "header", {"id": ids["title-block"], "class": "title-block"})
    h1 = etree.SubElement(header, "h1", id=ids["title"])
    h1.text = title
    translator.headings.append(Heading(1, title, ids["title"]))
    subtitle = root.findtext("meta/subtitle")
    if subtitle:
        etree.SubElement(header, "p", {"class": "subtitle"}).text = subtitle
    header.extend(title_page)
    body.append(translator.translate(root.find("body")))  # type: ignore[arg-type]
    back = root.find("back")
    if back is not None and len(back):
        body.append(translator.translate(back))
    source_contents = has_source_contents(root)
    if contents and not source_contents:
        header.addnext(contents_nav(translator.headings, ids))
    return HtmlDocument(
        html, translator.headings, translator.page_ids, title, language, source_contents
    )


def has_source_contents(root: Element) -> bool:
    """Whether the source's own contents page is in the tree (then it is our contents)."""
    return any(s.find("heading") is not None for s in root.iterfind(".//section[@role='contents']"))


def noteref_ids(root: Element, taken: set[str]) -> dict[str, list[str]]:
    """An id for every note reference ("ref-note-1", "ref-note-1-2"), clear of the tree's
    ids, so that a note links back to where it is cited."""
    taken = taken | {str(e.get("id")) for e in root.iter() if e.get("id")}
    found: dict[str, list[str]] = {}
    for reference in root.iter("noteref"):
        note_id = reference.get("ref", "")
        candidate, number = f"ref-{note_id}", 2
        while candidate in taken:
            candidate, number = f"ref-{note_id}-{number}", number + 1
        taken.add(candidate)
        found.setdefault(note_id, []).append(candidate)
    return found


def heading_ids(root: Element) -> dict[str, list[str]]:
    """Section headings' ids by their words, in document order, for contents entries."""
    found: dict[str, list[str]] = {}
    for section in root.iter("section"):
        heading = section.find("heading")
        if heading is None or section.get("role") == "contents" or not heading.get("id"):
            continue
        found.setdefault(entry_key(heading_text(heading)), []).append(str(heading.get("id")))
    return found


def contents_nav(headings: list[Heading], ids: dict[str, str], *, max_level: int = 3) -> Element:
    """A contents list of the section headings (down to ``max_level``) as a nav."""
    nav = etree.Element(
        "nav",
        {"id": ids["contents"], "class": "contents", "aria-labelledby": ids["contents-heading"]},
    )
    heading = etree.SubElement(
        nav, "h2", {"id": ids["contents-heading"], "class": "contents-heading"}
    )
    heading.text = "Contents"
    top = etree.SubElement(nav, "ol")
    stack: list[tuple[int, Element]] = [(2, top)]  # (heading level, its list)
    last_item: Element | None = None
    for entry in headings:
        if not 2 <= entry.level <= max_level or not entry.id:
            continue
        while entry.level < stack[-1][0] and len(stack) > 1:
            stack.pop()
        if entry.level > stack[-1][0] and last_item is not None:
            stack.append((entry.level, etree.SubElement(last_item, "ol")))
        last_item = etree.SubElement(stack[-1][1], "li")
        etree.SubElement(last_item, "a", href=f"#{entry.id}").text = entry.text
    if not len(top):
        etree.SubElement(
            etree.SubElement(top, "li"), "a", href=f"#{ids['main']}"
        ).text = "The report"
    return nav


def serialize_html(html: Element) -> bytes:
    """HTML5 text: doctype, UTF-8, void elements written the HTML way."""
    return b"<!DOCTYPE html>\n" + etree.tostring(html, method="html", encoding="utf-8")


def to_xhtml(html: Element) -> Element:
    """A copy of an HTML tree in the XHTML namespace (with the epub prefix), for EPUB."""
    root = etree.Element(
        f"{{{XHTML_NS}}}html",
        nsmap={None: XHTML_NS, "epub": OPS_NS},  # type: ignore[dict-item]
    )
    for name, value in html.attrib.items():
        root.set(name, value)
    for child in html:
        root.append(_namespaced(child))
    return root


def _namespaced(element: Element) -> Element:
    copy = etree.Element(
        f"{{{XHTML_NS}}}{element.tag}"
        if isinstance(element.tag, str) and not element.tag.startswith("{")
        else element.tag
    )
    for name, value in element.attrib.items():
        copy.set(name, value)
    copy.text, copy.tail = element.text, element.tail
    for child in element:
        copy.append(_namespaced(child))
    return copy
