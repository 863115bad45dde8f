"""The docx writer's styles, page, settings and document properties, set from the profile."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from copy import deepcopy

import docx
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree

from converter import resources
from converter import tree as canonical
from converter.profiles import PrintProfile
from converter.writers import edition
from converter.writers.docx.sizes import (
    GIANT,
    GIANT_TITLE_FACTOR,
    HEADING_FACTORS,
    SUBTITLE_FACTOR,
    TITLE_FACTOR,
)

Element = etree._Element

_SPACE = re.compile(r"\s+")
_DEFAULT_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
#: Word (and python-docx) hold at most 255 characters in a document property.
PROPERTY_LIMIT = 255

# Schema order of the children of w:rPr and w:pPr (Word rejects other orders).
RPR_ORDER = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps",
    "w:strike", "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof",
    "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern",
    "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd",
    "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
    "w:specVanish", "w:oMath",
)  # fmt: skip
PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
    "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
    "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
    "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
    "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
    "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip

# Style names (as Word writes them, compared case-folded) -> the role they play here.
STYLE_NAMES = {
    "title": "Title",
    "subtitle": "Subtitle",
    "body": "Body Text",
    "bullet": "List Bullet",
    "number": "List Number",
    "caption": "caption",
    "note": "Note Text",
    "version": "Version Note",
    "table-text": "Table Text",
    "table-heading": "Table Heading",
    "table": "Data Table",
    "strong": "Strong",
    "emphasis": "Emphasis",
    "hyperlink": "Hyperlink",
    "number-label": "Paragraph Number",
    "footnote-reference": "footnote reference",
    "toc-heading": "TOC Heading",
    **{f"toc{level}": f"toc {level}" for level in (1, 2, 3)},
    **{f"heading{level}": f"heading {level}" for level in HEADING_FACTORS},
}
VML_NS = "urn:schemas-microsoft-com:vml"
OFFICE_NS = "urn:schemas-microsoft-com:office:office"
WORD_VML_NS = "urn:schemas-microsoft-com:office:word"


class StyleSheet:
    """The styles part: style ids by role, missing styles copied from the packaged reference."""

    def __init__(self, document: DocxDocument) -> None:
        self.element = document.styles.element
        self.ids: dict[str, str] = {}
        packaged: Element | None = None
        for role, name in STYLE_NAMES.items():
            style_id = self._find(name)
            if style_id is None:
                if packaged is None:
                    packaged = docx.Document(
                        io.BytesIO(resources.read_bytes("reference.docx"))
                    ).styles.element
                style_id = self._copy_from(packaged, name)
            self.ids[role] = style_id

    def _find(self, name: str) -> str | None:
        for style in self.element.iterfind(qn("w:style")):
            style_name = style.find(qn("w:name"))
            if (
                style_name is not None
                and style_name.get(qn("w:val"), "").casefold() == name.casefold()
            ):
                return str(style.get(qn("w:styleId")))
        return None

    def _copy_from(self, packaged: Element, name: str) -> str:
        for style in packaged.iterfind(qn("w:style")):
            if style.find(qn("w:name")).get(qn("w:val")) == name:  # type: ignore[union-attr]
                copy = deepcopy(style)
                based_on = copy.find(qn("w:basedOn"))
                if based_on is not None and based_on.get(qn("w:val")) not in self._all_ids():
                    copy.remove(based_on)
                self.element.append(copy)
                return str(copy.get(qn("w:styleId")))
        raise AssertionError(f"the packaged reference.docx lacks the style {name!r}")

    def _all_ids(self) -> set[str]:
        return {str(s.get(qn("w:styleId"))) for s in self.element.iterfind(qn("w:style"))}

    def apply_profile(self, profile: PrintProfile) -> None:
        """Sizes from the profile (nothing below body size), colours from the scheme."""
        body = round(profile.font_size * 2)
        # Giant print takes smaller steps for the title, so the title page fits one page.
        title_factor = TITLE_FACTOR if profile.font_size < GIANT else GIANT_TITLE_FACTOR
        factors = {self.ids["title"]: title_factor, self.ids["subtitle"]: SUBTITLE_FACTOR}
        for level, factor in HEADING_FACTORS.items():
            factors[self.ids[f"heading{level}"]] = factor
        foreground = profile.foreground.lstrip("#").upper()
        line = round(240 * profile.line_spacing)
        defaults = self.element.find(qn("w:docDefaults"))
        if defaults is None:
            defaults = put(self.element, "w:docDefaults", ())
            self.element.insert(0, defaults)
        rpr = ensure_child(ensure_child(defaults, "w:rPrDefault", ("w:pPrDefault",)), "w:rPr", ())
        set_size(rpr, body)
        put(rpr, "w:color", RPR_ORDER, {"w:val": foreground})
        for style in self.element.iterfind(qn("w:style")):
            style_id = str(style.get(qn("w:styleId")))
            style_rpr = style.find(qn("w:rPr"))
            if style_id in factors:
                style_rpr = ensure_child(
                    style, "w:rPr", ("w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr")
                )
                set_size(style_rpr, round(body * factors[style_id]))
            elif style_rpr is not None and style_rpr.find(qn("w:sz")) is not None:
                set_size(style_rpr, body)  # captions, footers, notes: never smaller than body
            # Colours come from the scheme only; no italics or underlining (UKAAF): links
            # get their underline back below.
            strip = ("w:color", "w:shd", "w:highlight", "w:i", "w:iCs", "w:u")
            for rpr_child in list(style.iter(*(qn(tag) for tag in strip))):
                if rpr_child.getparent().tag == qn("w:rPr"):
                    rpr_child.getparent().remove(rpr_child)
            for border in style.iter(qn("w:pBdr"), qn("w:tblBorders")):
                for edge in border:
                    edge.set(qn("w:color"), foreground)
            if style.get(qn("w:type")) == "paragraph" and style.find(qn("w:basedOn")) is None:
                ppr = ensure_child(style, "w:pPr", ("w:rPr", "w:tblPr", "w:trPr", "w:tcPr"))
                put(ppr, "w:suppressAutoHyphens", PPR_ORDER)
                spacing = put(ppr, "w:spacing", PPR_ORDER, keep=True)
                spacing.set(qn("w:line"), str(line))
                spacing.set(qn("w:lineRule"), "auto")
                put(ppr, "w:jc", PPR_ORDER, {"w:val": "left"})
        # The title's lines are large already: single spacing keeps the title page short.
        title_ppr = ensure_child(self._style(self.ids["title"]), "w:pPr", ("w:rPr",))
        title_spacing = put(title_ppr, "w:spacing", PPR_ORDER, keep=True)
        title_spacing.set(qn("w:line"), "264")
        title_spacing.set(qn("w:lineRule"), "auto")
        link = ensure_child(self._style(self.ids["hyperlink"]), "w:rPr", ())
        put(link, "w:color", RPR_ORDER, {"w:val": profile.link.lstrip("#").upper()})
        put(link, "w:u", RPR_ORDER, {"w:val": "single"})
        # Emphasis is bold, never italic, whatever the reference says (UKAAF).
        for role in ("emphasis", "strong"):
            style_rpr = ensure_child(self._style(self.ids[role]), "w:rPr", ())
            for italic in style_rpr.findall(qn("w:i")) + style_rpr.findall(qn("w:iCs")):
                style_rpr.remove(italic)
            put(style_rpr, "w:b", RPR_ORDER)

    def footer_id(self) -> str:
        """The footer paragraph style's id (the reference's, else none is named)."""
        return self._find("footer") or "Footer"

    def _style(self, style_id: str) -> Element:
        for style in self.element.iterfind(qn("w:style")):
            if style.get(qn("w:styleId")) == style_id:
                found: Element = style
                return found
        raise AssertionError(style_id)


def set_size(rpr: Element, half_points: int) -> None:
    put(rpr, "w:sz", RPR_ORDER, {"w:val": str(half_points)})
    put(rpr, "w:szCs", RPR_ORDER, {"w:val": str(half_points)})


def ensure_child(parent: Element, tag: str, successors: Sequence[str]) -> Element:
    """The child ``tag`` of ``parent``, created before the first of ``successors`` if absent."""
    found = parent.find(qn(tag))
    if found is not None:
        return found
    return insert_before_first(parent, OxmlElement(tag), successors)


def insert_before_first(parent: Element, element: Element, successors: Sequence[str]) -> Element:
    """Put ``element`` into ``parent`` before its first child named in ``successors``
    (OOXML fixes the order of child elements), else at the end."""
    for successor in successors:
        following = parent.find(qn(successor))
        if following is not None:
            following.addprevious(element)
            return element
    parent.append(element)
    return element


def put(
    parent: Element,
    tag: str,
    order: Sequence[str],
    attributes: dict[str, str] | None = None,
    *,
    keep: bool = False,
) -> Element:
    """Set child ``tag`` (replacing one there unless ``keep``) in its schema ``order``."""
    existing = parent.find(qn(tag))
    if existing is not None and keep:
        return existing
    if existing is not None:
        parent.remove(existing)
    element = OxmlElement(tag, {qn(k): v for k, v in (attributes or {}).items()})
    successors = order[order.index(tag) + 1 :] if tag in order else ()
    return insert_before_first(parent, element, successors)


# -- page, settings, properties -----------------------------------------------------------


def set_page(document: DocxDocument, profile: PrintProfile) -> None:
    for section in document.sections:
        section.page_width = Mm(profile.paper_width_mm)
        section.page_height = Mm(profile.paper_height_mm)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(profile.margin_mm))
    if profile.background.lower() != "#ffffff":
        # Coloured paper: a page background, which Word shows only with displayBackgroundShape
        # and never prints unless its user changes an option; so also a page-sized rectangle
        # behind the text, anchored in the header, which every page shows and prints.
        background = OxmlElement(
            "w:background", {qn("w:color"): profile.background.lstrip("#").upper()}
        )
        existing = document.element.find(qn("w:background"))
        if existing is not None:
            document.element.remove(existing)
        document.element.insert(0, background)
        for section in document.sections:
            section.header.is_linked_to_previous = False
            header = section.header._element
            for child in list(header):
                header.remove(child)
            header.append(page_colour(profile))


def page_colour(profile: PrintProfile) -> Element:
    """A header paragraph holding a page-sized rectangle of the scheme's background, behind
    the text (VML, which Word and LibreOffice both draw and print)."""
    paragraph = OxmlElement("w:p")
    ppr = etree.SubElement(paragraph, qn("w:pPr"))
    spacing = etree.SubElement(ppr, qn("w:spacing"))
    for name, value in (("before", "0"), ("after", "0"), ("line", "20"), ("lineRule", "exact")):
        spacing.set(qn(f"w:{name}"), value)
    run = etree.SubElement(paragraph, qn("w:r"))
    etree.SubElement(etree.SubElement(run, qn("w:rPr")), qn("w:noProof"))
    picture = etree.SubElement(run, qn("w:pict"))
    width = profile.paper_width_mm * 72 / 25.4
    height = profile.paper_height_mm * 72 / 25.4
    rect = etree.SubElement(
        picture,
        f"{{{VML_NS}}}rect",
        nsmap={"v": VML_NS, "o": OFFICE_NS, "w10": WORD_VML_NS},
    )
    rect.set("id", "PageColour")
    rect.set(
        "style",
        f"position:absolute;margin-left:0;margin-top:0;width:{width:.1f}pt;height:{height:.1f}pt;"
        "z-index:-251658240;mso-position-horizontal-relative:page;"
        "mso-position-vertical-relative:page",
    )
    rect.set("fillcolor", profile.background)
    rect.set("stroked", "f")
    rect.set(f"{{{OFFICE_NS}}}allowincell", "f")
    wrap = etree.SubElement(rect, f"{{{WORD_VML_NS}}}wrap")
    wrap.set("anchorx", "page")
    wrap.set("anchory", "page")
    return paragraph


def set_footer(document: DocxDocument, styles: StyleSheet) -> None:
    """Every page's footer: "Page N of M" (PAGE and NUMPAGES fields), at body size."""
    for section in document.sections:
        section.footer.is_linked_to_previous = False
        footer = section.footer._element
        for child in list(footer):
            footer.remove(child)
        paragraph = etree.SubElement(footer, qn("w:p"))
        ppr = etree.SubElement(paragraph, qn("w:pPr"))
        etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), styles.footer_id())
        for text, field in (("Page ", "PAGE"), (" of ", "NUMPAGES")):
            run = etree.SubElement(paragraph, qn("w:r"))
            t = etree.SubElement(run, qn("w:t"))
            t.text = text
            t.set(f"{{{canonical.XML_NS}}}space", "preserve")
            simple = etree.SubElement(paragraph, qn("w:fldSimple"))
            simple.set(qn("w:instr"), f" {field} ")
            etree.SubElement(etree.SubElement(simple, qn("w:r")), qn("w:t")).text = "1"


