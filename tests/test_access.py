"""CONTRACT §6 as an attacker and a user would find it: every route of the app's own route
table states who may call it, and holds to it; CSRF, Host headers, login throttling,
tokens that end at once, security headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.testclient import TestClient
from reviewkit import PASSWORD, MovableClock, app_for, browser, log_in, seeded_store
from starlette.routing import Mount

from api.access import Level, route_level
from core.config import Workspace
from service.auth import set_password
from tools.store import Store

OPEN = {"/login", "/api/health", "/openapi.json", "/docs"}


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def store(ws: Workspace, tmp_path: Path, clock: MovableClock) -> Store:
    s = seeded_store(ws, tmp_path, clock)
    set_password(s, PASSWORD)
    return s


@pytest.fixture
def app(ws: Workspace, store: Store) -> FastAPI:
    return app_for(ws, store)


def table(app: FastAPI) -> list[RouteContext]:
    """The app's own route table, routers included (their prefixes and dependencies)."""
    return list(iter_route_contexts(app.routes))


def routes(app: FastAPI) -> Iterator[tuple[RouteContext, str]]:
    for route in table(app):
        if isinstance(route.original_route, APIRoute):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                yield route, method


def url_of(route: RouteContext) -> str:
    return re.sub(r"\{[^}]+\}", "1", route.path or "")


def test_every_route_declares_who_may_call_it(app: FastAPI) -> None:
    seen = 0
    for route in table(app):
        if isinstance(route.original_route, Mount):
            assert route.path == "/static"  # files only, public by design
            continue
        assert route_level(route) is not None, f"{route.path} does not say who may call it"
        seen += 1
    assert seen >= 20
    levels = {r.path: route_level(r) for r in table(app)
              if isinstance(r.original_route, APIRoute)}
    assert {p for p, level in levels.items() if level is Level.public} == OPEN | {
        "/login", "/t/{token}"}  # a task link: its token is the credential


def test_without_credentials_pages_redirect_and_api_paths_answer_401(app: FastAPI) -> None:
    client = browser(app)
    checked = 0
    for route, method in routes(app):
        if route_level(route) is Level.public:
            continue
        r = client.request(method, url_of(route))
        if route.path.startswith("/api/"):
            assert r.status_code == 401, (method, route.path, r.status_code)
            assert r.headers["www-authenticate"] == "Bearer"
        else:
            assert r.status_code == 303, (method, route.path, r.status_code)
            assert r.headers["location"].startswith("/login?next=")
        checked += 1
    assert checked >= 15


def test_open_paths_need_nothing(app: FastAPI) -> None:
    client = browser(app)
    for path in (*sorted(OPEN), "/static/style.css", "/static/swagger/swagger-ui.css"):
        assert client.get(path).status_code == 200, path
    assert client.get("/openapi.json").json()["info"]["title"] == "Assistenz"


def test_an_assistants_token_may_not_use_owner_paths(app: FastAPI, store: Store) -> None:
    token = store.access.create_token("assistant", "lena")
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"},
                        follow_redirects=False)
    checked = 0
    for route, method in routes(app):
        if route_level(route) is Level.owner:
            r = client.request(method, url_of(route))
            assert r.status_code == 403, (method, route.path, r.status_code)
            checked += 1
    assert checked >= 15


def test_a_revoked_token_fails_at_once(app: FastAPI, store: Store) -> None:
    token = store.access.create_token("owner")
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/v1/drafts").status_code == 200
    assert store.access.revoke(token[:8]) == 1
    assert client.get("/api/v1/drafts").status_code == 401
    assert TestClient(app, headers={"Authorization": "Bearer asz_nonsense"}).get(
        "/api/v1/drafts").status_code == 401


def test_a_browser_session_needs_the_csrf_token_for_every_change(app: FastAPI) -> None:
    client = browser(app)
    csrf = log_in(client)
    assert client.get("/api/v1/drafts").status_code == 200  # reading needs no token
    assert client.post("/api/v1/drafts/1/reject", json={}).status_code == 403
    assert client.post("/api/v1/drafts/1/reject", json={},
                       headers={"X-CSRF-Token": "wrong"}).status_code == 403
    ok = client.post("/api/v1/drafts/1/reject", json={"reason": "mache ich selbst"},
                     headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200 and ok.json()["status"] == "rejected"
    assert client.post("/logout").status_code == 403  # a cross-site form cannot log her out
    out = client.post("/logout", data={"csrf_token": csrf})
    assert out.status_code == 303
    assert client.get("/").status_code == 303  # the session is gone on the server


def test_login_form_refuses_a_forged_post_and_wrong_passwords(app: FastAPI) -> None:
    client = browser(app)
    r = client.post("/login", data={"password": PASSWORD, "csrf_token": "x", "next": "/"})
    assert r.status_code == 403 and "asz_session" not in client.cookies
    form = client.get("/login?next=//evil.example/x").text
    csrf = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert 'value="//evil.example' not in form  # no open redirect after login
    bad = client.post("/login", data={"password": "falsch-falsch", "csrf_token": csrf})
    assert bad.status_code == 401 and "Passwort stimmt nicht" in bad.text


def test_logins_are_throttled_per_client(app: FastAPI, clock: MovableClock) -> None:
    client = browser(app)
    for _ in range(5):
        csrf = client.get("/login").text.split('name="csrf_token" value="', 1)[1][:40]
        csrf = csrf.split('"', 1)[0]
        assert client.post("/login", data={"password": "nope-nope-nope",
                                           "csrf_token": csrf}).status_code == 401
    csrf = client.get("/login").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    blocked = client.post("/login", data={"password": PASSWORD, "csrf_token": csrf})
    assert blocked.status_code == 429 and "Zu viele Versuche" in blocked.text
    clock.at += timedelta(minutes=16)
    log_in(client)


def test_a_host_header_outside_the_allowlist_is_refused(app: FastAPI, store: Store) -> None:
    token = store.access.create_token("owner")
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/v1/drafts", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/api/v1/drafts", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login", headers={"Host": "attacker.test:8000"}).status_code == 400


def test_every_response_carries_the_security_headers(app: FastAPI) -> None:
    client = browser(app)
    for path in ("/login", "/api/health", "/", "/static/style.css", "/docs"):
        h = client.get(path).headers
        assert "script-src 'self'" in h["content-security-policy"], path
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert "unsafe-inline" not in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "no-referrer"


def test_the_session_cookie_is_httponly_and_samesite(app: FastAPI) -> None:
    client = browser(app)
    csrf = client.get("/login").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post("/login", data={"password": PASSWORD, "csrf_token": csrf})
    cookie = next(v for k, v in r.headers.multi_items()
                  if k == "set-cookie" and v.startswith("asz_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
