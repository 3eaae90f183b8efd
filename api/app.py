"""The FastAPI application: HTML pages for the owner, JSON under /api."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import pages, rest
from core.clock import system_clock
from core.config import Workspace
from tools.store import Store


def create_app(ws: Workspace, store: Store | None = None) -> FastAPI:
    app = FastAPI(title="Assistenz", version="0.1.0",
                  description="Triage, drafts and routed tasks of one Assistenz workspace.")
    app.state.ws = ws
    app.state.store = store or Store(ws.database_url, system_clock)
    app.mount("/static", StaticFiles(directory=str(resources.files("api") / "static")),
              name="static")
    app.include_router(rest.router)
    app.include_router(pages.router)
    return app
