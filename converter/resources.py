"""The one resource loader: packaged styles, fonts and data, never any other file.

Every resource lives in a folder of an installed package: the wheel's own files, or the
folders an editable install maps (the repository's `styles/` is the package converter.styles).
The folder is found from the package's import spec, which needs no importlib.resources
(importing that costs a cold start more than the lookups it would do).
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path


@functools.cache
def folder(package: str) -> Path:
    """The folder that holds an installed package's files."""
    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise ModuleNotFoundError(f"the package {package} is not installed", name=package)
    return Path(locations[0])


def styles() -> Path:
    """The styles folder (repository `styles/`, installed as the package converter.styles)."""
    return folder("converter.styles")


def read_text(name: str) -> str:
    return styles().joinpath(name).read_text(encoding="utf-8")


def read_bytes(name: str) -> bytes:
    return styles().joinpath(name).read_bytes()


def font_files() -> list[Path]:
    """The packaged Atkinson Hyperlegible font files (regular, bold, italic, bold italic)."""
    package = folder("fontpkg_atkinson_hyperlegible")
    return sorted(p for p in package.rglob("*") if p.suffix.lower() in (".ttf", ".otf"))


def symbols() -> Path:
    """The packaged Easy Read pictures (converter/symbols: their list, files and licence)."""
    return folder("converter.symbols")
