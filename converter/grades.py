"""Inspection grades: the words UK inspectorates grade with, and the schema values they map to.

The canonical XML's ``grade-value`` (outstanding, good, requires-improvement, inadequate,
adequate, not-graded) is the shared vocabulary of the four-point scales Ofsted and CQC
have used since 2005 (with "adequate" and "satisfactory" on the older one).  Recovery
uses it to read grades, the structure review to tell a grade line from a heading.
"""

from __future__ import annotations

import re

#: Grade phrases as printed, longest first; "Grade 3 (Adequate)" and ": requires
#: improvement to be good" are written around these.
GRADE_WORDS = (
    r"requires?\s+improvement(?:\s+to\s+be\s+good)?|outstanding|good|inadequate|adequate|"
    r"satisfactory|not\s+graded"
)
_NUMBERED = re.compile(
    rf"^\s*(?:grade\s+[1-4]\s*[:(\-\u2013]?\s*({GRADE_WORDS})\s*\)?|({GRADE_WORDS})\s*\(\s*grade\s+[1-4]\s*\))\s*\.?\s*$",
    re.IGNORECASE,
)
_ONLY = re.compile(
    rf"^\s*(?:judgement\s*:\s*|grade\s*:\s*)?({GRADE_WORDS})\s*\.?\s*$", re.IGNORECASE
)
_SCALE_NUMBERS = {"1": "outstanding", "2": "good", "3": "adequate", "4": "inadequate"}


def grade_value(written: str) -> str:
    """A grade as written ('Requires Improvement to be good', 'Satisfactory') to its value."""
    lowered = " ".join(written.casefold().split())
    if lowered.startswith(("requires improvement", "require improvement")):
        return "requires-improvement"
    if lowered == "not graded":
        return "not-graded"
    if lowered == "satisfactory":
        return "adequate"  # the older scale's third grade, before "requires improvement"
    return lowered


def grade_line(text: str) -> str | None:
    """The grade a line consists of ("Good", "Grade 3 (Adequate)", "Inadequate (Grade 4)"),
    as written, or None when the line is anything more than a grade."""
    match = _ONLY.match(text) or _NUMBERED.match(text)
    if not match:
        return None
    return next(group for group in match.groups() if group)


def mentions_grade(text: str) -> bool:
    """Whether a text names a grade anywhere (the review's cue for an ungraded 'generic' kind)."""
    return re.search(rf"\b(?:{GRADE_WORDS})\b", text, re.IGNORECASE) is not None
