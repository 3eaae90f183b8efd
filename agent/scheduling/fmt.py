"""Times written the way people write them: "Dienstag, 1. Dezember, 10:00–11:00 Uhr"."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from agent.prompts import _ENV, load_table
from core.models import TimeSlot


def _table(language: str) -> dict[str, Any]:
    t = load_table("scheduling/format")
    table: dict[str, Any] = t[language if language in t else "en"]
    return table


def _values(start: datetime, end: datetime | None, zone: tzinfo, label: str,
            t: dict[str, Any]) -> dict[str, object]:
    s = start.astimezone(zone)
    e = end.astimezone(zone) if end else s
    return {"weekday": t["weekdays"][s.weekday()], "day": s.day,
            "month": t["months"][s.month - 1], "start": s.strftime("%H:%M"),
            "end": e.strftime("%H:%M"), "zone": label}


def zone_label(zone: tzinfo, at: datetime) -> str:
    """A short name people know ("EST", "GMT", "UTC-05:00")."""
    name = at.astimezone(zone).tzname() or ""
    return name if name and not name.startswith(("+", "-")) else f"UTC{name}"


def slot_text(slot: TimeSlot, zone: tzinfo, language: str, label: str = "") -> str:
    t = _table(language)
    return _ENV.from_string(t["slot"]).render(**_values(slot.start, slot.end, zone, label, t))


def moment_text(moment: datetime, zone: tzinfo, language: str, label: str = "") -> str:
    t = _table(language)
    return _ENV.from_string(t["moment"]).render(**_values(moment, None, zone, label, t))


def slot_list(slots: list[TimeSlot], zone: tzinfo, language: str, label: str = "") -> str:
    bullet = _table(language)["bullet"]
    return "\n".join(f"{bullet}{slot_text(s, zone, language, label)}" for s in slots)
