"""A place to stay (issue 16, the holiday flat of tests/fixtures/drafts-pension): guests who
write about their mother, their baby or Christmas ask the business, not privately; whether
the nights are free is read from the calendar also when the dates stand before the question;
a stay's price is the night price of its season and what is charged once per stay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import FIXTURES

from agent.pipeline import Deps, triage
from core.config import load_config
from core.models import Category, RawMessage, TriageOutcome
from evals.sets import arrival
from service.deps import default_deps

PENSION = FIXTURES / "drafts-pension"


@pytest.fixture(scope="module")
def flat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Deps, list[datetime]]]:
    ws = load_config(PENSION / "workspace.yaml")
    ws = ws.model_copy(update={"data_dir": tmp_path_factory.mktemp("pension-data")})
    now = [datetime(2026, 11, 27).astimezone()]
    yield default_deps(ws, clock=lambda: now[0]), now


def _triage(flat: tuple[Deps, list[datetime]], data: bytes, ref: str) -> TriageOutcome:
    deps, now = flat
    now[0] = arrival(data)
    return triage(RawMessage(ref=ref, data=data, received_at=now[0]), deps)


def _mail(flat: tuple[Deps, list[datetime]], name: str) -> TriageOutcome:
    path: Path = PENSION / "mails" / name
    return _triage(flat, path.read_bytes(), name)


def test_a_guest_writing_about_family_is_answered_not_filed_as_private(
        flat: tuple[Deps, list[datetime]]) -> None:
    # "meine Mutter (78) … kann nicht gut Treppen steigen. Gibt es im Haus einen Aufzug?":
    # before, filed as private mail (notify, no draft)
    o = _mail(flat, "13-aufzug-strand.eml")
    assert o.classification.category is Category.customer_inquiry, o.explanation
    assert o.decision.draft is not None and "ohne Aufzug" in o.decision.draft.body
    assert "Wissensordner" in o.explanation
    # a mail the knowledge does not answer stays private
    private = (b"From: Renate Behrens <renate.behrens@web.example>\n"
               b"To: buchung@moewennest-binz.example\nSubject: Sonntag\n"
               b"Date: Thu, 26 Nov 2026 09:48:00 +0100\nMessage-ID: <mama-1@example>\n"
               b"Content-Type: text/plain; charset=utf-8\n\n"
               b"Hallo mein Schatz,\n\nkommst du am Sonntag mit den Kindern zum Kaffee? Papa "
               b"hat Geburtstag, und Oma freut sich auch. Bringst du den Kuchen mit?\n\n"
               b"Hab dich lieb\nMama\n")
    assert _triage(flat, private, "mama.eml").classification.category is Category.personal


def test_the_owners_own_appointment_reminder_stays_private(tmp_path: Path) -> None:
    """The demo's dentist reminds the owner of her appointment and asks her to cancel 24
    hours ahead ("sagen Sie ihn bitte … ab"); the design studio's knowledge has cancellation
    terms, and the mail was filed as an enquiry with a draft to a no-reply address. Only
    questions with a question mark count, and never in automated mail."""
    root = FIXTURES.parent.parent
    ws = load_config(root / "demo" / "workspace.yaml")
    ws = ws.model_copy(update={"data_dir": tmp_path, "database": f"sqlite:///{tmp_path}/d.db"})
    data = (root / "demo" / "mailbox" / "new" / "0061-zahnarzt-terminerinnerung.eml").read_bytes()
    now = arrival(data)
    o = triage(RawMessage(ref="0061", data=data, received_at=now),
               default_deps(ws, clock=lambda: now))
    assert o.classification.category is Category.personal, o.explanation
    assert o.decision.draft is None


def test_whether_the_nights_are_free_is_read_with_the_dates_before_the_question(
        flat: tuple[Deps, list[datetime]]) -> None:
    # the dates in the platform's lines and the subject, "Ist die Wohnung in der Zeit noch
    # frei?" below: before, three meeting slots were offered
    body = _mail(flat, "05-fwd-portal-juni.eml").decision.draft
    assert body is not None
    assert "Vom 14. bis 21. Juni 2027 ist mein Kalender leider schon (teilweise) belegt." \
        in body.body
    assert "Uhr\n" not in body.body and "Termin" not in body.body
    # "… from 20 February to 20 March 2027. Is your flat free then, and …": before, answered
    # with the parking space
    english = _mail(flat, "14-writer-four-weeks.eml").decision.draft
    assert english is not None
    assert "From 20 February 2027 to 20 March 2027 my calendar is unfortunately already " \
        "(partly) booked." in english.body
    assert "parking" not in english.body


def test_a_stays_price_is_its_seasons_night_price_and_what_is_charged_once(
        flat: tuple[Deps, list[datetime]]) -> None:
    # "… from 1 to 6 March. Is the flat available, and what would those five nights cost?":
    # before, answered with the parking space and "Prices are for … up to 2 people"
    body = _mail(flat, "20-early-march-price.eml").decision.draft
    assert body is not None
    assert "Low season (November to March, except Christmas and New Year): €85 per night." \
        in body.body
    assert "The final cleaning costs €65 per stay." in body.body
    assert "€105" not in body.body and "€10 per night" not in body.body  # no other season, no dog
    german = _mail(flat, "01-mai-familie.eml").decision.draft
    assert german is not None
    assert "Zwischensaison (April, Mai, Juni, September, Oktober): 105 € pro Nacht." in german.body
    assert "3,20 €" not in german.body  # before: the Kurtaxe, which names April to October too


def test_a_season_holds_a_day_by_its_dates_before_its_months() -> None:
    from agent.seasons import covers

    christmas = "Weihnachten und Silvester (20. Dezember bis 6. Januar): 125 € pro Nacht"
    low = "Nebensaison (November bis März, außer Weihnachten und Silvester): 85 € pro Nacht"
    assert covers(christmas, date(2026, 12, 29)) == 2
    assert covers(low, date(2026, 12, 29)) == 1  # the named dates win
    assert covers(low, date(2027, 5, 3)) == 0
    assert covers("Mid season (April, May, June, September, October): €105", date(2027, 6, 1)) == 1
    assert covers("High season (July and August): €135 per night", date(2027, 8, 31)) == 1
    assert covers("Die Endreinigung kostet 65 €.", date(2027, 5, 3)) == -1
