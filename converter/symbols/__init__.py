"""The Easy Read edition's pictures: the packaged Mulberry Symbols, by the idea each shows.

Which picture stands for which idea is reviewed data (``symbols.toml``), never guessed at
run time.  Writers read the files through here: the SVG for PDF, HTML and EPUB, the PNG
made from it for Word (which shows no SVG without a PNG beside it).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass

from converter import resources
from converter.errors import OutputError

#: What every copy that shows the pictures says of them (their licence asks for it).
CREDIT = "Mulberry Symbols by Steve Lee"
LICENCE = "CC BY-SA 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
SOURCE_URL = "https://mulberrysymbols.org"
FOLDER = "mulberry"
#: The PNG copies are this many pixels square (2.5 cm at 240 dpi; Word scales them).
PNG_PIXELS = 240


@dataclass(frozen=True)
class Symbol:
    concept: str  # the idea, as the Easy Read data and the tree name it
    file: str  # the file in the Mulberry set (EN folder)
    alt: str  # what the picture shows, in words: its alt text in every format
    sha256: str  # of the SVG, as shipped (unchanged from the set)

    @property
    def svg_name(self) -> str:
        return f"{FOLDER}/{self.concept}.svg"

    @property
    def png_name(self) -> str:
        return f"{FOLDER}/{self.concept}.png"


@functools.cache
def catalogue() -> dict[str, Symbol]:
    """Every packaged picture by its concept."""
    text = resources.symbols().joinpath("symbols.toml").read_text(encoding="utf-8")
    entries = tomllib.loads(text)["symbol"]
    return {
        entry["concept"]: Symbol(entry["concept"], entry["file"], entry["alt"], entry["sha256"])
        for entry in entries
    }


def get(concept: str) -> Symbol:
    """The picture for an idea; an idea we have no picture for is an error (a tree naming
    one was not made by this program, or by another version of it)."""
    found = catalogue().get(concept)
    if found is None:
        raise OutputError(f"no Easy Read picture called {concept!r} in this version")
    return found


def svg(concept: str) -> bytes:
    return resources.symbols().joinpath(get(concept).svg_name).read_bytes()


def png(concept: str) -> bytes:
    return resources.symbols().joinpath(get(concept).png_name).read_bytes()


def licence_text() -> str:
    """The Mulberry set's own licence notice, shipped beside the pictures."""
    return resources.symbols().joinpath(f"{FOLDER}/LICENSE.txt").read_text(encoding="utf-8")
