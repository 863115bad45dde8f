"""Speech engines behind one small interface: espeak-ng (Debian, British English ``en-gb``,
offline) by default, Piper when the user gives a voice model of their own (never downloaded).

An engine turns one utterance into 16-bit mono PCM at its own sample rate.  Engines are made
in whichever process narrates (``engine_for(voice)``): a ``Voice`` is plain data that
pickles to a pool or Dask worker, an engine is not.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from converter.errors import DependencyError, OutputError, UsageError

ESPEAK_VOICE = "en-gb"
SAMPLE_WIDTH = 2  # bytes: 16-bit signed little-endian PCM, mono
SYNTHESIS_TIMEOUT = 300  # seconds for one utterance: a hung engine must not hang a batch
# espeak-ng's -s is its own idea of words a minute, and numbers, acronyms and table cells are
# said in more words than they are written in.  Measured on the sample and the 17 corpus
# documents (speech alone, our pauses left out, against the words as said at 160 a minute):
# asking espeak-ng for 1.12 x the rate gave 0.875-0.996 of the time the words should take;
# 1.05 x centres that spread on the rate chosen (about 0.93-1.06).
ESPEAK_RATE_FACTOR = 1.05
#: Piper voices are trained at about this many words a minute (length_scale 1).
PIPER_NATURAL_RATE = 160


@dataclass(frozen=True)
class Voice:
    """Which engine speaks, and how fast: plain data, the same in every process."""

    words_per_minute: int
    model: str | None = None  # a Piper voice model (.onnx, with its .onnx.json beside it)
    language: str = "en"

    @property
    def description(self) -> str:
        """The narrator, as the books' metadata names it."""
        if self.model:
            return f"Piper voice {Path(self.model).stem} (synthetic speech)"
        return f"eSpeak NG {espeak_voice(self.language)} (synthetic speech)"


class Engine(Protocol):
    sample_rate: int

    def synthesise(self, text: str) -> bytes:
        """16-bit mono PCM of the text, no leading or trailing pause of the engine's own."""
        ...


def engine_for(voice: Voice) -> Engine:
    """The engine a voice names, made once per process."""
    return _engine(voice)


@functools.cache
def _engine(voice: Voice) -> Engine:
    if voice.model:
        return PiperEngine(Path(voice.model), voice.words_per_minute)
    return EspeakEngine(espeak_voice(voice.language), voice.words_per_minute)


def espeak_voice(language: str) -> str:
    """espeak-ng's voice for a document language: British English for English, else the
    language's own voice (espeak-ng 1.51 has cy, fr, de...)."""
    primary = language.split("-")[0].lower()
    return ESPEAK_VOICE if primary == "en" else primary


def speakable(text: str) -> str:
    """The text with what no voice can say taken out: control and format characters,
    private-use code points (a PDF's Wingdings bullets), unpaired surrogates."""
    kept = []
    for character in text:
        category = unicodedata.category(character)
        if category in ("Cc", "Cf", "Co", "Cs", "Cn"):
            kept.append(" ")
        else:
            kept.append(character)
    return " ".join("".join(kept).split())


class EspeakEngine:
    """eSpeak NG run once per utterance: the text on standard input (so a leading '-' is
    never an option), SSML off (so '<' is read as written), WAV on standard output."""

    sample_rate = 22050  # eSpeak NG's only output rate

    def __init__(self, voice: str, words_per_minute: int) -> None:
        self.command = espeak_command()
        self.voice = voice
        self.speed = max(80, min(450, round(words_per_minute * ESPEAK_RATE_FACTOR)))

    def synthesise(self, text: str) -> bytes:
        text = speakable(text)
        if not text:
            return b""
        arguments = [self.command, "-v", self.voice, "-s", str(self.speed), "-b", "1", "-z"]
        try:
            completed = subprocess.run(
                [*arguments, "--stdout", "--stdin"],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=SYNTHESIS_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise OutputError(f"espeak-ng took over {SYNTHESIS_TIMEOUT} s on one passage") from None
        if completed.returncode != 0:
            message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
            raise OutputError(
                f"espeak-ng failed: {message[-1] if message else completed.returncode}"
            )
        return wav_samples(completed.stdout, self.sample_rate)


@functools.cache
def espeak_command() -> str:
    found = shutil.which("espeak-ng")
    if found is None:
        raise DependencyError(
            "speech needs espeak-ng, which is not installed: install the Debian package "
            "espeak-ng (apt-get install espeak-ng)"
        )
    return found


def wav_samples(data: bytes, expected_rate: int) -> bytes:
    """The PCM of a 16-bit mono WAV stream.  A WAV written to a pipe cannot go back to fill
    in its sizes, so the data chunk is taken to run to the end of the stream."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise OutputError("the speech engine did not write a WAV stream")
    position = 12
    while position + 8 <= len(data):
        chunk, size = (
            data[position : position + 4],
            int.from_bytes(data[position + 4 : position + 8], "little"),
        )
        body = position + 8
        if chunk == b"fmt ":
            channels = int.from_bytes(data[body + 2 : body + 4], "little")
            rate = int.from_bytes(data[body + 4 : body + 8], "little")
            bits = int.from_bytes(data[body + 14 : body + 16], "little")
            if (channels, rate, bits) != (1, expected_rate, 16):
                raise OutputError(
                    f"unexpected speech format: {channels} channels, {rate} Hz, {bits} bits"
                )
        elif chunk == b"data":
            samples = data[body:]
            return samples[: len(samples) - len(samples) % SAMPLE_WIDTH]
        position = body + size + (size & 1)
    raise OutputError("the speech engine's WAV stream has no data")


class PiperEngine:
    """A Piper voice model the user has (``--voice PATH``), run in this process with the
    piper-tts package (``pip install 'converter[piper]'``)."""

    def __init__(self, model: Path, words_per_minute: int) -> None:
        self.voice = load_piper_voice(model)
        self.sample_rate = int(self.voice.config.sample_rate)
        # length_scale stretches time: 2 speaks at half the natural rate.
        self.length_scale = PIPER_NATURAL_RATE / words_per_minute

    def synthesise(self, text: str) -> bytes:
        text = speakable(text)
        if not text:
            return b""
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=self.length_scale, normalize_audio=False)
        try:
            chunks = list(self.voice.synthesize(text, syn_config=config))
        except Exception as error:
            raise OutputError(f"the Piper voice failed: {type(error).__name__}: {error}") from None
        return b"".join(chunk.audio_int16_bytes for chunk in chunks)


def load_piper_voice(model: Path) -> Any:
    """A Piper voice from the user's model file and its JSON config (``MODEL.json``)."""
    if not model.is_file():
        raise UsageError(f"--voice {model}: no such voice model file")
    config = Path(f"{model}.json")
    if not config.is_file():
        raise UsageError(f"--voice {model}: its configuration {config.name} is not beside it")
    try:
        from piper import PiperVoice
    except ImportError:
        raise DependencyError(
            "a Piper voice needs the piper-tts package: pip install 'converter[piper]'"
        ) from None
    try:
        return PiperVoice.load(model, config_path=config)
    except Exception as error:
        raise UsageError(
            f"--voice {model}: not a Piper voice model ({type(error).__name__}: {error})"
        ) from None
