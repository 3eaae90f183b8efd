"""Scheduling wishes as people write them: which days and hours they ask for, how long, and
what a reschedule moves where (German and English)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agent.scheduling.length import appointment_type, duration_in
from agent.scheduling.wish import Wish, default_duration, read_wish

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 12, 2)  # a Wednesday
HORIZON = tuple(TODAY + timedelta(days=i) for i in range(1, 15))
TYPES = {"Aufmaß": 150, "Erstgespräch": 30, "site survey": 90}


def wish(text: str, language: str = "de") -> Wish:
    return read_wish(text.lower(), TODAY, BERLIN, language, HORIZON, TYPES)


def days(w: Wish) -> list[str]:
    return sorted({f"{a:%a %d}" for a, _ in w.windows})


def spans(w: Wish) -> set[str]:
    return {f"{a:%a %d %H:%M}-{b:%H:%M}" for a, b in w.windows}


@pytest.mark.parametrize(("text", "language"), [
    ("Could we meet next week? Tuesday or Wednesday morning would suit me best.", "en"),
    ("Hätten Sie nächste Woche Zeit? Am liebsten Dienstag oder Mittwoch vormittags.", "de"),
    ("Next week, Tuesday or Wednesday, in the morning?", "en"),
])
def test_weekdays_and_parts_of_the_day_narrow_the_week(text: str, language: str) -> None:
    assert spans(wish(text, language)) == {"Tue 08 08:00-12:00", "Wed 09 08:00-12:00"}


@pytest.mark.parametrize(("text", "language"), [
    ("Die Woche ab dem 14. passt mir, nachmittags, aber nicht am Mittwoch.", "de"),
    ("The week of the 14th works, afternoons – but not Wednesday.", "en"),
    ("Week of the 14th, afternoons. Wednesday doesn't work for me.", "en"),
])
def test_a_weekday_ruled_out_is_left_out(text: str, language: str) -> None:
    assert days(wish(text, language)) == ["Fri 18", "Mon 14", "Sat 19", "Sun 20", "Thu 17",
                                          "Tue 15"]


@pytest.mark.parametrize(("text", "day"), [
    ("Wie wäre Dienstag, 15., ab 10 Uhr?", "Tue 15"),
    ("Would Monday 14th work?", "Mon 14"),
    ("Is Wednesday the 9th possible?", "Wed 09"),
    ("Geht es am 11.?", "Fri 11"),
])
def test_a_day_number_says_which_weekday(text: str, day: str) -> None:
    assert days(wish(text, "en" if text.isascii() else "de")) == [day]


def test_from_a_day_on_opens_a_week() -> None:
    assert days(wish("Fürs Aufmaß ginge es bei mir ab Mittwoch, nächste Woche.")) == [
        "Fri 11", "Mon 14", "Sat 12", "Sun 13", "Thu 10", "Tue 15", "Wed 09"]


@pytest.mark.parametrize(("text", "minutes"), [
    ("a 45-minute call", 45), ("ein 45-minütiges Telefonat", 45), ("eine Dreiviertelstunde", 45),
    ("ein zweistündiger Termin", 120), ("ein eineinhalbstündiges Gespräch", 90),
    ("1½ Stunden", 90), ("about 2 1/2 hours", 150), ("ein viertelstündiger Anruf", 15),
    ("a couple of hours", 120), ("ein dreiviertelstündiges Telefonat", 45),
    ("1,5 Stunden", 90), ("a 2.5-hour workshop", 150), ("eine halbe Stunde", 30),
    ("anderthalb Stunden", 90), ("zwanzig Minuten", 20), ("twenty minutes", 20),
    ("two and a half hours", 150), ("zweieinhalb Stunden", 150), ("90 Minuten", 90),
    ("an hour and a half", 90), ("half an hour", 30), ("eine Viertelstunde", 15),
    ("2 Std.", 120), ("um 10 Uhr", None), ("24 Stunden vorher", None),
    ("eine Stunde später", None), ("Rechnung über 45 EUR", None),
])
def test_lengths_in_words_and_numbers(text: str, minutes: int | None) -> None:
    found = duration_in(text.lower())
    assert found == (timedelta(minutes=minutes) if minutes else None)


def test_an_appointment_type_brings_its_length_unless_the_text_names_one() -> None:
    meeting = timedelta(minutes=60)
    assert default_duration("können wir das aufmaß machen?", meeting, TYPES) == \
        timedelta(minutes=150)
    assert default_duration("zum aufmaßtermin am freitag", meeting, TYPES) == \
        timedelta(minutes=150)
    assert default_duration("a site survey next week", meeting, TYPES) == timedelta(minutes=90)
    assert default_duration("ein kurzes erstgespräch, gern 45 minuten", meeting, TYPES) == \
        timedelta(minutes=45)
    assert default_duration("kurz telefonieren?", meeting, TYPES) == timedelta(minutes=30)
    assert default_duration("treffen nächste woche?", meeting, TYPES) == meeting
    assert appointment_type("ein gespräch", TYPES) is None


def test_the_time_being_moved_is_not_a_wish() -> None:
    w = wish("Können wir den Termin morgen um 10 verschieben?")
    assert w.intent == "reschedule"
    assert w.moved == datetime(2026, 12, 3, 10, 0, tzinfo=BERLIN)
    assert w.exact == ()
    assert all(a > w.moved for a, _ in w.windows)  # the new window starts after it


def test_a_reschedule_wishes_what_it_moves_to() -> None:
    w = wish("Could we push Thursday's meeting to next week? Tuesday would be ideal.", "en")
    assert w.intent == "reschedule" and w.moved_day == date(2026, 12, 3)
    assert days(w) == ["Tue 08"]
    w = wish("Ich muss unser Planungsgespräch am Freitag verschieben. "
             "Ginge stattdessen Montag oder Dienstag nachmittags?")
    assert w.moved_day == date(2026, 12, 4)
    assert spans(w) == {"Mon 07 13:00-18:00", "Tue 08 13:00-18:00"}


@pytest.mark.parametrize(("text", "language", "moved_to"), [
    ("Können wir den Termin am Montag um 9 eine Stunde nach hinten schieben?", "de",
     datetime(2026, 12, 7, 10, 0, tzinfo=BERLIN)),
    ("Our session on Thursday at 3pm – could we do a week later, same time?", "en",
     datetime(2026, 12, 10, 15, 0, tzinfo=BERLIN)),
])
def test_a_shift_moves_the_time_it_names(text: str, language: str, moved_to: datetime) -> None:
    w = wish(text, language)
    assert w.intent == "reschedule" and w.exact == (moved_to,)


def test_a_cancellation_names_what_it_cancels() -> None:
    w = wish("Leider muss ich das Aufmaß am Dienstag absagen.")
    assert w.intent == "cancel" and w.moved_day == date(2026, 12, 8) and w.kind == "Aufmaß"


def test_not_before_is_a_start() -> None:
    assert spans(wish("Montag oder Freitag, aber bitte nicht vor 11.")) == {
        "Mon 07 11:00-23:59", "Fri 04 11:00-23:59"}
