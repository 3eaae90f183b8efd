"""A local iCalendar file (an export or subscription copy of the owner's calendar)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from datetime import datetime, tzinfo
from pathlib import Path

import icalendar

from core.ical.base import Busy, CalendarError, StoredEvent
from core.ical.expand import busy_between, parse_calendar, sequences, stored_events


class IcsFileCalendar:
    """Reads the file again whenever it changed. Writes (add/remove) replace it atomically;
    the agent does not plan them for a file (`writable` is False) because an exported file
    is overwritten by the next export — the owner's real calendar gets an invitation instead."""

    def __init__(self, path: Path, zone: tzinfo, owner_emails: Iterable[str] = (),
                 writable: bool = False) -> None:
        self.path = path
        self.zone = zone
        self.owner_emails = tuple(owner_emails)
        self._writable = writable
        self._cache: tuple[tuple[int, int], icalendar.Calendar] | None = None

    @property
    def writable(self) -> bool:
        return self._writable

    def _read(self) -> icalendar.Calendar:
        try:
            st = self.path.stat()
        except OSError as exc:
            raise CalendarError(f"calendar file {self.path}: {exc.strerror or exc}") from None
        key = (st.st_mtime_ns, st.st_size)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, parse_calendar(self.path.read_bytes(), strict=False))
        return self._cache[1]

    def busy(self, start: datetime, end: datetime) -> list[Busy]:
        return busy_between(self._read(), start, end, self.zone, self.owner_emails)

    def sequence_of(self, uid: str) -> int | None:
        return sequences(self._read()).get(uid)

    def stored(self, uid: str) -> StoredEvent | None:
        return stored_events(self._read()).get(uid)

    def add_event(self, ics: str) -> None:
        new = parse_calendar(ics)
        cal = self._read()
        uids = {str(e.get("UID", "")) for e in new.walk("VEVENT")}
        have_tz = {str(t.get("TZID")) for t in cal.walk("VTIMEZONE")}
        kept = [c for c in cal.subcomponents
                if not (c.name == "VEVENT" and str(c.get("UID", "")) in uids)]
        kept += [t for t in new.walk("VTIMEZONE") if str(t.get("TZID")) not in have_tz]
        kept += list(new.walk("VEVENT"))
        self._write(cal, kept)

    def remove_event(self, uid: str) -> bool:
        cal = self._read()
        kept = [c for c in cal.subcomponents
                if not (c.name == "VEVENT" and str(c.get("UID", "")) == uid)]
        if len(kept) == len(cal.subcomponents):
            return False
        self._write(cal, kept)
        return True

    def _write(self, cal: icalendar.Calendar, components: list[icalendar.cal.Component]) -> None:
        cal.subcomponents = components
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".calendar-", suffix=".ics")
        with os.fdopen(fd, "wb") as f:
            f.write(cal.to_ical())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        self._cache = None
