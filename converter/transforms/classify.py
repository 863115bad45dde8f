"""Is a report's sentence a strength, a concern, mixed or neither?  Rules, not a model.

The cues are reviewed data (summary_data/signals.toml): words that mark a sentence as a
strength or a concern, negators that turn a cue round, contrast words that set clauses
against each other, and the report's own signals of how serious a concern is.  The rules
are measured on a labelled set of corpus sentences (tests/test_classifier.py).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass

from converter import resources
from converter.transforms.sentences import VERB_WORDS
from converter.words import words

STRENGTH, CONCERN, MIXED, NEUTRAL = "strength", "concern", "mixed", "neutral"
LABELS = (STRENGTH, CONCERN, MIXED, NEUTRAL)
NEGATION_WINDOW = 4  # words after a negator whose cues it turns round
CONDITIONS = frozenset(["when", "if", "where", "whenever"])  # "when there are gaps, ..."


@dataclass(frozen=True)
class Cue:
    tokens: tuple[str, ...]  # a token ending in "*" matches any word it begins
    weight: int
    polarity: int  # +1 strength, -1 concern, 0 a term that judges nothing


@dataclass(frozen=True)
class Signals:
    cues: tuple[Cue, ...]  # longest first
    negators: tuple[tuple[str, ...], ...]
    noticing: frozenset[str]  # verbs that take a negator on themselves
    adverbs: frozenset[str]  # words that may stand between a negator and such a verb
    reducers: tuple[tuple[str, ...], ...]
    contrast: frozenset[str]
    recommendation: tuple[tuple[str, ...], ...]
    about_the_inspection: tuple[tuple[str, ...], ...]
    serious: tuple[Cue, ...]
    section_grade: dict[str, int]


def _cues(table: dict[str, int], polarity: int) -> list[Cue]:
    return [Cue(tuple(tokens(p)), int(w), polarity) for p, w in table.items()]


def _phrases(items: list[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted((tuple(tokens(i)) for i in items), key=lambda p: (-len(p), p)))


@functools.cache
def signals() -> Signals:
    """The packaged signals, parsed once."""
    text = (
        resources.folder("converter.transforms.summary_data")
        .joinpath("signals.toml")
        .read_text(encoding="utf-8")
    )
    data = tomllib.loads(text)
    cues = (
        _cues(data["strength"], 1)
        + _cues(data["concern"], -1)
        + _cues(dict.fromkeys(data["neutral"]["terms"], 0), 0)
    )
    return Signals(
        cues=tuple(sorted(cues, key=lambda c: (-len(c.tokens), c.tokens, c.polarity))),
        negators=_phrases(data["negators"]["words"]),
        noticing=frozenset(data["negators"]["noticing"]),
        adverbs=frozenset(data["negators"]["adverbs"]),
        reducers=_phrases(data["negators"]["reducers"]),
        contrast=frozenset(data["contrast"]["words"]),
        recommendation=_phrases(data["recommendation"]["openers"]),
        about_the_inspection=_phrases(data["about_the_inspection"]["openers"]),
        serious=tuple(_cues(data["serious"], -1)),
        section_grade={k: int(v) for k, v in data["section_grade"].items()},
    )


def tokens(text: str) -> list[str]:
    """Words, case-folded, with a contraction's "n't" made "not" (so it negates)."""
    out: list[str] = []
    for word in words(text.replace("*", " ")):
        if word.endswith("n't"):
            out.extend([word[:-3], "not"])
        elif word == "cannot":
            out.extend(["can", "not"])
        else:
            out.append(word)
    # A cue pattern keeps its "*": words() would have dropped it.
    if text.endswith("*") and out:
        out[-1] += "*"
    return out


def _matches(pattern: tuple[str, ...], found: list[str], at: int) -> bool:
    if at + len(pattern) > len(found):
        return False
    for want, word in zip(pattern, found[at:], strict=False):
        if want.endswith("*"):
            if not word.startswith(want[:-1]):
                return False
        elif want != word:
            return False
    return True


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    cue: Cue


def _hits(found: list[str], cues: tuple[Cue, ...]) -> list[Hit]:
    """Cue matches, longest first, each word in one cue only, in the sentence's order."""
    by_first, open_first = _index(cues)
    matches: list[tuple[Cue, int]] = []
    for at, word in enumerate(found):
        for cue in by_first.get(word, ()):
            if _matches(cue.tokens, found, at):
                matches.append((cue, at))
        for cue in open_first:
            if word.startswith(cue.tokens[0][:-1]) and _matches(cue.tokens, found, at):
                matches.append((cue, at))
    matches.sort(key=lambda m: (-len(m[0].tokens), m[0].tokens, m[0].polarity, m[1]))
    taken = [False] * len(found)
    hits: list[Hit] = []
    for cue, at in matches:
        if any(taken[at : at + len(cue.tokens)]):
            continue
        for i in range(at, at + len(cue.tokens)):
            taken[i] = True
        hits.append(Hit(at, at + len(cue.tokens), cue))
    return sorted(hits, key=lambda h: h.start)


