"""The `epub` writer: EPUB 3.3 with EPUB Accessibility 1.1 metadata, reproducible bytes."""

from __future__ import annotations

import datetime
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ebooklib import epub as ebook
from lxml import etree

from converter import images, profiles, resources, symbols
from converter import tree as canonical
from converter.errors import OutputError
from converter.images import StoredImage
from converter.options import DEFAULT_COLOURS, Options
from converter.writers import edition, parts, xhtml

if TYPE_CHECKING:
    from converter.writers.audio.overlays import TalkingBook

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
STYLESHEET = "styles/epub.css"
TITLE_PAGE = "title.xhtml"  # parts.split names the title page "title"
NAV_PAGE = "nav.xhtml"
# dcterms:modified when the tree has no date: a fixed moment, so runs never differ.
FIXED_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
# Every zip entry gets this date (the earliest a zip can hold), so bytes never differ.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
OPS = f"{{{xhtml.OPS_NS}}}type"
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")

Element = etree._Element


@dataclass
class ContentDocument:
    """One XHTML file of the spine: the title page, or a part of the body or back matter."""

    file_name: str
    title: str
    kind: str  # frontmatter, bodymatter, backmatter
    blocks: list[Element] = field(default_factory=list)


def write(root: Element, options: Options) -> bytes:
    canonical.validate(root)
    root = edition.prepare(root)
    translated = xhtml.translate_report(
        root, epub=True, image_source=image_file, symbol_source=symbol_file
    )
    language = translated.language
    talking: TalkingBook | None = None
    if options.audio:
        # The narration's modules are imported for a talking book only.
        from converter.writers.audio.overlays import TalkingBook

        talking = TalkingBook.of(root, translated.html, options)
    body_start = _body_start(translated.html)
    documents = _split(translated.html, root)
    file_of: dict[str, str] = {
        str(element.get("id")): document.file_name
        for document in documents
        for block in document.blocks
        for element in block.iter()
        if element.get("id")
    }
    for document in documents:
        for block in document.blocks:
            _relink(block, document.file_name, file_of)

    book = ebook.EpubBook()
    book.FOLDER_NAME = "EPUB"
    _describe(book, root, translated, options, has_pages=bool(translated.page_ids))
    stylesheet = _stylesheet(options)
    if talking is not None:
        talking.describe(book, root, options)
        stylesheet += talking.active_css()
    css = ebook.EpubItem(uid="css", file_name=STYLESHEET, media_type="text/css", content=stylesheet)
    book.add_item(css)
    for image in images.used(root).values():
        book.add_item(
            ebook.EpubImage(
                uid=f"image-{image.sha256[:16]}",
                file_name=image_file(image),
                media_type=image.media_type,
                content=image.data,
            )
        )
    for concept in sorted({str(s.get("ref")) for s in root.iter("symbol")}):
        book.add_item(
            ebook.EpubImage(
                uid=f"symbol-{concept}",
                file_name=symbol_file(concept),
                media_type="image/svg+xml",
                content=symbols.svg(concept),
            )
        )
    spine: list[ebook.EpubItem] = []
    for index, document in enumerate(documents):
        item = ebook.EpubItem(
            uid=f"doc-{index:03d}",
            file_name=document.file_name,
            media_type="application/xhtml+xml",
            content=_serialize(_content_document(document, language)),
        )
        book.add_item(item)
        spine.append(item)
        if talking is not None:
            talking.add_overlay(book, item, document.file_name)
        if index == 0:  # the contents come straight after the title page in reading order
            nav = ebook.EpubItem(
                uid="nav",
                file_name=NAV_PAGE,
                media_type="application/xhtml+xml",
                content=_serialize(
                    _nav_document(translated, documents, file_of, language, body_start)
                ),
            )
            nav.properties = ["nav"]
            book.add_item(nav)
            if not translated.source_contents:
                # With the source's own contents page in the text, ours is navigation
                # only: a reader never meets two contents pages one after the other.
                spine.append(nav)
    book.spine = spine
    buffer = io.BytesIO()
    written = ebook.write_epub(
        buffer, book, {"mtime": _modified(root), "epub2_guide": False, "raise_exceptions": True}
    )
    if not written:
        raise OutputError("ebooklib could not write the EPUB")
    return _reproducible_zip(buffer.getvalue(), language)


