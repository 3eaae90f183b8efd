"""The calendar logic as a user notices it: which invitations are accepted, which times are
offered for requests in German and English, and that no calendar content leaks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from conftest import FIXTURES

from agent.drafts import TemplateDrafter
from agent.parse.mime import parse_message
from agent.pipeline import triage
from agent.scheduling.availability import Availability, Problem, Rules
from agent.scheduling.holidays import holiday_check
from agent.scheduling.planner import Planner
from agent.view import build_view
from core.config import Calendar, Workspace
from core.ical.base import Busy
from core.models import (
    Action,
    Category,
    Classification,
    Mail,
    MessageView,
    Priority,
    Proposal,
    RawMessage,
    SchedulePlan,
    TimeSlot,
)
from service.deps import default_deps
from tools.calendar.fake import FakeCalendar
from tools.calendar.ics_file import IcsFileCalendar

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # Friday
TITLES = ("Sonnenkorn", "Zahnarzt", "Fotoshooting", "Messe", "Steuerberaterin", "Oma",
          "Wochenplanung", "Markthalle", "Druckabnahme")


@pytest.fixture
def wsc(ws: Workspace) -> Workspace:
    return ws.model_copy(update={"calendar": Calendar(ics=FIXTURES / "ics" / "google.ics")})


def planner(ws: Workspace, now: datetime = NOW) -> Planner:
    assert ws.calendar is not None and ws.calendar.ics is not None
    return Planner(ws, IcsFileCalendar(ws.calendar.ics, BERLIN), lambda: now)


def raw(body: str, subject: str = "Termin", sender: str = "Max Kunde <max@kunde.de>",
        date_header: str = "Fri, 27 Nov 2026 10:15:00 +0100", extra: str = "",
        message_id: str = "<req-1@kunde.de>") -> RawMessage:
    data = (f"From: {sender}\nTo: anna@beispiel-design.de\nSubject: {subject}\n"
            f"Date: {date_header}\nMessage-ID: {message_id}\n{extra}"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
            f"{body}\n").encode()
    return RawMessage(ref="t", data=data)


def mail(ws: Workspace, body: str, subject: str = "Termin",
         sender: str = "Max Kunde <max@kunde.de>",
         date_header: str = "Fri, 27 Nov 2026 10:15:00 +0100", extra: str = "") -> MessageView:
    return build_view(parse_message(raw(body, subject, sender, date_header, extra)), ws, NOW)


OFFERED = [TimeSlot(start=datetime(2026, 12, 1, 8, tzinfo=UTC),
                    end=datetime(2026, 12, 1, 9, tzinfo=UTC)),
           TimeSlot(start=datetime(2026, 12, 4, 10, tzinfo=UTC),
                    end=datetime(2026, 12, 4, 11, tzinfo=UTC))]


def offer_lookup(m: Mail) -> Proposal | None:
    """The offer the agent stored when it answered <req-1@kunde.de>."""
    if "<req-1@kunde.de>" not in m.references:
        return None
    return Proposal(thread_id="<req-1@kunde.de>", slots=OFFERED, timezone="Europe/Berlin")


def fixture(ws: Workspace, name: str) -> MessageView:
    data = (FIXTURES / "scheduling" / name).read_bytes()
    return build_view(parse_message(RawMessage(ref=name, data=data)), ws, NOW)


def local(s: TimeSlot) -> str:
    return s.start.astimezone(BERLIN).strftime("%a %d.%m. %H:%M")


def draft_body(ws: Workspace, v: MessageView, context: dict[str, str], kind: str) -> str:
    return TemplateDrafter().compose(v.mail, Category.scheduling, kind, ws, NOW, context).body


def test_invitation_that_fits_is_accepted_to_the_organizer(wsc: Workspace) -> None:
    plan = planner(wsc)(fixture(wsc, "invite-fits-outlook.eml"))
    assert plan.action is Action.auto and plan.reason == "cal_accept"
    assert [p.model_dump() for p in plan.planned_actions] == [{
        "type": "accept_invitation", "organizer": "j.hartmann@hartmann-ra.de",
        "uid": "040000008200E00074C5B7101A82E0080000000070F1C2D3E4A5DA01000000000000000010"
               "000000A1B2C3D4E5F60718293A4B5C6D7E8F90"}]  # an ics file is not written to
    assert not plan.replies


def test_conflicting_invitation_is_a_draft_naming_no_other_event(wsc: Workspace) -> None:
    v = fixture(wsc, "invite-conflict-google.eml")
    plan = planner(wsc)(v)
    assert plan.action is Action.draft and plan.reason == "cal_conflict"
    assert plan.offered and all(local(s).startswith("Wed 02.12.") for s in plan.offered[:1])
    body = draft_body(wsc, v, plan.draft_context, "draft")
    assert "schon einen anderen Termin" in body and "Mittwoch, 2. Dezember, 10:30 Uhr" in body
    assert not any(t in body for t in TITLES)


def test_invitation_outside_working_hours_or_on_a_holiday_is_a_draft(wsc: Workspace) -> None:
    late = fixture(wsc, "invite-fits-outlook.eml").model_copy()
    text = late.mail.calendar[0].text.replace("20261201T100000", "20261201T173000").replace(
        "20261201T110000", "20261201T183000")
    cal = late.mail.calendar[0].model_copy(update={"text": text})
    v = late.model_copy(update={"mail": late.mail.model_copy(update={"calendar": [cal]})})
    plan = planner(wsc)(v)
    assert plan.action is Action.draft and plan.reason == "cal_outside_hours"


def test_older_sequence_does_not_replace_the_stored_event(wsc: Workspace) -> None:
    uid = ("040000008200E00074C5B7101A82E0080000000070F1C2D3E4A5DA010000"
           "00000000000010000000A1B2C3D4E5F60718293A4B5C6D7E8F90")
    # stored from the same organizer (anyone else's REQUEST would not even be compared)
    fake = FakeCalendar(sequences={uid: 3}, organizers={uid: "j.hartmann@hartmann-ra.de"})
    plan = Planner(wsc, fake, lambda: NOW)(fixture(wsc, "invite-fits-outlook.eml"))
    assert plan.action is Action.notify and plan.reason == "cal_stale"


def test_cancel_with_a_file_calendar_only_tells_the_owner(wsc: Workspace) -> None:
    plan = planner(wsc)(fixture(wsc, "cancel-outlook.eml"))
    assert plan.action is Action.notify and plan.reason == "cal_cancel_note"
    assert [p.type for p in plan.planned_actions] == ["notify_owner"]


def test_german_request_gets_free_slots_in_the_asked_window(wsc: Workspace) -> None:
    v = mail(wsc, "Hallo Frau Beispiel,\n\nhätten Sie nächste Woche Dienstag oder Mittwoch "
                  "vormittags eine Stunde Zeit für ein Kennenlernen?\n\nViele Grüße\nMax Kunde")
    plan = planner(wsc)(v)
    assert plan.action is Action.auto and plan.reason == "cal_propose"
    # Tue 1.12. is free in the morning; Wed 2.12. is busy 10–12 (and 9:00 is in the buffer)
    assert [local(s) for s in plan.offered] == ["Tue 01.12. 09:00", "Tue 01.12. 11:00"]
    body = draft_body(wsc, v, plan.draft_context, "auto")
    assert "– Dienstag, 1. Dezember, 09:00–10:00 Uhr" in body
    assert not any(t in body for t in TITLES)


def test_english_request_from_new_york_is_answered_in_the_senders_time(wsc: Workspace) -> None:
    v = mail(wsc, "Hi Anna,\n\ncould we do a 30 minute call next Monday, ideally in my "
                  "morning?\n\nBest,\nRita", sender="Rita Gomez <rita@gomez-studio.example>",
             date_header="Thu, 26 Nov 2026 14:02:00 -0500")
    plan = planner(wsc)(v)
    assert plan.action is Action.auto
    assert plan.offered and all(s.end - s.start == timedelta(minutes=30) for s in plan.offered)
    # 8–12 in New York is 14–18 in Berlin; Anna works until 17:00
    assert all("14:00" <= s.start.astimezone(BERLIN).strftime("%H:%M") <= "16:30"
               for s in plan.offered)
    body = draft_body(wsc, v, plan.draft_context, "auto")
    assert "Monday, 30 November, 08:00–08:30 (UTC-05:00)" in body


def test_one_concrete_free_time_is_confirmed(wsc: Workspace) -> None:
    plan = planner(wsc)(mail(wsc, "Passt es Ihnen am 4.12. um 11 Uhr?"))
    assert plan.action is Action.auto and plan.reason == "cal_confirm"
    assert [local(s) for s in plan.booked] == ["Fri 04.12. 11:00"]
    event = plan.planned_actions[0].model_dump()
    assert event["type"] == "create_event" and event["attendees"] == ["max@kunde.de"]


def test_a_taken_concrete_time_gets_alternatives_that_day(wsc: Workspace) -> None:
    plan = planner(wsc)(mail(wsc, "Would Wednesday 2 December at 11am work for you?",
                             sender="Tom Reed <tom@reed.example>",
                             date_header="Fri, 27 Nov 2026 10:15:00 +0100"))
    assert plan.action is Action.auto and plan.reason == "cal_propose_other"
    assert {s.start.astimezone(BERLIN).date() for s in plan.offered} == {date(2026, 12, 2)}


def test_reschedule_and_cancel_in_words_are_drafts(wsc: Workspace) -> None:
    p = planner(wsc)
    assert p(mail(wsc, "Können wir unser Treffen am Dienstag auf nächste Woche verschieben?")
             ).action is Action.draft
    cancel = p(mail(wsc, "Leider muss ich unseren Termin morgen absagen."))
    assert cancel.action is Action.draft and cancel.reason == "cal_words_cancel"


def test_pick_from_stored_offer_is_confirmed(wsc: Workspace) -> None:
    offered = OFFERED
    assert wsc.calendar is not None and wsc.calendar.ics is not None
    planner = Planner(wsc, IcsFileCalendar(wsc.calendar.ics, BERLIN), lambda: NOW)

    def p(v: MessageView) -> SchedulePlan:
        return planner(v, offer_lookup(v.mail))

    head = "In-Reply-To: <reply-9@beispiel-design.de>\nReferences: <req-1@kunde.de> " \
           "<reply-9@beispiel-design.de>\n"
    plan = p(mail(wsc, "Super, der Freitag passt mir!", subject="AW: Termin", extra=head))
    assert plan.action is Action.auto and plan.reason == "cal_picked"
    assert plan.booked == [offered[1]]
    second = p(mail(wsc, "Ich nehme den ersten Termin.", subject="AW: Termin", extra=head))
    assert second.booked == [offered[0]]
    unclear = p(mail(wsc, "Danke, ich melde mich.", subject="AW: Termin", extra=head))
    assert unclear.action is Action.draft and unclear.reason == "cal_pick_unclear"


def test_free_slots_respect_buffer_notice_past_and_holidays(ws: Workspace) -> None:
    rules = Rules(hours=ws.owner.hours, zone=BERLIN, buffer=timedelta(minutes=15),
                  notice=timedelta(hours=12), is_holiday=holiday_check("DE-BE"))
    busy = (Busy(start=datetime(2027, 3, 9, 9, tzinfo=UTC),
                 end=datetime(2027, 3, 9, 10, tzinfo=UTC)),)
    now = datetime(2027, 3, 5, 8, tzinfo=UTC)
    a = Availability(rules, busy, now)
    at = datetime(2027, 3, 8, 10, tzinfo=BERLIN)  # International Women's Day: a Berlin holiday
    assert a.problem(at, at + timedelta(hours=1)) is Problem.holiday
    assert a.problem(now - timedelta(hours=1), now) is Problem.past
    assert a.problem(now + timedelta(hours=2), now + timedelta(hours=3)) is Problem.notice
    nine = datetime(2027, 3, 9, 11, 0, tzinfo=BERLIN)  # busy 10–11 Berlin, buffer to 11:15
    assert a.problem(nine, nine + timedelta(hours=1)) is Problem.busy
    day = [(datetime(2027, 3, 9, 0, tzinfo=BERLIN), datetime(2027, 3, 9, 23, tzinfo=BERLIN))]
    starts = [s.start.astimezone(BERLIN).strftime("%H:%M")
              for s in a.candidates(day, timedelta(hours=1))]
    assert starts[:3] == ["11:30", "12:00", "12:30"] and starts[-1] == "16:00"


def test_dst_week_slots_stay_on_the_local_clock(ws: Workspace) -> None:
    rules = Rules(hours=ws.owner.hours, zone=BERLIN)
    a = Availability(rules, (), datetime(2027, 3, 20, tzinfo=UTC))
    week = [(datetime(2027, 3, 26, 0, tzinfo=BERLIN), datetime(2027, 3, 29, 23, tzinfo=BERLIN))]
    slots = a.candidates(week, timedelta(hours=1))
    fri, mon = slots[0], next(s for s in slots if s.start.date() == date(2027, 3, 29))
    assert fri.start.astimezone(UTC).hour == 8 and mon.start.astimezone(UTC).hour == 7
    assert {s.start.astimezone(BERLIN).strftime("%H:%M") for s in slots} <= {
        f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)}


def test_short_answer_in_an_offer_thread_is_booked_not_guessed(wsc: Workspace) -> None:
    """"Passt, nehmen wir den Freitag" says little by itself; in the thread of slots the
    agent offered it is the pick, and the whole pipeline books it."""
    assert wsc.calendar is not None and wsc.calendar.ics is not None
    deps = default_deps(wsc, clock=lambda: NOW)
    deps.schedule = Planner(wsc, IcsFileCalendar(wsc.calendar.ics, BERLIN), lambda: NOW)
    deps.offers = offer_lookup
    body = "Passt, nehmen wir den Freitag.\n\nViele Grüße\nMax"
    head = "In-Reply-To: <reply-9@beispiel-design.de>\nReferences: <req-1@kunde.de>\n"
    answer = raw(body, subject="AW: Ihre Anfrage", extra=head, message_id="<ans-1@kunde.de>")
    out = triage(answer, deps)
    assert out.classification.decided_by == "thread:offer"
    assert out.decision.action is Action.auto and out.decision.calendar.booked == [OFFERED[1]]
    assert "Terminvorschläge" in out.explanation
    alone = triage(raw(body, subject="AW: Ihre Anfrage", message_id="<ans-1@kunde.de>"), deps)
    assert alone.classification.decided_by != "thread:offer" and not alone.decision.calendar.booked


class Unsure:
    """A classifier that files the mail as scheduling but is not sure enough to act alone."""

    name = "unsure"

    def classify(self, view: MessageView) -> Classification:
        return Classification(category=Category.scheduling, confidence=0.4,
                              priority=Priority.normal, decided_by="knn")


@pytest.mark.parametrize("how", ["unsure", "delegation_draft"])
def test_a_scheduling_draft_still_offers_free_slots(wsc: Workspace, how: str) -> None:
    """Rule 3 (unsure) or the owner's delegation keep the reply a draft; the owner still
    finds the calendar's free slots in it, ready to approve, and nothing is booked."""
    ws = wsc
    if how == "delegation_draft":
        ws = wsc.model_copy(update={"delegation": {**wsc.delegation,
                                                   Category.scheduling: Action.draft}})
    deps = default_deps(ws, clock=lambda: NOW)
    asked = ("Hätten Sie nächste Woche Dienstag oder Mittwoch vormittags eine Stunde Zeit für "
             "ein Gespräch?\n\nViele Grüße\nMax Kunde")
    if how == "unsure":
        deps.classifier = Unsure()
        # a question for a meeting and its day is certain (the time-request rule): rule 3
        # is for what only the classifier files as scheduling, such as a bare statement
        assert triage(raw(asked), deps).classification.decided_by == "time-request"
        asked = ("Zum Gespräch: nächste Woche Dienstag oder Mittwoch vormittags ginge bei mir, "
                 "eine Stunde reicht.\n\nViele Grüße\nMax Kunde")
    out = triage(raw(asked), deps)
    d = out.decision
    assert d.action is Action.draft and not d.calendar.booked and not d.planned_actions
    assert d.rule == ("r3-low-confidence" if how == "unsure" else "delegation")
    assert 2 <= len(d.calendar.offered) <= 3 and d.draft is not None
    for slot in d.calendar.offered:
        local_start = slot.start.astimezone(BERLIN)
        assert local_start.weekday() in (1, 2) and local_start.hour < 12  # Tue/Wed mornings
        assert local_start.strftime("%H:%M") in d.draft.body
    assert "[" not in d.draft.body  # no placeholder left for the owner to fill in


