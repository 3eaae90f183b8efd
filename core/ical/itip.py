"""iTIP (RFC 5546) objects the agent sends or stores: a REPLY to an invitation, the accepted
copy for the owner's calendar, and a REQUEST for a time agreed by mail."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import icalendar

from core.ical.expand import parse_calendar
from core.text import safe_text

PRODID = "-//Assistenz//Calendar//EN"


def _mailto(email: str) -> str:
    return f"mailto:{email}"


def _is(address: Any, email: str) -> bool:
    return str(address).lower().removeprefix("mailto:") == email.lower()


def _attendees(event: Any) -> list[Any]:
    value = event.get("ATTENDEE", [])
    return list(value) if isinstance(value, list) else [value]


def _owner_attendee(event: Any, owner_email: str, owner_name: str, partstat: str) -> Any:
    found = next((a for a in _attendees(event) if _is(a, owner_email)), None)
    att = icalendar.vCalAddress(str(found) if found is not None else _mailto(owner_email))
    if found is not None:
        att.params.update(found.params)
    elif owner_name:
        att.params["CN"] = owner_name
    att.params["PARTSTAT"] = partstat
    att.params.pop("RSVP", None)
    return att


def reply(invite_ics: str, owner_email: str, owner_name: str, partstat: str,
          now: datetime) -> str:
    """METHOD:REPLY for every VEVENT of the invitation: only the owner as ATTENDEE."""
    invite = parse_calendar(invite_ics)
    out = icalendar.Calendar()
    out.add("PRODID", PRODID)
    out.add("VERSION", "2.0")
    out.add("METHOD", "REPLY")
    for ev in invite.walk("VEVENT"):
        r = icalendar.Event()
        for key in ("UID", "RECURRENCE-ID", "SEQUENCE", "DTSTART", "DTEND", "DURATION",
                    "ORGANIZER"):
            if key in ev:
                r[key] = ev[key]
        if "SUMMARY" in ev:  # the sender's words: shortened, no links (DESCRIPTION never)
            r.add("SUMMARY", safe_text(str(ev["SUMMARY"])))
        r.add("DTSTAMP", now.astimezone(UTC))
        r.add("ATTENDEE", _owner_attendee(ev, owner_email, owner_name, partstat))
        out.add_component(r)
    return str(out.to_ical().decode("utf-8"))


def accepted_copy(invite_ics: str, owner_email: str, owner_name: str = "") -> str:
    """The invitation as the owner's calendar stores it: no METHOD, the owner ACCEPTED."""
    cal = parse_calendar(invite_ics)
    if "METHOD" in cal:
        del cal["METHOD"]
    for ev in cal.walk("VEVENT"):
        others = [a for a in _attendees(ev) if not _is(a, owner_email)]
        if "ATTENDEE" in ev:
            del ev["ATTENDEE"]
        for a in others:
            ev.add("ATTENDEE", a)
        ev.add("ATTENDEE", _owner_attendee(ev, owner_email, owner_name, "ACCEPTED"))
    return str(cal.to_ical().decode("utf-8"))


def new_event(uid: str, start: datetime, end: datetime, summary: str, organizer: str,
              organizer_name: str, attendees: Iterable[str], now: datetime,
              method: str | None = "REQUEST") -> str:
    """A meeting agreed by mail: the owner organises, the other side is invited."""
    cal = icalendar.Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    if method:
        cal.add("METHOD", method)
    ev = icalendar.Event()
    ev.add("UID", uid)
    ev.add("DTSTAMP", now.astimezone(UTC))
    ev.add("DTSTART", start.astimezone(UTC))
    ev.add("DTEND", end.astimezone(UTC))
    ev.add("SEQUENCE", 0)
    ev.add("SUMMARY", summary)
    org = icalendar.vCalAddress(_mailto(organizer))
    if organizer_name:
        org.params["CN"] = organizer_name
    ev.add("ORGANIZER", org)
    for email in attendees:
        att = icalendar.vCalAddress(_mailto(email))
        att.params.update({"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"})
        ev.add("ATTENDEE", att)
    cal.add_component(ev)
    return str(cal.to_ical().decode("utf-8"))
