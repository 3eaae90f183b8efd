"""Assistenzketten and teams for a job, as the people in them notice it (injected clock):

- a three-link chain: Lena hands a part to Petra, who declines — it comes back to Lena, not
  to the owner; Lena hands it to her helper Jonas, who hands a part on to Petra; Petra's
  result reaches Jonas, Jonas's reaches Lena, Lena completes the task;
- the depth cap, cycles and due times outside the parent's are refused; an expired part
  comes back to the one who handed it on;
- a part's holder sees only what was passed on — over the API, in the offer mail and on the
  link page — and loses it the moment the task above it is withdrawn (authorization matrix);
- teams: mail that matches goes only to the team's members (the explanation says so); at
  `until` the team dissolves, its open tasks come back to the owner and the members' links
  and access end; a team formed and dissolved over the API takes effect for the next mail.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from reviewkit import MovableClock, app_for, outcome, seeded_store
from sqlalchemy import select

from agent.pipeline import Deps, triage
from agent.priority import priority_of
from core.config import Workspace
from core.models import (
    Action,
    Category,
    Classification,
    MessageView,
    RawMessage,
    TriageOutcome,
)
from service import tasks as lifecycle
from service import teams as team_service
from service.deps import default_deps
from tools.store import Store
from tools.store.models import AuditRow, DraftRow, NoticeRow

JONAS = {"id": "jonas", "name": "Jonas Weber", "email": "jonas@helfer.example",
         "languages": ["de"], "skills": "Belege abgleichen, Ablage", "capacity": 3,
         "may_delegate_to": ["petra"]}
PETRA = {"id": "petra", "name": "Petra Schmidt", "email": "petra@va.example",
         "languages": ["de"], "skills": "Buchhaltung: Rechnungen prüfen, Mahnungen",
         "capacity": 5, "may_delegate_to": ["lena", "tom"]}


@pytest.fixture
def chain_ws(ws: Workspace) -> Workspace:
    data = ws.model_dump(mode="json", by_alias=True, exclude={"path"})
    for a in data["assistants"]:
        if a["id"] == "lena":
            a.update(may_delegate_to=["petra"], helpers=[JONAS])
    data["assistants"].append(PETRA)
    data["smtp"] = {"host": "127.0.0.1", "port": 2525, "tls": False,
                    "from": "Anna Beispiel <assistenz@beispiel-design.de>"}
    data["tasks"] = {**data["tasks"], "due_hours": 72}
    return Workspace.model_validate(data)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def store(chain_ws: Workspace, tmp_path: Path, clock: MovableClock) -> Store:
    s = seeded_store(chain_ws, tmp_path, clock)
    s.tasks.sync_assistants(chain_ws.people)
    return s


@pytest.fixture
def app(chain_ws: Workspace, store: Store) -> FastAPI:
    return app_for(chain_ws, store)


def client(app: FastAPI, store: Store, role: str, who: str | None = None) -> TestClient:
    token = store.access.create_token(role, who)
    return TestClient(app, headers={"Authorization": f"Bearer {token}"}, follow_redirects=False)


def mails_to(store: Store, address: str, kind: str | None = None) -> list[DraftRow]:
    with store.db.session() as s:
        rows = s.scalars(select(DraftRow).where(DraftRow.kind.in_(("offer", "notice")))
                         .order_by(DraftRow.id))
        return [d for d in rows if address in d.to and (kind is None or d.kind == kind)]


def notices(store: Store, kind: str) -> list[NoticeRow]:
    with store.db.session() as s:
        return list(s.scalars(select(NoticeRow).where(NoticeRow.kind == kind)))


def links_in(mail: DraftRow) -> dict[str, str]:
    return {line.split()[0].rstrip(":"): line.split()[-1].split("127.0.0.1:8000")[-1]
            for line in mail.body.splitlines() if "/t/" in line}


def lena_task(store: Store) -> int:
    [task] = [t for t in store.tasks.all("lena") if t.status == "offered"]
    return task.id


def status(store: Store, task_id: int) -> str:
    task = store.tasks.get(task_id)
    assert task is not None
    return task.status


# --- the chain ---------------------------------------------------------------------------


def test_a_three_link_chain_declines_back_to_the_delegator_and_completes_up_the_chain(
        app: FastAPI, chain_ws: Workspace, store: Store) -> None:
    ws = chain_ws
    lifecycle.tick(store, ws)
    lena, petra, jonas = (client(app, store, "assistant", who)
                          for who in ("lena", "petra", "jonas"))
    owner = client(app, store, "owner")
    parent = lena_task(store)
    assert lena.post(f"/api/v1/tasks/{parent}/accept").status_code == 200

    # 1. Lena hands a part to Petra, who declines: it comes back to Lena, nobody else is asked
    r = lena.post(f"/api/v1/tasks/{parent}/delegate",
                  json={"to": "petra", "title": "Zahlungseingang prüfen",
                        "text": "Bitte prüfen, ob die Zahlung zur Rechnung 4711 da ist."})
    assert r.status_code == 200, r.text
    first = r.json()["id"]
    assert r.json()["assistant_id"] == "petra" and r.json()["status"] == "offered"
    assert status(store, parent) == "delegated"
    assert store.tasks.open_tasks("lena") == 1 and store.tasks.open_tasks("petra") == 1
    lifecycle.tick(store, ws)
    [offer] = mails_to(store, "petra@va.example", "offer")
    assert offer.subject == "Ein Teil einer Aufgabe: Zahlungseingang prüfen"
    assert "Lena Krüger gibt Ihnen einen Teil" in offer.body
    assert "Zahlung zur Rechnung 4711" in offer.body
    assert "Frage Nummer 4" not in offer.body  # the mail itself was not passed on
    assert "rechnung@druckerei.example" not in offer.body
    assert petra.post(f"/api/v1/tasks/{first}/decline",
                      json={"reason": "keine Zeit"}).status_code == 200
    assert status(store, parent) == "accepted"  # back with Lena
    assert store.tasks.all(status="offered") == []  # not rerouted to anyone else
    assert notices(store, "unrouted") == []  # and the owner is not bothered
    [back] = mails_to(store, "lena@va.example", "notice")
    assert back.subject == "Zurück bei Ihnen: Zahlungseingang prüfen"
    assert "an Petra Schmidt weitergegeben haben, wurde abgelehnt" in back.body

    # 2. Lena hands it to her helper Jonas, who hands a part on to Petra (three links)
    r = lena.post(f"/api/v1/tasks/{parent}/delegate",
                  json={"to": "jonas", "title": "Beleg zu 4711 suchen",
                        "text": "Den Zahlungsbeleg zur Rechnung 4711 heraussuchen."})
    assert r.status_code == 200, r.text
    middle = r.json()["id"]
    lifecycle.tick(store, ws)
    assert jonas.post(f"/api/v1/tasks/{middle}/accept").status_code == 200
    r = jonas.post(f"/api/v1/tasks/{middle}/delegate",
                   json={"to": "petra", "text": "Nur den Kontoauszug vom 20.11. ansehen."})
    assert r.status_code == 200, r.text
    last = r.json()["id"]
    assert r.json()["title"] == "Beleg zu 4711 suchen"  # the part keeps the title given
    assert status(store, middle) == "delegated" and status(store, parent) == "delegated"

    # the chain's rules: no third hand-on (depth 2), no cycle back to Lena
    r = petra.post(f"/api/v1/tasks/{last}/delegate", json={"to": "lena", "text": "x"})
    assert r.status_code == 422 and "cycle" in r.json()["detail"]
    r = petra.post(f"/api/v1/tasks/{last}/delegate", json={"to": "tom", "text": "x"})
    assert r.status_code == 422 and "max_depth" in r.json()["detail"]
    r = jonas.post(f"/api/v1/tasks/{middle}/delegate", json={"to": "tom"})
    assert r.status_code == 422 and "may not" in r.json()["detail"]  # not allowed to Tom

    # 3. results travel up the chain; a part answers its delegator, never the sender
    lifecycle.tick(store, ws)
    assert petra.post(f"/api/v1/tasks/{last}/complete",
                      json={"result": "x", "reply": "Sehr geehrte Damen und Herren"}
                      ).status_code == 422
    assert petra.post(f"/api/v1/tasks/{last}/complete",
                      json={"result": "Zahlung am 20.11. eingegangen"}).status_code == 200
    assert status(store, middle) == "accepted"
    seen = jonas.get(f"/api/v1/tasks/{middle}").json()
    assert [(p["assistant_id"], p["status"], p["result"]) for p in seen["parts"]] == [
        ("petra", "done", "Zahlung am 20.11. eingegangen")]
    assert jonas.post(f"/api/v1/tasks/{middle}/complete",
                      json={"result": "Beleg liegt im Ordner 2026/11"}).status_code == 200
    assert status(store, parent) == "accepted"
    parts = lena.get(f"/api/v1/tasks/{parent}").json()["parts"]
    assert [(p["assistant_id"], p["status"]) for p in parts] == [("petra", "declined"),
                                                                ("jonas", "done")]
    assert parts[1]["result"] == "Beleg liegt im Ordner 2026/11"
    assert lena.post(f"/api/v1/tasks/{parent}/complete",
                     json={"result": "bezahlt, Beleg abgelegt"}).status_code == 200
    assert all(store.tasks.open_tasks(a) == 0 for a in ("lena", "jonas", "petra"))

    # 4. the owner sees the whole chain on the message page and in the audit log
    page = owner.get("/messages/4")
    assert page.status_code == 200
    chain = page.text.split("data-tasks", 1)[1].split("</ul>", 1)[0]
    assert chain.index("Lena Krüger") < chain.index("Jonas Weber") < chain.rindex("Petra")
    assert 'data-depth="2"' in chain and "Zahlung am 20.11. eingegangen" in chain
    assert 'style="' not in page.text  # the CSP allows no inline style: indents are classes
    assert "Verlauf der Aufgaben" in page.text
    with store.db.session() as s:
        handed = s.scalars(select(AuditRow).where(AuditRow.event == "task_delegated")).all()
    assert [(h.detail["assistant"], h.detail["to"]) for h in handed] == [
        ("lena", "petra"), ("lena", "jonas"), ("jonas", "petra")]


def test_due_times_lie_inside_the_parents_and_an_expired_part_comes_back(
        app: FastAPI, chain_ws: Workspace, store: Store, clock: MovableClock) -> None:
    ws = chain_ws
    lifecycle.tick(store, ws)
    lena = client(app, store, "assistant", "lena")
    parent = lena_task(store)
    lena.post(f"/api/v1/tasks/{parent}/accept")
    due = store.tasks.get(parent).due_at  # type: ignore[union-attr]
    assert due is not None
    late = (due + timedelta(hours=1)).isoformat()
    r = lena.post(f"/api/v1/tasks/{parent}/delegate", json={"to": "petra", "due": late})
    assert r.status_code == 422 and "within" in r.json()["detail"]
    past = (clock.at - timedelta(hours=1)).isoformat()
    assert lena.post(f"/api/v1/tasks/{parent}/delegate",
                     json={"to": "petra", "due": past}).status_code == 422
    r = lena.post(f"/api/v1/tasks/{parent}/delegate",
                  json={"to": "petra", "text": "Mahnung vorbereiten"})
    assert r.status_code == 200
    part = store.tasks.get(r.json()["id"])
    assert part is not None and part.due_at == due  # inherits the parent's due time
    lifecycle.tick(store, ws)
    part = store.tasks.get(part.id)
    assert part is not None and part.expires_at is not None and part.expires_at <= due
    clock.at = part.expires_at + timedelta(minutes=1)
    assert lifecycle.tick(store, ws)["expired"] == 1
    assert status(store, part.id) == "expired" and status(store, parent) == "accepted"
    assert store.tasks.all(status="offered") == []
    assert notices(store, "unrouted") == []
    [back] = mails_to(store, "lena@va.example", "notice")
    assert "nicht rechtzeitig angenommen" in back.body


# --- what each link of the chain may see ------------------------------------------------

CONTRACT_MAIL = (
    b"From: Kunde <kunde@firma.example>\r\nTo: assistenz@beispiel-design.de\r\n"
    b"Subject: Vertrag und Rechnung\r\nMessage-ID: <v1@firma.example>\r\n"
    b"Date: Fri, 27 Nov 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Hallo, anbei der Vertrag. Meine Kundennummer ist 99-123, privat erreichbar "
    b"unter 0171 555 0199.\r\n--b\r\n"
    b'Content-Type: application/pdf; name="vertrag.pdf"\r\n'
    b'Content-Disposition: attachment; filename="vertrag.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b\r\n"
    b'Content-Type: application/pdf; name="gehaltsnachweis.pdf"\r\n'
    b'Content-Disposition: attachment; filename="gehaltsnachweis.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n")
SECRETS = ("99-123", "0171 555 0199", "kunde@firma.example", "gehaltsnachweis")


def test_each_link_sees_only_what_was_passed_on_and_loses_it_when_the_parent_goes(
        app: FastAPI, chain_ws: Workspace, store: Store) -> None:
    ws = chain_ws
    [row] = store.messages.store_batch([RawMessage(ref="v1", data=CONTRACT_MAIL, source="t",
                                                   source_key="v1")])
    assert row is not None
    store.results.save(row, outcome(6, Action.route, "kunde@firma.example",
                                    "Vertrag und Rechnung", assignee="lena",
                                    category=Category.invoice_payment))
    lifecycle.tick(store, ws)
    parent = next(t.id for t in store.tasks.all("lena") if t.message_id == row)
    roles = {who: client(app, store, "assistant", who) for who in ("lena", "jonas", "petra")}
    roles["owner"] = client(app, store, "owner")
    lena, jonas = roles["lena"], roles["jonas"]
    lena.post(f"/api/v1/tasks/{parent}/accept")
    r = lena.post(f"/api/v1/tasks/{parent}/delegate",
                  json={"to": "jonas", "text": "Bitte den Vertrag auf die Laufzeit prüfen.",
                        "attachments": ["gibt-es-nicht.pdf"]})
    assert r.status_code == 422 and "vertrag.pdf" in r.json()["detail"]
    r = lena.post(f"/api/v1/tasks/{parent}/delegate",
                  json={"to": "jonas", "text": "Bitte den Vertrag auf die Laufzeit prüfen.",
                        "attachments": ["vertrag.pdf"]})
    child = r.json()["id"]
    lifecycle.tick(store, ws)

    # the authorization matrix: paths × roles (owner, the delegator, the part's holder, a
    # stranger to this chain)
    expect = {  # path → the roles that get 200; every other assistant gets 404, not 403
        ("GET", f"/api/v1/tasks/{parent}"): {"owner", "lena"},
        ("GET", f"/api/v1/tasks/{child}"): {"owner", "jonas"},
    }
    acts = [("POST", f"/api/v1/tasks/{t}/{a}") for t in (parent, child)
            for a in ("accept", "decline", "complete", "delegate")]
    owner_only = [("GET", f"/api/v1/messages/{row}"), ("GET", f"/messages/{row}"),
                  ("GET", f"/messages/{row}/attachments/1"),
                  ("GET", f"/api/v1/messages/{row}/access-log"),
                  ("POST", f"/api/v1/tasks/{child}/cancel"), ("GET", "/api/v1/teams")]
    checked = 0
    for (method, path), allowed in expect.items():
        for who, c in roles.items():
            got = c.request(method, path).status_code
            assert got == (200 if who in allowed else 404), (who, method, path, got)
            checked += 1
    bodies = {"complete": {"result": "x"}, "delegate": {"to": "petra"}}
    for method, path in acts:
        holder = "lena" if f"/{parent}/" in path else "jonas"
        for who in ("lena", "jonas", "petra"):
            if who == holder:
                continue
            got = roles[who].request(method, path, json=bodies.get(path.rsplit("/", 1)[1]))
            assert got.status_code == 404, (who, path, got.status_code)
            checked += 1
    for method, path in owner_only:
        for who in ("lena", "jonas", "petra"):
            assert roles[who].request(method, path).status_code == 403, (who, path)
            checked += 1
    assert checked == 8 + 16 + 18

    # what Jonas sees: the text and the one attachment passed on, nothing of the mail
    seen = jonas.get(f"/api/v1/tasks/{child}").json()
    assert seen["mail"]["text"] == "Bitte den Vertrag auf die Laufzeit prüfen."
    assert seen["mail"]["attachments"] == ["vertrag.pdf"] and seen["mail"]["sender"] == ""
    assert seen["handed_on_by"] == "Lena Krüger" and seen["note"] == ""
    [offer] = mails_to(store, "jonas@helfer.example", "offer")
    link = links_in(offer)
    browser = TestClient(app, follow_redirects=False)
    page = browser.get(link["Annehmen"])
    assert page.status_code == 200 and "Laufzeit" in page.text
    assert "weitergegeben von Lena Krüger" in page.text
    done_page = browser.get(link["Erledigt"]).text
    assert 'name="result"' in done_page and 'name="reply"' not in done_page  # no sender
    for text in (str(seen), offer.body, page.text, done_page):
        assert not any(secret in text for secret in SECRETS), text
    # Lena, who holds the mail, sees it whole
    assert "99-123" in lena.get(f"/api/v1/tasks/{parent}").json()["mail"]["text"]
    # every read along the chain is in the access log
    log = roles["owner"].get(f"/api/v1/messages/{row}/access-log").json()
    assert {e["who"] for e in log} >= {"assistant:lena", "assistant:jonas", "link:jonas"}

    # the owner takes the task from Lena: what Lena passed on ends with it, links too
    assert roles["owner"].post(f"/api/v1/tasks/{parent}/cancel").status_code == 200
    assert status(store, child) == "cancelled"
    assert jonas.get(f"/api/v1/tasks/{child}").status_code == 404
    assert jonas.post(f"/api/v1/tasks/{child}/accept").status_code == 409
    assert browser.get(link["Annehmen"]).status_code == 410
    assert browser.post(link["Annehmen"]).status_code == 410
    assert store.tasks.open_tasks("jonas") == 0
    told = {who: [m.body for m in mails_to(store, address, "notice")
                  if m.subject.startswith("Zurückgezogen")]
            for who, address in (("lena", "lena@va.example"), ("jonas", "jonas@helfer.example"))}
    assert len(told["lena"]) == 1 and "Auftraggeberin hat sie zurückgenommen" in told["lena"][0]
    assert len(told["jonas"]) == 1 and "zu der sie gehörte" in told["jonas"][0]


# --- teams for a job ---------------------------------------------------------------------


class Fixed:
    """The category as given (teams are tested apart from the classifier)."""

    def __init__(self) -> None:
        self.category = Category.invoice_payment

    def classify(self, view: MessageView) -> Classification:
        return Classification(category=self.category, confidence=0.95, decided_by="test",
                              priority=priority_of(view, self.category))


def mail(n: int, sender: str, subject: str, text: str) -> bytes:
    return (f"From: {sender}\r\nTo: assistenz@beispiel-design.de\r\nSubject: {subject}\r\n"
            f"Message-ID: <team{n}@example.org>\r\nDate: Fri, 27 Nov 2026 09:00:00 +0100\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n").encode()


@pytest.fixture
def team_ws(chain_ws: Workspace, clock: MovableClock) -> Workspace:
    data = chain_ws.model_dump(mode="json", by_alias=True, exclude={"path"})
    data["teams"] = [{"id": "messe", "name": "Messe 2027", "members": ["tom"],
                      "until": (clock.at + timedelta(days=2)).isoformat(),
                      "match": {"keywords": ["Messestand"], "domains": ["messe-koeln.example"]}}]
    return Workspace.model_validate(data)


def routed(store: Store, deps: Deps, fixed: Fixed, n: int, raw: bytes,
           category: Category = Category.invoice_payment) -> TriageOutcome:
    fixed.category = category
    [row] = store.messages.store_batch([RawMessage(ref=f"m{n}", data=raw, source="t",
                                                   source_key=f"m{n}")])
    assert row is not None
    out = triage(RawMessage(ref=f"m{n}", data=raw, received_at=deps.clock()), deps)
    store.results.save(row, out)
    return out


def test_team_mail_goes_only_to_members_and_dissolving_brings_it_back(
        team_ws: Workspace, tmp_path: Path, clock: MovableClock) -> None:
    ws = team_ws
    store = seeded_store(ws, tmp_path, clock)
    team_service.sync(store, ws)
    fixed = Fixed()
    deps = default_deps(ws, classifier=fixed, load=store.tasks.open_tasks, clock=clock,
                        teams=lambda: store.teams.active(clock()))
    invoice = "Anbei die Rechnung 2026-311, zahlbar in 14 Tagen. Bitte prüfen und anweisen."
    plain = routed(store, deps, fixed, 1, mail(1, "buchhaltung@lieferant.example",
                                               "Rechnung 2026-311", invoice))
    assert plain.decision.assignee == "lena"  # bookkeeping fits best, no team involved
    fair = routed(store, deps, fixed, 2, mail(2, "buchhaltung@lieferant.example",
                                              "Rechnung Messestand", invoice))
    assert fair.decision.assignee == "tom"  # the team's member, though Lena fits better
    assert "Team „Messe 2027“" in fair.explanation and "Messestand" in fair.explanation
    # mail the owner's rules only notify her about goes to the team when it is the team's
    other = routed(store, deps, fixed, 3, mail(3, "Orga <orga@messe-koeln.example>",
                                               "Aufbauzeiten", "Die Aufbauzeiten stehen fest."),
                   Category.other)
    assert other.decision.action is Action.route and other.decision.assignee == "tom"
    assert "Domain messe-koeln.example" in other.explanation
    # … but never personal mail, spam or a risk
    private = routed(store, deps, fixed, 4, mail(4, "Orga <orga@messe-koeln.example>",
                                                 "Grüße", "Schöne Grüße!"), Category.personal)
    assert private.decision.action is Action.notify
    team_tasks = [t for t in store.tasks.all("tom") if t.team_id == "messe"]
    assert len(team_tasks) == 2

    app = app_for(ws, store)
    tom = client(app, store, "assistant", "tom")
    lifecycle.tick(store, ws)
    [first, second] = sorted(t.id for t in team_tasks)
    assert tom.post(f"/api/v1/tasks/{first}/accept").status_code == 200
    [offer] = [m for m in mails_to(store, "tom@va.example", "offer") if "Aufbauzeiten" in m.body]
    link = links_in(offer)["Annehmen"]

    # until: the team dissolves; its open tasks come back to the owner, access ends
    clock.at += timedelta(days=2, minutes=1)
    assert team_service.dissolve_due(store, ws) == 1
    assert team_service.dissolve_due(store, ws) == 0  # once
    assert {status(store, first), status(store, second)} == {"cancelled"}
    assert tom.get(f"/api/v1/tasks/{first}").status_code == 404
    assert TestClient(app, follow_redirects=False).get(link).status_code == 410
    [note] = notices(store, "team_dissolved")
    with store.db.session() as s:
        body = s.get_one(DraftRow, note.draft_id).body
    assert "Messe 2027" in body and "Rechnung Messestand" in body and "Aufbauzeiten" in body
    withdrawn = [m.body for m in mails_to(store, "tom@va.example", "notice")]
    assert len(withdrawn) == 2 and all("Team dafür ist aufgelöst" in b for b in withdrawn)
    after = routed(store, deps, fixed, 5, mail(5, "buchhaltung@lieferant.example",
                                               "Rechnung Messestand", invoice))
    assert after.decision.assignee == "lena" and "Team" not in after.explanation


def test_a_team_formed_and_dissolved_over_the_api_takes_effect_for_the_next_mail(
        chain_ws: Workspace, tmp_path: Path, clock: MovableClock) -> None:
    ws = chain_ws
    store = seeded_store(ws, tmp_path, clock)
    app = app_for(ws, store)
    owner, lena = client(app, store, "owner"), client(app, store, "assistant", "lena")
    fixed = Fixed()
    deps = default_deps(ws, classifier=fixed, load=store.tasks.open_tasks, clock=clock,
                        teams=lambda: store.teams.active(clock()))  # as `run` reads them
    team = {"id": "umzug", "name": "Umzug Büro", "members": ["tom"],
            "until": (clock.at + timedelta(days=30)).date().isoformat(),
            "match": {"keywords": ["Umzug"]}}
    assert lena.post("/api/v1/teams", json=team).status_code == 403
    assert owner.post("/api/v1/teams", json={**team, "members": ["nobody"]}).status_code == 422
    assert owner.post("/api/v1/teams", json={**team, "match": {}}).status_code == 422
    past = {**team, "until": (clock.at - timedelta(days=1)).date().isoformat()}
    assert owner.post("/api/v1/teams", json=past).status_code == 422
    r = owner.post("/api/v1/teams", json=team)
    assert r.status_code == 201 and r.json()["active"] is True
    assert owner.post("/api/v1/teams", json=team).status_code == 409
    out = routed(store, deps, fixed, 1, mail(1, "buero@vermieter.example",
                                             "Rechnung Umzug", "Die Rechnung für den Umzug."))
    assert out.decision.assignee == "tom" and "Umzug Büro" in out.explanation
    page = owner.get("/teams")
    assert page.status_code == 200 and "Umzug Büro" in page.text and "data-dissolve" in page.text
    r = owner.post("/api/v1/teams/umzug/dissolve")
    assert r.status_code == 200 and r.json()["tasks_back"] == 1
    assert owner.post("/api/v1/teams/umzug/dissolve").status_code == 404
    assert [t["active"] for t in owner.get("/api/v1/teams").json()] == [False]
    again = routed(store, deps, fixed, 2, mail(2, "buero@vermieter.example",
                                               "Rechnung Umzug", "Die Rechnung für den Umzug."))
    assert again.decision.assignee == "lena"


def test_config_refuses_chains_and_teams_that_cannot_work(ws: Workspace) -> None:
    data = ws.model_dump(mode="json", by_alias=True, exclude={"path"})
    bad = [
        ({"may_delegate_to": ["ghost"]}, "not an assistant or helper"),
        ({"may_delegate_to": ["lena"]}, "names itself"),
        ({"helpers": [{**JONAS, "id": "tom"}]}, "appears twice"),
    ]
    for change, words in bad:
        d = {**data, "assistants": [{**a, **change} if a["id"] == "lena" else a
                                    for a in data["assistants"]]}
        with pytest.raises(ValueError, match=words):
            Workspace.model_validate(d)
    team = {"id": "t", "name": "T", "members": ["lena"], "until": "2027-01-31",
            "match": {"keywords": ["x"]}}
    with pytest.raises(ValueError, match="helpers get work only"):
        Workspace.model_validate({**data, "assistants": [
            {**a, "helpers": [{**JONAS, "may_delegate_to": []}]} if a["id"] == "lena" else a
            for a in data["assistants"]],
            "teams": [{**team, "members": ["jonas"]}]})
    with pytest.raises(ValueError, match="give senders, domains or keywords"):
        Workspace.model_validate({**data, "teams": [{**team, "match": {}}]})
    ok = Workspace.model_validate({**data, "teams": [team]})
    end = ok.teams[0].until_at(ok.owner.zone)
    assert end == datetime(2027, 2, 1, tzinfo=ok.owner.zone)  # through the 31st


def test_taking_an_assistant_out_of_the_config_ends_their_chain_and_their_access(
        app: FastAPI, chain_ws: Workspace, store: Store) -> None:
    lifecycle.tick(store, chain_ws)
    lena, jonas = client(app, store, "assistant", "lena"), client(app, store, "assistant", "jonas")
    parent = lena_task(store)
    lena.post(f"/api/v1/tasks/{parent}/accept")
    part = lena.post(f"/api/v1/tasks/{parent}/delegate", json={"to": "jonas"}).json()["id"]
    without = chain_ws.model_copy(update={"assistants": [a for a in chain_ws.assistants
                                                         if a.id != "lena"]})
    assert lifecycle.tick(store, without)["withdrawn"] == 1  # Lena's task, Jonas's part with it
    assert status(store, parent) == "cancelled" and status(store, part) == "cancelled"
    [note] = notices(store, "unrouted")  # the owner is told the task is back with her
    with store.db.session() as s:
        assert "nicht mehr in Ihrer Konfiguration" in s.get_one(DraftRow, note.draft_id).body
    gone = app_for(without, store)
    for who in ("lena", "jonas"):  # Jonas was Lena's helper: he goes with her
        token = store.access.create_token("assistant", who)
        c = TestClient(gone, headers={"Authorization": f"Bearer {token}"})
        assert c.get("/api/v1/tasks").status_code == 403
    assert jonas.get(f"/api/v1/tasks/{part}").status_code == 404  # (old app: task ended)