SETTINGS_ORDER = (
    "w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation",
    "w:removeDateAndTime", "w:doNotDisplayPageBoundaries", "w:displayBackgroundShape",
    "w:printPostScriptOverText", "w:printFractionalCharacterWidth", "w:printFormsData",
    "w:embedTrueTypeFonts", "w:embedSystemFonts", "w:saveSubsetFonts", "w:saveFormsData",
    "w:mirrorMargins", "w:alignBordersAndEdges", "w:bordersDoNotSurroundHeader",
    "w:bordersDoNotSurroundFooter", "w:gutterAtTop", "w:hideSpellingErrors",
    "w:hideGrammaticalErrors", "w:activeWritingStyle", "w:proofState", "w:formsDesign",
    "w:attachedTemplate", "w:linkStyles", "w:stylePaneFormatFilter", "w:stylePaneSortMethod",
    "w:documentType", "w:mailMerge", "w:revisionView", "w:trackRevisions", "w:doNotTrackMoves",
    "w:doNotTrackFormatting", "w:documentProtection", "w:autoFormatOverride",
    "w:styleLockTheme", "w:styleLockQFSet", "w:defaultTabStop", "w:autoHyphenation",
    "w:consecutiveHyphenLimit", "w:hyphenationZone", "w:doNotHyphenateCaps",
    "w:showEnvelope", "w:summaryLength", "w:clickAndTypeStyle", "w:defaultTableStyle",
    "w:evenAndOddHeaders", "w:bookFoldRevPrinting", "w:bookFoldPrinting",
    "w:bookFoldPrintingSheets", "w:drawingGridHorizontalSpacing",
    "w:drawingGridVerticalSpacing", "w:displayHorizontalDrawingGridEvery",
    "w:displayVerticalDrawingGridEvery", "w:doNotUseMarginsForDrawingGridOrigin",
    "w:drawingGridHorizontalOrigin", "w:drawingGridVerticalOrigin", "w:doNotShadeFormData",
    "w:noPunctuationKerning", "w:characterSpacingControl", "w:printTwoOnOne",
    "w:strictFirstAndLastChars", "w:noLineBreaksAfter", "w:noLineBreaksBefore",
    "w:savePreviewPicture", "w:doNotValidateAgainstSchema", "w:saveInvalidXml",
    "w:ignoreMixedContent", "w:alwaysShowPlaceholderText", "w:doNotDemarcateInvalidXml",
    "w:saveXmlDataOnly", "w:useXSLTWhenSaving", "w:saveThroughXslt", "w:showXMLTags",
    "w:alwaysMergeEmptyNamespace", "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr",
    "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
    "w:themeFontLang", "w:clrSchemeMapping",
)  # fmt: skip


