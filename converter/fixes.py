"""Structure fixes: edits to a canonical tree that put right what the structure review found.

A fix names what to do (one of :data:`KINDS`, the review's ``FIX_KINDS``), the element it
applies to by its stable id (None: the title, in meta) and the source lines that element
covered when the fix was chosen.  Applying one edits the tree, never the source, and leaves
a tree that validates against the schema, or changes nothing and raises one
:class:`FixError` saying why.  The service's review page, its JSON API and the command line's
patch file (``convert report.pdf --fixes report.fixes.json``) all apply fixes through here.

A patch file names the source it was made for by its SHA-256: applied to other bytes (the
source changed since the review), it is refused, never half applied.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from converter import tree
from converter.errors import InputError
from converter.grades import grade_line, grade_value

#: What a fix does (the same names as converter.review.FIX_KINDS; a test holds them equal).
KINDS = (
    "join-next",
    "heading-to-paragraph",
    "paragraph-to-heading",
    "mark-furniture",
    "attach-footnote",
    "set-grade",
    "split-paragraph",
    "lines-to-table",
    "remove-character",
    "describe-image",
)
#: What each fix is called on a button and in the audit trail.
LABELS = {
    "join-next": "Join with the next paragraph",
    "heading-to-paragraph": "Make this heading a paragraph",
    "paragraph-to-heading": "Make this paragraph a heading",
    "mark-furniture": "Mark as page furniture",
    "attach-footnote": "Attach as a footnote",
    "set-grade": "Set the section's grade",
    "split-paragraph": "Split the paragraph",
    "lines-to-table": "Make these lines a table",
    "remove-character": "Remove the character",
    "describe-image": "Describe the image",
}
GRADE_VALUES = (
    "outstanding",
    "good",
    "requires-improvement",
    "inadequate",
    "adequate",
    "not-graded",
)
PATCH_VERSION = 1
MAX_LEVEL = 6
MAX_COLUMNS = 20
#: A description is alt text, read out in full: a few sentences, never a page.
MAX_DESCRIPTION_CHARACTERS = 1000
#: The artifact reasons a person may give text marked as page furniture.
FURNITURE_REASONS = ("page-number", "running-header", "running-footer")

_SPACE = re.compile(r"\s+")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class FixError(InputError):
    """A fix that cannot be applied to this tree (or a patch file that cannot be used)."""


@dataclass(frozen=True)
class Fix:
    """One fix to apply: what, to which element, with what detail, chosen where."""

    kind: str
    target: str | None  # the element's id; None for the document's title
    detail: dict[str, str] = field(default_factory=dict)
    src: str | None = None  # the target's source lines when the fix was chosen
    rule: str | None = None  # the review rule whose finding suggested it, if any

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FixError(f"unknown fix {self.kind!r}; the fixes are {', '.join(KINDS)}")
        if self.target is not None and not isinstance(self.target, str):
            raise FixError(f"{self.kind}: the target must be an element's id")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in self.detail.items()):
            raise FixError(f"{self.kind}: every detail of a fix is a string")

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"kind": self.kind, "target": self.target}
        if self.detail:
            record["detail"] = dict(self.detail)
        if self.src:
            record["src"] = self.src
        if self.rule:
            record["rule"] = self.rule
        return record

    @classmethod
    def from_json(cls, record: object) -> Fix:
        if not isinstance(record, dict):
            raise FixError("each fix is an object with a kind and a target")
        unknown = set(record) - {"kind", "target", "detail", "src", "rule", "by", "at"}
        if unknown:
            raise FixError(f"a fix has unknown fields: {', '.join(sorted(unknown))}")
        detail = record.get("detail") or {}
        if not isinstance(detail, dict):
            raise FixError("a fix's detail is an object of strings")
        kind = record.get("kind")
        if not isinstance(kind, str):
            raise FixError("a fix has no kind")
        for name in ("src", "rule"):
            if record.get(name) is not None and not isinstance(record[name], str):
                raise FixError(f"a fix's {name} is a string")
        return cls(
            kind,
            record.get("target"),
            {str(k): v if isinstance(v, str) else str(v) for k, v in detail.items()},
            record.get("src"),
            record.get("rule"),
        )

    def describe(self) -> str:
        """What the fix does, in a sentence for the audit trail."""
        where = self.target or "the title"
        detail = self.detail
        if self.kind == "join-next":
            return f"joined {where} with the next paragraph"
        if self.kind == "heading-to-paragraph":
            return f"made the heading of {where} a paragraph"
        if self.kind == "paragraph-to-heading":
            return f"made {where} a heading at level {detail.get('level', '1')}"
        if self.kind == "mark-furniture":
            text = detail.get("text")
            return (
                f"marked {text!r} in {where} as page furniture"
                if text
                else (f"marked {where} as page furniture")
            )
        if self.kind == "attach-footnote":
            return f"attached footnote {detail.get('marker', '')} in {where} to its note"
        if self.kind == "set-grade":
            return f"set the grade of {where} to {detail.get('grade', '')}"
        if self.kind == "split-paragraph":
            return f"split {where} before {detail.get('at', '')!r}"
        if self.kind == "lines-to-table":
            return (
                f"made the lines {where} to {detail.get('last', '')} a table of "
                f"{detail.get('columns', '?')} columns"
            )
        if self.kind == "describe-image":
            if detail.get("decorative") == "true":
                return f"marked the image {where} as decorative"
            return f"described the image {where} as {detail.get('description', '')!r}"
        names = ", ".join(f"U+{ord(c):04X}" for c in detail.get("characters", ""))
        return f"removed {names} from {where}"


@dataclass(frozen=True)
class Applied:
    """What a fix did: a sentence, and the element to look at afterwards."""

    summary: str
    focus: str | None  # the id of the element that shows the change (None: the title)


@dataclass(frozen=True)
class Patch:
    """A patch file: the fixes made to one source's tree, in order."""

    source_name: str
    source_sha256: str
    fixes: tuple[Fix, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "converter-fixes": PATCH_VERSION,
            "source": {"name": self.source_name, "sha256": self.source_sha256},
            "fixes": [fix.to_json() for fix in self.fixes],
        }

    def dumps(self) -> bytes:
        return (json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, data: object, *, name: str = "the patch") -> Patch:
        if not isinstance(data, dict) or data.get("converter-fixes") != PATCH_VERSION:
            raise FixError(
                f'is not a patch file of fixes (it has no "converter-fixes": {PATCH_VERSION})',
                source=name,
            )
        source = data.get("source")
        if not isinstance(source, dict) or not _SHA256.fullmatch(str(source.get("sha256", ""))):
            raise FixError(
                'names no source: "source" must give the name and sha256 of the file the '
                "fixes were made for",
                source=name,
            )
        fixes = data.get("fixes")
        if not isinstance(fixes, list):
            raise FixError('has no list of "fixes"', source=name)
        try:
            parsed = tuple(Fix.from_json(fix) for fix in fixes)
        except FixError as error:
            raise FixError(error.message, source=name) from None
        return cls(str(source.get("name", "")), str(source["sha256"]), parsed)

    @classmethod
    def load(cls, path: Path) -> Patch:
        try:
            text = path.read_bytes().decode("utf-8")
            data = json.loads(text)
        except FileNotFoundError:
            raise FixError("no such patch file", source=str(path)) from None
        except OSError as error:
            raise FixError(f"cannot be read ({error.strerror})", source=str(path)) from None
        except (UnicodeDecodeError, ValueError) as error:
            raise FixError(f"is not a JSON patch file ({error})", source=str(path)) from None
        return cls.from_json(data, name=str(path))


