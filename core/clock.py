"""The agent's one clock. Nothing else in `agent/`, `tools/` or `api/` reads the wall clock
(tests/test_clock.py scans the source for it).

A clock is a plain callable returning an aware UTC `datetime`; it travels in `Deps` and is
handed to the store, the outbox and the calendar code. A sender's `Date:` header is data
about the mail, never the agent's clock: it may place the sender's own words ("bis
morgen") in time, but it cannot move "now" (see `reference_time`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time: the only place that reads the wall clock."""
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    """A clock that stands still (tests)."""
    moment = _aware(at)
    return lambda: moment


def clock_from(start: datetime, monotonic: Callable[[], float] = time.monotonic) -> Clock:
    """A clock that starts at `start` and then advances normally (`--now` on `run`)."""
    begin, origin = _aware(start), monotonic()
    return lambda: begin + timedelta(seconds=monotonic() - origin)


def parse_now(text: str, zone: tzinfo) -> datetime:
    """`--now ISO-8601`: a time without offset is read in the owner's time zone; a date alone
    means its midnight. Raises ValueError with a readable message."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--now: not an ISO-8601 time: {text!r} "
                         "(e.g. 2026-12-01T09:30 or 2026-12-01T09:30+01:00)") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=zone)
    return at.astimezone(UTC)


def reference_time(sent: datetime | None, now: datetime) -> datetime:
    """The moment the sender's own words are relative to ("morgen", "next week"): the mail's
    `Date:` when it is not in the future, else the agent's clock. A forged or skewed date
    can place old words in the past, never move the agent's clock forward."""
    if sent is None or sent.tzinfo is None or sent > now:
        return now
    return sent


def day_in(at: datetime, zone: tzinfo) -> date:
    return at.astimezone(zone).date()


def _aware(at: datetime) -> datetime:
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone(UTC)
