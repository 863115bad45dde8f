"""The large-print PDF writer: PDF/UA-1 (or PDF/UA-2) with WeasyPrint from the shared XHTML
translation, its structure repaired and its print facts recorded while WeasyPrint writes it
(pdf_structure, facts)."""

from __future__ import annotations

import functools
import hashlib
import io
import threading
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from converter import images, profiles, symbols
from converter.images import StoredImage
from converter.options import Options
from converter.profiles import PrintProfile
from converter.writers import edition, facts, glyphs, xhtml
from converter.writers import html as html_writer

#: The only URLs a rendered document may fetch: our packaged fonts, by name.
RESOURCE_SCHEME = "converter-resource"
FONT_URLS = {
    "regular": f"{RESOURCE_SCHEME}:font/Regular",
    "bold": f"{RESOURCE_SCHEME}:font/Bold",
}
SYMBOL_PREFIX = f"{RESOURCE_SCHEME}:symbol/"


def symbol_url(concept: str) -> str:
    """The URL an Easy Read picture has in the page: served from the package by the fetcher."""
    return SYMBOL_PREFIX + concept


_lock = threading.Lock()
#: WeasyPrint's variant for each --pdf-standard.
VARIANTS = {"ua-1": "pdf/ua-1", "ua-2": "pdf/ua-2"}
STANDARD_NAMES = {"ua-1": "PDF/UA-1", "ua-2": "PDF/UA-2"}
ELLIPSIS = "\u2026"


@functools.cache
def font_configuration() -> Any:
    """One FontConfiguration per process: WeasyPrint's memory grows per render otherwise."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def image_url(image: StoredImage) -> str:
    """The URL a figure's image has in the page: served from the tree by the fetcher."""
    return f"{RESOURCE_SCHEME}:image/{image.sha256}"


