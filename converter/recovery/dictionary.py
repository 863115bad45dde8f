"""English words (SCOWL, packaged), for telling a lost line-end hyphen from a word."""

from __future__ import annotations

import functools
import gzip

from converter import resources


@functools.cache
def english_words() -> frozenset[str]:
    """The lower-case words of SCOWL's British English list, shipped in the package."""
    data = resources.folder("converter.recovery").joinpath("data/english-words.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("ascii").split())


def is_word(text: str) -> bool:
    return text.casefold() in english_words()
