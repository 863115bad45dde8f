"""Staff review a report's structure in a real headless Chromium, by keyboard alone, with
axe-core on every page: a report with planted findings stops at needs review, each kind of
fix is applied from its button, the preview of the copy changes with each, the structure
is edited by hand for what no button covers, the copies made are the corrected ones and
pass `convert check`, and a second request reuses the reviewed structure."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REPO, SAMPLE
from lxml import etree
from service_server import Server, make_server
from test_service_browser import assert_no_axe_violations
from test_service_review import correct_by_hand

from converter import Options, fixes, review, tree
from converter.check import browser, check_file

PLANTED = FIXTURES / "xml" / "review-planted.xml"
GRADE_LINE = FIXTURES / "text" / "review-grade-line-after-its-heading.txt"
SCREENSHOT = REPO / "docs" / "service-review.png"
TOKEN = "staff-token-0123456789"
DESCRIPTION = "The parish hall seen from the green, its doors open."

#: The focused element: its tag, accessible name (its label's text, else its own), and
#: the rule of the finding it belongs to.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const label = e.labels && e.labels.length ? e.labels[0].innerText : null;
  const name = (label || e.getAttribute('aria-label') || e.innerText || '').replace(/\\s+/g, ' ').trim();
  const finding = e.closest('section.finding');
  return {tag: e.tagName.toLowerCase(), name: name, id: e.id, rule: finding ? finding.dataset.rule : null};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(
        tmp_path_factory.mktemp("review-web"),
        [PLANTED, SAMPLE],
        tokens=f"staff:{TOKEN}",
        extra=["--workers", "2"],
    ).start()
    yield server
    server.stop()


@pytest.fixture()
def page(server: Server) -> Iterator[Any]:
    reason = browser.missing()
    assert reason is None, reason  # a missing browser fails the test, never skips it
    context = browser.browser().new_context(
        accept_downloads=True, viewport={"width": 1100, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(240_000)
    page.set_default_navigation_timeout(240_000)
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in(page, server)
    yield page
    context.close()
    assert refused == [], refused


def tab_to(
    page: Any, name: str, *, rule: str | None = None, tag: str | None = None, limit: int = 400
) -> dict[str, Any]:
    """Press Tab until the focused element's accessible name starts with ``name`` (in the
    finding of ``rule``, if given): what a keyboard user does, and proof it can be reached."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused: dict[str, Any] | None = page.evaluate(FOCUSED)
        if (
            focused is not None
            and focused["name"].startswith(name)
            and (rule is None or focused["rule"] == rule)
            and (tag is None or focused["tag"] == tag)
        ):
            return focused
    raise AssertionError(f"Tab never reached {name!r} ({rule}) on {page.url}")