def test_weekdays_in_another_sentence_narrow_the_week(wsc: Workspace) -> None:
    plan = planner(wsc)(mail(wsc, "Hätten Sie nächste Woche eine Stunde Zeit? Am liebsten "
                                  "Dienstag oder Mittwoch vormittags."))
    assert plan.action is Action.auto and plan.offered
    assert {s.start.astimezone(BERLIN).date() for s in plan.offered} <= {date(2026, 12, 1),
                                                                         date(2026, 12, 2)}
    assert all(s.end.astimezone(BERLIN).hour <= 12 for s in plan.offered)


def test_open_ended_time_ends_with_the_working_day(wsc: Workspace) -> None:
    plan = planner(wsc)(mail(wsc, "Could we talk on Friday, 4 December? Any time after 10 "
                                  "works for me.", sender="Tom Reed <tom@reed.example>"))
    assert plan.action is Action.auto and plan.offered
    for s in plan.offered:
        a, b = s.start.astimezone(BERLIN), s.end.astimezone(BERLIN)
        assert a.date() == date(2026, 12, 4) and a.hour >= 10 and b.hour * 60 + b.minute <= 17 * 60


def test_an_appointment_type_from_the_config_sets_the_length(wsc: Workspace) -> None:
    typed = wsc.model_copy(update={"scheduling": wsc.scheduling.model_copy(
        update={"appointment_types": {"Aufmaß": 150, "Erstgespräch": 30}})})
    plan = planner(typed)(mail(typed, "Wann könnten wir das Aufmaß machen? Nächste Woche "
                                      "Donnerstag oder Freitag wäre gut."))
    assert plan.action is Action.auto and plan.offered
    assert all(s.end - s.start == timedelta(minutes=150) for s in plan.offered)
    first = planner(typed)(mail(typed, "Hätten Sie nächste Woche Zeit für ein Erstgespräch?"))
    assert all(s.end - s.start == timedelta(minutes=30) for s in first.offered)


