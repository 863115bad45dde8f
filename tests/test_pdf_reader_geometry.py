"""The PDF reader on untagged PDFs made here: reading order and tables from page geometry."""

from __future__ import annotations

import pytest
from lxml import etree

from converter import api
from converter.readers import pdf, pdf_layout, pdf_order, pdf_tables
from converter.words import account

STYLE = "@page { size: A4; margin: 20mm } body { font-family: sans-serif; font-size: 11pt }"
PROSE = (
    "The harbour board met in the spring to look again at the plans for the quay, which "
    "had been delayed by a long and wet winter and by the cost of the new stone. Members "
    "heard from the engineer that the work could begin in the summer if the weather held, "
    "and that the fishing fleet would be moved to the north berth while the old wall was "
    "taken down and rebuilt with stone from the quarry. "
)


def page(body: str, style: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<style>{STYLE} {style}</style></head><body>{body}</body></html>"
    )


# The content stream draws the blocks in the order of the HTML; the page shows them in
# the order of their positions, which is another.
SHUFFLED = page(
    f"""<p style="top: 120mm">Third comes the long paragraph. {PROSE}</p>
<h1 style="top: 0">Harbour board minutes</h1>
<p style="top: 60mm">Second, the members agreed to the plans.</p>
<h2 style="top: 40mm">Plans for the quay</h2>
<p style="top: 20mm">First, the meeting opened at ten.</p>""",
    "h1, h2, p { position: absolute; left: 0; width: 160mm; margin: 0 }",
)

# A ruled grid: a group header over two columns each, right-aligned numbers of every width.
RULED = page(
    """<h1>Harbour ward figures</h1>
<table><thead>
<tr><th>Ward</th><th colspan="2">Visits</th><th colspan="2">Complaints</th></tr>
<tr><th>Name</th><th>2023</th><th>2024</th><th>2023</th><th>2024</th></tr></thead><tbody>
<tr><td>North Quay</td><td class="n">7</td><td class="n">1204</td><td class="n">12</td>
<td class="n">3</td></tr>
<tr><td>Old Town</td><td class="n">15320</td><td class="n">98</td><td class="n">4</td>
<td class="n">140</td></tr>
<tr><td>Lighthouse Point</td><td class="n">260</td><td class="n">31</td><td class="n">0</td>
<td class="n">9</td></tr>
</tbody></table>
<p>Figures are counted by the ward office at the end of each quarter of the year.</p>""",
    "table { border-collapse: collapse } td, th { border: 1pt solid black; padding: 2pt 6pt }"
    " td.n { text-align: right }",
)

# The same without rules: only alignment tells the columns, and the group headers are
# centred over theirs.
UNRULED = page(
    """<h1>Harbour ward figures</h1>
<table><thead>
<tr><th></th><th colspan="2">Visits</th><th colspan="2">Complaints</th></tr>
<tr><th class="l">Ward</th><th>2023</th><th>2024</th><th>2023</th><th>2024</th></tr></thead>
<tbody>
<tr><td>North Quay</td><td>7</td><td>1204</td><td>12</td><td>3</td></tr>
<tr><td>Old Town</td><td>15320</td><td>98</td><td>4</td><td>140</td></tr>
<tr><td>Lighthouse Point</td><td>260</td><td>31</td><td>0</td><td>9</td></tr>
</tbody></table>""",
    "td, th { padding: 2pt 10pt; text-align: right } td:first-child, th.l { text-align: left }"
    " th { text-align: center }",
)

# Label and value, no rules, the labels in bold (so no row is a header).
KEY_VALUE = page(
    f"""<h1>Quay repairs notice</h1>
<table>
<tr><td class="k">Reference:</td><td>HB/2024/117</td></tr>
<tr><td class="k">Published:</td><td>3 March 2024</td></tr>
<tr><td class="k">Contact:</td><td>Harbour Master's Office</td></tr>
<tr><td class="k">Status:</td><td>Open for comment</td></tr>
</table>
<p>{PROSE}</p>""",
    "td { padding: 3pt 24pt 3pt 0 } td.k { font-weight: bold }",
)

# Seventy rows over two pages; the header (not bold: only the rule under it tells) is
# repeated at the top of the second page.
LONG = page(
    f"""<h1>Berth register</h1><p>{PROSE}</p>
<table><thead><tr><th>Berth</th><th>Vessel</th><th>Length</th></tr></thead><tbody>
{"".join(f'<tr><td>B{k:02d}</td><td>Vessel number {k}</td><td class="n">{7 + k * 13 % 40}.{k % 10} m</td></tr>' for k in range(1, 71))}
</tbody></table>
<p>The register is kept by the harbour master.</p>""",
    "table { border-collapse: collapse } th { text-align: left; font-weight: normal;"
    " border-bottom: 1pt solid black } td, th { padding: 2pt 14pt 2pt 0 }"
    " td.n { text-align: right }",
)

