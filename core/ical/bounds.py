"""iCalendar text checked before it is parsed or expanded (issue 11).

`icalendar` expands a custom VTIMEZONE's rules while parsing, and `recurring-ical-events`
(dateutil underneath) expands a series as far as it must to find the next occurrence: a
1 KB invitation with `RRULE:FREQ=SECONDLY`, or a rule that never matches
(`FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30` searches day by day until the year 9999), takes
gigabytes or minutes. So the unfolded text is read here first, line by line (linear):

- sizes: the text, its lines, components, VEVENTs, VTIMEZONE rules, RDATE/EXDATE values;
- an event series repeats DAILY, WEEKLY, MONTHLY or YEARLY (nothing finer), with at most
  `MAX_PER_DAY` times a day, no BYYEARDAY/BYWEEKNO, and a BYMONTH/BYMONTHDAY that can occur;
- a time zone rule repeats YEARLY.

`problems()` says what is wrong; `sanitize()` drops the offending components (for the
owner's own calendar, where one bad event must not hide the others).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 4 * 1024 * 1024  # the owner's calendar file may be large; mail parts are smaller
MAX_LINES = 200_000
MAX_COMPONENTS = 20_000
MAX_TZ_RULES = 200  # STANDARD/DAYLIGHT blocks in all VTIMEZONEs
MAX_DATES = 1_000  # RDATE/EXDATE values of one component
MAX_PER_DAY = 24
MAX_INTERVAL = 1_000
_FREQS = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_DAYS_IN = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30,
            12: 31}
_FOLD = re.compile(r"\r?\n[ \t]")


@dataclass(frozen=True)
class IcsLimits:
    max_bytes: int = MAX_BYTES


def _ints(value: str) -> list[int] | None:
    out = []
    for part in value.split(",")[:400]:
        part = part.strip()
        if not re.fullmatch(r"[+-]?[0-9]{1,4}", part):
            return None
        out.append(int(part))
    return out


def rule_problem(value: str, in_timezone: bool) -> str | None:
    """Why an RRULE value may not be expanded, or None."""
    parts: dict[str, str] = {}
    for item in value.split(";")[:40]:
        key, _, val = item.partition("=")
        parts[key.strip().upper()] = val.strip().upper()
    freq = parts.get("FREQ", "")
    if in_timezone:
        return None if freq == "YEARLY" else f"Zeitzonen-Regel FREQ={freq or '?'}"
    if freq not in _FREQS:
        return f"Wiederholung FREQ={freq or '?'}"
    if "BYYEARDAY" in parts or "BYWEEKNO" in parts:
        return "Wiederholung mit BYYEARDAY/BYWEEKNO"
    interval = _ints(parts.get("INTERVAL", "1"))
    if interval is None or not 1 <= interval[0] <= MAX_INTERVAL:
        return "Wiederholung mit ungültigem INTERVAL"
    per_day = 1
    for key in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        values = _ints(parts[key]) if key in parts else [0]
        if values is None:
            return f"Wiederholung mit ungültigem {key}"
        per_day *= len(set(values))
    if per_day > MAX_PER_DAY:
        return f"Wiederholung {per_day}-mal am Tag"
    setpos = _ints(parts["BYSETPOS"]) if "BYSETPOS" in parts else []
    if setpos is None or any(abs(p) > 31 or p == 0 for p in setpos):
        return "Wiederholung mit ungültigem BYSETPOS"
    return _impossible(parts)


def _impossible(parts: dict[str, str]) -> str | None:
    """A BYMONTH/BYMONTHDAY combination that never occurs (dateutil would search for it
    until the year 9999)."""
    months = _ints(parts["BYMONTH"]) if "BYMONTH" in parts else list(range(1, 13))
    days = _ints(parts["BYMONTHDAY"]) if "BYMONTHDAY" in parts else None
    if months is None or any(not 1 <= m <= 12 for m in months):
        return "Wiederholung mit ungültigem BYMONTH"
    if days is None:
        return None if "BYMONTHDAY" not in parts else "Wiederholung mit ungültigem BYMONTHDAY"
    if any(d == 0 or abs(d) > 31 for d in days):
        return "Wiederholung mit ungültigem BYMONTHDAY"
    if not any(abs(d) <= _DAYS_IN[m] for m in months for d in days):
        return "Wiederholung an einem Tag, den es nicht gibt"
    return None


def _name(line: str) -> str:
    cut = min((i for i in (line.find(":"), line.find(";")) if i >= 0), default=len(line))
    return line[:cut].strip().upper()


@dataclass
class _Component:
    name: str
    start: int  # line index of BEGIN
    dates: int = 0
    problem: str | None = None


def _scan(lines: list[str]) -> tuple[list[tuple[int, int, str]], str | None]:
    """(bad components as (first line, last line, why), a problem with the whole text)."""
    stack: list[_Component] = []
    bad: list[tuple[int, int, str]] = []
    components = tz_rules = 0
    for i, line in enumerate(lines):
        name = _name(line)
        value = line.partition(":")[2]
        if name == "BEGIN":
            components += 1
            kind = value.strip().upper()
            tz_rules += kind in ("STANDARD", "DAYLIGHT")
            if components > MAX_COMPONENTS or tz_rules > MAX_TZ_RULES:
                return bad, "zu viele Kalender-Einträge"
            stack.append(_Component(kind, i))
        elif name == "END" and stack:
            comp = stack.pop()
            if comp.problem:
                outer = next((c for c in reversed(stack) if c.name == "VTIMEZONE"), None)
                start = outer.start if outer is not None else comp.start
                if outer is not None:
                    outer.problem = outer.problem or comp.problem
                else:
                    bad.append((start, i, comp.problem))
        elif stack and name in ("RRULE", "EXRULE"):
            in_tz = any(c.name == "VTIMEZONE" for c in stack)
            stack[-1].problem = stack[-1].problem or rule_problem(value, in_tz)
        elif stack and name in ("RDATE", "EXDATE"):
            stack[-1].dates += value.count(",") + 1
            if stack[-1].dates > MAX_DATES:
                stack[-1].problem = stack[-1].problem or f"mehr als {MAX_DATES} Einzeltermine"
    return bad, None


def _lines(text: str, limits: IcsLimits) -> tuple[list[str] | None, str | None]:
    if len(text) > limits.max_bytes:
        return None, f"Kalenderdaten über {limits.max_bytes // 1024} KB"
    lines = _FOLD.sub("", text).splitlines()
    if len(lines) > MAX_LINES:
        return None, "zu viele Kalenderzeilen"
    return lines, None


def problems(text: str, limits: IcsLimits = IcsLimits()) -> list[str]:
    """What makes this iCalendar text unsafe to parse or expand (empty: nothing)."""
    lines, whole = _lines(text, limits)
    if lines is None:
        return [whole or "zu groß"]
    bad, whole = _scan(lines)
    return ([whole] if whole else []) + [why for _, _, why in bad]


def sanitize(text: str, limits: IcsLimits = IcsLimits()) -> tuple[str, list[str]]:
    """The text without the components that may not be expanded, and why they went."""
    lines, whole = _lines(text, limits)
    if lines is None:
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", [whole or "zu groß"]
    bad, whole = _scan(lines)
    if whole:
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", [whole]
    if not bad:
        return text, []
    drop: set[int] = set()
    for first, last, _ in bad:
        drop.update(range(first, last + 1))
    kept = [line for i, line in enumerate(lines) if i not in drop]
    return "\r\n".join(kept) + "\r\n", [why for _, _, why in bad]