def test_moving_a_booked_appointment_offers_times_after_it(wsc: Workspace) -> None:
    plan = planner(wsc)(mail(wsc, "Können wir unseren Termin am Mittwoch, 2.12., um 10 Uhr "
                                  "verschieben?"))
    assert plan.action is Action.draft and plan.reason == "cal_reschedule"
    assert plan.offered
    assert all(s.start > datetime(2026, 12, 2, 10, tzinfo=BERLIN) for s in plan.offered)


def test_moving_something_never_booked_is_an_ordinary_request(wsc: Workspace) -> None:
    plan = planner(wsc)(mail(wsc, "Können wir das Telefonat am Montag um 14 Uhr auf Dienstag "
                                  "verschieben?"))
    assert plan.action is Action.auto and plan.reason == "cal_propose"
    assert {s.start.astimezone(BERLIN).date() for s in plan.offered} == {date(2026, 12, 1)}


def test_a_shift_of_a_booked_appointment_keeps_its_length(wsc: Workspace) -> None:
    # Monday's team planning (9:00–10:30 every week) is the only appointment that day
    plan = planner(wsc)(mail(wsc, "Können wir unser Meeting am Montag eine Stunde nach "
                                  "hinten schieben?"))
    assert plan.action is Action.draft and plan.reason == "cal_reschedule"
    assert [(local(s), s.end - s.start) for s in plan.offered] == [
        ("Mon 30.11. 10:00", timedelta(minutes=90))]


