"""Type sizes of the DOCX styles as multiples of the body size (the print profile's).

The writer sets them from the profile; tools/make_reference_docx.py builds the packaged
reference document with the same factors at the default 18 pt.
"""

from __future__ import annotations

HEADING_FACTORS = {1: 1.4, 2: 1.25, 3: 1.15, 4: 1.0, 5: 1.0, 6: 1.0, 7: 1.0, 8: 1.0, 9: 1.0}
TITLE_FACTOR = 1.6
GIANT = 28.0  # pt: giant print from here on
GIANT_TITLE_FACTOR = 1.25
SUBTITLE_FACTOR = 1.25
