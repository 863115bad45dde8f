"""Checks shared by the talking books (DAISY 2.02 and EPUB media overlays): clips within
their audio, every text element spoken once and in reading order, every word spoken."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from converter.check import CheckResult
from converter.images import NO_DESCRIPTION
from converter.words import words
from converter.writers import edition, xhtml
from converter.writers.audio import mp3
from converter.writers.audio import script as spoken_script

#: Elements that hold text a talking book must speak (XHTML 1.0 and 5 alike); an img's
#: text is its alt (its description), and a decorative one (alt="") has none.
TEXT_ELEMENTS = frozenset(
    [
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "p",
        "li",
        "td",
        "th",
        "caption",
        "figcaption",
        "dt",
        "dd",
        "img",
    ]
)
#: Elements whose words belong to the text elements inside them.
_NESTED = ("ul", "ol", "dl", "table", "aside", "figure")
WORDS_STANDARD = (
    "Every word of the report spoken: the text sent to the engine is the tree's, after the lexicon"
)


@dataclass(frozen=True)
class Clip:
    """One par: where it is (file and id), its text reference and its audio clip."""

    where: str  # "chapter-01.smil#par-0003"
    text: str  # the text reference, resolved against the book's root: "content.html#p-1"
    audio: str  # the audio file, resolved: "chapter-01.mp3"
    begin: float | None
    end: float | None


_CLOCK = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d+(?:\.\d+)?)(h|min|s|ms)?$")


def seconds(value: str | None) -> float | None:
    """A SMIL clock value (npt=12.3s, 0:01:02.5, 4.2s, 300ms) in seconds; None if unreadable."""
    if value is None:
        return None
    text = value.strip().removeprefix("npt=")
    match = _CLOCK.match(text)
    if match is None:
        return None
    hours, minutes, number, unit = match.groups()
    amount = float(number)
    if hours is not None or minutes is not None:
        if unit:
            return None
        return int(hours or 0) * 3600 + int(minutes or 0) * 60 + amount
    return amount * {"h": 3600, "min": 60, "s": 1, "ms": 0.001, None: 1}[unit]


def local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def clip_findings(clips: list[Clip], durations: dict[str, float | None]) -> list[str]:
    """Each clip begins before it ends, after the clip before it in the same audio file,
    and ends within its audio file's duration (counted from its frames)."""
    findings = []
    last_end: dict[tuple[str, str], float] = {}
    for clip in clips:
        if clip.begin is None or clip.end is None:
            findings.append(f"{clip.where}: clip times missing or unreadable")
            continue
        if clip.audio not in durations:
            findings.append(f"{clip.where}: audio {clip.audio} is not in the book")
            continue
        if clip.end <= clip.begin:
            findings.append(
                f"{clip.where}: clip ends ({clip.end:.3f} s) before it begins ({clip.begin:.3f} s)"
            )
        smil = clip.where.split("#")[0]
        previous = last_end.get((smil, clip.audio))
        if previous is not None and clip.begin < previous - 0.0005:
            findings.append(
                f"{clip.where}: clip begins at {clip.begin:.3f} s, before the previous clip's end ({previous:.3f} s)"
            )
        last_end[(smil, clip.audio)] = clip.end
        duration = durations[clip.audio]
        if duration is None:
            findings.append(f"{clip.where}: {clip.audio} is not readable MPEG audio")
        elif clip.end > duration + 0.0005:
            findings.append(
                f"{clip.where}: clip ends at {clip.end:.3f} s, past the end of {clip.audio} ({duration:.3f} s)"
            )
    return findings


def audio_durations(files: dict[str, bytes], names: Iterable[str]) -> dict[str, float | None]:
    """The duration of each named MP3 that the book holds (None: not MPEG audio)."""
    durations: dict[str, float | None] = {}
    for name in names:
        if name not in files:
            continue
        try:
            durations[name] = mp3.duration(files[name])
        except ValueError:
            durations[name] = None
    return durations


def text_elements(document: etree._Element) -> list[etree._Element]:
    """The elements of a body holding words of their own, in reading order (an image
    whose alt says it has no description too: the listener is told of it)."""
    found = []
    for element in document.iter():
        if local(element.tag) in TEXT_ELEMENTS and words(_own_text(element)):
            found.append(element)
    return found