def days_offered(plan: SchedulePlan) -> set[date]:
    return {s.start.astimezone(BERLIN).date() for s in plan.offered}


@pytest.mark.parametrize(("subject", "body", "sender"), [
    ("Termin verschieben", "Hallo,\n\nkönnen wir unseren Termin am Mittwoch um 10 Uhr "
     "verschieben? In der Woche ab dem 7. ginge es bei mir, am liebsten nachmittags.\n\nGruß",
     "Max Kunde <max@kunde.de>"),
    ("Need to reschedule", "Hi,\n\nsomething came up – can we move our meeting on Wednesday at "
     "10? Any day the week after next would be fine, ideally in the afternoon.\n\nThanks",
     "Tom Reed <tom@reed.example>"),
])
def test_a_subject_asking_to_move_does_not_make_the_moved_time_a_wish(
        wsc: Workspace, subject: str, body: str, sender: str) -> None:
    plan = planner(wsc)(mail(wsc, body, subject=subject, sender=sender))
    assert plan.action is Action.draft and plan.reason == "cal_reschedule" and plan.offered
    assert days_offered(plan) <= {date(2026, 12, d) for d in range(7, 12)}
    assert all(s.start.astimezone(BERLIN).hour >= 13 for s in plan.offered)


@pytest.mark.parametrize(("body", "sender"), [
    ("Können wir den Termin am Mittwoch um 10 verschieben? Mir ist etwas dazwischengekommen.",
     "Max Kunde <max@kunde.de>"),
    ("Sorry, I need to reschedule our meeting on Wednesday at 10am.",
     "Tom Reed <tom@reed.example>"),
])
def test_a_move_without_a_new_time_offers_the_days_after_the_moved_one(
        wsc: Workspace, body: str, sender: str) -> None:
    plan = planner(wsc)(mail(wsc, body, subject="Termin", sender=sender))
    assert plan.action is Action.draft and plan.reason == "cal_reschedule" and plan.offered
    assert min(days_offered(plan)) > date(2026, 12, 2)  # nothing on the day being moved


