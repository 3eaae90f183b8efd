"""The configured calendar (CONTRACT §4 `calendar`) as a `CalendarSource`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo

from core.config import Calendar
from core.ical.base import CalendarSource
from tools.calendar.caldav_source import CalDavCalendar
from tools.calendar.ics_file import IcsFileCalendar


def open_calendar(cfg: Calendar, zone: tzinfo, owner_emails: Iterable[str] = ()) -> CalendarSource:
    if cfg.caldav is not None:
        c = cfg.caldav
        return CalDavCalendar(c.url, c.username, c.password, zone, owner_emails)
    assert cfg.ics is not None  # the config validator demands exactly one source
    return IcsFileCalendar(cfg.ics, zone, owner_emails)
