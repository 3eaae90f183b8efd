"""Who may call what (CONTRACT §6). Every route states its level with one dependency from
here — `PUBLIC`, `OWNER` or `ASSISTANT` (an assistant's token, or the owner) — and
tests/test_access.py walks the app's own route table to check each one.

- A bearer token (`Authorization: Bearer asz_…`) needs no CSRF token.
- The owner's browser session (cookie) must send the session's CSRF token with every
  state-changing request (header `X-CSRF-Token` or form field `csrf_token`).
- Without credentials, HTML pages redirect to /login and API paths answer 401; an
  assistant's token on an owner path answers 403.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from tools.store import Store
from tools.store.access import Principal

SESSION_COOKIE = "asz_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Level(StrEnum):
    public = "public"
    owner = "owner"
    assistant = "assistant"  # an assistant's token (their own things only) or the owner


class NotAuthenticated(Exception):
    """No credentials: pages go to /login, API paths get 401."""

    def __init__(self, path: str) -> None:
        self.path = path


def is_api(path: str) -> bool:
    return path.startswith("/api/")


def login_redirect(path: str) -> str:
    return f"/login?next={quote(path, safe='/')}"


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def principal_of(request: Request) -> Principal | None:
    """The caller, from a bearer token or the session cookie (tokens win)."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached if isinstance(cached, Principal) else None
    store = _store(request)
    who: Principal | None = None
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        who = store.access.token(auth[7:].strip())
        if who is None:
            raise HTTPException(401, "invalid or revoked token",
                                headers={"WWW-Authenticate": "Bearer"})
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        who = store.access.session(cookie) if cookie else None
    request.state.principal = who if who is not None else False
    return who


async def _check_csrf(request: Request, who: Principal) -> None:
    if who.via != "session" or request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not who.csrf or not hmac.compare_digest(sent, who.csrf):
        raise HTTPException(403, "missing or wrong CSRF token")


def _level(level: Level) -> Callable[[Request], Awaitable[Principal | None]]:
    async def check(request: Request) -> Principal | None:
        if level is Level.public:
            return None
        who = principal_of(request)
        if who is None:
            raise NotAuthenticated(request.url.path)
        if level is Level.owner and who.role != "owner":
            raise HTTPException(403, "this path is for the owner")
        if who.role == "assistant" and request.app.state.ws.assistant(
                who.assistant_id or "") is None:  # removed from the config: access ends
            raise HTTPException(403, "this assistant is no longer in the owner's config")
        await _check_csrf(request, who)
        return who

    check.access_level = level  # type: ignore[attr-defined]  # read by the route walk
    return check


PUBLIC: Any = Depends(_level(Level.public))
OWNER: Any = Depends(_level(Level.owner))
ASSISTANT: Any = Depends(_level(Level.assistant))


def caller(request: Request) -> Principal:
    """The authenticated caller of a non-public route (its level was checked already)."""
    who = principal_of(request)
    assert who is not None
    return who


Caller = Annotated[Principal, Depends(caller)]


def route_level(route: Any) -> Level | None:
    """The access level a route declared (None: it forgot)."""
    found: list[Level] = []

    def walk(dependant: Any) -> None:
        for dep in dependant.dependencies:
            level = getattr(dep.call, "access_level", None)
            if level is not None:
                found.append(level)
            walk(dep)

    dependant = getattr(route, "dependant", None)
    if dependant is not None:
        walk(dependant)
    return found[0] if len(set(found)) == 1 else None
