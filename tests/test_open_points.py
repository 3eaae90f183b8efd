"""A line the draft leaves for the owner ("Offen für Sie: Stundensatz oder Pauschale?") is a
note to her, not to the recipient: the review UI lists it like a gap in brackets and holds
back sending (also from the queue's bulk approve) until she answered or deleted it. The API
of CONTRACT §7 sends what it is given (its 422 is for brackets only)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from reviewkit import MovableClock, app_for, mail_bytes, outcome, owner_client

from agent.drafts import TemplateDrafter
from agent.explain import explain
from agent.material import Answer, DraftMaterial
from agent.questions import read_questions
from agent.review import gaps, open_points
from core.config import Workspace
from core.models import Action, Category, RawMessage
from service.runner import open_store
from tools.store import Store

OPEN_DE = "Offen für Sie: Arbeiten Sie mit Stundensatz oder Pauschale?"
BODY_DE = ("Sehr geehrte Frau Brenner,\n\nvielen Dank für Ihre Anfrage.\n\n"
           f"{OPEN_DE}\n\nViele Grüße\nAnna Beispiel\n")


def test_open_points_are_whole_lines_that_start_with_the_marker() -> None:
    assert open_points(BODY_DE) == [OPEN_DE]
    en = "Hi Tom,\n\n  Open for you: Do you travel to Halle?\nBest\n"
    assert open_points(en) == ["Open for you: Do you travel to Halle?"]
    # the words inside a sentence are the owner's own text, not a marker
    assert open_points("Das ist noch offen für Sie: wir klären es morgen.\n") == []
    assert gaps("Preis: [Preis einsetzen]\n" + BODY_DE) == ["[Preis einsetzen]", OPEN_DE]


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_template_drafts_open_points_are_found(ws: Workspace, language: str) -> None:
    """The drafts' templates and the review agree on the marker: what the template leaves
    for the owner is what the UI holds back."""
    from agent.parse.mime import parse_message

    text = ("Was kostet ein Logo? Arbeiten Sie mit Stundensatz oder Pauschale?" if language
            == "de" else "What does a logo cost? Do you charge by the hour or a flat fee?")
    raw = ("From: Jana Brenner <jana@kunden-beispiel.de>\r\nSubject: Logo\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n").encode()
    mail = parse_message(RawMessage(ref="t", data=raw)).outer
    questions = read_questions(text)
    assert len(questions) == 2
    m = DraftMaterial(language=language, greeting="Hallo,", informal=False,
                      answers=tuple(Answer(q, "owner") for q in questions))
    now = datetime(2026, 11, 27, 9, tzinfo=UTC)
    body, _ = TemplateDrafter().body(mail, Category.customer_inquiry, "draft", ws, language,
                                     now, material=m)
    assert [p.split(":", 1)[1].strip() for p in open_points(body)] == \
        [q.text for q in questions]


@pytest.fixture
def store(ws: Workspace, tmp_path: Path) -> Store:
    ws = ws.model_copy(update={"database": f"sqlite:///{tmp_path / 'open.db'}"})
    store = open_store(ws, MovableClock())
    for n, body in ((1, BODY_DE), (2, "Gern, das geht.\n")):
        sender = f"kundin{n}@kunden-beispiel.de"
        [row] = store.messages.store_batch([RawMessage(
            ref=f"r{n}", data=mail_bytes(n, sender, "Anfrage"), source="t", source_key=str(n))])
        assert row is not None
        store.results.save(row, outcome(n, Action.draft, sender, "Anfrage", body))
    return store


@pytest.fixture
def client(ws: Workspace, store: Store) -> TestClient:
    return owner_client(app_for(ws, store), store)


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_message_page_lists_the_open_point_and_holds_back_sending(
        client: TestClient) -> None:
    page = client.get("/messages/1").text
    assert "data-approve disabled" in page
    assert f'<button type="button" class="gap" data-gap>{OPEN_DE}</button>' in page
    assert "„Offen für Sie: …“" in visible(page)  # says what to do with it
    assert "data-approve disabled" not in client.get("/messages/2").text
    queue = visible(client.get("/").text)
    assert "Antwort wartet auf Sie – 1 Lücke(n) zum Ausfüllen." in queue


def test_bulk_approve_skips_a_draft_with_an_open_point(client: TestClient,
                                                       store: Store) -> None:
    r = client.post("/api/v1/bulk", json={"action": "approve", "messages": [1, 2]}).json()
    assert r["done"] == [2] and r["skipped"] == {"1": "open points"}
    status = {d["message"]: d["status"] for d in store.review.drafts()}
    assert status == {1: "pending", 2: "approved"}
    # once she answered it, it goes
    assert client.post("/api/v1/drafts/1/approve", json={"body": BODY_DE.replace(
        OPEN_DE, "Ich arbeite mit Festpreisen.")}).status_code == 200


def test_the_api_keeps_the_contract_and_sends_what_it_is_given(client: TestClient) -> None:
    r = client.post("/api/v1/drafts/1/approve")
    assert r.status_code == 200
    # … and says what the recipient will read that was meant for the owner
    assert r.json()["open_points"] == [OPEN_DE]
    assert client.post("/api/v1/drafts/2/approve").json()["open_points"] == []


def test_the_explanation_counts_the_open_points() -> None:
    o = outcome(1, Action.draft, "kundin1@kunden-beispiel.de", "Anfrage", BODY_DE)
    assert "1 Punkt im Entwurf offen für Sie" in explain(o.view, o.classification,
                                                         o.decision, "de")
    two = o.decision.model_copy(update={"draft": o.decision.draft.model_copy(update={
        "body": BODY_DE + "Open for you: Halle?\n"})}) if o.decision.draft else o.decision
    assert "2 Punkte im Entwurf offen für Sie" in explain(o.view, o.classification, two, "de")