def resource_fetcher_class() -> type:
    """The URL fetcher class (built late: importing WeasyPrint costs a third of a second)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ResourceFetcher(URLFetcher):  # type: ignore[misc]
        """Serves only our packaged fonts, Easy Read pictures and the tree's own images;
        refuses every other URL (file, http, data...).

        ``requested`` records every URL asked for, ``refused`` those refused.
        """

        def __init__(self, stored: dict[str, StoredImage] | None = None) -> None:
            super().__init__(allowed_protocols=[RESOURCE_SCHEME], allow_redirects=False)
            self.requested: list[str] = []
            self.refused: list[str] = []
            self.images = {image_url(image): image for image in (stored or {}).values()}

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            self.requested.append(url)
            for name, known in FONT_URLS.items():
                if url == known:
                    data = html_writer.font_file(name.capitalize()).read_bytes()
                    return URLFetcherResponse(url, data, {"Content-Type": "font/ttf"})
            if url in self.images:
                image = self.images[url]
                return URLFetcherResponse(url, image.data, {"Content-Type": image.media_type})
            concept = url.removeprefix(SYMBOL_PREFIX)
            if url.startswith(SYMBOL_PREFIX) and concept in symbols.catalogue():
                data = symbols.svg(concept)
                return URLFetcherResponse(url, data, {"Content-Type": "image/svg+xml"})
            self.refused.append(url)
            raise ValueError(f"refused to fetch {url!r}: documents may not load resources")

    return ResourceFetcher


@dataclass
class Rendering:
    """A rendered PDF and what was learnt rendering it (for checks and tests)."""

    pdf: bytes
    requested: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    table_fragments: list[tuple[str, int]] = field(default_factory=list)  # (id, page)
    merged_tables: list[str] = field(default_factory=list)
    pages: int = 0


#: How many pages the PDFs this process wrote last have, by the digest of their bytes: the
#: terminal's line on a PDF just written needs no PDF library (pikepdf's import alone costs
#: a cold start some 47 ms of CPU).
_PAGES: dict[bytes, int] = {}
_PAGES_KEPT = 16


def _remember_pages(payload: bytes, pages: int) -> None:
    key = hashlib.sha256(payload).digest()
    with _lock:  # renders may run in threads
        _PAGES[key] = pages
        while len(_PAGES) > _PAGES_KEPT:
            del _PAGES[next(iter(_PAGES))]


def write(root: etree._Element, options: Options) -> bytes:
    return render(root, options).pdf


def describe(payload: bytes, options: Options) -> str:
    """'24 pages, PDF/UA-1, large print 18 pt' for the terminal."""
    pages = _PAGES.get(hashlib.sha256(payload).digest())
    if pages is None:  # not written by this process: read it
        import pikepdf

        with pikepdf.open(io.BytesIO(payload)) as pdf:
            pages = len(pdf.pages)
    profile = profiles.print_profile(options)
    return (
        f"{pages} page{'s' if pages != 1 else ''}, {STANDARD_NAMES[options.pdf_standard]}, "
        f"{profile.label} {profile.font_size:g} pt"
    )


def build_html(root: etree._Element, profile: PrintProfile) -> tuple[str, str]:
    """The document as HTML for WeasyPrint, and its print stylesheet."""
    arranged = edition.prepare(root)
    title = edition.one_line(arranged.findtext("meta/title")) or "Untitled"
    subject = edition.one_line(arranged.findtext("meta/subject"))
    running_head = fit_running_head(subject or title, profile)
    css = html_writer.stylesheet(profile, "print", FONT_URLS, running_head=running_head)
    document = xhtml.translate_report(
        arranged,
        title_page=title_page(arranged, profile),
        contents=True,
        image_source=image_url,
        symbol_source=symbol_url,
    )
    _zero_width_breaks(document.html)
    return xhtml.serialize_html(document.html).decode("utf-8"), css


def _zero_width_breaks(html: etree._Element) -> None:
    """<wbr> becomes a zero-width space: WeasyPrint makes a link annotation of every box
    inside a link, and an empty one for a <wbr> breaks PDF/UA's link tagging (7.18.5);
    the zero-width space gives the same break and Pango draws nothing for it."""
    for wbr in list(html.iter("wbr")):
        parent = wbr.getparent()
        assert parent is not None
        text = "\u200b" + (wbr.tail or "")
        previous = wbr.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(wbr)


def text_width_pt(profile: PrintProfile) -> float:
    """The width of the text area (between the left and right margins) in points."""
    return (profile.paper_width_mm - 2 * profile.margin_mm) * 72 / 25.4


def fit_running_head(text: str, profile: PrintProfile) -> str:
    """The running head as it fits on one line of the text area at body size: shortened at
    a word with an ellipsis when it is longer (never cut mid-word, never past the margin)."""
    room = text_width_pt(profile) * 0.97  # a little slack for the renderer's rounding
    text = edition.one_line(text)
    if glyphs.text_width(text, profile.font_size) <= room:
        return text
    words = text.split(" ")
    while words:
        words.pop()
        candidate = " ".join(words).rstrip(" ,;:-\u2013\u2014") + ELLIPSIS
        if words and glyphs.text_width(candidate, profile.font_size) <= room:
            return candidate
    return ""


def title_page(root: etree._Element, profile: PrintProfile) -> list[etree._Element]:
    """What the title page says beside the title and subtitle: the document's dates, which
    edition this is, and who made it from what (edition.title_page)."""
    page = edition.title_page(
        root, edition.print_edition(profile.label, profile.font_size, profile.colours)
    )
    elements: list[etree._Element] = []
    for line in page.dates:
        fact = etree.Element("p", {"class": "title-date"})
        fact.text = line
        elements.append(fact)
    edition_note = etree.Element("p", {"class": "title-edition"})
    etree.SubElement(edition_note, "strong").text = page.edition
    elements.append(edition_note)
    origin = etree.Element("p", {"class": "title-origin"})
    origin.text = page.origin
    elements.append(origin)
    return elements


def render(
    root: etree._Element, options: Options, *, fetcher: Any = None, merge_tables: bool = True
) -> Rendering:
    """Render a tree to PDF/UA-1 (or PDF/UA-2): the structure WeasyPrint leaves is repaired
    and the print facts are added to the XMP metadata on its objects, before it writes them
    (pdf_structure, facts); the written file gets its identifier."""
    from weasyprint import CSS, HTML

    from converter.writers import pdf_structure

    profile = profiles.print_profile(options)
    variant = VARIANTS[options.pdf_standard]
    html_text, css = build_html(root, profile)
    if fetcher is None:
        fetcher = resource_fetcher_class()(images.used(root))
    fonts = font_configuration()
    with _lock:  # one FontConfiguration is shared: render one document at a time
        stylesheet = CSS(string=css, url_fetcher=fetcher, font_config=fonts)
        document = HTML(string=html_text, url_fetcher=fetcher).render(
            font_config=fonts, stylesheets=[stylesheet], pdf_variant=variant
        )
        alone = pdf_structure.captions_alone(document)
        if alone:
            # A table taller than a page, kept whole, left its caption behind: let those
            # tables flow from where they start (rows whole, header repeated).
            flowing = "".join(
                f'table[id="{table_id}"] {{ break-inside: auto; }}' for table_id in alone
            )
            stylesheet = CSS(string=css + flowing, url_fetcher=fetcher, font_config=fonts)
            document = HTML(string=html_text, url_fetcher=fetcher).render(
                font_config=fonts, stylesheets=[stylesheet], pdf_variant=variant
            )
        table_pages = pdf_structure.table_fragments(document)
        lists = pdf_structure.list_numbering(document) if options.pdf_standard == "ua-2" else None
        xmp = facts.xmp_description(facts.PrintFacts.of(options))
        repaired: list[pdf_structure.Repaired] = []

        def finish(_document: Any, pdf: Any) -> None:
            """The repairs, made on WeasyPrint's objects before it writes them."""
            repaired.append(
                pdf_structure.repair(
                    pdf,
                    table_pages,
                    merge_tables=merge_tables,
                    lists=lists,
                    structure_destinations=options.pdf_standard == "ua-2",
                    xmp=xmp,
                )
            )

        written = document.write_pdf(pdf_variant=variant, finisher=finish)
    rendering = Rendering(
        pdf_structure.identified(written),
        list(fetcher.requested),
        list(fetcher.refused),
        table_pages,
        repaired[0].merged_tables,
        len(document.pages),
    )
    _remember_pages(rendering.pdf, rendering.pages)
    return rendering
