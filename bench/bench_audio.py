"""Talking copies: narration time against real time, and the size of each output.

Narration of the sample (every part spoken by espeak-ng en-gb, encoded by LAME), in
threads on the machine's cores (what `convert` does) and one part at a time, reported as
times faster than real time (audio seconds per wall-clock second).  Beside it, the floor:
raw espeak-ng reading the whole text in one process into one WAV, then LAME on that WAV
(no structure, no clips, no parts).  Then the size of each output of the sample (and, with
--corpus, of every corpus text): the plain EPUB, the talking EPUB, the DAISY book, the MP3s.
With --long, a 500-page document (about 400 words a page, made up) as a DAISY book at the
default rate: time, peak memory, size, and our DAISY checker's verdict.

    .venv/bin/python bench/bench_audio.py [--corpus] [--long] [--repeat N]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from support.synthetic import long_report_xml  # noqa: E402

from converter import Options, api, parse  # noqa: E402
from converter.check import daisy as daisy_check  # noqa: E402
from converter.words import RENDERED_PARTS, tree_words  # noqa: E402
from converter.writers import xhtml  # noqa: E402
from converter.writers.audio import mp3, narration  # noqa: E402
from converter.writers.audio import script as spoken_script  # noqa: E402
from converter.writers.audio.engine import ESPEAK_RATE_FACTOR  # noqa: E402

SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
CORPUS = REPO.parent / "shared" / "corpus"


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def narrate_once(source: Path, runner: narration.PartRunner) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, audio seconds) of one narration of a source."""
    root = parse(source).getroot()
    script = spoken_script.script_of(xhtml.translate_report(root).html)
    voice = narration.voice_of(Options(), "en")
    narration._narrate.cache_clear()  # measure the work, not the cache
    cpu, started = cpu_seconds(), time.perf_counter()
    with narration.parts_run_by(runner):
        narrated = narration.narrate(script, voice)
    return time.perf_counter() - started, cpu_seconds() - cpu, narrated.duration


def raw_floor(source: Path, folder: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, audio seconds): espeak-ng on the whole text at once,
    then LAME on its WAV, as our parts are encoded (mono, 32 kbit/s)."""
    wav, out = folder / "raw.wav", folder / "raw.mp3"
    speed = str(round(Options().speech_rate * ESPEAK_RATE_FACTOR))
    cpu, started = cpu_seconds(), time.perf_counter()
    subprocess.run(
        ["espeak-ng", "-v", "en-gb", "-s", speed, "-f", str(source), "-w", str(wav)], check=True
    )
    subprocess.run(
        ["lame", "--quiet", "-m", "m", "--cbr", "-b", "32", "--noreplaygain", str(wav), str(out)],
        check=True,
    )
    wall = time.perf_counter() - started
    samples = (wav.stat().st_size - 44) / 2
    return wall, cpu_seconds() - cpu, samples / 22050


def sizes(source: Path, folder: Path) -> dict[str, int]:
    for name in ("plain", "talking"):
        (folder / name).mkdir(parents=True)
    plain = api.convert(source, ["epub"], Options(), folder / "plain")
    talking = api.convert(source, ["epub", "daisy", "mp3"], Options(audio=True), folder / "talking")
    found = {"epub": plain[0].size or 0}
    for record in talking:
        found["epub --audio" if record.format == "epub" else record.format] = record.size or 0
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", action="store_true", help="sizes of every corpus text too")
    parser.add_argument("--long", action="store_true", help="a 500-page document too")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; rate {Options().speech_rate} words a minute, espeak-ng en-gb")
    # The machine may be shared: wall times then include waiting for a core, CPU times not.
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        for label, runner in (
            ("parts in threads (convert)", narration.in_threads),
            ("one part at a time", narration.one_at_a_time),
        ):
            runs = [narrate_once(SAMPLE, runner) for _ in range(args.repeat)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            audio = runs[0][2]
            cores = os.cpu_count() or 1
            minutes = audio / 60
            print(
                f"sample narration, {label}: {wall:.2f} s wall, {cpu:.2f} s CPU for "
                f"{minutes:.1f} min of audio: {wall / minutes:.2f} s wall and "
                f"{cpu / minutes:.2f} s CPU per minute of speech; {audio / wall:.0f}x faster "
                f"than real time (wall), {audio / cpu:.0f}x per CPU second, "
                f"{audio / cpu * cores:.0f}x on {cores} idle cores"
            )
        floors = [raw_floor(SAMPLE, folder) for _ in range(args.repeat)]
        wall = statistics.median(f[0] for f in floors)
        cpu = statistics.median(f[1] for f in floors)
        print(
            f"floor, raw espeak-ng + LAME on the whole text in one go: {wall:.2f} s wall, "
            f"{cpu:.2f} s CPU for {floors[0][2] / 60:.1f} min = "
            f"{cpu / (floors[0][2] / 60):.2f} s CPU per minute of speech, "
            f"{floors[0][2] / cpu:.0f}x per CPU second"
        )
        documents = (
            [SAMPLE, *sorted(CORPUS.glob("*.txt"))] if args.corpus and CORPUS.is_dir() else [SAMPLE]
        )
        print("\nsizes (bytes):")
        print(f"{'document':45} {'epub':>10} {'epub --audio':>13} {'daisy':>11} {'mp3':>11}")
        for number, source in enumerate(documents):
            found = sizes(source, folder / str(number))
            print(
                f"{source.stem[:45]:45} {found['epub']:>10,} {found['epub --audio']:>13,} "
                f"{found['daisy']:>11,} {found['mp3']:>11,}"
            )
        if args.long:
            long_document(folder)


def long_document(folder: Path) -> None:
    """A made-up 500-page document as a DAISY book at the default rate, then checked."""
    source = folder / "long-500-pages.xml"
    source.write_bytes(long_report_xml(pages=500, words_per_page=400, sections=20))
    words = sum(tree_words(parse(source).getroot(), parts=RENDERED_PARTS).values())
    out = folder / "long"
    out.mkdir()
    gc.collect()
    cpu, started = cpu_seconds(), time.perf_counter()
    [record] = api.convert(source, ["daisy"], Options(), out)
    wall, used = time.perf_counter() - started, cpu_seconds() - cpu
    if record.path is None:
        print(f"500 pages: no book: {record.error}")
        return
    book = record.path
    with zipfile.ZipFile(book) as archive:
        audio = sum(mp3.duration(archive.read(n)) for n in archive.namelist() if n.endswith(".mp3"))
    results = daisy_check.check(book, Options(), parse(source).getroot())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n500 pages, {words:,} words: {audio / 3600:.1f} h of audio in {wall:.0f} s wall, "
        f"{used:.0f} s CPU ({used / (audio / 60):.2f} s CPU per minute of speech, "
        f"{audio / used:.0f}x per CPU second); DAISY book {book.stat().st_size / 1e6:.0f} MB; "
        f"peak memory of this process {peak:.0f} MB; our checker: "
        + ", ".join(f"{r.name} {r.status}" for r in results)
    )


if __name__ == "__main__":
    main()
