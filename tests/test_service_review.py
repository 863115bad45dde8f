"""Staff review a report's structure through the JSON API, against a real `convert serve`:
a report with planted findings waits at needs-review, each fix is applied and audited, a
corrected structure is validated, approval makes the copies, later requests reuse the
reviewed structure, the fixes work as a patch file on the command line, and a restart in
the middle of a review loses nothing."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import FIXTURES, SAMPLE
from lxml import etree
from service_server import Server, make_server, wait_for_job
from support import word

from converter import fixes, review, tree

PLANTED = FIXTURES / "xml" / "review-planted.xml"
TOKENS = "alice:alice-token-0123456789,bob:bob-token-0123456789ab"
ALICE = {"Authorization": "Bearer alice-token-0123456789"}
BOB = {"Authorization": "Bearer bob-token-0123456789ab"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(
        tmp_path_factory.mktemp("review"),
        [PLANTED, SAMPLE],
        tokens=TOKENS,
        extra=["--workers", "2"],
    ).start()
    yield server
    server.stop()


def client(server: Server, headers: dict[str, str]) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers=headers, timeout=300)


def report_id(c: httpx.Client, name: str) -> str:
    return next(r["id"] for r in c.get("/api/reports").json() if r["name"] == name)


def wait_for_status(c: httpx.Client, url: str, wanted: str, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = c.get(url).json()
        if job["status"] not in ("queued", "running"):
            assert job["status"] == wanted, job
            return job
        time.sleep(0.3)
    raise AssertionError(f"{url} still in progress after {timeout} s")


def upload(c: httpx.Client, name: str, data: bytes) -> str:
    response = c.post("/api/uploads", files={"file": (name, data, "application/xml")})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def held_job(c: httpx.Client, upload_id: str, formats: list[str]) -> dict[str, Any]:
    created = c.post("/api/jobs", json={"upload": upload_id, "formats": formats})
    assert created.status_code == 202, created.text
    return wait_for_status(c, created.json()["url"], "needs-review")


#: What a person writes for the planted image without a description (never invented).
DESCRIPTION = "The parish hall seen from the green, its doors open."


def fix_of(finding: dict[str, Any], version: int) -> dict[str, Any]:
    """A finding's suggested fix sent back, with what a person fills in where it asks."""
    fix = finding["fix"]
    detail = dict(fix["detail"])
    if fix["kind"] == "describe-image":
        assert [i["name"] for i in fix["inputs"]] == ["description", "decorative"]
        detail["description"] = DESCRIPTION
    return {
        "kind": fix["kind"],
        "target": fix["target"],
        "detail": detail,
        "src": fix["src"],
        "version": version,
    }


def test_the_openapi_document_describes_the_review(server: Server) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/jobs/{job_id}/review",
        "/api/jobs/{job_id}/review/fixes",
        "/api/jobs/{job_id}/review/structure",
        "/api/jobs/{job_id}/review/approve",
        "/api/jobs/{job_id}/review/audit",
    } <= paths
    assert {"get", "post"} <= set(spec["paths"]["/api/jobs/{job_id}/review/fixes"])
    assert {"get", "put"} <= set(spec["paths"]["/api/jobs/{job_id}/review/structure"])
    schemas = spec["components"]["schemas"]
    assert "join-next" in schemas["FixRequest"]["properties"]["kind"]["description"]
    assert "send_as_is" in schemas["JobRequest"]["properties"]
    assert "needs-review" in schemas["JobInfo"]["properties"]["status"]["description"]


