"""Shared request dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

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