# -- applying -----------------------------------------------------------------------------


def apply(root: etree._Element, fix: Fix) -> Applied:
    """Apply one fix to a tree, in place; the tree is left valid, or unchanged and FixError
    raised."""
    work = copy.deepcopy(root)
    applied = _APPLY[fix.kind](work, fix)
    errors = tree.schema_errors(work)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise FixError(f"{fix.describe()}: the tree would not be valid: {errors[0]}{more}")
    _take_content(root, work)
    return applied


def _take_content(root: etree._Element, work: etree._Element) -> None:
    """Put a worked copy's content into the caller's element, which keeps its identity."""
    root[:] = list(work)
    root.attrib.clear()
    root.attrib.update(work.attrib)
    root.text = work.text


def apply_patch(root: etree._Element, patch: Patch, *, source: str | None = None) -> list[Applied]:
    """Apply every fix of a patch in order, in place; refuse the patch (changing nothing)
    when the tree is not of the source it was made for."""
    found = root.find("meta/source")
    sha256 = found.get("sha256") if found is not None else None
    if sha256 != patch.source_sha256:
        name = patch.source_name or "its source"
        raise FixError(
            f"the fixes were made for another version of {name} (SHA-256 "
            f"{patch.source_sha256[:12]}…, this source's is {(sha256 or '?')[:12]}…): the "
            "source has changed since it was reviewed; review it again",
            source=source,
        )
    work = copy.deepcopy(root)
    done: list[Applied] = []
    for number, fix in enumerate(patch.fixes, start=1):
        try:
            done.append(apply(work, fix))
        except FixError as error:
            raise FixError(
                f"fix {number} of {len(patch.fixes)}: {error.message}", source=source
            ) from None
    _take_content(root, work)
    return done


