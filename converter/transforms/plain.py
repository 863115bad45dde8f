"""Plainer wording for report sentences, by reviewable rules only (summary_data/phrases.toml):
the phrase bank, acronyms spelled out, numbers as a parent says them, long sentences split
at clause joints, and a long improvement item cut into points without losing a word.

Every change is recorded as a rule [name, before, after] so the faithfulness check can
see that each one is ours (converter.transforms.faithfulness).
"""

from __future__ import annotations

import functools
import re

from lxml import etree

from converter import tree as canonical
from converter.transforms.sentences import VERB_WORDS, split_sentences
from converter.transforms.summary_data import SummaryData
from converter.words import words

MAX_SENTENCE = (
    18  # words past which a point must be cut, whatever it cuts (it may grow by rewording)
)
LAST_RESORT = (", ", " and ", " or ", " for ", " of ", " in ")
MIN_POINT = 4  # words: a point shorter than this is a stub
MAX_POINT = 9  # words in one point of an improvement item, before rewording (which may add some)
_ACRONYM_TOKEN = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z](?:-[0-9]+)?s?\b")
_SOURCE_DEFINITION = re.compile(r"((?:[\w'’-]+\s+){1,8})\(([A-Z][A-Z]+)(s?)\)")
_SMALL = frozenset(["and", "of", "the", "for", "in", "on", "to", "with"])
_OPENERS = ("However, ", "But ", "Also, ", "In addition, ", "Furthermore, ", "Moreover, ")

Rule = list[str]  # [name, before, after]
Piece = tuple[str, str, list[Rule]]  # (plain text, the exact source words, rules applied)


def acronym_tokens(text: str) -> list[str]:
    return _ACRONYM_TOKEN.findall(text)


def replace_words(
    text: str, before: str, after: str, shelf: Shelf | None = None
) -> tuple[str, int]:
    """Replace whole-word occurrences, keeping a capital first letter; not in grade phrases.
    With a shelf, each replacement is set aside on it, so no later rule rewrites it."""
    pattern = re.compile(r"(?<![\w-])" + re.escape(before) + r"(?![\w-])", re.IGNORECASE)
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        if text[match.end() :].lstrip().lower().startswith("improvement"):
            return match.group(0)  # 'requires improvement' is a grade: never reworded
        if match.start() and match.group(0)[:1].isupper() and not before[:1].isupper():
            return match.group(0)  # a capital inside a sentence: part of a name, kept
        count += 1
        found = match.group(0)
        said = after[:1].upper() + after[1:] if found[:1].isupper() and not match.start() else after
        return shelf.hide(said) if shelf is not None else said

    return pattern.sub(swap, text), count


_SHELVED = re.compile("\x00(\\d+)\x00")


class Shelf:
    """Words set aside while the phrase bank runs: what a rule has already written (so
    "statutory requirements" -> "what the law requires" never goes on to "what the law
    needs") and the glossary's terms, which are explained, never reworded (so "multi-agency"
    -> "joint" leaves "multi-agency safeguarding hub" whole)."""

    def __init__(self) -> None:
        self.kept: list[str] = []

    def hide(self, text: str) -> str:
        self.kept.append(text)
        return f"\x00{len(self.kept) - 1}\x00"

    def restore(self, text: str) -> str:
        return _SHELVED.sub(lambda m: self.kept[int(m.group(1))], text)


def apply_number_rule(pattern: str, plain: str, text: str) -> str:
    return re.sub(pattern, plain, text)


