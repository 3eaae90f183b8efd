"""Assistants and their tasks (CONTRACT §8) with an injected clock: offers announced once by
mail with signed links, accepted and completed (capacity freed, a reply drafted for the
owner), declined and expired offers going to the next best (never again to the same one),
everyone declining → the owner told, overdue tasks escalated, away assistants skipped; the
API's authorization matrix, links that act only on POST and only once, idempotency keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from reviewkit import MovableClock, app_for, seeded_store
from sqlalchemy import select

from core.config import Assistant, Smtp, Workspace
from service import tasks as lifecycle
from tools.store import Store
from tools.store.models import DraftRow, NoticeRow, TaskRow

MONDAY_10 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


@pytest.fixture
def team(ws: Workspace) -> Workspace:
    petra = Assistant(id="petra", name="Petra Schmidt", email="petra@va.example",
                      languages=["de"], skills="Buchhaltung: Rechnungen prüfen, Mahnungen",
                      capacity=5)
    smtp = {"host": "127.0.0.1", "port": 2525, "tls": False,
            "from": "Anna Beispiel <assistenz@beispiel-design.de>"}
    return ws.model_copy(update={"assistants": [*ws.assistants, petra],
                                 "smtp": Smtp.model_validate(smtp)})


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def store(team: Workspace, tmp_path: Path, clock: MovableClock) -> Store:
    return seeded_store(team, tmp_path, clock)


@pytest.fixture
def app(team: Workspace, store: Store) -> FastAPI:
    return app_for(team, store)


def client(app: FastAPI, store: Store, role: str, who: str | None = None) -> TestClient:
    token = store.access.create_token(role, who)
    return TestClient(app, headers={"Authorization": f"Bearer {token}"}, follow_redirects=False)


def lena_task(store: Store) -> int:
    [task] = [t for t in store.tasks.all("lena") if t.status == "offered"]
    return task.id


def offer_mails(store: Store) -> list[DraftRow]:
    with store.db.session() as s:
        return list(s.scalars(select(DraftRow).where(DraftRow.kind == "offer")))


def test_an_offer_is_announced_once_with_links_that_expire_in_working_hours(
        team: Workspace, store: Store) -> None:
    assert lifecycle.tick(store, team)["announced"] == 1
    assert lifecycle.tick(store, team)["announced"] == 0  # never twice
    [mail] = offer_mails(store)
    assert mail.to == ["lena@va.example"] and mail.status == "approved"
    assert mail.subject == "Neue Aufgabe: Rechnung 4711"
    links = [line.split()[-1] for line in mail.body.splitlines() if "/t/" in line]
    assert len(links) == 3 and len(set(links)) == 3
    assert "Frage Nummer 4" in mail.body  # what she needs: the one mail
    task = store.tasks.get(lena_task(store))
    assert task is not None
    # offered Fri 27 Nov 10:00 in Berlin; 8 working hours (Mo–Fr 9–17): Fri 7 h + Mon 1 h
    assert task.expires_at == MONDAY_10


def test_accept_and_complete_free_capacity_and_a_reply_becomes_a_draft(
        app: FastAPI, team: Workspace, store: Store) -> None:
    lifecycle.tick(store, team)
    lena = client(app, store, "assistant", "lena")
    tid = lena_task(store)
    assert store.tasks.open_tasks("lena") == 1
    r = lena.post(f"/api/v1/tasks/{tid}/accept")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert store.tasks.open_tasks("lena") == 1
    r = lena.post(f"/api/v1/tasks/{tid}/complete",
                  json={"result": "geprüft, zur Zahlung freigegeben",
                        "reply": "Guten Tag, die Rechnung 4711 ist angewiesen."})
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert store.tasks.open_tasks("lena") == 0
    with store.db.session() as s:
        [reply] = s.scalars(select(DraftRow).where(DraftRow.template == f"task:{tid}")).all()
    assert reply.status == "pending" and reply.to == ["rechnung@druckerei.example"]
    assert reply.subject == "AW: Rechnung 4711" and reply.in_reply_to == "<r4@kunden-beispiel.de>"
    assert lena.post(f"/api/v1/tasks/{tid}/accept").status_code == 409


def test_a_decline_goes_to_the_next_best_and_never_back(team: Workspace,
                                                        store: Store) -> None:
    lifecycle.tick(store, team)
    tid = lena_task(store)
    lifecycle.decline(store, team, tid, "assistant:lena", "lena", "zu viel zu tun")
    offered = [t for t in store.tasks.all(status="offered")]
    assert [t.assistant_id for t in offered] == ["petra"]
    assert store.tasks.open_tasks("lena") == 0
    lifecycle.decline(store, team, offered[0].id, "assistant:petra", "petra", "Urlaub")
    # whoever else still fits (Tom's "Dokumente") may get it; each declines in turn, and
    # nobody is asked twice
    asked = ["lena", "petra"]
    while offered := store.tasks.all(status="offered"):
        [t] = offered
        assert t.assistant_id not in asked
        asked.append(t.assistant_id)
        lifecycle.decline(store, team, t.id, f"assistant:{t.assistant_id}", t.assistant_id,
                          "passt nicht")
    assert "sarah" not in asked  # reads no German
    with store.db.session() as s:
        notes = s.scalars(select(NoticeRow).where(NoticeRow.kind == "unrouted")).all()
        assert len(notes) == 1 and notes[0].draft_id is not None  # the owner is told
        mail = s.get_one(DraftRow, notes[0].draft_id)
        assert mail.to == ["anna@beispiel-design.de"] and "Rechnung 4711" in mail.body


def test_an_unanswered_offer_expires_in_working_hours_and_moves_on(
        team: Workspace, store: Store, clock: MovableClock) -> None:
    lifecycle.tick(store, team)
    clock.at = MONDAY_10 - timedelta(minutes=1)
    assert lifecycle.tick(store, team)["expired"] == 0  # the weekend does not count
    clock.at = MONDAY_10 + timedelta(minutes=1)
    assert lifecycle.tick(store, team)["expired"] == 1
    assert [t.assistant_id for t in store.tasks.all(status="offered")] == ["petra"]
    assert [t.status for t in store.tasks.all("lena")] == ["expired"]


def test_an_away_assistant_is_not_offered_the_task(team: Workspace, store: Store,
                                                   clock: MovableClock) -> None:
    def holiday(a: Assistant) -> Assistant:
        return Assistant.model_validate({**a.model_dump(by_alias=True), "away": [
            {"from": "2026-11-20", "to": "2026-12-18"}]}) if a.id == "petra" else a

    ws = team.model_copy(update={"assistants": [holiday(a) for a in team.assistants]})
    lifecycle.tick(store, ws)
    lifecycle.decline(store, ws, lena_task(store), "assistant:lena", "lena")
    assert store.tasks.all(status="offered") == []  # petra is away: the owner is told


def test_an_overdue_task_is_escalated_once(team: Workspace, store: Store,
                                           clock: MovableClock) -> None:
    ws = team.model_copy(update={"tasks": team.tasks.model_copy(update={"due_hours": 24})})
    lifecycle.tick(store, ws)
    lifecycle.accept(store, ws, lena_task(store), "assistant:lena", "lena")
    clock.at += timedelta(hours=25)
    assert lifecycle.tick(store, ws)["escalated"] == 1
    assert lifecycle.tick(store, ws)["escalated"] == 0
    with store.db.session() as s:
        assert s.scalars(select(NoticeRow).where(NoticeRow.kind == "overdue")).one()


def test_assistants_see_only_their_own_tasks(app: FastAPI, team: Workspace,
                                             store: Store) -> None:
    lifecycle.tick(store, team)
    tid = lena_task(store)
    lena, tom = client(app, store, "assistant", "lena"), client(app, store, "assistant", "tom")
    owner = client(app, store, "owner")
    assert [t["id"] for t in lena.get("/api/v1/tasks").json()] == [tid]
    assert tom.get("/api/v1/tasks").json() == []
    assert [t["id"] for t in owner.get("/api/v1/tasks").json()] == [tid]
    paths = [("GET", f"/api/v1/tasks/{tid}", None), ("POST", f"/api/v1/tasks/{tid}/accept", None),
             ("POST", f"/api/v1/tasks/{tid}/decline", {}),
             ("POST", f"/api/v1/tasks/{tid}/complete", {"result": "x"})]
    for method, path, body in paths:
        r = tom.request(method, path, json=body)
        assert r.status_code == 404, (method, path, r.status_code)  # not 403: nothing leaks
    detail = lena.get(f"/api/v1/tasks/{tid}").json()
    assert detail["mail"]["subject"] == "Rechnung 4711"
    assert "Frage Nummer 4" in detail["mail"]["text"]
    assert "tom" not in str(detail).lower() and "sarah" not in str(detail).lower()
    log = owner.get("/api/v1/messages/4/access-log").json()
    assert [e["who"] for e in log] == ["assistant:lena"]
    for path in (f"/api/v1/tasks/{tid}/cancel", "/api/v1/messages/4/access-log"):
        assert lena.request("POST" if "cancel" in path else "GET", path).status_code == 403


def test_links_act_only_on_their_post_only_once(app: FastAPI, team: Workspace,
                                                store: Store, clock: MovableClock) -> None:
    lifecycle.tick(store, team)
    tid = lena_task(store)
    [mail] = offer_mails(store)
    link = {line.split()[0].rstrip(":"): line.split()[-1]
            for line in mail.body.splitlines() if "/t/" in line}
    accept = link["Annehmen"].split("127.0.0.1:8000")[-1]
    browser = TestClient(app, follow_redirects=False)
    page = browser.get(accept)  # a mail scanner fetching the link changes nothing
    assert page.status_code == 200 and "Aufgabe annehmen" in page.text
    assert store.tasks.get(tid).status == "offered"  # type: ignore[union-attr]
    assert browser.post(accept).status_code == 200
    assert store.tasks.get(tid).status == "accepted"  # type: ignore[union-attr]
    assert browser.post(accept).status_code == 410  # works once
    decline = link["Ablehnen"].split("127.0.0.1:8000")[-1]
    assert browser.post(decline, data={"reason": "doch nicht"}).status_code == 200
    clock.at += timedelta(days=8)
    done = link["Erledigt"].split("127.0.0.1:8000")[-1]
    assert browser.get(done).status_code == 410  # expired (and the task was declined)
    assert browser.get("/t/not-a-real-token-at-all-xyz").status_code == 410


def test_an_idempotency_key_gives_one_effect(app: FastAPI, team: Workspace,
                                             store: Store) -> None:
    lifecycle.tick(store, team)
    tid = lena_task(store)
    lena = client(app, store, "assistant", "lena")
    first = lena.post(f"/api/v1/tasks/{tid}/accept", headers={"Idempotency-Key": "k-1"})
    again = lena.post(f"/api/v1/tasks/{tid}/accept", headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert lena.post(f"/api/v1/tasks/{tid}/accept").status_code == 409
    other = lena.post(f"/api/v1/tasks/{tid}/decline", headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 422  # a key reused for another request
    with store.db.session() as s:
        assert s.scalars(select(TaskRow).where(TaskRow.id == tid)).one().status == "accepted"