# -- splitting the translated page into content documents ----------------------------------


def _split(html: Element, root: Element) -> list[ContentDocument]:
    """The content documents: the parts of the report (``parts.split``: the title page,
    then one per top-level section of the body and of the back matter), the title page
    with the copy's dates, edition and origin."""
    documents = [
        ContentDocument(f"{part.stem}.xhtml", part.title, part.kind, part.blocks)
        for part in parts.split(html)
    ]
    documents[0].blocks.extend(_title_facts(root))
    return documents


def _body_start(html: Element) -> str | None:
    """The id of the first translated block of the body (a page marker, a section, ...)."""
    main = html.find("body/main")
    if main is None or not len(main):
        return None
    return main[0].get("id") or None


def translated_title(html: Element) -> str:
    return _plain(html.find("head/title"))


EDITION = "EPUB edition: the text takes the font, size and colours your reading system is set to."


def _title_facts(root: Element) -> list[Element]:
    """The title page's dates, edition and origin (edition.title_page): no file name."""
    page = edition.title_page(root, EDITION)
    facts: list[Element] = []
    for line in page.dates:
        date = etree.Element("p", {"class": "title-date"})
        date.text = line
        facts.append(date)
    for css_class, line in (("title-edition", page.edition), ("title-origin", page.origin)):
        fact = etree.Element("p", {"class": css_class})
        fact.text = line
        facts.append(fact)
    return facts


def _relink(block: Element, file_name: str, file_of: dict[str, str]) -> None:
    """Point same-page links (#note-1) at the content document that now holds the target."""
    for link in block.iter("a"):
        href = link.get("href", "")
        if href.startswith("#"):
            target = file_of.get(href[1:])
            if target is not None and target != file_name:
                link.set("href", f"{target}{href}")


# -- content documents ----------------------------------------------------------------------


def _page(title: str, language: str, kind: str) -> tuple[Element, Element]:
    html = etree.Element("html", lang=language)
    html.set(canonical.XML_LANG, language)
    head = etree.SubElement(html, "head")
    etree.SubElement(head, "meta", charset="utf-8")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "link", rel="stylesheet", type="text/css", href=STYLESHEET)
    body = etree.SubElement(html, "body")
    body.set(OPS, kind)
    return html, body


def _content_document(document: ContentDocument, language: str) -> Element:
    html, body = _page(document.title, language, document.kind)
    if document.kind == "frontmatter":
        section = etree.SubElement(body, "section")  # no id: ids belong to the tree
        section.set(OPS, "titlepage")
        section.extend(document.blocks)
        return xhtml.to_xhtml(html)
    main = etree.SubElement(body, "main")
    main.extend(document.blocks)
    _promote_headings(main)
    return xhtml.to_xhtml(html)


def _promote_headings(main: Element) -> None:
    """Each file's top heading becomes its h1 (h2 -> h1, h3 -> h2, ...), as in pandoc."""
    levels = [int(h.tag[1]) for h in main.iter("h2", "h3", "h4", "h5", "h6")]
    if not levels:
        return
    shift = min(levels) - 1
    for heading in main.iter("h2", "h3", "h4", "h5", "h6"):
        heading.tag = f"h{int(heading.tag[1]) - shift}"


