"""What a sender asks for in words: how long, which days, which times of day, or one
concrete time — combined from the mentions `agent/scheduling/when.py` finds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from agent.scheduling.when import Mention, days_in, times_in

_DURATION = [
    (re.compile(r"\b(?:anderthalb|eineinhalb|1,5|1\.5|one and a half|an hour and a half)\s*"
                r"(?:stunden|hours?|h)\b|\b90[\s-]*(?:min|minuten|minutes)"), 90),
    (re.compile(r"\b(?:halbe[n]? stunde|half an hour|half-hour|halbstündig)"), 30),
    (re.compile(r"\b(?:zwei|2)\s*(?:stunden|hours?|h)\b|\btwo hours\b"), 120),
    (re.compile(r"\b(?:drei|3)\s*(?:stunden|hours?)\b|\bthree hours\b"), 180),
    (re.compile(r"\b(?:eine|1|einer)\s*stunde\b|\b(?:an|one|1)[\s-]*hour\b|\bstündig"), 60),
    (re.compile(r"\bviertelstunde\b|\bquarter of an hour\b"), 15),
]
_MINUTES = re.compile(r"\b(\d{2,3})[\s-]*(?:min\.?|minuten|minutes|mins?)\b")
_SHORT = re.compile(r"\b(?:telefonat|telefonieren|anruf|anrufen|call|phone|kurz\w*|quick|short|"
                    r"chat|zoom|teams|video-?call|videotelefonat)\b")
_CANCEL = re.compile(r"\b(?:absagen|absage|sagen .{0,20}ab|muss .{0,40}ausfallen|fällt .{0,20}aus|"
                     r"cancel\w*|call off|can(?:no|')t make it|won't be able to make)\b")
_RESCHEDULE = re.compile(r"\b(?:verschieb\w*|verleg\w*|reschedul\w*|postpone\w*|push (?:it |our )?"
                         r"back|move (?:our|the|it)|anderen termin|another (?:time|day|slot)|"
                         r"neuen termin|new time|umlegen|umplanen)\b")


@dataclass(frozen=True)
class Wish:
    """The sender's wish in their own time zone; empty fields mean "no preference"."""

    windows: tuple[tuple[datetime, datetime], ...] = ()  # aware
    exact: tuple[datetime, ...] = ()  # concrete start times the sender proposes
    duration: timedelta | None = None
    explicit: bool = False  # the sender named days or times at all
    intent: str = "request"  # request | reschedule | cancel


def duration_in(text: str) -> timedelta | None:
    for pattern, minutes in _DURATION:
        if pattern.search(text):
            return timedelta(minutes=minutes)
    m = _MINUTES.search(text)
    if m and 10 <= int(m.group(1)) <= 480:
        return timedelta(minutes=int(m.group(1)))
    return None


def default_duration(text: str, meeting: timedelta) -> timedelta:
    return duration_in(text) or (min(meeting, timedelta(minutes=30)) if _SHORT.search(text)
                                 else meeting)


def intent_of(text: str) -> str:
    if _RESCHEDULE.search(text):
        return "reschedule"
    if _CANCEL.search(text):
        return "cancel"
    return "request"


_ASKING = re.compile(r"\?|\b(?:zeit|passt|passen|ginge|geht|können|könnten|hätten|hättest|"
                     r"haben sie|"
                     r"hast du|wäre|würde|could|would|can we|can you|are you|available|free|"
                     r"suit|works?|how about|wie wäre|vorschlag|propose|suggest)\b")
_NOT = re.compile(r"\b(?:stuck|busy|not|can't|cannot|unavailable|nicht|keine?|besetzt|"
                  r"belegt|unterwegs|blockiert|schwer)\b")


def _clause(text: str, pos: int) -> tuple[int, int]:
    lo = max(text.rfind(c, 0, pos) for c in ",.;!?\n") + 1
    ends = [i for i in (text.find(c, pos) for c in ",.;!?\n") if i >= 0]
    return lo, min(ends, default=len(text))


def _wanted(text: str, times: list[Mention]) -> list[Mention]:
    """Times of day in a clause that says the sender cannot then ("afternoons I'm stuck")
    are not wishes."""
    out = []
    for t in times:
        lo, hi = _clause(text, t.pos)
        if not _NOT.search(text[lo:t.pos] + " " + text[t.pos:hi][12:]):
            out.append(t)
    return out


