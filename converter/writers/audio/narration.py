"""Narration: each part of the script spoken and encoded on its own, the parts in parallel.

A part is the unit of work (``PartJob`` in, ``NarratedPart`` out: plain data that pickles),
so the parts of one book can be spread over threads here or the workers of a batch
(``parts_run_by``: a Dask cluster's, when the batch runs on one).  The clip of each
utterance is known to the sample: the part's audio is made by joining the utterances' PCM
with pauses of known length, then encoded once.

The three talking formats (``epub --audio``, ``daisy``, ``mp3``) of one conversion share
one narration: the last one made is kept for the next writer that asks for the same script.
"""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from lxml import etree

from converter.errors import OutputError
from converter.options import Options
from converter.words import RENDERED_PARTS, tree_words, words
from converter.writers.audio import mp3
from converter.writers.audio.engine import SAMPLE_WIDTH, Voice, engine_for
from converter.writers.audio.script import PAUSE_BEFORE_HEADING, Script, ScriptPart

#: The longest talking copy made, in hours at the chosen rate (a 500-page report at 160
#: words a minute is about 21).  Past it, one clean error before anything is spoken: its
#: writers hold the book's MP3s in memory (about 14 MB an hour, several copies of them).
MAX_HOURS = 40
LEAD_IN = 0.3  # seconds of silence before a part's first words
TAIL = 0.7  # after its last
MIN_CLIP = 0.1  # a clip shorter than this (a lone symbol) is padded, so it is never empty


@dataclass(frozen=True)
class PartJob:
    """What to say in one part: plain data for any worker."""

    number: int
    texts: tuple[str, ...]  # sent to the engine, one per utterance
    pauses_before: tuple[float, ...]
    pauses_after: tuple[float, ...]
    voice: Voice


@dataclass(frozen=True)
class NarratedPart:
    number: int
    mp3: bytes
    clips: tuple[tuple[float, float], ...]  # (begin, end) in seconds, one per utterance
    duration: float  # of the MP3, counted from its frames
    synthesis_seconds: float  # wall time spent making it (speech and encoding)
    worker: str  # pid@host that made it


@dataclass(frozen=True)
class Narration:
    parts: tuple[NarratedPart, ...]
    narrator: str  # the voice, as the books' metadata names it

    @property
    def duration(self) -> float:
        return sum(part.duration for part in self.parts)


PartRunner = Callable[[Callable[[PartJob], NarratedPart], Sequence[PartJob]], list[NarratedPart]]


