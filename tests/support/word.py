"""Word and OpenDocument sources made for the tests and benchmarks (never corpus text).

:func:`feature_docx` builds, with python-docx (and lxml for what it has no API for), one
document holding every construct the DOCX reader must read; :func:`feature_odt` writes an
OpenDocument file by hand for the LibreOffice path; :func:`long_docx` a long report for
the benchmark.  Images are drawn with Pillow.
"""

from __future__ import annotations

import io
import zipfile
from copy import deepcopy

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt
from lxml import etree
from PIL import Image

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DECORATIVE_URI = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
ADEC = "http://schemas.microsoft.com/office/drawing/2017/decorative"


def png(colour: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def tiff(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 24), colour).save(out, format="TIFF")
    return out.getvalue()


def _run(paragraph: docx.text.paragraph.Paragraph, xml: str) -> None:
    paragraph._p.append(parse_xml(f"<w:r {nsdecls('w')}>{xml}</w:r>"))


def _picture(
    document: docx.document.Document,
    data: bytes,
    *,
    description: str | None = None,
    title: str | None = None,
    decorative: bool = False,
    name: str | None = None,
) -> None:
    document.add_picture(io.BytesIO(data))
    inline = document.paragraphs[-1]._p.xpath(".//wp:inline")[0]
    doc_pr = inline.find(qn("wp:docPr"))
    if name:
        doc_pr.set("name", name)
    if description is not None:
        doc_pr.set("descr", description)
    if title is not None:
        doc_pr.set("title", title)
    if decorative:
        ext_list = etree.SubElement(doc_pr, qn("a:extLst"))
        ext = etree.SubElement(ext_list, qn("a:ext"), uri=DECORATIVE_URI)
        etree.SubElement(ext, f"{{{ADEC}}}decorative", val="1", nsmap={"adec": ADEC})


def _notes_part(document: docx.document.Document, kind: str, texts: list[str]) -> None:
    """footnotes.xml or endnotes.xml, which python-docx cannot make, with its separators."""
    notes = [
        f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>',
        f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
        f"</w:r></w:p></w:{kind}>",
    ]
    ref = "footnoteRef" if kind == "footnote" else "endnoteRef"
    for number, text in enumerate(texts, start=1):
        notes.append(
            f'<w:{kind} w:id="{number}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
            f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:{ref}/></w:r>'
            f'<w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:{kind}>'
        )
    xml = f"<w:{kind}s {nsdecls('w')}>{''.join(notes)}</w:{kind}s>".encode()
    content_type = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}s+xml"
    part = Part(PackURI(f"/word/{kind}s.xml"), content_type, xml, document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES if kind == "footnote" else RT.ENDNOTES)


def _numbering(document: docx.document.Document) -> str:
    """A list definition of its own: '(a)' letters, then upper-case Roman numerals."""
    numbering = document.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:multiLevelType w:val="multilevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
        '<w:lvlText w:val="(%1)"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/>'
        '<w:lvlText w:val="%2."/></w:lvl>'
        "</w:abstractNum>"
    )
    first_num = numbering.find(qn("w:num"))
    first_num.addprevious(abstract)
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    )
    return "90"


def _numbered(paragraph: docx.text.paragraph.Paragraph, num_id: str, level: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'
        )
    )


def _hyperlink(paragraph: docx.text.paragraph.Paragraph, url: str, text: str) -> None:
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    paragraph._p.append(
        parse_xml(
            f'<w:hyperlink {nsdecls("w", "r")} r:id="{r_id}"><w:r><w:rPr>'
            f'<w:rStyle w:val="Hyperlink"/></w:rPr><w:t>{text}</w:t></w:r></w:hyperlink>'
        )
    )


