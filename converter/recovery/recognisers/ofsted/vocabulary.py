"""Words and patterns of Ofsted's report templates (2005 to today), shared by the steps."""

from __future__ import annotations

import re

from converter.grades import GRADE_WORDS
from converter.recovery.build import slug

DATES_LABEL = re.compile(r"^\s*(?:Inspection|Visit)\s+dates?\s*:?\s*(.*)$", re.IGNORECASE)
PUBLISHED = re.compile(r"^\s*(?:Report\s+)?published\s*:?\s*(.*)$", re.IGNORECASE)
LEAD = re.compile(r"^\s*(?:Lead|Reporting)\s+inspector\s*:?\s*(.+?)\s*$", re.IGNORECASE)
#: "Lorraine Lord, lead inspector", "Charlie Fordham, HMI, Lead inspector", "Alex Thorp
#: HMI, Ofsted lead inspector"; a CQC lead is the other inspectorate's, not the report's.
LEAD_SUFFIX = re.compile(r"^\s*(.+?),?\s+(?:Ofsted\s+)?lead\s+inspector\s*$", re.IGNORECASE)
GRADE_ONLY = re.compile(rf"^\s*({GRADE_WORDS})\s*$", re.IGNORECASE)
#: A heading that carries its grade: "...: inadequate", "... is good", "The graded
#: judgement for adoption performance is that it is outstanding", "Children's services
#: in Norfolk requires improvement to be good".
GRADED_HEADING = re.compile(
    r"^(.*?)(?:\s*:\s*|\s+(?:is|are)\s+(?:that\s+(?:it|they)\s+(?:is\s+|are\s+)?)?|\s+(?=requires?\s+improvement))"
    rf"({GRADE_WORDS})$",
    re.IGNORECASE,
)
SCHOOL_GRADE = re.compile(rf"^This is an? ({GRADE_WORDS}) school$", re.IGNORECASE)
IMPROVE = re.compile(
    r"^(?:What needs to improve|What does the (?:school|provider|setting) need to do to improve|"
    r"Recommendations$|Areas for improvement|Areas for priority action|Priority actions?$)",
    re.IGNORECASE,
)
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
AUTHORITY = re.compile(
    r"^Inspection of (.+?) local authority children['\u2019]s services", re.IGNORECASE
)
VISIT = re.compile(
    r"^(?:Focused|Joint targeted area|Monitoring|Assurance) visit to (.+?)$", re.IGNORECASE
)
SEND = re.compile(r"^Area SEND inspection of (.+)$", re.IGNORECASE)
LAC = re.compile(r"^Inspection of (?:services for )?looked after children", re.IGNORECASE)
REINSPECTION = re.compile(r"^Re-?inspection of services for children", re.IGNORECASE)
SIF = re.compile(
    r"Review of the effectiveness of the Local Safeguarding|Inspection of services for children in need of help",
    re.IGNORECASE,
)
#: A line under a title that names what the report is: the title then names the body.
SUBTITLE = re.compile(
    r"^(?:Re-?inspection of|Inspection of|Review of|Joint (?:targeted )?(?:area )?inspection)",
    re.IGNORECASE,
)
#: Small lines above a title that say what kind of document it is.
KICKERS = frozenset(["school report", "inspection report", "local area partnership report"])
DEAR = re.compile(r"^Dear\s+\S")
CLOSING = re.compile(r"^Yours (?:sincerely|faithfully)", re.IGNORECASE)
#: Headings of the templates that the general layer may read as text (a run of short
#: lines, a label ending in a colon).
KNOWN_HEADINGS = frozenset(
    [
        "inspection team",
        "the inspection team",
        "local area partnership details",
        "school details",
        "information about this inspection",
        "information about this school",
        "record of main findings",
        "inspection outcome",
    ]
)

#: Judgement areas: a stable slug for each phrase a judgement label may contain, the most
#: specific first.
AREAS = (
    ("overall effectiveness at previous", "overall-effectiveness-previous"),
    ("overall effectiveness", "overall-effectiveness"),
    ("impact of leaders", "impact-of-leaders"),
    ("help and protection", "help-and-protection"),
    ("children in care and care leavers", "children-in-care-and-care-leavers"),
    ("looked after and achieving permanence", "children-looked-after"),
    ("children in care", "children-in-care"),
    ("care leavers", "care-leavers"),
    ("adoption", "adoption"),
    ("capacity to improve", "capacity-to-improve"),
    ("quality of provision", "quality-of-provision"),
    ("outcomes for looked after", "outcomes"),
    ("leadership and management", "leadership-and-management"),
    ("leadership, management and governance", "leadership-management-governance"),
    ("teaching, learning and assessment", "teaching-learning-assessment"),
    ("personal development", "personal-development-behaviour-welfare"),
    ("outcomes for", "outcomes"),
    ("early years", "early-years"),
    ("sixth form", "sixth-form"),
    ("safeguarding children board", "lscb"),
    ("children's services in", "overall-effectiveness"),
    ("children\u2019s services in", "overall-effectiveness"),
)


def area_of(label: str) -> str:
    lowered = label.casefold()
    for phrase, area in AREAS:
        if phrase in lowered:
            return area
    return slug(re.sub(r"^\d+(\.\d+)*\.?\s*", "", label), words=8)