def in_threads(
    function: Callable[[PartJob], NarratedPart], jobs: Sequence[PartJob]
) -> list[NarratedPart]:
    """The default: the parts in threads, one per core.  The engines and LAME are processes
    of their own (and Piper's inference releases the GIL), so threads run them in parallel."""
    if len(jobs) <= 1:
        return [function(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
        return list(pool.map(function, jobs))


def one_at_a_time(
    function: Callable[[PartJob], NarratedPart], jobs: Sequence[PartJob]
) -> list[NarratedPart]:
    """For a worker of a batch whose other workers already use every core."""
    return [function(job) for job in jobs]


_runner: PartRunner = in_threads


@contextlib.contextmanager
def parts_run_by(runner: PartRunner) -> Iterator[None]:
    """Narrate the parts of every book made inside this block with ``runner``."""
    global _runner
    previous, _runner = _runner, runner
    try:
        yield
    finally:
        _runner = previous


def voice_of(options: Options, language: str) -> Voice:
    return Voice(
        options.speech_rate,
        str(options.voice) if options.voice is not None else None,
        language,
    )


def require_words(root: etree._Element) -> None:
    """A report with no words of its own (the writer's "Untitled" aside) makes no talking
    copy: one clean error, not a book that says only "Untitled"."""
    if not tree_words(root, parts=RENDERED_PARTS):
        raise OutputError("the document has no words to speak: no talking copy made")


def narrate(script: Script, voice: Voice) -> Narration:
    """Every part of the script spoken: the same script and voice are narrated once."""
    if not any(words(u.text) for u in script.utterances):
        raise OutputError("the document has no words to speak: no talking copy made")
    hours = estimated_hours(script, voice)
    if hours > MAX_HOURS:
        raise OutputError(
            f"the document would take about {hours:.0f} hours to read aloud at "
            f"{voice.words_per_minute} words a minute; a talking copy is made for up to "
            f"{MAX_HOURS} hours: convert it in parts, or at a faster --rate"
        )
    jobs = tuple(
        PartJob(
            part.number,
            tuple(u.spoken for u in part.utterances),
            tuple(
                PAUSE_BEFORE_HEADING if u.kind == "heading" and i else 0.0
                for i, u in enumerate(part.utterances)
            ),
            tuple(u.pause for u in part.utterances),
            voice,
        )
        for part in script.parts
    )
    return _narrate(jobs)


def estimated_hours(script: Script, voice: Voice) -> float:
    """How long the script takes to say at the voice's rate, by its words (numbers said in
    more words than they are written in make the real book a little longer)."""
    said = sum(len(words(u.spoken)) for u in script.utterances)
    return said / voice.words_per_minute / 60


@functools.lru_cache(maxsize=1)
def _narrate(jobs: tuple[PartJob, ...]) -> Narration:
    if not any(job.texts for job in jobs):
        raise OutputError("the document has no words to speak")
    parts = _runner(narrate_part, list(jobs))
    if [part.number for part in parts] != [job.number for job in jobs]:
        raise OutputError("narration lost a part")  # a runner that drops or reorders work
    return Narration(tuple(parts), jobs[0].voice.description)


def narrate_part(job: PartJob) -> NarratedPart:
    """Speak one part: each utterance, with its pauses, then one MP3.  Runs in any worker."""
    started = time.perf_counter()
    engine = engine_for(job.voice)
    rate = engine.sample_rate
    clips: list[tuple[float, float]] = []
    with mp3.Encoder(rate) as encoder:  # fed as it is spoken: a long part is never all PCM
        encoder.write(_silence(LEAD_IN, rate))
        for text, before, after in zip(job.texts, job.pauses_before, job.pauses_after, strict=True):
            encoder.write(_silence(before, rate))
            begin = encoder.samples
            speech = engine.synthesise(text)
            shortest = round(MIN_CLIP * rate) * SAMPLE_WIDTH
            if len(speech) < shortest:
                speech += bytes(shortest - len(speech))
            encoder.write(speech)
            clips.append((begin / rate, encoder.samples / rate))
            encoder.write(_silence(after, rate))
        encoder.write(_silence(TAIL, rate))
        encoded = encoder.finish()
    length = mp3.duration(encoded)
    return NarratedPart(
        job.number,
        encoded,
        tuple(clips),
        length,
        time.perf_counter() - started,
        f"{os.getpid()}@{socket.gethostname()}",
    )


Group = list[tuple[ScriptPart, NarratedPart]]


def headed_groups(script: Script, narration: Narration) -> list[Group]:
    """The parts grouped by headed section: a part that does not open with a heading (the
    blocks before the first section, a back section without one) joins the group before
    it.  A DAISY SMIL file and an MP3 track are each one group: a player reaches a SMIL file
    only through a heading or page of the NCC, and a track needs a title."""
    groups: list[Group] = []
    for part, narrated in zip(script.parts, narration.parts, strict=True):
        if not part.utterances:
            continue  # nothing said (an empty section): no file, no time
        opens = bool(part.utterances) and part.utterances[0].kind == "heading"
        if opens or not groups:
            groups.append([])
        groups[-1].append((part, narrated))
    return groups


def _silence(seconds: float, rate: int) -> bytes:
    return bytes(round(seconds * rate) * SAMPLE_WIDTH)


def clock(seconds: float) -> str:
    """h:mm:ss.fff, the clock value EPUB media overlays and DAISY metadata use."""
    milliseconds = round(seconds * 1000)
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"
