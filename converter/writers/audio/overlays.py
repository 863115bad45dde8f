"""EPUB 3 Media Overlays: one SMIL 3.0 document per content document, each of its spoken
elements a `par` of its text and its clip (EPUB Media Overlays 3.3)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ebooklib import epub as ebook
from lxml import etree

from converter import tree as canonical
from converter.errors import OutputError
from converter.options import Options
from converter.writers.audio import narration as narration_module
from converter.writers.audio import script as script_module
from converter.writers.audio.narration import NarratedPart, clock
from converter.writers.audio.script import ScriptPart

Element = etree._Element

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


# -- the talking book: an EPUB's narration and its overlays --------------------------------------------------------


@dataclass
class TalkingBook:
    """The narration of an `epub --audio` book: per content document, its audio and SMIL."""

    script: script_module.Script
    narration: narration_module.Narration
    complete: bool  # every word and image of the report is spoken (accessModeSufficient auditory)

    @classmethod
    def of(cls, root: Element, html: Element, options: Options) -> TalkingBook:
        narration_module.require_words(root)
        script = script_module.script_of(html)  # gives ids to cells first: before the split
        voice = narration_module.voice_of(options, canonical.language(root))
        narration = narration_module.narrate(script, voice)
        # Listening alone suffices when every word is said and every image that carries
        # meaning has a description to say ("image without a description" needs sight).
        every_image_described = all(
            (figure.findtext("description") or "").strip()
            for figure in root.iter("figure")
            if figure.get("decorative") != "true"
        )
        complete = (
            every_image_described
            and Counter(script_module.script_words(script)) == script_module.book_words(root)
            and not script_module.spoken_findings(script)
        )
        return cls(script, narration, complete)

    def _part(
        self, file_name: str
    ) -> tuple[script_module.ScriptPart, narration_module.NarratedPart]:
        stem = file_name.removesuffix(".xhtml")
        for part, narrated in zip(self.script.parts, self.narration.parts, strict=True):
            if part.stem == stem:
                return part, narrated
        raise OutputError(f"no narration for {file_name}")  # parts.split made both: a bug

    def add_overlay(self, book: ebook.EpubBook, item: ebook.EpubItem, file_name: str) -> None:
        part, narrated = self._part(file_name)
        if not part.utterances:
            return  # nothing in this document is said: no overlay, no audio
        stem = part.stem
        audio = ebook.EpubItem(
            uid=f"audio-{stem}",
            file_name=f"audio/{stem}.mp3",
            media_type="audio/mpeg",
            content=narrated.mp3,
        )
        overlay = ebook.EpubItem(
            uid=f"overlay-{stem}",
            file_name=f"overlays/{stem}.smil",
            media_type="application/smil+xml",
            content=smil(part, narrated, f"../{file_name}", f"../audio/{stem}.mp3"),
        )
        book.add_item(audio)
        book.add_item(overlay)
        item.media_overlay = overlay.id
        book.add_metadata(
            None,
            "meta",
            narration_module.clock(narrated.duration),
            {"property": "media:duration", "refines": f"#{overlay.id}"},
        )

    def describe(self, book: ebook.EpubBook, root: Element, options: Options) -> None:
        def meta(prop: str, value: str) -> None:
            book.add_metadata(None, "meta", value, {"property": prop})

        said = zip(self.script.parts, self.narration.parts, strict=True)
        meta(
            "media:duration",
            narration_module.clock(sum(n.duration for p, n in said if p.utterances)),
        )
        meta("media:active-class", ACTIVE_CLASS)
        meta("media:narrator", self.narration.narrator)
        meta("schema:accessMode", "auditory")
        if self.complete:  # the audio alone carries every word (tables cell by cell)
            meta("schema:accessModeSufficient", "auditory")
        meta("schema:accessibilityFeature", "synchronizedAudioText")

    def active_css(self) -> bytes:
        """The stylesheet's rule for the element being read."""
        return ACTIVE_CSS.encode()
