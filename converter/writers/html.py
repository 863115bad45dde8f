"""The accessible HTML writer: one self-contained page, styled like the large-print PDF."""

from __future__ import annotations

import base64
import string
from pathlib import Path

from lxml import etree

from converter import profiles, resources
from converter.options import Options
from converter.profiles import PrintProfile
from converter.writers import edition, facts, xhtml

#: Ems per character of Atkinson Hyperlegible running text (measured on the sample at
#: 14 pt on A3: about 0.43 em with spaces), to turn the profile's line length into a measure.
EM_PER_CHARACTER = 0.4


def font_file(name: str) -> Path:
    """One packaged Atkinson Hyperlegible file by its name (e.g. 'Regular', 'Bold')."""
    for path in resources.font_files():
        if path.stem.endswith(f"-{name}"):
            return path
    raise FileNotFoundError(f"Atkinson Hyperlegible {name} is not installed")


def stylesheet(
    profile: PrintProfile, medium: str, font_urls: dict[str, str], running_head: str = ""
) -> str:
    """base.css plus print.css or screen.css, with the profile's values filled in.

    ``medium`` is "print" or "screen"; ``font_urls`` maps 'regular' and 'bold' to URLs.
    """
    values = css_values(profile, running_head)
    values["font_regular"] = font_urls["regular"]
    values["font_bold"] = font_urls["bold"]
    parts = [resources.read_text("base.css"), resources.read_text(f"{medium}.css")]
    return "\n".join(string.Template(part).substitute(values) for part in parts)


def css_values(profile: PrintProfile, running_head: str = "") -> dict[str, str]:
    """The profile as the strings substituted into the stylesheets."""
    line_height_pt = profile.font_size * profile.line_spacing
    # Running heads and page numbers sit in the page margin at body size: make room.
    margin_pt = profile.margin_mm * 72 / 25.4
    return {
        "font_size": f"{profile.font_size:g}",
        "line_spacing": f"{profile.line_spacing:g}",
        "foreground": profile.foreground,
        "background": profile.background,
        "link": profile.link,
        "paper": profile.paper,
        "margin": f"{profile.margin_mm:g}",
        "margin_top": f"{margin_pt + line_height_pt * 1.6:.1f}",
        "margin_bottom": f"{margin_pt + line_height_pt * 1.6:.1f}",
        "measure": f"{profile.line_length * EM_PER_CHARACTER:g}",
        # The title page's title: smaller steps above giant print so it fits one page.
        "title_size": "1.5em" if profile.font_size < 28 else "1.25em",
        "running_head": css_string(running_head),
    }


def css_string(text: str) -> str:
    """Text made safe inside a double-quoted CSS string: everything but letters, digits and
    spaces becomes a hexadecimal escape, so document text can never end the string."""
    return "".join(
        c if (c.isascii() and c.isalnum()) or c == " " else f"\\{ord(c):06x}" for c in text
    )


def data_url(path: Path, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def write(root: etree._Element, options: Options) -> bytes:
    profile = profiles.print_profile(options)
    fonts = {
        "regular": data_url(font_file("Regular"), "font/ttf"),
        "bold": data_url(font_file("Bold"), "font/ttf"),
    }
    css = stylesheet(profile, "screen", fonts)
    arranged = edition.prepare(root)
    page = edition.title_page(arranged, "")
    facts_lines: list[etree._Element] = []
    for css_class, line in [
        *(("title-date", d) for d in page.dates),
        ("title-origin", page.origin),
    ]:
        fact = etree.Element("p", {"class": css_class})
        fact.text = line
        facts_lines.append(fact)
    document = xhtml.translate_report(arranged, css=css, contents=True, title_page=facts_lines)
    head = document.html.find("head")
    assert head is not None
    # The print facts, so a check knows the profile and colours it was made with.
    for name, value in facts.PrintFacts.of(options).values().items():
        etree.SubElement(head, "meta", name=f"converter:{name}", content=value)
    return xhtml.serialize_html(document.html)


def describe(payload: bytes, options: Options) -> str:
    profile = profiles.print_profile(options)
    return (
        f"accessible HTML (WCAG 2.2 AA), {profile.label} {profile.font_size:g} pt, "
        f"{edition.colour_words(profile.colours)}"
    )
