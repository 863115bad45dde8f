"""The structure review: rules over a canonical tree that flag what is probably wrong.

Validators judge whether a copy conforms, not whether its structure is the document's.
These rules look for the marks that structure recovery went wrong (a grade line taken for
a heading, a page number left at a paragraph's start, a paragraph split by a page break,
a footnote marker glued to a word ...), each finding with its rule, a plain sentence, the
source lines and page it concerns and a suggested fix, so a person can put it right
(``--fixes``, the service's review page) before a copy goes out.  Every conversion runs
them; ``--strict`` makes a finding fail the conversion.

A rule must stay silent on a document recovered right (measured on the corpus): people
stop reading warnings that cry wolf.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace

from lxml import etree

from converter.grades import grade_line

#: What a fix does to the tree (the service's buttons, the CLI's patch file).
FIX_KINDS = (
    "join-next",  # join the block with the next one (a page split it)
    "heading-to-paragraph",
    "paragraph-to-heading",
    "mark-furniture",  # move the text to the artifacts (a page number, a running head)
    "attach-footnote",  # cut a marker from its word and make the note it refers to
    "set-grade",  # give the section a grade (a grade line under its heading)
    "split-paragraph",
    "lines-to-table",
    "remove-character",
    "describe-image",  # give the image a description, or mark it decorative
)


@dataclass(frozen=True)
class Fix:
    """A suggested fix: what to do, to which element (by id), with what detail."""

    kind: str
    target: str | None
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """One thing the review believes is probably wrong."""

    rule: str
    message: str  # a plain sentence for the person who will fix it
    element: str | None = None  # the id of the element concerned
    src: str | None = None  # its source lines, "33-35"
    page: str | None = None  # its print page
    excerpt: str = ""  # the text concerned, shortened
    fix: Fix | None = None
    #: What ``src`` counts: lines (None: text and PDF), or a Word document's paragraphs,
    #: a web page's blocks.
    unit: str | None = None

    def to_json(self) -> dict[str, object]:
        return {key: value for key, value in asdict(self).items() if value not in (None, "")}

    def line(self) -> str:
        """The finding in one line: where, then what."""
        where = f"{self.unit or 'line'} {self.src.split('-')[0]}" if self.src else "the document"
        if self.page:
            where += f", page {self.page}"
        return f"{where}: {self.message}"


Rule = Callable[[etree._Element], Iterable[Finding]]

_SPACE = re.compile(r"\s+")
#: Words that leave a sentence unfinished when a line ends on them.
_OPEN_END = re.compile(
    r"\b(?:a|an|the|and|or|but|of|to|for|in|on|at|by|with|from|as|that|which|who|is|are|"
    r"was|were|be|been|their|its|this|these|those|than|into|about|between)$",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!?:;)\]\"\u201d\u2019']$")
#: A footnote marker printed on to its word: digits right after a lower-case letter, a
#: question mark or a closing bracket ("area1", "improve?1", "(2018)2").
_GLUED = re.compile(r"(?<=[a-z?)\u201d\u2019])\d{1,2}(?=[\s.,;:)]|$)")
_LEADING_NUMBER = re.compile(r"^(\d{1,3})\s+(?=[a-z])")
_TRAILING_NUMBER = re.compile(r"(?<=[^\d/.:\s])\s+(\d{1,3})$")
#: Words a heading ends on before its own number ("Appendix 2", "Key stage 3").
_NUMBERED_NOUNS = frozenset(
    [
        "appendix",
        "annex",
        "annexe",
        "chapter",
        "part",
        "section",
        "table",
        "figure",
        "report",
        "schedule",
        "phase",
        "stage",
        "year",
        "level",
        "grade",
        "step",
        "recommendation",
        "priority",
        "area",
        "item",
        "page",
        "volume",
        "number",
        "no",
        "issue",
        "round",
        "meeting",
        "week",
        "day",
        "term",
        "unit",
        "module",
        "lesson",
        "session",
        "group",
        "team",
        "ward",
        "district",
        "zone",
        "option",
        "question",
        "case",
        "example",
    ]
)
_FIGURE = re.compile(r"^\s*(?:[-+]?[\d.,/%()]+|n/a)\s*$", re.IGNORECASE)


def reading_text(element: etree._Element) -> str:
    """An element's text as a reader meets it, footnote references left out."""
    parts = [element.text or ""]
    for child in element:
        if child.tag not in ("noteref", "list", "pagebreak"):
            parts.append(reading_text(child))
        parts.append(child.tail or "")
    return _SPACE.sub(" ", "".join(parts)).strip()


