"""The owner's review API (CONTRACT §7) as she uses it: approve (edited), the undo window,
reject, stop a queued reply, 409 and 422, the outbox, and a correction whose explanation,
tasks and drafts follow."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from mailservers import ScriptedClassifier
from reviewkit import MovableClock, app_for, owner_client, seeded_store

from core.config import Workspace
from service.deps import default_deps
from tools.store import Store
from tools.store.models import DraftRow, TaskRow


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def store(ws: Workspace, tmp_path: Path, clock: MovableClock) -> Store:
    return seeded_store(ws, tmp_path, clock)


@pytest.fixture
def app(ws: Workspace, store: Store) -> FastAPI:
    app = app_for(ws, store)
    deps = default_deps(ws, classifier=ScriptedClassifier(), load=store.tasks.open_tasks,
                        replied=store.ledger.auto_replied, clock=store.clock)
    app.state.deps = lambda: deps
    return app


@pytest.fixture
def api(app: FastAPI, store: Store) -> TestClient:
    return owner_client(app, store)


def pending(api: TestClient) -> dict[str, dict[str, object]]:
    return {str(d["subject"]): d for d in api.get("/api/v1/drafts?status=pending").json()}


def test_pending_drafts_carry_the_received_mails_message_id(api: TestClient) -> None:
    drafts = pending(api)
    assert set(drafts) == {"AW: Anfrage Logo", "AW: Angebot", "AW: Termin"}
    d = drafts["AW: Anfrage Logo"]
    assert d["message_id"] == "<r1@kunden-beispiel.de>"
    assert set(d) >= {"id", "to", "cc", "subject", "body", "language", "status"}
    assert d["to"] == ["kundin1@kunden-beispiel.de"] and d["status"] == "pending"


def test_approve_edited_waits_out_the_undo_window_then_goes_out_once(
        api: TestClient, store: Store, clock: MovableClock) -> None:
    d = pending(api)["AW: Anfrage Logo"]
    r = api.post(f"/api/v1/drafts/{d['id']}/approve",
                 json={"body": "Gern, das geht bis Freitag.", "cc": ["buero@kunden-beispiel.de"]})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert api.post(f"/api/v1/drafts/{d['id']}/approve", json={}).status_code == 409
    assert store.outbox.unqueued_drafts() == []  # inside the 30 s window: nothing leaves
    clock.at += timedelta(seconds=31)
    assert store.outbox.unqueued_drafts() == [d["id"]]
    with store.db.session() as s:
        row = s.get_one(DraftRow, int(str(d["id"])))
        assert row.body == "Gern, das geht bis Freitag." and row.cc == ["buero@kunden-beispiel.de"]
        assert row.original is not None and row.original["body"] == "Gern, das geht."


def test_undo_within_the_window_and_not_after(api: TestClient, store: Store,
                                              clock: MovableClock) -> None:
    d = pending(api)["AW: Termin"]
    assert api.post(f"/api/v1/drafts/{d['id']}/approve").status_code == 200
    clock.at += timedelta(seconds=10)
    assert api.post(f"/api/v1/drafts/{d['id']}/undo").json()["status"] == "pending"
    assert "AW: Termin" in pending(api)
    assert store.outbox.unqueued_drafts() == []
    assert api.post(f"/api/v1/drafts/{d['id']}/approve").status_code == 200
    clock.at += timedelta(seconds=31)
    assert api.post(f"/api/v1/drafts/{d['id']}/undo").status_code == 409


def test_a_placeholder_blocks_approval(api: TestClient) -> None:
    d = pending(api)["AW: Angebot"]
    r = api.post(f"/api/v1/drafts/{d['id']}/approve")
    assert r.status_code == 422
    assert r.json()["detail"]["placeholders"] == ["[Preis einsetzen]"]
    fixed = api.post(f"/api/v1/drafts/{d['id']}/approve", json={"body": "Preis: 480 €"})
    assert fixed.status_code == 200


def test_bad_addresses_are_refused(api: TestClient) -> None:
    d = pending(api)["AW: Anfrage Logo"]
    for body in ({"to": ["nicht-eine-adresse"]}, {"cc": ["a@b.de\r\nBcc: x@evil.example"]},
                 {"to": []}):
        assert api.post(f"/api/v1/drafts/{d['id']}/approve", json=body).status_code == 422
    assert api.post("/api/v1/drafts/9999/approve").status_code == 404


def test_reject_sends_nothing_and_keeps_the_reason(api: TestClient, store: Store) -> None:
    d = pending(api)["AW: Termin"]
    r = api.post(f"/api/v1/drafts/{d['id']}/reject", json={"reason": "rufe selbst an"})
    assert r.json()["status"] == "rejected"
    assert api.post(f"/api/v1/drafts/{d['id']}/approve").status_code == 409
    with store.db.session() as s:
        assert s.get_one(DraftRow, int(str(d["id"]))).reject_reason == "rufe selbst an"
    assert store.outbox.unqueued_drafts() == []


def test_an_approved_draft_can_be_stopped_until_it_is_sent(api: TestClient,
                                                           store: Store) -> None:
    d = pending(api)["AW: Anfrage Logo"]
    api.post(f"/api/v1/drafts/{d['id']}/approve")
    r = api.post(f"/api/v1/outbox/{d['id']}/stop")
    assert r.status_code == 200 and r.json()["status"] == "stopped"
    assert store.outbox.unqueued_drafts() == []


def test_the_outbox_lists_what_goes_out(api: TestClient, store: Store,
                                        clock: MovableClock) -> None:
    from tools.compose import compose

    d = pending(api)["AW: Anfrage Logo"]
    api.post(f"/api/v1/drafts/{d['id']}/approve")
    clock.at += timedelta(seconds=31)
    store.outbox.enqueue(int(str(d["id"])), lambda r: compose(
        r, "Anna Beispiel <assistenz@beispiel-design.de>", clock()))
    [row] = api.get("/api/v1/outbox").json()
    assert row["draft_id"] == d["id"] and row["status"] == "queued"
    assert row["to"] == ["kundin1@kunden-beispiel.de"]
    assert row["message_id_header"].startswith("<assistenz.")
    detail = api.get(f"/api/v1/messages/{pending_message(api, 'Anfrage Logo')}").json()
    assert detail["replies"][0]["outbox_status"] == "queued"


def pending_message(api: TestClient, subject: str) -> int:
    return next(int(i["id"]) for i in api.get("/api/v1/messages").json()
                if i["subject"] == subject)


def test_a_correction_reassigns_the_task_and_the_page_says_so(api: TestClient,
                                                               store: Store) -> None:
    mid = pending_message(api, "Rechnung 4711")
    assert store.tasks.open_tasks("lena") == 1
    r = api.post(f"/api/v1/messages/{mid}/correction", json={"assignee": "tom"})
    assert r.status_code == 200, r.text
    assert store.tasks.open_tasks("lena") == 0 and store.tasks.open_tasks("tom") == 1
    detail = api.get(f"/api/v1/messages/{mid}").json()
    assert detail["decision"]["assignee"] == "tom"
    assert "Tom Fischer" in detail["decision"]["explanation"]
    assert detail["decision"]["planned_actions"] == [{"type": "route_task", "assignee": "tom"}]
    item = next(i for i in api.get("/api/v1/messages").json() if i["id"] == mid)
    assert item["assignee"] == "tom" and item["action"] == "route"
    with store.db.session() as s:
        states = sorted((t.assistant_id, t.status) for t in s.query(TaskRow).all()
                        if t.message_id == mid)
    assert states == [("lena", "cancelled"), ("tom", "offered")]


def test_a_correction_to_ignore_sets_the_draft_aside(api: TestClient) -> None:
    mid = pending_message(api, "Termin")
    r = api.post(f"/api/v1/messages/{mid}/correction",
                 json={"category": "spam", "action": "ignore"})
    assert r.status_code == 200
    assert "AW: Termin" not in pending(api)
    assert api.post("/api/v1/messages/9999/correction",
                    json={"action": "ignore"}).status_code == 404
    assert api.post(f"/api/v1/messages/{mid}/correction",
                    json={"assignee": "nobody"}).status_code == 422
    assert api.post(f"/api/v1/messages/{mid}/correction", json={}).status_code == 422
