"""Protections the service already had, kept under test against a real server: every page
and endpoint with no, wrong and another person's credentials; markup in names escaped;
path traversal; no fetch of anything a document names (a request counter stays at zero)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from conftest import SAMPLE
from service_server import Server, free_port, make_server, wait_for_job

TOKENS = "alice:alice-token-0123456789,bob:bob-token-0123456789ab"
ALICE = {"Authorization": "Bearer alice-token-0123456789"}
BOB = {"Authorization": "Bearer bob-token-0123456789ab"}
TEXT = b"Private notes of a visit\n\nSummary\n\nThe visit went well.\n"
#: A report of alice's whose structure waits for her review (the planted findings).
PLANTED = (Path(__file__).parent / "fixtures" / "xml" / "review-planted.xml").read_bytes()
REVIEWED = PLANTED.replace(b"Review of the effectiveness", b"Private notes on the effectiveness")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(
        tmp_path_factory.mktemp("protections"),
        [SAMPLE],
        tokens=TOKENS,
        extra=["--workers", "2", "--max-jobs", "50"],
    ).start()
    yield server
    server.stop()


def sign_in(server: Server, name: str, token: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    page = client.get("/sign-in").text
    form_token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/sign-in", data={"name": name, "token": token, "form_token": form_token}
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture(scope="module")
def alices(server: Server) -> dict[str, str]:
    """An upload and a finished job of alice's, and a job of hers waiting for review."""
    with httpx.Client(base_url=server.url, headers=ALICE, timeout=120) as client:
        upload = client.post("/api/uploads", files={"file": ("private.txt", TEXT)}).json()
        job = client.post("/api/jobs", json={"upload": upload["id"], "formats": ["xml"]}).json()
        wait_for_job(client, job["url"])
        held = client.post("/api/uploads", files={"file": ("private.xml", REVIEWED)}).json()
        review = client.post("/api/jobs", json={"upload": held["id"], "formats": ["xml"]}).json()
        deadline = time.monotonic() + 240
        while client.get(review["url"]).json()["status"] != "needs-review":
            assert time.monotonic() < deadline, "the planted job never reached needs-review"
            time.sleep(0.3)
    return {"upload": upload["id"], "job": job["id"], "review": review["id"]}


def routes(ids: dict[str, str]) -> list[tuple[str, str, dict[str, object]]]:
    """Every page and endpoint, naming alice's upload and job (uploads of one's own notes)."""
    job, upload, held = ids["job"], ids["upload"], ids["review"]
    own = b"Someone's own notes\n\nSummary\n\nNothing of anyone else's.\n"
    form = {"upload": upload, "formats": "xml"}
    return [
        ("GET", "/", {}),
        ("GET", "/jobs", {}),
        ("GET", f"/jobs/{job}", {}),
        ("GET", f"/jobs/{job}/files/xml", {}),
        ("GET", f"/request?upload={upload}", {}),
        ("GET", f"/previews/{job}.png", {}),
        ("POST", "/uploads", {"files": {"file": ("x.txt", own)}}),
        ("POST", "/jobs", {"data": form}),
        ("POST", "/preview", {"data": form}),
        ("GET", "/api/formats", {}),
        ("GET", "/api/profiles", {}),
        ("GET", "/api/reports", {}),
        ("GET", f"/api/jobs/{job}", {}),
        ("GET", f"/api/jobs/{job}/outputs/xml", {}),
        ("POST", "/api/uploads", {"files": {"file": ("x.txt", own)}}),
        ("POST", "/api/jobs", {"json": {"upload": upload, "formats": ["xml"]}}),
        # The structure review of alice's held job: its pages, forms and API.
        ("GET", f"/jobs/{held}/review", {}),
        ("GET", f"/jobs/{held}/review/history", {}),
        ("GET", f"/jobs/{held}/review/structure", {}),
        ("GET", f"/jobs/{held}/review/preview.png", {}),
        ("POST", f"/jobs/{held}/review/fixes", {"data": {"kind": "join-next", "target": "para-1"}}),
        ("POST", f"/jobs/{held}/review/structure", {"files": {"file": ("s.xml", b"<report/>")}}),
        ("POST", f"/jobs/{held}/review/approve", {"data": {"version": "1"}}),
        ("GET", f"/api/jobs/{held}/review", {}),
        ("GET", f"/api/jobs/{held}/review/audit", {}),
        ("GET", f"/api/jobs/{held}/audit", {}),
        ("GET", f"/api/jobs/{held}/review/fixes", {}),
        ("GET", f"/api/jobs/{held}/review/structure", {}),
        (
            "POST",
            f"/api/jobs/{held}/review/fixes",
            {"json": {"kind": "join-next", "target": "para-1"}},
        ),
        ("PUT", f"/api/jobs/{held}/review/structure", {"content": b"<report/>"}),
        ("POST", f"/api/jobs/{held}/review/approve", {"json": {}}),
    ]


@pytest.mark.parametrize("who", ["nobody", "wrong token", "forged cookie"])
def test_every_page_and_endpoint_needs_credentials(
    server: Server, alices: dict[str, str], who: str
) -> None:
    headers = {"Authorization": "Bearer not-a-token-0123456789"} if who == "wrong token" else {}
    cookies = {"converter_session": "forged-" + "A" * 40} if who == "forged cookie" else {}
    for method, path, body in routes(alices):
        with httpx.Client(base_url=server.url, headers=headers, cookies=cookies) as client:
            response = client.request(method, path, **body)  # type: ignore[arg-type]
        if path.startswith("/api/") or who == "wrong token":
            assert response.status_code == 401, (method, path, response.status_code)
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/sign-in")