def _nav_document(
    translated: xhtml.HtmlDocument,
    documents: list[ContentDocument],
    file_of: dict[str, str],
    language: str,
    body_start: str | None,
) -> Element:
    html, body = _page("Contents", language, "frontmatter")
    toc = etree.SubElement(body, "nav", id="toc", role="doc-toc")
    toc.set(OPS, "toc")
    etree.SubElement(toc, "h1").text = "Contents"
    _toc_list(toc, translated.headings, file_of)

    landmarks = etree.SubElement(body, "nav", id="landmarks", hidden="hidden")
    landmarks.set(OPS, "landmarks")
    etree.SubElement(landmarks, "h2").text = "Landmarks"
    marks = etree.SubElement(landmarks, "ol")
    contents = f"{NAV_PAGE}#toc"
    contents_id = _source_contents_id(documents) if translated.source_contents else None
    if contents_id is not None and contents_id in file_of:
        contents = f"{file_of[contents_id]}#{contents_id}"  # the source's own contents page
    entries = [("titlepage", TITLE_PAGE, "Title page"), ("toc", contents, "Contents")]
    if body_start is not None:  # the first block of the body, on the title page or after
        entries.append(("bodymatter", f"{file_of[body_start]}#{body_start}", "Start of content"))
    first_back = next((d for d in documents if d.kind == "backmatter"), None)
    if first_back is not None:
        entries.append(("backmatter", first_back.file_name, "Back matter"))
    for kind, href, label in entries:
        link = etree.SubElement(etree.SubElement(marks, "li"), "a", href=href)
        link.set(OPS, kind)
        link.text = label

    if translated.page_ids:
        pages = etree.SubElement(body, "nav", id="page-list", role="doc-pagelist", hidden="hidden")
        pages.set(OPS, "page-list")
        etree.SubElement(pages, "h2").text = "Print pages"
        page_list = etree.SubElement(pages, "ol")
        for label, marker_id in translated.page_ids:
            link = etree.SubElement(
                etree.SubElement(page_list, "li"), "a", href=f"{file_of[marker_id]}#{marker_id}"
            )
            link.text = label
    return xhtml.to_xhtml(html)


def _source_contents_id(documents: list[ContentDocument]) -> str | None:
    """The id of the source's contents page in the text (a nav with role doc-toc)."""
    for document in documents:
        for block in document.blocks:
            for nav in block.iter("nav"):
                if nav.get("role") == "doc-toc" and nav.get("id"):
                    return str(nav.get("id"))
    return None


def _toc_list(parent: Element, headings: list[xhtml.Heading], file_of: dict[str, str]) -> None:
    """Nested ordered lists from the headings; a skipped level nests one step, not two."""
    top = etree.SubElement(parent, "ol")
    open_items: list[tuple[int, Element]] = []  # (level, li) of the entries still open
    for heading in headings:
        level = 1 if heading.level <= 2 else heading.level - 1  # the title sits beside sections
        while open_items and open_items[-1][0] >= level:
            open_items.pop()
        container = top
        if open_items:
            owner = open_items[-1][1]
            found = owner.find("ol")
            container = found if found is not None else etree.SubElement(owner, "ol")
        item = etree.SubElement(container, "li")
        link = etree.SubElement(item, "a", href=f"{file_of[heading.id]}#{heading.id}")
        link.text = heading.text or "Untitled section"
        open_items.append((level, item))


def _serialize(html: Element) -> bytes:
    return etree.tostring(html, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")


# -- package metadata -----------------------------------------------------------------------


_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}


def image_file(image: StoredImage) -> str:
    """A figure's image as a file of the package, named by its hash."""
    return f"images/{image.sha256}.{_EXTENSIONS[image.media_type]}"


@dataclass(frozen=True)
class Pictures:
    """What the reader of this edition needs to see, for the accessibility metadata."""

    shown: int  # images that carry meaning (not decorative) and are in the book
    described: int  # of those, how many have a description (their alt text)
    not_included: int  # pictures the source only linked to: their description stands in
    symbols: int = 0  # of those shown, an Easy Read edition's pictures (each has alt text)

    @staticmethod
    def of(root: Element) -> Pictures:
        meaningful = [f for f in root.iter("figure") if f.get("decorative") != "true"]
        shown = [f for f in meaningful if f.find("image[@ref]") is not None]
        described = [f for f in shown if (f.findtext("description") or "").strip()]
        pictures = len(root.findall(".//line/symbol"))  # alt text required by the schema
        return Pictures(
            len(shown) + pictures,
            len(described) + pictures,
            len(meaningful) - len(shown),
            pictures,
        )