@pytest.mark.parametrize(("body", "sender"), [
    ("Wir planen in der Woche ab dem 7. eine Besprechung von zwei Stunden. Ginge Dienstag oder "
     "Donnerstag?", "Max Kunde <max@kunde.de>"),
    ("We'd like to book a two-hour workshop in the week of the 7th. Tuesday or Thursday would "
     "suit us.", "Tom Reed <tom@reed.example>"),
])
def test_weekdays_asked_for_lie_in_the_week_named_before(wsc: Workspace, body: str,
                                                        sender: str) -> None:
    plan = planner(wsc)(mail(wsc, body, sender=sender))
    assert plan.action is Action.auto and plan.reason == "cal_propose"
    assert days_offered(plan) == {date(2026, 12, 8), date(2026, 12, 10)}
    assert all(s.end - s.start == timedelta(hours=2) for s in plan.offered)


def test_long_slots_offered_on_one_day_never_overlap(wsc: Workspace) -> None:
    plan = planner(wsc)(mail(wsc, "Could we do a 2.5-hour workshop on Tuesday, 8 December?",
                             sender="Tom Reed <tom@reed.example>"))
    assert plan.action is Action.auto and len(plan.offered) == 3
    ordered = sorted(plan.offered, key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in pairwise(ordered))


@pytest.mark.parametrize(("body", "sender", "minutes"), [
    ("Hätten Sie nächste Woche Dienstag Zeit für ein zweistündiges Treffen?",
     "Max Kunde <max@kunde.de>", 120),
    ("Could we find 1½ hours next Tuesday to walk through the plans?",
     "Tom Reed <tom@reed.example>", 90),
])
def test_lengths_written_as_adjectives_or_fractions_are_the_slots_length(
        wsc: Workspace, body: str, sender: str, minutes: int) -> None:
    plan = planner(wsc)(mail(wsc, body, sender=sender))
    assert plan.action is Action.auto and plan.offered
    assert days_offered(plan) == {date(2026, 12, 1)}
    assert all(s.end - s.start == timedelta(minutes=minutes) for s in plan.offered)