def _finding(rule: str, message: str, element: etree._Element, fix: Fix | None = None) -> Finding:
    text = reading_text(element)
    return Finding(
        rule,
        message,
        element.get("id"),
        element.get("src"),
        element.get("page"),
        text if len(text) <= 80 else text[:79] + "\u2026",
        fix,
    )


def _parent(element: etree._Element, name: str) -> str | None:
    """An attribute of an element's parent (None when there is no parent or attribute)."""
    parent = element.getparent()
    return parent.get(name) if parent is not None else None


def _parent_tag(element: etree._Element) -> str | None:
    parent = element.getparent()
    return str(parent.tag) if parent is not None else None


def _body_blocks(root: etree._Element) -> Iterator[etree._Element]:
    """The body's paragraphs, headings and items, in reading order."""
    body = root.find("body")
    if body is not None:
        yield from body.iter("p", "heading", "item")


# -- the rules ----------------------------------------------------------------------------


def heading_like_text(root: etree._Element) -> Iterator[Finding]:
    """A heading that is a grade line ("Grade 4 (inadequate)", "Good") or a fragment of a
    sentence (it starts in lower case, or ends on "the", "and", a comma)."""
    body = root.find("body")
    if body is None:
        return
    for heading in body.iter("heading"):
        text = reading_text(heading)
        if not text:
            continue
        if grade_line(text) is not None:
            yield _finding(
                "heading-grade-line",
                f"the heading '{text}' reads like a grade, not a heading: it is probably "
                "the grade of the section above",
                heading,
                Fix("set-grade", _parent(heading, "id"), {"grade": text}),
            )
        elif text[0].islower() or text.endswith(",") or _OPEN_END.search(text):
            yield _finding(
                "heading-fragment",
                f"the heading '{text}' reads like part of a sentence, not a heading",
                heading,
                Fix("heading-to-paragraph", _parent(heading, "id")),
            )


def number_at_start(root: etree._Element) -> Iterator[Finding]:
    """A paragraph that opens a page with a bare number before lower-case text: the page's
    printed number, left in the paragraph ("5 unclear. The inspection ...")."""
    source = root.find("meta/source")
    pages = int(source.get("pages", "1") or 1) if source is not None else 1
    for p in _body_blocks(root):
        if p.tag != "p":
            continue
        match = _LEADING_NUMBER.match(reading_text(p))
        if not match or int(match.group(1)) > pages + 2:
            continue
        previous = p.getprevious()
        if (
            previous is not None
            and previous.tag == "pagebreak"
            or p.get("n") not in (None, match.group(1))
        ):
            yield _finding(
                "number-at-start",
                f"the paragraph begins with the number {match.group(1)}, which is probably a "
                "printed page number",
                p,
                Fix("mark-furniture", p.get("id"), {"text": match.group(1)}),
            )


def split_by_page(root: etree._Element) -> Iterator[Finding]:
    """A paragraph that ends mid-sentence before a page break, with a paragraph after the
    break that starts in lower case: one paragraph the page split."""
    body = root.find("body")
    if body is None:
        return
    for p in body.iter("p", "item"):
        text = reading_text(p)
        if not text or _TERMINAL.search(text):
            continue
        following = p.getnext()
        crossed = False
        while following is not None and following.tag == "pagebreak":
            crossed = True
            following = following.getnext()
        if crossed and following is not None and following.tag == p.tag:
            after = reading_text(following)
            if after[:1].islower():
                yield _finding(
                    "split-by-page",
                    "this paragraph ends mid-sentence before a page break and the next "
                    "starts in lower case: probably one paragraph split by the page",
                    p,
                    Fix("join-next", p.get("id")),
                )


