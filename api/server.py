"""`assistenz serve`: uvicorn in the foreground; Ctrl-C stops it cleanly."""

from __future__ import annotations

import sys

import uvicorn

from api.app import create_app
from core.clock import system_clock
from core.config import Workspace
from tools.store import Store


def serve(ws: Workspace, host: str = "127.0.0.1", port: int = 8000) -> int:
    store = Store(ws.database_url, system_clock)
    store.tasks.sync_assistants(ws.assistants)
    app = create_app(ws, store)
    sys.stderr.write(f"assistenz: serving the web UI on http://{host}:{port}/ "
                     f"(API: http://{host}:{port}/docs) — Ctrl-C stops\n")
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return 0
