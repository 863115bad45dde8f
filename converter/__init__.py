"""converter: accessible formats of a report from one canonical XML tree.

The public API is ``parse``, ``convert``, ``formats`` and ``Options``; everything else
may change.  Each name is imported when it is first used (PEP 562), so that importing a
part of the package (a reader, the batch worker, the CLI) costs only what that part needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from converter.version import __version__

if TYPE_CHECKING:
    from converter.api import Output, convert, parse
    from converter.options import Options
    from converter.writers import formats

__all__ = ["Options", "Output", "__version__", "convert", "formats", "parse"]

#: Where each public name lives.
_PUBLIC = {
    "Options": "converter.options",
    "Output": "converter.api",
    "convert": "converter.api",
    "parse": "converter.api",
    "formats": "converter.writers",
}


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'converter' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
