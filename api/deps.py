"""Shared request dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from core.config import Workspace
from tools.store import Store


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_ws(request: Request) -> Workspace:
    ws: Workspace = request.app.state.ws
    return ws


StoreDep = Annotated[Store, Depends(get_store)]
WorkspaceDep = Annotated[Workspace, Depends(get_ws)]
# A row id in a path: bounded, so a number the database cannot hold is a 422, not a 500.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # INTEGER on PostgreSQL too