@pytest.mark.parametrize("how", ["token", "session"])
def test_another_persons_credentials_reach_nothing_of_alices(
    server: Server, alices: dict[str, str], how: str
) -> None:
    bob = (
        httpx.Client(base_url=server.url, headers=BOB, timeout=60)
        if how == "token"
        else sign_in(server, "bob", "bob-token-0123456789ab")
    )
    with closing(bob):
        for method, path, body in routes(alices):
            response = bob.request(method, path, **body)  # type: ignore[arg-type]
            assert b"Private notes" not in response.content and b"private" not in response.content
            named = f"{path} {body}"
            mine = [alices[k] for k in ("job", "upload", "review")]
            if not any(ident in named for ident in mine):  # a listing
                assert all(ident not in response.text for ident in mine)
            if path == "/api/uploads":
                assert response.status_code == 201  # an upload of bob's own
            elif any(ident in named for ident in mine) or method == "POST":
                # Not found, or (a page's form, without its token) refused: never done.
                assert response.status_code in (403, 404), (method, path, response.status_code)
            else:
                assert response.status_code == 200, (method, path, response.status_code)


def test_markup_in_names_and_text_is_escaped(server: Server) -> None:
    name = "<img src=x onerror=alert(1)>.txt"
    text = (
        b'Report on <script>alert("title")</script> & friends\n\nSummary\n\n<b>Bold</b> claims.\n'
    )
    with closing(sign_in(server, "alice", "alice-token-0123456789")) as client:
        api = httpx.Client(base_url=server.url, headers=ALICE, timeout=120)
        with closing(api):
            upload = api.post("/api/uploads", files={"file": (name, text)}).json()
            assert upload["name"] == name  # kept as given: it is data, escaped where shown
            job = api.post("/api/jobs", json={"upload": upload["id"], "formats": ["html"]}).json()
            wait_for_job(api, job["url"])
        shown = {
            "/": ("&lt;img src=x onerror=alert(1)&gt;.txt", "&lt;script&gt;"),
            "/jobs": ("&lt;img src=x onerror=alert(1)&gt;.txt",),
            f"/jobs/{job['id']}": ("&lt;img src=x onerror=alert(1)&gt;.txt",),
            f"/request?upload={upload['id']}": ("&lt;script&gt;",),
        }
        for path, escaped in shown.items():
            page = client.get(path).text
            assert "<script>alert" not in page and "<img src=x" not in page, path
            assert all(text in page for text in escaped), path
        html = client.get(f"/jobs/{job['id']}/files/html").text
        assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_path_traversal_reaches_nothing(server: Server) -> None:
    with httpx.Client(base_url=server.url, headers=ALICE, timeout=60) as client:
        upload = client.post(
            "/api/uploads", files={"file": ("../../../../../tmp/evil.txt", TEXT)}
        ).json()
        assert upload["name"] == "evil.txt"
        stored = [p for p in (server.data / "uploads").rglob("evil.txt")]
        assert len(stored) == 1 and not Path("/tmp/evil.txt").exists()
        for path in (
            "/api/jobs/..%2F..%2Fjobs.sqlite3",
            "/api/jobs/x/outputs/..%2F..%2F..%2Fjobs.sqlite3",
            "/jobs/..%2Fjobs.sqlite3/files/xml",
            "/static/..%2F..%2F..%2Fjobs.sqlite3",
            "/static/%2e%2e/%2e%2e/%2e%2e/jobs.sqlite3",
            "/request?report=..%2F..%2F..%2Fetc%2Fpasswd",
        ):
            response = client.get(path)
            assert response.status_code == 404, (path, response.status_code)
            assert b"SQLite format" not in response.content and b"root:" not in response.content


class Counter(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        Counter.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"GIF89a")

    def log_message(self, *args: object) -> None:
        pass


def test_nothing_a_document_names_is_fetched(tmp_path: Path) -> None:
    port = free_port()
    listener = ThreadingHTTPServer(("127.0.0.1", port), Counter)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    markdown = (
        f"# A report with remote things\n\n![chart]({base}/image.png)\n\n"
        f"See [the page]({base}/link) and <img src='{base}/raw.png'>.\n\n"
        f'<iframe src="{base}/frame"></iframe>\n\n<link rel="stylesheet" href="{base}/style.css">\n'
    ).encode()
    xml = (
        f'<?xml version="1.0"?>\n<!DOCTYPE report [<!ENTITY remote SYSTEM "{base}/entity">]>\n'
        "<report><meta><title>&remote;</title></meta><body/></report>\n"
    ).encode()
    server = make_server(tmp_path, [], tokens=TOKENS, extra=["--workers", "2"]).start()
    try:
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=300) as client:
            upload = client.post("/api/uploads", files={"file": ("remote.md", markdown)})
            assert upload.status_code == 201, upload.text
            formats = ["pdf", "epub", "html", "docx", "xml"]
            job = client.post("/api/jobs", json={"upload": upload.json()["id"], "formats": formats})
            done = wait_for_job(client, job.json()["url"])
            assert done["status"] == "done", done["error"]
            entity = client.post("/api/uploads", files={"file": ("remote.xml", xml)})
            assert entity.status_code in (201, 422)
        assert Counter.requests == []
    finally:
        server.stop()
        listener.shutdown()
        listener.server_close()