def corrected_tree(data: bytes, *, name: str, source_sha256: str) -> etree._Element:
    """A corrected canonical tree of a source (from 'edit the structure'): parsed hardened,
    valid, and of the very bytes given (its meta/source SHA-256), or one FixError."""
    errors, root = tree_errors(data)
    if errors or root is None:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise FixError(f"is not valid canonical XML: {errors[0]}{more}", source=name)
    found = root.find("meta/source")
    sha256 = found.get("sha256") if found is not None else None
    if sha256 != source_sha256:
        raise FixError(
            "is the structure of another version of the source (its meta/source sha256 "
            "differs): the source has changed since it was corrected",
            source=name,
        )
    return root


def tree_errors(data: bytes) -> tuple[list[str], etree._Element | None]:
    """Every reason a file is not valid canonical XML (an empty list when it is), and its
    tree.  Entities and DTDs are refused outright, as the canonical reader does."""
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data:
        return ["XML with a DOCTYPE or entity declarations is not accepted"], None
    try:
        root = etree.fromstring(data, tree.safe_parser())
    except etree.XMLSyntaxError as error:
        return [f"{error.lineno}: malformed XML: {error.msg}"], None
    if root.tag != "report":
        return [f"{root.sourceline}: the root element is <{root.tag}>, not <report>"], None
    validator = tree.schema()
    if validator.validate(root):
        return [], root
    # Each error with its place in the tree and, for a short text, the value refused.
    errors: list[str] = []
    for entry in validator.error_log:
        where = (entry.path or "").replace("/report/", "", 1)
        found = root.xpath(entry.path) if entry.path else []
        element = found[0] if isinstance(found, list) and found else None
        value = ""
        if isinstance(element, etree._Element) and len(element) == 0 and element.text:
            text = " ".join(element.text.split())
            value = f", \u201c{text}\u201d" if 0 < len(text) <= 40 else ""
        line = f"{entry.line} ({where}{value})" if where else str(entry.line)
        message = f"{line}: {entry.message.strip()}"
        if message not in errors:
            errors.append(message)
    return errors, root


# -- finding things -----------------------------------------------------------------------


def _target(root: etree._Element, fix: Fix, *, title: bool = False) -> etree._Element:
    """The element a fix names, still covering the source lines it did when chosen."""
    if fix.target is None:
        found = root.find("meta/title")
        if not title or found is None:
            raise FixError(f"{LABELS[fix.kind].lower()}: name the element to fix by its id")
        return found
    element = _by_id(root, fix.target)
    if fix.src and element.get("src") and element.get("src") != fix.src:
        raise FixError(
            f"{fix.target} now covers source lines {element.get('src')}, not {fix.src} as "
            "when the fix was chosen: the structure has changed"
        )
    return element


def _by_id(root: etree._Element, ident: str) -> etree._Element:
    matches = root.xpath("//*[@id = $id]", id=ident)
    if not isinstance(matches, list) or len(matches) != 1:
        raise FixError(
            f"there is no element {ident!r} in the tree: the structure has changed since "
            "this fix was chosen"
        )
    element = matches[0]
    assert isinstance(element, etree._Element)
    return element


def _need(element: etree._Element, tags: Sequence[str], fix: Fix) -> None:
    if element.tag not in tags:
        names = " or ".join(_NAMES.get(t, t) for t in tags)
        raise FixError(
            f"{LABELS[fix.kind].lower()}: {fix.target or 'the title'} is "
            f"{_NAMES.get(str(element.tag), str(element.tag))}, not {names}"
        )


_NAMES = {
    "p": "a paragraph",
    "heading": "a heading",
    "section": "a section",
    "item": "a list item",
    "note": "a note",
    "title": "the title",
    "artifact": "page furniture",
    "table": "a table",
    "list": "a list",
    "figure": "an image",
}


def reading_text(element: etree._Element) -> str:
    """An element's text as a reader meets it (footnote references and nested lists left
    out), whitespace collapsed."""
    parts = [element.text or ""]
    for child in element:
        if child.tag not in ("noteref", "list", "pagebreak"):
            parts.append(reading_text(child))
        parts.append(child.tail or "")
    return _SPACE.sub(" ", "".join(parts)).strip()


def _short(text: str, words: int = 8) -> str:
    split = text.split()
    return " ".join(split[:words]) + ("\u2026" if len(split) > words else "")


def _quoted(element: etree._Element) -> str:
    """An element as a message names it: the start of its text, in quotation marks."""
    return f"\u201c{_short(reading_text(element))}\u201d"


def _ids(root: etree._Element) -> set[str]:
    return {str(value) for value in root.xpath("//@id")}  # type: ignore[union-attr]


def _unique(root: etree._Element, base: str) -> str:
    taken = _ids(root)
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def slug(text: str) -> str:
    """A readable id from text: 'What needs to improve' -> 'what-needs-to-improve'."""
    words = re.findall(r"[a-z0-9]+", text.casefold())
    value = "-".join(words)[:60].strip("-") or "section"
    return value if value[0].isalpha() else f"section-{value}"


def _first_line(src: str | None) -> str | None:
    return f"{src.split('-')[0]}-{src.split('-')[0]}" if src else None