def hours_offered(plan: SchedulePlan) -> list[tuple[str, str]]:
    return [(f"{s.start.astimezone(BERLIN):%H:%M}", f"{s.end.astimezone(BERLIN):%H:%M}")
            for s in sorted(plan.offered, key=lambda s: s.start)]


@pytest.mark.parametrize(("body", "sender", "earliest", "latest"), [
    ("Hätten Sie am 8. Dezember vormittags ab 10 Zeit für eine halbe Stunde?",
     "Max Kunde <max@kunde.de>", "10:00", "12:00"),
    ("Could we talk on Thursday, 10 December, in the afternoon but not before 3?",
     "Tom Reed <tom@reed.example>", "15:00", "17:00"),
    ("Geht es am Mittwoch, 9. Dezember, ab halb 11?", "Max Kunde <max@kunde.de>",
     "10:30", "17:00"),
    ("Would Wednesday the 9th from noon work for a quick call?", "Tom Reed <tom@reed.example>",
     "12:00", "17:00"),
])
def test_an_open_ended_time_narrows_the_part_of_the_day_named_with_it(
        wsc: Workspace, body: str, sender: str, earliest: str, latest: str) -> None:
    plan = planner(wsc)(mail(wsc, body, sender=sender))
    assert plan.action is Action.auto and plan.reason == "cal_propose"
    offered = hours_offered(plan)
    assert offered[0][0] == earliest and all(b <= latest for _, b in offered)