# A contents page: entries with their page numbers set right, like a two-column table.
CONTENTS = page(
    """<h1>Harbour board report</h1><h2>Contents</h2><table>
<tr><td>Summary</td><td class="n">2</td></tr>
<tr><td>What the board found</td><td class="n">3</td></tr>
<tr><td>The quay and its repairs</td><td class="n">7</td></tr>
<tr><td>Money</td><td class="n">12</td></tr></table>""",
    "td { padding: 2pt 40pt 2pt 0 } td.n { text-align: right }",
)

# Justified prose in two columns: every baseline holds a line of each column.
COLUMNS = page(
    f"""<h1>Harbour board annual letter</h1>
<div class="cols"><p>{PROSE * 2}</p><p>Alpha. {PROSE * 2}</p><p>Omega. {PROSE}</p></div>""",
    ".cols { columns: 2; column-gap: 12mm; text-align: justify }",
)


def make_pdf(html: str) -> bytes:
    from weasyprint import HTML as Document

    return bytes(Document(string=html).write_pdf())  # untagged: geometry is all there is


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    return {
        name: make_pdf(html)
        for name, html in (
            ("shuffled", SHUFFLED),
            ("ruled", RULED),
            ("unruled", UNRULED),
            ("key-value", KEY_VALUE),
            ("long", LONG),
            ("columns", COLUMNS),
            ("contents", CONTENTS),
        )
    }


def tree(data: bytes) -> etree._Element:
    return api.parse(data, format="pdf").getroot()


def text(element: etree._Element) -> str:
    return " ".join("".join(str(t) for t in element.itertext()).split())


def rows(table: etree._Element) -> list[list[str]]:
    return [[text(c) for c in row.iterfind("cell")] for row in table.iter("row")]


def test_nothing_lost(pdfs: dict[str, bytes]) -> None:
    for name, data in pdfs.items():
        words = account(pdf.text_layer(data), tree(data))
        assert words.ok, (name, dict(words.lost), dict(words.invented))


def test_a_page_drawn_out_of_order_is_read_in_reading_order(pdfs: dict[str, bytes]) -> None:
    layouts, _ = pdf.extract(pdfs["shuffled"], name="x.pdf")
    assert pdf_order.out_of_order(layouts[0].lines)  # the page is drawn shuffled
    root = tree(pdfs["shuffled"])
    assert root.findtext("meta/title") == "Harbour board minutes"
    body = text(root.find("body"))  # type: ignore[arg-type]
    first, second, third = (body.index(w) for w in ("First,", "Second,", "Third comes"))
    assert first < body.index("Plans for the quay") < second < third
    assert [text(h) for h in root.iterfind("body//heading")] == ["Plans for the quay"]


def test_a_page_in_order_keeps_its_order(pdfs: dict[str, bytes]) -> None:
    """Two columns drawn column by column are in reading order: nothing is moved."""
    layouts, _ = pdf.extract(pdfs["columns"], name="x.pdf")
    assert not pdf_order.out_of_order(layouts[0].lines)
    # XY-cut would read them the same way: down the left column, then the right.
    cut = pdf_order.xy_cut(layouts[0].lines)
    assert [x.text for x in cut] == [x.text for x in layouts[0].lines]


def test_xy_cut_reads_rows_then_columns() -> None:
    def line(text: str, x0: float, top: float) -> pdf_layout.LaidLine:
        return pdf_layout.LaidLine(1, text, x0, x0 + 100, top, top + 10, 10, False, False, None)

    shuffled = [
        line("right 1", 300, 100),
        line("left 2", 50, 115),
        line("footer", 50, 400),
        line("title", 50, 50),
        line("left 1", 50, 100),
        line("right 2", 300, 115),
    ]
    assert pdf_order.out_of_order(shuffled)
    assert [x.text for x in pdf_order.xy_cut(shuffled)] == [
        "title",
        "left 1",
        "left 2",
        "right 1",
        "right 2",
        "footer",
    ]


