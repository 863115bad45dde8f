"""The web service under load and under abuse: 20 staff clients for 60 s, then the same
again beside one abusive client sending oversized chunked bodies.

Each run starts a fresh `convert serve` on loopback (the sample in its library, four staff
tokens).  Every client signs in, then loops: view the reports page, search the library
(API), view its requests page, poll its latest job (API), and every eighth round upload a
small text of its own (read on a worker) and request a copy of it (a conversion on a
worker).  The abusive client, in the second run, sends one oversized chunked body after
another from raw sockets: 100 MB uploads signed in (cut off at the 20 MB limit), and
100 MB JSON bodies and page uploads with no credentials (refused before a byte is read).

Reported for each run: requests and their latency percentiles (all, and per kind), 5xx
answers (must be 0), other refusals, the server's resident memory sampled every second
(start, end, peak: flat means the end is within a few MB of the start), and the machine's
load average.  The second run's p99 must stay within 2x of the first's.

    .venv/bin/python bench/bench_service_abuse.py [--seconds 60] [--clients 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from service_probe import MB, descendants, rss_mb, send_chunked  # noqa: E402
from service_server import Server, make_server  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
STAFF = {f"staff{i}": f"staff{i}-token-0123456789" for i in range(4)}
TOKENS = ",".join(f"{name}:{token}" for name, token in STAFF.items())


@dataclass
class Run:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    server_rss: list[float] = field(default_factory=list)
    workers_rss: list[float] = field(default_factory=list)
    abuse: Counter[str] = field(default_factory=Counter)
    abuse_mb: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)
    seconds: float = 0.0

    def all_latencies(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def timed(run: Run, kind: str, request: object) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response: httpx.Response = await request  # type: ignore[misc]
    except httpx.HTTPError as error:
        run.failures.append(f"{kind}: {error!r}")
        return None
    run.latencies[kind].append(time.perf_counter() - started)
    run.statuses[response.status_code] += 1
    if response.status_code >= 400 and response.status_code != 429:
        run.failures.append(f"{kind}: {response.status_code} {response.text[:120]}")
    return response


async def staff_client(url: str, index: int, report: str, run: Run, until: float) -> None:
    name, token = list(STAFF.items())[index % len(STAFF)]
    bearer = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        page = await client.get("/sign-in")
        form_token = re.search(r'name="form_token" value="([^"]+)"', page.text)
        assert form_token is not None
        signed = await client.post(
            "/sign-in", data={"name": name, "token": token, "form_token": form_token.group(1)}
        )
        assert signed.status_code == 303, signed.text
        job_url: str | None = None
        round_number = 0
        while time.monotonic() < until:
            round_number += 1
            await timed(run, "page /", client.get("/"))
            await timed(
                run,
                "api search",
                client.get("/api/reports", params={"q": "Warwick"}, headers=bearer),
            )
            await timed(run, "page /jobs", client.get("/jobs"))
            if job_url is not None:
                await timed(run, "api job", client.get(job_url, headers=bearer))
            if round_number % 8 == index % 8:
                text = (
                    f"Notes {index}.{round_number}\n\nSummary\n\nVisit {round_number} went well.\n"
                )
                uploaded = await timed(
                    run,
                    "api upload",
                    client.post(
                        "/api/uploads",
                        files={"file": (f"notes-{index}-{round_number}.txt", text.encode())},
                        headers=bearer,
                    ),
                )
                if uploaded is not None and uploaded.status_code == 201:
                    request = {"upload": uploaded.json()["id"], "formats": ["xml"]}
                    job = await timed(
                        run,
                        "api job request",
                        client.post("/api/jobs", json=request, headers=bearer),
                    )
                    if job is not None and job.status_code == 202:
                        job_url = job.json()["url"]
            await asyncio.sleep(0.05)  # a person, or a program, between requests


def abuse(url: str, run: Run, stop: threading.Event) -> None:
    """One client sending oversized chunked bodies, one after another."""
    bearer = {"Authorization": f"Bearer {STAFF['staff0']}"}
    multipart = {"Content-Type": "multipart/form-data; boundary=xyz"}
    head = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
    attacks = [
        ("upload, signed in", "/api/uploads", {**bearer, **multipart}, head),
        ("JSON, no token", "/api/jobs", {"Content-Type": "application/json"}, b'{"formats": "'),
        ("page upload, no session", "/uploads", multipart, head),
    ]
    turn = 0
    while not stop.is_set():
        label, path, headers, prefix = attacks[turn % len(attacks)]
        turn += 1
        try:
            result = send_chunked(url, path, 100 * MB, headers=headers, prefix=prefix, timeout=60)
        except OSError as error:
            run.abuse[f"{label}: {type(error).__name__}"] += 1
            continue
        run.abuse[f"{label}: {result.status}"] += 1
        run.abuse_mb += result.sent / MB


def sample_memory(server: Server, run: Run, stop: threading.Event) -> None:
    while not stop.is_set():
        run.server_rss.append(rss_mb(server.pid))
        run.workers_rss.append(sum(rss_mb(p) for p in descendants(server.pid)))
        stop.wait(1.0)


async def load(url: str, clients: int, seconds: float, run: Run) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        found = await client.get(
            "/api/reports",
            params={"q": "Warwickshire"},
            headers={"Authorization": f"Bearer {STAFF['staff0']}"},
        )
        [report] = found.json()
    until = time.monotonic() + seconds
    await asyncio.gather(*(staff_client(url, i, report["id"], run, until) for i in range(clients)))


def one_run(clients: int, seconds: float, abusive: bool) -> Run:
    run = Run()
    with tempfile.TemporaryDirectory() as folder:
        server = make_server(Path(folder), [SAMPLE], tokens=TOKENS, extra=["--max-jobs", "100"])
        server.start()
        try:
            time.sleep(3)  # the workers start
            stop = threading.Event()
            threads = [threading.Thread(target=sample_memory, args=(server, run, stop))]
            if abusive:
                threads.append(threading.Thread(target=abuse, args=(server.url, run, stop)))
            load_before = os.getloadavg()[0]
            for thread in threads:
                thread.start()
            started = time.perf_counter()
            asyncio.run(load(server.url, clients, seconds, run))
            run.seconds = time.perf_counter() - started
            stop.set()
            for thread in threads:
                thread.join()
            run.load = (load_before, os.getloadavg()[0])
        finally:
            server.stop()
    return run


def show(title: str, run: Run) -> None:
    every = run.all_latencies()
    server_errors = sum(count for status, count in run.statuses.items() if status >= 500)
    print(
        f"\n== {title}: {len(every)} requests in {run.seconds:.1f} s ({len(every) / run.seconds:.1f}/s)"
    )
    print(f"   machine load average (1 min) before {run.load[0]:.2f}, after {run.load[1]:.2f}")
    print(
        f"   all requests     p50 {percentile(every, 0.5) * 1000:7.1f} ms  "
        f"p90 {percentile(every, 0.9) * 1000:7.1f} ms  p99 {percentile(every, 0.99) * 1000:7.1f} ms"
    )
    for kind, values in sorted(run.latencies.items()):
        print(
            f"   {kind:17}p50 {percentile(values, 0.5) * 1000:7.1f} ms  "
            f"p99 {percentile(values, 0.99) * 1000:7.1f} ms  ({len(values)})"
        )
    print(f"   statuses {dict(sorted(run.statuses.items()))}; 5xx: {server_errors}")
    for failure in run.failures[:5]:
        print(f"   failure: {failure}")
    if run.server_rss:
        print(
            f"   server memory   start {run.server_rss[0]:.1f} MB, end {run.server_rss[-1]:.1f} MB, "
            f"peak {max(run.server_rss):.1f} MB ({len(run.server_rss)} samples)"
        )
        quarters = [
            run.server_rss[min(len(run.server_rss) - 1, i * len(run.server_rss) // 4)]
            for i in range(4)
        ]
        print(
            f"   server memory by quarter of the run: {', '.join(f'{m:.1f}' for m in quarters)} MB"
        )
        print(
            f"   workers memory  start {run.workers_rss[0]:.1f} MB, end {run.workers_rss[-1]:.1f} MB, "
            f"peak {max(run.workers_rss):.1f} MB"
        )
    if run.abuse:
        print(f"   abusive bodies  {dict(run.abuse)}; {run.abuse_mb:.0f} MB sent in all")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    arguments = parser.parse_args()
    calm = one_run(arguments.clients, arguments.seconds, abusive=False)
    show("without the abusive client", calm)
    abused = one_run(arguments.clients, arguments.seconds, abusive=True)
    show("with one abusive client", abused)
    ratio = percentile(abused.all_latencies(), 0.99) / max(
        percentile(calm.all_latencies(), 0.99), 1e-9
    )
    errors = sum(c for s, c in (calm.statuses + abused.statuses).items() if s >= 500)
    growth = max(r.server_rss[-1] - r.server_rss[0] for r in (calm, abused))
    print(f"\np99 with the abuser / without: {ratio:.2f} (must be <= 2)")
    print(f"5xx answers in both runs: {errors} (must be 0)")
    print(f"server memory growth over a run: at most {growth:.1f} MB")
    sys.exit(0 if ratio <= 2 and errors == 0 else 1)


if __name__ == "__main__":
    main()