def _own_text(element: etree._Element) -> str:
    if local(element.tag) == "img":
        return spoken_script.image_description(element)
    pieces = [element.text or ""]
    for child in element:
        name = local(child.tag)
        if name and name not in TEXT_ELEMENTS and name not in _NESTED:
            if "noteref" in (child.get("class") or "").split():
                pieces.append(" ")  # the note's marker is a word of its own, as in the tree
            if not spoken_script.unsaid(child):
                pieces.append(_own_text(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


def coverage_findings(
    documents: dict[str, etree._Element], order: list[str], references: list[str]
) -> list[str]:
    """Every text element of the documents (in ``order``) referenced exactly once, and the
    references in reading order.  ``references`` are 'file#id' in the order they play."""
    findings = []
    expected: list[str] = []
    ids: dict[str, set[str]] = {}
    for name in order:
        document = documents[name]
        ids[name] = {str(e.get("id")) for e in document.iter() if e.get("id")}
        for element in text_elements(document):
            if not element.get("id"):
                text = " ".join(_own_text(element).split())[:50]
                findings.append(
                    f"{name}: a <{local(element.tag)}> with no id is never spoken: {text!r}"
                )
                continue
            expected.append(f"{name}#{element.get('id')}")
    counts = Counter(references)
    for reference in expected:
        if counts[reference] == 0:
            findings.append(f"{reference} is never spoken")
        elif counts[reference] > 1:
            findings.append(f"{reference} is spoken {counts[reference]} times")
    for reference in references:
        name, _, fragment = reference.partition("#")
        if name not in ids or fragment not in ids[name]:
            findings.append(f"{reference}: the text it points at does not exist")
    wanted = set(expected)
    played = [r for r in dict.fromkeys(references) if r in wanted]
    played_once = set(played)
    in_order = [r for r in expected if r in played_once]
    if played != in_order:
        first = next(i for i, (a, b) in enumerate(zip(played, in_order, strict=True)) if a != b)
        findings.append(f"out of reading order from {played[first]} (expected {in_order[first]})")
    return findings


def report_text(element: etree._Element) -> str:
    """The words of a spoken element that are the report's: without what the writer says
    in place of a missing description, or before a picture not included in the copy."""
    text = " ".join(_own_text(element).split())
    linked = "figure-text" in (element.get("class") or "").split()
    if linked:
        text = text.removeprefix(xhtml.LINKED_IMAGE).strip()
    if (linked or local(element.tag) == "img") and text == NO_DESCRIPTION:
        return ""
    return text


def spoken_text_words(documents: dict[str, etree._Element], references: list[str]) -> list[str]:
    """The report's words of the referenced elements, in the order they play."""
    by_id: dict[str, etree._Element] = {}
    for name, document in documents.items():
        for element in document.iter():
            if element.get("id"):
                by_id[f"{name}#{element.get('id')}"] = element
    found: list[str] = []
    for reference in references:
        spoken = by_id.get(reference)
        if spoken is not None:
            found.extend(words(report_text(spoken)))
    return found


def words_result(name: str, source: etree._Element | None, spoken: list[str]) -> CheckResult:
    """The every-word check; not run without the source tree (``convert check`` on a file
    alone: its coverage check still shows every word on the page is spoken)."""
    if source is None:
        reason = "needs the report's tree: runs when the conversion checks its output (--check)"
        return CheckResult(name, WORDS_STANDARD, "not-run", (reason,))
    return CheckResult.of(name, WORDS_STANDARD, words_findings(source, spoken))


def words_findings(source: etree._Element | None, spoken: list[str]) -> list[str]:
    """Every word of the report spoken.  With the source tree: its narration script (what
    was sent to the engine) is its text after the lexicon, every word of the tree is in it,
    and the book speaks exactly those words."""
    if source is None:
        return []
    findings = []
    script = spoken_script.script_of_tree(source)
    findings += spoken_script.spoken_findings(script)
    tree = spoken_script.book_words(edition.prepare(source))
    in_script = Counter(spoken_script.script_words(script))
    if in_script != tree and _characters(in_script) != _characters(tree):
        missing, extra = tree - in_script, in_script - tree
        findings.append(f"the script leaves out {_few(missing)} and adds {_few(extra)}")
    in_book = Counter(spoken)
    if in_book != tree and _characters(in_book) != _characters(tree):
        missing, extra = tree - in_book, in_book - tree
        findings.append(f"the book does not speak {_few(missing)}; it speaks more: {_few(extra)}")
    return findings


def _characters(counted: Counter[str]) -> Counter[str]:
    """The letters and digits of counted words.  Markup can split what the page shows as
    one word into two text nodes (<em>0</em>0), which the tree counts as two words: the
    same characters, so the same words said.  (An apostrophe belongs to a word only between
    letters, so a join can take one in: it is not counted.)"""
    letters: Counter[str] = Counter()
    for word, count in counted.items():
        for character in word:
            if character != "'":
                letters[character] += count
    return letters


def _few(counter: Counter[str]) -> str:
    if not counter:
        return "nothing"
    shown = ", ".join(f"{w!r}" + (f" x{n}" if n > 1 else "") for w, n in counter.most_common(8))
    more = sum(counter.values()) - sum(n for _, n in counter.most_common(8))
    return shown + (f" and {more} more" if more > 0 else "")
