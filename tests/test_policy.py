"""The policy gate applies CONTRACT §4's rules in order, whatever the classifier says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from clocks import FIXED_NOW

from agent.policy import GateInput, ReplyLedger, decide
from agent.routing import RouteChoice, RouteMiss
from core.config import Workspace
from core.models import (
    Action,
    Address,
    Automation,
    BodyText,
    Category,
    Classification,
    Mail,
    MessageView,
    NoteGuidance,
    ParsedMessage,
    Priority,
    Risk,
)

TODAY = date(2026, 11, 27)
NOBODY = RouteMiss("language")


def view(sender: str = "kunde@kunde.de", reply_to: str | None = None, language: str = "de",
         risks: tuple[Risk, ...] = (), automation: Automation | None = None,
         sent: datetime | None = None) -> MessageView:
    mail = Mail(message_id="<m1@kunde.de>", subject="Anfrage Logo",
                sender=Address(email=sender, name="Max Kunde"),
                reply_to=[Address(email=reply_to)] if reply_to else [],
                automation=automation or Automation(), body=BodyText(full="Hallo", new="Hallo"),
                language=language, date=sent)
    return MessageView(parsed=ParsedMessage(ref="x", size=1, outer=mail), mail=mail,
                       risks=list(risks), received_at=FIXED_NOW)


def gate(ws: Workspace, v: MessageView, category: Category, confidence: float = 0.95,
         ledger: ReplyLedger | None = None, guidance: NoteGuidance | None = None,
         route: RouteChoice | RouteMiss = NOBODY, today: date = TODAY):  # type: ignore[no-untyped-def]
    c = Classification(category=category, confidence=confidence, priority=Priority.normal,
                       decided_by="test")
    ledger = ledger if ledger is not None else ReplyLedger()
    inp = GateInput(view=v, classification=c, guidance=guidance or NoteGuidance(), today=today,
                    route=lambda _c: route, route_to=lambda _id: route, ledger=ledger)
    d = decide(inp, ws)
    ledger.apply(d.replies)  # what the runner does once the decision is committed
    return d


def test_auto_reply_goes_to_the_sender_only(ws: Workspace) -> None:
    d = gate(ws, view(), Category.customer_inquiry)
    assert d.action is Action.auto
    assert [p.model_dump() for p in d.planned_actions] == [
        {"type": "send_email", "to": ["kunde@kunde.de"], "subject": "AW: Anfrage Logo"}]


@pytest.mark.parametrize("category", [Category.spam, Category.newsletter])
def test_rule1_spam_and_newsletter_are_ignored_even_with_risk(ws: Workspace,
                                                              category: Category) -> None:
    d = gate(ws, view(risks=(Risk.bank_details,)), category)
    assert d.action is Action.ignore and d.planned_actions == []


def test_rule1_personal_goes_to_the_owner(ws: Workspace) -> None:
    d = gate(ws, view(), Category.personal)
    assert d.action is Action.notify


@pytest.mark.parametrize("risk", list(Risk))
def test_rule2_risky_requests_only_notify(ws: Workspace, risk: Risk) -> None:
    d = gate(ws, view(risks=(risk,)), Category.customer_inquiry)
    assert d.action is Action.notify and d.rule == "r2-risk"
    assert [p.type for p in d.planned_actions] == ["notify_owner"]


def test_rule3_low_confidence_is_never_auto(ws: Workspace) -> None:
    d = gate(ws, view(), Category.customer_inquiry, confidence=0.2)
    assert d.action is Action.draft and d.planned_actions == []


def test_rule4_scheduling_without_calendar_is_a_draft(ws: Workspace) -> None:
    assert ws.calendar is None
    d = gate(ws, view(), Category.scheduling)
    assert d.action is Action.draft and d.rule == "r4-no-calendar"


def test_rule5_automated_mail_gets_no_automatic_reply(ws: Workspace) -> None:
    d = gate(ws, view(automation=Automation(auto_submitted="auto-generated")),
             Category.customer_inquiry)
    assert d.action is Action.draft and not any(p.type == "send_email" for p in d.planned_actions)
    d = gate(ws, view(sender="noreply@shop.example"), Category.customer_inquiry)
    assert d.action is Action.notify  # nobody to answer


def test_rule5_webform_with_customer_in_reply_to_becomes_draft(ws: Workspace) -> None:
    d = gate(ws, view(sender="noreply@forms.example", reply_to="kunde@kunde.de"),
             Category.customer_inquiry)
    assert d.action is Action.draft


def test_rule5_reply_to_on_another_domain_blocks_auto(ws: Workspace) -> None:
    d = gate(ws, view(reply_to="collect@evil.example"), Category.customer_inquiry)
    assert d.action is Action.draft and d.rule == "r5-reply-to-domain"


def test_rule5_one_automatic_reply_per_sender_and_day(ws: Workspace) -> None:
    ledger = ReplyLedger()
    assert gate(ws, view(), Category.customer_inquiry, ledger=ledger).action is Action.auto
    d = gate(ws, view(), Category.customer_inquiry, ledger=ledger)
    assert d.action is Action.draft and d.rule == "r5-one-per-day"
    nextday = gate(ws, view(), Category.customer_inquiry, ledger=ledger,
                   today=TODAY + timedelta(days=1))
    assert nextday.action is Action.auto  # the limit is per day of receipt


def test_rule5_the_gate_plans_the_ledger_entry_and_changes_nothing(ws: Workspace) -> None:
    ledger = ReplyLedger()
    inp = GateInput(view=view(sender="Kunde+shop@Kunde.DE"),
                    classification=Classification(category=Category.customer_inquiry,
                                                  confidence=0.95, priority=Priority.normal,
                                                  decided_by="test"),
                    guidance=NoteGuidance(), today=TODAY, route=lambda _c: NOBODY,
                    route_to=lambda _id: NOBODY, ledger=ledger)
    first, again = decide(inp, ws), decide(inp, ws)
    assert first == again and first.action is Action.auto  # deciding twice changes nothing
    assert [(r.sender, r.day) for r in first.replies] == [("kunde@kunde.de", TODAY)]


@pytest.mark.parametrize("sent", [
    None,
    datetime(2026, 11, 26, 9, tzinfo=UTC),  # yesterday
    datetime(2026, 11, 28, 9, tzinfo=UTC),  # tomorrow
    datetime(2026, 11, 27, 9, tzinfo=UTC).replace(tzinfo=None),  # no zone at all
    datetime.fromisoformat("2026-11-27T23:30:00+14:00"),  # today, far east
])
def test_rule5_the_date_a_sender_writes_does_not_reopen_the_limit(ws: Workspace,
                                                                   sent: datetime | None) -> None:
    ledger = ReplyLedger()
    assert gate(ws, view(), Category.customer_inquiry, ledger=ledger).action is Action.auto
    for sender in ("kunde@kunde.de", "KUNDE@kunde.de", "kunde+2@kunde.de"):
        d = gate(ws, view(sender=sender, sent=sent), Category.customer_inquiry, ledger=ledger)
        assert d.action is Action.draft and d.rule == "r5-one-per-day", sender


def test_rule6_nobody_eligible_means_notify(ws: Workspace) -> None:
    d = gate(ws, view(language="fr"), Category.invoice_payment, route=RouteMiss("language"))
    assert d.action is Action.notify and d.rule == "r6-no-assistant"
    assert d.reason == "r6_no_language"


def test_a_note_cannot_grant_auto(ws: Workspace) -> None:
    d = gate(ws, view(), Category.support, guidance=NoteGuidance(action=Action.auto))
    assert d.action is Action.draft  # support is `draft` in the delegation


def test_a_note_cannot_lift_the_risk_rule(ws: Workspace) -> None:
    d = gate(ws, view(risks=(Risk.payment_request,)), Category.invoice_payment,
             guidance=NoteGuidance(action=Action.route, assignee="lena"))
    assert d.action is Action.notify
