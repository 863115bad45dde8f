"""Who is asking: an API token, a signed staff session, or (with no tokens) this machine only."""

from __future__ import annotations

import hashlib
import hmac
import time

from fastapi import HTTPException, Request

from converter.service.config import ServiceConfig, is_loopback

COOKIE = "converter_session"
SESSION_SECONDS = 12 * 3600
LOCAL_USER = "local"


class SignInRequired(Exception):
    """A page was asked for without a session: send the person to the sign-in page."""


def sign(name: str, secret: str, *, now: float | None = None) -> str:
    expires = int((now or time.time()) + SESSION_SECONDS)
    payload = f"{name}|{expires}"
    mac = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}|{mac}"


def verify(cookie: str, secret: str) -> str | None:
    name, _, rest = cookie.partition("|")
    expires, _, mac = rest.partition("|")
    expected = hmac.new(secret.encode(), f"{name}|{expires}".encode(), hashlib.sha256).hexdigest()
    if (
        not hmac.compare_digest(mac, expected)
        or not expires.isdigit()
        or int(expires) < time.time()
    ):
        return None
    return name


def token_owner(config: ServiceConfig, token: str) -> str | None:
    for name, expected in config.tokens.items():
        if hmac.compare_digest(expected.encode(), token.encode()):
            return name
    return None


def identify(request: Request, config: ServiceConfig, *, page: bool) -> str:
    """The person making the request, or an HTTP error (a redirect to sign in, for pages)."""
    if config.open_access:
        host = request.client.host if request.client else ""
        if not is_loopback(host):
            raise HTTPException(
                403, "without access tokens this service answers only on this machine"
            )
        return LOCAL_USER
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        owner = token_owner(config, header[7:].strip())
        if owner is None:
            raise HTTPException(
                401, "the access token is not valid", headers={"WWW-Authenticate": "Bearer"}
            )
        return owner
    cookie = request.cookies.get(COOKIE)
    if cookie:
        owner = verify(cookie, config.session_secret())
        if owner is not None and owner in config.tokens:
            return owner
    if page:
        raise SignInRequired()
    raise HTTPException(
        401,
        "an access token is required (Authorization: Bearer ...)",
        headers={"WWW-Authenticate": "Bearer"},
    )