class Rewriter:
    """Applies the phrase bank, acronyms, number rules and clause splits to source text."""

    def __init__(self, data: SummaryData, root: etree._Element) -> None:
        self.data = data
        self.defined = self._source_acronyms(root)
        dates: dict[str, str] = {}
        for date in root.iterfind("meta/date"):
            dates.setdefault(date.get("role") or "", date.get("when") or "")
        self.acronyms = data.acronyms_at(dates)  # as they were when the report was written
        self._term_forms = sorted(
            {f for t in data.terms for f in t.forms}, key=lambda f: (-len(f), f)
        )
        # Phrases of the bank that hold a term and reword it whole ("statutory requirements").
        self._phrases_with_terms = [
            p
            for p in data.phrases
            if any(
                f.casefold() != p.source.casefold() and _whole_words(f).search(p.source)
                for f in self._term_forms
            )
        ]

    @staticmethod
    def _source_acronyms(root: etree._Element) -> dict[str, tuple[str, str]]:
        """Acronyms the report defines as 'Long Form (LF)': written form -> (long, block id)."""
        found: dict[str, tuple[str, str]] = {}
        for element in root.iter("p", "item", "heading"):
            ident = element.get("id")
            if not ident:
                continue
            text = " ".join(canonical.text_content(element).split())
            for match in _SOURCE_DEFINITION.finditer(text):
                before, short, plural = match.group(1).split(), match.group(2), match.group(3)
                for size in range(len(short), min(len(before), len(short) + 3) + 1):
                    candidate = before[-size:]
                    initials = "".join(w[0] for w in candidate if w.lower() not in _SMALL)
                    if initials.upper() == short and candidate[0].lower() not in _SMALL:
                        found.setdefault(short + plural, (" ".join(candidate), ident))
                        break
        return found

    def known_acronym(self, token: str) -> bool:
        return (
            token in self.acronyms
            or token in self.defined
            or any(token in t.forms for t in self.data.terms)
        )

    def split(self, sentence: str) -> list[tuple[str, str, list[Rule], bool]]:
        """A sentence cut at the clause joints of the phrase bank: (text, source, rules,
        standalone) per piece; a piece is standalone when it makes its claim without the
        piece before it (the joint asserts both, as "but" does; "so that" does not)."""
        pieces: list[tuple[str, str, list[Rule], bool]] = [(sentence, sentence, [], True)]
        for joint in self.data.splits:
            next_pieces = []
            for text, source, rules, standalone in pieces:
                index = text.find(joint.joint)
                if index <= 0:
                    next_pieces.append((text, source, rules, standalone))
                    continue
                head, tail = text[:index], text[index + len(joint.joint) :]
                first = tail.split()[0] if tail.split() else ""
                if joint.joint.strip(" ,") in _CONCESSIVE and first.endswith("ing"):
                    # "..., while sharing information, do not ...": a phrase, not a clause
                    next_pieces.append((text, source, rules, standalone))
                    continue
                rule = ["split", joint.joint, joint.opens]
                opened = f"{joint.opens} {tail}" if joint.opens else tail[:1].upper() + tail[1:]
                next_pieces.append((head, head, [*rules, rule], standalone))
                next_pieces.append((opened, tail, [*rules, rule], joint.standalone))
            pieces = next_pieces
        return pieces

    def main_clause(self, sentence: str) -> tuple[str, str, list[Rule]] | None:
        """The main clause of a sentence that opens with a concession, after its first comma
        ("While X, Y" -> "Y"): (text, source, rules), or None."""
        for opening in self.data.openings:
            if sentence.startswith(opening + " ") and ", " in sentence:
                tail = sentence[sentence.index(", ") + 2 :]
                return tail[:1].upper() + tail[1:], tail, [["opening", opening, ""]]
        return None

    def rewrite(self, sentence: str, *, drop: bool = True) -> list[Piece]:
        """(plain text, the exact source words it rests on, rules applied) per new sentence."""
        return [
            self.plain(text, source, rules, drop=drop)
            for text, source, rules, _ in self.split(sentence)
        ]

    def plain(
        self,
        text: str,
        source: str,
        rules: list[Rule],
        *,
        drop: bool = True,
        end: str = ".",
        opening: bool = False,
    ) -> Piece:
        """One piece in plain words: openers and acronyms dealt with, phrases and numbers;
        ``opening`` when it opens an improvement item, whose noun phrase may become a verb
        ("The recognition of risk" -> "Spotting risk")."""
        rules = list(rules)
        text = text.strip().rstrip(".;:,")
        source = source.strip().rstrip(".;:,")
        for opener in self.data.drop_openers if drop else ():
            index = text.find(", " + opener + " ")
            if index > 0 and len(words(text[:index])) >= 6 and "," not in text[index + 2 :]:
                # Only a phrase that runs to the end: "X, for example Y, has not ..." keeps
                # its verb after the second comma, so nothing is dropped there.
                dropped = text[index:]
                rules.append(["drop", dropped, ""])
                cut = source.find(dropped)
                if cut > 0:
                    source = source[:cut]
                text = text[:index]
        for opener in _OPENERS:
            if text.startswith(opener):
                rules.append(["drop-opener", opener.strip(), ""])
                text = text[len(opener)].upper() + text[len(opener) + 1 :]
        for match in re.findall(r"\s\([A-Z][A-Z]+s?\)", text):
            rules.append(["drop-acronym", match, ""])
            text = text.replace(match, "")
        for token in sorted(set(acronym_tokens(text))):
            if token in self.acronyms:
                text, n = replace_words(text, token, self.acronyms[token])
                if n:
                    rules.append(["acronym", token, self.acronyms[token]])
            elif token in self.defined:
                long_form = self.defined[token][0]
                text, n = replace_words(text, token, long_form)
                if n:
                    rules.append(["acronym-source", token, long_form])
        for number in self.data.numbers:
            changed = apply_number_rule(number.pattern, number.plain, text)
            if changed != text:
                rules.append(["number", number.pattern, number.plain])
                text = changed
        shelf = Shelf()
        if opening:
            for phrase in self.data.item_openings:
                if text.casefold().startswith(phrase.source.casefold() + " "):
                    text = shelf.hide(phrase.plain) + text[len(phrase.source) :]
                    rules.append(["item-opening", phrase.source, phrase.plain])
                    break
        text = self._shelve_terms(text, shelf)
        for phrase in self.data.phrases:
            text, n = replace_words(text, phrase.source, phrase.plain, shelf)
            if n:
                rules.append(["phrase", phrase.source, phrase.plain])
        text = shelf.restore(text)
        text = text[:1].upper() + text[1:]
        return text + end, source, rules

    def _shelve_terms(self, text: str, shelf: Shelf) -> str:
        """Set aside each glossary term in the text, longest first, unless a phrase of the
        bank is that very term in other words ("looked after children") or holds it and is
        there to reword it whole ("statutory requirements" -> "what the law requires")."""
        reworded = {p.source.casefold() for p in self.data.phrases}
        for form in self._term_forms:
            if form.casefold() in reworded:
                continue
            held = [
                m.span()
                for p in self._phrases_with_terms
                for m in _whole_words(p.source).finditer(text)
            ]
            text = _whole_words(form).sub(functools.partial(_hide_term, shelf, held), text)
        return text

    def points(self, item: str) -> list[Piece]:
        """An improvement item, whole, as points of at most MAX_POINT words where its joints
        allow: the first point opens with a capital, the others go on from it."""
        pieces = split_sentences(item.strip())  # an item of several sentences: one point each
        for joint in self.data.point_joints:
            done = []
            for piece in pieces:
                done.extend(_cut(piece, joint))
            pieces = done
        # A point still over the limit is cut where a list or a phrase allows, near its middle.
        for joint in LAST_RESORT:
            done = []
            for piece in pieces:
                done.extend(_cut(piece, joint, limit=MAX_SENTENCE, strict=False))
            pieces = done
        out: list[Piece] = []
        for index, piece in enumerate(pieces):
            ends = index == len(pieces) - 1 or piece.rstrip().endswith((".", "!", "?"))
            text, source, rules = self.plain(
                piece, piece, [], drop=False, end="." if ends else "", opening=not index
            )
            opens = not index or out[-1][0].endswith(".")
            if not opens and not _keeps_capital(piece):
                text = text[:1].lower() + text[1:]
            out.append((text, source, rules))
        return out


