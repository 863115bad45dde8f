"""The web service under abuse, against real `convert serve` processes on loopback: one test
(or a few) per finding of issue 23, each measured from outside the server (raw sockets for
chunked bodies; memory, open files and processes read from /proc)."""

from __future__ import annotations

import datetime
import json
import os
import re
import signal
import sqlite3
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from conftest import SAMPLE
from service_probe import (
    MB,
    Sampler,
    alive,
    command_line,
    descendants,
    fresh_process_seconds,
    rss_mb,
    send_chunked,
)
from service_server import Server, make_server, wait_for_job

TOKENS = "alice:alice-token-0123456789,bob:bob-token-0123456789ab"
ALICE = {"Authorization": "Bearer alice-token-0123456789"}
BOB = {"Authorization": "Bearer bob-token-0123456789ab"}
MULTIPART = {"Content-Type": "multipart/form-data; boundary=xyz"}
UPLOAD_HEAD = (
    b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n"
)


def text_report(paragraphs: int, title: str = "Report on a long inquiry") -> bytes:
    lines = [title, ""]
    for i in range(paragraphs):
        if i % 40 == 0:
            lines += [f"Section {i // 40 + 1}", ""]
        lines += [
            f"{i + 1}. The committee considered the evidence in paragraph {i + 1} and found "
            "that the arrangements for children in care were reviewed regularly.",
            "",
        ]
    return "\n".join(lines).encode()


TINY = b"Notes of a visit\n\nSummary\n\nThe visit went well and nothing needs to change.\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(
        tmp_path_factory.mktemp("abuse"),
        [SAMPLE],
        tokens=TOKENS,
        extra=["--max-upload-mb", "2", "--workers", "2", "--max-jobs", "50"],
    ).start()
    yield server
    server.stop()


@pytest.fixture()
def alice(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=ALICE, timeout=120) as client:
        yield client


@pytest.fixture()
def bob(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=BOB, timeout=120) as client:
        yield client


def upload(client: httpx.Client, name: str, data: bytes) -> httpx.Response:
    return client.post("/api/uploads", files={"file": (name, data, "text/plain")})


def convert(client: httpx.Client, upload_id: str, formats: list[str]) -> dict[str, object]:
    response = client.post("/api/jobs", json={"upload": upload_id, "formats": formats})
    assert response.status_code == 202, response.text
    return wait_for_job(client, response.json()["url"])


def report(finding: str, **figures: object) -> None:
    """One line of figures per test (shown with -s): the issue's note quotes them."""
    shown = ", ".join(
        f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()
    )
    print(f"\n[issue 23, {finding}] {shown}")


# -- 1. bodies: authentication first, limits while streaming --------------------------------


def test_1_a_chunked_upload_without_a_token_is_refused_before_its_body_is_read(
    server: Server,
) -> None:
    with Sampler(server.pid, str(server.spool)) as sampled:
        result = send_chunked(
            server.url, "/api/uploads", 100 * MB, headers=MULTIPART, prefix=UPLOAD_HEAD
        )
    report(
        "1 upload, no token",
        status=result.status,
        sent_mb=result.sent / MB,
        spooled_mb=sampled.peak_spooled_mb,
        seconds=result.seconds,
    )
    assert result.status == 401
    # What the kernel's socket buffers take before the server answers, no more.
    assert result.sent < 16 * MB
    assert sampled.peak_spooled_mb < 1


def test_1_a_page_upload_without_a_session_is_sent_to_sign_in_unread(server: Server) -> None:
    result = send_chunked(server.url, "/uploads", 100 * MB, headers=MULTIPART, prefix=UPLOAD_HEAD)
    assert result.status == 303 and b"location: /sign-in" in result.head.lower()
    assert result.sent < 16 * MB


