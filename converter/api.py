"""parse() and convert(): the Python API, a thin face on the conversion pipeline."""

from __future__ import annotations

import os
from collections.abc import Iterable

from lxml import etree

from converter import pipeline, writers
from converter.options import Options
from converter.pipeline import OutputRecord as Output
from converter.pipeline import Source

__all__ = ["Output", "Source", "convert", "parse"]


def parse(
    source: Source, *, format: str | None = None, options: Options | None = None
) -> etree._ElementTree:
    """Read a source into its canonical XML tree (a plain lxml ElementTree)."""
    return etree.ElementTree(pipeline.read(source, format=format, options=options))


def convert(
    source: Source,
    formats: str | Iterable[str],
    options: Options | None = None,
    out: str | os.PathLike[str] | None = None,
    *,
    source_format: str | None = None,
    stem: str | None = None,
) -> list[Output]:
    """Convert one source to each format, returning one record per output.

    ``out`` None returns the bytes (``Output.data``); a folder receives ``<stem>.<ext>``
    files; a file path (one format only) receives that output, given the format's
    extension when it has none.  Files are written whole or not at all.  Every output
    that can be made is made; then the first failure, if any, is raised.
    """
    options = options or Options()
    names = (
        writers.parse_format_list(formats, easy_read=options.easy_read)
        if isinstance(formats, str)
        else list(formats)
    )
    for name in names:
        writers.get(name)
    stem = stem or pipeline.stem_of(pipeline.source_name(source))
    targets = pipeline.targets(names, out, stem, options)
    conversion = pipeline.convert(source, targets, options, source_format=source_format)
    if conversion.exceptions:
        raise conversion.exceptions[0]
    outputs: list[Output] = []
    for record in conversion.outputs:
        outputs.append(record)
        outputs.extend(Output(record.format, path, "converted") for path in record.companions)
    return outputs