def _hide_term(shelf: Shelf, held: list[tuple[int, int]], match: re.Match[str]) -> str:
    """A term set aside on the shelf, unless a phrase that rewords it whole holds it."""
    if any(start <= match.start() and match.end() <= end for start, end in held):
        return match.group(0)
    return shelf.hide(match.group(0))


def _whole_words(phrase: str) -> re.Pattern[str]:
    """A phrase as whole words, any case (a hyphen joins words: "self-evaluation")."""
    return re.compile(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", re.IGNORECASE)


_CONCESSIVE = frozenset(["while", "whilst", "although", "though", "whereas"])
_NO_END = frozenset(["or", "and", "the", "a", "an", "of", "to", "for", "with", "by", "in", "on"])
_LINKS = frozenset(
    [
        "including",
        "particularly",
        "especially",
        "such",
        "which",
        "who",
        "where",
        "when",
        "so",
        "as",
        "and",
        "but",
        "while",
        "with",
        "by",
        "so that",
        "to",
    ]
)
_CLAUSE_VERBS = frozenset(["are", "is", "was", "were", "have", "has", "do", "does", "did"])


def _opens_clause(rest: str) -> bool:
    """Do the words after an "and" open a clause of their own ("and show evidence", "and
    children are on plans"), rather than name one more thing in a list?"""
    following = [w.casefold() for w in rest.split()[:2]]
    return bool(following) and (
        following[0] in VERB_WORDS or (len(following) > 1 and following[1] in _CLAUSE_VERBS)
    )


def _keeps_capital(piece: str) -> bool:
    first = piece.split()[0] if piece.split() else ""
    return first.isupper() or (first[:1].isupper() and not first[1:].islower())


def _cut(piece: str, joint: str, *, limit: int = MAX_POINT, strict: bool = True) -> list[str]:
    """Cut a piece longer than the limit at the joint nearest its middle, then again; never
    inside a name ("Child and Adolescent Mental Health Service") nor leaving a stub; and,
    unless only the length matters now (``strict`` False), never inside a list."""
    if len(words(piece)) <= limit:
        return [piece]
    places = []
    for match in re.finditer(re.escape(joint), piece):
        at = match.start()
        if len(words(piece[:at])) < MIN_POINT or len(words(piece[at:])) < MIN_POINT:
            continue
        before, after = piece[:at].split()[-1:], piece[match.end() :].split()[:1]
        if before and before[0].casefold() in _NO_END:
            continue  # "... new to the country or | who speak": the point would end on "or"
        if before and after and before[0][:1].isupper() and after[0][:1].isupper():
            continue
        rest = piece[match.end() :]
        if not strict:
            places.append(at)
            continue
        if joint == " and " and not _opens_clause(rest):
            continue
        if joint == " to " and not (after and after[0].casefold() in VERB_WORDS):
            continue  # "to continue": a purpose; not "from child to adult"
        if joint == ", " and len(words(piece[:at].split(",")[-1])) < 3 and after[0] not in _LINKS:
            continue  # not after a one- or two-word member of a list ("health, education")
        places.append(at)
    if not places:
        return [piece]
    middle = len(piece) / 2
    at = min(places, key=lambda p: abs(p - middle))
    head = piece[:at].rstrip(" ;,")
    tail = piece[at:].lstrip(" ;,")
    return _cut(head, joint, limit=limit, strict=strict) + _cut(
        tail, joint, limit=limit, strict=strict
    )
