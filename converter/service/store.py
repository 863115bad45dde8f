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

from converter.review import TITLES as RULE_TITLES

JobStatus = Literal["queued", "running", "needs-review", "done", "failed"]
ReviewStatus = Literal["in-review", "reviewed"]

_ADDED_JOB_COLUMNS = (
    ("warnings", "TEXT NOT NULL DEFAULT '[]'"),  # the structure review's findings
    ("scope", "TEXT NOT NULL DEFAULT ''"),
    ("send_as_is", "INTEGER NOT NULL DEFAULT 0"),
    ("review_id", "TEXT"),
    ("tree_path", "TEXT"),
    ("tree_sha256", "TEXT"),
)

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
CREATE TABLE IF NOT EXISTS reviews (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,  -- 'library', or the owner folder of the person who uploaded it
    source_sha256 TEXT NOT NULL,
    source_name TEXT NOT NULL,
    status TEXT NOT NULL,  -- in-review, reviewed
    version INTEGER NOT NULL,  -- 1: the tree as recovered; one more for every change
    tree_path TEXT NOT NULL,  -- the current tree (canonical XML), one file per version
    tree_sha256 TEXT NOT NULL,
    findings TEXT NOT NULL DEFAULT '[]',  -- the structure review of the current tree
    preview TEXT,  -- the page of the copy that shows the last change
    started_by TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    reviewed_by TEXT,
    reviewed_at REAL,
    UNIQUE (scope, source_sha256)
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id TEXT,  -- NULL: a request's own record (sent as is, without a review)
    job_id TEXT,
    who TEXT NOT NULL,
    at REAL NOT NULL,
    action TEXT NOT NULL,  -- a fix's kind, or review-started, structure-uploaded, approved
    target TEXT,
    detail TEXT NOT NULL DEFAULT '{}',  -- the fix itself (as a patch file holds it), or more
    summary TEXT NOT NULL,  -- what changed, in a sentence
    version_before INTEGER,
    version_after INTEGER
);
CREATE INDEX IF NOT EXISTS audit_review ON audit (review_id, id);
CREATE INDEX IF NOT EXISTS audit_job ON audit (job_id, id);
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
    scope: str = ""  # whose structure review it shares: 'library', or its owner's folder
    send_as_is: bool = False  # the requester chose not to stop for a structure review
    review_id: str | None = None  # the structure review this job waits for, or was made from
    tree_path: str | None = None  # the reviewed tree it converts (not the source as read)
    tree_sha256: str | None = None

    @property
    def finished_ok(self) -> bool:
        return self.status == "done"


@dataclass
class Review:
    """One source's structure as staff review it: the tree, version by version, and its
    findings; shared by every request for the same source (of the same scope)."""

    id: str
    scope: str
    source_sha256: str
    source_name: str
    status: ReviewStatus
    version: int
    tree_path: str
    tree_sha256: str
    findings: list[dict[str, Any]]
    preview: dict[str, Any] | None
    started_by: str
    created: float
    updated: float
    reviewed_by: str | None = None
    reviewed_at: float | None = None


@dataclass
class AuditRecord:
    """Who changed what in a review, or sent a copy as is, and when."""

    id: int
    review_id: str | None  # None: a request sent as is, without a review
    job_id: str | None
    who: str
    at: float
    action: str
    target: str | None
    detail: dict[str, Any]
    summary: str
    version_before: int | None
    version_after: int | None


