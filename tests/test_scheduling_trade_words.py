"""What a trade business's customer notices when they ask for an appointment in their own
words: the mail is answered from the calendar (not left to a person or a wrong category),
and the offered times have the length of the owner's appointment type and lie in the
window asked for — in German and in English, with the type named by a verb, a synonym or
an English word, next to a paid invoice or a quote, or with the wish spread over two
sentences."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import FIXTURES

from agent.pipeline import triage
from agent.scheduling.planner import Planner
from core.config import Calendar, Workspace
from core.ical.base import Busy
from core.models import Action, Category, Proposal, RawMessage, TimeSlot, TriageOutcome
from service.deps import default_deps
from tools.calendar.fake import FakeCalendar

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # Friday; next week is 30 Nov – 4 Dec
TYPES = {"Vor-Ort-Termin": 60, "Aufmaß": 90, "Beratung": 30, "Badplanung": 120}


@pytest.fixture
def trade(ws: Workspace) -> Workspace:
    return ws.model_copy(update={
        "calendar": Calendar(ics=FIXTURES / "ics" / "google.ics"),
        "scheduling": ws.scheduling.model_copy(update={"appointment_types": TYPES})})


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def answer(ws: Workspace, body: str, subject: str = "Anfrage",
           busy: list[Busy] | None = None) -> TriageOutcome:
    deps = default_deps(ws, clock=lambda: NOW)
    deps.schedule = Planner(ws, FakeCalendar(busy or []), lambda: NOW)
    data = (f"From: Kundin <kundin@example.org>\nTo: anna@beispiel-design.de\n"
            f"Subject: {subject}\nDate: Fri, 27 Nov 2026 10:00:00 +0100\n"
            "Message-ID: <ask-1@example.org>\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=utf-8\n\n{body}\n").encode()
    return triage(RawMessage(ref="t", data=data), deps)


def offered(out: TriageOutcome) -> list[TimeSlot]:
    assert out.classification.category is Category.scheduling
    assert out.decision.action is Action.auto and out.decision.reason == "cal_propose"
    assert 2 <= len(out.decision.calendar.offered) <= 3
    return out.decision.calendar.offered


def local(s: TimeSlot) -> tuple[date, time, time]:
    a, b = s.start.astimezone(BERLIN), s.end.astimezone(BERLIN)
    return a.date(), a.time(), b.time()


@pytest.mark.parametrize(("body", "days", "minutes"), [
    ("Guten Tag,\n\nwir möchten unser Bad neu fliesen lassen. Könnten Sie nächste Woche mal "
     "zum Ausmessen vorbeikommen? Am besten Donnerstag oder Freitag\nvormittags, nachmittags "
     "arbeite ich.\n\nGrüße\nSabine Hofmann", {date(2026, 12, 3), date(2026, 12, 4)}, 90),
    ("Hi,\n\nwe've decided to redo the en-suite. Could one of your team come round to "
     "measure up? Thursday or Friday next week would suit us, mornings please.\n\nTom",
     {date(2026, 12, 3), date(2026, 12, 4)}, 90),
    ("Hello,\n\ncould we have a quick consultation call next week, Tuesday or Wednesday "
     "morning?\n\nAisha", {date(2026, 12, 1), date(2026, 12, 2)}, 30),
    ("Guten Tag,\n\nwir würden gern unser neues Bad mit Ihnen planen. Ginge es nächste Woche "
     "Dienstag oder Mittwoch vormittags?\n\nJulia Brenner",
     {date(2026, 12, 1), date(2026, 12, 2)}, 120),
])
def test_a_type_named_in_the_customers_words_gives_its_length_in_the_asked_window(
        trade: Workspace, body: str, days: set[date], minutes: int) -> None:
    for s in offered(answer(trade, body)):
        day, start, end = local(s)
        assert s.end - s.start == timedelta(minutes=minutes)
        assert day in days and start >= time(8, 0) and end <= time(12, 0)


@pytest.mark.parametrize("body", [
    "Hi Anna,\n\nthanks for the invoice for the guest loo, I paid it this morning. We'd also "
    "like a quote for the main bathroom. Could someone pop round next week to have a look and "
    "measure up? Tuesday or Wednesday morning works best.\n\nOliver",
    "Guten Morgen,\n\nvielen Dank für Ihr Angebot, die Summe passt für uns. Bevor wir den "
    "Auftrag erteilen, würden wir gern noch zum Aufmaß einen Termin machen. Nächste Woche "
    "Dienstag oder Mittwoch vormittags wäre ideal.\n\nStefan Krüger",
])
def test_a_time_wish_beside_an_invoice_or_a_quote_is_still_answered_from_the_calendar(
        trade: Workspace, body: str) -> None:
    out = answer(trade, body)
    assert out.classification.decided_by == "time-request"
    for s in offered(out):
        day, _, end = local(s)
        assert s.end - s.start == timedelta(minutes=90)  # measuring, not the look around
        assert day in {date(2026, 12, 1), date(2026, 12, 2)} and end <= time(12, 0)


def test_money_asked_about_stays_with_the_classifier(trade: Workspace) -> None:
    out = answer(trade, "Guten Tag,\n\nkönnten Sie nächste Woche zum Aufmaß vorbeikommen? Und "
                        "was würde das ungefähr kosten?\n\nGrüße")
    assert out.classification.decided_by != "time-request"


def test_a_wish_spread_over_sentences(trade: Workspace) -> None:
    out = answer(trade, "Sehr geehrte Frau Weber,\n\nwir hätten gern einen Termin für ein "
                        "Beratungsgespräch zu einer bodengleichen Dusche.\n\nAm besten in der "
                        "übernächsten Woche. Dienstags habe ich frei.\n\nHelga Schuster")
    for s in offered(out):
        day, _, _ = local(s)
        assert s.end - s.start == timedelta(minutes=30) and day == date(2026, 12, 8)


def test_a_preferred_time_of_day_gives_way_when_the_sender_is_flexible(
        trade: Workspace) -> None:
    days = [date(2026, 11, 30) + timedelta(days=i) for i in range(5)]
    afternoons = [Busy(start=_at(d, 12, 30), end=_at(d, 17, 0), uid="site") for d in days]
    body = ("Dear Ms Weber,\n\ncould we come in next week for a bathroom design session? "
            "Afternoons would be ideal, but we're flexible if that doesn't work.\n\nClaire")
    for s in offered(answer(trade, body, busy=afternoons)):
        day, _, end = local(s)
        assert s.end - s.start == timedelta(minutes=120)
        assert day in days and end <= time(12, 15)
    rigid = answer(trade, body.replace(", but we're flexible if that doesn't work", ""),
                   busy=afternoons)
    assert rigid.decision.action is Action.draft and rigid.decision.reason == "cal_no_slot"


def test_a_reschedule_naming_the_day_keeps_the_length_of_the_booked_appointment(
        trade: Workspace) -> None:
    # Wednesday 2 December holds the customer's two-hour handover and, as every weekday
    # that week, the afternoon on a building site: the one booked once is being moved
    days = [date(2026, 11, 30) + timedelta(days=i) for i in range(5)]
    busy = [Busy(start=_at(d, 13), end=_at(d, 17), uid="site") for d in days]
    busy.append(Busy(start=_at(date(2026, 12, 2), 9), end=_at(date(2026, 12, 2), 11),
                     uid="handover-roth"))
    out = answer(trade, "Sehr geehrte Frau Weber,\n\ndie Abnahme am Mittwoch müssen wir leider "
                        "verschieben. Ginge es stattdessen am Freitag?\n\nKarin Roth",
                 busy=busy)
    d = out.decision
    assert d.action is Action.draft and d.reason == "cal_reschedule" and d.calendar.offered
    for s in d.calendar.offered:
        day, _, _ = local(s)
        assert s.end - s.start == timedelta(hours=2) and day == date(2026, 12, 4)


def _offer_answer(ws: Workspace, body: str, slots: list[TimeSlot],
                  busy: list[Busy] | None = None) -> TriageOutcome:
    deps = default_deps(ws, clock=lambda: NOW)
    deps.schedule = Planner(ws, FakeCalendar(busy or []), lambda: NOW)
    deps.offers = lambda m: Proposal(thread_id="<offer-1@beispiel-design.de>", slots=slots,
                                     timezone="Europe/Berlin") \
        if "<offer-1@beispiel-design.de>" in m.references else None
    data = ("From: Kundin <kundin@example.org>\nTo: anna@beispiel-design.de\n"
            "Subject: Re: Terminvorschläge\nDate: Fri, 27 Nov 2026 10:00:00 +0100\n"
            "Message-ID: <ans-2@example.org>\nIn-Reply-To: <offer-1@beispiel-design.de>\n"
            "References: <offer-1@beispiel-design.de>\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=utf-8\n\n{body}\n").encode()
    return triage(RawMessage(ref="t", data=data), deps)


OFFER = [TimeSlot(start=_at(date(2026, 12, 1), 10), end=_at(date(2026, 12, 1), 11)),
         TimeSlot(start=_at(date(2026, 12, 2), 8), end=_at(date(2026, 12, 2), 9)),
         TimeSlot(start=_at(date(2026, 12, 7), 9), end=_at(date(2026, 12, 7), 10))]


@pytest.mark.parametrize(("body", "booked"), [
    ("Der 2. passt leider nicht, aber der 7. wäre gut.", OFFER[2]),
    ("Wednesday doesn't work, but the 7th would be fine.", OFFER[2]),
    ("Dienstag geht, aber erst ab 10:30 – ginge das auch?",
     TimeSlot(start=_at(date(2026, 12, 1), 10, 30), end=_at(date(2026, 12, 1), 11, 30))),
])
def test_an_answer_to_an_offer_books_what_the_customer_can_make(
        trade: Workspace, body: str, booked: TimeSlot) -> None:
    d = _offer_answer(trade, body, OFFER).decision
    assert d.action is Action.auto and d.calendar.booked == [booked]


def test_the_week_after_an_offer_follows_its_last_day(trade: Workspace) -> None:
    out = _offer_answer(trade, "None of those work I'm afraid - could you do the week after "
                               "instead, any afternoon?", OFFER)
    for s in offered(out):
        day, start, _ = local(s)
        assert date(2026, 12, 14) <= day <= date(2026, 12, 18) and start >= time(12, 0)


@pytest.mark.parametrize(("hours", "body", "busy_from", "busy_to", "edges"), [
    # a roofer's day starts at 7: "vormittags" is 7–12, the hour before 8 is offered
    ("Mo-Fr 07:00-16:00", "Guten Tag,\n\nkönnten wir nächste Woche Dienstag oder Mittwoch "
     "vormittags eine kurze Beratung machen?\n\nGrüße", (8, 30), (12, 0), (time(7), time(8, 30))),
    ("Mo-Fr 07:00-16:00", "Hello,\n\ncould we have a quick consultation call next week, "
     "Tuesday or Wednesday morning?\n\nAisha", (8, 30), (12, 0), (time(7), time(8, 30))),
    # a shop open until 19: "nachmittags" lasts until then
    ("Mo-Fr 09:00-19:00", "Guten Tag,\n\nginge eine kurze Beratung nächste Woche Dienstag oder "
     "Mittwoch nachmittags?\n\nGrüße", (13, 0), (18, 0), (time(18), time(19))),
])
def test_parts_of_the_day_follow_the_owners_working_hours(
        trade: Workspace, hours: str, body: str, busy_from: tuple[int, int],
        busy_to: tuple[int, int], edges: tuple[time, time]) -> None:
    ws = trade.model_copy(update={"owner": trade.owner.model_copy(
        update={"working_hours": hours})})
    days = {date(2026, 12, 1), date(2026, 12, 2)}
    busy = [Busy(start=_at(d, *busy_from), end=_at(d, *busy_to), uid="site") for d in days]
    for s in offered(answer(ws, body, busy=busy)):
        day, start, end = local(s)
        assert day in days and edges[0] <= start and end <= edges[1]
