"""Jobs and uploads, persisted in SQLite so a restart loses nothing."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

JobStatus = Literal["queued", "running", "done", "failed"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    source_name TEXT NOT NULL,
    source_path TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    formats TEXT NOT NULL,
    options TEXT NOT NULL,
    cache_key TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    outputs TEXT NOT NULL DEFAULT '[]',
    warnings TEXT NOT NULL DEFAULT '[]',  -- the structure review's findings, one line each
    created REAL NOT NULL,
    started REAL,
    finished REAL
);
CREATE INDEX IF NOT EXISTS jobs_cache ON jobs (cache_key, status);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status);
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    title TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,  -- the SHA-256 of the cookie: the database alone signs no one in
    owner TEXT NOT NULL,
    token TEXT NOT NULL,  -- the fingerprint of the access token it was opened with
    created REAL NOT NULL,
    expires REAL NOT NULL
);
"""


@dataclass
class Job:
    id: str
    owner: str
    source_name: str
    source_path: str
    source_sha256: str
    formats: list[str]
    options: dict[str, Any]
    cache_key: str
    status: JobStatus
    error: str | None = None
    outputs: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created: float = 0.0
    started: float | None = None
    finished: float | None = None

    @property
    def finished_ok(self) -> bool:
        return self.status == "done"


@dataclass
class Upload:
    id: str
    owner: str
    name: str
    path: str
    sha256: str
    title: str
    created: float


@dataclass
class Session:
    """A signed-in browser: ended by signing out, by expiry, or by its token changing."""

    id: str  # SHA-256 of the cookie's value
    owner: str
    token: str  # fingerprint of the access token used to sign in
    created: float
    expires: float


def new_id() -> str:
    """An unguessable identifier for job and upload URLs (128 random bits)."""
    return secrets.token_urlsafe(16)


class Store:
    """A thin, thread-safe layer over one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        columns = {row["name"] for row in self._db.execute("PRAGMA table_info(jobs)")}
        if "warnings" not in columns:  # a store made before the structure review
            self._db.execute("ALTER TABLE jobs ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]'")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- jobs -----------------------------------------------------------------------------

    def add_job(self, job: Job) -> Job:
        job.created = job.created or time.time()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO jobs (id, owner, source_name, source_path, source_sha256, formats, options,"
                " cache_key, status, error, outputs, warnings, created, started, finished)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job.id,
                    job.owner,
                    job.source_name,
                    job.source_path,
                    job.source_sha256,
                    json.dumps(job.formats),
                    json.dumps(job.options, sort_keys=True),
                    job.cache_key,
                    job.status,
                    job.error,
                    json.dumps(job.outputs),
                    json.dumps(job.warnings),
                    job.created,
                    job.started,
                    job.finished,
                ),
            )
        return job

    def job(self, job_id: str) -> Job | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def jobs_with_status(self, *statuses: JobStatus) -> list[Job]:
        marks = ",".join("?" * len(statuses))
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM jobs WHERE status IN ({marks}) ORDER BY created", statuses
            ).fetchall()
        return [_job(row) for row in rows]

    def jobs_of(self, owner: str, limit: int = 50) -> list[Job]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM jobs WHERE owner = ? ORDER BY created DESC LIMIT ?", (owner, limit)
            ).fetchall()
        return [_job(row) for row in rows]

    def finished_job_for(self, cache_key: str) -> Job | None:
        """The latest successful job with the same source bytes, formats and options."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM jobs WHERE cache_key = ? AND status = 'done' ORDER BY finished DESC LIMIT 1",
                (cache_key,),
            ).fetchone()
        return _job(row) if row else None

    def count_active(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')"
            ).fetchone()
        return int(row[0])

    def mark_running(self, job_id: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET status = 'running', started = ? WHERE id = ? AND status = 'queued'",
                (time.time(), job_id),
            )

    def finish(
        self,
        job_id: str,
        status: JobStatus,
        outputs: list[dict[str, Any]],
        error: str | None,
        warnings: list[str] | None = None,
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET status = ?, outputs = ?, error = ?, warnings = ?, finished = ?"
                " WHERE id = ?",
                (
                    status,
                    json.dumps(outputs),
                    error,
                    json.dumps(warnings or []),
                    time.time(),
                    job_id,
                ),
            )

    def requeue_unfinished(self) -> int:
        """After a restart: every job that was queued or running runs again."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE jobs SET status = 'queued', started = NULL WHERE status IN ('queued', 'running')"
            )
        return cursor.rowcount

    # -- uploads --------------------------------------------------------------------------

    def add_upload(self, upload: Upload) -> Upload:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO uploads (id, owner, name, path, sha256, title, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    upload.id,
                    upload.owner,
                    upload.name,
                    upload.path,
                    upload.sha256,
                    upload.title,
                    upload.created,
                ),
            )
        return upload

    def upload(self, upload_id: str, owner: str) -> Upload | None:
        """An upload, only for the person who uploaded it."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM uploads WHERE id = ? AND owner = ?", (upload_id, owner)
            ).fetchone()
        return Upload(**dict(row)) if row else None

    def uploads_of(self, owner: str) -> list[Upload]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM uploads WHERE owner = ? ORDER BY created DESC", (owner,)
            ).fetchall()
        return [Upload(**dict(row)) for row in rows]

    def remove_upload(self, upload_id: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM uploads WHERE id = ?", (upload_id,))

    # -- sessions -------------------------------------------------------------------------

    def add_session(self, session: Session) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (time.time(),))
            db.execute(
                "INSERT INTO sessions (id, owner, token, created, expires) VALUES (?, ?, ?, ?, ?)",
                (session.id, session.owner, session.token, session.created, session.expires),
            )

    def session(self, session_id: str) -> Session | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return Session(**dict(row)) if row else None

    def remove_session(self, session_id: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))


def _job(row: sqlite3.Row) -> Job:
    values = dict(row)
    values["formats"] = json.loads(values["formats"])
    values["options"] = json.loads(values["options"])
    values["outputs"] = json.loads(values["outputs"])
    values["warnings"] = json.loads(values.get("warnings") or "[]")
    return Job(**values)
