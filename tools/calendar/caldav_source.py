"""A CalDAV calendar (Nextcloud, iCloud, Radicale, mailbox.org …) through the `caldav` client.

Busy times come from a time-range search (RFC 4791 calendar-query); the objects found are
expanded here, with the same code as a local file, so both sources mean the same by "busy".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from typing import Any, TypeVar

from core.ical.base import Busy, CalendarError, StoredEvent
from core.ical.expand import busy_between, parse_calendar, stored_events, without_method

log = logging.getLogger(__name__)
T = TypeVar("T")
TIMEOUT_SECONDS = 20


def _same(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


class CalDavCalendar:
    """`url` is the calendar collection, or any URL of the account (then its first calendar)."""

    writable = True

    def __init__(self, url: str, username: str, password: str, zone: tzinfo,
                 owner_emails: Iterable[str] = ()) -> None:
        self.url, self.username, self.password = url, username, password
        self.zone = zone
        self.owner_emails = tuple(owner_emails)
        self._cal: Any = None

    def _calendar(self) -> Any:
        if self._cal is None:
            import caldav  # imported on first use: only CalDAV users pay for it

            dav: Any = caldav
            client = dav.DAVClient(url=self.url, username=self.username or None,
                                      password=self.password or None, timeout=TIMEOUT_SECONDS)
            calendars = client.principal().calendars()
            if not calendars:
                raise CalendarError(f"no calendar found at {self.url}")
            self._cal = next((c for c in calendars if _same(str(c.url), self.url)), calendars[0])
        return self._cal

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except CalendarError:
            raise
        except Exception as exc:  # network, HTTP and protocol errors of the client
            raise CalendarError(f"CalDAV {what} failed: {type(exc).__name__}: {exc}") from None

    def busy(self, start: datetime, end: datetime) -> list[Busy]:
        def run() -> list[Busy]:
            found = self._calendar().search(start=start, end=end, event=True)
            out: list[Busy] = []
            for obj in found:
                cal = parse_calendar(obj.data, strict=False)
                out += busy_between(cal, start, end, self.zone, self.owner_emails)
            return sorted(out, key=lambda b: (b.start, b.end))
        return self._call("search", run)

    def _by_uid(self, uid: str) -> Any | None:
        from caldav.lib.error import NotFoundError

        try:
            return self._calendar().event_by_uid(uid)
        except NotFoundError:
            return None

    def add_event(self, ics: str) -> None:
        text = without_method(ics)
        self._call("save", lambda: self._calendar().add_event(text, increase_seqno=False))

    def remove_event(self, uid: str) -> bool:
        def run() -> bool:
            obj = self._by_uid(uid)
            if obj is None:
                return False
            obj.delete()
            return True
        return self._call("delete", run)

    def sequence_of(self, uid: str) -> int | None:
        found = self.stored(uid)
        return found.sequence if found is not None else None

    def stored(self, uid: str) -> StoredEvent | None:
        def run() -> StoredEvent | None:
            obj = self._by_uid(uid)
            if obj is None:
                return None
            found = stored_events(parse_calendar(obj.data, strict=False)).get(uid)
            return found or StoredEvent(sequence=0)
        return self._call("lookup", run)
