"""The structure review as staff meet it: each finding with the source lines beside the
block recovered from them and its suggested fix, and the work a change takes (apply a fix
or take a corrected tree, review the result, draw the page of the copy that shows the
change).  The work runs on the service's workers, under their limits; nothing here imports
the web framework.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from converter import fixes, pipeline, review, tree, writers
from converter.batch.task import Task, TaskResult, convert_task
from converter.errors import ConverterError
from converter.options import Options
from converter.readers import pdf as pdf_reader
from converter.readers import reader_for
from converter.readers import text as text_reader
from converter.readers.decode import decode_text
from converter.service import worker

LINES_NAME = "source-lines.json"
MAX_SOURCE_LINES = 12  # of one finding, shown beside its block
MAX_BLOCK_CHARACTERS = 600
GRADE_LABELS = {value: value.replace("-", " ").capitalize() for value in fixes.GRADE_VALUES}


@dataclass(frozen=True)
class ReviewState:
    """A new version of a review's tree, as a worker made it, or why none was made."""

    tree_sha256: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""  # what changed, in a sentence
    preview: dict[str, Any] | None = None  # the page that shows it: {"page", "pages", "alt"}
    error: str | None = None  # the change was refused: why
    errors: list[str] = field(default_factory=list)  # every problem of a corrected tree


# -- the source's lines -------------------------------------------------------------------


def source_lines(path: Path) -> list[str] | None:
    """The source's lines as its reader numbered them (the findings' ``src``), or None for
    canonical XML, whose line numbers are of a text no longer at hand."""
    data = path.read_bytes()
    reader = reader_for(None, str(path), data).name  # as the conversion chose it
    if reader == "pdf":
        layouts, _ = pdf_reader.extract(data, name=path.name)
        return [line.text for line in pdf_reader.source_lines(layouts).lines]
    if reader == "txt":
        return [line.text for line in text_reader.source_lines(decode_text(data, source=path.name))]
    if reader == "md":
        return decode_text(data, source=path.name).replace("\r\n", "\n").split("\n")
    return None


def convert_job(task: Task) -> TaskResult:
    """The service's conversion: the batch task, and, when it is held for review, the
    source's lines kept beside the tree and each finding described for the review page.
    A PDF's first page is rendered as soon as the PDF is written, before its checks, so a
    preview shows while they run."""
    result = convert_task(task, written=worker.first_page_once_written)
    if result.held and task.hold_for_review:
        held = Path(task.hold_for_review)
        lines = source_lines(Path(task.source))
        pipeline.write_atomically(held.with_name(LINES_NAME), json.dumps(lines).encode())
        root = etree.fromstring(held.read_bytes(), tree.safe_parser())
        result.findings = describe(root, lines)
    return result


# -- what a person sees of each finding ---------------------------------------------------


def describe(root: etree._Element, lines: list[str] | None) -> list[dict[str, Any]]:
    """The review of a tree, each finding with what a person needs to act on it."""
    described = []
    for number, finding in enumerate(review.review(root), start=1):
        element = _concerned(root, finding)
        record: dict[str, Any] = {
            **finding.to_json(),
            "number": number,
            "line": finding.line(),
            "source": _lines(lines, finding.src),
            "blocks": _blocks(root, element, finding),
            "fix": _fix(root, finding),
        }
        record.pop("excerpt", None)
        described.append(record)
    return described


def _concerned(root: etree._Element, finding: review.Finding) -> etree._Element | None:
    """The element a finding is about: by its id; else the page furniture at its lines
    (furniture has no id), else the title when the finding quotes it; None when it is about
    the document as a whole (its tracked changes, say)."""
    if finding.element is not None:
        return _element(root, finding.element)
    if finding.src:
        for artifact in root.iterfind("artifacts/artifact"):
            if artifact.get("src") == finding.src:
                return artifact
        return None
    title = root.find("meta/title")
    excerpt = finding.excerpt.rstrip("\u2026")
    if title is not None and excerpt and review.reading_text(title).startswith(excerpt):
        return title
    return None


