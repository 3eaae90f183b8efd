"""Scheduling wishes as people write them: which days and hours they ask for, how long, and
what a reschedule moves where (German and English)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from agent.scheduling.length import appointment_type, duration_in
from agent.scheduling.wish import Wish, default_duration, read_wish
from agent.scheduling.zones import sender_zone

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
    ("eine Stunde später", None), ("Rechnung über 45 EUR", None), ("einen halben Tag", 240),
    ("half a day", 240), ("a half-day workshop", 240),
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


@pytest.mark.parametrize(("text", "language"), [
    ("Könnten wir uns zwischen den Jahren zusammensetzen?", "de"),
    ("Could we meet between Christmas and New Year?", "en"),
])
def test_between_the_years_is_the_days_after_christmas(text: str, language: str) -> None:
    assert days(wish(text, language)) == ["Mon 28", "Sun 27", "Thu 31", "Tue 29", "Wed 30"]


@pytest.mark.parametrize(("text", "language", "first", "last"), [
    ("Können wir uns Ende des Monats zusammensetzen?", "de", date(2026, 12, 21),
     date(2026, 12, 31)),
    ("Could we meet at the end of the month?", "en", date(2026, 12, 21), date(2026, 12, 31)),
    ("Ginge es Anfang nächsten Monats?", "de", date(2027, 1, 1), date(2027, 1, 10)),
    ("How about early next month?", "en", date(2027, 1, 1), date(2027, 1, 10)),
])
def test_a_part_of_this_or_next_month(text: str, language: str, first: date,
                                      last: date) -> None:
    named = sorted({a.date() for a, _ in wish(text, language).windows})
    assert named[0] == first and named[-1] == last


@pytest.mark.parametrize(("text", "language"), [
    ("Ginge es am Montag irgendwann vor 12? Nachmittags geht es bei mir nicht.", "de"),
    ("Could we do Monday, before 12, please?", "en"),
])
def test_a_bare_hour_after_before_is_an_end(text: str, language: str) -> None:
    assert spans(wish(text, language)) == {"Mon 07 00:00-12:00"}


def test_ab_10_mal_ne_stunde_is_from_10_for_an_hour() -> None:
    w = wish("Hast du morgen ab 10 mal ne Stunde Zeit?")
    assert spans(w) == {"Thu 03 10:00-23:59"} and w.duration == timedelta(hours=1)
    assert wish("Das machen wir ab 10 mal pro Woche.").windows == wish("Das machen wir.").windows


@pytest.mark.parametrize(("text", "minutes"), [
    ("thanks for the quick reply. could we meet on friday?", 60),
    ("danke für die kurze rückmeldung. können wir uns freitag treffen?", 60),
    ("hast du freitag kurz zeit?", 30), ("free for a quick chat on friday?", 30),
    ("a short meeting on friday?", 30), ("ein kurzer termin am freitag?", 30),
])
def test_short_means_the_meeting_not_the_reply(text: str, minutes: int) -> None:
    assert default_duration(text, timedelta(hours=1)) == timedelta(minutes=minutes)


@pytest.mark.parametrize(("text", "language"), [
    ("Danke für das gute Gespräch am Montag. Für das nächste schlage ich die KW 51 vor, am "
     "liebsten Dienstag oder Mittwoch.", "de"),
    ("Thanks for the meeting on Monday. For the next one, how about the week of the 14th, "
     "Tuesday or Wednesday?", "en"),
])
def test_a_day_past_in_a_short_sentence_is_no_wish(text: str, language: str) -> None:
    assert days(wish(text, language)) == ["Tue 15", "Wed 16"]


@pytest.mark.parametrize(("text", "language"), [
    ("Ginge es am Montag? Nachmittags stehe ich leider selbst im Laden.", "de"),
    ("Could we talk on Monday? Afternoons are when I have client workshops.", "en"),
])
def test_hours_the_sender_is_taken_are_no_wish(text: str, language: str) -> None:
    assert spans(wish(text, language)) == {"Mon 07 07:00-20:00"}


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Könnten wir uns Ende des Monats zusammensetzen? Der Tag ist mir egal, nur montags bin "
     "ich meist\nauf Baustellen.", "de", ["Fri 25", "Sat 26"]),
    ("Could we meet next week? Tuesday or Wednesday morning would be best, as I have a trade "
     "fair from Thursday on.", "en", ["Tue 08", "Wed 09"]),
])
def test_days_the_sender_is_taken_are_left_out(text: str, language: str,
                                               expected: list[str]) -> None:
    found = days(wish(text, language))
    assert all(d in found for d in expected) and not any(d.startswith("Mon") for d in found)
    assert len(found) == (9 if language == "de" else 2)  # 21–31 Dec without two Mondays


@pytest.mark.parametrize(("text", "language"), [
    ("Thursday?\nDoes Thursday after lunch suit you?", "en"),
    ("Donnerstag\nGeht es Donnerstag nach der Mittagspause?", "de"),
])
def test_a_day_named_again_with_hours_is_those_hours(text: str, language: str) -> None:
    assert spans(wish(text, language)) == {"Thu 03 13:00-23:59"}


@pytest.mark.parametrize(("text", "language"), [
    ("Would Tuesday or Wednesday morning work? Any time between 9 and 11.", "en"),
    ("Ginge Dienstag oder Mittwoch vormittags? Am besten zwischen 9 und 11 Uhr.", "de"),
])
def test_hours_in_a_sentence_of_their_own_narrow_the_parts(text: str, language: str) -> None:
    assert spans(wish(text, language)) == {"Tue 08 09:00-11:00", "Wed 09 09:00-11:00"}


@pytest.mark.parametrize(("text", "language"), [
    ("Next week any day but Friday works for us, mornings preferred.", "en"),
    ("Nächste Woche geht jeder Tag bis auf Freitag, am liebsten vormittags.", "de"),
])
def test_any_day_but_one(text: str, language: str) -> None:
    assert days(wish(text, language)) == ["Mon 07", "Sat 12", "Sun 13", "Thu 10", "Tue 08",
                                          "Wed 09"]


@pytest.mark.parametrize(("text", "language"), [
    ("Could we push our meeting on Wednesday 9th (10am) to Friday 11th, same time?", "en"),
    ("Können wir den Termin am Mittwoch, 9.12., um 10 Uhr auf Freitag, 11.12., verschieben, "
     "zur gleichen Uhrzeit?", "de"),
])
def test_moved_to_another_day_at_the_same_time(text: str, language: str) -> None:
    w = wish(text, language)
    assert w.intent == "reschedule" and w.moved == datetime(2026, 12, 9, 10, tzinfo=BERLIN)
    assert w.exact == (datetime(2026, 12, 11, 10, tzinfo=BERLIN),)


@pytest.mark.parametrize(("text", "language"), [
    ("Wegen einer Dienstreise schaffe ich es leider nicht zu unserem Termin am Freitag (4.12.) "
     "um 14 Uhr. Könnten wir das auf Donnerstag nächste Woche verschieben, gleiche Uhrzeit?", "de"),
    ("I can't make our appointment on Friday 4 December at 2pm. Could we move it to Thursday "
     "next week instead, same time?", "en"),
])
def test_the_time_one_cannot_make_is_the_time_being_moved(text: str, language: str) -> None:
    w = wish(text, language)
    assert w.moved == datetime(2026, 12, 4, 14, tzinfo=BERLIN)
    assert w.exact == (datetime(2026, 12, 10, 14, tzinfo=BERLIN),)


@pytest.mark.parametrize(("text", "language"), [
    ("Our piano needs tuning after the\nmove. Could you come on Monday?", "en"),
    ("Nach dem Umzug muss das Klavier gestimmt werden. Ginge es am Montag?", "de"),
])
def test_a_house_move_is_no_reschedule(text: str, language: str) -> None:
    assert wish(text, language).intent == "request"


@pytest.mark.parametrize(("text", "language"), [
    ("Could you come the week of the 14th? Any weekday works except Wednesday, before noon.",
     "en"),
    ("Ginge es in der Woche ab dem 14.? Werktags außer Mittwoch, bis mittags.", "de"),
])
def test_weekdays_only_and_before_noon(text: str, language: str) -> None:
    assert spans(wish(text, language)) == {f"{d} 00:00-12:00" for d in (
        "Mon 14", "Tue 15", "Thu 17", "Fri 18")}


@pytest.mark.parametrize(("text", "language"), [
    ("I'm in London until the 9th. Could we look at the week after that, Monday or Tuesday "
     "afternoon?", "en"),
    ("Ich bin bis zum 9. verreist. Ginge es in der Woche danach, Montag oder Dienstag "
     "nachmittags?", "de"),
])
def test_the_week_after_that_follows_the_day_named(text: str, language: str) -> None:
    assert spans(wish(text, language)) == {"Mon 14 13:00-18:00", "Tue 15 13:00-18:00"}


@pytest.mark.parametrize(("text", "language"), [
    ("Are you around tomorrow or the day after? Any time is fine, I work from home this week.",
     "en"),
    ("Hast du morgen oder übermorgen Zeit? Ich arbeite diese Woche von zu Hause.", "de"),
])
def test_tomorrow_or_the_day_after(text: str, language: str) -> None:
    assert days(wish(text, language)) == ["Fri 04", "Thu 03"]


@pytest.mark.parametrize(("text", "kind"), [
    ("wann passt ihnen das küchenaufmaß?", "Aufmaß"), ("ein vor-ort-aufmaß am freitag", "Aufmaß"),
    ("zum aufmaßtermin", "Aufmaß"), ("ihre zustimmung vorausgesetzt", None),
    ("could we book the site survey?", "site survey"),
    # no name, but a word of its family (prompts/scheduling/appointment_words.yaml)
    ("a survey of the site", "site survey"),
])
def test_an_appointment_type_at_the_end_of_a_compound(text: str, kind: str | None) -> None:
    found = appointment_type(text, TYPES | {"Stimmung": 90})
    assert (found[0] if found else None) == kind


@pytest.mark.parametrize(("text", "language", "first", "last"), [
    ("Hätten Sie in der zweiten Dezemberhälfte Zeit?", "de", date(2026, 12, 16),
     date(2026, 12, 31)),
    ("Could we meet in the second half of December?", "en", date(2026, 12, 16),
     date(2026, 12, 31)),
    ("Ginge es in der ersten Hälfte des Monats?", "de", date(2026, 12, 3), date(2026, 12, 15)),
])
def test_half_of_a_month(text: str, language: str, first: date, last: date) -> None:
    named = sorted({a.date() for a, _ in wish(text, language).windows})
    assert named[0] == first and named[-1] == last


@pytest.mark.parametrize(("text", "zone"), [
    ("i'm in singapore - could we talk monday in your morning?", BERLIN),
    ("ich bin in singapur, ginge montag vormittags nach ihrer zeit?", BERLIN),
    ("could we talk monday at 9am eastern?", ZoneInfo("America/New_York")),
])
def test_your_morning_is_the_owners(text: str, zone: ZoneInfo) -> None:
    sent = datetime(2026, 12, 2, 16, 0, tzinfo=timezone(timedelta(hours=8)))
    assert sender_zone(text, sent, BERLIN) == zone


@pytest.mark.parametrize(("text", "language", "expected"), [
    # TODAY is Wednesday 2 December: this Friday is the 4th, the next one the 11th
    ("The shower tray you fitted in November is leaking again. Can someone come and take a "
     "look? I work from home on Fridays, so this Friday or next would be ideal.", "en",
     ["Fri 04", "Fri 11"]),
    ("Wir möchten einen Termin zur Beratung.\nSometime the week\nafter next would be good. "
     "Ideally a Monday.", "en", ["Mon 14"]),
    ("Wir bekommen Ende Januar eine neue Küche und bräuchten jemanden, der die Wand ausmisst. "
     "Montag, der 7., oder Donnerstag, der 10., wären bei uns möglich.", "de",
     ["Mon 07", "Thu 10"]),
])
def test_windows_as_customers_write_them(text: str, language: str,
                                         expected: list[str]) -> None:
    assert days(wish(text, language)) == expected


def test_an_area_is_no_time_and_working_hours_rule_out_a_part_of_the_day() -> None:
    w = wish("Unser Bad hat ca. 8 qm. Könnten Sie nächste Woche zum Ausmessen vorbeikommen? "
             "Am besten Donnerstag oder Freitag vormittags, nachmittags arbeite ich.")
    assert not w.exact and spans(w) == {"Thu 10 08:00-12:00", "Fri 11 08:00-12:00"}


@pytest.mark.parametrize(("text", "language"), [
    ("I have to move my consultation on Thursday 10th. Could we do the Monday after instead, "
     "any time before 12?", "en"),
    ("Ich muss die Beratung am Donnerstag, 10.12., verschieben. Ginge der Montag danach, "
     "vor 12?", "de"),
])
def test_the_weekday_after_the_moved_one(text: str, language: str) -> None:
    w = wish(text, language)
    assert w.intent == "reschedule" and days(w) == ["Mon 14"]


def test_a_preferred_part_of_the_day_with_flexibility_is_a_preference() -> None:
    assert wish("Afternoons would be ideal, but we're flexible.", "en").flexible
    assert wish("Am liebsten nachmittags, notfalls auch vormittags.").flexible
    assert not wish("Afternoons only, please.", "en").flexible


@pytest.mark.parametrize(("text", "kind"), [
    ("könnten sie zum ausmessen vorbeikommen?", "Aufmaß"),
    ("could someone pop round to have a look and measure up?", "Aufmaß"),
    ("wir hätten gern ein erstes gespräch", "Erstgespräch"),
    ("an initial consultation next week", "Erstgespräch"),
    ("wir planen eine renovierung und möchten sie kennenlernen", "Erstgespräch"),
    ("können sie sich das vor ort anschauen?", "site survey"),
    ("could you come and measure the bathroom?", "Aufmaß"),
])
def test_a_type_named_by_a_word_of_its_family(text: str, kind: str | None) -> None:
    found = appointment_type(text, TYPES)
    assert (found[0] if found else None) == kind


@pytest.mark.parametrize(("text", "language", "expected"), [
    # TODAY is Wednesday 2 December
    ("Is there any chance of an appointment between 7 and 9 some day next week?", "en",
     {"Mon 07 07:00-09:00", "Tue 08 07:00-09:00", "Wed 09 07:00-09:00", "Thu 10 07:00-09:00",
      "Fri 11 07:00-09:00", "Sat 12 07:00-09:00", "Sun 13 07:00-09:00"}),
    ("Could you pop by early next week, first thing in the morning?", "en",
     {"Mon 07 08:00-10:00", "Tue 08 08:00-10:00"}),
    ("Können wir in 14 Tagen einen Termin machen? Mittwochs wäre gut.", "de",
     {"Wed 16 07:00-20:00"}),
    ("Would sometime in two weeks work? Thursday or Friday preferably.", "en",
     {"Thu 17 07:00-20:00", "Fri 18 07:00-20:00"}),
])
def test_more_windows_as_customers_write_them(text: str, language: str,
                                              expected: set[str]) -> None:
    assert spans(wish(text, language)) == expected


def test_days_the_sender_is_away_are_left_out() -> None:
    w = wish("Ich bräuchte einen Termin. Ab dem 11. habe ich drei Wochen Urlaub, davor geht es "
             "bei mir nur freitags.")
    assert days(w) == ["Fri 04"]


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Geht es bei Ihnen auch nur freitags?", "de", ["Fri 04", "Fri 11"]),
    ("Dienstags oder donnerstags wäre gut.", "de", ["Thu 03", "Thu 10", "Tue 08", "Tue 15"]),
    ("Could we meet on Fridays?", "en", ["Fri 04", "Fri 11"]),
    ("Any Tuesday in January would work.", "en", ["Tue 05", "Tue 12", "Tue 19", "Tue 26"]),
    ("Jeden Montag ginge bei mir.", "de", ["Mon 07", "Mon 14"]),
    # a single weekday stays the next one, and a plural one inside a named week that week's
    ("Wie wäre Freitag?", "de", ["Fri 04"]),
    ("Nächste Woche dienstags?", "de", ["Tue 08"]),
])
def test_a_weekday_in_the_plural_is_each_such_day(text: str, language: str,
                                                  expected: list[str]) -> None:
    assert days(wish(text, language)) == expected


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Wie wäre übernächsten Montag oder Dienstag?", "de", ["Mon 14", "Tue 15"]),
    ("Übernächsten Montag oder am Dienstag?", "de", ["Mon 14", "Tue 15"]),
    ("Ginge übernächste Woche Dienstag?", "de", ["Tue 15"]),
    ("How about the Monday after next?", "en", ["Mon 14"]),
    ("Could we do Tuesday or Wednesday the week after next?", "en", ["Tue 15", "Wed 16"]),
    # "nächsten Montag oder Dienstag" is the next of each
    ("Wie wäre nächsten Montag oder Dienstag?", "de", ["Mon 07", "Tue 08"]),
])
def test_the_week_after_next_holds_each_weekday_named_with_it(text: str, language: str,
                                                               expected: list[str]) -> None:
    assert days(wish(text, language)) == expected


EARLY = {d: (time(7, 0), time(16, 0)) for d in range(5)}  # a roofer's day
LATE = {d: (time(9, 0), time(19, 0)) for d in range(6)}  # a shop open until 19


@pytest.mark.parametrize(("text", "language", "hours", "expected"), [
    ("Dienstag vormittags?", "de", EARLY, {"Tue 08 07:00-12:00"}),
    ("Tuesday morning, please.", "en", EARLY, {"Tue 08 07:00-12:00"}),
    ("Dienstag nachmittags?", "de", LATE, {"Tue 08 13:00-19:00"}),
    ("Tuesday afternoon, please.", "en", LATE, {"Tue 08 13:00-19:00"}),
    # the fixed part where the owner's day is shorter (the working hours cut it later) …
    ("Dienstag vormittags?", "de", LATE, {"Tue 08 08:00-12:00"}),
    ("Dienstag nachmittags?", "de", EARLY, {"Tue 08 13:00-18:00"}),
    # … and the hours the sender names stay theirs
    ("Dienstag zwischen 8 und 12?", "de", EARLY, {"Tue 08 08:00-12:00"}),
])
def test_parts_of_the_day_follow_the_owners_working_day(
        text: str, language: str, hours: dict[int, tuple[time, time]],
        expected: set[str]) -> None:
    w = read_wish(text.lower(), TODAY, BERLIN, language, HORIZON, TYPES, hours=hours)
    assert spans(w) == expected


def test_a_whole_day_follows_the_owners_working_day() -> None:
    w = read_wish("dienstag?", TODAY, BERLIN, "de", HORIZON, TYPES,
                  hours={1: (time(6, 0), time(22, 0))})
    assert spans(w) == {"Tue 08 06:00-22:00"}


BEFORE_23 = [f"{TODAY + timedelta(days=i):%a %d}" for i in range(1, 21)]  # 3 to 22 December


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Geht es vor dem 23.?", "de", BEFORE_23),
    ("Could we meet before the 23rd?", "en", BEFORE_23),
    ("Kurz vor dem Konzert am 23. wäre ideal.", "de", BEFORE_23),
    ("Shortly before the concert on the 23rd, please.", "en", BEFORE_23),
    # "bis spätestens" / "by … at the latest" keep the day itself
    ("Bis spätestens Freitag bitte.", "de", ["Fri 04", "Thu 03"]),
    ("Could you come by Friday at the latest?", "en", ["Fri 04", "Thu 03"]),
    # a range of days and a time before are no deadline
    ("Von Montag bis Mittwoch geht.", "de", ["Mon 07", "Wed 09"]),
    ("Ginge es am 9. vor 11 Uhr?", "de", ["Wed 09"]),
])
def test_a_deadline_asks_for_the_days_before_it(text: str, language: str,
                                                expected: list[str]) -> None:
    assert days(wish(text, language)) == sorted(expected)


@pytest.mark.parametrize(("text", "language"), [
    ("Hast du nächste Woche in der Mittagspause Zeit? Dienstag oder Mittwoch wäre ideal.", "de"),
    ("Could we do Tuesday or Wednesday next week during my lunch break?", "en"),
    ("Next week Tuesday or Wednesday, in my lunch hour?", "en"),
])
def test_the_senders_lunch_break_is_midday(text: str, language: str) -> None:
    assert spans(wish(text, language)) == {"Tue 08 12:00-14:00", "Wed 09 12:00-14:00"}


@pytest.mark.parametrize("text", [
    "Ich arbeite bis 17 Uhr und bin dann in 10 Minuten bei Ihnen.",
    "Ich wohne nur 5 Minuten entfernt, komme also gern spontan.",
    "I'm only a 10 minute walk away, so any time is fine.",
    "I can be there within 20 minutes.",
])
def test_a_way_to_the_appointment_is_no_length(text: str) -> None:
    assert duration_in(text.lower()) is None


def test_a_length_beside_a_way_is_still_read() -> None:
    text = "Ich bin in 10 Minuten bei Ihnen und bräuchte eine Dreiviertelstunde."
    assert duration_in(text.lower()) == timedelta(minutes=45)


@pytest.mark.parametrize(("text", "kind"), [
    ("Would it be possible for you to do a home visit early next month?", "Hausbesuch"),
    ("Könnten Sie für die Hausbesuche bei meinem Vater nächste Woche kommen?", "Hausbesuch"),
    ("Could I book a first assessment with you?", "Erstbefund"),
    ("Ich bräuchte eine Erstuntersuchung, am liebsten Montag.", "Erstbefund"),
])
def test_a_practices_types_are_named_in_everyday_words(text: str, kind: str) -> None:
    practice = {"Erstbefund": 60, "Behandlung": 45, "Hausbesuch": 75}
    found = appointment_type(text.lower(), practice)
    assert found is not None and found[0] == kind


@pytest.mark.parametrize(("text", "language"), [
    ("Nächste Woche Dienstag oder Mittwoch nach Feierabend, ich arbeite bis 18 Uhr.", "de"),
    ("Tuesday or Wednesday next week, but it has to be after work - I finish at 6.", "en"),
])
def test_after_work_starts_when_the_sender_says_work_ends(text: str, language: str) -> None:
    w = wish(text, language)
    assert spans(w) == {"Tue 08 18:00-21:00", "Wed 09 18:00-21:00"}
    assert not w.exact  # the end of their work is no time asked for


@pytest.mark.parametrize(("text", "language"), [
    ("Any weekday but Monday next week would work for me.", "en"),
])
def test_any_weekday_but_one_leaves_that_day_out(text: str, language: str) -> None:
    assert days(wish(text, language)) == ["Fri 11", "Thu 10", "Tue 08", "Wed 09"]


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("I'd like to start as soon as possible. Any weekday but Monday next week would work.",
     "en", ["Fri 11", "Thu 10", "Tue 08", "Wed 09"]),
    ("Ich bräuchte zeitnah einen Termin, nächste Woche Dienstag oder Mittwoch.", "de",
     ["Tue 08", "Wed 09"]),
    # alone it is still the coming days
    ("Could you fit me in as soon as possible?", "en",
     [f"{TODAY + timedelta(days=i):%a %d}" for i in range(1, 8)]),
])
def test_as_soon_as_possible_gives_way_to_the_days_named(text: str, language: str,
                                                        expected: list[str]) -> None:
    assert days(wish(text, language)) == sorted(expected)


@pytest.mark.parametrize(("text", "language"), [
    ("Could I book a 90 min massage before my race on the 20th? Wednesday or Thursday next "
     "week, any time after 2.", "en"),
    ("Vor meinem Wettkampf am 20. bräuchte ich noch eine Massage. Mittwoch oder Donnerstag "
     "nächste Woche, gern ab 14 Uhr.", "de"),
])
def test_a_deadline_narrows_the_days_named_with_it(text: str, language: str) -> None:
    assert spans(wish(text, language)) == {"Wed 09 14:00-23:59", "Thu 10 14:00-23:59"}


@pytest.mark.parametrize(("text", "language"), [
    ("I'd like to restart my treatment in January - not before the 10th though, I'm only back "
     "on the 9th. Mornings would be great.", "en"),
    ("Ich würde im Januar gern wieder anfangen, aber nicht vor dem 10., ich bin erst am 9. "
     "zurück. Vormittags wäre super.", "de"),
])
def test_not_before_a_day_cuts_the_month_named(text: str, language: str) -> None:
    found = {a.date() for a, _ in wish(text, language).windows}
    assert min(found) == date(2027, 1, 10) and max(found) == date(2027, 1, 31)


@pytest.mark.parametrize(("text", "language"), [
    ("I'm away until the 13th, so not before the 14th please. Afternoons suit me best.", "en"),
    ("Bis zum 13. bin ich verreist, also bitte nicht vor dem 14. Nachmittags wäre gut.", "de"),
])
def test_not_before_a_day_is_a_week_from_it(text: str, language: str) -> None:
    assert days(wish(text, language)) == sorted(
        f"{date(2026, 12, 14) + timedelta(days=i):%a %d}" for i in range(7))


@pytest.mark.parametrize(("text", "language"), [
    ("Would a home visit be possible next Tuesday? Mornings are best, she's very tired in the "
     "afternoons.", "en"),
    ("Ginge ein Hausbesuch nächsten Dienstag? Vormittags am besten, nachmittags ist sie "
     "sehr müde.", "de"),
])
def test_a_part_of_the_day_someone_is_tired_is_no_wish(text: str, language: str) -> None:
    assert spans(wish(text, language)) == {"Tue 08 08:00-12:00"}


@pytest.mark.parametrize(("text", "language", "start"), [
    ("Nächste Woche Dienstag nach Feierabend? Ich arbeite bis 17 Uhr und bin dann in 10 "
     "Minuten bei Ihnen.", "de", "17:10"),
    ("Tuesday next week after work - I finish at 5 and can be with you by quarter past.",
     "en", "17:15"),
    ("Dienstag nächste Woche nach Feierabend, ich arbeite bis 17 Uhr und brauche eine "
     "Viertelstunde zu Ihnen.", "de", "17:15"),
])
def test_the_way_after_work_is_added_to_its_end(text: str, language: str, start: str) -> None:
    assert spans(wish(text, language)) == {f"Tue 08 {start}-21:00"}


@pytest.mark.parametrize(("text", "language"), [
    ("Können wir die Behandlungen ab nächster Woche immer dienstags machen? Gern ab 17 Uhr.",
     "de"),
    ("Could we do the sessions on Tuesdays from next week on? After 5pm ideally.", "en"),
])
def test_every_weekday_from_next_week_is_each_one_from_then(text: str, language: str) -> None:
    assert spans(wish(text, language)) == {"Tue 08 17:00-23:59", "Tue 15 17:00-23:59"}


@pytest.mark.parametrize(("text", "language"), [
    ("Ich hätte gern nächste Woche eine Behandlung. Montags und mittwochs kann ich aber nicht, "
     "da arbeite ich bis 18 Uhr.", "de"),
    ("A session next week, please. Mondays and Wednesdays I can't, I work late in Celle.", "en"),
])
def test_weekdays_listed_and_ruled_out_are_left_out(text: str, language: str) -> None:
    assert days(wish(text, language)) == ["Fri 11", "Sat 12", "Sun 13", "Thu 10", "Tue 08"]


@pytest.mark.parametrize(("text", "language"), [
    ("Weekdays are impossible with my commute. This Saturday or next would be ideal.", "en"),
    ("Unter der Woche geht es bei mir nicht. Diesen Samstag oder nächsten?", "de"),
])
def test_weekdays_ruled_out_leave_the_weekend(text: str, language: str) -> None:
    assert days(wish(text, language)) == ["Sat 05", "Sat 12"]


def test_typos_in_a_week_and_a_weekday_ruled_out() -> None:
    assert days(wish("irgendwann ende nächster woch wär super aber nich freitag.")) == [
        "Thu 10"]


@pytest.mark.parametrize(("text", "language"), [
    ("Can we move Thursday's session (3rd, 8am) to the following Tuesday, same time?", "en"),
    ("Können wir die Sitzung am Donnerstag (3.12., 8 Uhr) auf den darauffolgenden Dienstag "
     "verschieben, gleiche Uhrzeit?", "de"),
])
def test_a_move_to_the_following_weekday(text: str, language: str) -> None:
    w = wish(text, language)
    assert w.intent == "reschedule" and w.moved == datetime(2026, 12, 3, 8, tzinfo=BERLIN)
    assert w.exact == (datetime(2026, 12, 8, 8, tzinfo=BERLIN),)


@pytest.mark.parametrize(("text", "language"), [
    ("Der Hausbesuch morgen um 10 passt leider nicht, da kommt der Arzt. Ginge es stattdessen "
     "am Freitag früh?", "de"),
    ("The home visit tomorrow at 10 doesn't work any more, the doctor is coming. Could we do "
     "Friday morning instead?", "en"),
])
def test_a_time_that_no_longer_suits_and_another_instead_is_a_move(text: str,
                                                                   language: str) -> None:
    w = wish(text, language)
    assert w.intent == "reschedule" and w.moved == datetime(2026, 12, 3, 10, tzinfo=BERLIN)
    assert spans(w) == {"Fri 04 08:00-12:00"}


@pytest.mark.parametrize(("text", "language"), [
    ("Termin Montag verschieben\nKönnen wir meinen Termin am Montag (7.12.) um 10 Uhr "
     "verschieben? Am besten irgendwann in der gleichen Woche nachmittags.", "de"),
    ("Could we move my appointment on Monday (7 December) at 10am? Ideally some afternoon "
     "later that same week.", "en"),
])
def test_the_same_week_in_a_move_is_the_moved_ones(text: str, language: str) -> None:
    w = wish(text, language)
    assert w.moved == datetime(2026, 12, 7, 10, tzinfo=BERLIN)
    assert days(w) == ["Fri 11", "Mon 07", "Sat 12", "Sun 13", "Thu 10", "Tue 08", "Wed 09"]
    assert all(a > w.moved for a, _ in w.windows)


@pytest.mark.parametrize(("text", "kind"), [
    ("i've been prescribed manual lymph drainage", "Lymphdrainage"),
    ("a lymph-drainage session next week?", "Lymphdrainage"),
    ("the drainage of the garden", None),
])
def test_a_type_written_as_two_words_is_that_type(text: str, kind: str | None) -> None:
    found = appointment_type(text, {"Lymphdrainage": 60, "Behandlung": 45})
    assert (found[0] if found else None) == kind


def test_a_weekday_ruled_out_on_the_next_line_keeps_the_weekdays() -> None:
    w = wish("Towards the end of the month, any weekday but not\nMonday.", "en")
    assert days(w) == ["Fri 25", "Thu 24", "Thu 31", "Tue 22", "Tue 29", "Wed 23", "Wed 30"]


def test_a_subject_and_a_body_both_asking_to_move_read_the_body() -> None:
    w = wish("Termin Montag verschieben\nHallo Frau Lenz,\n\nkönnen wir meinen Termin am Montag "
             "(7.12.) um 10 Uhr verschieben? Am besten irgendwann in der gleichen Woche nach "
             "Feierabend, ich arbeite bis 17 Uhr.")
    assert w.moved == datetime(2026, 12, 7, 10, tzinfo=BERLIN) and not w.exact
    assert min(a for a, _ in w.windows) == datetime(2026, 12, 7, 17, tzinfo=BERLIN)


@pytest.mark.parametrize(("text", "language"), [
    ("I'm getting married on 24 April and would love a trial for an updo a few weeks before. "
     "Would a Saturday in late December work?", "en"),
    ("Meine Tochter heiratet am 10. April und wünscht sich eine Hochsteckfrisur. Ginge ein "
     "Probetermin an einem Samstag Ende Dezember?", "de"),
])
def test_the_day_of_the_senders_occasion_is_no_wish(text: str, language: str) -> None:
    assert days(wish(text, language)) == ["Sat 26"]


@pytest.mark.parametrize(("text", "language"), [
    ("I'll be in town from 7 to 10 December for a conference. Could I come in on the 9th or "
     "10th, after 5pm?", "en"),
    ("Ich bin vom 7. bis 10. Dezember auf einer Tagung in der Stadt. Ginge es am 9. oder 10., "
     "nach 17 Uhr?", "de"),
])
def test_a_range_of_dates_is_no_range_of_hours(text: str, language: str) -> None:
    assert spans(wish(text, language)) == {"Wed 09 17:00-23:59", "Thu 10 17:00-23:59"}


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Wir würden gern vorher einen Probetermin machen, irgendwann vor Weihnachten und am "
     "liebsten an einem Samstag.", "de", ["Sat 05", "Sat 12"]),
    ("Could we do it on a Saturday before Christmas?", "en", ["Sat 05", "Sat 12"]),
])
def test_some_weekday_before_a_feast_day(text: str, language: str, expected: list[str]) -> None:
    assert days(wish(text, language)) == expected


def test_before_easter_is_before_easter_sunday() -> None:
    w = read_wish("geht es an einem samstag vor ostern?", date(2027, 3, 8), BERLIN, "de",
                  tuple(date(2027, 3, 9) + timedelta(days=i) for i in range(14)), TYPES)
    assert sorted({a.date() for a, _ in w.windows}) == [date(2027, 3, 13), date(2027, 3, 20)]