@functools.cache
def _index(cues: tuple[Cue, ...]) -> tuple[dict[str, tuple[Cue, ...]], tuple[Cue, ...]]:
    """Cues by their first word, and those whose first word is a prefix ("delay*")."""
    by_first: dict[str, list[Cue]] = {}
    open_first = []
    for cue in cues:
        if cue.tokens[0].endswith("*"):
            open_first.append(cue)
        else:
            by_first.setdefault(cue.tokens[0], []).append(cue)
    return {k: tuple(v) for k, v in by_first.items()}, tuple(open_first)


def _starts(phrases: tuple[tuple[str, ...], ...], found: list[str]) -> dict[int, int]:
    """Where each phrase starts in the words: position -> its length."""
    out: dict[int, int] = {}
    for at in range(len(found)):
        for phrase in phrases:
            if _matches(phrase, found, at):
                out[at] = len(phrase)
                break
    return out


@dataclass(frozen=True)
class Weighed:
    """One clause's cues added up, negators applied."""

    strength: float
    concern: float
    negated: bool  # it holds a negator
    first: int  # the polarity of its first asserted cue (+1, -1; 0 for none)


def _score(found: list[str]) -> Weighed:
    """The strength and concern weights of one clause, negators applied."""
    hits = [h for h in _hits(found, signals().cues) if h.cue.polarity]
    negators = _starts(signals().negators, found)
    # A negator on a verb of noticing turns nothing past the verb ("not recognise risk of
    # harm"), only a cue up to it ("not well understood"); unused, it is a concern itself.
    reducers = _starts(signals().reducers, found)
    noticing = {
        i: verb
        for i, size in negators.items()
        if (verb := _noticing_verb(found, i + size, reducers)) is not None
    }
    used: set[int] = set()
    strength = concern = 0.0
    first = 0
    conditional: set[int] = set()  # words inside a "when ..." or "if ..." clause
    inside = False
    for index, word in enumerate(found):
        opening = not index or found[index - 1] == ","
        if word in CONDITIONS and (opening or word != "where"):  # "cases where ...": not one
            inside = True
        elif word == ",":
            inside = False
        if inside:
            conditional.add(index)
    for hit in hits:
        polarity, weight = hit.cue.polarity, float(hit.cue.weight)
        turned = [
            i
            for i in negators
            if hit.start <= noticing.get(i, hit.start)
            and i + negators[i] <= hit.start <= i + negators[i] + NEGATION_WINDOW
        ]
        reduced = [
            i
            for i in reducers
            if i + reducers[i] <= hit.start <= i + reducers[i] + NEGATION_WINDOW
            and not any(j < i <= j + 3 for j in negators)  # "cannot address" reduces nothing
        ]
        if turned:
            used.update(turned)
            polarity, weight = -polarity, max(weight, 2.0)
        elif reduced and polarity < 0:
            polarity = 1
        if polarity < 0 and hit.start in conditional:
            weight = 0.0  # a concern named as a condition ("when drift occurs") is not asserted
        elif not first:
            first = polarity
        if polarity > 0:
            strength += weight
        else:
            concern += weight
    unused = [i for i in negators if i not in used and i not in conditional]
    concern += 2.0 * len(unused)
    if unused and not first:
        first = -1
    return Weighed(strength, concern, bool(negators), first)


def _noticing_verb(found: list[str], at: int, reducers: dict[int, int]) -> int | None:
    """Where a verb of noticing (or a reducer: "not tackling drift") is, at ``at`` or past
    up to two adverbs (None: none)."""
    for index in range(at, min(at + 3, len(found))):
        if found[index] in signals().noticing:
            return index
        if index in reducers:
            return index + reducers[index] - 1
        if found[index] not in signals().adverbs:
            return None
    return None


SUBORDINATE = frozenset(
    ["although", "though", "despite", "while", "whilst", "whereas", "notwithstanding"]
)


def _clauses(found: list[str]) -> list[list[str]]:
    """The sentence cut at its contrast words.  A subordinate one ("although", "despite")
    opens a clause that ends at the next comma (a "," token); "but", "however" open a
    clause that runs on."""
    contrast = signals().contrast
    out: list[list[str]] = [[]]
    open_to_comma = False
    for index, word in enumerate(found):
        following = found[index + 1] if index + 1 < len(found) else ""
        if word == ",":
            if open_to_comma and out[-1]:
                out.append([])
                open_to_comma = False
            elif out[-1]:
                out[-1].append(word)  # kept: it ends a "when ..." condition (_score)
            continue
        temporal = word in ("while", "whilst") and following.endswith("ing")  # "while waiting"
        if word in contrast and not temporal:
            if out[-1]:
                out.append([])
            open_to_comma = word in SUBORDINATE
        out[-1].append(word)
    return [c for c in out if c]


