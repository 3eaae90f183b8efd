"""Reading an invitation (iTIP, RFC 5546) out of a mail's text/calendar parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import recurring_ical_events

from core.ical.base import CalendarError
from core.ical.expand import parse_calendar, to_aware
from core.models import CalendarPart

OCCURRENCE_HORIZON = timedelta(days=91)  # a recurring invitation is checked this far ahead
MAX_OCCURRENCES = 200  # more inside the horizon: not all checked, so no automatic yes


@dataclass(frozen=True)
class Invitation:
    method: str
    uid: str
    text: str  # the iCalendar text as received
    sequence: int = 0
    start: datetime | None = None  # aware
    end: datetime | None = None
    all_day: bool = False
    organizer: str = ""  # e-mail address, lower case
    sent_by: str = ""
    attendees: tuple[str, ...] = ()
    summary: str = ""
    recurrence_id: bool = False  # the object is about one occurrence of a series
    occurrences: tuple[tuple[datetime, datetime], ...] = field(default=())
    tzid: str = ""  # the TZID the organizer wrote the times in
    recurring: bool = False
    unchecked: bool = False  # a series with more occurrences in the horizon than are checked
    description: str = ""


def _email(value: Any) -> str:
    return str(value or "").strip().lower().removeprefix("mailto:")


def _method(part: CalendarPart, cal: Any) -> str:
    return (part.method or str(cal.get("METHOD", "")) or "").upper()


def _master(cal: Any) -> Any | None:
    events = list(cal.walk("VEVENT"))
    return next((e for e in events if "RECURRENCE-ID" not in e), events[0] if events else None)


def _occurrences(cal: Any, start: datetime, zone: tzinfo, horizon: timedelta,
                 most: int) -> tuple[tuple[tuple[datetime, datetime], ...], bool]:
    """Every occurrence inside the horizon, and whether there were more than `most` (then
    none is returned: a series is checked whole or not at all). The rules were checked
    before parsing (core/ical/bounds.py), so the expansion is bounded."""
    out = []
    for i, ev in enumerate(recurring_ical_events.of(cal).after(start)):
        if i >= most:
            return (), True
        s, _ = to_aware(ev.start, zone)
        if s > start + horizon:
            break
        e, _ = to_aware(ev.end, zone)
        out.append((s.astimezone(UTC), e.astimezone(UTC)))
    return tuple(sorted(out)), False


def _read(part: CalendarPart, zone: tzinfo, horizon: timedelta = OCCURRENCE_HORIZON,
          most: int = MAX_OCCURRENCES) -> Invitation | None:
    cal = parse_calendar(part.text)
    ev = _master(cal)
    if ev is None:
        return None
    attendees = ev.get("ATTENDEE", [])
    org = ev.get("ORGANIZER")
    inv = Invitation(
        method=_method(part, cal), uid=str(ev.get("UID", "")), text=part.text,
        sequence=int(ev.get("SEQUENCE", 0) or 0), organizer=_email(org),
        sent_by=_email(org.params.get("SENT-BY")) if org is not None else "",
        attendees=tuple(_email(a) for a in (attendees if isinstance(attendees, list)
                                             else [attendees])),
        summary=str(ev.get("SUMMARY", "")), recurrence_id="RECURRENCE-ID" in ev,
        description=str(ev.get("DESCRIPTION", "")),
        tzid=str(ev["DTSTART"].params.get("TZID", "")) if "DTSTART" in ev else "")
    if ev.get("DTSTART") is None:
        return inv
    start, all_day = to_aware(ev.start, zone)
    end, _ = to_aware(ev.end, zone)
    recurring = "RRULE" in ev or "RDATE" in ev
    occ, unchecked = _occurrences(cal, start, zone, horizon, most) if recurring else ((), False)
    return Invitation(**{**inv.__dict__, "start": start.astimezone(UTC),
                         "end": end.astimezone(UTC), "all_day": all_day,
                         "recurring": recurring, "unchecked": unchecked,
                         "occurrences": occ or ((start.astimezone(UTC), end.astimezone(UTC)),)})


def read_invitation(parts: list[CalendarPart], zone: tzinfo,
                    horizon: timedelta = OCCURRENCE_HORIZON,
                    most: int = MAX_OCCURRENCES) -> Invitation | None:
    """The first readable invitation among the parts (text/calendar with a METHOD first);
    a recurring one expanded `horizon` ahead, at most `most` occurrences."""
    ordered = sorted(parts, key=lambda p: p.method is None)
    for part in ordered:
        try:
            inv = _read(part, zone, horizon, most)
        except (CalendarError, ValueError, KeyError, TypeError):
            continue
        if inv is not None and inv.uid:
            return inv
    return None
