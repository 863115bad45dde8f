"""MP3: encoding PCM with LAME, and reading an MP3's frames to know its exact duration.

Speech is encoded mono at a constant 32 kbit/s: about 14 MB an hour, clear for a voice, and
what DAISY players and phones all play.  Durations are counted from the frames themselves
(every MPEG audio frame holds a fixed number of samples), never estimated from the size.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import subprocess
import threading
from dataclasses import dataclass
from typing import IO

from converter.errors import DependencyError, OutputError

BITRATE_KBPS = 32
ENCODE_TIMEOUT = 600  # seconds for LAME to finish once it has all the speech

# Bit rates (kbit/s) by version and index: MPEG-1 Layer III, MPEG-2/2.5 Layer III.
_BITRATES = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


@functools.cache
def lame_command() -> str:
    found = shutil.which("lame")
    if found is None:
        raise DependencyError(
            "MP3 needs LAME, which is not installed: install the Debian package lame "
            "(apt-get install lame)"
        )
    return found


def encode(pcm: bytes, sample_rate: int) -> bytes:
    """16-bit mono PCM to a constant-bit-rate MP3 (no tags: the writers add their own)."""
    with Encoder(sample_rate) as encoder:
        encoder.write(pcm)
        return encoder.finish()


class Encoder:
    """LAME fed as the speech is made: a part of many hours is never held as PCM (about
    160 MB an hour), only as MP3 (about 14 MB an hour).  Its output is read by a thread
    while it is fed, so neither side waits on a full pipe; the bytes are those of one
    ``lame`` run over the whole PCM."""

    def __init__(self, sample_rate: int) -> None:
        self.samples = 0  # written so far: the clock of the part
        self._process = subprocess.Popen(
            _command(sample_rate),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._output = bytearray()
        self._errors = bytearray()
        self._readers = [
            threading.Thread(target=_drain, args=(self._process.stdout, self._output), daemon=True),
            threading.Thread(target=_drain, args=(self._process.stderr, self._errors), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def __enter__(self) -> Encoder:
        return self

    def __exit__(self, *_: object) -> None:
        if self._process.poll() is None:  # left early (an engine failed): stop LAME
            self._process.kill()
            self._process.wait()
        for reader in self._readers:
            reader.join()
        for stream in (self._process.stdin, self._process.stdout, self._process.stderr):
            if stream is not None and not stream.closed:
                stream.close()

    def write(self, pcm: bytes) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(pcm)
        except (BrokenPipeError, OSError):  # LAME stopped: say what it said
            self._process.wait()
            for reader in self._readers:
                reader.join()
            raise OutputError(f"LAME failed: {self._message()}") from None
        self.samples += len(pcm) // 2

    def finish(self) -> bytes:
        """The MP3, once LAME has encoded everything written."""
        stdin = self._process.stdin
        assert stdin is not None
        with contextlib.suppress(BrokenPipeError, OSError):
            stdin.close()  # if LAME stopped early, its exit status and message say why
        try:
            self._process.wait(timeout=ENCODE_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            raise OutputError(f"LAME took over {ENCODE_TIMEOUT} s to finish encoding") from None
        for reader in self._readers:
            reader.join()
        if self._process.returncode != 0 or not self._output:
            raise OutputError(f"LAME failed: {self._message()}")
        return bytes(self._output)

    def _message(self) -> str:
        lines = self._errors.decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {self._process.returncode}"


def _drain(stream: IO[bytes] | None, into: bytearray) -> None:
    if stream is None:
        return
    for chunk in iter(lambda: stream.read(65536), b""):
        into += chunk


def _command(sample_rate: int) -> list[str]:
    return [
        lame_command(),
        "--quiet",
        "-r",
        "-s",
        f"{sample_rate / 1000:g}",
        "--bitwidth",
        "16",
        "--signed",
        "--little-endian",
        "-m",
        "m",
        "--cbr",
        "-b",
        str(BITRATE_KBPS),
        "--noreplaygain",
        "-",
        "-",
    ]


@dataclass(frozen=True)
class Mp3Info:
    frames: int
    sample_rate: int
    duration: float  # seconds: frames x samples per frame / rate


def info(data: bytes) -> Mp3Info:
    """Count the MPEG audio frames of an MP3 (after any ID3v2 tag); ValueError if there are
    none or the stream breaks off before its last frame ends."""
    position = _id3v2_size(data)
    frames = 0
    samples = 0
    rate = 0
    end = len(data)
    if end >= 128 and data[end - 128 : end - 125] == b"TAG":
        end -= 128  # an ID3v1 tag at the end
    while position + 4 <= end:
        header = int.from_bytes(data[position : position + 4], "big")
        frame = _frame(header)
        if frame is None:
            if frames:
                break  # trailing data after the last frame
            position += 1  # junk before the first frame
            continue
        length, frame_samples, frame_rate = frame
        if position + length > end:
            raise ValueError(f"the stream ends inside frame {frames + 1}")
        frames += 1
        samples += frame_samples
        rate = frame_rate
        position += length
    if not frames:
        raise ValueError("no MPEG audio frames")
    return Mp3Info(frames, rate, samples / rate)


def duration(data: bytes) -> float:
    return info(data).duration


def _frame(header: int) -> tuple[int, int, int] | None:
    """(length in bytes, samples, sample rate) of a Layer III frame header, or None."""
    if header >> 21 != 0x7FF:
        return None
    version = (header >> 19) & 3  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    layer = (header >> 17) & 3  # 1: Layer III
    bitrate_index = (header >> 12) & 15
    rate_index = (header >> 10) & 3
    padding = (header >> 9) & 1
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    rate = _RATES[version][rate_index]
    bitrate = _BITRATES[1 if version == 3 else 2][bitrate_index] * 1000
    samples = 1152 if version == 3 else 576
    length = samples // 8 * bitrate // rate + padding
    return length, samples, rate


def _id3v2_size(data: bytes) -> int:
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | (byte & 0x7F)
    footer = 10 if data[5] & 0x10 else 0
    return 10 + size + footer
