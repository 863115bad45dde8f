"""What a Word document's styles and numbering say: heading levels, roles, run formatting,
and the labels its lists print (numbering.xml counted as Word counts it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from converter.readers.docx_package import W_NS

Element = etree._Element


def w(name: str) -> str:
    return f"{{{W_NS}}}{name}"


def val(element: Element | None, default: str | None = None) -> str | None:
    return element.get(w("val"), default) if element is not None else default


def on(element: Element | None) -> bool | None:
    """A toggle property (w:b, w:i, w:vanish): None when absent, else its value."""
    if element is None:
        return None
    return val(element, "true") not in ("0", "false", "off", "none")


#: Style names (as Word stores built-in names, compared case-folded) and the role they give.
_ROLE_NAMES = {
    "title": "title",
    "subtitle": "subtitle",
    "caption": "caption",
    "footnote text": "note",
    "endnote text": "note",
    # The note style of the DOCX writer: a copy made by this program keeps its notes so.
    "note text": "note",
    # The writer's title-page note about the copy itself: not the document's content.
    "version note": "version",
    "toc heading": "toc",
}
_HEADING_NAME = re.compile(r"^heading ([1-9])$")
_TOC_NAME = re.compile(r"^toc [1-9]$")
_LIST_LEVEL = re.compile(r"^list(?: bullet| number)? ([2-9])$")
_LIST_CONTINUE = re.compile(r"^list continue(?: [1-9])?$")


class Styles:
    """The styles part, with each style's chain of bases (loops in broken files cut)."""

    def __init__(self, styles: Element | None) -> None:
        self.by_id: dict[str, Element] = {}
        self.default: dict[str, str] = {}  # style type -> the default style's id
        self.run_defaults: Element | None = None
        self.paragraph_defaults: Element | None = None
        if styles is None:
            return
        for style in styles.iterfind(w("style")):
            style_id = style.get(w("styleId"))
            if style_id is None:
                continue
            self.by_id.setdefault(style_id, style)
            if style.get(w("default")) in ("1", "true", "on"):
                self.default.setdefault(style.get(w("type"), "paragraph"), style_id)
        self.run_defaults = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        self.paragraph_defaults = styles.find(f"{w('docDefaults')}/{w('pPrDefault')}/{w('pPr')}")

    def chain(self, style_id: str | None, kind: str = "paragraph") -> list[Element]:
        """The style and the styles it is based on, nearest first."""
        if style_id is None or style_id not in self.by_id:
            style_id = self.default.get(kind)
        found: list[Element] = []
        seen: set[str] = set()
        while style_id is not None and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            found.append(style)
            style_id = val(style.find(w("basedOn")))
        return found

    def names(self, style_id: str | None, kind: str = "paragraph") -> list[str]:
        return [(val(s.find(w("name"))) or "").casefold() for s in self.chain(style_id, kind)]

    def heading_level(self, style_id: str | None) -> int | None:
        """1-9 for a heading style or one based on a heading; its outline level otherwise."""
        for style in self.chain(style_id):
            name = (val(style.find(w("name"))) or "").casefold()
            match = _HEADING_NAME.match(name)
            if match:
                return int(match.group(1))
            level = outline_level(style.find(w("pPr")))
            if level is not None:
                return level
        return None

    def role(self, style_id: str | None) -> str | None:
        """What the paragraph style makes a paragraph: title, subtitle, caption, note,
        toc (a contents heading), toc-entry (a contents entry), version (this program's
        own title-page note) or None."""
        for name in self.names(style_id):
            if name in _ROLE_NAMES:
                return _ROLE_NAMES[name]
            if _TOC_NAME.match(name):
                return "toc-entry"
            if _HEADING_NAME.match(name):
                return None
        return None

    def toc_level(self, style_id: str | None) -> int:
        """0 for a "TOC 1" entry, 1 for "TOC 2" and so on (its depth as a list item)."""
        for name in self.names(style_id):
            match = _TOC_NAME.match(name)
            if match:
                return int(name.rsplit(" ", 1)[1]) - 1
        return 0

    def list_style_depth(self, style_id: str | None) -> int:
        """2 for "List Bullet 2", "List Number 2" or "List 2" (their number is their
        level); 1 for any other style."""
        for name in self.names(style_id):
            match = _LIST_LEVEL.match(name)
            if match:
                return int(match.group(1))
        return 1

    def continues_list(self, style_id: str | None) -> bool:
        return any(_LIST_CONTINUE.match(name) for name in self.names(style_id))

    def paragraph_property(self, style_id: str | None, tag: str) -> Element | None:
        """A paragraph property (pPr child) from the style chain, else the defaults."""
        for style in self.chain(style_id):
            found = style.find(f"{w('pPr')}/{w(tag)}")
            if found is not None:
                return found
        if self.paragraph_defaults is not None:
            return self.paragraph_defaults.find(w(tag))
        return None

    def run_properties(self, paragraph_style: str | None, run_style: str | None) -> list[Element]:
        """The rPr elements that format a run, weakest first: document defaults, the
        paragraph style's chain, the run's character style's chain."""
        layers: list[Element] = []
        if self.run_defaults is not None:
            layers.append(self.run_defaults)
        for style in reversed(self.chain(paragraph_style)):
            rpr = style.find(w("rPr"))
            if rpr is not None:
                layers.append(rpr)
        if run_style is not None:
            for style in reversed(self.chain(run_style, "character")):
                rpr = style.find(w("rPr"))
                if rpr is not None:
                    layers.append(rpr)
        return layers

    def character_meaning(self, run_style: str | None) -> str | None:
        """'strong' or 'em' for a character style whose name says so (Strong, Emphasis);
        'number' for the Paragraph Number style this program's copies set a numbered
        paragraph's number in."""
        if run_style is None:
            return None
        for name in self.names(run_style, "character"):
            if name == "paragraph number":
                return "number"
            if name in ("strong", "intense emphasis", "book title"):
                return "strong"
            if name in ("emphasis", "subtle emphasis"):
                return "em"
        return None


