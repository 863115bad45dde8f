"""The large-print PDF writer: PDF/UA-1 with WeasyPrint from the shared XHTML translation."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from converter import images, profiles, symbols
from converter.images import StoredImage
from converter.options import Options
from converter.profiles import PrintProfile
from converter.writers import html as html_writer
from converter.writers import xhtml

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


def write(root: etree._Element, options: Options) -> bytes:
    return render(root, options).pdf


def build_html(root: etree._Element, profile: PrintProfile) -> tuple[str, str]:
    """The document as HTML for WeasyPrint, and its print stylesheet."""
    title = " ".join((root.findtext("meta/title") or "Untitled").split())
    subject = " ".join((root.findtext("meta/subject") or "").split())
    css = html_writer.stylesheet(profile, "print", FONT_URLS, running_head=subject or title)
    document = xhtml.translate_report(
        root,
        title_page=title_page(root, profile),
        contents=True,
        image_source=image_url,
        symbol_source=symbol_url,
    )
    return xhtml.serialize_html(document.html).decode("utf-8"), css


def title_page(root: etree._Element, profile: PrintProfile) -> list[etree._Element]:
    """What the title page says beside the title: which print version of what this is, and
    the report's own offer of other formats."""
    title = " ".join((root.findtext("meta/title") or "Untitled").split())
    publisher = " ".join((root.findtext("meta/publisher") or "").split())
    source = root.find("meta/source")
    note = etree.Element("p", {"class": "title-note"})
    strong = etree.SubElement(note, "strong")
    if root.get("variant") == "easy-read":
        title = title.removeprefix("Easy Read: ")  # the edition's title names it already
        strong.text = (
            f"This is an Easy Read version, in {profile.label} ({profile.font_size:g} point)"
        )
    else:
        strong.text = f"This is a {profile.label} version ({profile.font_size:g} point)"
    strong.tail = f" of {title}" + (f", published by {publisher}" if publisher else "") + "."
    elements = [note]
    if source is not None and source.get("name"):
        made = etree.Element("p", {"class": "title-note"})
        made.text = f"It was made from the file {source.get('name')}"
        if source.get("pages"):
            made.text += f" ({source.get('pages')} print pages)"
        made.text += "."
        elements.append(made)
    offer = root.find("back/section[@role='alternative-formats']")
    if offer is not None:
        for paragraph in offer.iterfind("p"):
            copy = etree.Element("p", {"class": "alternative-formats-offer"})
            xhtml.XhtmlTranslator().inline_into(copy, paragraph)
            for descendant in copy.iter():
                descendant.attrib.pop("id", "")  # the back section keeps the ids
            elements.append(copy)
    return elements


def render(
    root: etree._Element, options: Options, *, fetcher: Any = None, merge_tables: bool = True
) -> Rendering:
    """Render a tree to PDF/UA-1, then repair the structure WeasyPrint leaves (pdf_structure)."""
    from weasyprint import CSS, HTML

    from converter.writers import pdf_structure

    profile = profiles.print_profile(options)
    html_text, css = build_html(root, profile)
    if fetcher is None:
        fetcher = resource_fetcher_class()(images.used(root))
    fonts = font_configuration()
    with _lock:  # one FontConfiguration is shared: render one document at a time
        stylesheet = CSS(string=css, url_fetcher=fetcher, font_config=fonts)
        document = HTML(string=html_text, url_fetcher=fetcher).render(
            font_config=fonts, stylesheets=[stylesheet], pdf_variant="pdf/ua-1"
        )
        table_pages = pdf_structure.table_fragments(document)
        raw = document.write_pdf(pdf_variant="pdf/ua-1")
    result = pdf_structure.repair(raw, table_pages, merge_tables=merge_tables)
    return Rendering(
        result.pdf,
        list(fetcher.requested),
        list(fetcher.refused),
        table_pages,
        result.merged_tables,
    )
