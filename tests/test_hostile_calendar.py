"""Issue 11, class 2: only an event's organizer changes the owner's calendar. A CANCEL or a
same-UID REQUEST from anyone else changes nothing (the owner is told); an invitation is
accepted automatically only when its ORGANIZER is the sender — Reply-To, SENT-BY and a
shared free-mail domain prove nothing; a series only when every occurrence in the horizon
was checked; the sender's SUMMARY never reaches an outgoing mail unshortened or with links."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import FIXED_NOW, FIXTURES
from hostile_mail import ScriptedClassifier, invitation

from agent.pipeline import Deps, triage
from agent.scheduling.planner import Planner
from core.clock import fixed_clock
from core.config import Calendar, Workspace
from core.ical.base import Busy
from core.models import RawMessage
from service.deps import default_deps
from tools.calendar.fake import FakeCalendar

WEEKLY = "weekly-jour-fixe@beispiel-design.de"  # organised by the owner
CLIENT = "projekt-x@muster.example"  # organised by Max Muster


def calendar() -> FakeCalendar:
    busy = [Busy(start=datetime(2026, 12, 2, 9, tzinfo=UTC), end=datetime(2026, 12, 2, 10,
                                                                          tzinfo=UTC), uid=WEEKLY),
            Busy(start=datetime(2026, 12, 3, 13, tzinfo=UTC), end=datetime(2026, 12, 3, 14,
                                                                           tzinfo=UTC), uid=CLIENT)]
    return FakeCalendar(busy, sequences={WEEKLY: 3, CLIENT: 0},
                        organizers={WEEKLY: "anna@beispiel-design.de",
                                    CLIENT: "max@muster.example"})


@pytest.fixture
def setup(ws: Workspace) -> tuple[Deps, FakeCalendar]:
    wsc = ws.model_copy(update={"calendar": Calendar(ics=FIXTURES / "ics" / "google.ics")})
    cal = calendar()
    deps = default_deps(wsc, classifier=ScriptedClassifier(), clock=fixed_clock(FIXED_NOW))
    deps.schedule = Planner(wsc, cal, lambda: FIXED_NOW)
    return deps, cal


def run(deps: Deps, data: bytes) -> dict[str, object]:
    return triage(RawMessage(ref="t", data=data), deps).to_json()


def types(out: dict[str, object]) -> list[str]:
    return [p["type"] for p in out["planned_actions"]]  # type: ignore[attr-defined,index]


CHANGES = {"create_event", "remove_event", "accept_invitation"}


def test_the_organizer_still_cancels_and_is_still_accepted(setup: tuple[Deps, FakeCalendar]
                                                           ) -> None:
    deps, _ = setup
    out = run(deps, invitation(method="CANCEL", uid=CLIENT))
    assert out["action"] == "auto" and "remove_event" in types(out)
    out = run(deps, invitation())
    assert out["action"] == "auto" and "accept_invitation" in types(out)


@pytest.mark.parametrize(("name", "data"), [
    ("cancel of the owner's own event", invitation(
        method="CANCEL", uid=WEEKLY, organizer="mailto:anna@beispiel-design.de")),
    ("cancel naming the organizer, sent by another", invitation(
        method="CANCEL", uid=CLIENT, sender="Mallory <mallory@evil.example>")),
    ("cancel by a colleague of the organizer", invitation(
        method="CANCEL", uid=CLIENT, sender="Eva <eva@muster.example>",
        organizer="mailto:eva@muster.example")),
    ("request replacing the owner's weekly meeting", invitation(
        uid=WEEKLY, sequence=9, summary="Neuer Termin")),
    ("request replacing Max's event, sent by another", invitation(
        uid=CLIENT, sequence=2, sender="Mallory <mallory@evil.example>",
        organizer="mailto:mallory@evil.example")),
])
def test_nobody_but_the_organizer_changes_a_stored_event(setup: tuple[Deps, FakeCalendar],
                                                         name: str, data: bytes) -> None:
    deps, cal = setup
    out = run(deps, data)
    assert not CHANGES & set(types(out)), name
    assert "notify_owner" in types(out) and out["action"] == "notify", name
    assert cal.added == [] and cal.removed == []


@pytest.mark.parametrize(("name", "data"), [
    ("organizer only in Reply-To", invitation(
        organizer="mailto:chef@dritte-firma.example",
        extra="Reply-To: chef@dritte-firma.example\n")),
    ("sender only SENT-BY", invitation(
        organizer=";SENT-BY=\"mailto:max@muster.example\":mailto:chef@dritte-firma.example")),
    ("a shared free-mail domain", invitation(
        sender="Max <max.muster@gmail.com>", organizer="mailto:gewinnspiel@gmail.com")),
    ("the organizer, but Reply-To elsewhere", invitation(
        extra="Reply-To: max@andere-domain.example\n")),
    ("a minutely series of 100,000", invitation(rule="RRULE:FREQ=MINUTELY;COUNT=100000\r\n")),
    ("more occurrences in the horizon than are checked", invitation(
        rule="RRULE:FREQ=DAILY;BYHOUR=9,10,11\r\n", start="20261201T090000Z",
        end="20261201T093000Z")),
])
def test_no_automatic_yes_without_the_organizer_or_a_full_check(
        setup: tuple[Deps, FakeCalendar], name: str, data: bytes) -> None:
    deps, _ = setup
    out = run(deps, data)
    assert out["action"] != "auto", name
    assert not CHANGES & set(types(out)), name


def test_a_series_checked_whole_is_accepted(setup: tuple[Deps, FakeCalendar]) -> None:
    deps, _ = setup
    out = run(deps, invitation(uid="serie@muster.example",
                               rule="RRULE:FREQ=WEEKLY;COUNT=6\r\n"))
    assert out["action"] == "auto" and "accept_invitation" in types(out)


def test_the_senders_summary_is_shortened_and_without_links(setup: tuple[Deps, FakeCalendar]
                                                            ) -> None:
    deps, _ = setup
    summary = "GEWINN! Ihr Paket wartet: http://paket-gewinn.example/abholen " + "x" * 200
    out = triage(RawMessage(ref="t", data=invitation(summary=summary)), deps)
    draft = out.decision.draft
    assert out.decision.action.value == "auto" and draft is not None
    assert draft.to == ["max@muster.example"]
    for text in (draft.subject, draft.body, draft.itip or ""):
        assert "http" not in text and "paket-gewinn" not in text and "x" * 80 not in text
    assert len(draft.subject) < 90
