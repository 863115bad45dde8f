"""The staff web pages end to end in a real headless Chromium, with axe-core on every page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SAMPLE
from service_server import Server, make_server

from converter import Options
from converter.check import browser, check_file
from converter.check.html import AXE_TAGS, axe_script

SCREENSHOT = REPO / "docs" / "service-request.png"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(tmp_path_factory.mktemp("web"), [SAMPLE], extra=["--workers", "2"]).start()
    yield server
    server.stop()


@pytest.fixture()
def page() -> Iterator[Any]:
    reason = browser.missing()
    assert reason is None, reason  # a missing browser fails the test, never skips it
    # The process's one Playwright (the HTML checks use it too): a second one would clash.
    context = browser.browser().new_context(
        accept_downloads=True, viewport={"width": 1100, "height": 900}
    )
    page = context.new_page()
    # Conversions (with their validators) run while the page waits: allow for a busy machine.
    page.set_default_timeout(240_000)
    page.set_default_navigation_timeout(240_000)
    # The pages' own Content-Security-Policy must never block anything of theirs.
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert refused == [], refused


def assert_no_axe_violations(page: Any) -> None:
    script = axe_script()
    assert script is not None, "axe-core is missing: run scripts/setup.sh"
    # After a click that navigates, the next page may not have its document yet: a busy
    # machine showed a null <head> to add_script_tag.
    page.wait_for_load_state("load")
    page.wait_for_function("() => document.head !== null && document.body !== null")
    # Evaluated by the browser's debugger, as a tester's tool: the page's policy refuses
    # inline scripts (add_script_tag), as it should.
    page.evaluate(script.read_text(encoding="utf-8"))
    report = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        list(AXE_TAGS),
    )
    problems = [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in report["violations"]
    ]
    assert problems == [], f"{page.url}: {problems}"


def wait_until_ready(page: Any) -> None:
    page.wait_for_selector(
        "#job-status[data-status='done'], #job-status[data-status='failed']", timeout=240_000
    )
    assert page.locator("#job-status").get_attribute("data-status") == "done", page.content()


def test_request_24pt_on_cream_as_pdf_and_get_a_pdf_ua_file(
    server: Server, page: Any, tmp_path: Path, accept: bool
) -> None:
    page.goto(server.url)
    assert_no_axe_violations(page)
    page.get_by_label("Search by title, body inspected or date").fill("Warwickshire")
    page.get_by_role("button", name="Search").click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Request a copy of Inspection of Warwickshire").click()
    page.get_by_label("Print profile").select_option("large-24")
    page.get_by_label("Black on cream").check()
    assert page.get_by_label("Large-print PDF").is_checked()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Preview the first page").click()
    preview = page.get_by_role("img", name="The first page of the copy, set in 24 point type")
    preview.wait_for(timeout=240_000)
    # Visible is not loaded: wait for the image itself to arrive and decode.
    page.wait_for_function(
        "() => { const img = document.querySelector('.preview img');"
        " return img !== null && img.complete && img.naturalWidth > 100; }"
    )
    assert_no_axe_violations(page)
    # The README's screenshot: rewritten with --accept, like the golden files.
    page.screenshot(path=str(SCREENSHOT if accept else tmp_path / SCREENSHOT.name), full_page=True)
    page.get_by_role("button", name="Request copy").click()
    wait_until_ready(page)
    assert_no_axe_violations(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download Large-print PDF").click()
    target = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(target)
    assert target.suffix == ".pdf"
    report = check_file(target, Options(profile="large-24", colours="black-on-cream"))
    verapdf = [r for r in report.results if r.name.startswith("verapdf")]
    assert verapdf and all(r.status == "pass" for r in verapdf), report.to_text()
    assert report.passed, report.to_text()


def test_upload_a_text_file_and_get_an_epub(server: Server, page: Any, tmp_path: Path) -> None:
    source = tmp_path / "parish-report.txt"
    source.write_text(
        "Annual report of Littleton Parish Council\n\nOur year\n\n"
        "The council repaired the footpaths and opened a new play area.\n\n"
        "What we will do next\n\n- Improve street lighting.\n- Publish minutes sooner.\n",
        encoding="utf-8",
    )
    page.goto(server.url)
    page.get_by_label("Report file").set_input_files(str(source))
    page.get_by_role("button", name="Upload").click()
    page.get_by_label("Large-print PDF").uncheck()
    page.get_by_label("EPUB 3 e-book").check()
    page.get_by_role("button", name="Request copy").click()
    wait_until_ready(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download EPUB 3 e-book").click()
    target = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(target)
    assert target.suffix == ".epub"
    report = check_file(target)
    epubcheck = [r for r in report.results if "epubcheck" in r.name.lower()]
    assert epubcheck and all(r.status == "pass" for r in epubcheck), report.to_text()
    page.goto(f"{server.url}/jobs")
    assert page.get_by_role("link", name="parish-report.txt: epub").is_visible()
    assert_no_axe_violations(page)


def test_error_pages_are_accessible_too(server: Server, page: Any) -> None:
    page.goto(f"{server.url}/jobs/no-such-job")
    assert page.get_by_role("alert").inner_text().strip() == "no such request"
    assert_no_axe_violations(page)


def test_request_form_without_a_format_says_so(server: Server, page: Any) -> None:
    page.goto(server.url)
    page.get_by_role("link", name="Request a copy of Inspection of Warwickshire").click()
    page.get_by_label("Large-print PDF").uncheck()
    page.get_by_role("button", name="Request copy").click()
    assert "Choose at least one format." in page.get_by_role("alert").inner_text()
    assert_no_axe_violations(page)


def test_sign_in_page_is_accessible(tmp_path: Path, page: Any) -> None:
    server = make_server(tmp_path, [SAMPLE], tokens="staff:staff-token-0123456789").start()
    try:
        page.goto(f"{server.url}/jobs")
        assert page.url.endswith("/sign-in?next=/jobs")
        assert_no_axe_violations(page)
        page.get_by_label("Your name").fill("staff")
        page.get_by_label("Access token").fill("wrong-token")
        page.get_by_role("button", name="Sign in").click()
        assert "do not match" in page.get_by_role("alert").inner_text()
        assert_no_axe_violations(page)
        page.get_by_label("Your name").fill("staff")
        page.get_by_label("Access token").fill("staff-token-0123456789")
        page.get_by_role("button", name="Sign in").click()
        assert page.url.endswith("/jobs")
        assert_no_axe_violations(page)
    finally:
        server.stop()
