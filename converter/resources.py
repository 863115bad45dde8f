"""The one resource loader: packaged styles, fonts and data, never any other file."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


def styles() -> Traversable:
    """The styles folder (repository `styles/`, installed as the package converter.styles)."""
    return resources.files("converter.styles")


def read_text(name: str) -> str:
    return styles().joinpath(name).read_text(encoding="utf-8")


def read_bytes(name: str) -> bytes:
    return styles().joinpath(name).read_bytes()


def font_files() -> list[Path]:
    """The packaged Atkinson Hyperlegible font files (regular, bold, italic, bold italic)."""
    package = resources.files("fontpkg_atkinson_hyperlegible")
    found: list[Path] = []
    for entry in _walk(package):
        if entry.name.lower().endswith((".ttf", ".otf")):
            found.append(Path(str(entry)))
    return sorted(found)


def _walk(folder: Traversable) -> list[Traversable]:
    entries: list[Traversable] = []
    for entry in folder.iterdir():
        if entry.is_dir():
            entries.extend(_walk(entry))
        else:
            entries.append(entry)
    return entries


def symbols() -> Traversable:
    """The packaged Easy Read pictures (converter/symbols: their list, files and licence)."""
    return resources.files("converter.symbols")
