"""Step 2: words whose line-end hyphen the text lost, repaired on over-long lines only."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence

from converter.recovery.dictionary import is_word
from converter.recovery.model import SourceLine

_HYPHEN_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")

#: Prefixes that, glued to a following word on an over-long line, mark a lost line-end
#: hyphen (reviewed by hand: each is a prefix English writes with a hyphen before a word
#: it could not be mistaken for).  "re" is left out on purpose: "rereferred" is printed so.
HYPHEN_PREFIXES = frozenset(
    [
        "pre",
        "post",
        "non",
        "multi",
        "well",
        "self",
        "cross",
        "inter",
        "anti",
        "co",
        "semi",
        "sub",
        "ex",
        "mid",
        "over",
        "under",
        "day",
    ]
)

#: The prefixes that mark a lost hyphen even before a word the document does not use
#: elsewhere (``selfesteem``), when that word has six letters or more.
STRONG_PREFIXES = frozenset(["well", "self", "multi", "cross", "post"])


# --- 2. lost hyphens ----------------------------------------------------------------------


def repair_lost_hyphens(
    lines: Sequence[SourceLine], width: int, skip: set[int]
) -> dict[int, tuple[str, list[tuple[str, str]]]]:
    """Repair words whose line-end hyphen the text lost; returns line -> (new text, repairs).

    How it is told reliably: ``pdftotext`` joins a hyphenated line-end word with the whole
    next line, so the joined form only ever sits on an over-long line (longer than its
    page's usual line width by 8% or more), where a line would have ended.  A glued word
    there is split into ``head-tail`` only when (a) the hyphenated form occurs elsewhere
    in the document, or (b) ``head`` is one of a small reviewed list of prefixes
    (:data:`HYPHEN_PREFIXES`) and ``tail`` occurs elsewhere (as a word or the start of
    one), or (c) both halves occur elsewhere and the glued form nowhere on a line of
    normal length.  In a partly hyphenated compound (``up-todate``, ``childin-need``) a
    glued part made of two words the document uses is split the same way.  Lines of
    normal length are never touched: ``rereferred`` printed mid-line stays.
    """
    vocabulary = _Vocabulary()
    page_lengths: dict[int, list[int]] = {}
    for line in lines:
        if line.number not in skip and len(line.text.strip()) >= 30:
            page_lengths.setdefault(line.page, []).append(len(line.text.rstrip()))
    page_width = {
        page: sorted(lengths)[int(len(lengths) * 0.8)] if len(lengths) >= 12 else width
        for page, lengths in page_lengths.items()
    }
    long_lines = {
        line.number
        for line in lines
        if line.number not in skip
        and page_width.get(line.page, width) <= _HARD_WRAP_LIMIT
        and len(line.text.rstrip()) > page_width.get(line.page, width) * 1.08
    }
    if not long_lines:
        return {}
    vocabulary.add(
        " ".join(x.text for x in lines if x.number not in skip and x.number not in long_lines),
        glued_ok=True,
    )
    vocabulary.add(" ".join(x.text for x in lines if x.number in long_lines), glued_ok=False)
    result: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for line in lines:
        if line.number not in long_lines:
            continue
        text = line.text
        line_width = page_width.get(line.page, width)
        joins = max(1, round(len(text.rstrip()) / line_width) - 1)
        repairs: list[tuple[str, str]] = []
        pieces: list[str] = []
        position = 0
        join = 1
        for match in _HYPHEN_TOKEN.finditer(text):
            if join > joins:
                break
            if match.end() < join * line_width * 0.55:
                continue
            if match.start() > join * line_width + 2:
                join += 1
                continue
            token = match.group(0)
            # Two dictionary words are evidence only where the line would have ended.
            at_break = match.end() >= join * line_width * 0.75
            fixed = vocabulary.repair(token, guess=at_break)
            if fixed is not None:
                pieces.append(text[position : match.start()])
                pieces.append(fixed)
                position = match.end()
                repairs.append((token, fixed))
                join += 1
        if repairs:
            pieces.append(text[position:])
            result[line.number] = ("".join(pieces), repairs)
    return result


#: Text whose usual line is longer than this is not hard-wrapped (a paragraph per line), so
#: an over-long line there says nothing about a lost hyphen.
_HARD_WRAP_LIMIT = 160
#: Word endings that are not words of their own, so never the tail of a lost hyphen.
_SUFFIX_LIKE = frozenset(
    [
        "fully",
        "less",
        "ness",
        "ment",
        "ments",
        "ship",
        "able",
        "ally",
        "ings",
        "ence",
        "ance",
        "tion",
        "sion",
    ]
)


class _Vocabulary:
    """The words and hyphenated pairs a document uses, for telling lost hyphens."""

    def __init__(self) -> None:
        self.words: Counter[str] = Counter()
        self.normal_words: Counter[str] = Counter()  # on lines of normal length only
        self.stems: set[str] = set()  # first six letters of longer words
        self.hyphenated: set[str] = set()

    def add(self, text: str, *, glued_ok: bool) -> None:
        tokens = [token.casefold() for token in _HYPHEN_TOKEN.findall(text)]
        parts = [part for token in tokens for part in token.split("-")]
        self.words.update(parts)
        if glued_ok:
            self.normal_words.update(parts)
        self.stems.update(part[:6] for part in parts if len(part) >= 6)
        for token in tokens:
            if "-" in token:
                pieces = token.split("-")
                self.hyphenated.add(token)
                self.hyphenated.update(f"{a}-{b}" for a, b in itertools.pairwise(pieces))

    def known(self, word: str) -> bool:
        return bool(self.words[word]) or (len(word) >= 6 and word[:6] in self.stems)

    def repair(self, token: str, *, guess: bool = True) -> str | None:
        parts = token.split("-")
        for index, part in enumerate(parts):
            split = self.split(part, compound=len(parts) > 1, guess=guess)
            if split is not None:
                head, tail = split
                return "-".join([*parts[:index], f"{head}-{tail}", *parts[index + 1 :]])
        return None

    def split(self, part: str, *, compound: bool, guess: bool = True) -> tuple[str, str] | None:
        lowered = part.casefold()
        if len(lowered) < 4 or self.normal_words[lowered]:
            return None  # too short to tell, or a word the document prints whole
        cuts = range(2, len(lowered) - 1)
        for cut in cuts:
            if f"{lowered[:cut]}-{lowered[cut:]}" in self.hyphenated:
                return part[:cut], part[cut:]
        if compound and not is_word(lowered):
            best = max(
                (
                    c
                    for c in cuts
                    if (self.words[lowered[:c]] or is_word(lowered[:c]))
                    and (self.words[lowered[c:]] or is_word(lowered[c:]))
                ),
                key=lambda c: min(c, len(lowered) - c),
                default=None,
            )
            if best is not None:
                return part[:best], part[best:]
        if len(lowered) < 5:
            return None
        for cut in cuts:
            head, tail = lowered[:cut], lowered[cut:]
            if head in HYPHEN_PREFIXES and len(tail) >= 2 and (tail.isdigit() or self.known(tail)):
                return part[:cut], part[cut:]
            if head in STRONG_PREFIXES and len(tail) >= 6 and tail.isalpha():
                return part[:cut], part[cut:]
        for cut in range(4, len(lowered) - 3):
            head, tail = lowered[:cut], lowered[cut:]
            if tail in _SUFFIX_LIKE:
                continue
            if head.isalpha() and tail.isalpha() and self.known(head) and self.known(tail):
                return part[:cut], part[cut:]
        return _dictionary_split(part) if guess else None


def _dictionary_split(part: str) -> tuple[str, str] | None:
    """A glued token that is no English word but two English words ("inhouse",
    "secondopinion"), or that changes case inside ("MutiAgency"), split where the two
    meet; the most even split of two words wins."""
    camel = next(
        (i for i in range(2, len(part) - 1) if part[i - 1].islower() and part[i].isupper()), None
    )
    if camel is not None:
        return part[:camel], part[camel:]
    lowered = part.casefold()
    if not lowered.isalpha() or is_word(lowered) or part[0].isupper():
        return None  # a proper noun ("Ashbank") is no evidence either way
    cuts = [
        cut
        for cut in range(2, len(lowered) - 2)
        if lowered[cut:] not in _SUFFIX_LIKE
        and is_word(lowered[:cut])
        and is_word(lowered[cut:])
        and len(lowered[cut:]) >= 3
    ]
    if not cuts:
        return None
    best = max(cuts, key=lambda c: min(c, len(lowered) - c))
    return part[:best], part[best:]