def glued_marker(root: etree._Element) -> Iterator[Finding]:
    """A footnote marker printed on to its word ("improve?1", "board1")."""
    title = root.find("meta/title")
    candidates = [title] if title is not None else []
    candidates += list(_body_blocks(root))
    for element in candidates:
        if element.tag != "title" and _parent_tag(element) == "cell":
            continue
        text = reading_text(element)
        match = _GLUED.search(text)
        if match:
            word = text[max(0, match.start() - 12) : match.end()].split()[-1]
            yield _finding(
                "glued-marker",
                f"'{word}' looks like a word with a footnote marker printed on to it",
                element,
                Fix("attach-footnote", element.get("id"), {"marker": match.group(0)}),
            )


def number_in_heading(root: etree._Element) -> Iterator[Finding]:
    """A heading or title ending in a bare number: a page number or a footnote label that
    was read into it."""
    source = root.find("meta/source")
    pages = int(source.get("pages", "1") or 1) if source is not None else 1
    candidates = list(root.iterfind("body//heading")) + list(root.iterfind("meta/title"))
    for element in candidates:
        text = reading_text(element)
        match = _TRAILING_NUMBER.search(text)
        label = text[: match.start()].split()[-1].casefold() if match else ""
        # "Appendix 2", "Report 12": a numbered thing, not a number read into the heading.
        if match and 1 <= int(match.group(1)) <= pages and label not in _NUMBERED_NOUNS:
            yield _finding(
                "number-in-heading",
                f"'{text}' ends in the number {match.group(1)}, probably a page number or a "
                "footnote label, not part of it",
                element,
                Fix("mark-furniture", element.get("id"), {"text": match.group(1)}),
            )


def two_contents(root: etree._Element) -> Iterator[Finding]:
    """The source's own contents page read twice, or a contents list beside a marked one."""
    marked = root.findall(".//section[@role='contents']")
    headings = {reading_text(h).casefold() for h in root.iterfind("body//section/heading")}
    unmarked = [
        lst
        for lst in root.iterfind("body//list")
        if _parent(lst, "role") != "contents"
        and len(lst) >= 3
        and all(reading_text(item).casefold() in headings for item in lst.findall("item"))
    ]
    if len(marked) + len(unmarked) > 1:
        second = (marked[1:] + unmarked)[0]
        yield _finding(
            "two-contents",
            "the document holds two contents lists; the source's own should be marked as "
            "its contents once",
            second,
        )


def generic_with_grades(root: etree._Element) -> Iterator[Finding]:
    """A document of no known kind, with no judgements recorded, whose text carries grade
    lines: an inspection report that no recogniser knew."""
    if root.findtext("meta/kind") != "generic" or root.find("meta/judgements") is not None:
        return
    for element in _body_blocks(root):
        text = reading_text(element)
        if grade_line(text) is not None or re.search(r"\bGrade [1-4]\b", text):
            yield _finding(
                "generic-with-grades",
                "the document was not recognised as an inspection report, but this line "
                "reads like a grade: its judgements are not recorded",
                element,
            )
            return


def unrecognised_characters(root: etree._Element) -> Iterator[Finding]:
    """A character no font can be trusted to draw (private use, unassigned, a control, the
    replacement character): a glyph of the source's own fonts, meaning unknown."""
    for element in [*root.iterfind("meta/title"), *_body_blocks(root)]:
        text = reading_text(element)
        # Each distinct character once, and none at all in an ASCII text (most of them).
        odd = [] if text.isascii() else sorted(ch for ch in set(text) if _unrecognised(ch))
        if odd:
            names = ", ".join(f"U+{ord(ch):04X}" for ch in odd)
            yield _finding(
                "unrecognised-character",
                f"the text holds {names}, which no font draws: a symbol the source's fonts "
                "drew, meaning unknown",
                element,
                Fix("remove-character", element.get("id"), {"characters": "".join(odd)}),
            )


def _unrecognised(ch: str) -> bool:
    if ch.isascii():
        return False
    return unicodedata.category(ch) in ("Co", "Cn", "Cc", "Cs") or ch == "\ufffd"


