"""What the calendar logic needs from a calendar: busy times, and writing events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class CalendarError(Exception):
    """The calendar could not be read or written (file missing, server unreachable …)."""


@dataclass(frozen=True)
class Busy:
    """One stretch of time the owner is not free. Deliberately without title or people:
    nothing of a calendar's content can reach a reply through this type."""

    start: datetime  # aware, UTC
    end: datetime  # aware, UTC
    uid: str = ""
    all_day: bool = False


@dataclass(frozen=True)
class StoredEvent:
    """What the owner's calendar knows about an event the agent may be asked to change."""

    sequence: int
    organizer: str = ""  # e-mail address, lower case; "" for the owner's own private events


class CalendarSource(Protocol):
    """A calendar the agent reads (and, when `writable`, writes accepted events to)."""

    @property
    def writable(self) -> bool:
        """Whether accepted or confirmed events are written back to this calendar."""
        ...

    def busy(self, start: datetime, end: datetime) -> list[Busy]:
        """Busy intervals overlapping [start, end), recurring events expanded."""
        ...

    def add_event(self, ics: str) -> None:
        """Store the event(s) of an iCalendar text, replacing events with the same UID."""
        ...

    def remove_event(self, uid: str) -> bool:
        """Delete every event with this UID; False when there was none."""
        ...

    def sequence_of(self, uid: str) -> int | None:
        """The SEQUENCE of the stored event with this UID, None when it is not stored."""
        ...

    def stored(self, uid: str) -> StoredEvent | None:
        """The stored event with this UID (SEQUENCE and ORGANIZER), None when there is none."""
        ...
