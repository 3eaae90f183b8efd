"""Working hours such as "Mo-Fr 09:00-17:00" or "Mon-Thu 8:00-16:00, Fri 8:00-12:00"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

_DAYS = {
    "mo": 0, "mon": 0, "montag": 0, "monday": 0,
    "di": 1, "tu": 1, "tue": 1, "dienstag": 1, "tuesday": 1,
    "mi": 2, "we": 2, "wed": 2, "mittwoch": 2, "wednesday": 2,
    "do": 3, "th": 3, "thu": 3, "donnerstag": 3, "thursday": 3,
    "fr": 4, "fri": 4, "freitag": 4, "friday": 4,
    "sa": 5, "sat": 5, "samstag": 5, "saturday": 5,
    "so": 6, "su": 6, "sun": 6, "sonntag": 6, "sunday": 6,
}
_GROUP = re.compile(
    r"^\s*(?P<days>[A-Za-zä]+(?:\s*[-,]\s*[A-Za-zä]+)*)\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*[-–]\s*(?P<end>\d{1,2}:\d{2})\s*$"
)


def _day(token: str) -> int:
    key = token.strip().lower().rstrip(".")
    if key not in _DAYS:
        raise ValueError(f"unknown weekday {token.strip()!r} in working hours")
    return _DAYS[key]


def _days(spec: str) -> set[int]:
    out: set[int] = set()
    for part in spec.split(","):
        if "-" in part:
            a, b = (_day(x) for x in part.split("-", 1))
            out.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        else:
            out.add(_day(part))
    return out


def _time(value: str) -> time:
    h, m = (int(x) for x in value.split(":"))
    if h == 24 and m == 0:
        return time(23, 59, 59)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(f"invalid time {value!r} in working hours")
    return time(h, m)


@dataclass(frozen=True)
class WorkingHours:
    """Per weekday (0 = Monday) the intervals of local time when the owner works."""

    intervals: dict[int, tuple[tuple[time, time], ...]]

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        groups = [g for g in re.split(r"(?<=\d)\s*[,;]\s*|\n", text) if g.strip()]
        if not groups:
            raise ValueError("working hours are empty")
        found: dict[int, list[tuple[time, time]]] = {}
        for group in groups:
            m = _GROUP.match(group)
            if not m:
                raise ValueError(
                    f"cannot read working hours {group.strip()!r} "
                    "(expected e.g. 'Mo-Fr 09:00-17:00')"
                )
            start, end = _time(m["start"]), _time(m["end"])
            if end <= start:
                raise ValueError(f"working hours end before they start in {group.strip()!r}")
            for d in _days(m["days"]):
                found.setdefault(d, []).append((start, end))
        return cls({d: tuple(sorted(v)) for d, v in found.items()})

    def contains(self, start: datetime, end: datetime) -> bool:
        """True when [start, end) lies inside one working interval (both in local time)."""
        if end.date() != start.date():
            return False
        return any(a <= start.time() and end.time() <= b
                   for a, b in self.intervals.get(start.weekday(), ()))
