"""Load on the web service: 200 requests from 20 concurrent clients on loopback.

Starts a real `convert serve` on a free loopback port with the sample in its library, then
sends a bounded mix of requests (search the library, request a copy, poll the request,
download the copy) and reports latency percentiles, errors (must be 0) and throughput.
The conversions themselves run once: identical requests reuse the stored output.

    .venv/bin/python bench/bench_service.py [--requests 200] [--clients 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from service_server import make_server, wait_for_job  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
TOKENS = "bench:bench-token-0123456789"
HEADERS = {"Authorization": "Bearer bench-token-0123456789"}


async def one_client(
    client: httpx.AsyncClient, count: int, report: str, latencies: list[float], errors: list[str]
) -> None:
    for i in range(count):
        kind = i % 4
        started = time.perf_counter()
        try:
            if kind == 0:
                response = await client.get("/api/reports", params={"q": "Warwickshire"})
            elif kind == 1:
                response = await client.post(
                    "/api/jobs",
                    json={"report": report, "formats": ["pdf", "epub"], "profile": "large-24"},
                )
            elif kind == 2:
                response = await client.get("/api/formats")
            else:
                job = await client.post(
                    "/api/jobs", json={"report": report, "formats": ["pdf"], "profile": "large-24"}
                )
                response = (
                    await client.get(job.json()["outputs"][0]["url"])
                    if job.status_code == 202 and job.json()["outputs"]
                    else job
                )
            if response.status_code >= 400:
                errors.append(f"{response.status_code} {response.text[:100]}")
        except httpx.HTTPError as error:
            errors.append(repr(error))
        latencies.append(time.perf_counter() - started)


async def load(url: str, requests: int, clients: int) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(
        base_url=url, headers=HEADERS, timeout=120, limits=limits
    ) as client:
        [report] = (await client.get("/api/reports", params={"q": "Warwickshire"})).json()
        started = time.perf_counter()
        per_client = requests // clients
        await asyncio.gather(
            *(
                one_client(client, per_client, report["id"], latencies, errors)
                for _ in range(clients)
            )
        )
        elapsed = time.perf_counter() - started
    return latencies, errors, elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = make_server(
            Path(folder), [SAMPLE], tokens=TOKENS, extra=["--max-jobs", "1000"]
        ).start()
        try:
            with httpx.Client(base_url=server.url, headers=HEADERS, timeout=300) as client:
                [report] = client.get("/api/reports", params={"q": "Warwickshire"}).json()
                for formats in (["pdf", "epub"], ["pdf"]):  # warm: the conversions happen once
                    first = client.post(
                        "/api/jobs",
                        json={"report": report["id"], "formats": formats, "profile": "large-24"},
                    )
                    wait_for_job(client, first.json()["url"], timeout=600)
            latencies, errors, elapsed = asyncio.run(
                load(server.url, arguments.requests, arguments.clients)
            )
        finally:
            server.stop()
    print(
        f"{len(latencies)} requests from {arguments.clients} concurrent clients on loopback in {elapsed:.2f} s"
    )
    print(f"throughput      {len(latencies) / elapsed:8.1f} requests/s")
    print(f"latency p50     {percentile(latencies, 0.50) * 1000:8.1f} ms")
    print(f"latency p90     {percentile(latencies, 0.90) * 1000:8.1f} ms")
    print(f"latency p99     {percentile(latencies, 0.99) * 1000:8.1f} ms")
    print(f"latency mean    {statistics.mean(latencies) * 1000:8.1f} ms")
    print(f"errors          {len(errors):8d}")
    for error in errors[:10]:
        print("   ", error)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