def _asked(days: list[Mention], text: str, starts: list[int]) -> list[Mention]:
    """When some days are named in sentences that ask, days in other sentences ("we marry in
    May") are context, not wishes."""
    ends = [*starts[1:], len(text)]

    def asking(m: Mention) -> bool:
        i = _sentence(m.pos, starts)
        return bool(_ASKING.search(text[starts[i]:ends[i]]))

    asked = [m for m in days if asking(m)]
    return asked or days


def _sentences(text: str) -> list[int]:
    """Start positions of sentences (a '?', '!' or a blank line ends one)."""
    return [0] + [m.end() for m in re.finditer(r"[?!]\s|\n\s*\n|\.\s+(?=[a-zäöü]{3,}\s)", text)]


def _sentence(pos: int, starts: list[int]) -> int:
    return sum(1 for s in starts if s <= pos) - 1


def _resolve_weekdays(days: list[Mention], starts: list[int]) -> list[Mention]:
    """A weekday in the same sentence as a span ("nächste Woche Dienstag") lies in that span;
    a span that holds named weekdays gives way to them."""
    out: list[Mention] = []
    spans = [m for m in days if m.kind == "span"]
    for m in days:
        same = [s for s in spans if _sentence(s.pos, starts) == _sentence(m.pos, starts)]
        if m.kind == "weekday" and same:
            inside = tuple(d for s in same for d in s.days if d.weekday() == m.weekday)
            out.append(Mention(m.pos, "day", inside or m.days))
        elif m.kind == "span" and any(w.kind == "weekday" and _sentence(w.pos, starts)
                                      == _sentence(m.pos, starts) for w in days):
            continue
        else:
            out.append(Mention(m.pos, "day", m.days))
    return out


def _bind(days: list[Mention], times: list[Mention],
          starts: list[int]) -> tuple[dict[int, list[Mention]], list[Mention]]:
    """Each time mention binds to the day mentions since the previous time mention in its
    sentence (else the last before it, else the next after it); unbound ones are global."""
    bound: dict[int, list[Mention]] = {}
    loose: list[Mention] = []
    prev = -1
    for t in times:
        sent = _sentence(t.pos, starts)
        here = [i for i, d in enumerate(days) if _sentence(d.pos, starts) == sent]
        between = [i for i in here if prev < days[i].pos < t.pos]
        before = [i for i in here if days[i].pos < t.pos]
        after = [i for i in here if days[i].pos > t.pos]
        targets = between or before[-1:] or after[:1]
        if not targets:
            loose.append(t)
        for i in targets:
            bound.setdefault(i, []).append(t)
        prev = t.pos
    return bound, loose


WHOLE_DAY = (time(7, 0), time(20, 0))  # "any time that day" in the sender's own clock


def _at(d: date, t: time, zone: tzinfo) -> datetime:
    return datetime.combine(d, t, tzinfo=zone)


def read_wish(text: str, today: date, zone: tzinfo, language: str,
              horizon: tuple[date, ...]) -> Wish:
    """The wish in `text` (lower-cased by the caller), relative to `today` in `zone`.
    `horizon` is the days to look at when the sender names none."""
    day_mentions, rest = days_in(text, today, language)
    starts = _sentences(text)
    day_mentions = _asked(day_mentions, text, starts)
    times = _wanted(rest, times_in(rest, language))
    days = [d for d in _resolve_weekdays(day_mentions, starts) if d.days]
    bound, loose = _bind(days, times, starts)
    windows: list[tuple[datetime, datetime]] = []
    exact: list[datetime] = []
    loose_parts = [t for t in loose if t.kind == "part"]
    loose_exact = [t for t in loose if t.kind == "exact"]
    for i, d in enumerate(days):
        mine = bound.get(i) or loose_parts + loose_exact
        for day in d.days:
            if day < today:
                continue
            exact += [_at(day, t.start, zone) for t in mine if t.kind == "exact" and t.start]
            parts = [(t.start, t.end) for t in mine if t.kind == "part" and t.start and t.end]
            for a, b in parts or [WHOLE_DAY]:
                windows.append((_at(day, a, zone), _at(day, b, zone)))
    if not days:
        parts = [(t.start, t.end) for t in loose_parts if t.start and t.end]
        for day in horizon:
            for a, b in parts or [WHOLE_DAY]:
                windows.append((_at(day, a, zone), _at(day, b, zone)))
    return Wish(windows=tuple(windows), exact=tuple(sorted(set(exact))),
                explicit=bool(days or times), intent=intent_of(text))
