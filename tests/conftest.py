"""Shared fixtures: the sample, the corpus (skipped only when ../shared/corpus is absent),
golden-file acceptance, and a per-session cache of rendered outputs."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from converter import Options, api

# Property tests explore the same examples on every run: a CI failure can be reproduced,
# and a run never turns red because a new random example was drawn that day.
settings.register_profile("converter", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("converter")

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
CORPUS = REPO.parent / "shared" / "corpus"
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS_ABSENT = "../shared/corpus is absent (the corpus is not part of the project)"


def corpus_texts() -> list[Path]:
    """The corpus's text files (pdftotext output), sorted; empty when the folder is absent."""
    return sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []


def corpus_pdfs() -> list[Path]:
    return sorted(CORPUS.glob("*.pdf")) if CORPUS.is_dir() else []


def corpus_params(paths: list[Path]) -> list[object]:
    """pytest parameters for corpus files; one skipped parameter when the corpus is absent."""
    if not paths:
        return [pytest.param(None, id="no-corpus", marks=pytest.mark.skip(reason=CORPUS_ABSENT))]
    return [pytest.param(path, id=path.name.split(".")[0]) for path in paths]


def sample_and_corpus_params() -> list[object]:
    """The sample plus every corpus text (or one skipped parameter for the absent corpus)."""
    return [pytest.param(SAMPLE, id="sample"), *corpus_params(corpus_texts())]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--accept", action="store_true", help="Rewrite golden files from the current output."
    )


@pytest.fixture(scope="session")
def accept(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--accept"))


@pytest.fixture(scope="session")
def render_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder shared by every xdist worker of this run (the parent of each worker's base)."""
    base = tmp_path_factory.getbasetemp()
    # Without xdist the base's parent outlives the run: a cache there would serve outputs
    # rendered by older code, so a plain run caches inside its own base.
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "render-cache"
    root.mkdir(exist_ok=True)
    return root


def rendered(cache: Path, source: Path, fmt: str, options: Options | None = None) -> Path:
    """Render a source to a format once per test session, whichever worker asks first."""
    options = options or Options()
    key = hashlib.sha256(f"{source}\0{fmt}\0{options.fingerprint()}".encode()).hexdigest()[:20]
    folder = cache / key
    lock_path = cache / f"{key}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            done = folder / ".done"
            if not done.exists():
                folder.mkdir(exist_ok=True)
                api.convert(source, [fmt], options, folder)
                done.write_text("ok")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    [path] = [
        p for p in folder.iterdir() if p.name != ".done" and not p.name.endswith(".trace.json")
    ]
    return path


#: The talking formats, made together so that one narration serves all three.
TALKING = ("epub", "daisy", "mp3")


def rendered_talking(cache: Path, source: Path, options: Options | None = None) -> dict[str, Path]:
    """The talking EPUB (--audio), DAISY book and MP3 zip of a source, made in one
    conversion (one narration) once per test session, whichever worker asks first."""
    options = (options or Options()).replace(audio=True)
    key = hashlib.sha256(f"{source}\0talking\0{options.fingerprint()}".encode()).hexdigest()[:20]
    folder = cache / key
    with open(cache / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (folder / ".done").exists():
                folder.mkdir(exist_ok=True)
                api.convert(source, list(TALKING), options, folder)
                (folder / ".done").write_text("ok")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    found = {p.name: p for p in folder.iterdir()}
    return {
        "epub": next(p for n, p in found.items() if n.endswith(".audio.epub")),
        "daisy": next(p for n, p in found.items() if n.endswith(".daisy.zip")),
        "mp3": next(p for n, p in found.items() if n.endswith(".mp3.zip")),
    }


@pytest.fixture(scope="session")
def render_talking(render_cache: Path) -> Iterator[object]:
    """render_talking(source, options=None) -> {"epub", "daisy", "mp3": Path}, cached."""

    def _render(source: Path, options: Options | None = None) -> dict[str, Path]:
        return rendered_talking(render_cache, source, options)

    yield _render


@pytest.fixture(scope="session")
def render(render_cache: Path) -> Iterator[object]:
    """render(source, fmt, options=None) -> Path of the output, cached for the session."""

    def _render(source: Path, fmt: str, options: Options | None = None) -> Path:
        return rendered(render_cache, source, fmt, options)

    yield _render
