"""Who is asking: an API token, a staff session kept on the server, or (with no tokens) this
machine only; and the form tokens that show a form was sent from one of our own pages."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from fastapi import HTTPException
from starlette.requests import HTTPConnection

from converter.service.config import ServiceConfig, is_loopback
from converter.service.store import Session, Store

COOKIE = "converter_session"
FORM_COOKIE = "converter_form"  # a random key per browser: its forms' tokens are made from it
FORM_FIELD = "form_token"
SESSION_SECONDS = 12 * 3600
LOCAL_USER = "local"


class SignInRequired(Exception):
    """A page was asked for without a session: send the person to the sign-in page."""


def _mac(config: ServiceConfig, purpose: str, value: str) -> str:
    """A keyed hash of ``value`` for one purpose, with the service's secret."""
    message = f"{purpose}|{value}".encode()
    return hmac.new(config.session_secret().encode(), message, hashlib.sha256).hexdigest()


def token_owner(config: ServiceConfig, token: str) -> str | None:
    found = None
    for name, expected in config.tokens.items():
        if hmac.compare_digest(expected.encode(), token.encode()):
            found = name
    return found


# -- sessions -----------------------------------------------------------------------------


def _session_id(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


def open_session(store: Store, config: ServiceConfig, owner: str, token: str) -> str:
    """A new session for a person who signed in with ``token``; the cookie's value."""
    cookie = secrets.token_urlsafe(32)
    now = time.time()
    fingerprint = _mac(config, "access-token", token)
    store.add_session(Session(_session_id(cookie), owner, fingerprint, now, now + SESSION_SECONDS))
    return cookie


def session_owner(store: Store, config: ServiceConfig, cookie: str) -> str | None:
    """Whose session this is, while it lasts: not after signing out, after it expires, or
    once the owner's access token has changed (or been taken away)."""
    session = store.session(_session_id(cookie))
    if session is None or session.expires < time.time():
        return None
    current = config.tokens.get(session.owner)
    if current is None or not hmac.compare_digest(
        session.token, _mac(config, "access-token", current)
    ):
        return None
    return session.owner


def close_session(store: Store, cookie: str) -> None:
    store.remove_session(_session_id(cookie))


# -- who is asking ------------------------------------------------------------------------


def identify(connection: HTTPConnection, config: ServiceConfig, store: Store, *, page: bool) -> str:
    """The person making the request, or an HTTP error (SignInRequired, for pages)."""
    if config.open_access:
        host = connection.client.host if connection.client else ""
        if not is_loopback(host):
            raise HTTPException(
                403, "without access tokens this service answers only on this machine"
            )
        return LOCAL_USER
    header = connection.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        owner = token_owner(config, header[7:].strip())
        if owner is None:
            raise HTTPException(
                401, "the access token is not valid", headers={"WWW-Authenticate": "Bearer"}
            )
        return owner
    cookie = connection.cookies.get(COOKIE)
    if cookie:
        owner = session_owner(store, config, cookie)
        if owner is not None:
            return owner
    if page:
        raise SignInRequired()
    raise HTTPException(
        401,
        "an access token is required (Authorization: Bearer ...)",
        headers={"WWW-Authenticate": "Bearer"},
    )


# -- form tokens --------------------------------------------------------------------------


def new_form_key() -> str:
    return secrets.token_urlsafe(32)


def form_token(config: ServiceConfig, form_key: str) -> str:
    """The token every form of ours carries: only a page that could read this browser's
    form key (our own) can put it in a form (the signed double-submit cookie)."""
    return _mac(config, "form", form_key)


def form_token_valid(config: ServiceConfig, form_key: str | None, submitted: object) -> bool:
    if not form_key or not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(form_token(config, form_key), submitted)