def feature_docx(*, remote: str | None = None) -> bytes:
    """A Word document with every construct the reader knows, made with python-docx.

    ``remote`` (a base URL) adds what must never be fetched: a picture linked from it
    and an attached template there.
    """
    document = docx.Document()
    properties = document.core_properties
    properties.title = "Stale title from the template"
    properties.subject = "Fixture subject"
    properties.language = "en-GB"
    styles = document.styles
    styles["Normal"].font.size = Pt(11)
    # The document's language, as Word keeps it: the default run properties.
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = etree.SubElement(rpr, qn("w:lang"))
    lang.set(qn("w:val"), "en-GB")
    custom = styles.add_style("Report Section", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = styles["Heading 2"]

    document.add_heading("Parish services review", level=0)  # the Title style
    document.add_paragraph("A fixture for the DOCX reader", style="Subtitle")
    document.add_paragraph("Contents placeholder", style="TOC Heading")
    intro = document.add_paragraph("The parish council asked for this review in ")
    intro.add_run("March").bold = True
    intro.add_run(" and it was ")
    intro.add_run("finished").italic = True
    intro.add_run(" on time. The French motto is ")
    french = intro.add_run("liberté")
    french._r.get_or_add_rPr().append(parse_xml(f'<w:lang {nsdecls("w")} w:val="fr-FR"/>'))
    intro.add_run(" here. Read more at ")
    _hyperlink(intro, "https://www.example.org/parish", "the parish site")
    intro.add_run(".")
    cited = document.add_paragraph("The hall was built in 1902.")
    _run(cited, '<w:footnoteReference w:id="1"/>')
    cited.add_run(" It was extended later.")
    _run(cited, '<w:endnoteReference w:id="1"/>')

    document.add_heading("Findings", level=1)
    document.add_heading("Services for older people", level=2)
    document.add_paragraph("The lunch club meets weekly.")
    document.add_paragraph("Volunteers run it", style="List Bullet")
    document.add_paragraph("Meals cost two pounds", style="List Bullet")
    document.add_paragraph("Transport is arranged", style="List Bullet 2")
    document.add_paragraph("Bookings are by phone", style="List Bullet")
    document.add_paragraph("Then the steps the council took:")
    document.add_paragraph("Listen to residents", style="List Number")
    document.add_paragraph("Agree a plan", style="List Number")
    document.add_paragraph("Report back", style="List Number")
    lettered = _numbering(document)
    for text, level in (("First option", 0), ("Second option", 0), ("A detail", 1)):
        _numbered(document.add_paragraph(text), lettered, level)

    document.add_paragraph("Custom heading style", style="Report Section")
    document.add_paragraph("Text under the custom heading.")

    caption = document.add_paragraph("Table 1: Attendance by club", style="Caption")
    assert caption.text
    table = document.add_table(rows=4, cols=3)
    table.style = styles["Table Grid"]
    header = table.rows[0]
    for cell, text in zip(header.cells, ("Club", "Members", "Meetings"), strict=True):
        cell.text = text
    header._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    rows = (("Lunch club", "40", "52"), ("Youth club", "25", "40"), ("Choir", "12", "30"))
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = text
    merged = table.cell(2, 1).merge(table.cell(2, 2))  # a horizontal merge: gridSpan
    merged.text = "25 members, 40 meetings"
    tall = table.cell(1, 0).merge(table.cell(2, 0))  # a vertical merge: vMerge
    tall.text = "Lunch and youth clubs"

    document.add_paragraph("")  # an empty paragraph: spacing, not content
    document.add_heading("Pictures", level=1)
    _picture(
        document,
        png("navy"),
        description="A bar chart of club members: lunch club 40, youth club 25.",
        name="Chart 1",
    )
    document.add_paragraph("Figure 1: Members by club", style="Caption")
    _picture(document, png("white", (200, 4)), decorative=True, name="Border")
    _picture(document, png("green"), name="Picture 3")  # no description: a finding
    _picture(document, tiff("red"), title="The parish hall, from the south", name="Photo")
    if remote is not None:
        linked = document.add_paragraph()
        r_id = linked.part.relate_to(f"{remote}/linked-picture.png", RT.IMAGE, is_external=True)
        document.add_picture(io.BytesIO(png("black")))
        blip = document.paragraphs[-1]._p.xpath(".//a:blip")[0]
        del blip.attrib[qn("r:embed")]
        blip.set(qn("r:link"), r_id)
        doc_pr = document.paragraphs[-1]._p.xpath(".//wp:docPr")[0]
        doc_pr.set("descr", "A picture linked from the web")
        settings = document.part._settings_part
        template = settings.relate_to(
            f"{remote}/template.dotx",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate",
            is_external=True,
        )
        settings.element.append(
            parse_xml(f'<w:attachedTemplate {nsdecls("w", "r")} r:id="{template}"/>')
        )
        field = document.add_paragraph()
        _run(field, '<w:fldChar w:fldCharType="begin"/>')
        _run(
            field,
            f'<w:instrText xml:space="preserve"> INCLUDEPICTURE "{remote}/field.png" \\d </w:instrText>',
        )
        _run(field, '<w:fldChar w:fldCharType="separate"/>')
        _run(field, "<w:t>Picture by field</w:t>")
        _run(field, '<w:fldChar w:fldCharType="end"/>')

    page = document.add_paragraph("Before the break.")
    page.add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph("Made by hand").runs[0].bold = True  # a heading typed by hand
    document.add_paragraph("Under the hand-made heading, the numbered paragraphs follow.")
    for number in range(1, 7):
        document.add_paragraph(
            f"{number}. Numbered paragraph {number} says what the inspectors found in turn."
        )
    document.add_paragraph("Here is a short list typed by hand.")
    for number, text in enumerate(("apples", "pears", "plums"), start=1):
        document.add_paragraph(f"{number}. {text}")

    changed = document.add_paragraph("The report was ")
    changed._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="901" w:author="Editor" w:date="2024-01-01T00:00:00Z">'
            '<w:r><w:t xml:space="preserve">finally </w:t></w:r></w:ins>'
        )
    )
    changed._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="902" w:author="Editor" w:date="2024-01-01T00:00:00Z">'
            '<w:r><w:delText xml:space="preserve">never </w:delText></w:r></w:del>'
        )
    )
    changed.add_run("approved.")
    hidden = changed.add_run(" Hidden words.")
    hidden.font.hidden = True
    commented = document.add_paragraph("A sentence with a comment on it.")
    document.add_comment(commented.runs, text="Comment words never reach the copy", author="R")

    _notes_part(document, "footnote", ["Built by the parish with a grant."])
    _notes_part(document, "endnote", ["Extended in 1960."])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def long_docx(pages: int = 50) -> bytes:
    """A report of about ``pages`` printed pages: headings, numbered paragraphs, lists and
    a table on every page, in invented words."""
    document = docx.Document()
    document.add_heading("A long report for the benchmark", level=0)
    sentence = (
        "The service works with families across the district and records what it does "
        "so that managers can see where help reaches people late. "
    )
    number = 0
    for page in range(1, pages + 1):
        document.add_heading(f"Part {page}: what was found", level=1)
        document.add_heading(f"Findings for area {page}", level=2)
        for _ in range(3):
            number += 1
            document.add_paragraph(f"{number}. " + sentence * 3)
        for item in range(3):
            document.add_paragraph(f"Point {item + 1} of part {page}", style="List Bullet")
        table = document.add_table(rows=3, cols=3)
        for row_index, row in enumerate(table.rows):
            for column, cell in enumerate(row.cells):
                cell.text = f"Row {row_index} column {column}"
        document.add_page_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docm(data: bytes) -> bytes:
    """The same document as a macro-enabled one (.docm), with a macro project inside."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                ).replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            if info.filename == "word/_rels/document.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
                    b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
                )
            target.writestr(info, content)
        target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 not a real macro project")
    return out.getvalue()


def zip_bomb() -> bytes:
    """A small zip whose document part unpacks to far more than any report."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("[Content_Types].xml", b"<Types/>")
        block = b"<w:p/>" * (1024 * 1024 // 6)
        with target.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(300):  # 300 MB of XML, a few hundred kilobytes zipped
                member.write(block)
    return out.getvalue()


def encrypted_docx() -> bytes:
    """What Office writes for a password-protected document: a compound file (OLE2) with
    an EncryptionInfo and an EncryptedPackage stream (their names in UTF-16 in its
    directory); the streams themselves are not needed to tell what it is."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = b""
    for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage"):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        directory += encoded + b"\x00" * (128 - len(encoded))
    return header + directory + b"\x00" * 1024


_ODT_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:loext="urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"'
)


def feature_odt(*, remote: str | None = None) -> bytes:
    """An OpenDocument text written by hand: title, headings, lists, a table with a header
    row, a footnote, a link, pictures with and without descriptions, a decorative one."""
    linked = ""
    if remote is not None:
        linked = (
            '<text:p text:style-name="Standard"><draw:frame draw:name="Linked" '
            'svg:width="2cm" svg:height="1cm" text:anchor-type="as-char">'
            f'<draw:image xlink:href="{remote}/odt-linked.png" xlink:type="simple" '
            'xlink:show="embed" xlink:actuate="onLoad"/><svg:desc>A linked picture</svg:desc>'
            "</draw:frame></text:p>"
        )
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {_ODT_NAMESPACES} office:version="1.3">
<office:automatic-styles>
  <style:style style:name="Bold" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
  <style:style style:name="French" style:family="text"><style:text-properties fo:language="fr" fo:country="FR"/></style:style>
</office:automatic-styles>
<office:body><office:text>
<text:p text:style-name="Title">Village hall report</text:p>
<text:p text:style-name="Subtitle">Written for the LibreOffice reader</text:p>
<text:h text:style-name="Heading_20_1" text:outline-level="1">Background</text:h>
<text:p text:style-name="Standard">The hall opened in <text:span text:style-name="Bold">1902</text:span> and the motto is <text:span text:style-name="French">liberté</text:span>.<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p text:style-name="Footnote">From the parish records.</text:p></text:note-body></text:note> See <text:a xlink:type="simple" xlink:href="https://www.example.org/hall">the hall site</text:a>.</text:p>
<text:h text:style-name="Heading_20_2" text:outline-level="2">Rooms</text:h>
<text:list text:style-name="L1">
  <text:list-item><text:p text:style-name="Standard">Main hall</text:p></text:list-item>
  <text:list-item><text:p text:style-name="Standard">Kitchen</text:p>
    <text:list><text:list-item><text:p text:style-name="Standard">Cooker</text:p></text:list-item></text:list>
  </text:list-item>
</text:list>
<text:list text:style-name="N1">
  <text:list-item><text:p text:style-name="Standard">Book the hall</text:p></text:list-item>
  <text:list-item><text:p text:style-name="Standard">Pay the deposit</text:p></text:list-item>
</text:list>
<table:table table:name="Charges">
  <table:table-column table:number-columns-repeated="2"/>
  <table:table-header-rows>
    <table:table-row><table:table-cell office:value-type="string"><text:p>Room</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Charge</text:p></table:table-cell></table:table-row>
  </table:table-header-rows>
  <table:table-row><table:table-cell office:value-type="string"><text:p>Main hall</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>20 pounds</text:p></table:table-cell></table:table-row>
  <table:table-row><table:table-cell office:value-type="string"><text:p>Kitchen</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>5 pounds</text:p></table:table-cell></table:table-row>
</table:table>
<text:h text:style-name="Heading_20_1" text:outline-level="1">Pictures</text:h>
<text:p text:style-name="Standard"><draw:frame draw:name="Plan" svg:width="4cm" svg:height="3cm" text:anchor-type="as-char"><draw:image xlink:href="Pictures/plan.png" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/><svg:title>Plan</svg:title><svg:desc>A floor plan of the hall with the kitchen at the back.</svg:desc></draw:frame></text:p>
<text:p text:style-name="Standard"><draw:frame draw:name="Undescribed" svg:width="4cm" svg:height="3cm" text:anchor-type="as-char"><draw:image xlink:href="Pictures/photo.png" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>
<text:p text:style-name="Standard"><draw:frame draw:name="Line" loext:decorative="true" svg:width="4cm" svg:height="0.2cm" text:anchor-type="as-char"><draw:image xlink:href="Pictures/line.png" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>
{linked}
<text:p text:style-name="Standard">The end of the report.</text:p>
</office:text></office:body></office:document-content>"""
    styles = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {_ODT_NAMESPACES} office:version="1.3">
<office:styles>
  <style:default-style style:family="paragraph"><style:text-properties fo:language="en" fo:country="GB"/></style:default-style>
  <style:style style:name="Standard" style:family="paragraph"/>
  <style:style style:name="Title" style:family="paragraph"><style:text-properties fo:font-size="24pt" fo:font-weight="bold"/></style:style>
  <style:style style:name="Subtitle" style:family="paragraph"><style:text-properties fo:font-size="16pt"/></style:style>
  <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:default-outline-level="1"><style:text-properties fo:font-weight="bold"/></style:style>
  <style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:default-outline-level="2"><style:text-properties fo:font-weight="bold"/></style:style>
  <style:style style:name="Footnote" style:family="paragraph"/>
  <text:list-style style:name="L1">
    <text:list-level-style-bullet text:level="1" text:bullet-char="•"/>
    <text:list-level-style-bullet text:level="2" text:bullet-char="◦"/>
  </text:list-style>
  <text:list-style style:name="N1">
    <text:list-level-style-number text:level="1" style:num-format="1" style:num-suffix="."/>
  </text:list-style>
</office:styles>
</office:document-styles>"""
    meta = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta {_ODT_NAMESPACES} office:version="1.3"><office:meta><dc:title>Village hall report</dc:title><dc:language>en-GB</dc:language></office:meta></office:document-meta>"""
    manifest = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="Pictures/plan.png" manifest:media-type="image/png"/>
 <manifest:file-entry manifest:full-path="Pictures/photo.png" manifest:media-type="image/png"/>
 <manifest:file-entry manifest:full-path="Pictures/line.png" manifest:media-type="image/png"/>
</manifest:manifest>"""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        for name, text in (
            ("content.xml", content),
            ("styles.xml", styles),
            ("meta.xml", meta),
            ("META-INF/manifest.xml", manifest),
        ):
            target.writestr(name, text.encode("utf-8"), zipfile.ZIP_DEFLATED)
        target.writestr("Pictures/plan.png", png("navy", (60, 40)))
        target.writestr("Pictures/photo.png", png("olive", (50, 50)))
        target.writestr("Pictures/line.png", png("grey", (100, 2)))
    return out.getvalue()


def copy_without(data: bytes, name: str) -> bytes:
    """A package with one part left out (a damaged file)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(deepcopy(info), source.read(info))
    return out.getvalue()