def long_running_head(root: etree._Element) -> Iterator[Finding]:
    """A running head or foot longer than a line of text: body text taken for furniture."""
    for artifact in root.iterfind("artifacts/artifact"):
        if artifact.get("reason") not in ("running-header", "running-footer"):
            continue
        text = (artifact.text or "").strip()
        if len(text.split()) > 25 or len(text) > 160:
            yield _finding(
                "long-running-head",
                "a line set aside as a running head or foot is longer than a line: it may "
                "be text of the page",
                artifact,
            )


def flattened_table(root: etree._Element) -> Iterator[Finding]:
    """Figures one to a line for many lines: a table the source flattened and recovery
    could not rebuild (its rows and columns are lost)."""
    body = root.find("body")
    if body is None:
        return
    run: list[etree._Element] = []
    reported = 0
    for p in [*body.iter("p"), None]:
        figures = p is not None and _figure_lines(p)
        if p is not None and figures and (not run or run[-1].getnext() is p):
            run.append(p)
            continue
        if sum(len(reading_text(x).split()) for x in run) >= 8 and reported < 3:
            reported += 1
            yield _finding(
                "flattened-table",
                f"{len(run)} paragraphs in a row hold only figures: a table the source "
                "flattened into lines, whose rows and columns could not be rebuilt",
                run[0],
                Fix("lines-to-table", run[0].get("id"), {"last": str(run[-1].get("id"))}),
            )
        run = [p] if figures and p is not None else []


def heading_as_paragraph(root: etree._Element) -> Iterator[Finding]:
    """A paragraph whose whole text is an entry of the document's own contents list, where no
    heading says it: a heading that recovery took for a paragraph."""
    entries = {
        _contents_entry(reading_text(item))
        for item in root.iterfind(".//section[@role='contents']//item")
    }
    entries.discard("")
    if not entries:
        return
    headings = {_contents_entry(reading_text(h)): h for h in root.iterfind("body//heading")}
    # The level the contents' other entries have as headings (sections directly in the body
    # are level 1): the level this one probably had.
    levels = [
        _level(heading)
        for text, heading in headings.items()
        if text in entries and _parent(heading, "role") != "contents"
    ]
    level = max(set(levels), key=levels.count) if levels else 1
    for p in root.iterfind("body//p"):
        text = _contents_entry(reading_text(p))
        if (
            text not in entries
            or text in headings
            or p.xpath("ancestor::section[@role='contents']")
        ):
            continue
        container = p.getparent()
        here = _level(p) if container is not None and container.tag == "section" else 0
        yield _finding(
            "heading-as-paragraph",
            f"the paragraph '{reading_text(p)}' is an entry of the document's contents but no "
            "heading: probably a heading read as a paragraph",
            p,
            Fix("paragraph-to-heading", p.get("id"), {"level": str(min(level, here + 1))}),
        )


def _contents_entry(text: str) -> str:
    """A contents entry or heading as compared: no page number or leader dots, case folded."""
    return re.sub(r"[\s.\u2026]*\d*\s*$", "", text).casefold()


def _level(element: etree._Element) -> int:
    """The level of the section an element is in (1: a section directly in the body)."""
    return max(1, sum(1 for a in element.iterancestors() if a.tag == "section"))


def run_in_paragraph(root: etree._Element) -> Iterator[Finding]:
    """A numbered paragraph holding the next one's number after a sentence ("... in May.
    12 The council ..."), when no paragraph has that number: two paragraphs read as one."""
    body = root.find("body")
    if body is None:
        return
    numbers = {p.get("n") for p in root.iter("p") if p.get("n")}
    for p in body.iter("p"):
        number = p.get("n") or ""
        if not number.isdigit() or str(int(number) + 1) in numbers:
            continue
        following = str(int(number) + 1)
        text = reading_text(p)
        match = re.search(rf"(?<=[.!?])\s+({following})\.?\s+(?=[A-Z])", text)
        if match:
            at = " ".join(text[match.start(1) :].split()[:5])
            yield _finding(
                "run-in-paragraph",
                f"paragraph {number} holds the number {following} after a sentence, and no "
                f"paragraph is numbered {following}: probably two paragraphs read as one",
                p,
                Fix("split-paragraph", p.get("id"), {"at": at, "n": following}),
            )


