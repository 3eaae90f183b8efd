"""Public holidays of the owner's country and state (`calendar.holidays: DE-BE`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache


@lru_cache(maxsize=16)
def _days(code: str, year: int) -> frozenset[date]:
    import holidays  # imported on first use

    country, _, subdiv = code.partition("-")
    table = holidays.country_holidays(country, subdiv=subdiv or None, years=[year])
    return frozenset(table.keys())


def holiday_check(code: str | None) -> Callable[[date], bool]:
    """A predicate: is this day a public holiday where the owner works?"""
    if not code:
        return lambda _d: False
    _days(code, 2026)  # fails early on an unknown country or state

    def check(d: date) -> bool:
        return d in _days(code, d.year)

    return check
