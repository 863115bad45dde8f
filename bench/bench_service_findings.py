"""Issue 23's findings, measured: one probe per finding against a real `convert serve`, each
printing its figures (what the service read before refusing, memory, processes left...).

It uses only what every version of the service offers (no option added by the fixes), so
the same probes measure an older checkout: run it with PYTHONPATH pointing at that
checkout to get the "before" figures, and as it is for "after".

    .venv/bin/python bench/bench_service_findings.py [--only 1,2,...]
    PYTHONPATH=/path/to/old/checkout .venv/bin/python bench/bench_service_findings.py
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from service_probe import MB, Sampler, alive, command_line, descendants, rss_mb, send_chunked  # noqa: E402
from service_server import Server, make_server, wait_for_job  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
TOKENS = "alice:alice-token-0123456789,bob:bob-token-0123456789ab"
ALICE = {"Authorization": "Bearer alice-token-0123456789"}
BOB = {"Authorization": "Bearer bob-token-0123456789ab"}
MULTIPART = {"Content-Type": "multipart/form-data; boundary=xyz"}
UPLOAD_HEAD = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
TINY = b"Notes of a visit\n\nSummary\n\nThe visit went well and nothing needs to change.\n"


def text_report(paragraphs: int) -> bytes:
    lines = ["Report on a long inquiry", ""]
    for i in range(paragraphs):
        if i % 40 == 0:
            lines += [f"Section {i // 40 + 1}", ""]
        lines += [
            f"{i + 1}. The committee considered the evidence in paragraph {i + 1} and found "
            "that the arrangements for children in care were reviewed regularly.",
            "",
        ]
    return "\n".join(lines).encode()


def say(finding: str, **figures: object) -> None:
    shown = ", ".join(
        f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()
    )
    print(f"[{finding}] {shown}", flush=True)


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stream:
            fields = stream.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def form_token(page: str) -> dict[str, str]:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    return {"form_token": found.group(1)} if found else {}


def sign_in(server: Server, name: str, token: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    extra = form_token(client.get("/sign-in").text)
    client.post("/sign-in", data={"name": name, "token": token, **extra})
    return client


def started(folder: Path, library: list[Path], tokens: str, extra: list[str]) -> Server:
    return make_server(folder, library, tokens=tokens, extra=extra).start()


# -- the probes -----------------------------------------------------------------------------


def probe_1(folder: Path) -> None:
    server = started(folder, [SAMPLE], TOKENS, [])
    try:
        for label, path, total, headers, prefix in (
            ("upload, no token", "/api/uploads", 500 * MB, MULTIPART, UPLOAD_HEAD),
            (
                "JSON, no token",
                "/api/jobs",
                200 * MB,
                {"Content-Type": "application/json"},
                b'{"formats": "',
            ),
            (
                "malformed JSON, no token",
                "/api/jobs",
                400 * MB,
                {"Content-Type": "application/json"},
                b"{not json",
            ),
            (
                "upload, signed in, 20 MB limit",
                "/api/uploads",
                60 * MB,
                {**ALICE, **MULTIPART},
                UPLOAD_HEAD,
            ),
        ):
            before = rss_mb(server.pid)
            with Sampler(server.pid, str(server.spool)) as sampled:
                result = send_chunked(
                    server.url, path, total, headers=headers, prefix=prefix, timeout=300
                )
            say(
                f"1 {label}",
                status=result.status,
                sent_mb=result.sent / MB,
                spooled_mb=sampled.peak_spooled_mb,
                rss_before_mb=before,
                rss_peak_mb=sampled.peak_rss,
                rss_after_mb=rss_mb(server.pid),
                seconds=result.seconds,
            )
    finally:
        server.stop()


def probe_2(folder: Path) -> None:
    limit = 4.0
    server = started(folder, [], TOKENS, ["--workers", "1", "--max-seconds", f"{limit:g}"])
    try:
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=300) as client:
            big = client.post(
                "/api/uploads", files={"file": ("inquiry.txt", text_report(6000))}
            ).json()
            tiny = client.post("/api/uploads", files={"file": ("visit.txt", TINY)}).json()
            runaway = client.post(
                "/api/jobs", json={"upload": big["id"], "formats": ["pdf"]}
            ).json()
            after = client.post("/api/jobs", json={"upload": tiny["id"], "formats": ["xml"]}).json()
            while (job := client.get(runaway["url"]).json())["status"] in ("queued", "running"):
                time.sleep(0.05)
            failed_at = time.monotonic()
            # How long the runaway's work goes on: its worker's CPU still climbing, or its
            # output appearing.
            busy_until = failed_at
            last = sum(cpu_seconds(p) for p in descendants(server.pid))
            output = None
            while time.monotonic() - failed_at < 120:
                time.sleep(0.5)
                now = sum(cpu_seconds(p) for p in descendants(server.pid))
                if now - last > 0.2:
                    busy_until = time.monotonic()
                last = now
                output = next((p for p in (server.data / "outputs").rglob("inquiry.pdf")), None)
                if output is not None or time.monotonic() - busy_until > 3:
                    break
            second = wait_for_job(client, after["url"], timeout=300)
            say(
                "2 runaway",
                limit_s=limit,
                error=job["error"],
                worked_on_after_limit_s=busy_until - failed_at,
                wrote_output=output is not None,
                second_job=second["status"],
                second_error=second["error"],
            )
    finally:
        server.stop()


def probe_3(folder: Path) -> None:
    server = started(folder, [SAMPLE], "", [])
    try:
        port = server.url.rsplit(":", 1)[1]
        host = httpx.get(f"{server.url}/api/reports", headers={"Host": f"rebind.example:{port}"})
        with httpx.Client(base_url=server.url) as client:
            cross = client.post(
                "/api/uploads",
                files={"file": ("x.txt", TINY)},
                headers={"Origin": "http://evil.example"},
            )
            page = client.get("/").text
            report = re.search(r"/request\?report=([\w-]+)", page)
            form = client.post(
                "/jobs", data={"report": report.group(1) if report else "", "formats": "xml"}
            )
        say(
            "3 tokenless",
            foreign_host=host.status_code,
            cross_site_upload=cross.status_code,
            form_without_token=form.status_code,
        )
    finally:
        server.stop()


def probe_4(folder: Path) -> None:
    server = started(folder, [], TOKENS, [])
    try:
        alice = sign_in(server, "alice", "alice-token-0123456789")
        kept = alice.cookies.get("converter_session") or ""
        alice.post("/sign-out", data=form_token(alice.get("/jobs").text))
        signed_out = httpx.get(f"{server.url}/jobs", cookies={"converter_session": kept})
        again = sign_in(server, "alice", "alice-token-0123456789")
        rotated_cookie = again.cookies.get("converter_session") or ""
        server.stop()
        server.env["CONVERTER_TOKENS"] = (
            "alice:alice-new-token-9876543210,bob:bob-token-0123456789ab"
        )
        server.start()
        rotated = httpx.get(f"{server.url}/jobs", cookies={"converter_session": rotated_cookie})
        say(
            "4 sessions",
            after_sign_out=signed_out.status_code,
            after_token_change=rotated.status_code,
        )
    finally:
        server.stop()


def probe_5(folder: Path) -> None:
    server = started(folder, [], TOKENS, [])
    data = b"Referral notes\n\nSummary\n\nA family was referred and visited twice this month.\n"
    try:
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=120) as alice:
            mine = alice.post(
                "/api/uploads", files={"file": ("Smith-family-safeguarding-referral.txt", data)}
            ).json()
            wait_for_job(
                alice,
                alice.post("/api/jobs", json={"upload": mine["id"], "formats": ["xml"]}).json()[
                    "url"
                ],
            )
        with httpx.Client(base_url=server.url, headers=BOB, timeout=120) as bob:
            theirs = bob.post("/api/uploads", files={"file": ("bob.txt", data)}).json()
            job = bob.post("/api/jobs", json={"upload": theirs["id"], "formats": ["xml"]}).json()
            done_at_once = job["status"] == "done"
            job = wait_for_job(bob, job["url"])
            download = bob.get(job["outputs"][0]["url"])
        say(
            "5 cache",
            bob_done_at_once=done_at_once,
            bob_file=download.headers.get("content-disposition"),
            smith_inside=b"Smith" in download.content,
        )
    finally:
        server.stop()


def probe_6(folder: Path) -> None:
    import pikepdf

    server = started(folder, [], TOKENS, ["--workers", "1", "--max-jobs", "1"])
    try:
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=600) as client:
            huge = text_report(130_000)
            before, cpu = rss_mb(server.pid), cpu_seconds(server.pid)
            with Sampler(server.pid, str(server.spool), every=0.1) as sampled:
                begun = time.monotonic()
                answer = client.post("/api/uploads", files={"file": ("huge.txt", huge)})
                took = time.monotonic() - begun
            say(
                "6 18 MB text",
                size_mb=len(huge) / MB,
                status=answer.status_code,
                seconds=took,
                server_cpu_s=cpu_seconds(server.pid) - cpu,
                server_rss_before_mb=before,
                server_rss_peak_mb=sampled.peak_rss,
            )
            pdf = pikepdf.new()
            words = " ".join(f"word{i}" for i in range(12))
            lines = [
                f"BT /F1 10 Tf 40 {800 - (n % 70) * 11} Td ({words}) Tj ET" for n in range(400)
            ]
            content = pdf.make_stream("\n".join(lines).encode())
            font = pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
            )
            for _ in range(200):
                pdf.pages.append(
                    pikepdf.Page(
                        pikepdf.Dictionary(
                            Type=pikepdf.Name.Page,
                            MediaBox=[0, 0, 595, 842],
                            Contents=content,
                            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                        )
                    )
                )
            slow = Path(folder) / "stream.pdf"
            pdf.save(slow, compress_streams=True)
            answers: list[int] = []
            cpu = cpu_seconds(server.pid)
            begun = time.monotonic()
            thread = threading.Thread(
                target=lambda: answers.append(
                    client.post(
                        "/api/uploads", files={"file": ("stream.pdf", slow.read_bytes())}
                    ).status_code
                )
            )
            thread.start()
            time.sleep(0.5)
            with httpx.Client(base_url=server.url, headers=ALICE, timeout=600) as other:
                second = other.post("/api/uploads", files={"file": ("visit.txt", TINY)}).status_code
            thread.join()
            say(
                "6 35 KB PDF",
                size_kb=slow.stat().st_size / 1024,
                status=answers[0],
                seconds=time.monotonic() - begun,
                server_cpu_s=cpu_seconds(server.pid) - cpu,
                second_upload_with_max_jobs_1=second,
            )
    finally:
        server.stop()


def probe_7(folder: Path) -> None:
    server = started(folder, [], TOKENS, [])
    try:
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=120) as client:
            try:
                long: int | str = client.post(
                    "/api/uploads", files={"file": ("a" * 300 + ".txt", TINY)}
                ).status_code
            except httpx.HTTPError as error:  # the connection dropped: no answer at all
                long = type(error).__name__
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=120) as client:
            accented = client.post("/api/uploads", files={"file": ("é" * 126 + ".txt", TINY)})
            job = None
            if accented.status_code == 201:
                request = {"upload": accented.json()["id"], "formats": ["xml", "pdf"]}
                job = wait_for_job(client, client.post("/api/jobs", json=request).json()["url"])
        with sqlite3.connect(f"file:{server.data / 'jobs.sqlite3'}?mode=ro", uri=True) as db:
            recorded = {Path(row[0]) for row in db.execute("SELECT path FROM uploads")}
        on_disk = {p for p in (server.data / "uploads").rglob("*") if p.is_file()}
        say(
            "7 names",
            name_300_bytes=long,
            files_without_record=len(on_disk - recorded),
            e_acute_126=accented.status_code,
            its_job=job["status"] if job else None,
            its_error=job["error"] if job else None,
        )
    finally:
        server.stop()


def probe_8(folder: Path) -> None:
    server = started(folder, [SAMPLE], TOKENS, [])
    try:
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=120) as client:
            [report] = client.get("/api/reports").json()
            body = f'{{"report": "{report["id"]}", "formats": ["xml"], "font_size": NaN}}'
            answer = client.post(
                "/api/jobs", content=body, headers={"Content-Type": "application/json"}
            )
        say("8 font_size NaN", status=answer.status_code, answer=answer.text[:80])
    finally:
        server.stop()


def probe_9(folder: Path) -> None:
    broken = Path(folder) / "broken.txt"
    broken.write_bytes(b"\x00\x01\x02\x03" * 100)
    server = started(folder, [broken], TOKENS, [])
    try:
        page = httpx.get(f"{server.url}/sign-in")
        docs = httpx.get(f"{server.url}/docs")
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=120) as client:
            [report] = client.get("/api/reports").json()
            job = wait_for_job(
                client,
                client.post("/api/jobs", json={"report": report["id"], "formats": ["xml"]}).json()[
                    "url"
                ],
            )
        say(
            "9 headers",
            csp=page.headers.get("content-security-policy", "none")[:40],
            frame_options=page.headers.get("x-frame-options"),
            docs=docs.status_code,
            docs_cdn="cdn." in docs.text,
            error_has_server_path=str(folder) in json.dumps(job),
            error=job["error"],
        )
    finally:
        server.stop()


def probe_10(folder: Path) -> None:
    server = started(folder, [SAMPLE], TOKENS, ["--workers", "2"])
    try:
        with httpx.Client(base_url=server.url, headers=ALICE, timeout=120) as client:
            [report] = client.get("/api/reports").json()
            client.post("/api/jobs", json={"report": report["id"], "formats": ["pdf"]})
            tree: set[int] = set()
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                tree = descendants(server.pid)
                if any(command_line(p).startswith("java") for p in tree):
                    break
                time.sleep(0.1)
            xml = wait_for_job(
                client,
                client.post("/api/jobs", json={"report": report["id"], "formats": ["xml"]}).json()[
                    "url"
                ],
            )
        page = sign_in(server, "alice", "alice-token-0123456789")
        preview = page.get(f"/previews/{xml['id']}.png").status_code
        page.close()
        tree = descendants(server.pid)
        memory = sum(rss_mb(p) for p in tree)
        os.kill(server.pid, signal.SIGKILL)
        server.process.wait()  # type: ignore[union-attr]
        killed = time.monotonic()
        while any(alive(p) for p in tree) and time.monotonic() - killed < 60:
            time.sleep(0.1)
        left = [p for p in tree if alive(p)]
        say(
            "10 kill -9",
            processes=len(tree),
            their_mb=memory,
            left_after_s=time.monotonic() - killed,
            left=len(left),
            left_mb=sum(rss_mb(p) for p in left),
            xml_job_preview=preview,
        )
        for pid in left:  # end what the old service left behind
            os.kill(pid, signal.SIGKILL)
        server.process = None
    finally:
        server.stop()


PROBES: dict[str, Callable[[Path], None]] = {
    "1": probe_1,
    "2": probe_2,
    "3": probe_3,
    "4": probe_4,
    "5": probe_5,
    "6": probe_6,
    "7": probe_7,
    "8": probe_8,
    "9": probe_9,
    "10": probe_10,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default=",".join(PROBES), help="probes to run, e.g. 1,2")
    arguments = parser.parse_args()
    import converter

    print(
        f"converter from {Path(converter.__file__).parent}; load average {os.getloadavg()[0]:.2f}"
    )
    for number in arguments.only.split(","):
        with tempfile.TemporaryDirectory() as folder:
            try:
                PROBES[number](Path(folder))
            except Exception as error:
                say(number, failed=f"{type(error).__name__}: {error}")


if __name__ == "__main__":
    main()
