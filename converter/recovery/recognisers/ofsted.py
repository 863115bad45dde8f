"""Ofsted-aware recognition: kind, cover facts, judgement table, graded sections, back matter."""

from __future__ import annotations

import re
from datetime import date

from converter.recovery.build import slug
from converter.recovery.model import Block, Document, Facts, SourceLine

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_DASH = r"(?:to|and|-|\u2013|\u2014)"
_DATE_RANGE = re.compile(
    rf"(\d{{1,2}})(?:\s+({_MONTH}))?(?:\s+(\d{{4}}))?\s*{_DASH}\s*(\d{{1,2}})\s+({_MONTH})\s+(\d{{4}})",
    re.IGNORECASE,
)
_ONE_DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})\s+(\d{{4}})\b", re.IGNORECASE)
_DATES_LABEL = re.compile(r"^\s*(?:Inspection|Visit)\s+dates?\s*:?\s*(.*)$", re.IGNORECASE)
_PUBLISHED = re.compile(r"^\s*(?:Report\s+)?published\s*:?\s*(.+)$", re.IGNORECASE)
_LEAD = re.compile(r"^\s*Lead inspector\s*:\s*(.+?)\s*$", re.IGNORECASE)
_LEAD_SUFFIX = re.compile(r"^\s*(.+?),\s*lead inspector\s*$", re.IGNORECASE)
_GRADE_WORDS = r"outstanding|good|requires\s+improvement(?:\s+to\s+be\s+good)?|inadequate|adequate|not\s+graded"
_GRADE_ONLY = re.compile(rf"^\s*({_GRADE_WORDS})\s*$", re.IGNORECASE)
_GRADED_HEADING = re.compile(
    rf"^(.*?)(?:\s*:\s*|\s+(?:is|are)\s+(?:that\s+it\s+is\s+)?)({_GRADE_WORDS})$", re.IGNORECASE
)
_SCHOOL_GRADE = re.compile(rf"^This is an? ({_GRADE_WORDS}) school$", re.IGNORECASE)
_IMPROVE = re.compile(
    r"^(?:What needs to improve|What does the (?:school|provider|setting) need to do to improve|Recommendations$|Areas for improvement)",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_AUTHORITY = re.compile(
    r"^Inspection of (.+?) local authority children['\u2019]s services", re.IGNORECASE
)
_FOCUSED = re.compile(
    r"^(?:Focused|Joint targeted area|Monitoring) visit to (.+?)(?: children['\u2019]s services)?$",
    re.IGNORECASE,
)
_VISIT_PROSE = re.compile(
    rf"\bon\s+(\d{{1,2}})(?:\s+({_MONTH}))?(?:\s+(\d{{4}}))?\s+(?:and|to)\s+(\d{{1,2}})\s+({_MONTH})\s+(\d{{4}})",
    re.IGNORECASE,
)
_DEAR = re.compile(r"^Dear\s+\S")
_BACK_START = re.compile(
    r"^(?:The Office for Standards in Education|If you would like a copy of this document|Any complaints about the inspection)"
)
_BACK_ROLES = (
    (re.compile(r"different format|large print or Braille", re.IGNORECASE), "alternative-formats"),
    (
        re.compile(
            r"reuse this information|Open Government Licence|open-government-licence", re.IGNORECASE
        ),
        "licence",
    ),
    (re.compile(r"^\u00a9|Crown copyright", re.IGNORECASE), "copyright"),
    (
        re.compile(
            r"^(?:Piccadilly Gate|Store Street|Manchester|M1 2WD|T:|Textphone|E:|W:|Aviation House)",
            re.IGNORECASE,
        ),
        "contact",
    ),
    (
        re.compile(
            r"^(?:The Office for Standards in Education|This (?:report|publication) is available|Interested in our work|Any complaints|Parent View|You can use Parent View)",
            re.IGNORECASE,
        ),
        "about",
    ),
)
#: Judgement areas: a stable slug for each phrase a judgement label may contain, the most
#: specific first.
AREAS = (
    ("overall effectiveness at previous", "overall-effectiveness-previous"),
    ("overall effectiveness", "overall-effectiveness"),
    ("impact of leaders", "impact-of-leaders"),
    ("help and protection", "help-and-protection"),
    ("children in care and care leavers", "children-in-care-and-care-leavers"),
    ("looked after and achieving permanence", "children-looked-after"),
    ("children in care", "children-in-care"),
    ("care leavers", "care-leavers"),
    ("adoption", "adoption"),
    ("leadership and management", "leadership-and-management"),
    ("leadership, management and governance", "leadership-management-governance"),
    ("teaching, learning and assessment", "teaching-learning-assessment"),
    ("personal development", "personal-development-behaviour-welfare"),
    ("outcomes for", "outcomes"),
    ("early years", "early-years"),
    ("sixth form", "sixth-form"),
    ("children's services in", "overall-effectiveness"),
    ("children\u2019s services in", "overall-effectiveness"),
)


def normal_grade(written: str) -> str:
    """A grade as written ('Requires Improvement to be good') to its schema value."""
    lowered = " ".join(written.casefold().split())
    if lowered.startswith("requires improvement"):
        return "requires-improvement"
    if lowered == "not graded":
        return "not-graded"
    return lowered


def area_of(label: str) -> str:
    lowered = label.casefold()
    for phrase, area in AREAS:
        if phrase in lowered:
            return area
    return slug(re.sub(r"^\d+(\.\d+)*\.?\s*", "", label), words=8)


def parse_range(text: str) -> tuple[date, date] | None:
    """'22 November to 3 December 2021', '9–10 November 2016', '4 June to 15 June 2018' ..."""
    match = _DATE_RANGE.search(text)
    if match:
        day1, month1, year1, day2, month2, year2 = match.groups()
        try:
            end = date(int(year2), MONTHS[month2.casefold()], int(day2))
            start = date(int(year1 or year2), MONTHS[(month1 or month2).casefold()], int(day1))
        except ValueError:
            return None
        if start > end and not year1:
            start = start.replace(year=start.year - 1)
        return start, end
    dates = [_to_date(m) for m in _ONE_DATE.finditer(text)]
    found = [d for d in dates if d is not None]
    if len(found) >= 2:
        return found[0], found[1]
    if len(found) == 1:
        return found[0], found[0]
    return None


def _to_date(match: re.Match[str]) -> date | None:
    try:
        return date(int(match.group(3)), MONTHS[match.group(2).casefold()], int(match.group(1)))
    except ValueError:
        return None


def has_cues(lines: list[SourceLine]) -> bool:
    head = " ".join(x.text for x in lines[:60])
    return bool(
        re.search(
            r"Inspection dates?\s*:?|Lead inspector|Focused visit to|Ofsted|School report|His Majesty|Her Majesty",
            head,
        )
    )


def recognise(document: Document) -> Facts | None:
    """Facts of an Ofsted report, refining the document's blocks; None when it is not one."""
    if not has_cues(document.lines):
        return None
    facts = Facts(publisher="Ofsted")
    blocks = document.blocks
    dear = next((i for i, b in enumerate(blocks[:40]) if _DEAR.match(b.text)), None)
    if dear is not None:
        _letter(document, facts, dear)
    else:
        _cover(document, facts)
    _judgement_table(document, facts)
    _graded_sections(document)
    _improvements(document)
    _lead_inspector(document, facts)
    _kind(document, facts)
    _back_matter(document, facts)
    _sub_headings(document, facts)
    return facts


def _raw(block: Block) -> str:
    return " ".join(x.text.strip() for x in block.lines if x.text.strip())


def _cover(document: Document, facts: Facts) -> None:
    """Title (wrapped lines joined), subtitle, dates and lead inspector from page 1."""
    content = [
        x
        for x in document.lines
        if x.text.strip() and x.number not in document.artifacts and x.page == 1
    ]
    date_index = next((i for i, x in enumerate(content[:30]) if _DATES_LABEL.match(x.text)), None)
    if date_index is None:
        date_index = next((i for i, x in enumerate(content[:30]) if _LEAD.match(x.text)), None)
    if date_index is None or date_index == 0:
        first = next((b for b in document.blocks if b.kind in ("heading", "para")), None)
        if first is not None:
            facts.title = first.text
            facts.title_lines = tuple(x.number for x in first.lines)
            document.blocks.remove(first)
        _cover_dates(document, facts, content[:40])
        return
    title_lines = content[:date_index]
    kicker = None
    if title_lines and title_lines[0].text.strip().casefold() in (
        "school report",
        "inspection report",
    ):
        kicker = title_lines.pop(0)
    while title_lines and _POSTCODE.search(title_lines[-1].text):
        title_lines.pop()  # an address line under the title stays in the body
    texts = [x.text.strip() for x in title_lines]
    if (
        len(texts) > 1
        and texts[1].startswith("Inspection of")
        and not texts[0].startswith("Inspection of")
    ):
        facts.title = texts[0]
        facts.subtitle = " ".join(texts[1:])
    else:
        facts.title = " ".join(texts)
    if kicker is not None:
        facts.subtitle = (
            kicker.text.strip()
            if not facts.subtitle
            else f"{kicker.text.strip()}: {facts.subtitle}"
        )
        title_lines.insert(0, kicker)
    facts.title_lines = tuple(x.number for x in title_lines)
    _drop_lines(document, set(facts.title_lines))
    _cover_dates(document, facts, content[:40])


def _drop_lines(document: Document, numbers: set[int]) -> None:
    """Remove lines now held in meta (the title) from the blocks that hold them."""
    kept: list[Block] = []
    for block in document.blocks:
        if not any(x.number in numbers for x in block.lines):
            kept.append(block)
            continue
        pairs = [
            (line, text)
            for line, text in zip(block.lines, block.texts, strict=False)
            if line.number not in numbers
        ]
        if pairs and block.kind != "table":
            block.lines = [p[0] for p in pairs]
            block.texts = [p[1] for p in pairs]
            if block.kind == "heading" and not block.lines:
                continue
            kept.append(block)
    document.blocks[:] = kept


def _cover_dates(document: Document, facts: Facts, content: list[SourceLine]) -> None:
    for index, line in enumerate(content):
        label = _DATES_LABEL.match(line.text)
        if label and not any(role.startswith("inspection") for role, _, _ in facts.dates):
            written = label.group(1).strip() or (
                content[index + 1].text.strip() if index + 1 < len(content) else ""
            )
            found = parse_range(written)
            if found:
                facts.dates.append(("inspection-start", found[0].isoformat(), written))
                facts.dates.append(("inspection-end", found[1].isoformat(), written))
        published = _PUBLISHED.match(line.text)
        if published:
            one = _ONE_DATE.search(published.group(1))
            when = _to_date(one) if one else None
            if when is not None:
                facts.dates.append(("publication", when.isoformat(), published.group(1).strip()))
    _mark_lead_lines(document, content)


def _mark_lead_lines(document: Document, content: list[SourceLine]) -> None:
    """Cover lines (dates, lead inspector) are paragraphs, never headings."""
    for block in document.blocks[:12]:
        if block.kind == "heading" and (
            _DATES_LABEL.match(block.text)
            or _LEAD.match(block.text)
            or _PUBLISHED.match(block.text)
        ):
            block.kind = "para"


def _letter(document: Document, facts: Facts, dear: int) -> None:
    """A letter: letterhead and recipient before 'Dear ...', the title line after it."""
    blocks = document.blocks
    for block in blocks[:dear]:
        block.kind = "para"
        one = _ONE_DATE.fullmatch(block.text.strip())
        if one:
            block.role = "date"
            when = _to_date(one)
            if when is not None:
                facts.dates.append(("letter", when.isoformat(), block.text.strip()))
        else:
            block.role = "address"
    blocks[dear].kind = "para"
    blocks[dear].role = "salutation"
    # The salutation may have swallowed the title line when both lack punctuation.
    salutation = blocks[dear]
    if len(salutation.lines) > 1:
        title_block = Block("heading", salutation.lines[1:], salutation.texts[1:])
        salutation.lines, salutation.texts = salutation.lines[:1], salutation.texts[:1]
        blocks.insert(dear + 1, title_block)
    if dear + 1 < len(blocks):
        title = blocks[dear + 1]
        facts.title = title.text
        facts.title_lines = tuple(x.number for x in title.lines)
        del blocks[dear + 1]
    _merge_address_runs(blocks, dear)
    dear = next(i for i, b in enumerate(blocks) if b.role == "salutation")
    for block in blocks[dear : dear + 6]:
        visit = _VISIT_PROSE.search(block.text)
        if visit:
            found = parse_range(visit.group(0)[3:])
            if found:
                facts.dates.append(("inspection-start", found[0].isoformat(), visit.group(0)[3:]))
                facts.dates.append(("inspection-end", found[1].isoformat(), visit.group(0)[3:]))
            break
    closing = next(
        (
            i
            for i, b in enumerate(blocks)
            if b.text.startswith("Yours sincerely") or b.text.startswith("Yours faithfully")
        ),
        None,
    )
    if closing is not None:
        blocks[closing].kind, blocks[closing].role = "para", "closing"
        signature = blocks[closing + 1 :]
        for block in signature:
            block.kind, block.role = "para", "signature"
        names = [b.text for b in signature]
        if names:
            facts.people.append(("signatory", ", ".join(names)))


def _merge_address_runs(blocks: list[Block], end: int) -> None:
    """Consecutive address lines before the salutation make one address paragraph each run."""
    index = 0
    while index < end and index < len(blocks):
        block = blocks[index]
        if (
            block.role == "address"
            and index + 1 < end
            and blocks[index + 1].role == "address"
            and _same_run(block, blocks[index + 1])
        ):
            block.lines += blocks[index + 1].lines
            block.texts += blocks[index + 1].texts
            del blocks[index + 1]
            end -= 1
            continue
        index += 1


def _same_run(first: Block, second: Block) -> bool:
    return second.first - first.last == 1


def _judgement_table(document: Document, facts: Facts) -> None:
    """The table of judgements near the start: a real table, or flattened label/grade lines."""
    blocks = document.blocks
    for block in blocks[:30]:
        if (
            block.kind == "table"
            and block.rows
            and any(_GRADE_ONLY.match(r[-1]) for r in block.rows if r)
        ):
            rows = block.rows
            head = block.head_rows or (
                1 if rows and rows[0][-1].strip().casefold() == "grade" else 0
            )
            block.head_rows = head
            block.ident = "judgements"
            for row in rows[head:]:
                if len(row) >= 2 and _GRADE_ONLY.match(row[-1]):
                    label = " ".join(row[:-1]).strip()
                    facts.judgements.append(
                        (area_of(label), normal_grade(row[-1]), label, row[-1].strip())
                    )
            return
    start = None
    for index, candidate in enumerate(blocks[:30]):
        if (
            candidate.text.strip().casefold() == "judgement"
            and index + 1 < len(blocks)
            and blocks[index + 1].text.strip().casefold() == "grade"
        ):
            start = index
            break
    if start is None:
        # No header row: the first label/grade pair on page 1 starts the table.
        for index, candidate in enumerate(blocks[:30]):
            block = candidate
            if (
                index + 1 < len(blocks)
                and block.page == 1
                and _GRADE_ONLY.match(blocks[index + 1].text)
                and len(block.text) < 130
                and not block.text.endswith(".")
            ):
                start = index
                break
            if (
                _GRADED_HEADING.match(block.text)
                and len(block.text) < 80
                and block.page == 1
                and index + 1 < len(blocks)
                and _GRADE_ONLY.match(blocks[index + 2].text if index + 2 < len(blocks) else "")
            ):
                start = index
                break
        if start is None:
            return
        table_rows: list[list[str]] = []
        head = 0
        index = start
    else:
        table_rows = [[blocks[start].text.strip(), blocks[start + 1].text.strip()]]
        head = 1
        index = start + 2
    consumed: list[Block] = blocks[start:index]
    rows = table_rows
    while index < len(blocks):
        row_block = blocks[index]
        if len(row_block.text) > 130 or row_block.text.endswith(".") or row_block.kind == "table":
            break
        if index + 1 < len(blocks) and _GRADE_ONLY.match(blocks[index + 1].text):
            grade = blocks[index + 1].text.strip()
            rows.append([_raw(row_block), grade])
            facts.judgements.append(
                (area_of(_raw(row_block)), normal_grade(grade), _raw(row_block), grade)
            )
            consumed += [row_block, blocks[index + 1]]
            index += 2
            continue
        sentence = _GRADED_HEADING.match(row_block.text)
        if sentence and not rows[head:]:
            rows.append([_raw(row_block), ""])
            written = sentence.group(2)
            facts.judgements.append(
                (area_of(_raw(row_block)), normal_grade(written), _raw(row_block), written)
            )
            consumed.append(row_block)
            index += 1
            continue
        break
    if not facts.judgements:
        return
    lines = [x for b in consumed for x in b.lines]
    table = Block("table", lines, [x.text for x in lines], rows=rows, head_rows=head)
    table.ident = "judgements"
    blocks[start:index] = [table]


def _graded_sections(document: Document) -> None:
    blocks = document.blocks
    for index, block in enumerate(blocks):
        if block.kind not in ("heading", "para") or block.n is not None:
            continue
        text = block.text.strip()
        if len(text) > 200 or len(block.lines) > 3 or text.endswith("."):
            continue
        graded = _GRADED_HEADING.match(text)
        school = _SCHOOL_GRADE.match(text)
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if school:
            block.kind, block.grade = "heading", normal_grade(school.group(1))
        elif graded and (block.kind == "heading" or len(graded.group(1)) > 20):
            block.kind, block.grade = "heading", normal_grade(graded.group(2))
            block.role, block.area = "judgement", area_of(graded.group(1))
        elif (
            block.kind == "heading"
            and following is not None
            and following.kind in ("heading", "para")
            and _GRADE_ONLY.match(following.text)
        ):
            block.grade = normal_grade(following.text)
            block.role, block.area = "judgement", area_of(text)
            following.kind = "para"


def _improvements(document: Document) -> None:
    for block in document.blocks:
        if block.kind == "heading" and _IMPROVE.match(block.text):
            block.role = "improvements"
            block.ident = block.ident or slug(block.text)


def _lead_inspector(document: Document, facts: Facts) -> None:
    if any(role == "lead-inspector" for role, _ in facts.people):
        return
    content = [x for x in document.lines if x.text.strip() and x.number not in document.artifacts]
    for index, line in enumerate(content):
        lead = _LEAD.match(line.text)
        if lead:
            facts.people.insert(0, ("lead-inspector", lead.group(1)))
            return
        suffix = _LEAD_SUFFIX.match(line.text)
        if suffix:
            role = content[index + 1].text.strip() if index + 1 < len(content) else ""
            name = (
                f"{suffix.group(1)}, {role}" if "inspector" in role.casefold() else suffix.group(1)
            )
            facts.people.insert(0, ("lead-inspector", name))
            return


def _kind(document: Document, facts: Facts) -> None:
    cover = " ".join(x.text.strip() for x in document.lines[:40])
    title = facts.title or ""
    start = next((d for r, d, _ in facts.dates if r == "inspection-start"), None)
    end = next((d for r, d, _ in facts.dates if r == "inspection-end"), None)
    if re.search(r"visit to", title, re.IGNORECASE) and any(
        b.role == "salutation" for b in document.blocks
    ):
        facts.kind = "ofsted-focused-visit-letter"
    elif re.search(r"^\s*School report\b", cover) or re.search(
        r"\bThis is an? \w+(?: \w+)? school\b", " ".join(b.text for b in document.blocks[:40])
    ):
        facts.kind = "ofsted-school"
    elif re.search(
        r"Review of the effectiveness of the Local Safeguarding|Inspection of services for children in need of help",
        cover,
    ):
        facts.kind = "ofsted-sif"
    elif re.search(
        r"children['\u2019]s (?:social care )?services",
        title + " " + (facts.subtitle or ""),
        re.IGNORECASE,
    ) or any(a == "impact-of-leaders" for a, _, _, _ in facts.judgements):
        facts.kind = "ofsted-ilacs"
        if start and end and (date.fromisoformat(end) - date.fromisoformat(start)).days <= 7:
            facts.kind = "ofsted-ilacs-short"
    else:
        facts.kind = "generic"
    authority = _AUTHORITY.match(title)
    focused = _FOCUSED.match(title)
    if authority:
        facts.subject = authority.group(1)
    elif focused:
        facts.subject = focused.group(1)
    elif title:
        facts.subject = title


#: The parts of a graded section in the older SIF report, each under its judgement.
_SIF_PARTS = re.compile(r"^(?:Summary|Inspection findings\b.*)$")
_SIF_SUB_JUDGEMENT = re.compile(r"^The graded judgement (?:for|about)\b", re.IGNORECASE)
#: The main parts of a (2005-2019) school report; every other heading sits in one of them.
_SCHOOL_PARTS = frozenset(
    [
        "summary of key findings for parents and pupils",
        "full report",
        "inspection judgements",
        "school details",
        "information about this inspection",
    ]
)


def _sub_headings(document: Document, facts: Facts) -> None:
    """Heading levels the Ofsted layouts make certain; others stay top level.

    In a SIF report 'Summary', 'Inspection findings' and the graded sub-judgements
    (adoption, care leavers) sit under the graded judgement before them; in a school
    report with the older main parts ('Full report', 'Inspection judgements' ...) every
    other heading sits under the main part before it.
    """
    end = facts.back_start if facts.back_start is not None else len(document.blocks)
    headings = [b for b in document.blocks[:end] if b.kind == "heading" and b.role != "contents"]
    if facts.kind == "ofsted-sif":
        in_judgement = False
        for block in headings:
            text = block.text.strip()
            if in_judgement and (_SIF_PARTS.match(text) or _SIF_SUB_JUDGEMENT.match(text)):
                block.level = 2
                continue
            block.level = 1
            in_judgement = block.role == "judgement"
    elif facts.kind == "ofsted-school":
        parts = {id(b) for b in headings if " ".join(b.text.casefold().split()) in _SCHOOL_PARTS}
        if not any(" ".join(b.text.casefold().split()) == "full report" for b in headings):
            return
        in_part = False
        for block in headings:
            main = id(block) in parts
            block.level = 2 if in_part and not main else 1
            in_part = in_part or main


def _back_matter(document: Document, facts: Facts) -> None:
    blocks = document.blocks
    start = None
    for index in range(len(blocks) * 6 // 10, len(blocks)):
        if _BACK_START.match(blocks[index].text):
            start = index
            break
    if start is None:
        return
    facts.back_start = start
    _split_back_blocks(blocks, start)
    role = "about"
    for block in blocks[start:]:
        for pattern, candidate in _BACK_ROLES:
            if pattern.search(block.text):
                role = candidate
                break
        block.role = role


def _split_back_blocks(blocks: list[Block], start: int) -> None:
    """Back-matter paragraphs run together in raw text; split where a standard one begins."""
    index = start
    while index < len(blocks):
        block = blocks[index]
        cut = next(
            (
                i
                for i in range(1, len(block.lines))
                if _BACK_PARAGRAPH.match(block.texts[i])
                and not block.texts[i - 1].rstrip().endswith(",")
            ),
            None,
        )
        if cut is not None and block.kind in ("para", "heading"):
            rest = Block("para", block.lines[cut:], block.texts[cut:])
            block.lines, block.texts = block.lines[:cut], block.texts[:cut]
            blocks.insert(index + 1, rest)
        index += 1


_BACK_PARAGRAPH = re.compile(
    r"^\s*(?:If you would like a copy|You may reuse this information|This (?:report|publication) is available|"
    r"Interested in our work|Piccadilly Gate|\u00a9|Any complaints|Parent View|You can use Parent View|"
    r"The Office for Standards in Education)"
)