@pytest.mark.parametrize("body", [b'{"formats": ["xml"], "report": "', b"{not json at all "])
def test_1_a_chunked_json_body_without_a_token_is_refused_before_it_is_read(
    server: Server, body: bytes
) -> None:
    before = rss_mb(server.pid)
    with Sampler(server.pid, str(server.spool)) as sampled:
        result = send_chunked(
            server.url,
            "/api/jobs",
            200 * MB,
            headers={"Content-Type": "application/json"},
            prefix=body,
        )
    report(
        "1 JSON, no token",
        status=result.status,
        sent_mb=result.sent / MB,
        rss_before=before,
        rss_peak=sampled.peak_rss,
    )
    assert result.status == 401
    assert result.sent < 16 * MB
    assert sampled.peak_rss - before < 20


def test_1_a_signed_in_chunked_json_body_stops_at_its_limit(server: Server) -> None:
    before = rss_mb(server.pid)
    with Sampler(server.pid, str(server.spool)) as sampled:
        result = send_chunked(
            server.url,
            "/api/jobs",
            200 * MB,
            headers={**ALICE, "Content-Type": "application/json"},
            prefix=b'{"formats": ["xml"], "report": "',
        )
    report(
        "1 JSON, signed in",
        status=result.status,
        sent_mb=result.sent / MB,
        rss_growth=sampled.peak_rss - before,
    )
    assert result.status == 413
    assert result.sent < 16 * MB
    assert sampled.peak_rss - before < 20


def test_1_a_signed_in_chunked_upload_stops_at_the_limit(server: Server) -> None:
    before = rss_mb(server.pid)
    with Sampler(server.pid, str(server.spool)) as sampled:
        result = send_chunked(
            server.url, "/api/uploads", 60 * MB, headers={**ALICE, **MULTIPART}, prefix=UPLOAD_HEAD
        )
    report(
        "1 upload, signed in, 2 MB limit",
        status=result.status,
        sent_mb=result.sent / MB,
        spooled_mb=sampled.peak_spooled_mb,
        rss_growth=sampled.peak_rss - before,
    )
    assert result.status == 413
    assert result.sent < 2 * MB + 16 * MB  # the limit, and what the socket buffers hold
    assert sampled.peak_spooled_mb <= 2.1  # never more than the limit on disk
    assert sampled.peak_rss - before < 20
    assert [p for p in server.spool.rglob("*") if p.is_file()] == []


def test_1_an_honest_content_length_over_the_limit_is_refused_unread(server: Server) -> None:
    response = httpx.post(
        f"{server.url}/api/uploads",
        headers=ALICE,
        files={"file": ("big.txt", b"a" * (3 * MB), "text/plain")},
        timeout=60,
    )
    assert response.status_code == 413 and "2 MB limit" in response.json()["error"]


# -- 2. a conversion past its time is killed, with all it started --------------------------


def worker_groups(server: Server) -> set[int]:
    """The server's worker processes and all they started: each worker leads its own group
    (and Chromium, started by one, its own session)."""
    own = os.getpgid(server.pid)
    found = set()
    for pid in descendants(server.pid):
        try:
            if os.getpgid(pid) != own:
                found.add(pid)
        except ProcessLookupError:
            pass
    return found


