"""EPUB 3 Media Overlays: one SMIL 3.0 document per content document, each of its spoken
elements a `par` of its text and its clip (EPUB Media Overlays 3.3)."""

from __future__ import annotations

from lxml import etree

from converter.writers.audio.narration import NarratedPart, clock
from converter.writers.audio.script import ScriptPart

SMIL_NS = "http://www.w3.org/ns/SMIL"
OPS_NS = "http://www.idpf.org/2007/ops"
ACTIVE_CLASS = "-epub-media-overlay-active"
#: What the reading system shows while an element is read: the reader's own colours
#: inverted, so it holds in every colour scheme.
ACTIVE_CSS = f".{ACTIVE_CLASS} {{ outline: 0.15em solid currentColor; outline-offset: 0.1em; }}\n"


def smil(part: ScriptPart, narrated: NarratedPart, document: str, audio: str) -> bytes:
    """The overlay of one content document; ``document`` and ``audio`` are hrefs relative
    to the SMIL file."""
    root = etree.Element(
        f"{{{SMIL_NS}}}smil",
        nsmap={None: SMIL_NS, "epub": OPS_NS},  # type: ignore[dict-item]
        version="3.0",
    )
    body = etree.SubElement(root, f"{{{SMIL_NS}}}body")
    seq = etree.SubElement(body, f"{{{SMIL_NS}}}seq", id=f"seq-{part.stem}")
    seq.set(f"{{{OPS_NS}}}textref", document)
    seq.set(f"{{{OPS_NS}}}type", part.kind)
    for index, (utterance, (begin, end)) in enumerate(
        zip(part.utterances, narrated.clips, strict=True), start=1
    ):
        par = etree.SubElement(seq, f"{{{SMIL_NS}}}par", id=f"par-{index:04d}")
        if utterance.kind == "page":  # a page of the page-list, as Ace asks
            par.set(f"{{{OPS_NS}}}type", "pagebreak")
        etree.SubElement(par, f"{{{SMIL_NS}}}text", src=f"{document}#{utterance.id}")
        etree.SubElement(
            par, f"{{{SMIL_NS}}}audio", src=audio, clipBegin=clock(begin), clipEnd=clock(end)
        )
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
