"""Sentences of report text: where they end, and whether one stands on its own."""

from __future__ import annotations

import re

_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "Mr.", "Mrs.", "Ms.", "Dr.", "No.", "St.")


def split_sentences(text: str) -> list[str]:
    """The sentences of a paragraph, as exact substrings."""
    out, start = [], 0
    for match in re.finditer(r"[.!?](?=\s+[A-Z0-9'\"‘“(])", text):
        end = match.end()
        if any(text[:end].endswith(a) for a in _ABBREVIATIONS):
            continue
        out.append(text[start:end].strip())
        start = end
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    return out
