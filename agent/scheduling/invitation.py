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
MAX_OCCURRENCES = 30


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


def _email(value: Any) -> str:
    return str(value or "").strip().lower().removeprefix("mailto:")


def _method(part: CalendarPart, cal: Any) -> str:
    return (part.method or str(cal.get("METHOD", "")) or "").upper()


def _master(cal: Any) -> Any | None:
    events = list(cal.walk("VEVENT"))
    return next((e for e in events if "RECURRENCE-ID" not in e), events[0] if events else None)


def _occurrences(cal: Any, start: datetime, zone: tzinfo) -> tuple[tuple[datetime, datetime], ...]:
    out = []
    found = recurring_ical_events.of(cal).between(start, start + OCCURRENCE_HORIZON)
    for ev in found[:MAX_OCCURRENCES]:
        s, _ = to_aware(ev.start, zone)
        e, _ = to_aware(ev.end, zone)
        out.append((s.astimezone(UTC), e.astimezone(UTC)))
    return tuple(sorted(out))


def _read(part: CalendarPart, zone: tzinfo) -> Invitation | None:
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
        tzid=str(ev["DTSTART"].params.get("TZID", "")) if "DTSTART" in ev else "")
    if ev.get("DTSTART") is None:
        return inv
    start, all_day = to_aware(ev.start, zone)
    end, _ = to_aware(ev.end, zone)
    occ = _occurrences(cal, start, zone) if "RRULE" in ev or "RDATE" in ev else ()
    return Invitation(**{**inv.__dict__, "start": start.astimezone(UTC),
                         "end": end.astimezone(UTC), "all_day": all_day,
                         "occurrences": occ or ((start.astimezone(UTC), end.astimezone(UTC)),)})


def read_invitation(parts: list[CalendarPart], zone: tzinfo) -> Invitation | None:
    """The first readable invitation among the parts (text/calendar with a METHOD first)."""
    ordered = sorted(parts, key=lambda p: p.method is None)
    for part in ordered:
        try:
            inv = _read(part, zone)
        except (CalendarError, ValueError, KeyError, TypeError):
            continue
        if inv is not None and inv.uid:
            return inv
    return None
