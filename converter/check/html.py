"""Checks for the accessible HTML page: self-contained, structured, and axe-core in Chromium."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from lxml import etree, html

from converter.check import CheckResult, browser
from converter.options import Options

# scripts/setup.sh installs the Node validators inside the virtual environment.
AXE = Path(sys.prefix) / "node" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
_URL_ATTRIBUTES = ("src", "srcset", "poster", "data", "action", "formaction")
_CSS_URL = re.compile(r"url\(\s*['\"]?(?!data:)([^'\")]+)", re.IGNORECASE)


def axe_script() -> Path | None:
    """axe.min.js from the project's Node tools (scripts/setup.sh installs it)."""
    return AXE if AXE.exists() else None


def check(path: Path, options: Options) -> list[CheckResult]:
    data = path.read_bytes()
    started = time.perf_counter()
    try:
        document = html.document_fromstring(data)
    except (etree.ParserError, ValueError) as error:
        return [CheckResult.of("html-parse", "HTML5", [f"cannot be parsed: {error}"])]
    results = [
        CheckResult.of(
            "html-self-contained",
            "converter: one page, nothing fetched",
            self_contained_findings(document),
            seconds=time.perf_counter() - started,
        ),
        CheckResult.of(
            "html-structure",
            "WCAG 2.2 1.3.1, 2.4.2, 3.1.1: language, title, landmarks, headings, table headers",
            structure_findings(document),
        ),
        axe_result(data.decode("utf-8", errors="replace")),
    ]
    return results


def self_contained_findings(document: html.HtmlElement) -> list[str]:
    findings = []
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "script":
            findings.append("a <script> element")
        if element.tag == "link" and element.get("href"):
            findings.append(f"<link href={element.get('href')!r}>: an external resource")
        for name in _URL_ATTRIBUTES:
            value = str(element.get(name) or "")
            if value and not value.startswith("data:"):
                findings.append(f"<{element.tag} {name}={value!r}>: an external resource")
        for name in element.attrib:
            if name.lower().startswith("on"):
                findings.append(f"<{element.tag} {name}>: an event handler")
    for style in document.iter("style"):
        for url in _CSS_URL.findall(style.text or ""):
            findings.append(f"CSS url({url}): an external resource")
    return findings


def structure_findings(document: html.HtmlElement) -> list[str]:
    findings = []
    if not (document.get("lang") or "").strip():
        findings.append("no lang on <html>")
    title = document.findtext(".//head/title") or ""
    if not title.strip():
        findings.append("no <title>")
    if len(document.findall(".//main")) != 1:
        findings.append("not exactly one <main>")
    if len(document.findall(".//h1")) != 1:
        findings.append("not exactly one <h1>")
    previous = 0
    for heading in document.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        level = int(heading.tag[1])
        if level > previous + 1:
            findings.append(
                f"heading level skips from h{previous} to h{level}: {heading.text_content()[:60]!r}"
            )
        previous = level
    for th in document.iter("th"):
        if th.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
            findings.append(f"<th> without scope: {th.text_content()[:60]!r}")
    for underline in document.iter("u"):
        findings.append(
            f"<u>: underlining is not used for emphasis: {underline.text_content()[:60]!r}"
        )
    return findings


def axe_result(text: str) -> CheckResult:
    name, standard = "axe-core", "WCAG 2.x A and AA plus best practice, axe-core in Chromium"
    reason = browser.missing() or (None if axe_script() else f"{AXE} is missing (scripts/setup.sh)")
    if reason:
        return CheckResult(name, standard, "not-run", (reason,))
    started = time.perf_counter()
    violations = run_axe(text)
    return CheckResult.of(name, standard, violations, seconds=time.perf_counter() - started)


def run_axe(text: str) -> list[str]:
    """axe-core's violations on a page, one line each: rule, impact, count, first target."""
    script = axe_script()
    assert script is not None
    page = browser.browser().new_page()
    try:
        page.set_content(text, wait_until="load")
        page.add_script_tag(content=script.read_text(encoding="utf-8"))
        report = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            list(AXE_TAGS),
        )
    finally:
        page.context.close()
    findings = []
    for violation in report["violations"]:
        nodes = violation["nodes"]
        target = nodes[0]["target"] if nodes else ""
        findings.append(
            f"{violation['id']} ({violation.get('impact')}, {len(nodes)}x): {violation['help']} at {target}"
        )
    return findings
