"""Free time = working hours (owner's zone, holidays off) − busy events − buffer, not sooner
than the notice period and never in the past. All arithmetic on aware datetimes, so the
clock change in spring and autumn is just another day."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.hours import WorkingHours
from core.ical.base import Busy
from core.models import TimeSlot

STEP = timedelta(minutes=30)  # slots start on the half hour of the owner's clock …
SHORT_STEP = timedelta(minutes=15)  # … or the quarter hour for appointments that short
MAX_DAYS = 120  # how far any search looks


class Problem(StrEnum):
    past = "past"
    notice = "notice"
    holiday = "holiday"
    outside_hours = "outside_hours"
    busy = "busy"


@dataclass(frozen=True)
class Rules:
    hours: WorkingHours
    zone: ZoneInfo
    buffer: timedelta = timedelta(minutes=15)
    notice: timedelta = timedelta(hours=12)
    is_holiday: Callable[[date], bool] = lambda _d: False


@dataclass(frozen=True)
class Availability:
    rules: Rules
    busy: tuple[Busy, ...]
    now: datetime

    def conflict(self, start: datetime, end: datetime, ignore_uid: str = "") -> Busy | None:
        """The first busy event within the buffer of [start, end), other than `ignore_uid`."""
        pad = self.rules.buffer
        for b in self.busy:
            if ignore_uid and b.uid == ignore_uid:
                continue
            edge = timedelta(0) if b.all_day else pad
            if b.start - edge < end and start < b.end + edge:
                return b
        return None

    def problem(self, start: datetime, end: datetime, ignore_uid: str = "") -> Problem | None:
        """Why [start, end) cannot be booked, or None when it is free."""
        r = self.rules
        if start < self.now:
            return Problem.past
        if start < self.now + r.notice:
            return Problem.notice
        local_start, local_end = start.astimezone(r.zone), end.astimezone(r.zone)
        if r.is_holiday(local_start.date()):
            return Problem.holiday
        if not r.hours.contains(local_start, local_end):
            return Problem.outside_hours
        if self.conflict(start, end, ignore_uid):
            return Problem.busy
        return None

    def candidates(self, windows: Iterable[tuple[datetime, datetime]],
                   duration: timedelta, ignore_uid: str = "") -> list[TimeSlot]:
        """Every free slot (on the half-hour grid) inside the windows, in time order."""
        seen: set[datetime] = set()
        out: list[TimeSlot] = []
        for lo, hi in windows:
            for start in self._grid(lo, hi, duration):
                end = start + duration
                if start not in seen and self.problem(start, end, ignore_uid) is None:
                    seen.add(start)
                    out.append(TimeSlot(start=start, end=end))
        return sorted(out, key=lambda s: s.start)

    def _grid(self, lo: datetime, hi: datetime, duration: timedelta) -> Iterable[datetime]:
        zone, hours = self.rules.zone, self.rules.hours
        lo = max(lo, self.now)
        day = lo.astimezone(zone).date()
        last = min(hi.astimezone(zone).date(), day + timedelta(days=MAX_DAYS))
        while day <= last:
            for a, b in hours.intervals.get(day.weekday(), ()):
                yield from _steps(day, a, b, zone, lo, hi, duration)
            day += timedelta(days=1)


def _steps(day: date, a: time, b: time, zone: ZoneInfo, lo: datetime, hi: datetime,
           duration: timedelta) -> Iterable[datetime]:
    start = datetime.combine(day, a, tzinfo=zone)
    stop = min(datetime.combine(day, b, tzinfo=zone), hi)
    while start + duration <= stop:
        if start >= lo:
            yield start
        start += SHORT_STEP if duration <= SHORT_STEP else STEP


def spread(candidates: list[TimeSlot], count: int = 3,
           zone: ZoneInfo | None = None) -> list[TimeSlot]:
    """Up to `count` slots, preferring different days, then times far apart on one day
    (never two that overlap)."""
    def day(s: TimeSlot) -> date:
        return s.start.astimezone(zone).date() if zone else s.start.date()

    chosen: list[TimeSlot] = []
    for s in candidates:
        if len(chosen) < count and all(day(c) != day(s) for c in chosen):
            chosen.append(s)
    for s in candidates:
        if len(chosen) >= count:
            break
        apart = max(timedelta(hours=2), s.end - s.start)  # long slots never overlap
        if all(abs(s.start - c.start) >= apart for c in chosen):
            chosen.append(s)
    return sorted(chosen, key=lambda s: s.start)