def test_ruled_table_with_spanning_headers_and_right_aligned_numbers(
    pdfs: dict[str, bytes],
) -> None:
    root = tree(pdfs["ruled"])
    tables = root.findall("body//table")
    assert len(tables) == 1
    table = tables[0]
    head = table.findall("head/row")
    assert len(head) == 2
    group = [(text(c), c.get("colspan")) for c in head[0].iterfind("cell")]
    assert group == [("Ward", None), ("Visits", "2"), ("Complaints", "2")]
    assert rows(table) == [
        ["Ward", "Visits", "Complaints"],
        ["Name", "2023", "2024", "2023", "2024"],
        ["North Quay", "7", "1204", "12", "3"],
        ["Old Town", "15320", "98", "4", "140"],
        ["Lighthouse Point", "260", "31", "0", "9"],
    ]
    # The paragraph under the table stays a paragraph.
    assert [text(p) for p in root.iterfind("body//p")] == [
        "Figures are counted by the ward office at the end of each quarter of the year."
    ]


def test_unruled_table_with_group_headers(pdfs: dict[str, bytes]) -> None:
    tables = tree(pdfs["unruled"]).findall("body//table")
    assert len(tables) == 1
    head = tables[0].findall("head/row")
    assert len(head) == 2
    group = [(text(c), c.get("colspan")) for c in head[0].iterfind("cell")]
    assert group == [("Visits", "2"), ("Complaints", "2")] or group == [
        ("", None),
        ("Visits", "2"),
        ("Complaints", "2"),
    ]
    assert rows(tables[0])[1:] == [
        ["Ward", "2023", "2024", "2023", "2024"],
        ["North Quay", "7", "1204", "12", "3"],
        ["Old Town", "15320", "98", "4", "140"],
        ["Lighthouse Point", "260", "31", "0", "9"],
    ]


def test_unruled_key_value_table(pdfs: dict[str, bytes]) -> None:
    root = tree(pdfs["key-value"])
    tables = root.findall("body//table")
    assert len(tables) == 1
    assert not tables[0].findall("head/row")  # bold labels are not a header row
    assert rows(tables[0]) == [
        ["Reference:", "HB/2024/117"],
        ["Published:", "3 March 2024"],
        ["Contact:", "Harbour Master's Office"],
        ["Status:", "Open for comment"],
    ]
    paragraphs = [text(p) for p in root.iterfind("body//p")]
    assert paragraphs == [" ".join(PROSE.split())]


def test_table_over_a_page_break_is_one_table(pdfs: dict[str, bytes]) -> None:
    root = tree(pdfs["long"])
    tables = root.findall("body//table")
    assert len(tables) == 1
    table = tables[0]
    assert rows(table)[0] == ["Berth", "Vessel", "Length"]  # a header by the rule under it
    assert len(table.findall("head/row")) == 1
    body = table.findall("row")
    assert len(body) == 70
    assert [text(c) for c in body[0].iterfind("cell")] == ["B01", "Vessel number 1", "20.1 m"]
    assert [text(c) for c in body[-1].iterfind("cell")] == ["B70", "Vessel number 70", "37.0 m"]
    assert [b.get("page") for b in root.iter("pagebreak")] == ["2"]
    # The header row repeated on page 2 is the table's running head, set aside.
    repeated = [
        (a.get("reason"), a.get("page"), a.text) for a in root.iterfind("artifacts/artifact")
    ]
    assert repeated == [("running-header", "2", "Berth Vessel Length")]
    assert [text(p) for p in root.iterfind("body//p")][-1] == (
        "The register is kept by the harbour master."
    )


def test_two_column_prose_stays_prose(pdfs: dict[str, bytes]) -> None:
    layouts, _ = pdf.extract(pdfs["columns"], name="x.pdf")
    lines = layouts[0].lines
    # The columns share baselines: laid side by side, line after line, like a table's
    # cells; the reader must still see prose.
    side_by_side = [b for b in pdf_tables._baselines(lines) if len(b) == 2]
    assert len(side_by_side) >= 10
    assert pdf_tables.find_tables(lines, layouts[0].rules)[0] == []
    root = tree(pdfs["columns"])
    assert root.find("body//table") is None
    paragraphs = [text(p) for p in root.iterfind("body//p")]
    assert paragraphs == [
        " ".join((PROSE * 2).split()),
        " ".join(("Alpha. " + PROSE * 2).split()),
        " ".join(("Omega. " + PROSE).split()),
    ]


def test_a_contents_page_is_no_table(pdfs: dict[str, bytes]) -> None:
    """Entries and rising page numbers are left to structure recovery as lines."""
    root = tree(pdfs["contents"])
    assert root.find("body//table") is None
    body = text(root.find("body"))  # type: ignore[arg-type]
    assert "Summary" in body and "Money" in body
