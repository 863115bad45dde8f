"""Golden hashes: every format of the sample and of every corpus text, byte for byte.

A refactoring must not change a single output byte; a change of what we write shows here
format by format, and a person reviews the outputs and accepts the new hashes with
``pytest tests/test_output_hashes.py --accept``.  Bytes depend on the libraries that write
them (WeasyPrint, python-docx, liblouis...), so their versions are recorded beside the
hashes: another version is reported as such, to be reviewed and accepted the same way.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import GOLDEN, SAMPLE, sample_and_corpus_params

from converter import Options, api, writers

HASHES = GOLDEN / "hashes"
# The libraries whose versions decide the bytes of some output.
LIBRARIES = (
    "weasyprint",
    "pydyf",
    "fonttools",
    "pikepdf",
    "python-docx",
    "EbookLib",
    "lxml",
    "markdown-it-py",
    "textstat",
    "fontpkg-atkinson-hyperlegible",
    "mutagen",
)
# The programs whose versions decide the bytes of the talking copies.
PROGRAMS = {"espeak-ng": ["espeak-ng", "--version"], "lame": ["lame", "--version"]}
# The sample with options that reach other code: the summary and the Easy Read edition through
# every writer (with their traces), and a larger profile, another colour scheme and
# uncontracted braille.
VARIANTS = {
    "sample-summary": Options(summary=True, trace=True),
    "sample-large-24-cream-grade-1": Options(
        profile="large-24", colours="black-on-cream", braille_grade=1
    ),
    # The Easy Read edition through every writer that renders it (with its trace).
    "sample-easy-read": Options(easy_read=True, trace=True),
}


def library_versions() -> dict[str, str]:
    import louis

    versions = {name: importlib.metadata.version(name) for name in LIBRARIES}
    versions["liblouis"] = str(louis.version())
    for name, command in PROGRAMS.items():
        found = subprocess.run(command, capture_output=True, text=True, check=False).stdout
        first = found.strip().splitlines()[0] if found.strip() else "missing"
        versions[name] = first.split("  Data at:")[0]  # espeak-ng names its data folder too
    return versions


def output_hashes(paths: list[Path]) -> dict[str, str]:
    """sha256 of each output (and companion file) by the part of its name after the stem."""
    return {
        path.name.split(".", 1)[1]: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(paths)
    }


def compare(name: str, found: dict[str, str], accept: bool) -> None:
    path = HASHES / f"{name}.json"
    versions_path = HASHES / "versions.json"
    if accept:
        HASHES.mkdir(parents=True, exist_ok=True)
        _write(path, found)
        _write(versions_path, library_versions())
        return
    assert path.is_file(), f"no golden hashes for {name}: run with --accept and review"
    expected = json.loads(path.read_text(encoding="utf-8"))
    changed = sorted(
        part for part in expected.keys() | found.keys() if expected.get(part) != found.get(part)
    )
    if changed:
        recorded = json.loads(versions_path.read_text(encoding="utf-8"))
        now = library_versions()
        moved = [f"{k} {recorded.get(k)} -> {v}" for k, v in now.items() if recorded.get(k) != v]
        because = (
            f"; libraries changed since they were accepted: {', '.join(moved)}" if moved else ""
        )
        pytest.fail(
            f"{name}: these outputs changed: {', '.join(changed)}{because}. Review them, then "
            "accept with: pytest tests/test_output_hashes.py --accept"
        )


def _write(path: Path, values: dict[str, str]) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    temporary.write_text(json.dumps(values, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)


@pytest.mark.parametrize("source", sample_and_corpus_params())
def test_every_format_is_unchanged(source: Path, render, accept: bool) -> None:
    name = "sample" if source == SAMPLE else source.name.split(".")[0]
    # The talking formats are hashed for the sample in tests/test_audio.py (one narration).
    everyday = writers.parse_format_list("all")
    compare(name, output_hashes([render(source, fmt) for fmt in everyday]), accept)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_sample_variants_are_unchanged(variant: str, tmp_path: Path, accept: bool) -> None:
    options = VARIANTS[variant]
    api.convert(
        SAMPLE, writers.parse_format_list("all", easy_read=options.easy_read), options, tmp_path
    )
    compare(variant, output_hashes(list(tmp_path.iterdir())), accept)
