"""The batch manifest: what each output was made from, so that a re-run converts only what changed.

``OUT_DIR/.converter-manifest.json`` maps each output (its path relative to OUT_DIR) to the
source's hash, size and modification time, the options' fingerprint, the converter version
and the output's hash, size and modification time.  Results are appended to a journal as
they arrive (one JSON line each, flushed), so that an interrupted batch loses nothing it
finished; ``save`` folds the journal into the manifest, written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, Literal

from converter.pipeline import write_atomically

MANIFEST_NAME = ".converter-manifest.json"
JOURNAL_NAME = ".converter-manifest.journal"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Entry:
    """One output as it was made (or a source that failed for a reason of its own)."""

    source: str  # the source's path relative to its library, as the output mirrors it
    format: str
    status: Literal["converted", "failed"]
    source_sha256: str
    source_size: int
    source_mtime_ns: int
    options: str  # options_key() of Options.fingerprint()
    version: str
    output_sha256: str | None = None
    output_size: int | None = None
    output_mtime_ns: int | None = None
    error: str | None = None  # failed: the source's own error (bad input), kept until it changes
    check_passed: bool | None = None
    warnings: list[str] | None = None  # the structure review's findings when it was made
    fixes_sha256: str | None = None  # of the reviewed fixes applied (--fixes), if any


def options_key(fingerprint: str) -> str:
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


class Manifest:
    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / MANIFEST_NAME
        self.journal_path = out_dir / JOURNAL_NAME
        self.entries: dict[str, Entry] = {}
        self.options: dict[str, str] = {}  # options_key -> fingerprint JSON text
        self._journal: IO[str] | None = None

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        """The manifest in a folder, with any journal an interrupted run left replayed.

        A manifest that cannot be read is treated as empty: the cost is a full re-run,
        never a wrong skip.
        """
        manifest = cls(out_dir)
        try:
            data = json.loads(manifest.path.read_text(encoding="utf-8"))
            if data.get("manifest-version") == FORMAT_VERSION:
                manifest.options = dict(data.get("options", {}))
                for name, fields in data.get("outputs", {}).items():
                    manifest.entries[name] = Entry(**fields)
        except (OSError, ValueError, TypeError, AttributeError):
            manifest.entries, manifest.options = {}, {}
        try:
            lines = manifest.journal_path.read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
        for line in lines:
            try:
                manifest._apply(json.loads(line))
            except (ValueError, TypeError, KeyError):
                continue  # a line cut short when the run was killed
        return manifest

    def _apply(self, change: dict[str, Any]) -> None:
        if "options" in change:
            self.options[change["options"]] = change["fingerprint"]
        elif "remove" in change:
            self.entries.pop(change["remove"], None)
        else:
            self.entries[change["output"]] = Entry(**change["entry"])

    def _log(self, change: dict[str, Any]) -> None:
        self._apply(change)
        if self._journal is None:
            self.journal_path.parent.mkdir(parents=True, exist_ok=True)
            self._journal = open(self.journal_path, "a", encoding="utf-8")  # noqa: SIM115
        self._journal.write(json.dumps(change, sort_keys=True) + "\n")
        self._journal.flush()

    def add_options(self, fingerprint: str) -> str:
        key = options_key(fingerprint)
        if self.options.get(key) != fingerprint:
            self._log({"options": key, "fingerprint": fingerprint})
        return key

    def record(self, output: str, entry: Entry) -> None:
        self._log({"output": output, "entry": asdict(entry)})

    def remove(self, output: str) -> None:
        if output in self.entries:
            self._log({"remove": output})

    def save(self) -> None:
        """Write the whole manifest atomically, then drop the journal it now contains."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        used = {entry.options for entry in self.entries.values()}
        data = {
            "manifest-version": FORMAT_VERSION,
            "options": {key: text for key, text in sorted(self.options.items()) if key in used},
            "outputs": {name: asdict(entry) for name, entry in sorted(self.entries.items())},
        }
        write_atomically(self.path, json.dumps(data, indent=1).encode("utf-8"))
        self.journal_path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None


def output_unchanged(entry: Entry, path: Path) -> bool:
    """The output file is still the one the manifest recorded (hashed only if touched)."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    if stat.st_size != entry.output_size:
        return False
    if stat.st_mtime_ns == entry.output_mtime_ns:
        return True
    return file_sha256(path) == entry.output_sha256
