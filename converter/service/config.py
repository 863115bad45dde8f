"""The web service's settings: where it keeps its data, who may use it, and its limits."""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path

from converter.errors import UsageError

#: The names a client on this machine reaches it by: all a tokenless service answers to.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
#: Largest body of a request that is not an upload (a form, a JSON job request).
MAX_FORM_BYTES = 64 * 1024
#: What a multipart upload adds around the file itself (boundaries, headers, the form token).
UPLOAD_OVERHEAD_BYTES = 64 * 1024

_SECRETS: dict[Path, str] = {}  # read once per process: every request's session needs it


@dataclass(frozen=True)
class ServiceConfig:
    data_dir: Path  # jobs database, uploads, outputs, previews
    library: Path | None = None  # reports staff can choose from
    host: str = "127.0.0.1"
    port: int = 8000
    tokens: dict[str, str] = field(default_factory=dict)  # staff name -> access token
    secret: str | None = None  # signs session cookies; kept in data_dir when not given
    max_upload_bytes: int = 20 * 1024 * 1024
    max_seconds: float = 300.0  # per piece of work: a conversion, reading an upload, a preview
    max_memory_mb: int = 2048  # per worker process and what it started (a veraPDF JVM)
    max_active_jobs: int = 8  # queued or running at once, across all users
    workers: int = 2  # local process pool size
    scheduler: str | None = None  # a Dask scheduler address instead of the local pool
    check_outputs: bool = True  # run `convert check` on every output and show the result
    # Host header values served besides the loopback names ("*": any; tokens needed for that).
    allowed_hosts: tuple[str, ...] = ()
    # Proxies trusted to say the client's address and scheme (X-Forwarded-For/-Proto).
    forwarded_allow_ips: str | None = None
    tls_cert: Path | None = None  # serve HTTPS with this certificate chain and key
    tls_key: Path | None = None

    def __post_init__(self) -> None:
        if not self.tokens and not is_loopback(self.host):
            raise UsageError(
                f"refusing to listen on {self.host} without access tokens: set CONVERTER_TOKENS "
                "(name:token,...) or listen on 127.0.0.1"
            )
        if not self.tokens:
            # A page on another site can point a name of its own at 127.0.0.1 (DNS
            # rebinding): without tokens, only the loopback names may reach the service.
            others = [h for h in self.allowed_hosts if h.lower() not in LOOPBACK_NAMES]
            if others:
                raise UsageError(
                    f"without access tokens the service answers only to {', '.join(LOOPBACK_NAMES)}; "
                    f"--allowed-hosts {','.join(others)} needs CONVERTER_TOKENS"
                )
        if (self.tls_cert is None) != (self.tls_key is None):
            raise UsageError("--tls-cert and --tls-key go together")
        for name in ("max_upload_bytes", "max_seconds", "max_memory_mb", "workers"):
            if not getattr(self, name) > 0:
                raise UsageError(f"{name.replace('_', ' ')} must be more than 0")

    def host_names(self) -> frozenset[str] | None:
        """The Host header names served (lower case, no port), or None for any."""
        if "*" in self.allowed_hosts:
            return None
        names = set(LOOPBACK_NAMES)
        if self.tokens:
            names.update(h.lower() for h in self.allowed_hosts)
            if self.host not in ("0.0.0.0", "::", ""):
                names.add(self.host.lower())
            else:  # every address of this machine: its own names at least
                names.update({socket.gethostname().lower(), socket.getfqdn().lower()})
        return frozenset(names)

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    def session_secret(self) -> str:
        """The cookie-signing secret: given, or made once and kept so sessions outlive restarts."""
        if self.secret:
            return self.secret
        path = self.data_dir / "session-secret"
        if path not in _SECRETS:
            if not path.exists():
                self.data_dir.mkdir(parents=True, exist_ok=True)
                path.write_text(secrets.token_hex(32))
                path.chmod(0o600)
            _SECRETS[path] = path.read_text().strip()
        return _SECRETS[path]

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


def hosts_from_text(text: str) -> tuple[str, ...]:
    """'converter.example.org, 10.0.0.5' -> ('converter.example.org', '10.0.0.5')."""
    return tuple(h.strip().lower() for h in text.split(",") if h.strip())


def config_from_environment(**overrides: object) -> ServiceConfig:
    """Settings from CONVERTER_* environment variables, then explicit overrides."""
    values: dict[str, object] = {
        "data_dir": Path(os.environ.get("CONVERTER_DATA", ".converter-service")),
        "tokens": tokens_from_text(os.environ.get("CONVERTER_TOKENS", "")),
        "scheduler": os.environ.get("CONVERTER_SCHEDULER") or None,
    }
    if os.environ.get("CONVERTER_SECRET"):
        values["secret"] = os.environ["CONVERTER_SECRET"]
    if os.environ.get("CONVERTER_ALLOWED_HOSTS"):
        values["allowed_hosts"] = hosts_from_text(os.environ["CONVERTER_ALLOWED_HOSTS"])
    values.update({k: v for k, v in overrides.items() if v is not None})
    return ServiceConfig(**values)  # type: ignore[arg-type]
