"""Start a real `convert serve` process on loopback for the service tests, and stop only it."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    data: Path
    library: Path
    args: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    verify: ssl.SSLContext | bool = True  # for an HTTPS server: one that trusts its certificate

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def spool(self) -> Path:
        return Path(self.env["TMPDIR"])

    def start(self) -> Server:
        with open(self.data / "server.log", "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "converter", "serve", *self.args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_until_up()
        except BaseException:
            self.stop(hard=True)  # never leave a server behind a test that failed here
            raise
        return self

    def _wait_until_up(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server exited: {(self.data / 'server.log').read_text()[-2000:]}"
                )
            try:
                health = httpx.get(f"{self.url}/api/health", timeout=2, verify=self.verify)
                if health.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not start within 60 s")

    def stop(self, *, hard: bool = False) -> None:
        """Stop the server and every process it started (its own process group)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL if hard else signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


def make_server(
    tmp: Path, library_files: list[Path], *, tokens: str = "", extra: list[str] | None = None
) -> Server:
    data, library = tmp / "data", tmp / "library"
    for folder in (data, library):
        folder.mkdir(parents=True, exist_ok=True)
    # A short path: Chromium (the HTML checks) puts a socket in a profile folder under
    # TMPDIR, and a socket's path may not pass 107 bytes.
    spool = Path(tempfile.mkdtemp(prefix="converter-spool-"))
    atexit.register(shutil.rmtree, spool, True)
    for path in library_files:
        (library / path.name).write_bytes(path.read_bytes())
    port = free_port()
    env = {**os.environ, "CONVERTER_TOKENS": tokens, "CONVERTER_DATA": str(data)}
    # Temporary files (a spooled upload) in a folder of the test's own, to be measured.
    env["TMPDIR"] = str(spool)
    for name in ("CONVERTER_SCHEDULER", "CONVERTER_ALLOWED_HOSTS", "CONVERTER_SECRET"):
        env.pop(name, None)
    args = [
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--library",
        str(library),
        "--data",
        str(data),
        *(extra or []),
    ]
    return Server(f"http://127.0.0.1:{port}", data, library, args, env)


def wait_for_job(client: httpx.Client, job_url: str, *, timeout: float = 240) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(job_url).json()
        # needs-review ends a wait too: it waits for a person, not for time.
        if job["status"] in ("done", "failed", "needs-review"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.3)
    raise AssertionError(f"job {job_url} did not finish within {timeout} s")