def _element(root: etree._Element, ident: str | None) -> etree._Element | None:
    if ident is None:
        return root.find("meta/title")
    found = root.xpath("//*[@id = $id]", id=ident)
    return found[0] if isinstance(found, list) and found else None  # type: ignore[return-value]


def _lines(lines: list[str] | None, src: str | None) -> list[list[Any]]:
    """[[number, text], ...] of a source line range (capped), or [] when not at hand."""
    if lines is None or not src:
        return []
    first, last = (int(part) for part in src.split("-"))
    last = min(last, first + MAX_SOURCE_LINES - 1, len(lines))
    return [[number, lines[number - 1]] for number in range(first, last + 1)]


def what(element: etree._Element) -> str:
    """What a block is, in words: 'Heading, level 2', 'Paragraph 12', 'Page furniture'."""
    tag = str(element.tag)
    if tag == "heading":
        depth = sum(1 for a in element.iterancestors() if a.tag == "section")
        return f"Heading, level {depth}"
    if tag == "p":
        return f"Paragraph {element.get('n')}" if element.get("n") else "Paragraph"
    if tag == "artifact":
        return f"Page furniture ({str(element.get('reason', '')).replace('-', ' ')})"
    names = {
        "figure": "Image",
        "title": "Title",
        "item": "List item",
        "note": "Footnote",
        "section": "Section",
        "list": "List",
        "table": "Table",
    }
    return names.get(tag, tag)


def _text(element: etree._Element) -> str:
    if element.tag == "figure":
        return _figure_text(element)
    if element.tag in ("section", "list", "table"):
        heading = element.find("heading")
        text = review.reading_text(heading) if heading is not None else ""
        text = text or " ".join(" ".join(str(t).split()) for t in element.itertext() if t.strip())
    else:
        text = review.reading_text(element)
    if len(text) > MAX_BLOCK_CHARACTERS:
        text = text[: MAX_BLOCK_CHARACTERS - 1] + "\u2026"
    return text


def _figure_text(figure: etree._Element) -> str:
    """An image as a person checking it needs it: what the source called it, its caption,
    and its description or that it has none."""
    image = figure.find("image")
    name = image.get("name") if image is not None else None
    caption = figure.find("caption")
    caption_text = review.reading_text(caption) if caption is not None else ""
    description = " ".join((figure.findtext("description") or "").split())
    parts = [f"\u201c{name}\u201d" if name else "An image"]
    if image is None or image.get("ref") is None:
        parts.append("(not kept in the copy: the source only linked to it)")
    if caption_text:
        parts.append(f"captioned \u201c{caption_text}\u201d")
    if figure.get("decorative") == "true":
        parts.append("marked decorative")
    elif description:
        parts.append(f"described as \u201c{description}\u201d")
    else:
        parts.append("with no description")
    return " ".join(parts)


def _blocks(
    root: etree._Element, element: etree._Element | None, finding: review.Finding
) -> list[dict[str, str]]:
    """The recovered blocks a finding concerns: its own, and those its fix would touch."""
    if element is None:
        return []
    blocks = [element]
    fix = finding.fix
    if fix is not None and fix.kind == "join-next":
        following = element.getnext()
        while following is not None and following.tag == "pagebreak":
            following = following.getnext()
        if following is not None:
            blocks.append(following)
    if fix is not None and fix.kind == "lines-to-table":
        last = _element(root, fix.detail.get("last"))
        blocks = [element]
        for sibling in element.itersiblings():
            if sibling.tag != "pagebreak":
                blocks.append(sibling)
            if sibling is last:
                break
    return [
        {"what": what(block), "text": _text(block), "id": str(block.get("id") or "")}
        for block in blocks
    ]


