"""Probes for the service's abuse tests and benchmark: raw-socket chunked bodies, and the
memory, open files and processes of a real server process, read from /proc."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MB = 1048576


@dataclass
class ChunkedResult:
    status: int | None  # the status the server answered with (None: it only closed)
    sent: int  # body bytes the server let us send before it answered or closed
    seconds: float
    head: bytes = b""  # the response's status line and headers


def send_chunked(
    url: str,
    path: str,
    total: int,
    *,
    headers: dict[str, str] | None = None,
    chunk: bytes = b"a" * 65536,
    prefix: bytes = b"",
    timeout: float = 120,
) -> ChunkedResult:
    """POST up to ``total`` bytes to ``path`` with chunked transfer encoding (no
    Content-Length), stopping as soon as the server answers or closes: how much it read
    before refusing is what is measured."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Transfer-Encoding: chunked"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    started = time.monotonic()
    sent = 0
    received = b""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        sock.setblocking(False)
        pending = b""
        if prefix:
            pending = b"%x\r\n%s\r\n" % (len(prefix), prefix)
            sent += len(prefix)
        finished = False
        while time.monotonic() - started < timeout:
            want_write = bool(pending) or not finished
            readable, writable, _ = select.select([sock], [sock] if want_write else [], [], 1.0)
            if readable:
                try:
                    data = sock.recv(65536)
                except (ConnectionResetError, BlockingIOError):
                    data = b""
                received += data
                if not data or b"\r\n\r\n" in received:
                    break
                continue
            if not writable:
                continue
            if not pending:
                if sent >= total:
                    pending, finished = b"0\r\n\r\n", True
                else:
                    piece = chunk[: total - sent]
                    pending = b"%x\r\n%s\r\n" % (len(piece), piece)
                    sent += len(piece)
            try:
                written = sock.send(pending)
            except (BrokenPipeError, ConnectionResetError):
                break
            except BlockingIOError:
                continue
            pending = pending[written:]
        # Whatever the server said before it closed (a reset may lose it: status None).
        deadline = time.monotonic() + 5
        while b"\r\n\r\n" not in received and time.monotonic() < deadline:
            try:
                readable, _, _ = select.select([sock], [], [], 0.5)
                if readable:
                    data = sock.recv(65536)
                    if not data:
                        break
                    received += data
            except OSError:
                break
    head = received.split(b"\r\n\r\n", 1)[0]
    status = int(head.split()[1]) if head.startswith(b"HTTP/1.1 ") else None
    return ChunkedResult(status, sent, time.monotonic() - started, head)


# -- processes ----------------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as stream:
            text = stream.read()
    except OSError:
        return None
    # The command name may hold spaces or brackets: split after its closing bracket.
    return [text[: text.index(" ")], *text[text.rindex(")") + 2 :].split()]


def alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped, is not)."""
    fields = _stat(pid)
    return fields is not None and fields[1] != "Z"


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid`` (children, their children...)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and fields[1] != "Z":
                children.setdefault(int(fields[2]), []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB (0 when it has gone)."""
    try:
        with open(f"/proc/{pid}/status") as stream:
            for line in stream:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            return stream.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def open_file_bytes(pids: set[int] | list[int], under: str = "/") -> int:
    """Bytes in the regular files these processes hold open under a folder (deleted
    temporary files included: a spooled upload is unlinked as soon as it is made)."""
    total = 0
    seen: set[tuple[int, int]] = set()
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            link = f"/proc/{pid}/fd/{fd}"
            try:
                target = os.readlink(link)
                info = os.stat(link)
            except OSError:
                continue
            if not target.startswith(under) or (info.st_dev, info.st_ino) in seen:
                continue
            if (info.st_mode & 0o170000) == 0o100000:  # a regular file
                seen.add((info.st_dev, info.st_ino))
                total += info.st_size
    return total


@dataclass
class Sampler:
    """Samples a server's resident memory (MB) and its open temporary files (bytes) in a
    background thread, every ``every`` seconds, while it runs."""

    pid: int
    spool: str = "/"
    every: float = 0.05
    rss: list[float] = field(default_factory=list)
    spooled: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Sampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.rss.append(rss_mb(self.pid))
            self.spooled.append(open_file_bytes({self.pid}, self.spool))
            self._stop.wait(self.every)

    @property
    def peak_rss(self) -> float:
        return max(self.rss, default=0.0)

    @property
    def peak_spooled_mb(self) -> float:
        return max(self.spooled, default=0) / MB


def fresh_process_seconds(code: str, *args: str) -> float:
    """How long a fresh Python process takes to run ``code`` (imports and all), as a
    service worker's first job does: on a machine shared by others this varies tenfold
    from hour to hour, so time limits a test sets are measured from it, never guessed."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, timeout=900)
    return time.perf_counter() - started
