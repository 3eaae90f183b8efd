"""A small workspace with stored messages and drafts for the web and API tests, without the
classifier (fast): outcomes are built by hand the way the pipeline builds them."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from clocks import FIXED_NOW
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from api.app import create_app
from core.config import Workspace
from core.models import (
    Action,
    Address,
    BodyText,
    Category,
    Classification,
    Decision,
    Draft,
    Mail,
    MessageView,
    NotifyOwner,
    ParsedMessage,
    PlannedAction,
    Priority,
    RawMessage,
    RouteTask,
    TriageOutcome,
)
from service.runner import open_store
from tools.store import Store

PASSWORD = "korrekt-pferd-batterie"


class MovableClock:
    def __init__(self, at: datetime = FIXED_NOW) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def mail_bytes(n: int, sender: str, subject: str) -> bytes:
    return (f"From: Kundin {n} <{sender}>\r\nTo: assistenz@beispiel-design.de\r\n"
            f"Subject: {subject}\r\nMessage-ID: <r{n}@kunden-beispiel.de>\r\n"
            "Date: Fri, 27 Nov 2026 09:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8"
            f"\r\n\r\nHallo, Frage Nummer {n}.\r\n").encode()


def outcome(n: int, action: Action, sender: str, subject: str, body: str = "Danke!",
            assignee: str | None = None, flags: tuple[str, ...] = (),
            rule: str = "delegation",
            category: Category = Category.customer_inquiry) -> TriageOutcome:
    mail = Mail(message_id=f"<r{n}@kunden-beispiel.de>", subject=subject,
                sender=Address(email=sender, name=f"Kundin {n}"),
                body=BodyText(full="Hallo", new="Hallo"), language="de")
    view = MessageView(parsed=ParsedMessage(ref=f"r{n}", size=10, outer=mail), mail=mail,
                       received_at=FIXED_NOW)
    draft = None
    planned: list[PlannedAction] = []
    if action is Action.draft:
        draft = Draft(to=[sender], subject=f"AW: {subject}", body=body, language="de",
                      in_reply_to=mail.message_id, references=[mail.message_id or ""])
    elif action is Action.route and assignee:
        planned = [RouteTask(assignee=assignee)]
    elif action is Action.notify:
        planned = [NotifyOwner(reason=rule)]
    d = Decision(action=action, assignee=assignee, rule=rule, reason="delegation",
                 planned_actions=planned, draft=draft, flags=list(flags))
    c = Classification(category=category, confidence=0.9, priority=Priority.normal,
                       decided_by="test")
    return TriageOutcome(ref=f"r{n}", view=view, classification=c, decision=d,
                         explanation="Eingeordnet als Kundenanfrage.")


def seeded_store(ws: Workspace, tmp_path: Path, clock: MovableClock) -> Store:
    """Three drafts (one with a placeholder), a routed task, a risk notification."""
    ws = ws.model_copy(update={"database": f"sqlite:///{tmp_path / 'review.db'}"})
    store = open_store(ws, clock)
    cases = [
        (1, Action.draft, "kundin1@kunden-beispiel.de", "Anfrage Logo", "Gern, das geht.", None),
        (2, Action.draft, "kundin2@kunden-beispiel.de", "Angebot", "Preis: [Preis einsetzen]",
         None),
        (3, Action.draft, "kundin3@kunden-beispiel.de", "Termin", "Passt am Dienstag.", None),
        (4, Action.route, "rechnung@druckerei.example", "Rechnung 4711", "", "lena"),
    ]
    for n, action, sender, subject, body, assignee in cases:
        [row] = store.messages.store_batch([RawMessage(
            ref=f"r{n}", data=mail_bytes(n, sender, subject), source="t", source_key=str(n))])
        assert row is not None
        category = Category.invoice_payment if action is Action.route else \
            Category.customer_inquiry
        store.results.save(row, outcome(n, action, sender, subject, body, assignee,
                                        category=category))
    [row] = store.messages.store_batch([RawMessage(
        ref="r5", data=mail_bytes(5, "ceo@freemail.example", "Überweisung heute"), source="t",
        source_key="5")])
    assert row is not None
    store.results.save(row, outcome(5, Action.notify, "ceo@freemail.example",
                                    "Überweisung heute", flags=("risk:payment_request",),
                                    rule="r2-risk"))
    return store


def app_for(ws: Workspace, store: Store) -> FastAPI:
    """The app over `store`. Corrections made through it are taught to an example store of
    its own next to the database: in the shared one, every later test (and every
    subprocess started from a copy of it) would classify with them."""
    database = make_url(store.db.url).database
    data = Path(database).parent / "data" if database else Path(tempfile.mkdtemp())
    ws = ws.model_copy(update={"data_dir": data})
    return create_app(ws, store, hosts=["testserver", "127.0.0.1"])


def owner_client(app: FastAPI, store: Store) -> TestClient:
    token = store.access.create_token("owner")
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def browser(app: FastAPI) -> TestClient:
    """A client without credentials (cookies persist, as in a browser)."""
    return TestClient(app, follow_redirects=False)


def log_in(client: TestClient, password: str = PASSWORD, next_: str = "/") -> str:
    """Log in through the form; returns the session's CSRF token."""
    form = client.get("/login")
    csrf = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post("/login", data={"password": password, "csrf_token": csrf, "next": next_})
    assert r.status_code == 303, r.text
    page = client.get("/")
    assert page.status_code == 200
    return page.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
