"""File names from people: normalised and bounded in bytes before any file is made of them.

A name on disk is limited to 255 bytes, not characters ("é" is two), and an output adds to
its source's stem (``.summary.trace.json``; a temporary ``.<name>.XXXXXXXX.part`` while it is
written): a stem of at most ``MAX_STEM_BYTES`` leaves room for all of them.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_BYTES = 200  # the name shown for an upload (and stored with it)
MAX_STEM_BYTES = 100  # the stem of a file made from it: outputs add up to about 50 bytes
MAX_SUFFIX_BYTES = 16


def _truncate(text: str, limit: int) -> str:
    """At most ``limit`` bytes of UTF-8, cut between characters."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def display_name(filename: str) -> str:
    """The name a person gave their file, fit to show and store: its last path part only,
    composed (NFC), without control characters, at most MAX_NAME_BYTES (extension kept)."""
    name = re.split(r"[/\\]", filename or "")[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")  # controls, format
    name = " ".join(name.split())
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix.encode()) > MAX_SUFFIX_BYTES:
        stem, suffix = name, ""
    suffix = f".{suffix}" if suffix else ""
    return _truncate(stem, MAX_NAME_BYTES - len(suffix.encode())) + suffix


def suffix_of(name: str) -> str:
    """'.txt' for 'Report.TXT'; '' when there is none."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or not re.fullmatch(rf"[A-Za-z0-9]{{1,{MAX_SUFFIX_BYTES}}}", suffix):
        return ""
    return f".{suffix.lower()}"


def file_stem(name: str) -> str:
    """A stem for files made from ``name``: letters and digits of any script, '.', '_' and
    '-' only, never starting with a dot or a dash, at most MAX_STEM_BYTES bytes."""
    stem = name.rsplit(".", 1)[0] if suffix_of(name) else name
    stem = unicodedata.normalize("NFC", stem)
    stem = re.sub(r"[^\w.-]+", "-", stem).strip(".-_")
    stem = _truncate(stem, MAX_STEM_BYTES).rstrip(".-_")
    return stem or "document"


def file_name(name: str) -> str:
    """The name a source is stored under on disk: ``file_stem`` plus its extension."""
    return file_stem(name) + suffix_of(name)
