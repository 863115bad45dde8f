"""The first look at every request, before any of its body is read: the name it was sent to
(Host), where an unsafe request comes from (Origin), who is asking, and how large its body
may grow, chunked or not; and the security headers on every response.

A pure ASGI middleware: it sees the request's head only, refuses without reading the body,
and counts the body's bytes as the application reads them, so a chunked body (no
Content-Length) is cut off at the limit like any other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from urllib.parse import quote, urlsplit

from fastapi import HTTPException
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from converter.service import auth
from converter.service.config import MAX_FORM_BYTES, UPLOAD_OVERHEAD_BYTES, ServiceConfig
from converter.service.store import Store

PUBLIC_PATHS = frozenset({"/api/health", "/sign-in", "/sign-out", "/openapi.json"})
PUBLIC_PREFIXES = ("/static/",)
UPLOAD_PATHS = frozenset({"/uploads", "/api/uploads"})
#: A corrected structure (canonical XML) sent for a request's review: as large as an upload.
STRUCTURE_PATH = re.compile(r"/(?:api/)?jobs/[A-Za-z0-9_-]{1,64}/review/structure")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
SECURITY_HEADERS = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    # No address of ours (a job's) to another site; "no-referrer" would also make the
    # browser send "Origin: null" with our own forms, which the origin check refuses.
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
)


class Guard:
    def __init__(self, app: ASGIApp, config: ServiceConfig, store: Store) -> None:
        self.app = app
        self.config = config
        self.store = store
        self.hosts = config.host_names()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_security_headers(scope, send)
        connection = HTTPConnection(scope)
        path: str = scope["path"]
        try:
            self._check_host(connection)
            self._check_origin(connection)
            if not _public(path):
                page = not path.startswith("/api/")
                user = auth.identify(connection, self.config, self.store, page=page)
                scope.setdefault("state", {})["user"] = user
        except auth.SignInRequired:
            await RedirectResponse(f"/sign-in?next={quote(path)}", status_code=303)(
                scope, receive, send
            )
            return
        except HTTPException as error:
            refusal = _refusal(path, error.status_code, str(error.detail), error.headers)
            await refusal(scope, receive, send)
            return
        limit = self.body_limit(path)
        length = connection.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._too_large(path, limit)(scope, receive, send)
            return
        body = _LimitedBody(scope, receive, send, limit, self._too_large(path, limit))
        try:
            await self.app(scope, body.receive, body.send)
        except Exception:
            if not body.refused:
                raise
            # The application failed on the body we cut off: our refusal is the answer.

    def body_limit(self, path: str) -> int:
        if is_upload(path):
            return self.config.max_upload_bytes + UPLOAD_OVERHEAD_BYTES
        return MAX_FORM_BYTES

    def _check_host(self, connection: HTTPConnection) -> None:
        """Only the names this service is reached by: a page on another site that points a
        name of its own at this machine (DNS rebinding) is refused."""
        name = host_name(connection.headers.get("host", ""))
        if self.hosts is not None and name not in self.hosts:
            raise HTTPException(
                400,
                f"this service does not answer to the name {name!r}"
                + ("" if self.config.open_access else " (see --allowed-hosts)"),
            )

    def _check_origin(self, connection: HTTPConnection) -> None:
        """A request that changes something must come from one of our own pages (or from a
        program, which sends no Origin): browsers name the page's origin on every such
        request, so a form or script on another site is refused."""
        if connection.scope["method"] in SAFE_METHODS:
            return
        origin = connection.headers.get("origin")
        host = connection.headers.get("host", "").lower()
        if origin is not None:
            if origin == "null" or urlsplit(origin).netloc.lower() != host:
                raise HTTPException(403, "this request came from another site and is refused")
        elif connection.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
            raise HTTPException(403, "this request came from another site and is refused")

    def _too_large(self, path: str, limit: int) -> Response:
        if is_upload(path):
            message = (
                f"the upload is larger than the {self.config.max_upload_bytes // 1048576} MB limit"
            )
        else:
            message = f"the request's body is larger than {limit // 1024} KB"
        return _refusal(path, 413, message, None)


def host_name(header: str) -> str:
    """The name in a Host header, without its port: 'localhost:8000' -> 'localhost',
    '[::1]:8000' -> '::1'."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0].rstrip(".") if header.count(":") <= 1 else header


def is_upload(path: str) -> bool:
    """A path that takes a file: its body may be as large as an upload."""
    return path in UPLOAD_PATHS or STRUCTURE_PATH.fullmatch(path) is not None


def _public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _refusal(path: str, status: int, message: str, headers: Mapping[str, str] | None) -> Response:
    """A refusal sent before the body was read: the connection is closed after it, so the
    rest of the body is never read."""
    headers = {**(headers or {}), "connection": "close"}
    if path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    titles = {400: "Not this address", 403: "Refused", 413: "Too large"}
    title = titles.get(status, "Something went wrong")
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><link rel='stylesheet' href='/static/service.css'></head>"
        f"<body><main id='main'><h1>{title}</h1><div class='error-summary' role='alert'>"
        f"<p>{escape(message)}</p></div><p><a href='/'>Back to the reports</a></p></main>"
        "</body></html>"
    )
    return HTMLResponse(page, status_code=status, headers=headers)


class _LimitedBody:
    """The request's body as the application reads it, cut off past ``limit`` bytes: the
    refusal is sent at once and the application is told the client has gone."""

    def __init__(
        self, scope: Scope, receive: Receive, send: Send, limit: int, refusal: Response
    ) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self.limit = limit
        self.refusal = refusal
        self.read = 0
        self.refused = False
        self.responding = False

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self.read += len(message.get("body", b""))
            if self.read > self.limit:
                self.refused = True
                if not self.responding:
                    self.responding = True
                    await self.refusal(self.scope, self._receive, self._send)
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return  # the refusal has been sent: the application's own answer is dropped
        if message["type"] == "http.response.start":
            self.responding = True
        await self._send(message)


def _with_security_headers(scope: Scope, send: Send) -> Send:
    https = scope.get("scheme") == "https"
    static = scope["path"].startswith(PUBLIC_PREFIXES)

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in SECURITY_HEADERS:
                headers.setdefault(name, value)
            if https:
                headers.setdefault("strict-transport-security", "max-age=31536000")
            if not static:  # every page and answer is someone's own: never kept by a cache
                headers.setdefault("cache-control", "no-store")
        await send(message)

    return send_with_headers
