"""Build styles/reference.docx, the packaged reference document of the docx writer.

Run ``.venv/bin/python tools/make_reference_docx.py`` after editing this file and commit
the new styles/reference.docx.  A build script: it is not part of the installed package.
The document is a small hand-written OOXML package (no template copied from elsewhere),
so every style in it is listed here and can be reviewed.  People may also edit the .docx
in Word or LibreOffice; the docx writer takes its styles from whichever reference it gets
and only sets sizes, colours, page size and margins from the print profile.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

# Heading sizes as multiples of the body size: the writer applies the same factors.
from converter.writers.docx.sizes import HEADING_FACTORS, SUBTITLE_FACTOR, TITLE_FACTOR

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

FONT = "Atkinson Hyperlegible"
BODY_HALF_POINTS = 36  # 18 pt, the default large-print profile; the writer sets the profile's

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def half_points(factor: float) -> int:
    return round(BODY_HALF_POINTS * factor)


def paragraph_style(
    style_id: str,
    name: str,
    *,
    based_on: str | None = "Normal",
    next_style: str | None = None,
    ppr: str = "",
    rpr: str = "",
    default: bool = False,
) -> str:
    marker = ' w:default="1"' if default else ""
    parts = [
        f'<w:style w:type="paragraph" w:styleId="{style_id}"{marker}>',
        f'<w:name w:val="{name}"/>',
    ]
    if based_on:
        parts.append(f'<w:basedOn w:val="{based_on}"/>')
    if next_style:
        parts.append(f'<w:next w:val="{next_style}"/>')
    parts.append("<w:qFormat/>")
    if ppr:
        parts.append(f"<w:pPr>{ppr}</w:pPr>")
    if rpr:
        parts.append(f"<w:rPr>{rpr}</w:rPr>")
    parts.append("</w:style>")
    return "".join(parts)


def character_style(style_id: str, name: str, rpr: str) -> str:
    return (
        f'<w:style w:type="character" w:styleId="{style_id}"><w:name w:val="{name}"/>'
        f'<w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="1"/><w:qFormat/>'
        f"<w:rPr>{rpr}</w:rPr></w:style>"
    )


def styles_xml() -> str:
    fonts = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
    # Left aligned, no hyphenation, line spacing 1.4 and space after paragraphs (never
    # empty paragraphs): UKAAF large print.  Colours are set by the writer's colour scheme.
    body_ppr = (
        '<w:suppressAutoHyphens/><w:spacing w:before="0" w:after="240" w:line="336" '
        'w:lineRule="auto"/><w:jc w:val="left"/>'
    )
    styles = [
        "<w:docDefaults><w:rPrDefault><w:rPr>",
        fonts,
        f'<w:color w:val="000000"/><w:sz w:val="{BODY_HALF_POINTS}"/>'
        f'<w:szCs w:val="{BODY_HALF_POINTS}"/>'
        '<w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/>',
        "</w:rPr></w:rPrDefault>",
        f"<w:pPrDefault><w:pPr>{body_ppr}</w:pPr></w:pPrDefault></w:docDefaults>",
        paragraph_style("Normal", "Normal", based_on=None, default=True, ppr=body_ppr),
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
        "<w:unhideWhenUsed/></w:style>",
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>',
        paragraph_style("BodyText", "Body Text"),
        paragraph_style(
            "Title",
            "Title",
            next_style="Subtitle",
            ppr='<w:keepNext/><w:spacing w:before="0" w:after="360"/>',
            rpr=f'<w:b/><w:bCs/><w:sz w:val="{half_points(TITLE_FACTOR)}"/>'
            f'<w:szCs w:val="{half_points(TITLE_FACTOR)}"/>',
        ),
        paragraph_style(
            "Subtitle",
            "Subtitle",
            next_style="BodyText",
            ppr='<w:keepNext/><w:spacing w:before="0" w:after="360"/>',
            rpr=f'<w:b/><w:bCs/><w:sz w:val="{half_points(SUBTITLE_FACTOR)}"/>'
            f'<w:szCs w:val="{half_points(SUBTITLE_FACTOR)}"/>',
        ),
    ]
    for level, factor in HEADING_FACTORS.items():
        styles.append(
            paragraph_style(
                f"Heading{level}",
                f"heading {level}",
                next_style="BodyText",
                ppr='<w:keepNext/><w:keepLines/><w:spacing w:before="480" w:after="240"/>'
                f'<w:outlineLvl w:val="{level - 1}"/>',
                rpr=f'<w:b/><w:bCs/><w:sz w:val="{half_points(factor)}"/>'
                f'<w:szCs w:val="{half_points(factor)}"/>',
            )
        )
    list_ppr = '<w:spacing w:before="0" w:after="160"/>'
    styles += [
        paragraph_style(
            "ListBullet",
            "List Bullet",
            ppr=f'<w:numPr><w:numId w:val="1"/></w:numPr>{list_ppr}',
        ),
        paragraph_style(
            "ListNumber",
            "List Number",
            ppr=f'<w:numPr><w:numId w:val="2"/></w:numPr>{list_ppr}',
        ),
        # The note saying which document this is a large-print version of.
        paragraph_style(
            "VersionNote",
            "Version Note",
            ppr='<w:pBdr><w:top w:val="single" w:sz="12" w:space="8" w:color="auto"/>'
            '<w:bottom w:val="single" w:sz="12" w:space="8" w:color="auto"/></w:pBdr>',
        ),
        paragraph_style(
            "Caption", "caption", next_style="BodyText", ppr="<w:keepNext/>", rpr="<w:b/><w:bCs/>"
        ),
        paragraph_style("NoteText", "Note Text", ppr='<w:ind w:left="360"/>'),
        paragraph_style("TableText", "Table Text", ppr='<w:spacing w:before="60" w:after="60"/>'),
        paragraph_style(
            "TableHeading",
            "Table Heading",
            based_on="TableText",
            ppr="<w:keepNext/>",
            rpr="<w:b/><w:bCs/>",
        ),
        paragraph_style("Footer", "footer", ppr='<w:spacing w:before="240" w:after="0"/>'),
        # The contents page: its heading is not itself in the outline (level 9, as Word's),
        # its entries a step in per level, the page number after a dotted tab at the right.
        paragraph_style(
            "TOCHeading",
            "TOC Heading",
            based_on="Heading1",
            next_style="BodyText",
            ppr='<w:outlineLvl w:val="9"/>',
        ),
        *(
            paragraph_style(
                f"TOC{level}",
                f"toc {level}",
                next_style="BodyText",
                ppr='<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="9638"/></w:tabs>'
                f'<w:spacing w:before="0" w:after="120"/><w:ind w:left="{360 * (level - 1)}"/>',
            )
            for level in (1, 2, 3)
        ),
        # Emphasis is bold, never italic (UKAAF): em and strong both read as bold.
        character_style("Strong", "Strong", "<w:b/><w:bCs/>"),
        character_style("Emphasis", "Emphasis", "<w:b/><w:bCs/>"),
        character_style("Hyperlink", "Hyperlink", '<w:color w:val="00366B"/><w:u w:val="single"/>'),
        character_style("ParagraphNumber", "Paragraph Number", "<w:b/><w:bCs/>"),
        # A footnote's number, where it is cited and in the footnote: bold at body size,
        # never a small raised figure (UKAAF).  LibreOffice draws footnote anchors in this
        # style, and raises them unless it says baseline.
        character_style(
            "FootnoteReference",
            "footnote reference",
            '<w:b/><w:bCs/><w:vertAlign w:val="baseline"/>',
        ),
        '<w:style w:type="table" w:styleId="DataTable"><w:name w:val="Data Table"/>'
        '<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="39"/><w:qFormat/><w:tblPr><w:tblBorders>'
        + "".join(
            f'<w:{edge} w:val="single" w:sz="8" w:space="0" w:color="auto"/>'
            for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        + '</w:tblBorders><w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="113" w:type="dxa"/>'
        '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="113" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
    ]
    return (
        f'{XML_DECLARATION}<w:styles xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
        + "".join(styles)
        + "</w:styles>"
    )


def numbering_xml() -> str:
    """Bullets and decimal numbers for the List Bullet and List Number styles."""

    def levels(kind: str) -> str:
        out = []
        for level in range(9):
            indent = 720 * (level + 1)
            if kind == "bullet":
                fmt, text = "bullet", ("\u2022", "\u2013", "\u25aa")[level % 3]
            else:
                fmt, text = "decimal", f"%{level + 1}."
            out.append(
                f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                f'<w:pPr><w:ind w:left="{indent}" w:hanging="720"/></w:pPr></w:lvl>'
            )
        return "".join(out)

    return (
        f'{XML_DECLARATION}<w:numbering xmlns:w="{W_NS}">'
        f'<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="hybridMultilevel"/>{levels("bullet")}</w:abstractNum>'
        f'<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="hybridMultilevel"/>{levels("decimal")}</w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
        "</w:numbering>"
    )


def document_xml() -> str:
    # A4 portrait, 20 mm margins; the footer holds the page number.
    return (
        f'{XML_DECLARATION}<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>'
        '<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>Reference document</w:t></w:r></w:p>'
        '<w:p><w:pPr><w:pStyle w:val="BodyText"/></w:pPr><w:r><w:t xml:space="preserve">'
        "The styles of this document are used by converter's docx writer.</w:t></w:r></w:p>"
        '<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter1"/>'
        '<w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" '
        'w:footer="567" w:gutter="0"/></w:sectPr>'
        "</w:body></w:document>"
    )


def footer_xml() -> str:
    return (
        f'{XML_DECLARATION}<w:ftr xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
        '<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:t xml:space="preserve">Page </w:t></w:r>'
        '<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
        '<w:r><w:t xml:space="preserve"> of </w:t></w:r>'
        '<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p></w:ftr>'
    )


def settings_xml() -> str:
    return (
        f'{XML_DECLARATION}<w:settings xmlns:w="{W_NS}">'
        '<w:autoHyphenation w:val="false"/><w:defaultTabStop w:val="720"/>'
        '<w:characterSpacingControl w:val="doNotCompress"/>'
        '<w:themeFontLang w:val="en-GB"/><w:compat><w:compatSetting w:name="compatibilityMode" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>'
    )


def font_table_xml() -> str:
    # altName and the swiss family let Word and LibreOffice substitute a sans serif when
    # Atkinson Hyperlegible is not installed.
    return (
        f'{XML_DECLARATION}<w:fonts xmlns:w="{W_NS}">'
        f'<w:font w:name="{FONT}"><w:altName w:val="Arial"/><w:panose1 w:val="00000500000000000000"/>'
        '<w:charset w:val="00"/><w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>'
        '<w:font w:name="Arial"><w:panose1 w:val="020B0604020202020204"/><w:charset w:val="00"/>'
        '<w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font></w:fonts>'
    )


def core_xml() -> str:
    return (
        f"{XML_DECLARATION}"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>converter reference document</dc:title><dc:language>en-GB</dc:language>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified>'
        "</cp:coreProperties>"
    )


def app_xml() -> str:
    return (
        f"{XML_DECLARATION}"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>converter</Application></Properties>"
    )


def content_types_xml() -> str:
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    overrides = {
        "/word/document.xml": f"{main}.document.main+xml",
        "/word/styles.xml": f"{main}.styles+xml",
        "/word/numbering.xml": f"{main}.numbering+xml",
        "/word/settings.xml": f"{main}.settings+xml",
        "/word/fontTable.xml": f"{main}.fontTable+xml",
        "/word/footer1.xml": f"{main}.footer+xml",
        "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
        "/docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    }
    return (
        f'{XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{k}" ContentType="{v}"/>' for k, v in overrides.items())
        + "</Types>"
    )


def package_rels_xml() -> str:
    return (
        f'{XML_DECLARATION}<Relationships xmlns="{PKG_RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{DOC_RELS}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )


def document_rels_xml() -> str:
    targets = {
        "rIdStyles": ("styles", "styles.xml"),
        "rIdNumbering": ("numbering", "numbering.xml"),
        "rIdSettings": ("settings", "settings.xml"),
        "rIdFontTable": ("fontTable", "fontTable.xml"),
        "rIdFooter1": ("footer", "footer1.xml"),
    }
    return (
        f'{XML_DECLARATION}<Relationships xmlns="{PKG_RELS}">'
        + "".join(
            f'<Relationship Id="{rid}" Type="{DOC_RELS}/{kind}" Target="{target}"/>'
            for rid, (kind, target) in targets.items()
        )
        + "</Relationships>"
    )


def parts() -> list[tuple[str, str]]:
    return [
        ("[Content_Types].xml", content_types_xml()),
        ("_rels/.rels", package_rels_xml()),
        ("docProps/core.xml", core_xml()),
        ("docProps/app.xml", app_xml()),
        ("word/document.xml", document_xml()),
        ("word/_rels/document.xml.rels", document_rels_xml()),
        ("word/styles.xml", styles_xml()),
        ("word/numbering.xml", numbering_xml()),
        ("word/settings.xml", settings_xml()),
        ("word/fontTable.xml", font_table_xml()),
        ("word/footer1.xml", footer_xml()),
    ]


def build(path: Path) -> None:
    """Write the package with fixed entry times, so the same script gives the same bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[1] / "styles" / "reference.docx"
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    build(target)
    print(f"wrote {target}")