def set_settings(document: DocxDocument, profile: PrintProfile, language: str) -> None:
    settings = document.settings.element
    if profile.background.lower() != "#ffffff":
        put(settings, "w:displayBackgroundShape", SETTINGS_ORDER)
    # The embedded Atkinson Hyperlegible is used where it is not installed (the package
    # step adds the font files); Word fills in the contents' page numbers on opening.
    put(settings, "w:embedTrueTypeFonts", SETTINGS_ORDER)
    put(settings, "w:autoHyphenation", SETTINGS_ORDER, {"w:val": "false"})
    put(settings, "w:updateFields", SETTINGS_ORDER, {"w:val": "true"})
    footnote_pr = put(settings, "w:footnotePr", SETTINGS_ORDER)
    for number in ("-1", "0"):  # the separators in word/footnotes.xml
        etree.SubElement(footnote_pr, qn("w:footnote")).set(qn("w:id"), number)
    put(settings, "w:themeFontLang", SETTINGS_ORDER, {"w:val": language})
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = put(rpr, "w:lang", RPR_ORDER, keep=True)
    lang.set(qn("w:val"), language)


def set_core_properties(document: DocxDocument, root: Element, profile: PrintProfile) -> None:
    """Title, subject, author and the rest, each within Word's 255-character limit for a
    property (shortened at a word, with an ellipsis); the full text is in the document."""
    title = one_line(root.findtext("meta/title") or "Untitled")
    subject = one_line(root.findtext("meta/subject") or "")
    publisher = one_line(root.findtext("meta/publisher") or "")
    kind = root.findtext("meta/kind") or "generic"
    properties = document.core_properties
    properties.title = shorten(title)
    properties.subject = shorten(subject or title)
    properties.author = shorten(publisher) or "converter"
    properties.last_modified_by = "converter"
    properties.language = edition.language(root)
    properties.category = shorten(profile.label)
    keywords = [profile.label, *(k for k in kind.split("-") if k != "generic"), subject]
    properties.keywords = shorten("; ".join(k for k in keywords if k))
    page = edition.title_page(
        root, edition.print_edition(profile.label, profile.font_size, profile.colours)
    )
    properties.comments = shorten(f"{page.edition} {page.origin}")
    properties.revision = 1
    when = _document_date(root)
    properties.created = when
    properties.modified = when


def _document_date(root: Element) -> dt.datetime:
    """The publication date (else any date) of the document, so properties never say 'now'."""
    dates = root.findall("meta/date")
    dates.sort(key=lambda d: d.get("role") != "publication")
    for date in dates:
        try:
            day = dt.date.fromisoformat(date.get("when", ""))
        except ValueError:
            continue
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return _DEFAULT_DATE


def one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def shorten(text: str, limit: int = PROPERTY_LIMIT) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–—") + "…"
