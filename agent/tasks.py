"""Rules of the task lifecycle (CONTRACT §8), without I/O: when an offer expires (counted in
the assistant's own working hours, skipping days they are away), when a task is due (the
mail's own deadline), which transitions are allowed, and who may be offered a task next."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.config import Assistant, Workspace
from core.hours import WorkingHours

# state → the states it may move to, and who moves it there
TRANSITIONS: dict[str, set[str]] = {
    "offered": {"accepted", "declined", "expired", "cancelled", "done", "delegated"},
    "accepted": {"done", "delegated", "cancelled", "declined"},
    "delegated": {"done", "accepted", "cancelled"},
}
OPEN = ("offered", "accepted", "delegated")
MAX_DAYS = 400  # an offer never waits longer than this for working hours


def may_move(status: str, to: str) -> bool:
    return to in TRANSITIONS.get(status, set())


def add_working_hours(start: datetime, hours: float, wh: WorkingHours, zone: ZoneInfo,
                      away: set[date] | None = None) -> datetime:
    """The moment `hours` of working time after `start`, counting only the intervals of
    `wh` in `zone` (and no day in `away`). Computed in UTC, so a clock change is just
    another day."""
    remaining = timedelta(hours=hours)
    at = start.astimezone(UTC)
    day = start.astimezone(zone).date()
    for _ in range(MAX_DAYS):
        if away is None or day not in away:
            for a, b in wh.intervals.get(day.weekday(), ()):
                lo = datetime.combine(day, a, tzinfo=zone).astimezone(UTC)
                hi = datetime.combine(day, b, tzinfo=zone).astimezone(UTC)
                lo = max(lo, at)
                if lo >= hi:
                    continue
                if remaining <= hi - lo:
                    return lo + remaining
                remaining -= hi - lo
        day += timedelta(days=1)
    return at + timedelta(days=MAX_DAYS)


def away_days(a: Assistant, around: date, span: int = 60) -> set[date]:
    days = set()
    for period in a.away:
        d = max(period.from_, around)
        while d <= period.to and d <= around + timedelta(days=span):
            days.add(d)
            d += timedelta(days=1)
    return days


def offer_expiry(a: Assistant, ws: Workspace, offered: datetime) -> datetime:
    zone = a.zone
    return add_working_hours(offered, ws.tasks.offer_hours, a.hours, zone,
                             away_days(a, offered.astimezone(zone).date()))


def due_at(deadline: date | None, ws: Workspace, offered: datetime) -> datetime | None:
    """A deadline the mail names ("bis Freitag") is due at the end of the owner's working
    day then; without one, `tasks.due_hours` after the offer (or none)."""
    if deadline is not None:
        end = max((b for _, b in ws.owner.hours.intervals.get(deadline.weekday(), ())),
                  default=time(17, 0))
        return datetime.combine(deadline, end, tzinfo=ws.owner.zone).astimezone(UTC)
    if ws.tasks.due_hours is not None:
        return offered + timedelta(hours=ws.tasks.due_hours)
    return None
