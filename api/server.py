"""`assistenz serve`: uvicorn in the foreground, sending from the outbox in the background;
Ctrl-C stops it cleanly."""

from __future__ import annotations

import sys

import uvicorn

from api.app import create_app
from api.security import allowed_hosts
from core.clock import Clock, system_clock
from core.config import Workspace
from service.auth import has_password
from tools.store import Store

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class ServeError(Exception):
    """Serving cannot start; str() is one line for the user."""


def serve(ws: Workspace, host: str = "127.0.0.1", port: int = 8000,
          clock: Clock = system_clock) -> int:
    store = Store(ws.database_url, clock)
    store.tasks.sync_assistants(ws.people)
    store.teams.sync(ws.teams, ws.owner.zone)
    if host not in LOOPBACK and not has_password(store):
        raise ServeError(f"refusing to serve on {host} before the owner has a password: "
                         "set one with `assistenz passwd --config …` (127.0.0.1 works without)")
    hosts = allowed_hosts(ws.web.host, ws.web.allowed_hosts, host)
    app = create_app(ws, store, hosts=hosts, send=True)
    shown = f"[{host}]" if ":" in host else host
    sys.stderr.write(f"assistenz: serving the web UI on http://{shown}:{port}/ "
                     f"(API: http://{shown}:{port}/docs) — Ctrl-C stops\n")
    if not has_password(store):
        sys.stderr.write("assistenz: no owner password yet — set one with "
                         "`assistenz passwd --config …` to log in\n")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True,
                forwarded_allow_ips="127.0.0.1")
    return 0
