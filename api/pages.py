"""HTML pages for the owner. Jinja2 autoescapes every value: email content is shown as text."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api import views
from api.access import OWNER
from api.deps import RowId, StoreDep, WorkspaceDep

router = APIRouter(include_in_schema=False, dependencies=[OWNER])


def _session(request: Request) -> dict[str, object]:
    """Every page gets the session's CSRF token (a <meta> the scripts and forms read)."""
    who = getattr(request.state, "principal", None)
    return {"csrf": getattr(who, "csrf", None) or ""}


templates = Jinja2Templates(directory=str(resources.files("api") / "templates"),
                            context_processors=[_session])


@router.get("/", response_class=HTMLResponse)
def inbox(request: Request, store: StoreDep, ws: WorkspaceDep,
          status: str | None = None) -> HTMLResponse:
    items = store.messages.items(status)
    return templates.TemplateResponse(request, "inbox.html",
                                      {"items": items, "ws": ws, "status": status})


@router.get("/messages/{message_id}", response_class=HTMLResponse)
def message(request: Request, message_id: RowId, store: StoreDep,
            ws: WorkspaceDep) -> HTMLResponse:
    detail = views.message_detail(store, message_id)
    if detail is None:
        raise HTTPException(status_code=404, detail="no such message")
    return templates.TemplateResponse(request, "message.html", {"m": detail, "ws": ws})


@router.get("/tasks", response_class=HTMLResponse)
def tasks(request: Request, store: StoreDep, ws: WorkspaceDep) -> HTMLResponse:
    names = {a.id: a.name for a in ws.assistants}
    return templates.TemplateResponse(request, "tasks.html",
                                      {"tasks": views.tasks(store), "names": names, "ws": ws})
