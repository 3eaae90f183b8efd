"""Which of the offered slots the other side picked, from their answer's words."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from agent.scheduling.when import days_in, times_in
from core.models import TimeSlot

_ORDINALS = [
    (re.compile(r"\b(?:erste[nrs]?|first|1\.\s*(?:termin|vorschlag|option)|(?:option|vorschlag|"
                r"nummer|nr\.?|#)\s*1)\b"), 0),
    (re.compile(r"\b(?:zweite[nrs]?|second|2\.\s*(?:termin|vorschlag|option)|(?:option|vorschlag|"
                r"nummer|nr\.?|#)\s*2)\b"), 1),
    (re.compile(r"\b(?:dritte[nrs]?|third|3\.\s*(?:termin|vorschlag|option)|(?:option|vorschlag|"
                r"nummer|nr\.?|#)\s*3)\b"), 2),
    (re.compile(r"\b(?:letzte[nrs]?|last one|the last)\b"), -1),
]
# none of the offered times: "keiner der Termine", "none of those"; "doesn't work" may be
# said of one day only ("Wednesday doesn't work, but the 7th would be fine")
_NONE = re.compile(r"\b(?:keine[rs]? (?:der|davon|dieser)|none of|neither|passen? (?:mir )?leider "
                   r"alle nicht)\b")
_NOT_THIS = re.compile(r"\b(?:passen? (?:mir )?leider nicht|(?:don't|do not|doesn't|won't) work|"
                       r"geht leider nicht|klappt leider nicht)\b")


def picked(text: str, slots: list[TimeSlot], zone: tzinfo, today: date,
           language: str) -> TimeSlot | None:
    """The slot the answer (lower-cased) chooses, or None when it picks none or is unclear."""
    if not slots or _NONE.search(text):
        return None
    by_words = _by_mention(text, slots, zone, today, language)
    if by_words is not None:  # also beside "Wednesday doesn't work, but the 7th …"
        return by_words
    if _NOT_THIS.search(text):
        return None
    hits = {i for pattern, i in _ORDINALS if pattern.search(text)}
    if len(hits) == 1:
        i = hits.pop()
        return slots[i] if -len(slots) <= i < len(slots) else None
    return None


# a deadline for work to be sent ("Könnten Sie uns die PDF bis morgen (Dienstag) 12 Uhr
# schicken?", "Please send the files by Tuesday 12:00"): no pick, and no time asked for
_SEND = re.compile(r"\b(?:schick\w*|zuschick\w*|send\w*|zusend\w*|mailen|maile|liefer\w*|"
                   r"zukommen|übermittel\w*|einreich\w*|hochlad\w*|upload\w*|deliver\w*|"
                   r"submit\w*|return\w*|fertig\w*|ready|finish\w*|erledig\w*)\b")
_BY_WHEN = re.compile(
    r"\b(?:bis|by|until|till|spätestens|no later than)\s+(?:(?:spätestens|zum|zur|am|the|on|"
    r"end of)\s+)?(?:\d|morgen|übermorgen|heute|tomorrow|today|montag|dienstag|mittwoch|"
    r"donnerstag|freitag|samstag|sonntag|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|mon|tue|wed|thu|fri|noon|mittag)")
_SENTENCE_END = re.compile(r"[?!\n]|(?<![\d.])\.(?=\s)")


def without_deadlines(text: str) -> str:
    """The answer with each sentence that sets a deadline for something to be sent blanked
    out ("… die druckfertige PDF bis morgen (Dienstag) 12 Uhr schicken?"); "Dienstag 12 Uhr
    passt" stays."""
    out, start = [], 0
    for end in [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
        sentence = text[start:end]
        blank = bool(_SEND.search(sentence) and _BY_WHEN.search(sentence))
        out.append(" " * len(sentence) if blank else sentence)
        start = end
    return "".join(out)


# "der 17. passt leider nicht, aber der 22. wäre gut": the 17th is turned down
_REJECTED = re.compile(r"\b(?:nicht|not|no good|doesn't|does not|won't|can't|cannot|isn't)\b")
_CLAUSE_END = re.compile(r"[,;!?]|(?<!\d)\.(?=\s|$)|\b(?:aber|but|however|sondern)\b")
MAX_SHIFT = timedelta(hours=3)


def _rejected(text: str, pos: int) -> bool:
    end = _CLAUSE_END.search(text, pos + 1)
    return bool(_REJECTED.search(text[pos:end.start() if end else len(text)]))


def _by_mention(text: str, slots: list[TimeSlot], zone: tzinfo, today: date,
                language: str) -> TimeSlot | None:
    days, rest = days_in(text, today, language)
    said = times_in(rest, language)
    times = [t.start for t in said if t.kind == "exact" and t.start]
    wanted = [m for m in days if not _rejected(text, m.pos)]
    named = {d for m in wanted if m.kind == "day" for d in m.days}
    weekdays = {m.weekday for m in wanted if m.kind == "weekday"}
    # "Dienstag geht, aber erst ab 10:30": that slot, starting then (if it is free, it is
    # confirmed; the planner checks)
    later = [t.start for t in said if t.kind == "part" and t.start and t.end == time(23, 59)]

    def fits(s: TimeSlot) -> bool:
        local = s.start.astimezone(zone)
        return ((not named or local.date() in named)
                and (not weekdays or local.weekday() in weekdays)
                and (not times or local.time() in times))

    matches = [s for s in slots if fits(s)]
    if not (named or weekdays or times) or len(matches) != 1:
        return None
    slot = matches[0]
    if len(later) == 1 and not times:
        start = datetime.combine(slot.start.astimezone(zone).date(), later[0], tzinfo=zone)
        if slot.start < start <= slot.start + MAX_SHIFT:
            return TimeSlot(start=start, end=start + (slot.end - slot.start))
    return slot