class Conflict(Exception):
    """The review changed since the request was made (someone else's change came first)."""


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
        # Columns added since the first stores were made: older stores gain them.
        for name, kind in _ADDED_JOB_COLUMNS:
            if name not in columns:
                self._db.execute(f"ALTER TABLE jobs ADD COLUMN {name} {kind}")

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
                " cache_key, status, error, outputs, warnings, created, started, finished,"
                " scope, send_as_is, review_id, tree_path, tree_sha256)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    job.scope,
                    int(job.send_as_is),
                    job.review_id,
                    job.tree_path,
                    job.tree_sha256,
                ),
            )
            if job.status == "done" and job.send_as_is and job.tree_path is None and job.warnings:
                _audit_sent_as_is(db, job.id, job.owner, job.warnings)
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
            row = db.execute(
                "SELECT owner, send_as_is, tree_path FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
            # Sent as is: made from the source as read (not a reviewed tree), findings and all.
            if (
                status == "done"
                and warnings
                and row is not None
                and row["send_as_is"]
                and row["tree_path"] is None
            ):
                _audit_sent_as_is(db, job_id, row["owner"], warnings)

    def hold_for_review(self, job_id: str, review_id: str, warnings: list[str]) -> None:
        """A job whose source needs its structure reviewed first: it waits for a person."""
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET status = 'needs-review', review_id = ?, warnings = ?, outputs = '[]',"
                " error = NULL, finished = NULL WHERE id = ?",
                (review_id, json.dumps(warnings), job_id),
            )

    def jobs_of_review(self, review_id: str, status: JobStatus) -> list[Job]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM jobs WHERE review_id = ? AND status = ? ORDER BY created",
                (review_id, status),
            ).fetchall()
        return [_job(row) for row in rows]

    def queue_with_tree(
        self, job_id: str, review_id: str, tree_path: str, tree_sha256: str, cache_key: str
    ) -> None:
        """A held job, its review done: converted from the reviewed tree."""
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET status = 'queued', review_id = ?, tree_path = ?, tree_sha256 = ?,"
                " cache_key = ?, started = NULL WHERE id = ? AND status = 'needs-review'",
                (review_id, tree_path, tree_sha256, cache_key, job_id),
            )

    def requeue_unfinished(self) -> int:
        """After a restart: every job that was queued or running runs again."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE jobs SET status = 'queued', started = NULL WHERE status IN ('queued', 'running')"
            )
        return cursor.rowcount

    # -- reviews --------------------------------------------------------------------------

    def add_review(self, review: Review, who: str, job_id: str | None) -> Review:
        """Record a new review (and that it started), or return the one this source already
        has in this scope."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT * FROM reviews WHERE scope = ? AND source_sha256 = ?",
                (review.scope, review.source_sha256),
            ).fetchone()
            if row is not None:
                return _review(row)
            db.execute(
                "INSERT INTO reviews (id, scope, source_sha256, source_name, status, version,"
                " tree_path, tree_sha256, findings, preview, started_by, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    review.id,
                    review.scope,
                    review.source_sha256,
                    review.source_name,
                    review.status,
                    review.version,
                    review.tree_path,
                    review.tree_sha256,
                    json.dumps(review.findings),
                    json.dumps(review.preview) if review.preview else None,
                    review.started_by,
                    review.created,
                    review.updated,
                ),
            )
            _audit(
                db,
                review.id,
                job_id,
                who,
                "review-started",
                None,
                {"findings": len(review.findings)},
                f"The structure review found {len(review.findings)} thing(s) to check; the "
                "request waits for a person.",
                None,
                review.version,
            )
        return review

    def review(self, review_id: str) -> Review | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM reviews WHERE id = ?", (review_id,)).fetchone()
        return _review(row) if row else None

    def review_for(self, scope: str, source_sha256: str) -> Review | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM reviews WHERE scope = ? AND source_sha256 = ?",
                (scope, source_sha256),
            ).fetchone()
        return _review(row) if row else None

    def reviews_in(self, scope: str) -> dict[str, Review]:
        """Every review of a scope, by its source's SHA-256 (the library search shows them)."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM reviews WHERE scope = ?", (scope,)).fetchall()
        return {row["source_sha256"]: _review(row) for row in rows}

    def change_review(
        self,
        review_id: str,
        expected_version: int,
        *,
        tree_path: str,
        tree_sha256: str,
        findings: list[dict[str, Any]],
        preview: dict[str, Any] | None,
        who: str,
        job_id: str | None,
        action: str,
        target: str | None,
        detail: dict[str, Any],
        summary: str,
    ) -> AuditRecord:
        """A new version of a review's tree, with its audit record, in one transaction; a
        Conflict when the review is no longer at ``expected_version`` or no longer open."""
        now = time.time()
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE reviews SET version = version + 1, tree_path = ?, tree_sha256 = ?,"
                " findings = ?, preview = ?, updated = ?"
                " WHERE id = ? AND version = ? AND status = 'in-review'",
                (
                    tree_path,
                    tree_sha256,
                    json.dumps(findings),
                    json.dumps(preview) if preview else None,
                    now,
                    review_id,
                    expected_version,
                ),
            )
            if cursor.rowcount != 1:
                raise Conflict(
                    "the structure was changed by someone else, or its review finished, since "
                    "this page was loaded: look at it again"
                )
            record_id = _audit(
                db,
                review_id,
                job_id,
                who,
                action,
                target,
                detail,
                summary,
                expected_version,
                expected_version + 1,
                now,
            )
        return AuditRecord(
            record_id,
            review_id,
            job_id,
            who,
            now,
            action,
            target,
            detail,
            summary,
            expected_version,
            expected_version + 1,
        )

    def approve_review(
        self, review_id: str, expected_version: int | None, who: str, job_id: str | None
    ) -> Review:
        """Mark a review done: every later request for its source uses its tree."""
        now = time.time()
        with self._transaction() as db:
            row = db.execute("SELECT * FROM reviews WHERE id = ?", (review_id,)).fetchone()
            if (
                row is None
                or row["status"] != "in-review"
                or (expected_version is not None and row["version"] != expected_version)
            ):
                raise Conflict(
                    "the structure was changed by someone else, or its review finished, since "
                    "this page was loaded: look at it again"
                )
            db.execute(
                "UPDATE reviews SET status = 'reviewed', reviewed_by = ?, reviewed_at = ?,"
                " updated = ? WHERE id = ?",
                (who, now, now, review_id),
            )
            left = [_left_as_is(finding) for finding in json.loads(row["findings"])]
            sent = f"sent as is with {len(left)} finding(s) left: {'; '.join(left)}" if left else ""
            _audit(
                db,
                review_id,
                job_id,
                who,
                "approved",
                None,
                {"remaining": len(left), "left": left},
                f"Approved the structure at version {row['version']}"
                f"{f' and {sent}' if sent else ''}; the copies are made from it.",
                row["version"],
                row["version"],
                now,
            )
            row = db.execute("SELECT * FROM reviews WHERE id = ?", (review_id,)).fetchone()
        return _review(row)

    def audit_of(self, review_id: str) -> list[AuditRecord]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM audit WHERE review_id = ? ORDER BY id", (review_id,)
            ).fetchall()
        return [_audit_record(row) for row in rows]

    def audit_of_job(self, job_id: str) -> list[AuditRecord]:
        """What was decided through one request: sent as is, or the changes made from it."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM audit WHERE job_id = ? ORDER BY id", (job_id,)
            ).fetchall()
        return [_audit_record(row) for row in rows]

    def audit_entry(self, record_id: int) -> AuditRecord | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM audit WHERE id = ?", (record_id,)).fetchone()
        return _audit_record(row) if row else None

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
    values["send_as_is"] = bool(values.get("send_as_is"))
    return Job(**values)


