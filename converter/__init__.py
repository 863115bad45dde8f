"""converter: accessible formats of a report from one canonical XML tree.

The public API is ``parse``, ``convert``, ``formats`` and ``Options``; everything else
may change.
"""

from __future__ import annotations

from converter.api import Output, convert, parse
from converter.options import Options
from converter.version import __version__
from converter.writers import formats

__all__ = ["Options", "Output", "__version__", "convert", "formats", "parse"]