@pytest.mark.parametrize(("body", "sender"), [
    ("Wann könnten Sie die Montage der Regale machen? Ab dem 14. sind wir flexibel.",
     "Max Kunde <max@kunde.de>"),
    ("When could you do the Montage of the shelves? From the 14th on we are flexible.",
     "Tom Reed <tom@reed.example>"),
])
def test_a_word_that_starts_like_a_weekday_is_not_one(wsc: Workspace, body: str,
                                                     sender: str) -> None:
    plan = planner(wsc)(mail(wsc, body, sender=sender))
    assert plan.action is Action.auto and plan.offered
    assert min(days_offered(plan)) >= date(2026, 12, 14)  # not "Montag", 30 November


def test_a_quarter_hour_appointment_fits_a_quarter_hour_gap(ws: Workspace) -> None:
    rules = Rules(hours=ws.owner.hours, zone=BERLIN)
    busy = (Busy(start=datetime(2027, 3, 9, 9, 0, tzinfo=BERLIN),
                 end=datetime(2027, 3, 9, 9, 30, tzinfo=BERLIN)),)
    a = Availability(rules, busy, datetime(2027, 3, 1, tzinfo=UTC))
    window = [(datetime(2027, 3, 9, 9, 0, tzinfo=BERLIN),
               datetime(2027, 3, 9, 10, 0, tzinfo=BERLIN))]
    assert [s.start.astimezone(BERLIN).strftime("%H:%M")
            for s in a.candidates(window, timedelta(minutes=15))] == ["09:45"]
    assert a.candidates(window, timedelta(minutes=30)) == []  # longer ones keep the half hour


@pytest.mark.parametrize(("subject", "body", "sender"), [
    ("Termin Mittwoch verschieben", "Hallo,\n\nkönnen wir meinen Termin am Mittwoch (2.12.) um "
     "10 Uhr verschieben? Am besten irgendwann in der gleichen Woche.\n\nGruß",
     "Max Kunde <max@kunde.de>"),
    ("Wednesday's shoot", "Hi,\n\ncould we move my shoot on Wednesday (2 December) at 10am? "
     "Ideally later that same week.\n\nThanks", "Tom Reed <tom@reed.example>"),
])
def test_a_move_never_offers_the_time_being_moved(wsc: Workspace, subject: str, body: str,
                                                  sender: str) -> None:
    # the shoot on Wednesday 2 December holds 10:00–12:00
    plan = planner(wsc)(mail(wsc, body, subject=subject, sender=sender))
    assert plan.action is Action.draft and plan.reason == "cal_reschedule" and plan.offered
    held = (datetime(2026, 12, 2, 10, tzinfo=BERLIN), datetime(2026, 12, 2, 12, tzinfo=BERLIN))
    assert not any(s.start < held[1] and held[0] < s.end for s in plan.offered)
    week = {date(2026, 11, 30) + timedelta(days=i) for i in range(7)}
    assert days_offered(plan) <= week  # that same week