def _with_commas(text: str) -> list[str]:
    """Tokens with each comma kept as a token of its own (it bounds an opening clause)."""
    found: list[str] = []
    for part in text.split(","):
        if found:
            found.append(",")
        found.extend(tokens(part))
    return found


def is_recommendation(text: str) -> bool:
    """Does the sentence open with a verb that asks for a change ("Ensure that ...")?"""
    found = tokens(text)
    return any(_matches(p, found, 0) for p in signals().recommendation)


# Words that open a clause about what came before: the words after them are not the
# sentence's own claim ("..., including ...", "... where children wait ...").
_CLAUSE_OPENERS = frozenset(["including", "so", "where", "when", "which", "who", "that", "to"])
_PREPOSITIONS = frozenset(["in", "by", "of", "for", "with", "through", "to", "on", "from"])
_FINITE = frozenset(["is", "are", "was", "were", "has", "have", "had", "will", "can"])
_ADJECTIVE_BEFORE = frozenset(["and", "or", "the", "a", "an", "of", "with", "for", "in", "to"])


def names_a_topic(text: str) -> bool:
    """Is the sentence a bare noun phrase, as an improvement item often is ("The accuracy of
    children's records, including ...", "escalation to pre-proceedings where ...")?  It names
    what a report looks at or wants better and, read alone, asserts nothing.  Its comma
    parts that open with a clause word are clauses about it; in the others no verb may
    come before a clause word."""
    found = _with_commas(text)
    if not found:
        return False
    opens = text[:1].islower() or found[0] == "how" or (found[0] == "the" and "of" in found[2:5])
    if not opens or found[0].endswith("ing"):
        return False  # "ensuring that ...", "dealing with ...": an action asked for, not a topic
    parts: list[list[str]] = [[]]
    for word in found:
        if word == ",":
            parts.append([])
        else:
            parts[-1].append(word)
    for number, part in enumerate(parts):
        if number and part and part[0] in _CLAUSE_OPENERS:
            continue
        clause = False
        for index, word in enumerate(part):
            before = part[index - 1] if index else ""
            if word in _FINITE and before not in _CLAUSE_OPENERS:
                return False  # "The number of children who go missing is low": its verb
            if index and word in _CLAUSE_OPENERS - {"to"} and before not in _PREPOSITIONS:
                clause = True  # "... where children wait": a clause about the phrase
            if clause:
                continue
            noun = word.endswith("s") and (
                before in _ADJECTIVE_BEFORE or before.endswith(("'s", "’s", "ing"))
            )  # "children's records", "safeguarding checks": plural nouns, not verbs
            if word in VERB_WORDS and not noun:
                return False
            if word.endswith("ed") and index and before not in _ADJECTIVE_BEFORE:
                return False  # a past form after its subject ("The quality of plans improved")
    return True


@functools.lru_cache(maxsize=4096)
def classify(text: str) -> str:
    """strength, concern, mixed or neutral."""
    if is_recommendation(text):
        return CONCERN
    if names_a_topic(text):
        return NEUTRAL
    found = _with_commas(text)
    if found and found[0] == "however":
        found = found[1:]  # "However, ..." sets this sentence against the last one, not within
    scores = [_score(c) for c in _clauses(found)]
    sides = [_side(w.strength, w.concern, w.negated) for w in scores]
    if len(sides) > 1 and {STRENGTH, MIXED} & set(sides) and {CONCERN, MIXED} & set(sides):
        return MIXED  # its clauses disagree ("Despite strong leadership, plans are weak")
    strength = sum(w.strength for w in scores)
    concern = sum(w.concern for w in scores)
    side = _side(strength, concern, any(w.negated for w in scores))
    if _about_the_inspection(found) and concern < 2:
        return NEUTRAL
    if side == MIXED:
        # Evenly weighed with no contrast between clauses: the sentence says first what
        # it is about ("There is a lack of coordinated support", "A range of positive
        # interventions ... to help children in crisis").
        first = next((w.first for w in scores if w.first), 0)
        return {1: STRENGTH, -1: CONCERN}.get(first, MIXED)
    return side


def _about_the_inspection(found: list[str]) -> bool:
    plain = [w for w in found if w != ","]
    return any(_matches(p, plain, 0) for p in signals().about_the_inspection)


def _side(strength: float, concern: float, negated: bool = False) -> str:
    if strength == 0 and concern == 0:
        return NEUTRAL
    if concern > strength:
        return CONCERN
    if strength > concern:
        return STRENGTH
    return CONCERN if negated else MIXED  # evenly weighed with a "not" in it: the "not" decides


def seriousness(text: str, section_grade: str | None = None) -> int:
    """How serious a concern is, from the report's own signals (0 for none)."""
    found = tokens(text)
    score = sum(hit.cue.weight for hit in _hits(found, signals().serious))
    return score + signals().section_grade.get(section_grade or "", 0)


def weight(text: str) -> float:
    """How strongly a strength is put (the sum of its strength cues)."""
    return _score(tokens(text)).strength
