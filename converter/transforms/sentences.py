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


# Words that can carry a sentence: a verb form, or the words that make one.
VERB_WORDS = frozenset(
    ["is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "do",
     "does", "did", "can", "could", "will", "would", "shall", "should", "may", "might", "must",
     "need", "needs", "make", "makes", "made", "take", "takes", "took", "get", "gets", "got",
     "give", "gives", "gave", "go", "goes", "went", "know", "knows", "knew", "see", "sees",
     "saw", "feel", "feels", "felt", "find", "finds", "found", "keep", "keeps", "kept", "live",
     "lives", "work", "works", "help", "helps", "meet", "meets", "met", "lead", "leads", "led",
     "use", "uses", "show", "shows", "stay", "stays", "remain", "remains", "wait", "waits",
     "build", "builds", "built", "lack", "lacks", "vary", "varies", "include", "includes",
     "enjoy", "enjoy", "listen", "listens", "support", "supports", "understand",
     "understands", "understood", "benefit", "benefits", "receive", "receives", "attend",
     "attends", "visit", "visits", "spend", "spends", "spent", "hold", "holds", "held", "say",
     "says", "said", "tell", "tells", "told", "think", "thinks", "want", "wants", "plan",
     "plans", "try", "tries", "bring", "brings", "brought", "provide", "provides", "ensure",
     "ensures", "check", "checks", "put", "puts", "let", "lets", "set", "sets", "become",
     "becomes", "became", "grow", "grows", "come", "comes", "came", "move", "moves", "talk",
     "talks", "ask", "asks", "agree", "agrees", "share", "shares", "review", "reviews",
     "track", "tracks", "challenge", "challenges", "engage", "engages", "face", "faces",
     "reflect", "reflects", "inform", "informs", "promote", "promotes", "respond", "responds",
     "start", "starts", "offer", "offers", "access", "value", "values", "contain", "contains",
     "match", "matches", "mean", "means", "meant", "happen", "happens", "seek", "seeks",
     "sought", "choose", "chooses", "chose", "manage", "manages", "lose", "loses", "lost",
     "fall", "falls", "fell", "stop", "stops", "continue", "continues", "rely", "relies",
     "depend", "depends", "apply", "applies", "focus", "focuses", "address", "addresses",
     "reach", "reaches", "join", "joins", "care", "cares", "raise", "raises", "struggle",
     "struggles", "miss", "misses", "report", "reports", "record", "records", "own", "owns",
     "add", "adds", "cover", "covers", "carry", "carries", "run", "runs", "ran", "pay", "pays",
     "paid", "sit", "sits", "sat", "stand", "stands", "stood", "write", "writes", "wrote",
     "read", "reads", "learn", "learns", "teach", "teaches", "taught", "play", "plays",
     "thrive", "thrive", "progress", "progresses", "achieve", "achieves", "look", "looks",
     "prevent", "prevents", "protect", "protects", "reduce", "reduces", "develop", "develops",
     "improve", "improves", "increase", "increases", "identify", "identifies", "prioritise",
     "prioritises", "oversee", "oversees", "recognise", "recognises", "celebrate", "welcome",
     "welcomes", "aspire", "aspires", "tend", "tends", "allow", "allows", "enable", "enables",
     "require", "requires", "ensure", "take", "feel", "exist", "exists", "differ", "differs"]
)
