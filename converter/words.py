"""Words as DESIGN.md section 3 defines them, and the "nothing lost" comparison."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

# Maximal runs of letters and digits; an apostrophe inside a word belongs to it.
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


# Combining marks belong to the letter they sit on (a letter struck through with U+0336
# is still that letter), and a soft hyphen or zero-width mark inside a word draws nothing
# between its letters: both are dropped before words are found.
_COMBINING = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\u00ad\u200b\u200c\u200d\u2060\ufeff]"
)


def words(text: str) -> list[str]:
    """The words of a text, case-folded, apostrophes normalised to U+0027."""
    if not text.isascii():
        text = _COMBINING.sub("", text)
    return [w.casefold().replace("\u2019", "'") for w in _WORD.findall(text)]


#: The parts of a tree that every writer renders: the title, then body and back matter.
#: The rest of meta (dates, people, judgements, kind) is data drawn from the body, which
#: keeps the lines it came from, so every source word reaches every rendered output.
RENDERED_PARTS = ("meta/title", "meta/subtitle", "body", "back")


def tree_words(
    root: etree._Element, *, parts: Iterable[str] = (*RENDERED_PARTS, "artifacts")
) -> Counter[str]:
    """The words of the named parts of a canonical tree (paths relative to the root)."""
    counts: Counter[str] = Counter()
    for part in parts:
        for element in root.iterfind(part):
            for text in element.itertext():
                counts.update(words(str(text)))
            # A numbered paragraph's number (p/@n), an item's label and a note's label
            # are rendered too.
            for numbered in element.iter("p", "item", "note"):
                counts.update(words(numbered.get("n") or numbered.get("label") or ""))
    return counts


@dataclass(frozen=True)
class WordAccount:
    """How the words of a source and of its tree compare."""

    lost: Counter[str]  # in the source, not in the tree
    invented: Counter[str]  # in body/back/artifacts, not in the source
    repaired: Counter[str]  # source words found in the tree as their repaired hyphenation

    @property
    def ok(self) -> bool:
        return not self.lost and not self.invented


def account(source_text: str, root: etree._Element) -> WordAccount:
    """Compare source and tree words, allowing words whose lost hyphen was repaired and
    words a footnote marker was printed on to.

    A source word such as ``decisionmaking`` counts as kept when the tree holds the
    words it was repaired into (``decision`` and ``making``, from ``decision-making``).
    """
    source = Counter(words(source_text))
    lost = source - tree_words(root)  # rendered parts and artifacts only: not meta data
    invented = tree_words(root, parts=("body", "back", "artifacts")) - source
    # Repairs are matched against every rendered word: when the title took its words
    # out of the body, a repaired half may be spare only in the whole tree.
    spare = tree_words(root) - source
    repaired: Counter[str] = Counter()
    labels = {str(n.get("label")) for n in root.iter("note") if n.get("label")}
    for word in sorted(lost):
        # A footnote marker printed on to its word ("board1") was cut from it: the word
        # is kept when the tree holds the word and a note with that label.
        marker = _MARKER_TAIL.match(word)
        while lost[word] and marker and marker.group(2) in labels and spare[marker.group(1)]:
            spare[marker.group(1)] -= 1
            invented -= Counter([marker.group(1)])
            if spare[marker.group(2)] > 0:  # a noteref repeats the marker in the tree
                spare[marker.group(2)] -= 1
                invented -= Counter([marker.group(2)])
            lost[word] -= 1
            repaired[word] += 1
        while lost[word]:
            split = _repaired_split(word, spare)
            if split is None:
                break
            spare -= Counter(split)
            invented -= Counter(split)
            lost[word] -= 1
            repaired[word] += 1
    # A web address broken over two lines is joined whole ("our_s" / "chool" -> "our_school"):
    # a spare word of the tree made of two lost ones is that join.
    spare = +spare
    for word in sorted(spare):
        while spare[word]:
            joined = next(
                (
                    (word[:cut], word[cut:])
                    for cut in range(1, len(word))
                    if lost[word[:cut]]
                    and lost[word[cut:]]
                    and (word[:cut] != word[cut:] or lost[word[:cut]] >= 2)
                ),
                None,
            )
            if joined is None:
                break
            lost -= Counter(joined)
            spare[word] -= 1
            invented -= Counter([word])
            repaired[word] += 1
    return WordAccount(lost=+lost, invented=+invented, repaired=repaired)


_MARKER_TAIL = re.compile(r"^([^\W\d_]+)(\d{1,2})$")


def _repaired_split(word: str, spare: Counter[str]) -> tuple[str, ...] | None:
    """Split ``word`` into two or three parts that ``spare`` holds, if it can."""
    for cut in range(1, len(word)):
        head, tail = word[:cut], word[cut:]
        if not spare[head]:
            continue
        need = Counter((head, tail))
        if all(spare[w] >= n for w, n in need.items()):
            return (head, tail)
        for cut2 in range(1, len(tail)):
            parts = (head, tail[:cut2], tail[cut2:])
            if all(spare[w] >= n for w, n in Counter(parts).items()):
                return parts
    return None
