"""Character classes, patterns and small predicates over line text, shared by the steps."""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Bullet characters seen in real reports: geometric shapes, ordinary dashes and
#: asterisks, and any symbol-font glyph (Wingdings and Symbol draw bullets from the
#: private-use block: U+F06E, U+F03C, U+F02D, U+F0B7, U+F0A7 ...) or C1 control (U+0084,
#: a Windows-1252 byte read as Latin-1) standing alone at the start of a line.
BULLETS = "-*\u2022\u25aa\u25fc\u25a0\u25cf\u25e6\u2023\u2043\u2013\u2014\u00b7\u25cb\u25ba\u2219\u25fe\u2610\u2611\u27a2\u2713\u2714\u25b6\u2192"
_BULLET = re.compile(rf"^\s*([{re.escape(BULLETS)}\uf000-\uf0ff\u0080-\u009f])(?:\s+|$)(.*)$")
_NUMBERED = re.compile(r"^\s*(\d{1,3})\.(?:\s+(\S.*)|\s*)$")
#: A Markdown-like heading line in plain text: ``## Background`` (closing hashes allowed).
_MARKED_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(\S.*?)(?:\s+#+)?\s*$")
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?[\s:|-]*-{2,}[\s:|-]*\|?\s*$")
_RULE = re.compile(r"^\s*([-_=\u2500\u2501\u2014*~.])\1{4,}\s*$")
_BARE_NUMBER = re.compile(r"^\s*(\d{1,4})\s*$")
_PAGE_OF = re.compile(r"^\s*Page\s+(\d{1,4})(?:\s+of\s+\d{1,4})?\s*$", re.IGNORECASE)
_TRAILING_NUMBER = re.compile(r"\s*\d{1,4}\s*$")
_SPACES = re.compile(r"\s+")
_COLUMN_GAP = re.compile(r"\S(\s{4,})\S")
_TERMINAL = re.compile(r"[.!?:;)\]\"\u201d\u2019']\s*$")
_SENTENCE_END = re.compile(r"[.!?]['\"\u2019\u201d)]?\s*$")
_WORD_CHAR = re.compile(r"[^\W_]")
_FIRST_WORD = re.compile(r"^\s*(\S+)")
_LINK = re.compile(
    r"(?P<url>(?:https?://|www\.)[^\s<>()\"\u201c\u201d]+[^\s<>()\"\u201c\u201d.,;:!?'\u2019])"
    r"|(?P<email>(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
)
_SLUG_DROP = re.compile(r"[^a-z0-9]+")
_HYPHEN_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def is_bullet_line(text: str) -> bool:
    return _BULLET.match(text) is not None


def starts_lower(text: str) -> bool:
    stripped = text.lstrip()
    return bool(stripped) and stripped[0].islower()


def ends_sentence(text: str) -> bool:
    return _TERMINAL.search(text) is not None


def first_word(text: str) -> str:
    match = _FIRST_WORD.match(text)
    return match.group(1) if match else ""


_ADDRESS_END = re.compile(r"(?:https?://|www\.|@)\S*$")
_WHOLE_HOST = re.compile(r"\.(?:uk|com|org|net|gov|edu|ac|io|eu|info)/?$", re.IGNORECASE)
_ADDRESS_REST = re.compile(r"^[a-z0-9./_#?=&%~-][\w./#?=&%~-]*[\w/]$")


def _broken_address(previous: str, text: str) -> bool:
    """'www.bedfordshirelutonandmiltonkeynes' / '.icb.nhs.uk': an address's first part ends
    the line and the rest, with no space in it, opens the next."""
    text = text.split(" ", 1)[0]  # the address's rest opens the line; words may follow
    if (
        _ADDRESS_END.search(previous) is None
        or _ADDRESS_REST.match(text) is None
        or previous.endswith((".", ","))  # an address that ends a sentence
        or re.match(r"(?:https?://|www\.)|\S*@", text)  # the next is an address of its own
    ):
        return False
    # ".uk/contact" can only continue an address; otherwise the first part must be
    # unfinished ("enquiries@ofsted.gov.uk" is whole).
    return text[0] in "./" or _WHOLE_HOST.search(previous) is None


def join_texts(texts: Sequence[str]) -> str:
    """Join wrapped lines: a line-end hyphen before a lower-case start is kept, no space;
    a web or e-mail address broken over two lines is joined whole."""
    out: list[str] = []
    for text in texts:
        text = text.strip()
        if not text:
            continue
        if (
            out
            and out[-1].endswith("-")
            and len(out[-1]) > 1
            and out[-1][-2].isalpha()
            and starts_lower(text)
        ) or (out and _broken_address(out[-1], text)):
            out[-1] = out[-1] + text
        else:
            out.append(text)
    return " ".join(out)
