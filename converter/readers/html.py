"""Read a web page (HTML): its main content, with the structure its markup states.

lxml.html parses the page (it never fetches anything: no DTD, no network).  Only the
main content is read: ``<main>`` (or the element with role main, else the first
``<article>``, else the body), without navigation, site headers and footers, asides,
forms, scripts, styles, frames and embedded objects; GOV.UK pages have all of them.
Headings, paragraphs, lists, description lists, tables (header cells and their scope,
spans, captions), figures and images (``alt`` the description; an empty ``alt`` marks a
decorative image), links, quotations, language and footnotes become canonical
elements.  Nothing the page names is fetched: an image is kept only when the page holds
its bytes (a ``data:`` URL); a remote one keeps its address and its description.

A page this program wrote reads back whole: its title block gives the title, its footer
(sections of back matter) the back matter, its numbered paragraphs, list labels, notes
and print page markers their canonical elements.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import urllib.parse
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from converter import images as stored_images
from converter.errors import InputError
from converter.readers.decode import decode_text
from converter.readers.outline import Block, Outline
from converter.recovery.build import Ids
from converter.tree import SCHEMA_VERSION, XML_LANG, append_text

Element = etree._Element

_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
#: HTML5's void elements that libxml2's HTML parser does not know as void: without an end
#: tag it would take everything after one for its content.
_VOID = re.compile(
    r"<(embed|source|track|wbr|keygen)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>(?!\s*</\1>)",
    re.IGNORECASE,
)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_SAFE_HREF = re.compile(r"^(?:https?://|mailto:|tel:)", re.IGNORECASE)
_PAGE_LABEL = re.compile(r"(\S+)\s*$")
_DATA_URL = re.compile(r"^data:image/[a-z0-9.+-]+(?:;[a-z0-9=.+-]+)*;base64,", re.IGNORECASE)
#: What a note's label is printed with beside its mark: "Note 1:", "[footnote 2]".
_NOTE_LABEL = re.compile(r"[\[\]():]|\b(?:footnote|endnote|note)\b", re.IGNORECASE)

#: Never content: the page's machinery, furniture and forms.
_DROPPED = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "form",
        "button",
        "input",
        "select",
        "textarea",
        "option",
        "label",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "canvas",
        "svg",
        "math",
        "audio",
        "video",
        "source",
        "track",
        "map",
        "area",
        "dialog",
        "link",
        "meta",
        "head",
        "title",
        "base",
    ]
)
#: Furniture of a site, outside the main content.
_FURNITURE = frozenset(["header", "footer", "aside"])
_HEADING = re.compile(r"^h([1-6])$")
_BLOCKS = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "dl",
        "table",
        "figure",
        "blockquote",
        "pre",
        "address",
        "div",
        "section",
        "article",
        "main",
        "details",
        "summary",
        "hr",
        "li",
        "dd",
        "dt",
        "header",
        "footer",
        "aside",
        "center",
        "fieldset",
    ]
)
_NOTE_ROLES = ("doc-footnote", "doc-endnote", "doc-rearnote")
_OPS_TYPE = "{http://www.idpf.org/2007/ops}type"


def read(data: bytes, *, name: str) -> Element:
    text = _decode(data, name=name)
    text = _XML_DECLARATION.sub("", text, count=1)
    text = _VOID.sub(lambda m: f"<{m.group(1)}{m.group(2).rstrip('/')}></{m.group(1)}>", text)
    if not text.strip():
        raise InputError("is empty", source=name)
    parser = lxml.html.HTMLParser(  # type: ignore[call-arg]
        remove_comments=True, remove_pis=True, no_network=True, default_doctype=False
    )
    try:
        document = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as error:
        raise InputError(f"cannot be read as HTML ({error})", source=name) from None
    return HtmlReader(document).tree()


def _decode(data: bytes, *, name: str) -> str:
    """The page's text: a byte-order mark, else the charset it declares, else UTF-8
    (Windows-1252 for bytes that are not)."""
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        declared = _CHARSET.search(data[:4096])
        if declared is not None:
            try:
                codec = codecs.lookup(declared.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                codec = None
            if codec is not None and codec.name not in ("utf-8", "utf-16", "utf-32"):
                try:
                    return data.decode(codec.name)
                except UnicodeDecodeError:
                    pass
    return decode_text(data, source=name)


@dataclass
class _Note:
    ident: str
    label: str


@dataclass
class HtmlReader:
    document: Element
    ids: Ids = field(default_factory=Ids)
    images: stored_images.ImageStore = field(default_factory=stored_images.ImageStore)
    blocks: list[Block] = field(default_factory=list)
    notes: dict[str, _Note] = field(default_factory=dict)  # html id -> the note
    title: str | None = None
    subtitle: str | None = None
    base: str | None = None
    number: int = 0  # blocks met: src
    back: str | None = None

    def __post_init__(self) -> None:
        self.language = _language(self.document.get("lang") or self.document.get(XML_LANG))
        base = self.document.find(".//head/base")
        href = base.get("href") if base is not None else None
        if href and _SAFE_HREF.match(href):
            self.base = href

    # -- the page -------------------------------------------------------------------------

    def tree(self) -> Element:
        body = self.document.find("body")
        if body is None:
            body = self.document
        content = _main(body)
        title_block = _title_block(body, content)
        self._reserve_notes(content)
        if title_block is not None:
            self._title_block(title_block)
        self.container(content)
        for footer in _back_matter(body, content):
            self._back(footer)
        if not self.blocks and self.title is None:
            raise InputError("is a web page with no text in its main content")
        return self._build()

    def _build(self) -> Element:
        root = etree.Element("report", {"schema-version": SCHEMA_VERSION})
        root.set(XML_LANG, self.language)
        root.set("variant", "full")
        meta = etree.SubElement(root, "meta")
        etree.SubElement(root, "body")
        title = self.title or _text(self.document.find(".//head/title")) or "Untitled document"
        etree.SubElement(meta, "title").text = title
        if self.subtitle:
            etree.SubElement(meta, "subtitle").text = self.subtitle
        etree.SubElement(meta, "kind").text = "generic"
        author = self.document.find(".//head/meta[@name='author']")
        if author is not None and _clean(author.get("content") or ""):
            etree.SubElement(meta, "publisher").text = _clean(author.get("content") or "")
        etree.SubElement(meta, "source", {"name": "", "sha256": "0" * 64, "format": "html"})
        outline = Outline(root, self.ids)
        for block in self.blocks:
            outline.add(block)
        outline.finish()
        self.images.attach(root)
        return root

    def _title_block(self, header: Element) -> None:
        """A title block before the main content (this program's page has one): its
        first heading is the title, a subtitle line under it the subtitle."""
        heading = next((h for h in header.iter("h1", "h2")), None)
        if heading is not None:
            self.title = _text(heading)
        subtitle = next((p for p in header.iter("p") if "subtitle" in _classes(p)), None)
        if subtitle is not None:
            self.subtitle = _text(subtitle) or None

    def _back(self, footer: Element) -> None:
        """Back matter: each section of the footer, by the role its class names (a
        titled part holding the untitled ones: each keeps its own)."""
        for section in _sections(footer):
            self._back_section(section, "about")
        self.back = None

    def _back_section(self, section: Element, role: str) -> None:
        roles = [c[5:] for c in _classes(section) if c.startswith("role-")]
        self.back = roles[0] if roles and roles[0] in _BACK_ROLES else role
        self.container(section, stop_at_sections=True)
        for inner in _sections(section):
            self._back_section(inner, self.back)

    # -- blocks ---------------------------------------------------------------------------

    def container(self, parent: Element, *, stop_at_sections: bool = False) -> None:
        """Read the blocks inside an element, loose text and inline runs as paragraphs."""
        loose: list[Element | str] = []
        if parent.text and parent.text.strip():
            loose.append(parent.text)
        for child in parent:
            if not isinstance(child.tag, str):
                if child.tail and child.tail.strip():
                    loose.append(child.tail)
                continue
            tag = child.tag.lower()
            if _skipped(child):
                pass
            elif tag in _BLOCKS or tag == "img" or _is_note(child) or _is_contents_page(child):
                self._loose(loose)
                loose = []
                if not (stop_at_sections and tag == "section"):
                    self.block(child)
            else:
                loose.append(child)
            if child.tail and child.tail.strip():
                loose.append(child.tail)
        self._loose(loose)

    def _loose(self, parts: list[Element | str]) -> None:
        """Text and inline elements between blocks: one paragraph."""
        if not parts:
            return
        holder = etree.Element("p")
        figures: list[Element] = []
        for part in parts:
            if isinstance(part, str):
                append_text(holder, part)
            else:
                self.inline_element(part, holder, figures)
                if part.tail:
                    append_text(holder, part.tail)
        self._paragraph(holder, figures)

    def block(self, element: Element) -> None:
        tag = element.tag.lower()
        heading = _HEADING.match(tag)
        role = element.get("role", "")
        if _is_note(element):
            self._note(element)
        elif role == "doc-pagebreak" or "pagebreak" in (element.get(_OPS_TYPE) or ""):
            self._pagebreak(element)
        elif heading or (role == "heading" and element.get("aria-level", "").isdigit()):
            level = int(heading.group(1)) if heading else int(element.get("aria-level", "2"))
            self._heading(element, level)
        elif _is_contents_page(element):
            self._contents_page(element)
        elif tag in ("p", "address", "dt", "dd", "summary", "pre"):
            self._paragraph_of(element)
        elif tag in ("ul", "ol"):
            self._list(element, depth=0)
        elif tag == "dl":
            self._definitions(element)
        elif tag == "table":
            self._table(element)
        elif tag == "figure":
            self._figure_element(element)
        elif tag == "img":
            self._image(element)
        elif tag == "blockquote":
            self._quotation(element)
        elif tag == "hr":
            pass
        else:  # div, section, article and the like: their blocks
            self.container(element)

    def _src(self) -> tuple[int, int]:
        self.number += 1
        return self.number, self.number

    def _add(self, block: Block) -> None:
        block.back = self.back
        self.blocks.append(block)

    def _contents_page(self, nav: Element) -> None:
        """The document's contents page: its heading opens a section with the contents
        role, its entries are a list (the links to the sections they name are the page's
        navigation, their words the entries)."""
        before = len(self.blocks)
        self.container(nav)
        heading = next((b for b in self.blocks[before:] if b.kind == "heading"), None)
        if heading is not None:
            heading.role = "contents"

    def _heading(self, element: Element, level: int) -> None:
        holder = etree.Element("p")
        figures: list[Element] = []
        self.inline_into(element, holder, figures)
        self._language_of(element, holder)
        _tidy(holder)
        text = _text(holder)
        if not text:
            return
        if (
            self.title is None
            and level == 1
            and not any(b.kind != "pagebreak" for b in self.blocks)
        ):
            self.title = text  # the page opens with its title
            return
        self._add(Block("heading", holder, self._src(), level=level))
        self._figures(figures)

    def _paragraph_of(self, element: Element, *, quote: bool = False) -> None:
        holder = etree.Element("p")
        figures: list[Element] = []
        number = None
        first = next((c for c in element if isinstance(c.tag, str)), None)
        if (
            first is not None
            and first.tag == "span"
            and "number" in _classes(first)
            and not (element.text or "").strip()
        ):
            # A numbered paragraph as this program writes it: <span class="number">17.</span>
            number = _text(first).rstrip(".")
            holder.text = None
            self.inline_into(element, holder, figures, skip=first)
        else:
            self.inline_into(element, holder, figures)
        self._language_of(element, holder)
        if quote and (holder.text or len(holder)):
            quoted = etree.Element("quote")
            quoted.text, holder.text = holder.text, None
            quoted.extend(list(holder))
            holder.append(quoted)
        self._paragraph(
            holder, figures, number=number if number and _NUMBER.match(number) else None
        )

    def _paragraph(
        self, holder: Element, figures: list[Element], *, number: str | None = None
    ) -> None:
        _tidy(holder)
        if not _text(holder) and number:
            holder.text, number = number, None  # a number alone is the paragraph's text
        if _text(holder):
            self._add(Block("p", holder, self._src(), n=number))
        self._figures(figures)

    def _figures(self, figures: list[Element]) -> None:
        for figure in figures:
            self._add(Block("figure", figure, self._src()))

    def _list(self, element: Element, depth: int) -> None:
        ordered = element.tag.lower() == "ol"
        number = _integer(element.get("start"), 1)
        if element.get("reversed") is not None:
            number = _integer(element.get("start"), len(element.findall("li")))
        key = object()
        for item in element:
            if not isinstance(item.tag, str) or item.tag.lower() != "li" or _skipped(item):
                continue
            if _is_note(item):  # a list of endnotes: each one a note
                self._note(item)
                continue
            number = _integer(item.get("value"), number)
            holder = etree.Element("p")
            figures: list[Element] = []
            nested: list[Element] = []
            label = None
            first = next((c for c in item if isinstance(c.tag, str)), None)
            skip = None
            if first is not None and first.tag == "span" and "item-label" in _classes(first):
                label = _text(first)  # a label as written, as this program writes it
                skip = first
            self.inline_into(item, holder, figures, skip=skip, nested_lists=nested)
            self._language_of(item, holder)
            _tidy(holder)
            if ordered and label is None:
                label = f"{_format_counter(number, element.get('type') or '1')}."
            self._add(
                Block(
                    "item",
                    holder,
                    self._src(),
                    level=depth,
                    ordered=ordered,
                    label=label if ordered else None,
                    list_key=key,
                )
            )
            number += -1 if element.get("reversed") is not None else 1
            for inner in nested:
                self._list(inner, depth + 1)
            self._figures(figures)

    def _definitions(self, element: Element) -> None:
        """A description list: a table of terms (row headers) and their descriptions."""
        table = etree.Element("table")
        row: Element | None = None
        for child in element.iter("dt", "dd"):
            if child.tag == "dt" or row is None:
                row = etree.SubElement(table, "row")
            cell = etree.SubElement(row, "cell")
            if child.tag == "dt":
                cell.set("header", "true")
                cell.set("scope", "row")
            figures: list[Element] = []
            self.inline_into(child, cell, figures)
            _tidy(cell)
        if len(table):
            self._add(Block("table", table, self._src()))

    def _table(self, element: Element) -> None:
        if element.get("role") in ("presentation", "none"):
            for cell in element.iter("td", "th"):  # a layout table: its cells' blocks
                self.container(cell)
            return
        table = etree.Element("table")
        figures: list[Element] = []
        caption = element.find("caption")
        if caption is not None:
            canonical_caption = etree.SubElement(table, "caption")
            self.inline_into(caption, canonical_caption, figures)
            _tidy(canonical_caption)
            if not _text(canonical_caption):
                table.remove(canonical_caption)
        head_rows: list[Element] = []
        body_rows: list[Element] = []
        for row in _rows(element):
            group = row.getparent()
            in_head = group is not None and group.tag == "thead"
            canonical_row = etree.Element("row")
            for cell in row:
                if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                    continue
                canonical_cell = etree.SubElement(canonical_row, "cell")
                if cell.tag == "th":
                    canonical_cell.set("header", "true")
                    scope = cell.get("scope")
                    if scope not in ("col", "row"):
                        # Unstated: a header in the head or the first row heads its column,
                        # one that opens a later row heads its row.
                        first_cell = len(canonical_row) == 1
                        top = in_head or row is _first_row(element)
                        scope = "row" if first_cell and not top else "col"
                    canonical_cell.set("scope", scope)
                for span in ("colspan", "rowspan"):
                    value = _integer(cell.get(span), 1)
                    if value > 1:
                        canonical_cell.set(span, str(min(value, 1000)))
                self.inline_into(cell, canonical_cell, figures)
                _tidy(canonical_cell)
            if len(canonical_row):
                (head_rows if in_head else body_rows).append(canonical_row)
        if not body_rows:
            body_rows, head_rows = head_rows, []
        if not body_rows:
            return
        if head_rows:
            etree.SubElement(table, "head").extend(head_rows)
        table.extend(body_rows)
        self._add(Block("table", table, self._src()))
        self._figures(figures)

    def _figure_element(self, element: Element) -> None:
        caption_element = element.find("figcaption")
        images = [i for i in element.iter("img") if not _skipped(i)]
        tables = element.findall(".//table")
        if len(images) == 1 and not tables:
            figure = self._figure(images[0])
            if figure is not None and caption_element is not None:
                caption = etree.SubElement(figure, "caption")
                self.inline_into(caption_element, caption, [], skip_images=True)
                _tidy(caption)
                if not _text(caption):
                    figure.remove(caption)
            if figure is not None:
                self._add(Block("figure", figure, self._src()))
            # Text beside the image in the figure, other than its caption, is content too.
            for child in element:
                if not isinstance(child.tag, str) or child.tag in ("img", "figcaption"):
                    continue
                if child.find(".//img") is not None or child.tag == "picture":
                    continue
                if child.tag in _BLOCKS:
                    self.block(child)
                else:
                    self._loose([child])
            return
        if len(tables) == 1 and caption_element is not None and tables[0].find("caption") is None:
            caption = etree.SubElement(tables[0], "caption")
            caption.text = _text(caption_element)
            caption_element.getparent().remove(caption_element)  # type: ignore[union-attr]
        self.container(element)

    def _image(self, element: Element) -> None:
        figure = self._figure(element)
        if figure is not None:
            self._add(Block("figure", figure, self._src()))

    def _figure(self, element: Element) -> Element | None:
        """A figure for an img: its alt the description (empty alt: decorative)."""
        source = (element.get("src") or "").strip()
        alt = element.get("alt")
        figure = etree.Element("figure")
        if alt is not None and not alt.strip() or element.get("role") in ("presentation", "none"):
            figure.set("decorative", "true")
        image = etree.SubElement(figure, "image")
        match = _DATA_URL.match(source)
        if match:
            try:
                data = base64.b64decode(source[match.end() :], validate=False)
            except (binascii.Error, ValueError):
                data = b""
            stored = self.images.add(data) if data else None
            if stored is not None:
                image.set("ref", stored.sha256)
        elif source:
            image.set("name", _clean(source)[:500])  # named only: never fetched
        if not image.attrib:
            figure.remove(image)
        described = alt is not None and alt.strip().casefold() != stored_images.NO_DESCRIPTION
        if described and alt is not None and alt.strip() and figure.get("decorative") is None:
            etree.SubElement(figure, "description").text = _clean(alt)
        return figure

    def _quotation(self, element: Element) -> None:
        paragraphs = [c for c in element if isinstance(c.tag, str) and c.tag == "p"]
        if paragraphs and len(paragraphs) == len([c for c in element if isinstance(c.tag, str)]):
            for paragraph in paragraphs:
                self._paragraph_of(paragraph, quote=True)
        elif any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in element):
            self.container(element)
        else:
            self._paragraph_of(element, quote=True)

    def _note(self, element: Element) -> None:
        note = self.notes.get(element.get("id", ""))
        holder = etree.Element("p")
        figures: list[Element] = []
        label_span = next((s for s in element.iter("span") if "note-label" in _classes(s)), None)
        self.inline_into(element, holder, figures, skip=label_span)
        _tidy(holder)
        if not _text(holder) and note is None:
            return
        label = (
            note.label
            if note is not None
            else (_note_label(_text(label_span)) if label_span is not None else None)
        )
        ident = note.ident if note is not None else None
        self._add(Block("note", holder, self._src(), label=label, ident=ident))

    def _pagebreak(self, element: Element) -> None:
        page = _page_label(element)
        if page is not None:
            self._add(Block("pagebreak", label=page))

    # -- notes ----------------------------------------------------------------------------

    def _reserve_notes(self, content: Element) -> None:
        """Give every note of the page its id and label before any text cites it."""
        for element in content.iter():
            if not isinstance(element.tag, str) or not _is_note(element):
                continue
            html_id = element.get("id")
            if not html_id:
                continue
            label_span = next(
                (s for s in element.iter("span") if "note-label" in _classes(s)), None
            )
            if label_span is not None:
                label = _note_label(_text(label_span))
            elif element.tag == "li" and (owner := element.getparent()) is not None:
                siblings = [c for c in owner if isinstance(c.tag, str) and c.tag == "li"]
                label = str(siblings.index(element) + _integer(owner.get("start"), 1))
            else:
                label = str(len(self.notes) + 1)
            ident = self.ids.unique(f"note-{label}" if label.isalnum() else "note")
            self.notes[html_id] = _Note(ident, label)

    # -- inline content -------------------------------------------------------------------

    def inline_into(
        self,
        element: Element,
        target: Element,
        figures: list[Element],
        *,
        skip: Element | None = None,
        nested_lists: list[Element] | None = None,
        skip_images: bool = False,
    ) -> None:
        """The inline content of an element into ``target``; nested blocks' text runs on
        (a paragraph inside a list item, a list inside a table cell)."""
        append_text(target, element.text)
        for child in element:
            if not isinstance(child.tag, str):
                append_text(target, child.tail)
                continue
            if child is skip or _skipped(child):
                pass
            elif nested_lists is not None and child.tag in ("ul", "ol"):
                nested_lists.append(child)
            elif child.tag == "img":
                if not skip_images:
                    figure = self._figure(child)
                    if figure is not None:
                        figures.append(figure)
            elif child.tag in _BLOCKS or _is_note(child):
                if len(target) or target.text:
                    append_text(target, " ")
                self.inline_into(child, target, figures, skip=skip, nested_lists=nested_lists)
                append_text(target, " ")
            else:
                self.inline_element(child, target, figures)
            append_text(target, child.tail)

    def inline_element(self, element: Element, target: Element, figures: list[Element]) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        role = element.get("role", "")
        if _skipped(element):
            return
        if tag == "img":
            figure = self._figure(element)
            if figure is not None:
                figures.append(figure)
            return
        if tag in ("br", "wbr"):
            append_text(target, " " if tag == "br" else "")
            return
        if role == "doc-pagebreak" or "pagebreak" in (element.get(_OPS_TYPE) or ""):
            page = _page_label(element)
            if page is not None:
                etree.SubElement(target, "pagebreak", {"page": page})
            return
        if role == "doc-backlink" or "reversefootnote" in _classes(element):
            return  # "back to the text" from a note: navigation, not content
        noteref = self._noteref(element)
        if noteref is not None:
            ref = etree.SubElement(target, "noteref", {"ref": noteref.ident})
            ref.text = noteref.label
            return
        wrapper: Element | None = None
        if tag == "a":
            href = self._href(element.get("href"))
            if href is not None:
                wrapper = etree.SubElement(target, "a", {"href": href})
        elif tag in ("em", "i", "cite", "dfn"):
            wrapper = etree.SubElement(target, "em")
        elif tag in ("strong", "b"):
            wrapper = etree.SubElement(target, "strong")
        elif tag == "q":
            wrapper = etree.SubElement(target, "quote")
        elif tag == "abbr" and element.get("title"):
            abbr = etree.SubElement(target, "abbr", {"title": _clean(element.get("title") or "")})
            abbr.text = _text(element)
            return
        language = _language(element.get("lang"), default=None)
        if language is not None and _primary(language) != _primary(self.language):
            wrapper = etree.SubElement(wrapper if wrapper is not None else target, "span")
            wrapper.set(XML_LANG, language)
        self.inline_into(element, wrapper if wrapper is not None else target, figures)

    def _language_of(self, element: Element, holder: Element) -> None:
        """A block in another language than the page's: its content in a span saying so."""
        language = _language(element.get("lang"), default=None)
        if language is None or _primary(language) == _primary(self.language):
            return
        span = etree.Element("span")
        span.set(XML_LANG, language)
        span.text, holder.text = holder.text, None
        span.extend(list(holder))
        holder.append(span)

    def _noteref(self, element: Element) -> _Note | None:
        """A link to one of the page's notes (or a superscript holding only such a link)."""
        link = element
        if element.tag == "sup":
            links = [c for c in element if isinstance(c.tag, str)]
            if len(links) != 1 or links[0].tag != "a" or (element.text or "").strip():
                return None
            link = links[0]
        if link.tag != "a":
            return None
        href = link.get("href") or ""
        if not href.startswith("#"):
            return None
        return self.notes.get(urllib.parse.unquote(href[1:]))

    def _href(self, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if _SAFE_HREF.match(href):
            return _clean(href)
        if self.base is not None and not href.startswith("#") and ":" not in href.split("/")[0]:
            return _clean(urllib.parse.urljoin(self.base, href))
        return None  # a link within the page or relative to an unknown address: its text


_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)*$")
_BACK_ROLES = ("about", "alternative-formats", "licence", "contact", "copyright")


def _sections(element: Element) -> list[Element]:
    return [c for c in element if isinstance(c.tag, str) and c.tag == "section"]


def _main(body: Element) -> Element:
    """The main content: <main>, else the element with role main, else the first
    <article>, else the body."""
    for path in (".//main", ".//*[@role='main']", ".//article"):
        found = body.find(path)
        if found is not None and not _skipped(found):
            return found
    return body


def _title_block(body: Element, content: Element) -> Element | None:
    """A header before the main content holding the page's first-level heading (this
    program writes its title block so); a site header holds no h1."""
    if content is body:
        return None
    for header in body.iter("header"):
        if header.get("id", "").startswith("title-block") or "title-block" in _classes(header):
            return header
        if content in header.iterancestors() or header in content.iterancestors():
            continue
        if header.find(".//h1") is not None and content.find(".//h1") is None:
            return header
    return None


def _back_matter(body: Element, content: Element) -> list[Element]:
    """Footers after the main content holding sections of back matter (as this program
    writes them); a site's footer holds none and is furniture."""
    if content is body:
        return []
    return [
        footer
        for footer in body.iter("footer")
        if content not in footer.iterancestors()
        and footer not in content.iterancestors()
        and footer.find(".//section") is not None
        and any(c.startswith("role-") for s in footer.iter("section") for c in _classes(s))
    ]


def _skipped(element: Element) -> bool:
    """Elements that are never content: machinery, forms, frames, hidden elements, and
    a site's furniture (header, footer, aside that is no note)."""
    if not isinstance(element.tag, str):
        return True
    tag = element.tag.lower()
    if tag in _DROPPED and not _is_contents_page(element):
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if tag not in _FURNITURE or _is_note(element) or _holds_notes(element):
        return False
    if tag == "aside":
        return True  # beside the text: related links, a sidebar
    # A header or footer is the page's (a site's banner, its footer links) unless it
    # belongs to an article or section of the content.
    return not any(a.tag in ("article", "section") for a in element.iterancestors())


def _is_contents_page(element: Element) -> bool:
    """A document's own contents page: a nav that DPUB-ARIA's role says is the document's
    table of contents (doc-toc), as this program writes a source's contents page.  Other
    navigation (a site's menus, its "on this page" lists) is never content."""
    return element.tag == "nav" and element.get("role") == "doc-toc"


def _is_note(element: Element) -> bool:
    role = element.get("role", "")
    kind = element.get(_OPS_TYPE) or ""
    return role in _NOTE_ROLES or any(
        k in kind.split() for k in ("footnote", "endnote", "rearnote")
    )


def _holds_notes(element: Element) -> bool:
    return any(_is_note(e) for e in element.iter() if isinstance(e.tag, str))


def _rows(table: Element) -> list[Element]:
    rows = []
    for child in table:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if isinstance(r.tag, str) and r.tag == "tr")
    return rows