def _last_line(src: str | None) -> str | None:
    return f"{src.split('-')[1]}-{src.split('-')[1]}" if src else None


def _joined_src(first: str | None, last: str | None) -> str | None:
    if not first or not last:
        return first or last
    start = min(int(first.split("-")[0]), int(last.split("-")[0]))
    end = max(int(first.split("-")[1]), int(last.split("-")[1]))
    return f"{start}-{end}"


def _text_nodes(element: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """(element, "text" or "tail") for every text node of an element's own inline content, in
    document order: not inside footnote references, nested lists or cells' own tables."""
    yield element, "text"
    for child in element:
        if child.tag not in ("noteref", "list", "pagebreak"):
            yield from _text_nodes(child)
        yield child, "tail"


def _get(node: tuple[etree._Element, str]) -> str:
    element, which = node
    return (element.text if which == "text" else element.tail) or ""


def _set(node: tuple[etree._Element, str], value: str) -> None:
    element, which = node
    if which == "text":
        element.text = value or None
    else:
        element.tail = value or None


def _move_content(source: etree._Element, target: etree._Element) -> None:
    """Append all of ``source``'s mixed content to ``target``."""
    tree.append_text(target, source.text)
    for child in list(source):
        target.append(child)  # its tail travels with it


def _drop(element: etree._Element, *names: str) -> None:
    """Remove attributes that have no place on what the element has become."""
    for name in names:
        if name in element.attrib:
            del element.attrib[name]


def _depth(section: etree._Element) -> int:
    """How deep a section is: 1 for a section directly in the body (or back)."""
    return sum(1 for a in section.iterancestors() if a.tag == "section") + 1


# -- the fixes ----------------------------------------------------------------------------


def _join_next(root: etree._Element, fix: Fix) -> Applied:
    element = _target(root, fix)
    _need(element, ("p", "item", "note"), fix)
    if element.tag == "item" and element.find("list") is not None:
        raise FixError(f"{fix.target} holds a list of its own: join it by editing the structure")
    breaks: list[etree._Element] = []
    following = element.getnext()
    while following is not None and following.tag == "pagebreak":
        breaks.append(following)
        following = following.getnext()
    if following is None or following.tag != element.tag:
        raise FixError(
            f"{fix.target} has no {_NAMES[str(element.tag)].split(' ', 1)[1]} after it to join"
        )
    # One space where the lines met (a page break between them stays, inline, at the join).
    last = list(_text_nodes(element))[-1]
    _set(last, _get(last).rstrip() + " ")
    for pagebreak in breaks:
        pagebreak.tail = None
        element.append(pagebreak)
    following.text = (following.text or "").lstrip()
    _move_content(following, element)
    joined = _joined_src(element.get("src"), following.get("src"))
    if joined:
        element.set("src", joined)
    parent = following.getparent()
    assert parent is not None
    parent.remove(following)
    return Applied(f"Joined the paragraph {_quoted(element)} with the one after it.", fix.target)


def _heading_section(root: etree._Element, fix: Fix) -> tuple[etree._Element, etree._Element]:
    """The section a heading fix names (by the section's id or its heading's) and its heading."""
    element = _target(root, fix)
    _need(element, ("section", "heading"), fix)
    if element.tag == "heading":
        section = element.getparent()
        assert section is not None
        return section, element
    heading = element.find("heading")
    if heading is None:
        raise FixError(f"the section {fix.target} has no heading")
    return element, heading


def _dissolve(section: etree._Element, heading: etree._Element) -> etree._Element:
    """Replace a section by its heading, made a paragraph, and the blocks it held."""
    parent = section.getparent()
    assert parent is not None
    if parent.tag == "back":
        raise FixError(
            f"{section.get('id')} is a section of the back matter, which holds only "
            "sections: edit the structure instead"
        )
    paragraph = _as_paragraph(heading)
    position = parent.index(section)
    blocks = [child for child in section if child is not heading]
    parent.remove(section)
    for offset, block in enumerate([paragraph, *blocks]):
        parent.insert(position + offset, block)
    return paragraph


def _as_paragraph(heading: etree._Element) -> etree._Element:
    """A new paragraph holding a heading's content, with its id and source lines."""
    paragraph = etree.Element("p")
    for name in ("id", "src", "page"):
        if heading.get(name):
            paragraph.set(name, str(heading.get(name)))
    paragraph.text = heading.text
    for child in list(heading):
        paragraph.append(child)
    return paragraph


def _heading_to_paragraph(root: etree._Element, fix: Fix) -> Applied:
    section, heading = _heading_section(root, fix)
    paragraph = _dissolve(section, heading)
    return Applied(
        f"Made the heading {_quoted(paragraph)} a paragraph; what its section held "
        "now belongs to the section around it.",
        paragraph.get("id"),
    )


def _paragraph_to_heading(root: etree._Element, fix: Fix) -> Applied:
    paragraph = _target(root, fix)
    _need(paragraph, ("p",), fix)
    container = paragraph.getparent()
    assert container is not None
    if container.tag not in ("body", "section"):
        raise FixError(f"{fix.target} is inside {_NAMES.get(str(container.tag), container.tag)}")
    depth = _depth(container) if container.tag == "section" else 0
    try:
        level = int(fix.detail.get("level") or depth + 1)
    except ValueError:
        raise FixError("the heading level is a number from 1 to 6") from None
    if not 1 <= level <= min(depth + 1, MAX_LEVEL):
        raise FixError(
            f"{fix.target} can become a heading at level 1 to {min(depth + 1, MAX_LEVEL)} "
            f"here, not {level}: a heading opens a section one level below the one it is in, "
            "at most"
        )
    # What follows the paragraph up to the next heading of its level or above belongs to the
    # new section: the rest of its own section (up to a subsection as high as the new one),
    # then the rest of every enclosing section deeper than the new one.
    moved: list[etree._Element] = []
    for block in paragraph.itersiblings():
        if block.tag == "section" and depth + 1 <= level:
            break
        moved.append(block)
    anchor = paragraph
    node = container
    while node.tag == "section" and _depth(node) >= level:
        if _depth(node) > level:
            moved.extend(node.itersiblings())
        anchor = node
        parent = node.getparent()
        assert parent is not None
        node = parent
    text = reading_text(paragraph)
    section = etree.Element("section", id=_unique(root, slug(text)))
    for name in ("src", "page"):
        if paragraph.get(name):
            section.set(name, str(paragraph.get(name)))
    node.insert(node.index(anchor) + 1, section)
    paragraph.tag = "heading"
    _drop(paragraph, "n", "role", "cites")
    section.append(paragraph)
    for block in moved:
        section.append(block)
    return Applied(f"Made {_quoted(paragraph)} a heading at level {level}.", paragraph.get("id"))


def _mark_furniture(root: etree._Element, fix: Fix) -> Applied:
    element = _target(root, fix, title=True)
    _need(element, ("p", "heading", "item", "title"), fix)
    text = fix.detail.get("text", "").strip()
    reason = fix.detail.get("reason") or (
        "page-number" if not text or text.isdigit() else "running-header"
    )
    if reason not in FURNITURE_REASONS:
        raise FixError(f"page furniture is one of {', '.join(FURNITURE_REASONS)}, not {reason!r}")
    src = element.get("src")
    if src is None:
        raise FixError(
            f"{fix.target or 'the title'} has no source lines to give its furniture: edit the "
            "structure instead"
        )
    if text:
        nodes = list(_text_nodes(element))
        first = next((n for n in nodes if _get(n).strip()), None)
        last = next((n for n in reversed(nodes) if _get(n).strip()), None)
        line: str | None
        if first is not None and re.match(rf"\s*{re.escape(text)}(\s|$)", _get(first)):
            value = _get(first).lstrip()
            _set(first, value[len(text) :].lstrip())
            line = _first_line(src)
        elif last is not None and re.search(rf"(^|\s){re.escape(text)}\s*$", _get(last)):
            value = _get(last).rstrip()
            _set(last, value[: -len(text)].rstrip())
            line = _last_line(src)
        else:
            raise FixError(f"{fix.target or 'the title'} no longer begins or ends with {text!r}")
        if not reading_text(element):
            raise FixError(f"{text!r} is all of {fix.target}: mark the whole block instead")
        moved = text
    else:
        if element.tag == "title":
            raise FixError("the title cannot be page furniture")
        moved = reading_text(element)
        line = src
        parent = element.getparent()
        assert parent is not None
        parent.remove(element)
    artifacts = root.find("artifacts")
    if artifacts is None:
        artifacts = etree.SubElement(root, "artifacts")
    artifact = etree.Element("artifact", src=str(line), reason=reason)
    if element.get("page"):
        artifact.set("page", str(element.get("page")))
    artifact.text = moved
    start = int(str(line).split("-")[0])
    position = sum(1 for a in artifacts if int(a.get("src", "0-0").split("-")[0]) <= start)
    artifacts.insert(position, artifact)
    where = f" from {_quoted(element)}" if text else ""
    return Applied(
        f"Moved \u201c{_short(moved)}\u201d{where} to the page furniture "
        f"({reason.replace('-', ' ')}).",
        fix.target if text else None,
    )


def _marker_pattern(marker: str) -> re.Pattern[str]:
    return re.compile(rf"(?<=[a-z?)\u201d\u2019]){re.escape(marker)}(?=[\s.,;:)\u2019\u201d]|$)")


def _attach_footnote(root: etree._Element, fix: Fix) -> Applied:
    element = _target(root, fix, title=True)
    _need(element, ("p", "heading", "item", "title", "note"), fix)
    marker = fix.detail.get("marker", "").strip()
    if not marker.isdigit():
        raise FixError("a footnote marker is a number of one or two digits")
    pattern = _marker_pattern(marker)
    node = next((n for n in _text_nodes(element) if pattern.search(_get(n))), None)
    if node is None:
        raise FixError(
            f"{fix.target or 'the title'} has no footnote marker {marker} on the end of a word"
        )
    note = _note_for(root, element, marker)
    if note is None and element.tag != "title":
        raise FixError(
            f"no note labelled {marker} was found (a paragraph beginning '{marker} ' or a "
            "note of that label): its text was not recovered; add it by editing the structure"
        )
    value = _get(node)
    match = pattern.search(value)
    assert match is not None
    if element.tag == "title":
        # No reference can stand in the title: the marker goes; its note keeps the label.
        _set(node, value[: match.start()] + value[match.end() :])
        return Applied(f"Cut the footnote marker {marker} from the title.", None)
    assert note is not None
    reference = etree.Element("noteref", ref=str(note.get("id")))
    reference.text = marker
    reference.tail = value[match.end() :] or None
    _set(node, value[: match.start()])
    holder, which = node
    if which == "text":
        holder.insert(0, reference)
    else:
        parent = holder.getparent()
        assert parent is not None
        parent.insert(parent.index(holder) + 1, reference)
    return Applied(
        f"Made marker {marker} in {_quoted(element)} a reference to its footnote {_quoted(note)}.",
        fix.target,
    )


def _note_for(root: etree._Element, citing: etree._Element, marker: str) -> etree._Element | None:
    """The note a marker refers to: a note of that label that nothing refers to yet, or a
    paragraph beginning with the label (the note's text at the page's foot), made a note."""
    cited = {str(r.get("ref")) for r in root.iter("noteref")}
    for note in root.iter("note"):
        if note.get("label") == marker and note.get("id") not in cited:
            return note
    starts = re.compile(rf"^{re.escape(marker)}\s+(?=[A-Z\u2018\u201c(])")
    candidates = [
        p
        for p in root.iterfind("body//p")
        if p is not citing and p.get("n") is None and starts.match(reading_text(p))
    ]
    if not candidates:
        return None
    # The first such paragraph after the citing one (its page's foot), else the first of all.
    elements = list(root.iter())  # held, so each node keeps one proxy and one id()
    order = {id(e): i for i, e in enumerate(elements)}
    after = [p for p in candidates if order[id(p)] > order.get(id(citing), -1)]
    paragraph = (after or candidates)[0]
    paragraph.tag = "note"
    _drop(paragraph, "n", "role", "cites")
    paragraph.set("id", _unique(root, f"note-{sum(1 for _ in root.iter('note'))}"))
    paragraph.set("label", marker)
    first = next(n for n in _text_nodes(paragraph) if _get(n).strip())
    _set(first, starts.sub("", _get(first).lstrip(), count=1))
    return paragraph


def grade_of(detail: dict[str, str]) -> tuple[str, str]:
    """(value, as written) of the grade a fix gives."""
    written = " ".join(detail.get("grade", "").split())
    if not written:
        raise FixError(f"name the grade: one of {', '.join(GRADE_VALUES)}")
    if written in GRADE_VALUES:
        return written, written.replace("-", " ").capitalize()
    line = grade_line(written)
    value = grade_value(line) if line else None
    if value not in GRADE_VALUES:
        raise FixError(f"{written!r} is not a grade; the grades are {', '.join(GRADE_VALUES)}")
    assert value is not None
    return value, written


def _set_grade(root: etree._Element, fix: Fix) -> Applied:
    section = _target(root, fix)
    _need(section, ("section",), fix)
    value, written = grade_of(fix.detail)
    heading = section.find("heading")
    graded = section
    if heading is not None and grade_line(reading_text(heading)) is not None:
        # A grade line taken for a heading: the grade is the section above's, and the line
        # is what that section says first (or next) under its own heading.
        graded = _section_above(section, heading, fix)
    graded.set("grade", value)
    graded_heading = graded.find("heading")
    label = reading_text(graded_heading) if graded_heading is not None else ""
    _record_judgement(
        root, slug(str(graded.get("id"))), label or str(graded.get("id")), value, written
    )
    return Applied(
        f"Gave the section \u201c{label or graded.get('id')}\u201d the grade {written}.",
        graded.get("id"),
    )


def _section_above(section: etree._Element, heading: etree._Element, fix: Fix) -> etree._Element:
    """The section a grade line read as a heading belongs to, with the line and what
    followed it moved into it: the section before it at the same level, or else the one it
    opened a subsection of."""
    parent = section.getparent()
    assert parent is not None
    previous = section.getprevious()
    breaks: list[etree._Element] = []
    while previous is not None and previous.tag == "pagebreak":
        breaks.insert(0, previous)
        previous = previous.getprevious()
    if previous is not None and previous.tag == "section":
        blocks = [child for child in section if child is not heading]
        paragraph = _as_paragraph(heading)
        parent.remove(section)
        for block in [*breaks, paragraph, *blocks]:
            previous.append(block)
        return previous
    if parent.tag == "section":
        _dissolve(section, heading)
        return parent
    raise FixError(
        f"'{reading_text(heading)}' reads as a grade but no section above {fix.target} can take it"
    )


def _record_judgement(
    root: etree._Element, area: str, label: str, value: str, written: str
) -> None:
    """The grade among the report's judgements (in meta), replacing one for the same area."""
    meta = root.find("meta")
    assert meta is not None
    judgements = meta.find("judgements")
    if judgements is None:
        judgements = etree.SubElement(meta, "judgements")  # last in meta, as the schema has it
    for judgement in judgements.findall("judgement"):
        if judgement.get("area") == area:
            judgements.remove(judgement)
    judgement = etree.SubElement(judgements, "judgement", area=area, grade=value)
    etree.SubElement(judgement, "label").text = label
    etree.SubElement(judgement, "grade").text = written


def _split_paragraph(root: etree._Element, fix: Fix) -> Applied:
    paragraph = _target(root, fix)
    _need(paragraph, ("p", "item", "note"), fix)
    at = " ".join(fix.detail.get("at", "").split())
    if not at:
        raise FixError("say where to split: the words the second paragraph begins with")
    number = fix.detail.get("n", "").strip()
    if number and not re.fullmatch(r"[0-9]+(\.[0-9]+)*", number):
        raise FixError(f"a paragraph number is digits (12, or 3.1), not {number!r}")
    # The place is found in the paragraph's own text, between its inline elements.
    nodes = [(paragraph, "text")] + [(child, "tail") for child in paragraph]
    found: tuple[tuple[etree._Element, str], int] | None = None
    for node in nodes:
        flat = _get(node)
        index = _flexible(at).search(flat)
        if index is not None and (node != nodes[0] or index.start() > 0):
            found = (node, index.start())
            break
    if found is None:
        raise FixError(f"{fix.target} has no {at!r} after its start to split before")
    node, offset = found
    value = _get(node)
    second = etree.Element(str(paragraph.tag))
    second.text = value[offset:]
    _set(node, value[:offset].rstrip())
    if node[1] == "tail":
        for child in list(node[0].itersiblings()):
            second.append(child)
    else:
        for child in list(paragraph):
            second.append(child)
    if number and second.text is not None:
        second.text = re.sub(rf"^{re.escape(number)}\.?\s+", "", second.text)
    if not reading_text(paragraph) or not reading_text(second):
        raise FixError(f"splitting {fix.target} before {at!r} would leave an empty paragraph")
    base = f"p-{number}" if number and paragraph.tag == "p" else f"{fix.target}-split"
    second.set("id", _unique(root, base))
    for name in ("src", "page"):
        if paragraph.get(name):
            second.set(name, str(paragraph.get(name)))
    breaks = [b for b in paragraph.iter("pagebreak") if b is not paragraph]
    if breaks:
        second.set("page", str(breaks[-1].get("page")))  # the page it now starts on
    if number and paragraph.tag == "p":
        second.set("n", number)
    parent = paragraph.getparent()
    assert parent is not None
    parent.insert(parent.index(paragraph) + 1, second)
    return Applied(
        f"Split the paragraph {_quoted(paragraph)}: a new one begins \u201c{at}\u201d.",
        second.get("id"),
    )


def _flexible(text: str) -> re.Pattern[str]:
    """The words of ``text`` with any run of white space between them."""
    return re.compile(r"\s+".join(re.escape(word) for word in text.split()))


def _lines_to_table(root: etree._Element, fix: Fix) -> Applied:
    first = _target(root, fix)
    _need(first, ("p",), fix)
    last_id = fix.detail.get("last", "")
    last = _by_id(root, last_id) if last_id else first
    parent = first.getparent()
    if parent is None or last.getparent() is not parent or parent.index(last) < parent.index(first):
        raise FixError(f"{last_id} is not a paragraph after {fix.target} in the same section")
    run = [first, *first.itersiblings()][: parent.index(last) - parent.index(first) + 1]
    lines = [block for block in run if block.tag != "pagebreak"]
    if any(block.tag != "p" for block in lines):
        raise FixError(f"only paragraphs lie between {fix.target} and {last_id} can become a table")
    try:
        columns = int(fix.detail.get("columns") or guess_columns(len(lines)))
    except ValueError:
        raise FixError("the number of columns is a whole number") from None
    if not 1 <= columns <= min(MAX_COLUMNS, len(lines)):
        raise FixError(
            f"{len(lines)} lines make a table of 1 to {min(MAX_COLUMNS, len(lines))} columns, "
            f"not {columns}"
        )
    header = fix.detail.get("header", "none")
    if header not in ("none", "first-row"):
        raise FixError("the table's header is 'none' or 'first-row'")
    table = etree.Element("table", id=_unique(root, f"table-{fix.target}"))
    src = _joined_src(first.get("src"), last.get("src"))
    if src:
        table.set("src", src)
    if first.get("page"):
        table.set("page", str(first.get("page")))
    rows = [lines[i : i + columns] for i in range(0, len(lines), columns)]
    if header == "first-row" and len(rows) < 2:
        raise FixError("a table with a header row needs at least one row under it")
    for number, row_lines in enumerate(rows):
        heads = header == "first-row" and number == 0
        row = etree.SubElement(etree.SubElement(table, "head") if heads else table, "row")
        for line in row_lines + [None] * (columns - len(row_lines)):
            cell = etree.SubElement(row, "cell")
            if heads:
                cell.set("header", "true")
                cell.set("scope", "col")
            if line is not None:
                _move_content(line, cell)
    position = parent.index(first)
    for block in run:
        if block.tag != "pagebreak":
            parent.remove(block)
    parent.insert(position, table)
    # Page breaks among the lines follow the table, in order.
    for offset, pagebreak in enumerate(b for b in run if b.tag == "pagebreak"):
        parent.remove(pagebreak)
        parent.insert(position + 1 + offset, pagebreak)
    return Applied(
        f"Made {len(lines)} lines a table of {len(rows)} rows and {columns} columns.",
        table.get("id"),
    )


def guess_columns(count: int) -> int:
    """A first guess at the columns of ``count`` flattened cells: the smallest number of two
    or more that fills every row (the person choosing can change it)."""
    return next((n for n in range(2, 7) if count % n == 0 and count // n >= 2), 1)


def _remove_character(root: etree._Element, fix: Fix) -> Applied:
    element = _target(root, fix, title=True)
    characters = fix.detail.get("characters", "")
    if not characters:
        raise FixError("name the characters to remove")
    removed = 0
    for node in _text_nodes(element):
        value = _get(node)
        kept = "".join(c for c in value if c not in characters)
        if kept != value:
            removed += len(value) - len(kept)
            _set(node, re.sub(r"(?<=\S) {2,}(?=\S)", " ", kept))
    if not removed:
        raise FixError(f"{fix.target or 'the title'} no longer holds those characters")
    names = ", ".join(f"U+{ord(c):04X}" for c in characters)
    return Applied(f"Removed {names} from {_quoted(element)}.", fix.target)


def _describe_image(root: etree._Element, fix: Fix) -> Applied:
    """Give an image the description a person wrote (what it shows), or mark it decorative
    (it adds nothing: left out of what is read aloud).  Never both: a decorative image is
    not described."""
    figure = _target(root, fix)
    _need(figure, ("figure",), fix)
    description = " ".join(fix.detail.get("description", "").split())
    decorative = fix.detail.get("decorative", "false")
    if decorative not in ("true", "false"):
        raise FixError(f"decorative is 'true' or 'false', not {decorative!r}")
    if decorative == "true" and description:
        raise FixError("a decorative image has no description: give one, or mark it decorative")
    if decorative == "false" and not description:
        raise FixError(
            "write what the image shows (its description), or mark it decorative if it adds nothing"
        )
    if len(description) > MAX_DESCRIPTION_CHARACTERS:
        raise FixError(
            f"a description is read out in full: keep it under {MAX_DESCRIPTION_CHARACTERS} "
            f"characters (this one has {len(description)}); a long one belongs in the text"
        )
    for old in figure.findall("description"):
        figure.remove(old)
    name = _figure_name(figure)
    if decorative == "true":
        figure.set("decorative", "true")
        return Applied(f"Marked the image {name} as decorative.", fix.target)
    _drop(figure, "decorative")
    element = etree.Element("description")
    element.text = description
    image = figure.find("image")
    # The schema's order: the image, its description, then the caption.
    figure.insert(figure.index(image) + 1 if image is not None else 0, element)
    return Applied(
        f"Gave the image {name} the description \u201c{_short(description)}\u201d.",
        fix.target,
    )


def _figure_name(figure: etree._Element) -> str:
    """An image as a message names it: its caption, else what the source called it."""
    caption = figure.find("caption")
    if caption is not None and reading_text(caption):
        return _quoted(caption)
    image = figure.find("image")
    name = image.get("name") if image is not None else None
    return f"\u201c{name}\u201d" if name else str(figure.get("id"))


_APPLY = {
    "join-next": _join_next,
    "heading-to-paragraph": _heading_to_paragraph,
    "paragraph-to-heading": _paragraph_to_heading,
    "mark-furniture": _mark_furniture,
    "attach-footnote": _attach_footnote,
    "set-grade": _set_grade,
    "split-paragraph": _split_paragraph,
    "lines-to-table": _lines_to_table,
    "remove-character": _remove_character,
    "describe-image": _describe_image,
}
