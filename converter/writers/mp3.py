"""The `mp3` writer: the report read aloud, one MP3 per top-level section, zipped with an
M3U playlist, for people who just want to listen.

Each track carries ID3v2.4 tags (title, track n/N, album = the report, artist = its
publisher) and ID3 chapters (CHAP, with a CTOC) at each heading inside it, so players that
show chapters let the listener move by heading.
"""

from __future__ import annotations

import io
import re
import unicodedata

from lxml import etree
from mutagen.id3 import CHAP, COMM, CTOC, ID3, TALB, TCON, TIT2, TLAN, TPE1, TRCK, CTOCFlags

from converter import tree as canonical
from converter.options import Options
from converter.writers import edition, xhtml
from converter.writers.audio import archive
from converter.writers.audio import narration as narrating
from converter.writers.audio import script as spoken_script

PLAYLIST = "playlist.m3u"

Element = etree._Element


def write(root: Element, options: Options) -> bytes:
    canonical.validate(root)
    narrating.require_words(root)
    root = edition.prepare(root)
    translated = xhtml.translate_report(root)
    script = spoken_script.script_of(translated.html)
    narration = narrating.narrate(script, narrating.voice_of(options, translated.language))
    groups = narrating.headed_groups(script, narration)
    publisher = " ".join((root.findtext("meta/publisher") or "").split())
    files: dict[str, bytes] = {}
    playlist = ["#EXTM3U", f"#PLAYLIST:{ascii_text(translated.title)}"]
    for number, group in enumerate(groups, start=1):
        title = group[0][0].title
        name = f"{number:02d}-{slug(title)}.mp3"
        audio, chapters, length = _track(group)
        tags = _tags(
            title,
            number,
            len(groups),
            translated.title,
            publisher,
            narration.narrator,
            chapters,
            length,
        )
        files[name] = _tagged(audio, tags)
        playlist += [f"#EXTINF:{round(length)},{ascii_text(title)}", name]
    files[PLAYLIST] = ("\n".join(playlist) + "\n").encode("ascii")
    return archive.zipped(files, PLAYLIST)


def _track(group: narrating.Group) -> tuple[bytes, list[tuple[str, float]], float]:
    """One track from a group's parts: their MP3s joined frame to frame (same rate, same
    constant bit rate, so the joined stream is one valid stream), the headings inside it
    with their start times, and its length."""
    audio = b""
    chapters: list[tuple[str, float]] = []
    offset = 0.0
    for part, narrated in group:
        audio += narrated.mp3
        for utterance, (begin, _) in zip(part.utterances, narrated.clips, strict=True):
            if utterance.kind == "heading":
                chapters.append((utterance.text, offset + begin))
        offset += narrated.duration
    if not chapters or chapters[0][1] > 0.5:  # a chapter from the start, so all of it is in one
        chapters.insert(0, (group[0][0].title, 0.0))
    chapters[0] = (chapters[0][0], 0.0)
    return audio, chapters, offset


def _tags(
    title: str,
    number: int,
    count: int,
    album: str,
    publisher: str,
    narrator: str,
    chapters: list[tuple[str, float]],
    length: float,
) -> ID3:
    tags = ID3()
    tags.add(TIT2(encoding=3, text=title))
    tags.add(TALB(encoding=3, text=album))
    tags.add(TRCK(encoding=3, text=f"{number}/{count}"))
    if publisher:
        tags.add(TPE1(encoding=3, text=publisher))
    tags.add(TCON(encoding=3, text="Speech"))
    tags.add(TLAN(encoding=3, text="eng"))
    tags.add(COMM(encoding=3, lang="eng", desc="narrator", text=narrator))
    ids = []
    for index, (heading, start) in enumerate(chapters, start=1):
        end = chapters[index][1] if index < len(chapters) else length
        element_id = f"chp{index}"
        ids.append(element_id)
        tags.add(
            CHAP(
                element_id=element_id,
                start_time=round(start * 1000),
                end_time=round(end * 1000),
                sub_frames=[TIT2(encoding=3, text=heading)],
            )
        )
    tags.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=3, text=title)],
        )
    )
    return tags


def _tagged(audio: bytes, tags: ID3) -> bytes:
    buffer = io.BytesIO(audio)
    tags.save(buffer, v2_version=4, padding=lambda info: 0)
    return buffer.getvalue()


def slug(title: str, limit: int = 40) -> str:
    """A file name safe everywhere: ASCII letters, digits and hyphens."""
    words = re.findall(r"[a-z0-9]+", ascii_text(title).lower())
    text = ""
    for word in words:
        if len(text) + len(word) + 1 > limit:
            break
        text = f"{text}-{word}" if text else word
    return text or "section"


def ascii_text(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join(decomposed.encode("ascii", "ignore").decode("ascii").split())