def test_2_a_runaway_conversion_is_killed_with_its_children_and_blames_no_other(
    tmp_path: Path,
) -> None:
    # Room for the first HTML and PDF (imports, Chromium for axe, the veraPDF JVM: 12 s on
    # a busy machine, 35 s when six engineers share two cores), twice what a fresh process
    # takes for them now; the runaway (16,000 paragraphs to PDF and DOCX) takes many times
    # longer at any load.
    tiny_file = tmp_path / "visit.txt"
    tiny_file.write_bytes(TINY)
    first = fresh_process_seconds(
        "import sys; from pathlib import Path; from converter import Options, api;"
        "from converter.check import check_file;"
        "[check_file(o.path) for o in api.convert(Path(sys.argv[1]), ['html', 'pdf'],"
        " Options(), Path(sys.argv[2]))]",
        str(tiny_file),
        str(tmp_path),
    )
    limit = float(max(30, round(2 * first)))
    server = make_server(
        tmp_path,
        [],
        tokens=TOKENS,
        extra=[
            *("--workers", "1", "--max-seconds", f"{limit:g}", "--max-upload-mb", "4"),
            *("--max-memory-mb", "16000"),  # the time limit is the one tested here
        ],
    ).start()
    try:
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=120) as client:
            tiny = upload(client, "visit.txt", TINY).json()["id"]
            big = upload(client, "inquiry.txt", text_report(16_000)).json()["id"]
            # A first HTML and PDF leave the worker's Chromium (a session of its own) and
            # veraPDF JVM running: the runaway's children.
            warm = convert(client, tiny, ["html", "pdf"])
            assert warm["status"] == "done", (warm.get("error"), warm)
            warm_seconds = warm["finished"] - warm["started"]
            children = [command_line(p) for p in worker_groups(server)]
            assert any(c.startswith("java") for c in children), children
            assert any("chromium" in c for c in children), children
            runaway = client.post(
                "/api/jobs", json={"upload": big, "formats": ["pdf", "docx"]}
            ).json()
            after = client.post(
                "/api/jobs", json={"upload": tiny, "formats": ["xml", "brf"]}
            ).json()
            tree: dict[int, str] = {}  # the runaway's worker and its children, as seen
            while (job := client.get(runaway["url"]).json())["status"] in ("queued", "running"):
                if job["status"] == "running":
                    tree |= {p: command_line(p) for p in worker_groups(server) if p not in tree}
                time.sleep(0.05)
            while any(alive(pid) for pid in tree):
                time.sleep(0.02)
            gone = time.time()
            assert job["status"] == "failed"
            assert f"took longer than {limit:g} seconds" in job["error"]
            assert any(line.startswith("java") for line in tree.values()), tree
            assert any("chromium" in line for line in tree.values()), tree
            late = gone - (job["started"] + limit)
            second = wait_for_job(client, after["url"])
            report(
                "2 runaway",
                limit_s=limit,
                first_pdf_s=warm_seconds,
                tree=len(tree),
                gone_after_limit_s=late,
                second_job=second["status"],
            )
            assert late < 2.0
            # Its place was given to the next job only once it was gone, and that job ran.
            assert second["status"] == "done", second
            assert second["started"] >= job["finished"]
            assert client.get(second["outputs"][1]["url"]).status_code == 200
        # Nothing of the runaway is left on disk: no output, no partial file.
        leftovers = [p for p in (server.data / "outputs").rglob("*") if runaway["id"] in str(p)]
        assert leftovers == []
        assert list((server.data / "outputs").rglob("*.part")) == []
    finally:
        server.stop()


# -- 3. hosts, origins and forms --------------------------------------------------------------


