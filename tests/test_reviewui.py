"""The review pages without a browser (fast): the queue, the list's filters and search,
words instead of codes, dates in her time zone, marking done and bulk actions, the
sandboxed mail view and attachment downloads, English for an English-speaking owner."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from mailservers import ScriptedClassifier
from reviewkit import MovableClock, app_for, owner_client, seeded_store

from api import mailview
from core.config import Workspace
from core.models import RawMessage
from service.deps import default_deps
from tools.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def store(ws: Workspace, tmp_path: Path) -> Store:
    return seeded_store(ws, tmp_path, MovableClock())


@pytest.fixture
def app(ws: Workspace, store: Store) -> FastAPI:
    app = app_for(ws, store)
    fast = default_deps(ws, classifier=ScriptedClassifier(), load=store.tasks.open_tasks,
                        clock=store.clock)
    app.state.deps = lambda: fast
    return app


@pytest.fixture
def client(app: FastAPI, store: Store) -> TestClient:
    return owner_client(app, store)


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def kinds(html: str) -> list[str]:
    return re.findall(r'<span class="kind">([^<]+)</span>', html)


def test_the_queue_shows_what_needs_her_risks_first_in_words(client: TestClient) -> None:
    page = client.get("/").text
    assert kinds(page) == ["Achtung", "Entwurf zur Freigabe", "Entwurf zur Freigabe",
                           "Entwurf zur Freigabe"]
    text = visible(page)
    assert "Achtung: Zahlungsaufforderung" in text  # the plain warning, first
    assert "Antwort wartet auf Sie – 1 Lücke(n) zum Ausfüllen." in text
    assert "heute, 10:00" in text  # 09:00 UTC in Berlin, relative to her clock
    for code in ("customer_inquiry", "notify_owner", "r2-risk", "risk:payment_request",
                 "pending", "processed"):
        assert code not in text, code
    assert client.get("/api/v1/queue").json()[0]["kind"] == "risk"


def test_an_item_leaves_the_queue_when_handled(client: TestClient) -> None:
    assert client.post("/api/v1/drafts/1/reject", json={"reason": "selbst"}).status_code == 200
    assert client.post("/api/v1/messages/5/archive").status_code == 200
    left = {q["message"] for q in client.get("/api/v1/queue").json()}
    assert left == {2, 3}
    assert client.post("/api/v1/messages/999/archive").status_code == 404


def test_bulk_approves_only_drafts_without_placeholders_and_ignores(client: TestClient,
                                                                     store: Store) -> None:
    r = client.post("/api/v1/bulk", json={"action": "approve", "messages": [1, 2, 3]}).json()
    assert r["done"] == [1, 3] and set(r["skipped"]) == {"2"}
    assert {d["status"] for d in store.review.drafts() if d["message"] in (1, 3)} == {"approved"}
    r = client.post("/api/v1/bulk", json={"action": "ignore", "messages": [2, 5]}).json()
    assert r["done"] == [2, 5]
    items = {i["id"]: i for i in store.messages.items()}
    assert items[2]["action"] == "ignore" and items[5]["action"] == "ignore"
    assert client.get("/api/v1/queue").json() == []
    r = client.post("/api/v1/bulk", json={"action": "archive", "messages": [4, 77]}).json()
    assert r["done"] == [4] and set(r["skipped"]) == {"77"}


def test_the_list_filters_and_searches(client: TestClient) -> None:
    def ids(query: str) -> set[int]:
        return {int(i) for i in re.findall(r'data-message="(\d+)"', client.get(
            f"/messages?{query}").text)}

    assert ids("") == {1, 2, 3, 4, 5}
    assert ids("action=route") == {4}
    assert ids("assignee=lena") == {4}
    assert ids("action=draft") == {1, 2, 3}
    assert ids("q=druckerei") == {4}  # sender
    assert ids("q=%C3%9Cberweisung") == {5}  # subject, case-insensitive
    assert ids("q=100%25") == set()  # LIKE wildcards are text
    assert ids("status=open") == {1, 2, 3, 5}
    assert ids("category=spam") == set()
    assert ids("from=2026-11-27&to=2026-11-27") == {1, 2, 3, 4, 5}
    assert ids("from=2026-11-28") == set()
    page = visible(client.get("/messages?action=route").text)
    assert "Zuweisen" in page and "Lena Krüger" in page and "1 von 1" in page


def test_the_message_page_speaks_words_and_blocks_placeholders(client: TestClient) -> None:
    page = client.get("/messages/2").text
    assert 'data-approve disabled' in page
    assert '<button type="button" class="gap" data-gap>[Preis einsetzen]</button>' in page
    text = visible(page)
    assert "Freigeben &amp; senden" in text and "Verwerfen" in text
    risk = visible(client.get("/messages/5").text)
    assert "Achtung: Zahlungsaufforderung — nichts überweisen" in risk
    assert "Ihnen vorlegen" in risk and "notify_owner" not in risk
    routed = visible(client.get("/messages/4").text)
    assert "Aufgabe an Lena Krüger geben" in routed and "route_task" not in routed


def test_an_approved_draft_shows_the_undo_window(client: TestClient) -> None:
    assert client.post("/api/v1/drafts/1/approve", json={"body": "Gern, das geht!"}
                       ).status_code == 200
    page = client.get("/messages/1").text
    assert 'data-seconds-left="30"' in page and "Wird in 30 s gesendet." in page
    assert "von Ihnen bearbeitet" in page


def test_english_for_an_english_speaking_owner(ws: Workspace, tmp_path: Path) -> None:
    en = ws.model_copy(update={"owner": ws.owner.model_copy(update={
        "languages": ["en", "de"], "timezone": "America/New_York"})})
    store = seeded_store(en, tmp_path, MovableClock())
    client = owner_client(app_for(en, store), store)
    text = visible(client.get("/").text)
    assert "Today for you" in text and "Warning: a payment request" in text
    assert "today, 4:00 am" in text  # 09:00 UTC in New York
    assert "Approve &amp; send" in visible(client.get("/messages/1").text)


def test_the_mail_view_is_sanitised_and_sandboxed(client: TestClient, store: Store) -> None:
    raw = (FIXTURES / "xss" / "35-phishing-link-text.eml").read_bytes()
    store.messages.store_raw(RawMessage(ref="x", data=raw, source="t", source_key="x"))
    mid = max(i["id"] for i in store.messages.items())
    r = client.get(f"/messages/{mid}/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "img-src 'none'" in csp
    assert "script-src" not in csp and r.headers["x-frame-options"] == "SAMEORIGIN"
    assert "→ login-microsoft-verify.evil.example/auth?u=anna" in r.text
    assert client.get("/messages/1/html").status_code == 404  # a text-only mail
    page = client.get(f"/messages/{mid}").text
    assert f'src="/messages/{mid}/html" sandbox="allow-popups' in page


def test_attachments_download_only_as_files_with_safe_names(client: TestClient,
                                                            store: Store) -> None:
    raw = (FIXTURES / "xss" / "40-rfc2231-filename.eml").read_bytes()
    store.messages.store_raw(RawMessage(ref="a", data=raw, source="t", source_key="a"))
    mid = max(i["id"] for i in store.messages.items())
    r = client.get(f"/messages/{mid}/attachments/2")
    assert r.status_code == 200 and r.content.startswith(b"root:x:0:0")
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"passwd\"; filename*=UTF-8''passwd")
    first = client.get(f"/messages/{mid}/attachments/1").headers["content-disposition"]
    assert first.startswith("attachment;") and "<" not in first and "/" not in first[:40]
    assert client.get(f"/messages/{mid}/attachments/9").status_code == 404


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd", "passwd"), ("C:\\Windows\\evil.bat", "evil.bat"),
    ("rechnung\u202efdp.exe", "rechnungfdp.exe"), ('a"b<c>.pdf', "a_b_c_.pdf"),
    ("...", "anhang-3"), ("", "anhang-3"), ("Angebot für Anna.pdf", "Angebot für Anna.pdf"),
])
def test_safe_filenames(name: str, safe: str) -> None:
    assert mailview.safe_filename(name, 3) == safe


def test_link_targets_are_shown_and_unsafe_links_lose_their_target() -> None:
    out = mailview.sanitise('<a href="https://bank.evil.example/x?id=1">Klick mich</a>'
                            '<a href="javascript:alert(1)">js</a>'
                            '<a href="mailto:anna@beispiel-design.de">Mail</a>')
    assert "Klick mich</a> <span class=\"asz-target\">→ bank.evil.example/x?id=1</span>" in out
    assert "javascript" not in out and "→ anna@beispiel-design.de" in out
    assert mailview.target_label("https://example.com/" + "a" * 100).endswith("…")
