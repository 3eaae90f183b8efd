"""The slots a reply offers are an offer only once the reply went out, and only a mail that
answers that reply picks from them. Before: the offer counted from the moment the draft was
written, for every later mail in the thread — the demo's bakery asking for "die druckfertige
PDF bis morgen (Dienstag) 12 Uhr" in a thread where slots had only been drafted got an
automatic "Dienstag, 1. Dezember, 12:00 Uhr passt mir gut. Ich habe den Termin fest
eingetragen" and a booked hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import FIXTURES
from reviewkit import MovableClock

from agent.pipeline import triage
from agent.scheduling.planner import Planner
from core.config import Calendar, Workspace
from core.models import Action, Category, RawMessage, TriageOutcome
from service import review
from service.deps import Deps, default_deps
from service.runner import open_store
from service.scheduler import offers_from
from tools.calendar.ics_file import IcsFileCalendar
from tools.compose import compose
from tools.store import Store
from tools.store.review import Edits

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # Friday


def mail(body: str, message_id: str, extra: str = "", subject: str = "Termin") -> RawMessage:
    data = (f"From: Max Kunde <max@kunde.de>\nTo: anna@beispiel-design.de\n"
            f"Subject: {subject}\nDate: Fri, 27 Nov 2026 10:15:00 +0100\n"
            f"Message-ID: {message_id}\n{extra}MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\n\n" + body + "\n").encode()
    return RawMessage(ref=message_id, data=data, source="t", source_key=message_id)


@pytest.fixture
def wsc(ws: Workspace, tmp_path: Path) -> Workspace:
    return ws.model_copy(update={
        "calendar": Calendar(ics=FIXTURES / "ics" / "google.ics"),
        "database": f"sqlite:///{tmp_path / 'offers.db'}"})


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOW)


@pytest.fixture
def store(wsc: Workspace, clock: MovableClock) -> Store:
    return open_store(wsc, clock)


@pytest.fixture
def deps(wsc: Workspace, store: Store, clock: MovableClock) -> Deps:
    assert wsc.calendar is not None and wsc.calendar.ics is not None
    d = default_deps(wsc, clock=clock, offers=offers_from(store))
    d.schedule = Planner(wsc, IcsFileCalendar(wsc.calendar.ics, BERLIN), clock)
    return d


def keep(store: Store, deps: Deps, raw: RawMessage) -> TriageOutcome:
    [row] = store.messages.store_batch([raw])
    assert row is not None
    out = triage(raw, deps)
    store.results.save(row, out)
    return out


@pytest.mark.parametrize("review_first", [False, True])
def test_an_offer_counts_once_its_reply_went_out_and_only_for_its_answer(
        wsc: Workspace, store: Store, deps: Deps, clock: MovableClock,
        review_first: bool) -> None:
    """Automatic (the reply is queued at once) or reviewed (she approves the draft first):
    the slots count from the moment the reply with its own Message-ID is on its way."""
    if review_first:
        wsc = wsc.model_copy(update={"delegation": {**wsc.delegation,
                                                    Category.scheduling: Action.draft}})
        deps.ws = wsc
    ask = ("Hätten Sie nächste Woche Dienstag oder Mittwoch vormittags eine Stunde Zeit für "
           "ein Gespräch?\n\nViele Grüße\nMax Kunde")
    first = keep(store, deps, mail(ask, "<req-1@kunde.de>"))
    offered = first.decision.calendar.offered
    assert len(offered) >= 2
    assert first.decision.action is (Action.draft if review_first else Action.auto)
    pick = offered[1].start.astimezone(BERLIN)
    weekday = {1: "Dienstag", 2: "Mittwoch"}[pick.weekday()]
    answer_text = f"{weekday} um {pick:%H:%M} passt mir.\n\nViele Grüße\nMax"

    # nothing has gone out yet: the customer has seen no slots, so this is no answer to
    # them (a time the sender proposes is read as such, as in any other mail)
    early = triage(mail(answer_text, "<ans-0@kunde.de>", subject="AW: Termin",
                        extra="In-Reply-To: <req-1@kunde.de>\nReferences: <req-1@kunde.de>\n"),
                   deps)
    assert early.classification.decided_by != "thread:offer"

    [reply] = [d for d in store.review.drafts() if d["subject"] == "AW: Termin"]
    if review_first:  # she approves it as it is
        review.approve(store, wsc, int(reply["id"]), Edits())
        clock.at += timedelta(seconds=wsc.review.undo_seconds + 1)
        wsc = wsc.model_copy(update={"delegation": {**wsc.delegation,
                                                    Category.scheduling: Action.auto}})
        deps.ws = wsc  # and lets the agent book the answer itself
    store.outbox.enqueue(int(reply["id"]), lambda r: compose(
        r, "Anna Beispiel <anna@beispiel-design.de>", clock()))
    [sent] = store.review.outbox()
    reply_id = str(sent["message_id_header"])

    # the answer to that reply picks a slot: booked
    refs = f"In-Reply-To: {reply_id}\nReferences: <req-1@kunde.de> {reply_id}\n"
    answer = triage(mail(answer_text, "<ans-1@kunde.de>", subject="AW: Termin", extra=refs),
                    deps)
    assert answer.classification.decided_by == "thread:offer"
    assert answer.decision.calendar.booked == [offered[1]]

    # a later mail in the same thread that answers something else picks nothing
    other = triage(mail("Schicken Sie mir bitte die Unterlagen bis Dienstag 12 Uhr?\n\nMax",
                        "<ans-2@kunde.de>", subject="AW: Termin",
                        extra="In-Reply-To: <owner-own-9@beispiel-design.de>\n"
                              "References: <req-1@kunde.de> <owner-own-9@beispiel-design.de>\n"),
                   deps)
    assert other.classification.decided_by != "thread:offer"
    assert not other.decision.calendar.booked
