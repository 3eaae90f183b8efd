"""The sender's time zone: named in the text ("3pm Eastern", "UK time"), else the offset of
their Date header when it differs from the owner's, else the owner's zone."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

_NAMED = [
    (r"\b(?:est|edt|eastern(?: time)?|new york time)\b", "America/New_York"),
    (r"\b(?:cst|cdt|central time|chicago time)\b", "America/Chicago"),
    (r"\b(?:mst|mdt|mountain time|denver time)\b", "America/Denver"),
    (r"\b(?:pst|pdt|pacific(?: time)?|california time|san francisco time)\b",
     "America/Los_Angeles"),
    (r"\b(?:uk time|london time|british time|bst|gmt)\b", "Europe/London"),
    (r"\b(?:irish time|dublin time)\b", "Europe/Dublin"),
    (r"\b(?:cet|cest|mez|mesz|german time|berlin time|deutscher zeit|unserer zeit)\b",
     "Europe/Berlin"),
    (r"\b(?:india time|indian time)\b", "Asia/Kolkata"),
    (r"\b(?:sgt|singapore time)\b", "Asia/Singapore"),
    (r"\b(?:aest|aedt|sydney time)\b", "Australia/Sydney"),
]
_PATTERNS = [(re.compile(p), ZoneInfo(z)) for p, z in _NAMED]


# "in your morning", "your time", "nach Ihrer Zeit": the hours are the owner's
_YOURS = re.compile(r"\b(?:your (?:morning|afternoon|evening|time|timezone|time zone)|"
                    r"(?:nach |in )?(?:ihrer|deiner|eurer) (?:zeit|zeitzone))\b")


def sender_zone(text: str, sent: datetime | None, owner: ZoneInfo) -> tzinfo:
    """`text` lower-cased. A Date offset equal to the owner's at that moment means the owner's;
    so does a sender who names no zone but writes of "your morning"."""
    for pattern, zone in _PATTERNS:
        if pattern.search(text):
            return zone
    if _YOURS.search(text):
        return owner
    if sent is None or sent.tzinfo is None:
        return owner
    offset = sent.utcoffset()
    if offset is None or offset == sent.astimezone(owner).utcoffset():
        return owner
    if offset == timedelta(0):
        return ZoneInfo("Europe/London")  # GMT senders write from the UK far more often
    return timezone(offset)
