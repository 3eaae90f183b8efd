"""Dates written by people ("Mo., 16. Nov. 2026 um 10:12 Uhr"), read with dateparser."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

_CLEAN = re.compile(r"\b(um|at|à|alle)\b|\bUhr\b", re.I)


@lru_cache(maxsize=1)
def _parser() -> Any:
    import dateparser  # imported on first use: it takes ~0.5 s to load

    return dateparser


LANGUAGES = ("de", "en", "fr", "it", "es", "nl")


def parse_loose_datetime(text: str, languages: tuple[str, ...] = LANGUAGES) -> datetime | None:
    """A date and time from free text, or None. Never raises."""
    value = _CLEAN.sub(" ", text)
    value = re.sub(r"\s+", " ", value).strip()[:120]
    if not value:
        return None
    try:
        result = _parser().parse(value, languages=list(languages),
                                 settings={"RETURN_AS_TIMEZONE_AWARE": False,
                                           "PREFER_DATES_FROM": "past"})
    except Exception:
        return None
    return result if isinstance(result, datetime) else None