def _first_row(table: Element) -> Element | None:
    rows = _rows(table)
    return rows[0] if rows else None


def _page_label(element: Element) -> str | None:
    label = element.get("aria-label") or element.get("title") or _text(element)
    match = _PAGE_LABEL.search(label or "")
    return match.group(1) if match else None


def _note_label(text: str) -> str:
    """A note's mark from its printed label: "Note 1:" and "[footnote 1]" are "1"."""
    mark = " ".join(_NOTE_LABEL.sub(" ", text).split()).rstrip(".")
    return mark or text


def _format_counter(value: int, kind: str) -> str:
    if kind in ("a", "A") and value >= 1:
        letters = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letters.upper() if kind == "A" else letters
    if kind in ("i", "I") and value >= 1:
        numerals = (
            (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
            (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
        )  # fmt: skip
        roman, rest = "", value
        for amount, letters in numerals:
            while rest >= amount:
                roman, rest = roman + letters, rest - amount
        return roman.upper() if kind == "I" else roman
    return str(value)


def _integer(value: str | None, default: int) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return default


def _classes(element: Element) -> list[str]:
    return (element.get("class") or "").split()


def _clean(text: str) -> str:
    return _SPACE.sub(" ", _CONTROL.sub(" ", text)).strip()


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(element: Element | None) -> str:
    if element is None:
        return ""
    return _clean("".join(str(t) for t in element.itertext()))


def _language(value: str | None, default: str | None = "en") -> str:
    if value and _LANGUAGE.match(value.strip()):
        return value.strip()
    return default  # type: ignore[return-value]


def _primary(language: str) -> str:
    return language.split("-")[0].casefold()


def _tidy(element: Element) -> None:
    """Control characters out, white space collapsed, none at the start or end; a link
    or emphasis left with no text goes (its tail stays)."""
    for child in list(element.iter("a", "em", "strong", "quote", "span")):
        if child is element or "".join(str(t) for t in child.itertext()).strip() or len(child):
            continue
        parent = child.getparent()
        if parent is None:
            continue
        text = (child.text or "") + (child.tail or "")
        previous = child.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(child)
    slots: list[tuple[Element, str]] = []

    def walk(node: Element) -> None:
        slots.append((node, "text"))
        for child in node:
            walk(child)
            slots.append((child, "tail"))

    walk(element)
    previous_space = True
    last: tuple[Element, str] | None = None
    for node, slot in slots:
        value = _CONTROL.sub(" ", getattr(node, slot) or "")
        value = _SPACE.sub(" ", value)
        if previous_space:
            value = value.lstrip(" ")
        if value:
            previous_space = value.endswith(" ")
            last = (node, slot)
        setattr(node, slot, value or None)
    if last is not None:
        node, slot = last
        setattr(node, slot, (getattr(node, slot) or "").rstrip(" ") or None)