@pytest.fixture(scope="module")
def tokenless(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(
        tmp_path_factory.mktemp("tokenless"), [SAMPLE], extra=["--workers", "1"]
    ).start()
    yield server
    server.stop()


def test_3_without_tokens_only_the_loopback_names_are_served(tokenless: Server) -> None:
    port = tokenless.url.rsplit(":", 1)[1]
    for name in ("evil.example", "rebind.attacker.test", "127.0.0.1.nip.io"):
        for path in ("/", "/api/reports"):
            response = httpx.get(f"{tokenless.url}{path}", headers={"Host": f"{name}:{port}"})
            report("3 host", host=name, path=path, status=response.status_code)
            assert response.status_code == 400, (name, path)
            assert "does not answer to the name" in response.text
    for name in ("localhost", "127.0.0.1", "[::1]"):
        response = httpx.get(f"{tokenless.url}/api/reports", headers={"Host": f"{name}:{port}"})
        assert response.status_code == 200, name


def test_3_cross_site_posts_are_refused(tokenless: Server) -> None:
    evil = {"Origin": "http://evil.example"}
    files = {"file": ("x.txt", TINY, "text/plain")}
    with httpx.Client(base_url=tokenless.url) as client:
        before = len(client.get("/").text)
        for path in ("/api/uploads", "/uploads"):
            response = client.post(path, files=files, headers=evil)
            report("3 cross-site", path=path, status=response.status_code)
            assert response.status_code == 403, path
        response = client.post(
            "/api/jobs",
            json={"report": "x", "formats": ["xml"]},
            headers={"Sec-Fetch-Site": "cross-site"},
        )
        assert response.status_code == 403
        assert client.post("/uploads", files=files, headers={"Origin": "null"}).status_code == 403
        assert len(client.get("/").text) == before  # no upload was made
    assert list((tokenless.data / "uploads").rglob("*.txt")) == []


def test_3_every_form_needs_its_token(tokenless: Server) -> None:
    with httpx.Client(base_url=tokenless.url) as client:
        page = client.get("/").text
        report_id = re.search(r"/request\?report=([\w-]+)", page).group(1)  # type: ignore[union-attr]
        token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        form = {"report": report_id, "formats": "xml"}
        refused = client.post("/jobs", data=form)
        assert refused.status_code == 403 and "did not come from this service" in refused.text
        assert client.post("/jobs", data={**form, "form_token": "forged"}).status_code == 403
        assert client.post("/uploads", files={"file": ("x.txt", TINY)}).status_code == 403
        # Another browser's token is no good either: it is tied to this browser's key.
        with httpx.Client(base_url=tokenless.url) as other:
            other.get("/")
            assert other.post("/jobs", data={**form, "form_token": token}).status_code == 403
        accepted = client.post("/jobs", data={**form, "form_token": token})
        assert accepted.status_code == 303 and accepted.headers["location"].startswith("/jobs/")


def test_3_tokenless_refuses_other_host_names_at_start(tmp_path: Path) -> None:
    import subprocess
    import sys

    server = make_server(tmp_path, [], extra=["--allowed-hosts", "converter.example.org"])
    result = subprocess.run(
        [sys.executable, "-m", "converter", "serve", *server.args],
        env=server.env,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert b"needs CONVERTER_TOKENS" in result.stderr


def test_3_with_tokens_the_allowed_hosts_are_served(tmp_path: Path) -> None:
    server = make_server(
        tmp_path, [], tokens=TOKENS, extra=["--allowed-hosts", "converter.example.org"]
    )
    server.start()
    try:
        port = server.url.rsplit(":", 1)[1]
        named = httpx.get(
            f"{server.url}/api/formats", headers={**ALICE, "Host": f"converter.example.org:{port}"}
        )
        assert named.status_code == 200
        other = httpx.get(f"{server.url}/api/formats", headers={**ALICE, "Host": "evil.example"})
        assert other.status_code == 400 and "--allowed-hosts" in other.json()["error"]
    finally:
        server.stop()


# -- 4. sessions end with sign-out and with their token -----------------------------------


def sign_in(server: Server, name: str, token: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    page = client.get("/sign-in").text
    form_token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/sign-in", data={"name": name, "token": token, "form_token": form_token}
    )
    assert response.status_code == 303, response.text
    assert client.get("/jobs").status_code == 200
    return client


def test_4_a_session_ends_when_its_owner_signs_out(server: Server) -> None:
    with closing(sign_in(server, "alice", "alice-token-0123456789")) as client:
        stolen = client.cookies.get("converter_session")
        page = client.get("/jobs").text
        form_token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        assert client.post("/sign-out", data={"form_token": form_token}).status_code == 303
    replay = httpx.get(f"{server.url}/jobs", cookies={"converter_session": stolen or ""})
    api = httpx.get(f"{server.url}/api/formats", cookies={"converter_session": stolen or ""})
    report("4 sign-out", replayed_page=replay.status_code, replayed_api=api.status_code)
    assert replay.status_code == 303 and replay.headers["location"].startswith("/sign-in")
    assert api.status_code == 401


def test_4_a_session_ends_when_its_token_changes(tmp_path: Path) -> None:
    server = make_server(tmp_path, [], tokens=TOKENS).start()
    try:
        alice = sign_in(server, "alice", "alice-token-0123456789")
        bob = sign_in(server, "bob", "bob-token-0123456789ab")
        server.stop()
        server.env["CONVERTER_TOKENS"] = (
            "alice:alice-new-token-9876543210,bob:bob-token-0123456789ab"
        )
        server.start()
        after = alice.get("/jobs")
        report("4 token rotated", old_cookie=after.status_code)
        assert after.status_code == 303 and after.headers["location"].startswith("/sign-in")
        assert bob.get("/jobs").status_code == 200  # a token that did not change: still signed in
        alice.close()
        bob.close()
    finally:
        server.stop()


def test_4_a_tampered_cookie_signs_no_one_in(server: Server) -> None:
    with closing(sign_in(server, "alice", "alice-token-0123456789")) as client:
        cookie = client.cookies.get("converter_session") or ""
    for forged in (cookie[:-1] + ("A" if cookie[-1] != "A" else "B"), "alice", "bob|9999999999|0"):
        response = httpx.get(f"{server.url}/jobs", cookies={"converter_session": forged})
        assert response.status_code == 303


# -- 5. nothing shared between users --------------------------------------------------------


def test_5_identical_uploads_are_not_shared_between_users(
    alice: httpx.Client, bob: httpx.Client
) -> None:
    data = b"Referral notes\n\nSummary\n\nA family was referred and visited twice this month.\n"
    mine = upload(alice, "Smith-family-safeguarding-referral.txt", data).json()
    first = convert(alice, mine["id"], ["xml"])
    assert first["status"] == "done"
    theirs = upload(bob, "bob.txt", data).json()
    response = bob.post("/api/jobs", json={"upload": theirs["id"], "formats": ["xml"]}).json()
    shared_at_once = response["status"] == "done"
    second = wait_for_job(bob, response["url"])
    download = bob.get(second["outputs"][0]["url"])
    disposition = download.headers["content-disposition"]
    report("5 cache", bob_done_at_once=shared_at_once, bob_file=disposition)
    assert not shared_at_once  # converted for bob, not handed alice's copy
    assert "bob.xml" in disposition and "Smith" not in disposition
    assert b"Smith" not in download.content and b"bob.txt" in download.content
    # Her own second request still reuses her own copy.
    again = alice.post("/api/jobs", json={"upload": mine["id"], "formats": ["xml"]}).json()
    assert again["status"] == "done"


# -- 6. uploads are read on the workers, under the limits -------------------------------------


def shared_stream_pdf(pages: int, words: int) -> bytes:
    """A small PDF whose pages all draw one content stream: slow to read, cheap to send."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    lines = []
    for start in range(0, words, 12):
        text = " ".join(f"word{j}" for j in range(start, min(start + 12, words)))
        lines.append(f"BT /F1 10 Tf 40 {800 - (start // 12 % 70) * 11} Td ({text}) Tj ET")
    content = pdf.make_stream("\n".join(lines).encode())
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
    )
    for _ in range(pages):
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 595, 842],
            Contents=content,
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        )
        pdf.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    pdf.save(out, compress_streams=True)
    return out.getvalue()


def test_6_reading_an_upload_is_bounded_in_time_and_counted(tmp_path: Path) -> None:
    server = make_server(
        tmp_path,
        [],
        tokens=TOKENS,
        extra=["--workers", "1", "--max-seconds", "2", "--max-jobs", "1"],
    ).start()
    try:
        slow = shared_stream_pdf(200, 1500)
        answers: list[httpx.Response] = []
        latencies: list[float] = []
        with (
            httpx.Client(base_url=server.url, headers=ALICE, timeout=120) as client,
            httpx.Client(base_url=server.url, headers=ALICE, timeout=120) as reader,
        ):
            reading = threading.Thread(
                target=lambda: answers.append(
                    reader.post(
                        "/api/uploads", files={"file": ("stream.pdf", slow, "application/pdf")}
                    )
                )
            )
            started = time.monotonic()
            reading.start()
            time.sleep(0.5)
            # While it is read, the one request allowed is in progress: a second is refused.
            second = upload(client, "visit.txt", TINY)
            while reading.is_alive():
                ping = time.monotonic()
                client.get("/api/health")
                latencies.append(time.monotonic() - ping)
                time.sleep(0.1)
            took = time.monotonic() - started
            [answer] = answers
            report(
                "6 slow PDF",
                size_kb=len(slow) / 1024,
                status=answer.status_code,
                seconds=took,
                second=second.status_code,
                health_max_ms=max(latencies) * 1000,
            )
            assert answer.status_code == 422, answer.text
            assert "reading it took longer than 2 seconds" in answer.json()["error"]
            assert second.status_code == 429
            assert max(latencies) < 1.0  # the server itself was never busy reading
            # The worker was replaced: the next upload is read normally.
            assert upload(client, "visit.txt", TINY).status_code == 201
        assert list((server.data / "uploads").rglob("*.pdf")) == []
    finally:
        server.stop()


def test_6_reading_an_upload_is_bounded_in_memory_outside_the_server(tmp_path: Path) -> None:
    server = make_server(
        tmp_path,
        [],
        tokens=TOKENS,
        extra=["--workers", "1", "--max-upload-mb", "20", "--max-memory-mb", "200"],
    ).start()
    try:
        huge = text_report(105_000)  # about 16 MB of text
        before = rss_mb(server.pid)
        with (
            Sampler(server.pid, str(server.spool), every=0.1) as sampled,
            httpx.Client(base_url=server.url, headers=ALICE, timeout=300) as client,
        ):
            started = time.monotonic()
            answer = upload(client, "huge.txt", huge)
            took = time.monotonic() - started
            report(
                "6 huge text",
                size_mb=len(huge) / MB,
                status=answer.status_code,
                seconds=took,
                server_rss_before=before,
                server_rss_peak=sampled.peak_rss,
            )
            assert answer.status_code == 422, answer.text
            assert "needed more than 200 MB of memory" in answer.json()["error"]
            assert upload(client, "visit.txt", TINY).status_code == 201
        assert sampled.peak_rss - before < 60  # the server never held the tree
    finally:
        server.stop()


# -- 7. names: bounded in bytes, and no file without its record ------------------------------


def test_7_long_and_non_ascii_names_upload_and_convert(alice: httpx.Client, server: Server) -> None:
    for name in ("é" * 126 + ".txt", "a" * 300 + ".txt", "Ünïcödé Report — 2024 (final).txt"):
        response = upload(alice, name, TINY)
        report("7 name", name_bytes=len(name.encode()), status=response.status_code)
        assert response.status_code == 201, response.text
        shown = response.json()["name"]
        assert len(shown.encode()) <= 200 and shown.endswith(".txt")
        # The summary's name is the longest an output adds (.summary.md).
        job = convert(alice, response.json()["id"], ["xml", "summary"])
        assert job["status"] == "done", job
        for output in job["outputs"]:  # type: ignore[attr-defined]
            download = alice.get(output["url"])
            assert download.status_code == 200
    for path in (server.data / "outputs").rglob("*"):
        assert len(path.name.encode()) <= 255


def test_7_no_file_without_its_record(alice: httpx.Client, server: Server) -> None:
    attempts = [
        ("x" * 400 + ".txt", TINY),  # long
        ("b" * 250 + ".txt", b"\x00\x01" * 50),  # unreadable (binary)
        ("c" * 250 + ".jpg", b"\xff\xd8"),  # the wrong kind
        ("../../../../etc/passwd.txt", TINY),  # traversal
        ("\u202e\u0000evil\r\n.txt", TINY),  # control characters
    ]
    statuses = [upload(alice, name, data).status_code for name, data in attempts]
    assert statuses == [201, 422, 415, 201, 201]
    with sqlite3.connect(f"file:{server.data / 'jobs.sqlite3'}?mode=ro", uri=True) as db:
        recorded = {Path(row[0]) for row in db.execute("SELECT path FROM uploads")}
    on_disk = {p for p in (server.data / "uploads").rglob("*") if p.is_file()}
    assert on_disk <= recorded, on_disk - recorded
    for path in on_disk:
        assert path.is_relative_to(server.data / "uploads")


# -- 8. options: finite numbers in range ------------------------------------------------------


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_8_a_number_that_is_not_finite_is_refused(alice: httpx.Client, value: str) -> None:
    [sample] = alice.get("/api/reports", params={"q": "Warwickshire"}).json()
    # Python's JSON reads NaN and Infinity (as JavaScript writes them): the options refuse.
    body = f'{{"report": "{sample["id"]}", "formats": ["pdf"], "font_size": {value}}}'
    response = alice.post("/api/jobs", content=body, headers={"Content-Type": "application/json"})
    report("8 font_size", value=value, status=response.status_code)
    assert response.status_code == 422, response.text
    assert "must be a finite number" in response.json()["error"]


def test_8_the_form_refuses_nan_too(tokenless: Server) -> None:
    with httpx.Client(base_url=tokenless.url) as client:
        page = client.get("/").text
        report_id = re.search(r"/request\?report=([\w-]+)", page).group(1)  # type: ignore[union-attr]
        token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        response = client.post(
            "/jobs",
            data={"form_token": token, "report": report_id, "formats": "pdf", "font_size": "nan"},
        )
        assert response.status_code == 422
        assert "must be a finite number" in response.text


# -- 9. headers, cookies, API documents, paths in errors -------------------------------------


def test_9_every_answer_carries_a_strict_policy(tokenless: Server) -> None:
    for path in ("/", "/jobs", "/api/reports", "/no-such-page", "/static/service.css"):
        response = httpx.get(f"{tokenless.url}{path}")
        policy = response.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in policy, path
        assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"


def test_9_no_api_pages_from_a_cdn(tokenless: Server) -> None:
    for path in ("/docs", "/redoc"):
        response = httpx.get(f"{tokenless.url}{path}")
        assert response.status_code == 404, path
        assert "cdn" not in response.text
    assert httpx.get(f"{tokenless.url}/openapi.json").status_code == 200


def make_certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    import ipaddress

    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert, key_path = folder / "cert.pem", folder / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, key_path


def signed_in_cookies(
    url: str, verify: ssl.SSLContext | bool, headers: dict[str, str] | None = None
) -> list[str]:
    """The Set-Cookie headers of the sign-in page and of signing in."""
    with httpx.Client(base_url=url, verify=verify, headers=headers or {}) as client:
        page = client.get("/sign-in")
        [form_cookie] = page.headers.get_list("set-cookie")
        token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        # Sent back as a browser would: a Secure cookie only over TLS, which the proxy in
        # front provides (these requests stand in for it).
        key = form_cookie.split(";", 1)[0].split("=", 1)[1]
        client.cookies.clear()
        response = client.post(
            "/sign-in",
            data={"name": "alice", "token": "alice-token-0123456789", "form_token": token},
            headers={"Cookie": f"converter_form={key}"},
        )
        assert response.status_code == 303, response.text
        return [form_cookie, *response.headers.get_list("set-cookie")]


def test_9_cookies_are_secure_over_tls(tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path)
    server = make_server(
        tmp_path, [], tokens=TOKENS, extra=["--tls-cert", str(cert), "--tls-key", str(key)]
    )
    server.url = server.url.replace("http://", "https://")
    server.verify = ssl.create_default_context(cafile=str(cert))
    server.start()
    try:
        form_cookie, cookie = signed_in_cookies(server.url, server.verify)
        report("9 TLS cookie", cookie=cookie.split(";", 1)[1].strip())
        assert "converter_session=" in cookie and "; secure" in cookie.lower()
        assert "; secure" in form_cookie.lower()
        health = httpx.get(f"{server.url}/api/health", verify=server.verify)
        assert "max-age" in health.headers["strict-transport-security"]
    finally:
        server.stop()


def test_9_behind_a_named_proxy_cookies_are_secure(tmp_path: Path) -> None:
    https = {"X-Forwarded-Proto": "https"}
    plain = make_server(tmp_path / "plain", [], tokens=TOKENS).start()
    try:
        # Not a trusted proxy: a client cannot claim https (nor any address).
        for cookie in signed_in_cookies(plain.url, True, https):
            assert "secure" not in cookie.lower()
    finally:
        plain.stop()
    proxied = make_server(
        tmp_path / "proxied", [], tokens=TOKENS, extra=["--forwarded-allow-ips", "127.0.0.1"]
    ).start()
    try:
        for cookie in signed_in_cookies(proxied.url, True, https):
            assert "; secure" in cookie.lower()
    finally:
        proxied.stop()


def test_9_errors_name_no_path_on_the_server(tmp_path: Path) -> None:
    binary = tmp_path / "broken.txt"
    binary.write_bytes(b"\x00\x01\x02\x03" * 100)
    server = make_server(tmp_path, [SAMPLE, binary], tokens=TOKENS).start()
    try:
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=120) as client:
            reports = {r["name"]: r["id"] for r in client.get("/api/reports").json()}
            failed = wait_for_job(
                client,
                client.post(
                    "/api/jobs", json={"report": reports["broken.txt"], "formats": ["xml"]}
                ).json()["url"],
            )
            done = wait_for_job(
                client,
                client.post(
                    "/api/jobs", json={"report": reports[SAMPLE.name], "formats": ["xml"]}
                ).json()["url"],
            )
        report("9 error", error=failed["error"])
        assert failed["status"] == "failed" and "broken.txt" in str(failed["error"])
        assert done["status"] == "done"
        for job in (failed, done):
            text = json.dumps(job)
            assert str(tmp_path) not in text, text
            assert not re.search(r"(?<![\w.:/])/(tmp|home|root|srv|work|var)/", text), text
    finally:
        server.stop()


# -- 10. workers end with their server; previews of what has none ---------------------------


def test_10_workers_end_when_the_server_is_killed(tmp_path: Path) -> None:
    server = make_server(tmp_path, [SAMPLE], tokens=TOKENS, extra=["--workers", "2"]).start()
    try:
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=60) as client:
            [sample] = client.get("/api/reports").json()
            formats = ["html", "pdf"]  # Chromium checks the first, a JVM the second
            job = client.post("/api/jobs", json={"report": sample["id"], "formats": formats})
            job = job.json()
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                tree = descendants(server.pid)
                if any(command_line(p).startswith("java") for p in tree):
                    break
                if client.get(job["url"]).json()["status"] in ("done", "failed"):
                    break
                time.sleep(0.1)
        assert any(command_line(p).startswith("java") for p in tree), "no JVM was started"
        assert any("chromium" in command_line(p) for p in tree), "no browser was started"
        memory = sum(rss_mb(p) for p in tree)
        os.kill(server.pid, signal.SIGKILL)  # the server alone, as kill -9 would
        server.process.wait()  # type: ignore[union-attr]
        killed = time.monotonic()
        while any(alive(p) for p in tree) and time.monotonic() - killed < 30:
            time.sleep(0.05)
        left = [command_line(p)[:60] for p in tree if alive(p)]
        report(
            "10 kill -9",
            processes=len(tree),
            their_mb=memory,
            left=len(left),
            seconds=time.monotonic() - killed,
        )
        assert left == []
        assert time.monotonic() - killed < 5
        server.process = None
        server.start()  # and the job is done after the restart
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=60) as client:
            assert wait_for_job(client, job["url"])["status"] == "done"
    finally:
        server.stop()


def test_10_a_preview_of_a_request_without_a_pdf_is_404(server: Server) -> None:
    with (
        closing(sign_in(server, "alice", "alice-token-0123456789")) as page,
        httpx.Client(base_url=server.url, headers=ALICE, timeout=120) as api,
    ):
        [sample] = api.get("/api/reports").json()
        job = wait_for_job(
            api,
            api.post("/api/jobs", json={"report": sample["id"], "formats": ["xml"]}).json()["url"],
        )
        response = page.get(f"/previews/{job['id']}.png")
        report("10 preview", status=response.status_code)
        assert response.status_code == 404
        assert page.get("/previews/no-such-job.png").status_code == 404