def _fix(root: etree._Element, finding: review.Finding) -> dict[str, Any] | None:
    """The suggested fix as the review page offers it: its button, and the values a person
    may set first (a heading's level, a grade, a table's columns, where to split)."""
    fix = finding.fix
    if fix is None:
        return None
    target = _element(root, fix.target)
    detail = dict(fix.detail)
    inputs: list[dict[str, Any]] = []
    if fix.kind == "paragraph-to-heading" and target is not None:
        depth = sum(1 for a in target.iterancestors() if a.tag == "section")
        levels = [str(n) for n in range(1, min(depth + 1, fixes.MAX_LEVEL) + 1)]
        inputs.append(_choice("level", "Heading level", levels, detail.get("level", "1")))
    elif fix.kind == "set-grade":
        value, _ = _grade_of(detail.get("grade", ""))
        detail["grade"] = value
        choices = [[v, GRADE_LABELS[v]] for v in fixes.GRADE_VALUES]
        inputs.append(
            {
                "name": "grade",
                "label": "Grade",
                "type": "select",
                "choices": choices,
                "value": value,
            }
        )
    elif fix.kind == "lines-to-table":
        count = len([b for b in _blocks(root, target, finding) if b])
        detail.setdefault("columns", str(fixes.guess_columns(count)))
        inputs.append(
            {
                "name": "columns",
                "label": "Columns",
                "type": "number",
                "min": 1,
                "max": min(fixes.MAX_COLUMNS, count),
                "value": detail["columns"],
            }
        )
        headers = [["none", "No header row"], ["first-row", "The first row is the header"]]
        inputs.append(_choice("header", "Header", headers, detail.get("header", "none")))
    elif fix.kind == "describe-image":
        inputs.append(
            {
                "name": "description",
                "label": "What the image shows",
                "type": "textarea",
                "value": detail.get("description", ""),
                "hint": "Its description, read out in place of the image: a sentence or "
                "two. Leave it empty for a decorative image.",
            }
        )
        kinds = [
            ["false", "It shows something (described above)"],
            ["true", "It is decorative: it adds nothing to the text"],
        ]
        inputs.append(_choice("decorative", "The image", kinds, detail.get("decorative", "false")))
    elif fix.kind == "split-paragraph":
        inputs.append(
            {
                "name": "at",
                "label": "Split before the words",
                "type": "text",
                "value": detail.get("at", ""),
            }
        )
    return {
        "kind": fix.kind,
        "label": _label(fix),
        "target": fix.target,
        "src": target.get("src") if target is not None else None,
        "detail": detail,
        "inputs": inputs,
    }


def _choice(name: str, label: str, choices: list[Any], value: str) -> dict[str, Any]:
    pairs = [c if isinstance(c, list) else [c, c] for c in choices]
    return {"name": name, "label": label, "type": "select", "choices": pairs, "value": value}


def _grade_of(written: str) -> tuple[str, str]:
    try:
        return fixes.grade_of({"grade": written})
    except fixes.FixError:
        return "not-graded", written


def _label(fix: review.Fix) -> str:
    """The button's words, saying exactly what it will do."""
    detail = fix.detail
    if fix.kind == "mark-furniture" and detail.get("text"):
        return f"Mark \u201c{detail['text']}\u201d as page furniture"
    if fix.kind == "attach-footnote":
        return f"Attach marker {detail.get('marker', '')} as a footnote"
    if fix.kind == "remove-character":
        names = ", ".join(f"U+{ord(c):04X}" for c in detail.get("characters", ""))
        return f"Remove {names}"
    return fixes.LABELS[fix.kind]


# -- changes ------------------------------------------------------------------------------


def apply_fix(
    tree_path: str,
    fix_record: dict[str, Any],
    target_path: str,
    lines_path: str,
    options: Options,
    preview_path: str,
) -> ReviewState:
    """Apply one fix to the tree at ``tree_path``; write the result (a new version) to
    ``target_path``, review it and draw the page that shows the change."""
    try:
        fix = fixes.Fix.from_json(fix_record)
        root = etree.fromstring(Path(tree_path).read_bytes(), tree.safe_parser())
        applied = fixes.apply(root, fix)
    except ConverterError as error:
        return ReviewState(error=error.message)
    return _new_version(
        root, applied.summary, applied.focus, target_path, lines_path, options, preview_path
    )


