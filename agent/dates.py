"""Dates written by people ("Mo., 16. Nov. 2026 um 10:12 Uhr"), read with dateparser."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

_CLEAN = re.compile(r"\b(um|at|à|alle)\b|\bUhr\b", re.I)


@lru_cache(maxsize=1)
def _parser() -> Any:
    import dateparser  # imported on first use: it takes ~0.5 s to load

    return dateparser


LANGUAGES = ("de", "en", "fr", "it", "es", "nl")


# A forwarded header block names a day, month and year; relative words ("gestern") are read
# against this fixed base and then refused, so the result never depends on the wall clock.
_BASE = datetime(2000, 1, 1, 12, 0)


def parse_loose_datetime(text: str, languages: tuple[str, ...] = LANGUAGES) -> datetime | None:
    """A date and time from free text with day, month and year, or None. Never raises."""
    value = _CLEAN.sub(" ", text)
    value = re.sub(r"\s+", " ", value).strip()[:120]
    if not value:
        return None
    try:
        result = _parser().parse(value, languages=list(languages),
                                 settings={"RETURN_AS_TIMEZONE_AWARE": False,
                                           "PREFER_DATES_FROM": "past",
                                           "REQUIRE_PARTS": ["day", "month", "year"],
                                           "RELATIVE_BASE": _BASE})
    except Exception:
        return None
    if not isinstance(result, datetime) or abs(result - _BASE) < timedelta(days=400):
        return None  # relative words ("gestern") land next to the base: not a date we know
    return result
