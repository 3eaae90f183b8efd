"""An in-memory calendar for tests: busy intervals given directly, writes recorded."""

from __future__ import annotations

from datetime import datetime

from core.ical.base import Busy, CalendarError, StoredEvent
from core.ical.expand import organizer_email, parse_calendar


class FakeCalendar:
    def __init__(self, busy: list[Busy] | None = None, writable: bool = True,
                 sequences: dict[str, int] | None = None, broken: bool = False,
                 organizers: dict[str, str] | None = None) -> None:
        self.events = list(busy or [])
        self._writable = writable
        self.sequences = dict(sequences or {})
        self.organizers = dict(organizers or {})  # uid → ORGANIZER of the stored event
        self.added: list[str] = []
        self.removed: list[str] = []
        self.broken = broken  # every call fails, as an unreachable server would

    @property
    def writable(self) -> bool:
        return self._writable

    def _check(self) -> None:
        if self.broken:
            raise CalendarError("calendar unreachable (fake)")

    def busy(self, start: datetime, end: datetime) -> list[Busy]:
        self._check()
        return sorted((b for b in self.events if b.start < end and b.end > start),
                      key=lambda b: b.start)

    def add_event(self, ics: str) -> None:
        self._check()
        for event in parse_calendar(ics).walk("VEVENT"):
            self.sequences[str(event.get("UID"))] = int(event.get("SEQUENCE", 0) or 0)
            self.organizers[str(event.get("UID"))] = organizer_email(event)
        self.added.append(ics)

    def remove_event(self, uid: str) -> bool:
        self._check()
        before = len(self.events)
        self.events = [b for b in self.events if b.uid != uid]
        self.removed.append(uid)
        return len(self.events) < before or self.sequences.pop(uid, None) is not None

    def stored(self, uid: str) -> StoredEvent | None:
        seq = self.sequence_of(uid)
        return None if seq is None else StoredEvent(seq, self.organizers.get(uid, ""))

    def sequence_of(self, uid: str) -> int | None:
        self._check()
        if uid in self.sequences:
            return self.sequences[uid]
        return 0 if any(b.uid == uid for b in self.events) else None
