"""Busy times from real iCalendar exports of Google, Outlook, Apple and Thunderbird."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import FIXTURES

from core.ical.base import Busy, CalendarError
from core.ical.itip import new_event
from tools.calendar.ics_file import IcsFileCalendar

BERLIN = ZoneInfo("Europe/Berlin")
ICS = FIXTURES / "ics"
OWNER = ("anna@beispiel-design.de",)


def cal(name: str) -> IcsFileCalendar:
    return IcsFileCalendar(ICS / name, BERLIN, OWNER)


def local(b: Busy) -> tuple[str, str]:
    return (b.start.astimezone(BERLIN).strftime("%a %d.%m. %H:%M"),
            b.end.astimezone(BERLIN).strftime("%a %d.%m. %H:%M"))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_google_export_expands_weekly_series_and_skips_free_declined_cancelled() -> None:
    busy = cal("google.ics").busy(utc(2026, 11, 29), utc(2026, 12, 8))
    assert [local(b) for b in busy] == [
        ("Mon 30.11. 09:00", "Mon 30.11. 10:30"),  # weekly series
        ("Tue 01.12. 13:00", "Tue 01.12. 14:00"),
        ("Tue 01.12. 15:00", "Tue 01.12. 16:30"),
        ("Wed 02.12. 10:00", "Wed 02.12. 12:00"),
        ("Thu 03.12. 00:00", "Fri 04.12. 00:00"),  # all-day, opaque
        ("Fri 04.12. 14:00", "Fri 04.12. 15:00"),  # given in UTC
    ]  # 7.12. is an EXDATE; birthday (transparent), declined and cancelled events are free
    assert busy[4].all_day and not busy[0].all_day


def test_outlook_windows_zone_series_keeps_local_time_across_the_dst_change() -> None:
    busy = cal("outlook.ics").busy(utc(2027, 3, 22), utc(2027, 4, 3))
    series = [b for b in busy if not b.all_day]
    # 16:00 Berlin is 15:00 UTC before 28 March and 14:00 UTC after it
    assert [(b.start.hour, b.start.astimezone(BERLIN).hour) for b in series] == [(15, 16),
                                                                                 (14, 16)]
    holiday = [local(b) for b in busy if b.all_day]
    assert holiday == [("Mon 29.03. 00:00", "Wed 31.03. 00:00")]  # OOF; the free lunch is not busy


def test_apple_series_with_moved_and_deleted_occurrences() -> None:
    busy = cal("apple.ics").busy(utc(2027, 3, 29), utc(2027, 4, 3))
    assert [local(b) for b in busy] == [
        ("Mon 29.03. 09:00", "Mon 29.03. 09:30"),
        ("Tue 30.03. 11:00", "Tue 30.03. 11:30"),  # RECURRENCE-ID override
        ("Thu 01.04. 09:00", "Thu 01.04. 09:30"),  # 31.03. is an EXDATE
        ("Fri 02.04. 09:00", "Fri 02.04. 09:30"),
    ]


def test_thunderbird_new_york_event_in_the_weeks_between_us_and_eu_dst() -> None:
    busy = cal("thunderbird.ics").busy(utc(2027, 3, 22), utc(2027, 3, 28))
    # 10:00 New York (already EDT, UTC-4) is 15:00 in Berlin (still CET); floating 14:00 is local
    assert [local(b) for b in busy] == [("Wed 24.03. 15:00", "Wed 24.03. 16:00"),
                                        ("Fri 26.03. 14:00", "Fri 26.03. 15:00")]


def test_file_writes_replace_by_uid_and_remove(tmp_path: Path) -> None:
    path = tmp_path / "calendar.ics"
    shutil.copy(ICS / "google.ics", path)
    c = IcsFileCalendar(path, BERLIN, OWNER, writable=True)
    start, end = utc(2026, 12, 7, 13), utc(2026, 12, 7, 14)
    ics = new_event("new-1@assistenz", start, end, "Termin", "anna@beispiel-design.de", "Anna",
                    ["max@kunde.example"], utc(2026, 11, 27), method="REQUEST")
    c.add_event(ics)
    c.add_event(ics)  # same UID twice: stored once
    assert [b.uid for b in c.busy(start, end)] == ["new-1@assistenz"]
    assert c.sequence_of("new-1@assistenz") == 0
    assert c.remove_event("new-1@assistenz") and not c.remove_event("new-1@assistenz")
    assert c.busy(start, end) == []
    assert "METHOD:REQUEST" not in path.read_text()


def test_missing_or_broken_file_is_a_calendar_error(tmp_path: Path) -> None:
    with pytest.raises(CalendarError):
        IcsFileCalendar(tmp_path / "nope.ics", BERLIN).busy(utc(2026, 12, 1), utc(2026, 12, 2))
    bad = tmp_path / "bad.ics"
    bad.write_text("this is not a calendar")
    with pytest.raises(CalendarError):
        IcsFileCalendar(bad, BERLIN).busy(utc(2026, 12, 1), utc(2026, 12, 2))
