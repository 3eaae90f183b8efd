"""Carrying out the calendar side effects a decision planned (live mode only).

`create_event` stores an accepted invitation (as received, the owner ACCEPTED) or a time
agreed by mail; `remove_event` deletes a cancelled one. `itip_for` gives the iCalendar text
that goes with a mail: the REPLY to an organizer, or the REQUEST for a time agreed by mail
when the calendar is a file the agent does not write.
"""

from __future__ import annotations

from datetime import datetime

from core.config import Owner
from core.ical.base import CalendarSource
from core.ical.expand import parse_calendar
from core.ical.itip import accepted_copy, new_event, reply
from core.models import CreateEvent, Mail, PlannedAction


def _invitation_text(mail: Mail, uid: str) -> str | None:
    for part in mail.calendar:
        try:
            uids = {str(e.get("UID", "")) for e in parse_calendar(part.text).walk("VEVENT")}
        except Exception:
            continue
        if uid in uids:
            return part.text
    return None


def event_text(action: CreateEvent, mail: Mail, owner: Owner, now: datetime,
               method: str | None = None) -> str:
    """The event to store (or, with `method`, to send) for a create_event action."""
    invite = _invitation_text(mail, action.uid)
    if invite is not None:
        return accepted_copy(invite, owner.email, owner.name)
    assert action.start is not None and action.end is not None
    return new_event(action.uid, action.start, action.end, action.summary, owner.email,
                     owner.name, action.attendees, now, method=method)


def carry_out(source: CalendarSource, actions: list[PlannedAction], mail: Mail, owner: Owner,
              now: datetime) -> list[str]:
    """Apply create/remove actions to a writable calendar; returns what was done."""
    done: list[str] = []
    if not source.writable:
        return done
    for a in actions:
        if a.type == "create_event":
            source.add_event(event_text(a, mail, owner, now))
            done.append(f"created {a.uid}")
        elif a.type == "remove_event" and source.remove_event(a.uid):
            done.append(f"removed {a.uid}")
    return done


def itip_for(action: PlannedAction, mail: Mail, owner: Owner, now: datetime) -> str | None:
    """The text/calendar part a mail for this action carries, if any."""
    if action.type == "accept_invitation" or action.type == "decline_invitation":
        invite = _invitation_text(mail, action.uid)
        partstat = "ACCEPTED" if action.type == "accept_invitation" else "DECLINED"
        return reply(invite, owner.email, owner.name, partstat, now) if invite else None
    if action.type == "create_event":
        return event_text(action, mail, owner, now, method="REQUEST")
    return None
