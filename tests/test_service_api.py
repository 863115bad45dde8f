"""The web service's JSON API, against a real `convert serve` process on loopback."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import SAMPLE
from dask_cluster import dask_cluster
from lxml import etree
from service_server import Server, make_server, wait_for_job

from converter import parse, tree
from converter.tree import schema_errors

TOKENS = "alice:alice-token-0123456789,bob:bob-token-0123456789ab"
ALICE = {"Authorization": "Bearer alice-token-0123456789"}
BOB = {"Authorization": "Bearer bob-token-0123456789ab"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(
        tmp_path_factory.mktemp("service"),
        [SAMPLE],
        tokens=TOKENS,
        extra=["--max-upload-mb", "1", "--workers", "2"],
    ).start()
    yield server
    server.stop()


@pytest.fixture()
def alice(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=ALICE, timeout=60) as client:
        yield client


@pytest.fixture()
def bob(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=BOB, timeout=60) as client:
        yield client


def sample_id(client: httpx.Client) -> str:
    [report] = client.get("/api/reports", params={"q": "Warwickshire"}).json()
    return str(report["id"])


def test_openapi_document_lists_every_endpoint(server: Server) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert {
        "/api/jobs",
        "/api/jobs/{job_id}",
        "/api/jobs/{job_id}/outputs/{fmt}",
        "/api/uploads",
        "/api/reports",
        "/api/formats",
        "/api/profiles",
        "/api/health",
    } <= set(spec["paths"])


def test_formats_and_profiles(alice: httpx.Client) -> None:
    names = [f["name"] for f in alice.get("/api/formats").json()]
    assert "pdf" in names and "xml" in names
    profiles = alice.get("/api/profiles").json()
    assert "large-24" in [p["name"] for p in profiles["profiles"]]
    assert "black-on-cream" in profiles["colours"]


def test_search_by_title_body_and_date(alice: httpx.Client) -> None:
    for query in ("Warwickshire", "warwickshire county council", "2021-11-22", "22 November"):
        found = alice.get("/api/reports", params={"q": query}).json()
        assert [r["name"] for r in found] == [SAMPLE.name], query
    assert alice.get("/api/reports", params={"q": "Atlantis"}).json() == []


def test_a_job_converts_and_its_output_downloads(alice: httpx.Client) -> None:
    response = alice.post("/api/jobs", json={"report": sample_id(alice), "formats": ["xml"]})
    assert response.status_code == 202, response.text
    job = wait_for_job(alice, response.json()["url"])
    assert job["status"] == "done", job
    [output] = job["outputs"]  # type: ignore[misc]
    assert output["check"]["passed"] is True
    download = alice.get(output["url"])
    assert download.status_code == 200
    assert schema_errors(etree.fromstring(download.content)) == []


def test_identical_requests_reuse_the_stored_output(alice: httpx.Client) -> None:
    request = {"report": sample_id(alice), "formats": ["xml"], "profile": "large-24"}
    first = wait_for_job(alice, alice.post("/api/jobs", json=request).json()["url"])
    second = alice.post("/api/jobs", json=request).json()
    assert second["status"] == "done"  # at once, no conversion
    assert second["id"] != first["id"]
    assert (
        alice.get(second["outputs"][0]["url"]).content
        == alice.get(first["outputs"][0]["url"]).content
    )  # type: ignore[index]


def test_upload_then_convert(alice: httpx.Client) -> None:
    text = (
        b"Annual report of the Example Trust\n\nSummary\n\nThe trust met its targets this year.\n"
    )
    upload = alice.post("/api/uploads", files={"file": ("trust.txt", text, "text/plain")})
    assert upload.status_code == 201, upload.text
    assert upload.json()["title"] == "Annual report of the Example Trust"
    job = wait_for_job(
        alice,
        alice.post("/api/jobs", json={"upload": upload.json()["id"], "formats": ["xml"]}).json()[
            "url"
        ],
    )
    assert job["status"] == "done"


def test_a_job_shows_the_structure_review(alice: httpx.Client) -> None:
    planted = (Path(__file__).parent / "fixtures" / "xml" / "review-planted.xml").read_bytes()
    upload = alice.post("/api/uploads", files={"file": ("planted.xml", planted, "text/xml")})
    assert upload.status_code == 201, upload.text
    # Sent as is: made at once, the findings shown beside the copies (without send_as_is
    # it waits for a review: tests/test_service_review.py).
    created = alice.post(
        "/api/jobs",
        json={"upload": upload.json()["id"], "formats": ["xml"], "send_as_is": True},
    )
    job = wait_for_job(alice, created.json()["url"])
    assert job["status"] == "done"
    assert len(job["warnings"]) == 16
    assert any("[glued-marker]" in w and "improve?1" in w for w in job["warnings"])
    # The job page a member of staff reads, signed in.
    with httpx.Client(base_url=str(alice.base_url), timeout=60) as browser:
        sign_in = browser.get("/sign-in").text
        form_token = re.search(r'name="form_token" value="([^"]+)"', sign_in).group(1)  # type: ignore[union-attr]
        name, token = TOKENS.split(",")[0].split(":")
        signed = browser.post(
            "/sign-in", data={"name": name, "token": token, "form_token": form_token}
        )
        assert signed.status_code == 303, signed.text
        page = browser.get(f"/jobs/{job['id']}")
        assert page.status_code == 200
        assert "Check before sending: 16 structure warnings" in page.text
        assert "improve?1" in page.text


def test_upload_a_word_document_then_convert(alice: httpx.Client) -> None:
    from support import word

    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    upload = alice.post(
        "/api/uploads", files={"file": ("parish.docx", word.feature_docx(), docx_type)}
    )
    assert upload.status_code == 201, upload.text
    assert upload.json()["title"] == "Parish services review"
    request = {"upload": upload.json()["id"], "formats": ["html"]}
    # Its image without a description and its tracked changes stop it for a review ...
    held = wait_for_job(alice, alice.post("/api/jobs", json=request).json()["url"])
    assert held["status"] == "needs-review", held
    # ... unless it is sent as is.
    job = wait_for_job(
        alice, alice.post("/api/jobs", json={**request, "send_as_is": True}).json()["url"]
    )
    assert job["status"] == "done", job
    assert any("image-without-description" in line for line in job["warnings"])  # type: ignore[union-attr]


def test_one_users_uploads_are_not_anothers(alice: httpx.Client, bob: httpx.Client) -> None:
    upload = alice.post(
        "/api/uploads", files={"file": ("private.txt", b"Private notes\n\nText.\n", "text/plain")}
    ).json()
    response = bob.post("/api/jobs", json={"upload": upload["id"], "formats": ["xml"]})
    assert response.status_code == 404
    assert "no upload" in response.json()["error"]


def test_one_users_jobs_are_not_anothers(alice: httpx.Client, bob: httpx.Client) -> None:
    job = alice.post("/api/jobs", json={"report": sample_id(alice), "formats": ["xml"]}).json()
    assert bob.get(f"/api/jobs/{job['id']}").status_code == 404


def test_job_ids_are_unguessable(alice: httpx.Client) -> None:
    ids = {
        alice.post("/api/jobs", json={"report": sample_id(alice), "formats": ["xml"]}).json()["id"]
        for _ in range(3)
    }
    assert len(ids) == 3 and all(len(i) >= 22 for i in ids)


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({"report": "x", "formats": ["rtf"]}, 422, "unknown format 'rtf'"),
        ({"report": "x", "formats": []}, 422, "formats"),
        ({"formats": ["xml"]}, 422, "exactly one of report or upload"),
        ({"report": "nope", "formats": ["xml"]}, 404, "no report 'nope'"),
        ({"report": "SAMPLE", "formats": ["pdf"], "font_size": 9}, 422, "below 12"),
        ({"report": "SAMPLE", "formats": ["pdf"], "colours": "pink"}, 422, "unknown colour scheme"),
    ],
)
def test_bad_job_requests_get_a_clear_message(
    alice: httpx.Client, body: dict[str, object], status: int, message: str
) -> None:
    if body.get("report") == "SAMPLE":
        body = {**body, "report": sample_id(alice)}
    response = alice.post("/api/jobs", json=body)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]


def test_malformed_body_is_422(alice: httpx.Client) -> None:
    response = alice.post(
        "/api/jobs", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "not valid" in response.json()["error"]


def test_oversized_upload_is_413(alice: httpx.Client) -> None:
    response = alice.post(
        "/api/uploads", files={"file": ("big.txt", b"a" * (2 * 1048576), "text/plain")}
    )
    assert response.status_code == 413
    assert "1 MB limit" in response.json()["error"]


def test_upload_of_the_wrong_kind_is_415(alice: httpx.Client) -> None:
    response = alice.post(
        "/api/uploads", files={"file": ("photo.jpg", b"\xff\xd8\xff", "image/jpeg")}
    )
    assert response.status_code == 415
    assert "Word, OpenDocument" in response.json()["error"]


def test_unreadable_upload_is_422_naming_the_problem(alice: httpx.Client) -> None:
    response = alice.post(
        "/api/uploads", files={"file": ("blob.txt", b"\x00\x01\x02" * 100, "text/plain")}
    )
    assert response.status_code == 422
    assert "blob.txt" in response.json()["error"] and "binary" in response.json()["error"]


def test_no_token_is_401(server: Server) -> None:
    response = httpx.post(f"{server.url}/api/jobs", json={"report": "x", "formats": ["xml"]})
    assert response.status_code == 401
    assert "access token" in response.json()["error"]


def test_a_wrong_token_is_401(server: Server) -> None:
    response = httpx.get(f"{server.url}/api/reports", headers={"Authorization": "Bearer guess"})
    assert response.status_code == 401


def test_pages_without_a_session_redirect_to_sign_in(server: Server) -> None:
    response = httpx.get(f"{server.url}/jobs", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")


def test_unknown_output_is_404(alice: httpx.Client) -> None:
    job = wait_for_job(
        alice,
        alice.post("/api/jobs", json={"report": sample_id(alice), "formats": ["xml"]}).json()[
            "url"
        ],
    )
    assert alice.get(f"/api/jobs/{job['id']}/outputs/pdf").status_code == 404


def test_without_tokens_only_loopback_and_refuses_other_hosts(tmp_path: Path) -> None:
    server = make_server(tmp_path, [SAMPLE], extra=[])
    server.args[server.args.index("127.0.0.1")] = "0.0.0.0"
    server.process = None
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "converter", "serve", *server.args],
        env=server.env,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert b"without access tokens" in result.stderr


def test_limits_on_active_jobs_and_conversion_time(tmp_path: Path) -> None:
    server = make_server(
        tmp_path,
        [SAMPLE],
        tokens=TOKENS,
        extra=["--max-jobs", "1", "--max-seconds", "1", "--workers", "1"],
    ).start()
    try:
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=60) as client:
            report = sample_id(client)
            # A PDF with its checks (veraPDF starts a JVM) takes well over a second, and a
            # busy machine only makes it longer: still active when the second request comes.
            first = client.post("/api/jobs", json={"report": report, "formats": ["pdf"]})
            assert first.status_code == 202
            second = client.post("/api/jobs", json={"report": report, "formats": ["pef"]})
            assert second.status_code == 429
            assert "try again" in second.json()["error"]
            job = wait_for_job(client, first.json()["url"])
            assert job["status"] == "failed"
            assert "took longer than 1 seconds" in str(job["error"])
    finally:
        server.stop()


def test_a_restart_in_the_middle_of_a_job_loses_nothing(tmp_path: Path) -> None:
    server = make_server(tmp_path, [SAMPLE], tokens=TOKENS, extra=["--workers", "1"]).start()
    try:
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=60) as client:
            report = sample_id(client)
            job = client.post(
                "/api/jobs", json={"report": report, "formats": ["xml", "brf", "pef", "html"]}
            ).json()
            deadline = time.monotonic() + 60
            while (
                client.get(job["url"]).json()["status"] == "queued" and time.monotonic() < deadline
            ):
                time.sleep(0.05)
            assert client.get(job["url"]).json()["status"] == "running"
        server.stop(hard=True)  # the server and its workers die mid-job
        server.start()
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=60) as client:
            finished = wait_for_job(client, job["url"])
            assert finished["status"] == "done", finished
            assert [o["format"] for o in finished["outputs"]] == ["xml", "brf", "pef", "html"]  # type: ignore[attr-defined]
    finally:
        server.stop()


def test_jobs_run_on_a_dask_cluster(tmp_path: Path) -> None:
    cluster_folder = tmp_path / "dask"
    cluster_folder.mkdir()
    with dask_cluster(cluster_folder, workers=1) as (address, _):
        run_a_job_on(make_server(tmp_path, [SAMPLE], tokens=TOKENS, extra=["--scheduler", address]))


def run_a_job_on(server: Server) -> None:
    server.start()
    try:
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=60) as client:
            request = {"report": sample_id(client), "formats": ["xml", "brf"]}
            job = wait_for_job(client, client.post("/api/jobs", json=request).json()["url"])
            assert job["status"] == "done", job
            brf = client.get(job["outputs"][1]["url"])  # type: ignore[index]
            assert brf.status_code == 200 and b"\f" in brf.content
    finally:
        server.stop()


def test_the_form_and_the_model_offer_every_service_option(alice: httpx.Client) -> None:
    """The request form and the JSON model come from converter.options: margins, braille
    cells and lines (once dropped) are offered and reach the conversion."""
    from converter import options

    service = [(f.name, s) for f, s in options.settings() if s.service]
    page = alice.get("/request", params={"report": sample_id(alice)}).text
    names = set(re.findall(r'name="([a-z_]+)"', page))
    assert {name for name, _ in service} <= names
    assert all(setting.label in page for _, setting in service)
    schema = alice.get("/openapi.json").json()["components"]["schemas"]["JobRequest"]
    assert schema["properties"]["braille_cells"]["minimum"] == 20
    assert "black-on-white" in schema["properties"]["colours"]["enum"]
    request = {"report": sample_id(alice), "formats": ["brf"], "braille_cells": 30}
    job = wait_for_job(alice, alice.post("/api/jobs", json=request).json()["url"])
    assert job["status"] == "done" and job["options"]["braille_cells"] == 30
    brf = alice.get(job["outputs"][0]["url"]).content.decode("ascii")
    assert max(len(line) for line in brf.replace("\f", "\n").splitlines()) == 30


def test_on_a_dask_cluster_a_conversion_past_its_time_is_stopped(tmp_path: Path) -> None:
    """Its Dask worker is restarted (by its nanny) and the next job runs normally."""
    from service_probe import alive, command_line, descendants

    cluster_folder = tmp_path / "dask"
    cluster_folder.mkdir()
    with dask_cluster(cluster_folder, workers=1) as (address, processes):
        server = make_server(
            tmp_path,
            [],
            tokens=TOKENS,
            # The limit holds for reading an upload too: 9,000 paragraphs take 1.5 s alone and
            # past 4 s when several test suites share the machine's two cores; their PDF takes
            # 100 s, far past it.
            extra=["--scheduler", address, "--max-seconds", "10", "--max-upload-mb", "4"],
        ).start()
        try:
            nanny = processes[1].pid
            with httpx.Client(base_url=server.url, headers=ALICE, timeout=120) as client:
                # Quick to read (canonical XML: no recovery) and long to render, on any
                # machine: reading it as text took 2 s of the 4 here, and more under load.
                long = "\n\n".join(
                    f"{i}. The panel reviewed the evidence again and found it sound."
                    for i in range(9000)
                )
                report = tree.serialize(parse(f"Long report\n\n{long}\n".encode()).getroot())
                big = client.post("/api/uploads", files={"file": ("long.xml", report)}).json()
                assert "id" in big, big
                tiny = client.post(
                    "/api/uploads", files={"file": ("short.txt", b"Short report\n\nAll well.\n")}
                ).json()
                runaway = client.post(
                    "/api/jobs", json={"upload": big["id"], "formats": ["pdf"], "send_as_is": True}
                ).json()
                # The nanny's worker process (not its resource tracker, which stays).
                workers = {p for p in descendants(nanny) if "spawn_main" in command_line(p)}
                job = wait_for_job(client, runaway["url"])
                assert job["status"] == "failed" and "took longer than 10 seconds" in str(
                    job["error"]
                )
                deadline = time.monotonic() + 10  # the nanny gives its worker 4 s to close
                while any(alive(p) for p in workers) and time.monotonic() < deadline:
                    time.sleep(0.1)
                assert workers and not any(alive(p) for p in workers)  # restarted: a new process
                after = client.post("/api/jobs", json={"upload": tiny["id"], "formats": ["xml"]})
                assert wait_for_job(client, after.json()["url"])["status"] == "done"
        finally:
            server.stop()
