"""The classifier's labelled sentences: located in the corpus by document, block and a hash
of their words, so that no corpus text is stored in the project (tests build the set from
the corpus at test time, and skip when it is absent)."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from converter.transforms.sentences import split_sentences
from converter.words import words

LABELS = Path(__file__).resolve().parents[1] / "fixtures" / "classifier" / "labels.tsv"
SKIPPED_SECTIONS = frozenset({"contents", "about", "licence", "contact", "copyright"})


def sentence_key(text: str) -> str:
    """A short hash of a sentence's words: it finds the sentence again without storing it."""
    return hashlib.sha256(" ".join(words(text)).encode()).hexdigest()[:12]


def finding_sentences(root: etree._Element) -> list[tuple[str, int, str]]:
    """(block id, sentence index, sentence) for the body's paragraphs and list items."""
    out = []
    body = root.find("body")
    if body is None:
        return out
    for block in body.iter("p", "item"):
        ident = block.get("id")
        if not ident or any(a.tag == "table" for a in block.iterancestors()):
            continue
        if any(a.get("role") in SKIPPED_SECTIONS for a in block.iterancestors("section")):
            continue
        own = [block.text or ""]
        for child in block:
            if child.tag != "list":
                own.append("".join(str(t) for t in child.itertext()))
            own.append(child.tail or "")
        text = " ".join("".join(own).split())
        for index, sentence in enumerate(split_sentences(text)):
            out.append((ident, index, sentence))
    return out


@dataclass(frozen=True)
class Label:
    document: str
    block: str
    index: int
    key: str
    label: str


def read_labels(path: Path = LABELS) -> list[Label]:
    with path.open(encoding="utf-8") as stream:
        rows = [r for r in csv.reader(stream, delimiter="\t") if r and not r[0].startswith("#")]
    header, *body = rows
    assert header == ["document", "block", "sentence", "key", "label"], header
    return [Label(d, b, int(i), k, lab) for d, b, i, k, lab in body]


def locate(root: etree._Element, labels: list[Label]) -> dict[Label, str | None]:
    """Each label's sentence in this tree: at its block and index, else anywhere by its key."""
    found = finding_sentences(root)
    by_place = {(b, i): s for b, i, s in found}
    by_key = {sentence_key(s): s for _, _, s in found}
    out: dict[Label, str | None] = {}
    for label in labels:
        at = by_place.get((label.block, label.index))
        if at is not None and sentence_key(at) == label.key:
            out[label] = at
        else:
            out[label] = by_key.get(label.key)
    return out


def corpus_text(corpus: Path, document: str) -> Path:
    """The corpus text of a document named without its extensions (one is .layout.txt)."""
    [path] = sorted(corpus.glob(f"{document}.*txt"))
    return path