def _describe(
    book: ebook.EpubBook,
    root: Element,
    translated: xhtml.HtmlDocument,
    options: Options,
    *,
    has_pages: bool,
) -> None:
    source = root.find("meta/source")
    assert source is not None  # the schema requires it
    sha256 = source.get("sha256", "")
    book.set_identifier(f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'urn:sha256:{sha256}')}")
    book.set_title(translated.title)
    book.set_language(translated.language)
    publisher = root.findtext("meta/publisher")
    if publisher:
        book.add_metadata("DC", "publisher", publisher)
    subject = root.findtext("meta/subject")
    if subject:
        book.add_metadata("DC", "subject", subject)
    date = _publication_date(root)
    if date:
        book.add_metadata("DC", "date", date)
    # dc:source names the original always; with print pages it is also their source
    # (EPUB 3.3 "source-of pagination", which EPUBCheck 5.3 checks as OPF-066).
    book.add_metadata("DC", "source", source.get("name", ""), {"id": "original"})
    book.add_metadata("DC", "format", "application/epub+zip")

    def meta(prop: str, value: str) -> None:
        book.add_metadata(None, "meta", value, {"property": prop})

    pictures = Pictures.of(root)
    # Truthfully: pictures are visual content; text alone suffices only when every one
    # has a description (an undescribed one says so, and that is no substitute).
    meta("schema:accessMode", "textual")
    if pictures.shown:
        meta("schema:accessMode", "visual")
        meta("schema:accessModeSufficient", "textual,visual")
    if pictures.described == pictures.shown:
        meta("schema:accessModeSufficient", "textual")
    features = [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ]
    if pictures.described:
        features.append("alternativeText")
    if has_pages:
        features += ["printPageNumbers", "pageBreakMarkers", "pageNavigation"]
    for feature in features:
        meta("schema:accessibilityFeature", feature)
    meta("schema:accessibilityHazard", "none")
    label = profiles.print_profile(options).label
    summary = _summary(root, label, has_pages=has_pages, pictures=pictures, talking=options.audio)
    meta("schema:accessibilitySummary", summary)
    meta("dcterms:conformsTo", CONFORMANCE)
    if has_pages:
        book.add_metadata(
            None, "meta", "pagination", {"refines": "#original", "property": "source-of"}
        )


def _summary(
    root: Element, label: str, *, has_pages: bool, pictures: Pictures, talking: bool = False
) -> str:
    source = root.find("meta/source")
    name = source.get("name", "the original") if source is not None else "the original"
    # A talking book has audio: only video is absent.
    absent = "video" if talking else "audio or video"
    if pictures.symbols:
        parts = [
            f"An Easy Read edition of {name}: short lines, {pictures.symbols} of them with a "
            "picture (Mulberry Symbols) beside the words. Every picture has alt text saying "
            f"what it shows, and says no more than its line; there is no {absent}."
        ]
    elif not pictures.shown and root.find(".//figure") is not None:
        parts = [
            f"An accessible edition of {name}: its only images are decorative (hidden from "
            f"assistive technology); there is no {absent}."
        ]
    elif not pictures.shown:
        parts = [
            f"An accessible edition of {name}: there are no images or video."
            if talking
            else f"An accessible text-only edition of {name}: there are no images, audio or video."
        ]
    else:
        parts = [f"An accessible edition of {name}, with its {_count(pictures.shown, 'image')}."]
        missing = pictures.shown - pictures.described
        if not missing:
            parts.append("Every image has a description as its alternative text.")
        else:
            one = missing == 1
            parts.append(
                f"{_count(missing, 'image')} {'has' if one else 'have'} no description in the "
                f"original and {'says' if one else 'say'} so ('image without a description'): "
                f"{'it needs' if one else 'they need'} sight."
            )
    if pictures.not_included:
        parts.append(
            f"{_count(pictures.not_included, 'picture')} the original only linked to "
            f"{'is' if pictures.not_included == 1 else 'are'} not included: "
            "the description stands in its place."
        )
    if talking:
        parts.append(
            "Its text is narrated by a synthetic voice (EPUB media overlays: each heading, "
            "paragraph, list item, table cell and image description is highlighted as it is "
            "read)."
        )
    parts.append(
        "Headings mark every section, a table of contents and landmarks give structured "
        "navigation, and the reading order follows the original."
    )
    if root.find(".//table") is not None:
        parts.append("Tables have marked header cells and captions where the original had them.")
    if has_pages:
        parts.append(
            f"Print page numbers of {name} are kept as page-break markers and a page list."
        )
    parts.append(
        "The text reflows and takes the reader's own font, size and colours; "
        f"the default size is {label}."
    )
    parts.append(f"Made to conform to {CONFORMANCE}; checked with EPUBCheck and Ace by DAISY.")
    return " ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def symbol_file(concept: str) -> str:
    """An Easy Read picture as a file of the package."""
    return f"images/symbols/{concept}.svg"