def test_each_fix_through_the_api_with_its_audit_record(server: Server, tmp_path: Path) -> None:
    with client(server, ALICE) as alice:
        job = held_job(alice, upload(alice, "planted.xml", PLANTED.read_bytes()), ["xml", "html"])
        assert job["outputs"] == [] and job["review"]["status"] == "in-review"
        assert len(job["warnings"]) == 16
        review_url = f"/api/jobs/{job['id']}/review"
        state = alice.get(review_url).json()
        assert state["version"] == 1 and len(state["findings"]) == 16
        first = state["findings"][0]
        assert first["blocks"] and first["line"].startswith("line ")
        # An image without a description: the image as recovered, a field for its words.
        image = next(f for f in state["findings"] if f["rule"] == "image-without-description")
        assert image["blocks"][0]["what"] == "Image"
        assert "\u201cPicture 3\u201d" in image["blocks"][0]["text"]
        assert "with no description" in image["blocks"][0]["text"]
        assert image["fix"]["kind"] == "describe-image" and image["fix"]["detail"] == {}
        # Tracked changes: about the source as a whole, and no button puts them right.
        pending = next(f for f in state["findings"] if f["rule"] == "pending-changes")
        assert pending["blocks"] == [] and pending["source"] == [] and pending["fix"] is None
        # Page furniture has no id: the finding shows the furniture itself, not the title.
        head = next(f for f in state["findings"] if f["rule"] == "long-running-head")
        assert [b["what"] for b in head["blocks"]] == ["Page furniture (running footer)"]
        kinds: set[str] = set()
        applied = 0
        while todo := [f for f in state["findings"] if f["fix"]]:
            finding = todo[0]
            version = state["version"]
            response = alice.post(f"{review_url}/fixes", json=fix_of(finding, version))
            assert response.status_code == 200, response.text
            state = response.json()
            assert state["version"] == version + 1
            kinds.add(finding["fix"]["kind"])
            applied += 1
            # Its finding is gone; the page that shows the change was drawn.
            assert (finding["rule"], finding["element"]) not in {
                (f["rule"], f["element"]) for f in state["findings"]
            }
            assert state["preview"]["version"] == version + 1
            image = alice.get(state["preview"]["url"])
            assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
        assert kinds == set(fixes.KINDS)
        assert {f["rule"] for f in state["findings"]} == {
            "two-contents",
            "long-running-head",
            "pending-changes",
        }
        # Every change audited: who, when, what, from which version to which.
        audit = alice.get(f"{review_url}/audit").json()
        assert audit[0]["action"] == "review-started" and audit[0]["who"] == "alice"
        changes = audit[1:]
        assert len(changes) == applied == 12 and all(r["who"] == "alice" for r in changes)
        assert [r["version_after"] for r in changes] == list(range(2, 2 + applied))
        described = next(r for r in changes if r["action"] == "describe-image")
        assert described["detail"]["detail"]["description"] == DESCRIPTION
        assert DESCRIPTION[:20] in described["summary"]
        assert all(r["at"] >= audit[0]["at"] and r["summary"] for r in changes)
        assert {r["action"] for r in changes} == set(fixes.KINDS)
        # The fixes as a patch file: the command line applies them to the same source.
        patch = alice.get(f"{review_url}/fixes")
        assert patch.status_code == 200
        source = tmp_path / "planted.xml"
        source.write_bytes(PLANTED.read_bytes())
        (tmp_path / "planted.fixes.json").write_bytes(patch.content)
        out = tmp_path / "out"
        out.mkdir()
        cli = subprocess.run(
            [sys.executable, "-m", "converter", str(source), "--to", "xml", "-o", str(out),
             "--fixes", str(tmp_path / "planted.fixes.json")],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert cli.returncode == 0, cli.stderr
        structure = alice.get(f"{review_url}/structure")
        assert structure.status_code == 200
        assert etree.fromstring(structure.content).find("body") is not None
        assert canonical(out / "planted.xml") == canonical_bytes(structure.content)
        # A patch against a changed source is refused, on the command line too.
        source.write_bytes(PLANTED.read_bytes().replace(b"youth club", b"youth centre"))
        refused = subprocess.run(
            [sys.executable, "-m", "converter", str(source), "--to", "xml", "-o", str(out),
             "--fixes", str(tmp_path / "planted.fixes.json")],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert refused.returncode == 1 and "the source has changed" in refused.stderr


def canonical(path: Path) -> bytes:
    return canonical_bytes(path.read_bytes())


def canonical_bytes(data: bytes) -> bytes:
    return tree.serialize(etree.fromstring(data, tree.safe_parser()))


def test_refused_changes_say_why_and_change_nothing(server: Server) -> None:
    with client(server, ALICE) as alice:
        data = PLANTED.read_bytes().replace(b"parish", b"village")
        job = held_job(alice, upload(alice, "village.xml", data), ["xml"])
        url = f"/api/jobs/{job['id']}/review"
        state = alice.get(url).json()
        finding = next(f for f in state["findings"] if f["fix"])
        # A stale version: someone else's change came first.
        stale = alice.post(f"{url}/fixes", json=fix_of(finding, state["version"] + 5))
        assert stale.status_code == 409 and "changed since version" in stale.json()["error"]
        # A fix that does not fit.
        wrong = alice.post(f"{url}/fixes", json={"kind": "join-next", "target": "para-404"})
        assert wrong.status_code == 422 and "no element 'para-404'" in wrong.json()["error"]
        unknown = alice.post(f"{url}/fixes", json={"kind": "explode", "target": "para-1"})
        assert unknown.status_code == 422 and "unknown fix 'explode'" in unknown.json()["error"]
        # A structure that is not valid: every schema error listed.
        current = alice.get(f"{url}/structure").content
        broken = current.replace(b"<kind>generic</kind>", b"<kind>novel</kind>").replace(
            b'<p id="para-4"', b'<p id="para-4" colour="red"'
        )
        invalid = alice.put(f"{url}/structure", content=broken)
        assert invalid.status_code == 422
        body = invalid.json()
        assert body["error"] == "the file is not valid canonical XML"
        assert len(body["errors"]) >= 2 and any("colour" in e for e in body["errors"])
        assert all(e.split(" ")[0].rstrip(":").isdigit() for e in body["errors"])  # its line
        # The structure of other bytes: refused.
        other = etree.fromstring(current)
        other.find("meta/source").set("sha256", "1" * 64)  # type: ignore[union-attr]
        mismatched = alice.put(f"{url}/structure", content=etree.tostring(other))
        assert mismatched.status_code == 422
        assert "another version of the source" in mismatched.json()["error"]
        after = alice.get(url).json()
        assert after["version"] == state["version"]
        assert [r["action"] for r in alice.get(f"{url}/audit").json()] == ["review-started"]


def test_edit_the_structure_then_approve_and_a_second_request_reuses_it(server: Server) -> None:
    with client(server, ALICE) as alice, client(server, BOB) as bob:
        report = report_id(alice, PLANTED.name)
        created = alice.post("/api/jobs", json={"report": report, "formats": ["xml", "html"]})
        job = wait_for_status(alice, created.json()["url"], "needs-review")
        url = f"/api/jobs/{job['id']}/review"
        # The library's review is everyone's: bob's request for the same report joins it.
        bobs = bob.post("/api/jobs", json={"report": report, "formats": ["xml"]}).json()
        assert bobs["status"] == "needs-review" and bobs["review"]["id"] == job["review"]["id"]
        listed = next(r for r in alice.get("/api/reports").json() if r["name"] == PLANTED.name)
        assert listed["review"]["status"] == "in-review"
        # Edit the structure: bob corrects what no button covers (through his own request).
        current = bob.get(f"/api/jobs/{bobs['id']}/review/structure").content
        corrected = correct_by_hand(current)
        put = bob.put(f"/api/jobs/{bobs['id']}/review/structure", content=corrected)
        assert put.status_code == 200, put.text
        assert {f["rule"] for f in put.json()["findings"]} == {
            f["rule"] for f in alice.get(url).json()["findings"]
        }
        assert not {"two-contents", "long-running-head"} & {
            f["rule"] for f in put.json()["findings"]
        }
        approved = alice.post(f"{url}/approve", json={"version": put.json()["version"]})
        assert approved.status_code == 200, approved.text
        finished = wait_for_job(alice, created.json()["url"])
        assert finished["status"] == "done", finished
        bobs_done = wait_for_job(bob, f"/api/jobs/{bobs['id']}")
        assert bobs_done["status"] == "done"
        xml = alice.get(finished["outputs"][0]["url"]).content  # type: ignore[index]
        assert canonical_bytes(xml) == canonical_bytes(alice.get(f"{url}/structure").content)
        audit = alice.get(f"{url}/audit").json()
        assert [(r["action"], r["who"]) for r in audit] == [
            ("review-started", "alice"),
            ("structure-uploaded", "bob"),
            ("approved", "alice"),
        ]
        # What was approved as it stood (sent as is) is named in the approval's record.
        left = put.json()["findings"]
        assert audit[2]["detail"]["remaining"] == len(left) > 0
        assert "Tracked changes still pending" in audit[2]["detail"]["left"]
        assert "sent as is" in audit[2]["summary"]
        assert "Tracked changes still pending" in audit[2]["summary"]
        # Approved: no more changes.
        late = alice.post(f"{url}/fixes", json={"kind": "join-next", "target": "para-1"})
        assert late.status_code == 409 and "reviewed by alice" in late.json()["error"]
        # A later request for the same report: made from the reviewed structure at once.
        again = alice.post("/api/jobs", json={"report": report, "formats": ["xml", "brf"]})
        second = wait_for_job(alice, again.json()["url"])
        assert second["status"] == "done" and second["review"]["reviewed_by"] == "alice"
        assert canonical_bytes(alice.get(second["outputs"][0]["url"]).content) == canonical_bytes(
            xml
        )  # type: ignore[index]
        listed = next(r for r in alice.get("/api/reports").json() if r["name"] == PLANTED.name)
        assert listed["review"]["status"] == "reviewed"
        assert listed["review"]["reviewed_by"] == "alice"
        # The library search finds reports by who reviewed them.
        found = alice.get("/api/reports", params={"q": "reviewed by alice"}).json()
        assert [r["name"] for r in found] == [PLANTED.name]
        assert alice.get("/api/reports", params={"q": "reviewed by bob"}).json() == []
        unreviewed = alice.get("/api/reports", params={"q": "not reviewed"}).json()
        assert PLANTED.name not in [r["name"] for r in unreviewed]


def correct_by_hand(data: bytes) -> bytes:
    """What a person does in "edit the structure": the second contents list is not a
    contents list; the long 'running footer' is a paragraph of the last page."""
    root = etree.fromstring(data, tree.safe_parser())
    second = root.find(".//section[@id='contents-2']")
    assert second is not None
    del second.attrib["role"]
    artifact = root.find("artifacts/artifact[@reason='running-footer']")
    assert artifact is not None
    paragraph = etree.SubElement(root.find("body"), "p", id="para-70", src=artifact.get("src"))  # type: ignore[arg-type]
    paragraph.text = artifact.text
    artifact.getparent().remove(artifact)  # type: ignore[union-attr]
    return tree.serialize(root)


def test_a_word_documents_image_described_and_its_tracked_changes_sent_as_is(
    server: Server,
) -> None:
    """A Word source: its findings name paragraphs, not lines; the image gets the words a
    person gives it; the tracked changes no button settles go out as is, on the record."""
    with client(server, ALICE) as alice:
        created = alice.post(
            "/api/jobs",
            json={"upload": upload(alice, "club.docx", word.feature_docx()), "formats": ["html"]},
        )
        job = wait_for_status(alice, created.json()["url"], "needs-review")
        url = f"/api/jobs/{job['id']}/review"
        state = alice.get(url).json()
        assert {f["rule"] for f in state["findings"]} == {
            "image-without-description",
            "pending-changes",
        }
        image = next(f for f in state["findings"] if f["rule"] == "image-without-description")
        assert image["unit"] == "paragraph" and image["line"].startswith("paragraph ")
        assert image["source"] == []  # a Word document has no lines to show
        assert "Picture 3" in image["blocks"][0]["text"]
        page = alice.get(f"/jobs/{job['id']}/review").text
        assert f"Paragraph {image['src'].split('-')[0]} of the document" in page
        assert "An image without a description, paragraph" in page
        # Neither a description nor the decorative mark: refused, nothing changed.
        empty = alice.post(
            f"{url}/fixes",
            json={**fix_of(image, 1), "detail": {"description": " ", "decorative": "false"}},
        )
        assert empty.status_code == 422 and "write what the image shows" in empty.json()["error"]
        described = alice.post(f"{url}/fixes", json=fix_of(image, 1))
        assert described.status_code == 200, described.text
        state = described.json()
        assert [f["rule"] for f in state["findings"]] == ["pending-changes"]
        assert state["preview"] is not None and "image" in state["preview"]["alt"]
        approved = alice.post(f"{url}/approve", json={"version": state["version"]})
        assert approved.status_code == 200, approved.text
        done = wait_for_job(alice, created.json()["url"])
        assert done["status"] == "done", done
        html = alice.get(done["outputs"][0]["url"]).text  # type: ignore[index]
        assert f'alt="{DESCRIPTION}"' in html
        audit = alice.get(f"{url}/audit").json()
        assert [r["action"] for r in audit] == ["review-started", "describe-image", "approved"]
        assert audit[2]["detail"]["left"] == ["Tracked changes still pending"]


def test_uploads_reviews_are_their_owners_alone(server: Server) -> None:
    data = PLANTED.read_bytes().replace(b"parish", b"hamlet")
    with client(server, ALICE) as alice, client(server, BOB) as bob:
        alices = held_job(alice, upload(alice, "hamlet.xml", data), ["xml"])
        bobs = held_job(bob, upload(bob, "hamlet.xml", data), ["xml"])
        assert alices["review"]["id"] != bobs["review"]["id"]
        assert bob.get(f"/api/jobs/{alices['id']}/review").status_code == 404


def test_send_as_is_makes_the_copies_at_once(server: Server) -> None:
    data = PLANTED.read_bytes().replace(b"parish", b"borough")
    with client(server, ALICE) as alice:
        created = alice.post(
            "/api/jobs",
            json={"upload": upload(alice, "b.xml", data), "formats": ["xml"], "send_as_is": True},
        )
        job = wait_for_job(alice, created.json()["url"])
        assert job["status"] == "done" and job["review"] is None and len(job["warnings"]) == 16
        assert job["send_as_is"] is True
        # The choice is recorded: who sent it as is, when, and which findings went with it.
        [record] = alice.get(f"/api/jobs/{job['id']}/audit").json()
        assert record["action"] == "sent-as-is" and record["who"] == "alice"
        assert record["detail"]["left"] == job["warnings"]
        assert "16 structure findings left as they are" in record["summary"]
        page = alice.get(f"/jobs/{job['id']}")
        assert "Sent as is at alice's choice, without a review" in page.text


def test_a_report_with_no_findings_is_made_at_once(server: Server) -> None:
    with client(server, ALICE) as alice:
        created = alice.post(
            "/api/jobs", json={"report": report_id(alice, SAMPLE.name), "formats": ["xml"]}
        )
        job = wait_for_job(alice, created.json()["url"])
        assert job["status"] == "done" and job["review"] is None and job["warnings"] == []


def test_a_restart_in_the_middle_of_a_review_loses_nothing(tmp_path: Path) -> None:
    server = make_server(tmp_path, [PLANTED], tokens=TOKENS, extra=["--workers", "1"]).start()
    try:
        with client(server, ALICE) as alice:
            created = alice.post(
                "/api/jobs", json={"report": report_id(alice, PLANTED.name), "formats": ["xml"]}
            )
            job = wait_for_status(alice, created.json()["url"], "needs-review")
            url = f"/api/jobs/{job['id']}/review"
            for _ in range(3):
                state = alice.get(url).json()
                finding = next(f for f in state["findings"] if f["fix"])
                assert (
                    alice.post(f"{url}/fixes", json=fix_of(finding, state["version"])).status_code
                    == 200
                )
            before = alice.get(url).json()
            structure = alice.get(f"{url}/structure").content
            audit = alice.get(f"{url}/audit").json()
        server.stop(hard=True)  # the server and its workers die mid-review
        server.start()
        with client(server, ALICE) as alice:
            assert alice.get(created.json()["url"]).json()["status"] == "needs-review"
            after = alice.get(url).json()
            assert after["version"] == before["version"] == 4
            assert after["findings"] == before["findings"]
            assert alice.get(f"{url}/structure").content == structure
            assert alice.get(f"{url}/audit").json() == audit
            # The review goes on where it stopped.
            finding = next(f for f in after["findings"] if f["fix"])
            assert alice.post(f"{url}/fixes", json=fix_of(finding, 4)).json()["version"] == 5
            assert alice.post(f"{url}/approve", json={"version": 5}).status_code == 200
            done = wait_for_job(alice, created.json()["url"])
            assert done["status"] == "done"
            fixed = etree.fromstring(alice.get(done["outputs"][0]["url"]).content)  # type: ignore[index]
            assert len(review.review(fixed)) == len(after["findings"]) - 1
            assert len(alice.get(f"{url}/audit").json()) == len(audit) + 2
            digest = hashlib.sha256(PLANTED.read_bytes()).hexdigest()
            assert fixed.find("meta/source").get("sha256") == digest  # type: ignore[union-attr]
    finally:
        server.stop()


def test_a_corrected_structure_may_be_as_large_as_an_upload(server: Server) -> None:
    """The guard lets a structure through at the upload limit, not the form limit."""
    with client(server, ALICE) as alice:
        data = PLANTED.read_bytes().replace(b"parish", b"county")
        job = held_job(alice, upload(alice, "county.xml", data), ["xml"])
        url = f"/api/jobs/{job['id']}/review"
        current = alice.get(f"{url}/structure").content
        root = etree.fromstring(current)
        padding = root.find(".//p[@id='para-4']")
        assert padding is not None
        padding.text = (padding.text or "") + " Padding." * 20000  # about 200 KB
        response = alice.put(f"{url}/structure", content=tree.serialize(root))
        assert response.status_code == 200, response.text
        assert json.loads(response.text)["version"] == 2
