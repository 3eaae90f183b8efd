"""JSON API (OpenAPI at /openapi.json)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from api import views
from api.deps import StoreDep, WorkspaceDep

router = APIRouter(prefix="/api", tags=["api"])


@router.get("/messages")
def list_messages(store: StoreDep, status: str | None = None) -> list[dict[str, Any]]:
    """Every stored message with its current decision."""
    return store.messages.items(status)


@router.get("/messages/{message_id}")
def get_message(message_id: int, store: StoreDep) -> views.MessageDetail:
    detail = views.message_detail(store, message_id)
    if detail is None:
        raise HTTPException(status_code=404, detail="no such message")
    return detail


@router.get("/tasks")
def list_tasks(store: StoreDep) -> list[views.TaskPublic]:
    """Tasks routed to assistants, newest first."""
    return views.tasks(store)


@router.get("/assistants")
def list_assistants(ws: WorkspaceDep, store: StoreDep) -> list[dict[str, Any]]:
    return [{"id": a.id, "name": a.name, "languages": a.languages, "skills": a.skills,
             "capacity": a.capacity, "open_tasks": store.tasks.open_tasks(a.id)}
            for a in ws.assistants]


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
