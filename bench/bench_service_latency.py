"""The web service under 20 concurrent clients: p99 latency of the request page and of a
cached download, and the time to the first preview image on a warm server; optionally beside
another checkout (--before), the two taking turns round by round.

    .venv/bin/python bench/bench_service_latency.py [--clients 20] [--requests 400]
        [--previews 3] [--rounds 2] [--before ../base]

Each round starts a real `convert serve` (2 workers) on loopback with the sample in its
library and warms it (one conversion to PDF, one page, one preview).  Then: ``--requests``
requests of the request page (GET /request?report=...) from ``--clients`` clients at once;
as many downloads of the finished PDF (GET /api/jobs/ID/outputs/pdf); and ``--previews``
previews (POST /preview, then GET of its image) of copies not made before (a new size each:
the conversion is part of it), each on a warm server with nothing running (the request an
earlier preview made has finished its checks); then as many straight after one another;
then one of a copy made before.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from timing import load, tree_cpu

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
TOKENS = "bench:bench-token-0123456789"
HEADERS = {"Authorization": "Bearer bench-token-0123456789"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def hammer(url: str, path: str, requests: int, clients: int) -> tuple[list[float], int]:
    """``requests`` GETs of ``path`` from ``clients`` clients at once: latencies, errors."""
    latencies: list[float] = []
    errors = 0

    async def one(client: httpx.AsyncClient, count: int) -> None:
        nonlocal errors
        for _ in range(count):
            started = time.perf_counter()
            response = await client.get(path)
            await response.aread()
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 200

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=url, headers=HEADERS, timeout=120, limits=limits
    ) as client:
        await asyncio.gather(*(one(client, requests // clients) for _ in range(clients)))
    return latencies, errors


def preview(client: httpx.Client, report: str, font_size: float) -> tuple[float, str]:
    """Seconds from sending the preview form to holding its image, and the id of the
    request the preview made (it goes on, with its checks, after that)."""
    page = client.get("/request", params={"report": report})
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert token is not None, page.text[:500]
    form = {"report": report, "formats": "pdf", "font_size": f"{font_size:g}"}
    started = time.perf_counter()
    response = client.post("/preview", data={**form, "form_token": token.group(1)})
    assert response.status_code == 200, response.text[:500]
    image = re.search(r'src="(/previews/[^"]+\.png)"', response.text)
    assert image is not None, response.text[-1500:]
    png = client.get(image.group(1))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    seconds = time.perf_counter() - started
    return seconds, image.group(1).removeprefix("/previews/").removesuffix(".png")


def settle(client: httpx.Client, job_ids: list[str]) -> None:
    """Wait until the requests previews made have finished (their checks)."""
    from service_server import wait_for_job

    for job_id in job_ids:
        wait_for_job(client, f"/api/jobs/{job_id}", timeout=600)


def child(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(REPO / "tests"))
    from service_server import make_server, wait_for_job

    with tempfile.TemporaryDirectory() as folder:
        server = make_server(
            Path(folder), [SAMPLE], tokens=TOKENS, extra=["--max-jobs", "1000", "--workers", "2"]
        ).start()
        try:
            with httpx.Client(base_url=server.url, headers=HEADERS, timeout=600) as client:
                [report] = client.get("/api/reports", params={"q": "Warwickshire"}).json()
                job = client.post("/api/jobs", json={"report": report["id"], "formats": ["pdf"]})
                done = wait_for_job(client, job.json()["url"], timeout=600)
                download = str(done["outputs"][0]["url"])  # type: ignore[index]
                _, warm = preview(client, report["id"], 18)  # warm: a preview made once
                settle(client, [warm])
                request_page = f"/request?report={report['id']}"
                asyncio.run(hammer(server.url, request_page, args.clients, args.clients))
                cpu = tree_cpu(server.pid)
                page, page_errors = asyncio.run(
                    hammer(server.url, request_page, args.requests, args.clients)
                )
                page_cpu, cpu = (tree_cpu(server.pid) - cpu) / args.requests, tree_cpu(server.pid)
                files, file_errors = asyncio.run(
                    hammer(server.url, download, args.requests, args.clients)
                )
                download_cpu = (tree_cpu(server.pid) - cpu) / args.requests
                fresh, fresh_cpu = [], []
                for n in range(args.previews):  # each on a warm server with nothing running
                    cpu = tree_cpu(server.pid)
                    seconds, made = preview(client, report["id"], 19 + n)
                    fresh.append(seconds)
                    fresh_cpu.append(tree_cpu(server.pid) - cpu)
                    settle(client, [made])
                # One straight after another: each may wait for a worker still checking the
                # copy the one before made.
                back_to_back = [
                    preview(client, report["id"], 30 + n)[0] for n in range(args.previews)
                ]
                again, _ = preview(client, report["id"], 19)  # made before: its PDF is kept
        finally:
            server.stop()
    return {
        "page": page,
        "page_errors": page_errors,
        "download": files,
        "download_errors": file_errors,
        "preview_fresh": fresh,
        "preview_fresh_cpu": fresh_cpu,
        "preview_again": again,
        "preview_back_to_back": back_to_back,
        "page_cpu": page_cpu,
        "download_cpu": download_cpu,
        "load": load(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--previews", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return
    checkouts = {"after": REPO}
    if args.before is not None:
        checkouts = {"before": args.before.resolve(), "after": REPO}
    print(f"Service latency, {args.clients} clients; at start: {load()}", flush=True)
    results: dict[str, list[dict[str, Any]]] = {label: [] for label in checkouts}
    for _ in range(args.rounds):
        for label, checkout in checkouts.items():
            command = [str(checkout / ".venv" / "bin" / "python"), __file__, "--child"]
            command += ["--clients", str(args.clients), "--requests", str(args.requests)]
            command += ["--previews", str(args.previews)]
            done = subprocess.run(command, capture_output=True, text=True, cwd=checkout)
            if done.returncode != 0:
                raise SystemExit(f"{label} failed:\n{done.stderr[-3000:]}")
            results[label].append(json.loads(done.stdout.splitlines()[-1]))
            print(f"  {label}: round done; {results[label][-1]['load']}", flush=True)
    print(
        f"{'':8} {'measure':24} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'server CPU ms/request':>22}"
    )
    for label, rounds in results.items():
        for name, key in (("request page", "page"), ("cached download (PDF)", "download")):
            values = [v for r in rounds for v in r[key]]
            errors = sum(r[f"{key}_errors"] for r in rounds)
            cpu = statistics.median(r[f"{key}_cpu"] for r in rounds)
            print(
                f"{label:8} {name:24} {percentile(values, 0.5) * 1000:7.0f} "
                f"{percentile(values, 0.9) * 1000:7.0f} {percentile(values, 0.99) * 1000:7.0f} "
                f"{errors:6d} {cpu * 1000:22.2f}"
            )
        fresh = [v for r in rounds for v in r["preview_fresh"]]
        fresh_cpu = [v for r in rounds for v in r["preview_fresh_cpu"]]
        again = [r["preview_again"] for r in rounds]
        following = [v for r in rounds for v in r.get("preview_back_to_back", [])]
        print(
            f"{label:8} first preview image, new copy: median {statistics.median(fresh):.2f} s "
            f"wall, {statistics.median(fresh_cpu):.2f} s CPU of the server and its workers "
            f"(all: {', '.join(f'{v:.2f}' for v in fresh)} s); a copy made before: median "
            f"{statistics.median(again):.2f} s"
        )
        if following:
            print(
                f"{label:8} previews one straight after another: median "
                f"{statistics.median(following):.2f} s wall "
                f"(all: {', '.join(f'{v:.2f}' for v in following)} s)"
            )
    print(f"at end: {load()}")


if __name__ == "__main__":
    main()
