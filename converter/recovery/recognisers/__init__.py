"""Recognisers: publisher-specific knowledge that refines the general recovery, in one registry.

A recogniser is a function ``(Document) -> Facts | None``: it says what the document is
(title, kind, dates, people, judgements) and may refine its blocks, or returns None when
the document is not one of its publisher's.  Readers pass :data:`RECOGNISERS` to
:func:`converter.recovery.recover`; the general layer imports none of them.
"""

from __future__ import annotations

from converter.recovery.model import Recogniser
from converter.recovery.recognisers import ofsted

#: Tried in this order; the first that knows a document wins.
RECOGNISERS: tuple[Recogniser, ...] = (ofsted.recognise,)
