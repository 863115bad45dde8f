"""Checks for the `mp3` output: every track in the playlist and readable MPEG audio, ID3
tags (title, album, track n/N in playlist order), chapters within their track."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

from mutagen.id3 import ID3, ID3NoHeaderError

from converter.check import CheckResult
from converter.options import Options
from converter.writers.audio import mp3

STANDARD = "MP3 talking copy: M3U playlist, MPEG audio, ID3v2 title/album/track and chapters"


def check(path: Path, options: Options) -> list[CheckResult]:
    started = time.perf_counter()
    try:
        with zipfile.ZipFile(path) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
    except (OSError, zipfile.BadZipFile) as error:
        return [CheckResult.of("mp3-tracks", STANDARD, [f"cannot read the zip: {error}"])]
    findings = track_findings(files)
    return [CheckResult.of("mp3-tracks", STANDARD, findings, seconds=time.perf_counter() - started)]


def track_findings(files: dict[str, bytes]) -> list[str]:
    playlists = [name for name in files if name.lower().endswith((".m3u", ".m3u8"))]
    if len(playlists) != 1:
        return [f"{len(playlists)} playlists (expected one .m3u)"]
    lines = files[playlists[0]].decode("utf-8", "replace").splitlines()
    listed = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    findings = []
    if not lines or lines[0].strip() != "#EXTM3U":
        findings.append("the playlist does not start with #EXTM3U")
    tracks = sorted(name for name in files if name.lower().endswith(".mp3"))
    if sorted(listed) != tracks:
        findings.append(f"the playlist lists {listed}, the zip holds {tracks}")
    albums = set()
    for number, name in enumerate(listed, start=1):
        if name not in files:
            findings.append(f"{name}: listed but not in the zip")
            continue
        data = files[name]
        try:
            length = mp3.duration(data)
        except ValueError as error:
            findings.append(f"{name}: not MPEG audio ({error})")
            continue
        try:
            tags = ID3(io.BytesIO(data))
        except ID3NoHeaderError:
            findings.append(f"{name}: no ID3v2 tag")
            continue
        for frame in ("TIT2", "TALB", "TRCK"):
            if not tags.getall(frame):
                findings.append(f"{name}: no {frame}")
        track = str(tags["TRCK"].text[0]) if tags.getall("TRCK") else ""
        if track and track != f"{number}/{len(listed)}":
            findings.append(
                f"{name}: track {track}, but it is {number} of {len(listed)} in the playlist"
            )
        if tags.getall("TALB"):
            albums.add(str(tags["TALB"].text[0]))
        findings += _chapter_findings(name, tags, length)
    if len(albums) > 1:
        findings.append(f"tracks name different albums: {sorted(albums)}")
    return findings


def _chapter_findings(name: str, tags: ID3, length: float) -> list[str]:
    findings = []
    chapters = tags.getall("CHAP")
    if not chapters:
        return [f"{name}: no chapters (ID3 CHAP)"]
    previous_end = 0
    for chapter in sorted(chapters, key=lambda c: c.start_time):
        if chapter.start_time < previous_end or chapter.end_time <= chapter.start_time:
            findings.append(f"{name}: chapter {chapter.element_id} overlaps or is empty")
        if chapter.end_time > length * 1000 + 1:
            findings.append(f"{name}: chapter {chapter.element_id} ends past the track's end")
        previous_end = chapter.end_time
    ids = {c.element_id for c in chapters}
    tocs = tags.getall("CTOC")
    if not tocs or set(tocs[0].child_element_ids) != ids:
        findings.append(f"{name}: the table of contents (CTOC) does not list every chapter")
    return findings
