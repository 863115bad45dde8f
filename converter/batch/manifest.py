"""The batch manifest: what each output was made from, so that a re-run converts only what changed.

``OUT_DIR/.converter-manifest.json`` maps each output (its path relative to OUT_DIR) to the
source's hash, size, times and inode, the options' fingerprint, the converter version and
the output's hash, size and modification time.  Results are appended to a journal as they
arrive (one JSON line each, flushed), so that an interrupted batch loses nothing it
finished; ``save`` folds the journal into the manifest, written atomically (and not at all
when nothing changed: an unchanged re-run only reads).

A re-run trusts a source's stat (size, modification and change times, inode) and hashes its
content only when the stat differs from the recorded one, or when the file was changed so
close to the moment it was read that a later change could have left every time as it was
(``source_unchanged_by_stat``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from converter.pipeline import write_atomically

MANIFEST_NAME = ".converter-manifest.json"
JOURNAL_NAME = ".converter-manifest.journal"
FORMAT_VERSION = 1
#: How long before a source was read its last change must lie for its stat to be trusted.
#: File systems keep times in ticks (a few milliseconds on ext4, two seconds on FAT; a
#: network file system's clock may be a little off the reader's), so a change within a tick
#: of the read can leave size and times as they were: git calls such an entry "racily clean"
#: and hashes it.  A source changed less than this before it was read is hashed on the next
#: run (then, found the same, trusted again).
RACY_NS = 2_000_000_000


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
    # The rest of the source's stat when it was read (None in manifests written before
    # they were kept: such an entry is hashed once, then recorded with them).
    source_ctime_ns: int | None = None
    source_inode: int | None = None
    source_read_ns: int | None = None  # wall clock, just before the stat


#: The fields of an Entry, in order (asdict deep-copies: slow for thousands of entries).
_ENTRY_FIELDS = tuple(f.name for f in dataclasses.fields(Entry))


def entry_json(entry: Entry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in _ENTRY_FIELDS}


def source_unchanged_by_stat(entry: Entry, stat: os.stat_result) -> bool:
    """The source is still the file the entry was made from, by its stat alone: the same
    size, modification and change times and inode (a file written over, or replaced by
    another with its times copied, changes its change time or inode), and its last change
    was at least RACY_NS before it was read.  False means: hash it to know."""
    if entry.source_ctime_ns is None or entry.source_inode is None or entry.source_read_ns is None:
        return False
    recorded = (entry.source_size, entry.source_mtime_ns, entry.source_ctime_ns, entry.source_inode)
    if (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino) != recorded:
        return False
    return max(entry.source_mtime_ns, entry.source_ctime_ns) < entry.source_read_ns - RACY_NS


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
        self._changed = False  # since it was read: save() writes only a changed manifest

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
            else:
                manifest._changed = True  # another version's: written anew
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError, AttributeError):
            manifest.entries, manifest.options = {}, {}
            manifest._changed = True
        try:
            lines = manifest.journal_path.read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
        if lines:
            manifest._changed = True  # an interrupted run's results: folded in by save()
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
        self._changed = True
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
        self._log({"output": output, "entry": entry_json(entry)})

    def remove(self, output: str) -> None:
        if output in self.entries:
            self._log({"remove": output})

    def save(self) -> None:
        """Write the whole manifest atomically, then drop the journal it now contains.
        Nothing is written when nothing changed since it was read (and it exists)."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if not self._changed and self.path.exists():
            self.journal_path.unlink(missing_ok=True)  # one left empty by a killed run
            return
        used = {entry.options for entry in self.entries.values()}
        options = {key: text for key, text in sorted(self.options.items()) if key in used}
        # One output a line, each encoded by json's C encoder (indent= would use its pure
        # Python one): a large library's manifest is written in a fraction of the time.
        lines = [
            f"{json.dumps(name)}: {json.dumps(entry_json(entry), sort_keys=True)}"
            for name, entry in sorted(self.entries.items())
        ]
        text = (
            f'{{"manifest-version": {FORMAT_VERSION},\n'
            f'"options": {json.dumps(options, sort_keys=True)},\n'
            '"outputs": {\n' + ",\n".join(lines) + "\n}}\n"
        )
        write_atomically(self.path, text.encode("utf-8"))
        self.journal_path.unlink(missing_ok=True)
        self._changed = False

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