def replace_tree(
    upload_path: str,
    source_sha256: str,
    target_path: str,
    lines_path: str,
    options: Options,
    preview_path: str,
) -> ReviewState:
    """Take a corrected tree (edit the structure): every schema error listed if it is not
    valid canonical XML, refused if it is of another source."""
    data = Path(upload_path).read_bytes()
    errors, root = fixes.tree_errors(data)
    if errors or root is None:
        return ReviewState(error="the file is not valid canonical XML", errors=errors)
    try:
        fixes.corrected_tree(data, name="the file", source_sha256=source_sha256)
    except fixes.FixError as error:
        return ReviewState(error=str(error))
    return _new_version(
        root,
        "Replaced the structure with a corrected canonical XML file.",
        None,
        target_path,
        lines_path,
        options,
        preview_path,
    )


def _new_version(
    root: etree._Element,
    summary: str,
    focus: str | None,
    target_path: str,
    lines_path: str,
    options: Options,
    preview_path: str,
) -> ReviewState:
    payload = tree.serialize(root)
    pipeline.write_atomically(Path(target_path), payload)
    lines = _load_lines(lines_path)
    preview = draw_preview(root, focus, options, Path(preview_path))
    return ReviewState(
        tree_sha256=hashlib.sha256(payload).hexdigest(),
        findings=describe(root, lines),
        summary=summary,
        preview=preview,
    )


def _load_lines(path: str) -> list[str] | None:
    try:
        lines = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return lines if isinstance(lines, list) else None


# -- the preview --------------------------------------------------------------------------


def draw_preview(
    root: etree._Element, focus: str | None, options: Options, image: Path
) -> dict[str, Any] | None:
    """The page of the large-print copy where the changed block now stands, as an image;
    None when no copy could be drawn (the change stands all the same)."""
    import pypdfium2

    element = _element(root, focus)
    if element is not None and element.tag == "section" and element.find("heading") is not None:
        element = element.find("heading")
    text = _search_text(element) if element is not None else ""
    # A short heading is found by what follows it too (its contents entry says it alone).
    following = _following(root, element) if element is not None else None
    search = [f"{text} {_text(following)}", text] if following is not None else [text]
    try:
        pdf = writers.get("pdf").write(root, options.replace(summary=False))
    except Exception:  # a preview is a help, never a reason to refuse a change
        return None
    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = len(document)
        index = next((i for i in (_page_showing(document, t) for t in search) if i is not None), 0)
        partial = image.with_suffix(".part.png")
        document[index].render(scale=0.75).to_pil().save(partial)
        partial.replace(image)
    finally:
        document.close()
    if element is not None and element.tag == "figure":
        where = f"where the image now stands: {_short(_figure_text(element))}"
    elif element is not None and text:
        where = f"where the {what(element).lower()} now reads: \u201c{_short(text)}\u201d"
    else:
        where = "its first page"
    return {
        "page": index + 1,
        "pages": pages,
        "alt": f"Page {index + 1} of {pages} of the large-print copy as it now stands, {where}.",
    }


def _search_text(element: etree._Element) -> str:
    """The words the copy prints for an element, to find its page: an image by its caption
    (else its description); anything else by its text."""
    if element.tag == "figure":
        caption = element.find("caption")
        if caption is not None and review.reading_text(caption):
            return review.reading_text(caption)
        return " ".join((element.findtext("description") or "").split())
    return _text(element)


def _following(root: etree._Element, element: etree._Element) -> etree._Element | None:
    """The block a reader meets after an element (its heading's section's first block)."""
    if element.tag in ("title", "section", "table", "list"):
        return None
    blocks = list(root.iter("heading", "p", "item", "note", "table"))
    for index, block in enumerate(blocks[:-1]):
        if block is element:
            return blocks[index + 1]
    return None


def _page_showing(document: Any, text: str) -> int | None:
    """The index of the first page whose text holds the start of ``text`` (None: none)."""
    words = _words(text)[:8]
    if not words:
        return None
    wanted = " ".join(words)
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        try:
            if wanted in " ".join(_words(textpage.get_text_range())):
                return index
        finally:
            textpage.close()
            page.close()
    return None


def _words(text: str) -> list[str]:
    return text.replace("\u00ad", "").casefold().split()


def _short(text: str) -> str:
    return text if len(text) <= 120 else text[:119] + "\u2026"
