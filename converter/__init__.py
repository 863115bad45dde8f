"""converter: accessible formats of a report from one canonical XML tree.

The public API is ``parse``, ``convert``, ``formats`` and ``Options``; everything else
may change.
"""

from __future__ import annotations

from converter.api import Output, convert, parse
from converter.options import Options
from converter.writers import formats

__version__ = "0.1.0"
__all__ = ["Options", "Output", "__version__", "convert", "formats", "parse"]
