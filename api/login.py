"""/login and /logout: the owner's password opens a browser session (CONTRACT §6)."""

from __future__ import annotations

import hmac
import secrets
from importlib import resources

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.access import OWNER, PUBLIC, SESSION_COOKIE, Caller
from api.deps import StoreDep, WorkspaceDep
from api.i18n import texts, ui_language
from service.auth import check_password, has_password

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("api") / "templates"))
LOGIN_CSRF = "asz_login"  # double-submit token of the login form (before any session)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _safe_next(value: str | None) -> str:
    """Only a path on this site (no //host, no scheme): no open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _form(request: Request, ws: WorkspaceDep, next_: str, error: str = "",
          status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = templates.TemplateResponse(
        request, "login.html", {"t": texts(ws), "lang": ui_language(ws), "csrf": token,
                                "next": _safe_next(next_), "error": error,
                                "company": ws.owner.company or ws.owner.name},
        status_code=status)
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict",
                        secure=_secure(request), max_age=3600, path="/login")
    return response


@router.get("/login", response_class=HTMLResponse, dependencies=[PUBLIC])
def login_form(request: Request, ws: WorkspaceDep, store: StoreDep,
               next: str = "/") -> HTMLResponse:
    error = "" if has_password(store) else texts(ws)["login"]["no_password"]
    return _form(request, ws, next, error)


@router.post("/login", response_class=HTMLResponse, dependencies=[PUBLIC])
def login(request: Request, ws: WorkspaceDep, store: StoreDep,
          password: str = Form(""), csrf_token: str = Form(""),
          next: str = Form("/")) -> Response:
    t = texts(ws)["login"]
    cookie = request.cookies.get(LOGIN_CSRF, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return _form(request, ws, next, t["expired"], 403)
    throttle = request.app.state.throttle
    client = request.client.host if request.client else "?"
    wait = throttle.wait_seconds(client)
    if wait:
        return _form(request, ws, next, t["throttled"].format(minutes=max(1, wait // 60)), 429)
    if not check_password(store, password):
        throttle.failed(client)
        return _form(request, ws, next, t["wrong"], 401)
    throttle.succeeded(client)
    session = store.access.open_session(ws.web.session_hours)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, session.token, httponly=True, samesite="lax",
                        secure=_secure(request),
                        max_age=int(ws.web.session_hours * 3600), path="/")
    response.delete_cookie(LOGIN_CSRF, path="/login")
    return response


@router.post("/logout", dependencies=[OWNER])
def logout(who: Caller, store: StoreDep) -> Response:
    if who.session_id:
        store.access.close_session(who.session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