@pytest.mark.parametrize(("body", "sender"), [
    ("Hallo,\n\nanbei die Verordnung meiner Ärztin (unten weitergeleitet). Können wir die "
     "Termine nächste Woche mittwochs machen? Gern ab 15 Uhr.\n\nGruß\nMax\n\n"
     "---------- Weitergeleitete Nachricht ---------\nVon: Praxis Dr. Brinkmann "
     "<praxis@arzt.example>\nDate: Do., 26. Nov. 2026 um 16:40 Uhr\nSubject: Verordnung\n"
     "To: <max@kunde.de>\n\nSehr geehrter Herr Kunde,\n\nanbei die Verordnung. Bitte bringen "
     "Sie das Original mit.\n\nIhr Praxisteam\n", "Max Kunde <max@kunde.de>"),
    ("Hi,\n\nmy GP's referral is below. Could we do the sessions on Wednesday next week? After "
     "3pm if possible.\n\nTom\n\n---------- Forwarded message ---------\nFrom: Surgery "
     "<gp@surgery.example>\nDate: Thu, 26 Nov 2026 at 16:40\nSubject: Referral\n"
     "To: <tom@reed.example>\n\nDear Mr Reed,\n\nplease find your referral attached.\n",
     "Tom Reed <tom@reed.example>"),
])
def test_times_in_a_forwarded_message_are_no_wish(wsc: Workspace, body: str,
                                                  sender: str) -> None:
    plan = planner(wsc)(mail(wsc, body, subject="Fwd: Verordnung", sender=sender))
    assert plan.reason == "cal_propose" and plan.offered and not plan.booked
    assert days_offered(plan) == {date(2026, 12, 2)}
    assert all(s.start.astimezone(BERLIN).hour >= 15 for s in plan.offered)


@pytest.mark.parametrize(("body", "sender"), [
    ("Danke! Und könnten Sie uns die druckfertige PDF bis Dienstag (1.12.) 9 Uhr schicken? "
     "Die Druckerei braucht sie.", "Max Kunde <max@kunde.de>"),
    ("Thanks! Please send the final files by Tuesday 9:00 so the printer has them.",
     "Tom Reed <tom@reed.example>"),
    ("Bitte schicken Sie mir die Unterlagen bis spätestens Dienstag, 9 Uhr, zu.",
     "Max Kunde <max@kunde.de>"),
])
def test_a_deadline_for_work_in_an_offer_thread_picks_no_slot(wsc: Workspace, body: str,
                                                              sender: str) -> None:
    """The offer holds Tuesday 1 December, 9:00; a deadline "bis/by Tuesday 9:00" for
    something to be sent is no pick, and no time of its own either."""
    plan = planner(wsc, NOW)(mail(wsc, body, subject="AW: Termin", sender=sender,
                                  extra="In-Reply-To: <reply-9@beispiel-design.de>\n"
                                        "References: <req-1@kunde.de>\n"),
                             offer_lookup(mail(wsc, "x", extra="References: <req-1@kunde.de>\n"
                                               ).mail))
    assert not plan.booked and plan.action is Action.draft


@pytest.mark.parametrize("body", ["Dienstag 9 Uhr passt.", "Tuesday 9:00 works for me.",
                                  "Dienstag um 9 passt, bis dann!"])
def test_the_offered_time_named_as_fitting_is_still_the_pick(wsc: Workspace, body: str) -> None:
    plan = planner(wsc, NOW)(mail(wsc, body, subject="AW: Termin",
                                  extra="In-Reply-To: <reply-9@beispiel-design.de>\n"
                                        "References: <req-1@kunde.de>\n"),
                             offer_lookup(mail(wsc, "x", extra="References: <req-1@kunde.de>\n"
                                               ).mail))
    assert plan.booked == [OFFERED[0]]
