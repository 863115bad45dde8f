"""An invented document library (plain text and canonical XML, a few broken files) for tests
and benchmarks of batch conversion: every word is made up here, none comes from a real report."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from lxml import etree

from converter import tree as canonical

_WORDS = [
    "children",
    "young",
    "people",
    "leaders",
    "staff",
    "carers",
    "families",
    "plans",
    "support",
    "visits",
    "records",
    "decisions",
    "managers",
    "partners",
    "schools",
    "health",
    "services",
    "quality",
    "practice",
    "review",
    "advice",
    "timely",
    "consistent",
    "careful",
    "effective",
    "clear",
    "secure",
    "stable",
    "local",
    "early",
    "help",
    "safeguarding",
    "assessment",
    "progress",
    "learning",
    "outcomes",
    "placements",
    "workers",
    "teams",
    "training",
    "oversight",
    "meetings",
    "reports",
    "checks",
    "needs",
    "risks",
    "strengths",
    "improvement",
    "priorities",
]
_PLACES = ("Northbury", "Eastwick Vale", "Lowmere", "Fernhollow", "Castle Brent", "Oakridge")
_HEADINGS = (
    "Headline findings",
    "What needs to improve",
    "The experiences and progress of children",
    "Leadership and management",
    "Help and protection",
)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))


def report_text(rng: random.Random, number: int, *, sections: int) -> str:
    """A plain-text report: title, dates, headings and numbered paragraphs."""
    place = rng.choice(_PLACES)
    lines = [
        f"{place} report number {number}",
        "",
        f"Inspection dates: {rng.randint(1, 20)} to {rng.randint(21, 28)} May 2021",
        "",
    ]
    paragraph = 1
    for index in range(sections):
        lines += [_HEADINGS[index % len(_HEADINGS)], ""]
        for _ in range(rng.randint(2, 5)):
            lines += [f"{paragraph}. {_paragraph(rng)}", ""]
            paragraph += 1
    return "\n".join(lines)


def report_xml(rng: random.Random, number: int, *, sections: int) -> bytes:
    """A canonical XML report, valid against the schema."""
    root = etree.Element("report", {"schema-version": canonical.SCHEMA_VERSION})
    root.set(canonical.XML_LANG, "en")
    meta = etree.SubElement(root, "meta")
    etree.SubElement(meta, "title").text = f"{rng.choice(_PLACES)} notes number {number}"
    etree.SubElement(meta, "kind").text = "generic"
    name = f"notes-{number}.txt"
    digest = hashlib.sha256(name.encode()).hexdigest()
    etree.SubElement(meta, "source", {"name": name, "sha256": digest, "format": "txt"})
    body = etree.SubElement(root, "body")
    for index in range(sections):
        section = etree.SubElement(body, "section", {"id": f"s{index}"})
        etree.SubElement(section, "heading", {"id": f"s{index}-h"}).text = _HEADINGS[
            index % len(_HEADINGS)
        ]
        for item in range(rng.randint(2, 4)):
            p = etree.SubElement(section, "p", {"id": f"s{index}-p{item}"})
            p.text = _paragraph(rng)
    canonical.validate(root)
    return canonical.serialize(root)


def long_report_xml(*, pages: int, words_per_page: int, sections: int, seed: int = 7) -> bytes:
    """A canonical XML report of ``pages`` print pages (a page break before each), about
    ``words_per_page`` words on each, in ``sections`` headed sections."""
    rng = random.Random(seed)
    root = etree.Element("report", {"schema-version": canonical.SCHEMA_VERSION})
    root.set(canonical.XML_LANG, "en-GB")
    meta = etree.SubElement(root, "meta")
    etree.SubElement(meta, "title").text = f"{rng.choice(_PLACES)} long report"
    etree.SubElement(meta, "kind").text = "generic"
    name = f"long-{pages}-pages.pdf"
    digest = hashlib.sha256(name.encode()).hexdigest()
    source = {"name": name, "sha256": digest, "format": "pdf", "pages": str(pages)}
    etree.SubElement(meta, "source", source)
    body = etree.SubElement(root, "body")
    per_section = -(-pages // sections)
    section = body
    for page in range(1, pages + 1):
        if (page - 1) % per_section == 0:
            number = (page - 1) // per_section
            section = etree.SubElement(body, "section", {"id": f"s{number}"})
            heading = etree.SubElement(section, "heading", {"id": f"s{number}-h"})
            heading.text = f"Part {number + 1}: {_HEADINGS[number % len(_HEADINGS)]}"
        etree.SubElement(section, "pagebreak", {"id": f"pb-{page}", "page": str(page)})
        said = 0
        paragraph = 0
        while said < words_per_page:
            paragraph += 1
            p = etree.SubElement(section, "p", {"id": f"p{page}-{paragraph}"})
            p.text = _paragraph(rng)
            said += len(p.text.split())
    canonical.validate(root)
    return canonical.serialize(root)


#: Broken sources: name -> bytes, each of which must fail alone with a clear error.
BROKEN: dict[str, bytes] = {
    "broken/empty.txt": b"",
    "broken/binary.txt": bytes(range(256)) * 8,
    "broken/malformed.xml": b"<report schema-version='1.0'><meta><title>Unclosed</meta>",
    "broken/not-canonical.xml": b"<?xml version='1.0'?><memo><p>Not a report</p></memo>",
}


def write_library(
    folder: Path,
    count: int,
    *,
    seed: int = 8,
    broken: bool = True,
    sections: tuple[int, ...] = (1, 2, 3, 5, 8),
) -> list[Path]:
    """Write ``count`` good documents in nested folders (about one in five canonical XML,
    the rest plain text of varied length), plus the BROKEN files; return the good ones."""
    rng = random.Random(seed)
    good: list[Path] = []
    for number in range(count):
        year = 2019 + number % 4
        size = rng.choice(sections)
        if number % 5 == 4:
            path = folder / str(year) / "corrected" / f"notes-{number:04d}.xml"
            data = report_xml(rng, number, sections=size)
        else:
            path = folder / str(year) / f"report-{number:04d}.txt"
            data = report_text(rng, number, sections=size).encode("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        good.append(path)
    if broken:
        for name, data in BROKEN.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return good
