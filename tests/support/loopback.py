"""A web server on the loopback interface that only counts the requests it gets.

Sources in the bad-input tests name addresses on it (remote pictures, templates, style
sheets, scripts, frames); reading and converting them must never fetch any: the tests
expect its count to stay at zero.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Loopback:
    base: str  # http://127.0.0.1:PORT
    requests: list[str] = field(default_factory=list)  # "GET /path" for every request


@contextmanager
def counting_server() -> Iterator[Loopback]:
    loopback = Loopback("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def _count(self) -> None:
            loopback.requests.append(f"{self.command} {self.path}")
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD = do_POST = do_OPTIONS = _count  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    loopback.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield loopback
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