def _review(row: sqlite3.Row) -> Review:
    values = dict(row)
    values["findings"] = json.loads(values["findings"])
    values["preview"] = json.loads(values["preview"]) if values.get("preview") else None
    return Review(**values)


def _audit_record(row: sqlite3.Row) -> AuditRecord:
    values = dict(row)
    values["detail"] = json.loads(values["detail"])
    return AuditRecord(**values)


def _left_as_is(finding: dict[str, Any]) -> str:
    """A finding approved as it stands, as the audit trail names it: its rule and place."""
    rule = str(finding.get("rule", ""))
    title = RULE_TITLES.get(rule, rule)
    src = finding.get("src")
    where = f" ({finding.get('unit') or 'line'} {str(src).split('-')[0]})" if src else ""
    return f"{title}{where}"


def _audit_sent_as_is(db: sqlite3.Connection, job_id: str, who: str, warnings: list[str]) -> None:
    """A request whose structure findings its requester chose to send as is, unreviewed."""
    count = len(warnings)
    _audit(
        db,
        None,
        job_id,
        who,
        "sent-as-is",
        None,
        {"left": warnings},
        f"Sent as is at the requester's choice, without a review: {count} structure "
        f"finding{'' if count == 1 else 's'} left as {'it is' if count == 1 else 'they are'}.",
        None,
        None,
    )


def _audit(
    db: sqlite3.Connection,
    review_id: str | None,
    job_id: str | None,
    who: str,
    action: str,
    target: str | None,
    detail: dict[str, Any],
    summary: str,
    version_before: int | None,
    version_after: int | None,
    at: float | None = None,
) -> int:
    """Add one audit record inside the caller's transaction; its id."""
    cursor = db.execute(
        "INSERT INTO audit (review_id, job_id, who, at, action, target, detail, summary,"
        " version_before, version_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            review_id,
            job_id,
            who,
            at if at is not None else time.time(),
            action,
            target,
            json.dumps(detail, sort_keys=True),
            summary,
            version_before,
            version_after,
        ),
    )
    return int(cursor.lastrowid or 0)
