"""Print profiles and colour schemes: sizes, labels, contrast, and the stylesheets they fill."""

from __future__ import annotations

import re

import pytest

from converter import Options, profiles, resources
from converter.errors import UsageError
from converter.writers import html as html_writer


def relative_luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: str, two: str) -> float:
    """WCAG 2.x contrast ratio of two #rrggbb colours."""
    light, dark = sorted((relative_luminance(one), relative_luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("scheme", profiles.colour_names())
def test_every_colour_scheme_meets_7_to_1(scheme: str) -> None:
    profile = profiles.print_profile(Options(colours=scheme))
    assert contrast(profile.foreground, profile.background) >= 7.0
    assert contrast(profile.link, profile.background) >= 7.0


def test_the_five_schemes_and_five_profiles() -> None:
    assert profiles.colour_names() == [
        "black-on-white",
        "black-on-cream",
        "black-on-yellow",
        "yellow-on-black",
        "white-on-black",
    ]
    sizes = {name: size for name, _, size in profiles.describe_profiles()}
    assert sizes == {"clear-14": 14, "large-16": 16, "large-18": 18, "large-24": 24, "giant-32": 32}
    assert profiles.print_profile(Options()).font_size == 18


@pytest.mark.parametrize(
    ("options", "label"),
    [
        (Options(profile="clear-14"), "clear print"),
        (Options(profile="large-16"), "large print"),
        (Options(), "large print"),
        (Options(profile="giant-32"), "giant print"),
        (Options(font_size=15), "clear print"),
        (Options(font_size=12), "clear print"),
        (Options(profile="clear-14", font_size=20), "large print"),
    ],
)
def test_labels(options: Options, label: str) -> None:
    assert profiles.print_profile(options).label == label


def test_below_12_is_refused() -> None:
    with pytest.raises(UsageError, match="12"):
        Options(font_size=11.5)


@pytest.mark.parametrize("profile", profiles.profile_names())
@pytest.mark.parametrize("medium", ["print", "screen"])
def test_stylesheets_fill_every_value(profile: str, medium: str) -> None:
    options = Options(profile=profile, paper="A3", colours="yellow-on-black", line_spacing=1.6)
    print_profile = profiles.print_profile(options)
    css = html_writer.stylesheet(
        print_profile, medium, {"regular": "r.ttf", "bold": "b.ttf"}, running_head='A "head"'
    )
    assert "$" not in css
    assert f"font-size: {print_profile.font_size:g}pt" in css
    assert "line-height: 1.6" in css
    assert "#ffff00" in css and "#000000" in css
    assert "text-align: left" in css and "justify" not in css
    assert re.search(r"em, i,[^{]*\{ font-style: normal; font-weight: bold; \}", css)
    if medium == "print":
        assert "size: A3" in css
        assert 'content: "A \\000022head\\000022"' in css  # document text escaped


def test_css_string_cannot_escape() -> None:
    escaped = html_writer.css_string('a"; } @import url(x); \\')
    assert '"' not in escaped and ";" not in escaped and "}" not in escaped
    assert escaped.startswith("a\\000022\\00003b ")


def test_styles_and_fonts_are_packaged() -> None:
    for name in ("base.css", "print.css", "screen.css", "profiles.toml"):
        assert resources.read_text(name)
    names = {path.name for path in resources.font_files()}
    assert {"AtkinsonHyperlegible-Regular.ttf", "AtkinsonHyperlegible-Bold.ttf"} <= names
