"""HTML pages for the owner: the morning queue, the full list, one message with its draft
card, the sandboxed view of a mail's HTML, attachment downloads, tasks. Jinja2 autoescapes
every value; no inline script or style (the pages load /static/app.js and style.css)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from agent.review import gaps as draft_gaps
from agent.review import open_markers
from api import mailview, views
from api.access import OWNER
from api.deps import RowId, StoreDep, WorkspaceDep
from api.present import Words
from core.config import Workspace
from core.models import Action, Category
from tools.store import Store
from tools.store.inbox import Filters, risky
from tools.store.messages import aware
from tools.store.models import MessageRow

router = APIRouter(include_in_schema=False, dependencies=[OWNER])
STATUS_FILTERS = ("open", "new", "processed", "failed", "handled")


def _session(request: Request) -> dict[str, object]:
    """Every page gets the session's CSRF token (a <meta> the scripts and forms read)."""
    who = getattr(request.state, "principal", None)
    return {"csrf": getattr(who, "csrf", None) or ""}


templates = Jinja2Templates(directory=str(resources.files("api") / "templates"),
                            context_processors=[_session])


def _page(request: Request, name: str, ws: Workspace, store: Store, **context: Any
          ) -> HTMLResponse:
    words = Words(ws, store.clock())
    queue_size = len(store.inbox.queue(ws.triage.llm_below_confidence))
    return templates.TemplateResponse(request, name, {
        "ws": ws, "p": words, "t": words.t, "lang": words.lang, "queue_size": queue_size,
        "categories": [c.value for c in Category], "actions": [a.value for a in Action],
        **context})


@router.get("/", response_class=HTMLResponse)
def queue(request: Request, store: StoreDep, ws: WorkspaceDep) -> HTMLResponse:
    """The morning queue: what needs her, risks first, then newest first."""
    items = store.inbox.queue(ws.triage.llm_below_confidence)
    gaps = {i.message: len(draft_gaps(i.draft_body)) for i in items if i.draft}
    return _page(request, "queue.html", ws, store, items=items, gaps=gaps, nav="queue")


def _day(value: str | None, ws: Workspace, end: bool = False) -> datetime | None:
    """A date from the filter form, as the start (or end) of that day in her time zone."""
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    start = datetime.combine(day, time(0), tzinfo=ws.owner.zone)
    return start + timedelta(days=1) if end else start


@router.get("/messages", response_class=HTMLResponse)
def messages(request: Request, store: StoreDep, ws: WorkspaceDep,
             category: str | None = None, action: str | None = None,
             assignee: str | None = None, status: str | None = None,
             since: str | None = Query(None, alias="from"),
             until: str | None = Query(None, alias="to"),
             q: str = "", offset: int = Query(0, ge=0)) -> HTMLResponse:
    """Every message with filters (category, action, assignee, status, date) and search."""
    f = Filters(category=category or None, action=action or None, assignee=assignee or None,
                status=status if status in STATUS_FILTERS else None,
                since=_day(since, ws), until=_day(until, ws, end=True), q=q[:200],
                offset=offset)
    rows, total = store.inbox.listing(f, ws.triage.llm_below_confidence)
    gaps = {r["id"]: len(draft_gaps(r["draft_body"])) for r in rows if r["draft"]}
    args = {"category": category or "", "action": action or "", "assignee": assignee or "",
            "status": status or "", "from": since or "", "to": until or "", "q": q}
    return _page(request, "list.html", ws, store, rows=rows, total=total, f=f, args=args,
                 gaps=gaps, statuses=STATUS_FILTERS, nav="all",
                 assignees=[a.id for a in ws.assistants])


def _raw(store: Store, message_id: int) -> bytes:
    with store.db.session() as s:
        raw = s.scalar(select(MessageRow.raw).where(MessageRow.id == message_id))
    if raw is None:
        raise HTTPException(404, "no such message")
    return bytes(raw)


@router.get("/messages/{message_id}", response_class=HTMLResponse)
def message(request: Request, message_id: RowId, store: StoreDep,
            ws: WorkspaceDep) -> HTMLResponse:
    detail = views.message_detail(store, message_id)
    if detail is None:
        raise HTTPException(status_code=404, detail="no such message")
    raw = _raw(store, message_id)
    drafts = [d for d in detail.drafts if d.kind in ("draft", "auto")]
    now = store.clock()
    seconds_left = {d.id: max(0, int((aware(datetime.fromisoformat(d.send_after)) - now)
                                     .total_seconds() + 0.999))
                    for d in drafts if d.status == "approved" and d.send_after}
    decision = detail.decision or {}
    return _page(request, "message.html", ws, store, m=detail, drafts=drafts,
                 replies={r["draft_id"]: r for r in detail.replies},
                 gaps={d.id: draft_gaps(d.body) for d in drafts},
                 open_markers=list(open_markers()),
                 files=mailview.attachments(raw), has_html=mailview.html_part(raw) is not None,
                 handled=store.inbox.handled(message_id), nav="all",
                 seconds_left=seconds_left,
                 history=views.task_history(store, message_id) if detail.tasks else [],
                 risk=detail.item.get("action") == "notify" and risky(
                     [str(f) for f in decision.get("flags", [])],
                     str(decision.get("rule", ""))))


@router.get("/messages/{message_id}/html")
def message_html(message_id: RowId, store: StoreDep, ws: WorkspaceDep) -> Response:
    """The mail's HTML, sanitised, for the sandboxed iframe: its own CSP allows no script,
    no image, no font, no form, nothing from anywhere — only its one style block."""
    markup = mailview.html_part(_raw(store, message_id))
    if markup is None:
        raise HTTPException(404, "no HTML part")
    words = Words(ws, store.clock())
    return HTMLResponse(mailview.frame_document(mailview.sanitise(markup), words.lang),
                        headers={"Content-Security-Policy": mailview.FRAME_CSP,
                                 "X-Frame-Options": "SAMEORIGIN",
                                 "Cache-Control": "no-store"})


@router.get("/messages/{message_id}/attachments/{index}")
def download(message_id: RowId, index: Annotated[int, Path(ge=0, le=10_000)],
             store: StoreDep) -> Response:
    """An attachment, only as a download (never shown inline), with a safe file name."""
    found = mailview.attachment(_raw(store, message_id), index)
    if found is None:
        raise HTTPException(404, "no such attachment")
    part, data = found
    return Response(data, media_type="application/octet-stream", headers={
        "Content-Disposition": mailview.content_disposition(part.filename),
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "no-store"})


@router.get("/teams", response_class=HTMLResponse)
def teams(request: Request, store: StoreDep, ws: WorkspaceDep) -> HTMLResponse:
    """Teams for a job: who is on which, until when, which mail; form one, dissolve one."""
    now = store.clock()
    return _page(request, "teams.html", ws, store, teams=[t.json(now) for t in store.teams.all()],
                 nav="teams")


@router.get("/tasks", response_class=HTMLResponse)
def tasks(request: Request, store: StoreDep, ws: WorkspaceDep) -> HTMLResponse:
    return _page(request, "tasks.html", ws, store, tasks=views.tasks(store), nav="tasks")
