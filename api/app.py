"""The FastAPI application: the owner's pages, the JSON API (CONTRACT §6–§8), /login.

Every route declares who may call it (api/access.py); the Host header must be one the
workspace names (DNS rebinding); every response carries a strict CSP and friends
(api/security.py). `serve` also sends: a background thread runs the outbox
(service/sender.py), so an approval goes out without a separate `run`.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from agent.pipeline import Deps
from api import docs, inbox_api, login, pages, tasks, teams, v1
from api.access import NotAuthenticated, is_api, login_redirect
from api.security import LoginThrottle, SecurityHeaders, allowed_hosts
from core.config import Workspace
from service.sender import Sender
from tools.store import Store

DESCRIPTION = """Triage, drafts and routed tasks of one Assistenz workspace.

Authenticate with `Authorization: Bearer <token>` (`assistenz token create --owner`)."""


def _lazy_deps(ws: Workspace, store: Store) -> Callable[[], Deps]:
    """The pipeline for corrections, built on first use (loading the classifier takes a
    few seconds; pages and most API calls never need it)."""
    lock = threading.Lock()
    built: list[Deps] = []

    def get() -> Deps:
        with lock:
            if not built:
                from service.deps import default_deps

                built.append(default_deps(ws, load=store.tasks.open_tasks,
                                          replied=store.ledger.auto_replied,
                                          clock=store.clock, learn_from=store.db,
                                          teams=lambda: store.teams.active(store.clock())))
            return built[0]

    return get


def create_app(ws: Workspace, store: Store, hosts: list[str] | None = None,
               send: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        sender = Sender(store, ws).start() if send else None
        try:
            yield
        finally:
            if sender is not None:
                sender.stop()

    app = FastAPI(title="Assistenz", version="1.0.0", description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.ws = ws
    app.state.store = store
    app.state.throttle = LoginThrottle(store.clock)
    app.state.deps = _lazy_deps(ws, store)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(TrustedHostMiddleware,
                       allowed_hosts=hosts or allowed_hosts(ws.web.host, ws.web.allowed_hosts,
                                                            None))
    app.mount("/static", StaticFiles(directory=str(resources.files("api") / "static")),
              name="static")
    for router in (docs.router, login.router, v1.public, v1.router, inbox_api.router,
                   tasks.router, tasks.owner, tasks.links, teams.router, pages.router):
        app.include_router(router)

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if is_api(exc.path):
            return JSONResponse({"detail": "authentication required"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        target = exc.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(login_redirect(target), status_code=303)

    return app