def _figure_lines(p: etree._Element) -> bool:
    words = reading_text(p).split()
    return bool(words) and all(_FIGURE.match(word) for word in words)


def image_without_description(root: etree._Element) -> Iterator[Finding]:
    """An image neither described nor marked decorative.  Its description is never
    invented: the copy says "image without a description" until a person gives one."""
    for number, figure in enumerate(root.iter("figure"), start=1):
        if figure.get("decorative") == "true" or (figure.findtext("description") or "").strip():
            continue
        image = figure.find("image")
        name = image.get("name") if image is not None else None
        caption = figure.find("caption")
        caption_text = reading_text(caption) if caption is not None else ""
        which = f"image {number}"
        if name:
            which += f" ({name})"
        if caption_text:
            which += f", captioned '{caption_text}'"
        where = f" on page {figure.get('page')}" if figure.get("page") else ""
        yield _finding(
            "image-without-description",
            f"{which}{where} has no description and is not marked decorative: the copy "
            "says 'image without a description'; ask the author what it shows",
            figure,
            Fix("describe-image", figure.get("id")),
        )


def pending_changes(root: etree._Element) -> Iterator[Finding]:
    """A source with tracked changes still pending: the tree holds its text with all of
    them accepted, which the author may not have meant to send."""
    source = root.find("meta/source")
    count = int(source.get("tracked-changes", "0") or 0) if source is not None else 0
    if count:
        changes = "change" if count == 1 else "changes"
        yield Finding(
            "pending-changes",
            f"the source had {count} tracked {changes} still pending; this copy shows its "
            "text with all of them accepted: check with the author that they are final",
        )


#: Every rule, in the order findings are listed.
RULES: tuple[Rule, ...] = (
    heading_like_text,
    number_at_start,
    split_by_page,
    glued_marker,
    number_in_heading,
    two_contents,
    generic_with_grades,
    unrecognised_characters,
    long_running_head,
    flattened_table,
    heading_as_paragraph,
    run_in_paragraph,
    image_without_description,
    pending_changes,
)


#: Each rule as a person checking a copy names it (the review page, the audit trail).
TITLES = {
    "heading-grade-line": "A grade read as a heading",
    "heading-fragment": "Part of a sentence read as a heading",
    "number-at-start": "A page number at a paragraph's start",
    "split-by-page": "A paragraph split by a page break",
    "glued-marker": "A footnote marker printed on to a word",
    "number-in-heading": "A number read into a heading",
    "two-contents": "Two contents lists",
    "generic-with-grades": "Grades in a report of no known kind",
    "unrecognised-character": "A character no font draws",
    "long-running-head": "Text set aside as a running head",
    "flattened-table": "A table flattened into lines",
    "heading-as-paragraph": "A heading read as a paragraph",
    "run-in-paragraph": "Two numbered paragraphs read as one",
    "image-without-description": "An image without a description",
    "pending-changes": "Tracked changes still pending",
}


#: What ``src`` numbers in a tree read from each kind of source, where it is not lines.
SOURCE_UNITS = {
    "docx": "paragraph",
    "odt": "paragraph",
    "rtf": "paragraph",
    "doc": "paragraph",
    "html": "block",
}


def review(root: etree._Element, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """Every finding of every rule over a canonical tree."""
    findings = [finding for rule in rules for finding in rule(root)]
    source = root.find("meta/source")
    unit = SOURCE_UNITS.get(source.get("format", "") if source is not None else "")
    if unit is not None:
        findings = [replace(finding, unit=unit) for finding in findings]
    return findings


def summary_line(findings: list[Finding]) -> str:
    """'3 structure warnings: the first; the second; ...' for a terminal's one line."""
    count = len(findings)
    noun = "structure warning" if count == 1 else "structure warnings"
    listed = "; ".join(f.line() for f in findings[:2])
    more = f"; and {count - 2} more" if count > 2 else ""
    return f"{count} {noun}: {listed}{more}"
