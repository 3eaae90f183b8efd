"""The owner's pages render stored decisions, and email content can never become markup."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import FIXED_NOW, FIXTURES
from fastapi.testclient import TestClient

from api.app import create_app
from core.config import Workspace
from core.models import RawMessage
from service.deps import default_deps
from service.runner import open_store, process_pending

EVIL = b"""From: "<script>alert(1)</script>" <evil@attacker.example>
To: anna@beispiel-design.de
Subject: <img src=x onerror=alert(2)> Angebot
Message-ID: <evil-1@attacker.example>
Content-Type: text/html; charset=utf-8

<p>Hallo</p><script>alert(3)</script><a href="javascript:alert(4)">klick</a>
<b onmouseover="alert(5)">Preisanfrage</b>
"""


def build(ws: Workspace, tmp_path: Path) -> TestClient:
    ws = ws.model_copy(update={"database": f"sqlite:///{tmp_path / 'w.db'}"})
    store = open_store(ws)
    for f in sorted((FIXTURES / "forwarded").iterdir()):
        store.messages.store_raw(RawMessage(ref=f.name, data=f.read_bytes(), source="t",
                                            source_key=f.name))
    store.messages.store_raw(RawMessage(ref="evil", data=EVIL, source="t", source_key="evil"))
    process_pending(store, default_deps(ws, load=store.tasks.open_tasks, clock=lambda: FIXED_NOW))
    token = store.access.create_token("owner")
    return TestClient(create_app(ws, store, hosts=["testserver"]),
                      headers={"Authorization": f"Bearer {token}"})


def test_inbox_lists_every_message_with_its_decision(ws: Workspace, tmp_path: Path) -> None:
    client = build(ws, tmp_path)
    page = client.get("/messages")
    assert page.status_code == 200
    body = page.text
    assert body.count('<a href="/messages/') == 11
    # words, not codes: the category, the action and the assistant's name
    assert "Rechnung/Zahlung" in body and "Zuweisen" in body and "Lena Krüger" in body
    visible = re.sub(r"<[^>]+>", " ", body)  # what the page shows (option values are codes)
    assert "invoice_payment" not in visible and " route " not in visible


def test_message_page_shows_decision_draft_and_original(ws: Workspace, tmp_path: Path) -> None:
    client = build(ws, tmp_path)
    items = client.get("/api/v1/messages").json()
    target = next(i for i in items if "Quote for a logo" in i["subject"])
    page = client.get(f"/messages/{target['id']}").text
    assert "Re: Quote for a logo?" in page  # the draft's subject
    assert "emily@hartandstone.co.uk" in page
    assert "bakery in Brighton" in page  # the original text
    assert "Can you draft a reply?" in page  # the owner's note


def test_email_content_is_escaped(ws: Workspace, tmp_path: Path) -> None:
    client = build(ws, tmp_path)
    items = client.get("/api/v1/messages").json()
    evil = next(i for i in items if i["message_id"] == "<evil-1@attacker.example>")
    for url in ("/", "/messages", f"/messages/{evil['id']}", f"/messages/{evil['id']}/html",
                "/tasks"):
        html = client.get(url).text
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "onmouseover=" not in html
        assert 'href="javascript:' not in html
    assert "&lt;img src=x onerror=alert(2)&gt; Angebot" in client.get("/messages").text


def test_tasks_page_and_api(ws: Workspace, tmp_path: Path) -> None:
    client = build(ws, tmp_path)
    tasks = client.get("/api/v1/tasks").json()
    assert tasks and all(t["assistant_id"] in {"lena", "tom", "sarah"} for t in tasks)
    page = client.get("/tasks").text
    assert "Lena Krüger" in page
    assert client.get("/openapi.json").json()["info"]["title"] == "Assistenz"
    assert client.get("/messages/99999").status_code == 404