def outline_level(ppr: Element | None) -> int | None:
    """A heading level from w:outlineLvl (0 is level 1; 9 is body text)."""
    if ppr is None:
        return None
    found = ppr.find(w("outlineLvl"))
    value = val(found)
    if value is None or not value.isdigit() or int(value) > 8:
        return None
    return int(value) + 1


# -- numbering ----------------------------------------------------------------------------


@dataclass
class Level:
    number_format: str  # decimal, lowerLetter, bullet, none ...
    text: str  # lvlText: "%1." or a bullet glyph
    start: int = 1
    legal: bool = False  # isLgl: every level's number shown in decimal


@dataclass
class _Instance:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # level -> startOverride
    levels: dict[int, Level] = field(default_factory=dict)  # level -> lvl override
    used: bool = False


@dataclass(frozen=True)
class ListLabel:
    """What numbering gives one paragraph: its list, level, kind and printed label."""

    num_id: str
    level: int
    ordered: bool
    label: str


class Numbering:
    """numbering.xml, with the counters Word keeps while it numbers the document."""

    def __init__(self, numbering: Element | None, styles: Styles) -> None:
        self.abstracts: dict[str, dict[int, Level]] = {}
        self.style_links: dict[str, str] = {}  # abstractNumId -> style whose numId it uses
        self.instances: dict[str, _Instance] = {}
        self.counters: dict[str, dict[int, int]] = {}  # abstractNumId -> level -> count
        self.styles = styles
        if numbering is None:
            return
        for abstract in numbering.iterfind(w("abstractNum")):
            abstract_id = abstract.get(w("abstractNumId"), "")
            self.abstracts[abstract_id] = {
                int(lvl.get(w("ilvl"), "0")): _level(lvl) for lvl in abstract.iterfind(w("lvl"))
            }
            link = val(abstract.find(w("numStyleLink")))
            if link:
                self.style_links[abstract_id] = link
        for num in numbering.iterfind(w("num")):
            num_id = num.get(w("numId"), "")
            instance = _Instance(val(num.find(w("abstractNumId"))) or "")
            for override in num.iterfind(w("lvlOverride")):
                level = int(override.get(w("ilvl"), "0"))
                start = val(override.find(w("startOverride")))
                if start is not None and start.lstrip("-").isdigit():
                    instance.starts[level] = int(start)
                lvl = override.find(w("lvl"))
                if lvl is not None:
                    instance.levels[level] = _level(lvl)
            self.instances[num_id] = instance

    def _abstract_of(self, num_id: str, depth: int = 0) -> str | None:
        instance = self.instances.get(num_id)
        if instance is None:
            return None
        abstract = instance.abstract
        link = self.style_links.get(abstract)
        if link is not None and depth < 3:
            # A list style: its numbering is the one the style's own numPr names.
            num_pr = self.styles.paragraph_property(link, "numPr")
            linked = val(num_pr.find(w("numId"))) if num_pr is not None else None
            if linked and linked != num_id:
                return self._abstract_of(linked, depth + 1) or abstract
        return abstract

    def level(self, num_id: str, ilvl: int) -> Level | None:
        instance = self.instances.get(num_id)
        if instance is None:
            return None
        if ilvl in instance.levels:
            return instance.levels[ilvl]
        abstract = self._abstract_of(num_id)
        return self.abstracts.get(abstract or "", {}).get(ilvl)

    def label(self, num_id: str, ilvl: int) -> ListLabel | None:
        """Count this paragraph and return its label; None for numId 0 (numbering
        removed) or a numbering the file does not define."""
        if num_id in ("", "0"):
            return None
        instance = self.instances.get(num_id)
        level = self.level(num_id, ilvl)
        abstract = self._abstract_of(num_id)
        if instance is None or level is None or abstract is None:
            return None
        counters = self.counters.setdefault(abstract, {})
        if not instance.used:
            instance.used = True
            # An instance that restarts its numbering (startOverride) begins again here.
            for restart_level, start in instance.starts.items():
                counters[restart_level] = start - 1
                for deeper in [k for k in counters if k > restart_level]:
                    del counters[deeper]
        start = instance.starts.get(ilvl, level.start)
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level.number_format == "bullet":
            return ListLabel(num_id, ilvl, False, level.text)
        if level.number_format == "none" and "%" not in level.text:
            return ListLabel(num_id, ilvl, False, level.text)

        def number(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            shown = self.level(num_id, index) or level
            value = counters.get(index, shown.start)
            fmt = "decimal" if level.legal and index < ilvl else shown.number_format
            return format_number(value, fmt)

        text = re.sub(r"%([1-9])", number, level.text)
        return ListLabel(num_id, ilvl, True, text.strip())


def _level(lvl: Element) -> Level:
    start = val(lvl.find(w("start")), "1") or "1"
    return Level(
        number_format=val(lvl.find(w("numFmt")), "decimal") or "decimal",
        text=val(lvl.find(w("lvlText")), "") or "",
        start=int(start) if start.lstrip("-").isdigit() else 1,
        legal=lvl.find(w("isLgl")) is not None,
    )


_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip
_ORDINAL_WORDS = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
]
_CARDINAL_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]


def format_number(value: int, number_format: str) -> str:
    """A counter as Word prints it in a number format (decimal for formats not known)."""
    if value < 1 and number_format not in ("decimal", "decimalZero"):
        number_format = "decimal"
    if number_format in ("lowerRoman", "upperRoman"):
        roman, rest = "", value
        for amount, letters in _ROMAN:
            while rest >= amount:
                roman, rest = roman + letters, rest - amount
        return roman.upper() if number_format == "upperRoman" else roman
    if number_format in ("lowerLetter", "upperLetter"):
        # Word's letters: a ... z, then aa ... zz, then aaa.
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter.upper() if number_format == "upperLetter" else letter
    if number_format == "decimalZero":
        return f"{value:02d}"
    if number_format == "ordinal":
        suffix = (
            "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
        )
        return f"{value}{suffix}"
    if number_format == "ordinalText" and value < len(_ORDINAL_WORDS):
        return _ORDINAL_WORDS[value].capitalize()
    if number_format == "cardinalText" and value < len(_CARDINAL_WORDS):
        return _CARDINAL_WORDS[value].capitalize()
    return str(value)
