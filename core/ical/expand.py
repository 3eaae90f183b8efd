"""iCalendar data → busy intervals: time zones, all-day events, RRULE/EXDATE/RECURRENCE-ID."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import icalendar
import recurring_ical_events

from core.ical.base import Busy, CalendarError, StoredEvent
from core.ical.bounds import IcsLimits, problems, sanitize

log = logging.getLogger(__name__)


MAIL_LIMITS = IcsLimits(max_bytes=1024 * 1024)  # a calendar part of a mail


def parse_calendar(text: str | bytes, strict: bool = True) -> icalendar.Calendar:
    """A VCALENDAR from text; CalendarError when it is not one. The text is checked before
    parsing (core/ical/bounds.py): `strict` (text from mail) refuses it whole when anything
    may not be expanded; otherwise (the owner's calendar) the offending components are
    left out."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if strict:
        found = problems(text, MAIL_LIMITS)
        if found:
            raise CalendarError(f"zu groß: {found[0]}")
    else:
        text, dropped = sanitize(text)
        if dropped:
            log.warning("calendar: %d event(s) left out: %s", len(dropped), dropped[0])
    try:
        return icalendar.Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises ValueError and friends
        raise CalendarError(f"not an iCalendar file: {exc}") from None


def to_aware(value: date | datetime, zone: tzinfo) -> tuple[datetime, bool]:
    """(aware datetime, all_day): dates start at local midnight, floating times get `zone`."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)), False
    return datetime.combine(value, time(0), tzinfo=zone), True


def _declined(event: Any, owner_emails: frozenset[str]) -> bool:
    attendees = event.get("ATTENDEE", [])
    for a in attendees if isinstance(attendees, list) else [attendees]:
        if str(a).lower().removeprefix("mailto:") in owner_emails:
            return str(a.params.get("PARTSTAT", "")).upper() == "DECLINED"
    return False


def _counts(event: Any, owner_emails: frozenset[str]) -> bool:
    """Cancelled, transparent ("free") and declined events do not block time."""
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
        return False
    return not _declined(event, owner_emails)


def _interval(event: Any, zone: tzinfo) -> tuple[datetime, datetime, bool] | None:
    if event.get("DTSTART") is None:
        return None
    start, all_day = to_aware(event.decoded("DTSTART"), zone)
    try:
        raw_end = event.end
    except Exception:  # no DTEND/DURATION: RFC 5545 says a day for dates, else an instant
        raw_end = None
    if raw_end is None:
        end = start + (timedelta(days=1) if all_day else timedelta(0))
    else:
        end, _ = to_aware(raw_end, zone)
    return start.astimezone(UTC), end.astimezone(UTC), all_day


def busy_between(cal: icalendar.Calendar, start: datetime, end: datetime, zone: tzinfo,
                 owner_emails: Iterable[str] = ()) -> list[Busy]:
    """Busy intervals of `cal` overlapping [start, end) (aware), recurrences expanded."""
    owners = frozenset(e.lower() for e in owner_emails)
    # widen by a day so all-day and floating events of the edge days are seen; filter after
    lo, hi = start - timedelta(days=1), end + timedelta(days=1)
    try:
        occurrences = recurring_ical_events.of(cal, skip_bad_series=True).between(lo, hi)
    except Exception as exc:
        raise CalendarError(f"cannot expand the calendar's events: {exc}") from None
    out: list[Busy] = []
    for event in occurrences:
        if not _counts(event, owners):
            continue
        span = _interval(event, zone)
        if span is None:
            continue
        s, e, all_day = span
        if s < end and e > start:
            out.append(Busy(start=s, end=e, uid=str(event.get("UID", "")), all_day=all_day))
    return sorted(out, key=lambda b: (b.start, b.end))


def organizer_email(event: Any) -> str:
    return str(event.get("ORGANIZER", "") or "").strip().lower().removeprefix("mailto:")


def stored_events(cal: icalendar.Calendar) -> dict[str, StoredEvent]:
    """Per UID: the highest SEQUENCE and the ORGANIZER (of the master event)."""
    out: dict[str, StoredEvent] = {}
    for event in cal.walk("VEVENT"):
        uid = str(event.get("UID", ""))
        seq = int(event.get("SEQUENCE", 0) or 0)
        have = out.get(uid)
        organizer = organizer_email(event) or (have.organizer if have else "")
        out[uid] = StoredEvent(sequence=max(seq, have.sequence if have else -1),
                               organizer=organizer)
    return out


def sequences(cal: icalendar.Calendar) -> dict[str, int]:
    """Highest SEQUENCE per UID among the calendar's events."""
    out: dict[str, int] = {}
    for event in cal.walk("VEVENT"):
        uid = str(event.get("UID", ""))
        seq = int(event.get("SEQUENCE", 0) or 0)
        out[uid] = max(seq, out.get(uid, -1))
    return out


def without_method(text: str) -> str:
    """An iTIP object made fit for storing in a calendar: the METHOD property removed."""
    cal = parse_calendar(text)
    if "METHOD" in cal:
        del cal["METHOD"]
    return str(cal.to_ical().decode("utf-8"))
