"""The web service's settings: where it keeps its data, who may use it, and its limits."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from converter.errors import UsageError


@dataclass(frozen=True)
class ServiceConfig:
    data_dir: Path  # jobs database, uploads, outputs, previews
    library: Path | None = None  # reports staff can choose from
    host: str = "127.0.0.1"
    port: int = 8000
    tokens: dict[str, str] = field(default_factory=dict)  # staff name -> access token
    secret: str | None = None  # signs session cookies; kept in data_dir when not given
    max_upload_bytes: int = 20 * 1024 * 1024
    max_seconds: float = 300.0  # per conversion job
    max_active_jobs: int = 8  # queued or running at once, across all users
    workers: int = 2  # local process pool size
    scheduler: str | None = None  # a Dask scheduler address instead of the local pool
    check_outputs: bool = True  # run `convert check` on every output and show the result

    def __post_init__(self) -> None:
        if not self.tokens and not is_loopback(self.host):
            raise UsageError(
                f"refusing to listen on {self.host} without access tokens: set CONVERTER_TOKENS "
                "(name:token,...) or listen on 127.0.0.1"
            )

    def session_secret(self) -> str:
        """The cookie-signing secret: given, or made once and kept so sessions outlive restarts."""
        if self.secret:
            return self.secret
        path = self.data_dir / "session-secret"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()

    @property
    def database(self) -> Path:
        return self.data_dir / "jobs.sqlite3"

    @property
    def open_access(self) -> bool:
        """No tokens configured: only clients on this machine are served."""
        return not self.tokens


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tokens_from_text(text: str) -> dict[str, str]:
    """'alice:token1,bob:token2' -> {'alice': 'token1', 'bob': 'token2'}."""
    tokens: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, _, token = part.strip().partition(":")
        if not name or len(token) < 16:
            raise UsageError(
                "each access token is name:token with a token of 16 characters or more"
            )
        tokens[name] = token
    return tokens


def config_from_environment(**overrides: object) -> ServiceConfig:
    """Settings from CONVERTER_* environment variables, then explicit overrides."""
    values: dict[str, object] = {
        "data_dir": Path(os.environ.get("CONVERTER_DATA", ".converter-service")),
        "tokens": tokens_from_text(os.environ.get("CONVERTER_TOKENS", "")),
        "scheduler": os.environ.get("CONVERTER_SCHEDULER") or None,
    }
    if os.environ.get("CONVERTER_SECRET"):
        values["secret"] = os.environ["CONVERTER_SECRET"]
    values.update({k: v for k, v in overrides.items() if v is not None})
    return ServiceConfig(**values)  # type: ignore[arg-type]