def press_and_load(page: Any, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("load")


def sign_in(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/sign-in")
    assert_no_axe_violations(page)
    tab_to(page, "Your name")
    page.keyboard.type("staff")
    tab_to(page, "Access token")
    page.keyboard.type(TOKEN)
    press_and_load(page)
    assert page.url.rstrip("/") == server.url


def wait_for_status(page: Any, *statuses: str) -> str:
    """The job page reloads itself while the job is queued or running (job.js)."""
    selector = ", ".join(f"#job-status[data-status='{s}']" for s in (*statuses, "failed"))
    page.wait_for_selector(selector, timeout=240_000)
    status = str(page.locator("#job-status").get_attribute("data-status"))
    assert status in statuses, page.content()
    return status


def request_copy(page: Any, server: Server, title: str, formats: dict[str, bool]) -> None:
    """From the library, by keyboard: the report's request link, the formats, Request copy."""
    page.goto(server.url)
    tab_to(page, f"Request a copy of {title}", tag="a")
    press_and_load(page)
    for label, wanted in formats.items():
        focused = tab_to(page, label, tag="input")
        if page.locator(f"#{focused['id']}").is_checked() != wanted:
            page.keyboard.press("Space")
    tab_to(page, "Request copy", tag="button")
    press_and_load(page)


def preview_bytes(page: Any) -> bytes:
    """The preview's image as the page shows it, once it has arrived."""
    page.wait_for_function(
        "() => { const img = document.querySelector('.preview img');"
        " return img !== null && img.complete && img.naturalWidth > 100; }"
    )
    source = page.evaluate("document.querySelector('.preview img').src")  # absolute
    response = page.request.get(source)
    assert response.ok
    return bytes(response.body())


def download(page: Any, name: str, target: Path) -> Path:
    tab_to(page, name, tag="a")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    path = target / info.value.suggested_filename
    info.value.save_as(path)
    return path


def findings_on(page: Any) -> list[str]:
    return [str(r) for r in page.locator("section.finding").evaluate_all(
        "sections => sections.map(s => s.dataset.rule)"
    )]  # fmt: skip


def test_planted_findings_reviewed_by_keyboard_and_the_corrected_copy_sent(
    server: Server, page: Any, tmp_path: Path, accept: bool
) -> None:
    title = "Review of the effectiveness of the parish safeguarding board1"
    assert_no_axe_violations(page)  # the library, signed in
    request_copy(page, server, title, {"Large-print PDF": True, "Canonical XML": True})
    # Held: the job waits for a review, and says so.
    wait_for_status(page, "needs-review")
    assert "Needs review" in page.locator("#job-status").inner_text()
    assert_no_axe_violations(page)
    job_url = page.url
    tab_to(page, "Review the structure of review-planted.xml", tag="a")
    press_and_load(page)
    assert_no_axe_violations(page)
    assert len(findings_on(page)) == 16
    assert page.locator("#review-status").get_attribute("aria-live") == "polite"
    # Each finding shows what was recovered, and where it stands in the source.
    planted_heading = page.locator("section.finding[data-rule='heading-grade-line']")
    assert "Grade 4 (inadequate)" in planted_heading.locator(".blocks").inner_text()
    assert "Line 21 (the report came as canonical XML" in planted_heading.inner_text()

    applied: set[str] = set()
    changes = 0
    previous_preview = b""
    while True:
        fixable = page.locator("section.finding:has(form.fix)")
        if fixable.count() == 0:
            break
        section = fixable.first
        rule = str(section.get_attribute("data-rule"))
        button = section.locator("form.fix button")
        label = " ".join(button.inner_text().split()).split(" (finding")[0]
        kind = str(section.locator("input[name='kind']").get_attribute("value"))
        if kind == "lines-to-table":
            # A value set by keyboard: four columns, the first row no header.
            tab_to(page, "Columns", rule=rule, tag="input")
            page.keyboard.press("Control+A")
            page.keyboard.type("4")
        if kind == "paragraph-to-heading":
            focused = tab_to(page, "Heading level", rule=rule, tag="select")
            assert page.locator(f"#{focused['id']}").input_value() == "1"
        if kind == "set-grade":
            focused = tab_to(page, "Grade", rule=rule, tag="select")
            assert page.locator(f"#{focused['id']}").input_value() == "inadequate"
        if kind == "describe-image":
            # Its words typed by keyboard: never invented, so the field starts empty.
            focused = tab_to(page, "What the image shows", rule=rule, tag="textarea")
            assert page.locator(f"#{focused['id']}").input_value() == ""
            page.keyboard.type(DESCRIPTION)
        before = findings_on(page)
        tab_to(page, label, rule=rule, tag="button")
        press_and_load(page)
        # The change is announced: the status message has the focus and says what changed.
        focused = page.evaluate(FOCUSED)
        assert focused is not None and focused["id"] == "review-status", focused
        assert page.locator("#review-status").inner_text().strip(), page.content()
        after = findings_on(page)
        assert len(after) < len(before), (rule, before, after)
        image = preview_bytes(page)
        assert image != previous_preview, f"the preview did not change after {kind}"
        previous_preview = image
        if not applied:
            assert_no_axe_violations(page)  # the page with its first preview
            # The README's picture of the review page: rewritten with --accept.
            shot = SCREENSHOT if accept else tmp_path / SCREENSHOT.name
            page.screenshot(
                path=str(shot), clip={"x": 0, "y": 0, "width": 1100, "height": 2000}, full_page=True
            )
        applied.add(kind)
        changes += 1
    assert applied == set(fixes.KINDS)
    assert sorted(findings_on(page)) == ["long-running-head", "pending-changes", "two-contents"]
    # The source's tracked changes: no button, and what to do instead.
    pending = page.locator("section.finding[data-rule='pending-changes']")
    assert "Check with its author" in pending.inner_text()
    assert "The document as a whole" in pending.inner_text()
    assert_no_axe_violations(page)

    # Edit the structure: download it, correct it; a broken file is refused with a list.
    structure = download(page, "Download the structure", tmp_path)
    broken = tmp_path / "broken.xml"
    broken.write_bytes(
        structure.read_bytes().replace(b"<kind>generic</kind>", b"<kind>novel</kind>")
    )
    tab_to(page, "Corrected structure", tag="input")
    page.locator("#structure-file").set_input_files(str(broken))  # a file chooser: no keys
    tab_to(page, "Upload the corrected structure", tag="button")
    press_and_load(page)
    problem = page.locator("#review-problem")
    assert "not valid canonical XML" in problem.inner_text()
    assert problem.locator("li").count() >= 1 and "novel" in problem.inner_text()
    assert page.evaluate(FOCUSED)["id"] == "review-problem"
    assert_no_axe_violations(page)
    corrected = tmp_path / "corrected.xml"
    corrected.write_bytes(correct_by_hand(structure.read_bytes()))
    tab_to(page, "Corrected structure", tag="input")
    page.locator("#structure-file").set_input_files(str(corrected))
    tab_to(page, "Upload the corrected structure", tag="button")
    press_and_load(page)
    assert findings_on(page) == ["pending-changes"]
    assert_no_axe_violations(page)

    # Approve, sending the tracked changes as they are: the copies are made from the
    # corrected structure.
    approve = page.locator("section[aria-labelledby='approve-heading']")
    assert "Sent as is: 1 finding will be left as it is" in approve.inner_text()
    assert "Tracked changes still pending" in approve.inner_text()
    tab_to(page, "Approve the structure and make the copies", tag="button")
    press_and_load(page)
    wait_for_status(page, "done")
    assert "Made from the structure reviewed by staff" in page.content()
    assert_no_axe_violations(page)
    xml = download(page, "Download Canonical XML", tmp_path)
    pdf = download(page, "Download Large-print PDF", tmp_path)
    copy = etree.parse(str(xml)).getroot()
    assert [f.rule for f in review.review(copy)] == ["pending-changes"]
    assert tree.schema_errors(copy) == []
    assert copy.findtext(".//figure[@id='figure-1']/description") == DESCRIPTION
    assert copy.find(".//table") is not None and copy.find(".//noteref") is not None
    assert tree.serialize(copy) == tree.serialize(etree.fromstring(corrected.read_bytes()))
    # The copy that goes out passes every check.  Its structure is valid, and its review
    # still names the one finding sent as is: the source's tracked changes are a fact about
    # the source, which no correction of the tree can (or should) hide.
    report = check_file(pdf, Options())
    assert report.passed, report.to_text()
    structure_checks = {r.name: r for r in check_file(xml, Options()).results}
    assert structure_checks["canonical-schema"].status == "pass"
    assert [line.split("]")[0] for line in structure_checks["structure-review"].details] == [
        "[pending-changes"
    ]
    checked = subprocess.run(
        [sys.executable, "-m", "converter", "check", str(pdf)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout

    # The history: who changed what, and when.
    tab_to(page, "its history", tag="a")
    press_and_load(page)
    assert_no_axe_violations(page)
    rows = page.locator("tbody tr")
    assert rows.count() == 1 + changes + 2  # started, each fix, the upload, the approval
    assert all("staff" in rows.nth(i).inner_text() for i in range(rows.count()))
    last = rows.nth(rows.count() - 1).inner_text()
    assert "sent as is with 1 finding(s) left: Tracked changes still pending" in last

    # The library says who reviewed it; a second request is made from the reviewed tree.
    page.goto(server.url)
    row = page.locator("tr", has_text=title)
    assert "Reviewed by staff" in row.inner_text()
    assert_no_axe_violations(page)
    request_copy(
        page,
        server,
        title,
        {"Large-print PDF": False, "Canonical XML": True, "Web page (HTML)": True},
    )
    wait_for_status(page, "done")
    assert page.url != job_url and "Made from the structure reviewed by staff" in page.content()
    (tmp_path / "second").mkdir()
    again = download(page, "Download Canonical XML", tmp_path / "second")
    assert again.read_bytes() == xml.read_bytes()
    assert_no_axe_violations(page)


def test_a_text_reports_finding_beside_its_source_lines(
    server: Server, page: Any, tmp_path: Path
) -> None:
    page.goto(server.url)
    tab_to(page, "Report file", tag="input")
    page.locator("#file").set_input_files(str(GRADE_LINE))  # a file chooser: no keys
    tab_to(page, "Upload", tag="button")
    press_and_load(page)
    focused = tab_to(page, "Large-print PDF", tag="input")
    assert page.locator(f"#{focused['id']}").is_checked()
    tab_to(page, "Request copy", tag="button")
    press_and_load(page)
    wait_for_status(page, "needs-review")
    tab_to(page, "Review the structure", tag="a")
    press_and_load(page)
    assert_no_axe_violations(page)
    finding = page.locator("section.finding[data-rule='heading-grade-line']")
    lines = finding.get_by_role("table", name="Source lines of finding 1")
    assert lines.locator("tbody th").first.inner_text() == "5"
    assert "Grade 4 (inadequate)" in lines.inner_text()
    assert "Heading, level 1" in finding.locator(".blocks").inner_text()
    focused = tab_to(page, "Grade", rule="heading-grade-line", tag="select")
    page.keyboard.press("ArrowUp")  # a grade chosen by keyboard: requires improvement
    assert page.locator(f"#{focused['id']}").input_value() == "requires-improvement"
    tab_to(page, "Set the section's grade", rule="heading-grade-line", tag="button")
    press_and_load(page)
    assert "Overall effectiveness" in page.locator("#review-status").inner_text()
    assert findings_on(page) == []
    preview_bytes(page)
    assert "Overall effectiveness" in str(page.locator(".preview img").get_attribute("alt"))
    assert_no_axe_violations(page)
    tab_to(page, "Approve the structure and make the copies", tag="button")
    press_and_load(page)
    wait_for_status(page, "done")
    pdf = download(page, "Download Large-print PDF", tmp_path)
    assert check_file(pdf, Options()).passed