def _publication_date(root: Element) -> str:
    dates = {d.get("role"): d.get("when", "") for d in root.iterfind("meta/date")}
    return dates.get("publication") or dates.get("letter") or dates.get("inspection-end") or ""


def _modified(root: Element) -> datetime.datetime:
    when = _publication_date(root) or max(
        (d.get("when", "") for d in root.iterfind("meta/date")), default=""
    )
    if not when:
        return FIXED_EPOCH
    day = datetime.date.fromisoformat(when)
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)


def _stylesheet(options: Options) -> bytes:
    profile = profiles.print_profile(options)
    # A reader's default text is about 12 pt (16 px), so the profile's size is a percentage
    # of it: still relative, so the reader's own size setting scales it.
    rules = [f"html {{ font-size: {profile.font_size / 12 * 100:.1f}%; }}"]
    if options.colours != DEFAULT_COLOURS:
        rules.append(
            f"body {{ color: {profile.foreground}; background-color: {profile.background}; }}"
            f" a {{ color: {profile.link}; }}"
        )
    css = resources.read_text("epub.css").rstrip("\n")
    return (
        css + f"\n\n/* {profile.label}, profile {profile.name} */\n" + "\n".join(rules) + "\n"
    ).encode()


# -- packaging --------------------------------------------------------------------------------


def _reproducible_zip(data: bytes, language: str) -> bytes:
    """Rewrite ebooklib's zip: mimetype first and stored, fixed dates, xml:lang on the OPF."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = [info.filename for info in source.infolist()]
    names.remove("mimetype")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in ["mimetype", *names]:
            payload = source.read(name)
            if name.endswith(".opf"):
                payload = _fix_package(payload, language)
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            # mimetype must be stored; MP3 is compressed already, so deflating only costs time.
            stored = name == "mimetype" or name.endswith(".mp3")
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, payload, compresslevel=None if stored else 9)
    return out.getvalue()


def _fix_package(opf: bytes, language: str) -> bytes:
    """xml:lang on the package element (ebooklib omits it); no NCX, so no spine@toc."""
    package = etree.fromstring(opf, canonical.safe_parser())
    package.set(canonical.XML_LANG, language)
    spine = package.find(f"{{{ebook.NAMESPACES['OPF']}}}spine")
    if spine is not None and "toc" in spine.attrib:
        del spine.attrib["toc"]
    return etree.tostring(package, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _plain(element: Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(str(t) for t in element.itertext()).split())


def describe(payload: bytes, options: Options) -> str:
    """'EPUB 3.3, EPUB Accessibility 1.1, 22 print pages listed'."""
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        nav = etree.fromstring(archive.read(f"EPUB/{NAV_PAGE}"), canonical.safe_parser())
    page_list = f"{{{xhtml.XHTML_NS}}}nav[@{OPS}='page-list']"
    pages = len(nav.findall(f".//{page_list}//{{{xhtml.XHTML_NS}}}li"))
    listed = f", {pages} print pages listed" if pages else ""
    return f"EPUB 3.3, {CONFORMANCE}{listed}"
