"""The document library staff choose from: found on disk, described by each report's own meta."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from converter import pipeline, readers
from converter.errors import ConverterError

#: Every file ending a reader knows.
SOURCE_SUFFIXES = tuple(
    sorted({extension for reader in readers.READERS.values() for extension in reader.extensions})
)


@dataclass(frozen=True)
class Report:
    id: str  # derived from the path inside the library: stable, and reveals no path
    path: Path
    name: str  # path relative to the library
    title: str
    subject: str
    dates: str  # inspection dates as written
    when: str  # ISO date of the inspection's start, for sorting
    sha256: str

    def matches(self, query: str, more: str = "") -> bool:
        """Whether every term of the query is in the report's facts (or ``more`` about it)."""
        text = " ".join((self.title, self.subject, self.dates, self.when, self.name, more))
        text = text.casefold()
        return all(term in text for term in query.casefold().split())


def describe(path: Path, name: str) -> Report:
    """A library entry from a source file (its title, subject and dates from the tree)."""
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    report_id = hashlib.sha256(name.encode()).hexdigest()[:20]
    try:
        root = pipeline.read(data, format=_format_of(path))
    except ConverterError as error:
        return Report(
            report_id,
            path,
            name,
            f"{path.name} (cannot be read: {error.message})",
            "",
            "",
            "",
            sha256,
        )
    dates = root.findall("meta/date")
    written = " to ".join(
        " ".join((d.text or "").split())
        for d in dates
        if d.get("role", "").startswith("inspection")
    )
    start = next((d.get("when", "") for d in dates if d.get("role") == "inspection-start"), "")
    return Report(
        id=report_id,
        path=path,
        name=name,
        title=" ".join((root.findtext("meta/title") or path.stem).split()),
        subject=" ".join((root.findtext("meta/subject") or "").split()),
        dates=written,
        when=start,
        sha256=sha256,
    )


def _format_of(path: Path) -> str:
    return readers.reader_for(None, str(path)).name


class Library:
    """Reports under a folder, re-read only when a file changes (size or modification time)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder.resolve() if folder else None
        self._cache: dict[Path, tuple[tuple[int, int], Report]] = {}
        self._paths: dict[str, Path] = {}  # report id -> its file, as last listed
        self._lock = threading.Lock()

    def reports(self) -> list[Report]:
        if self.folder is None or not self.folder.is_dir():
            return []
        found: list[Report] = []
        for path in sorted(self.folder.rglob("*")):
            if (
                path.suffix.lower() not in SOURCE_SUFFIXES
                or not path.is_file()
                or path.is_symlink()
            ):
                continue
            found.append(self._described(path))
        with self._lock:
            self._paths = {report.id: report.path for report in found}
        return found

    def _described(self, path: Path) -> Report:
        """The report of a file: described again only when its size or time changed."""
        assert self.folder is not None
        stat = path.stat()
        stamp = (stat.st_size, stat.st_mtime_ns)
        with self._lock:
            cached = self._cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        report = describe(path, path.relative_to(self.folder).as_posix())
        with self._lock:
            self._cache[path] = (stamp, report)
        return report

    def search(self, query: str, more: Callable[[Report], str] | None = None) -> list[Report]:
        """The reports matching every term of ``query``, in their facts or in what ``more``
        says of each (who reviewed it)."""
        reports = self.reports()
        if not query.strip():
            return reports
        return [r for r in reports if r.matches(query, more(r) if more else "")]

    def get(self, report_id: str) -> Report | None:
        """One report by id.  A report listed before is looked up by its own file alone (a
        page of the service asks for it on every request: the library may hold thousands);
        one not listed, or whose file has gone or changed kind, lists the library again."""
        with self._lock:
            path = self._paths.get(report_id)
        if path is not None and self.folder is not None:
            try:
                if path.is_file() and not path.is_symlink():
                    return self._described(path)
            except OSError:
                pass
        return next((r for r in self.reports() if r.id == report_id), None)
