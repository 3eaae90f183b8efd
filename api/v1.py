"""The owner's JSON API, version 1 (CONTRACT §7): drafts to review, the outbox, messages and
corrections. Owner token or owner session (with its CSRF token) only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from agent.review import open_points
from api import views
from api.access import OWNER, PUBLIC
from api.deps import RowId, StoreDep, WorkspaceDep
from core.models import Action, Category
from service import review
from service.review import Edits, ReviewError

router = APIRouter(prefix="/api/v1", tags=["owner"], dependencies=[OWNER])
public = APIRouter(prefix="/api", tags=["public"])


class DraftOut(BaseModel):
    id: int
    message_id: str | None = Field(description="the received mail's Message-ID header")
    to: list[str]
    cc: list[str]
    subject: str
    body: str
    language: str
    status: str = Field(description="pending, approved, queued, sending, sent, failed, "
                                    "uncertain, rejected, stopped")
    kind: str = Field(description="draft (needs approval) or auto (an automatic reply)")
    send_after: str | None = Field(None, description="end of the undo window (approved)")
    message: int | None = Field(None, description="the stored message's id (`assistenz items`)")


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {}, {"body": "Guten Tag Frau Brandt,\n\nvielen Dank …", "cc": ["buero@example.de"]}]})

    to: list[str] | None = None
    cc: list[str] | None = None
    subject: str | None = Field(None, max_length=998)
    body: str | None = Field(None, max_length=200_000)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"reason": "erledige ich selbst"}]})

    reason: str = Field("", max_length=2000)


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"category": "invoice_payment", "action": "route", "assignee": "lena"},
        {"category": "spam"}]})

    category: Category | None = None
    action: Action | None = None
    assignee: str | None = Field(None, max_length=64)


class Changed(BaseModel):
    id: int
    status: str
    send_after: str | None = None
    open_points: list[str] = Field(default_factory=list, description=(
        "lines of the approved text meant for the owner ('Offen für Sie: …'), which the "
        "recipient will read as they are; the web UI holds such drafts back, the API sends "
        "what it is given (undo within the window)"))


class OutboxOut(BaseModel):
    draft_id: RowId
    message_id_header: str = Field(description="the reply's own Message-ID")
    to: list[str]
    status: str = Field(description="queued, sending, sent, failed, uncertain "
                                    "(delivery uncertain), stopped")
    kind: str
    sent_at: str | None = None


def _fail(exc: ReviewError) -> HTTPException:
    detail: Any = exc.detail
    if exc.placeholders:
        detail = {"message": exc.detail, "placeholders": list(exc.placeholders)}
    return HTTPException(exc.status, detail)


def _draft(store: StoreDep, draft_id: RowId) -> DraftOut:
    d = store.review.draft(draft_id)
    if d is None:
        raise HTTPException(404, f"no draft {draft_id}")
    return DraftOut(**{k: d[k] for k in DraftOut.model_fields})


@router.get("/drafts")
def list_drafts(store: StoreDep, status: str | None = "pending") -> list[DraftOut]:
    """Drafts waiting for the owner (`?status=pending`, the default), or in another state
    (`?status=` for all)."""
    return [DraftOut(**{k: d[k] for k in DraftOut.model_fields})
            for d in store.review.drafts(status or None)]


@router.get("/drafts/{draft_id}")
def get_draft(draft_id: RowId, store: StoreDep) -> DraftOut:
    return _draft(store, draft_id)


@router.post("/drafts/{draft_id}/approve", responses={
    409: {"description": "already approved or rejected: nothing is sent again"},
    422: {"description": "the body still holds a placeholder in square brackets"}})
def approve(draft_id: RowId, store: StoreDep, ws: WorkspaceDep,
            body: ApproveIn | None = None) -> Changed:
    """Approve (the fields given replace the draft's first). The draft goes to the outbox
    and is sent once, after the undo window (`review.undo_seconds`; 0 = at once)."""
    edits = Edits(**(body.model_dump() if body else {}))
    try:
        review.approve(store, ws, draft_id, edits)
    except ReviewError as exc:
        raise _fail(exc) from None
    d = _draft(store, draft_id)
    return Changed(id=draft_id, status=d.status, send_after=d.send_after,
                   open_points=open_points(d.body))


@router.post("/drafts/{draft_id}/undo", responses={409: {"description": "too late"}})
def undo(draft_id: RowId, store: StoreDep) -> Changed:
    """Within the undo window: back to pending, nothing sent."""
    try:
        v = review.undo(store, draft_id)
    except ReviewError as exc:
        raise _fail(exc) from None
    return Changed(id=draft_id, status=v.status)


@router.post("/drafts/{draft_id}/reject", responses={409: {"description": "not pending"}})
def reject(draft_id: RowId, store: StoreDep, body: RejectIn | None = None) -> Changed:
    """Nothing is sent; the optional reason is kept."""
    try:
        v = review.reject(store, draft_id, body.reason if body else "")
    except ReviewError as exc:
        raise _fail(exc) from None
    return Changed(id=draft_id, status=v.status)


@router.post("/outbox/{draft_id}/stop", responses={409: {"description": "already leaving"}})
def stop(draft_id: RowId, store: StoreDep) -> Changed:
    """Stop a queued automatic reply (or an approved draft) before it leaves."""
    try:
        v = review.stop(store, draft_id)
    except ReviewError as exc:
        raise _fail(exc) from None
    return Changed(id=draft_id, status=v.status)


@router.get("/outbox")
def outbox(store: StoreDep) -> list[OutboxOut]:
    """Every outgoing mail and its state, newest first."""
    return [OutboxOut(**{k: o[k] for k in OutboxOut.model_fields})
            for o in store.review.outbox()]


@router.get("/messages")
def list_messages(store: StoreDep, status: str | None = None) -> list[dict[str, Any]]:
    """Every stored message with its current decision (as `assistenz items --json`)."""
    return store.messages.items(status)


@router.get("/messages/{message_id}")
def get_message(message_id: RowId, store: StoreDep) -> views.MessageDetail:
    """One message: its decision, drafts, tasks, and what was sent when."""
    detail = views.message_detail(store, message_id)
    if detail is None:
        raise HTTPException(404, "no such message")
    return detail


@router.post("/messages/{message_id}/correction", responses={
    404: {"description": "no such message"}, 422: {"description": "unknown assistant"}})
def correction(message_id: RowId, body: CorrectionIn, request: Request, store: StoreDep,
               ws: WorkspaceDep) -> dict[str, Any]:
    """The owner's decision replaces the agent's: explanation, planned actions, tasks and
    drafts follow, and similar mail is decided her way from now on."""
    if body.category is None and body.action is None and body.assignee is None:
        raise HTTPException(422, "give category, action or assignee")
    try:
        return review.correction(ws, store, message_id, body.category, body.action,
                                 body.assignee, request.app.state.deps())
    except ReviewError as exc:
        raise _fail(exc) from None


@router.get("/assistants")
def list_assistants(ws: WorkspaceDep, store: StoreDep) -> list[dict[str, Any]]:
    return [{"id": a.id, "name": a.name, "languages": a.languages, "skills": a.skills,
             "capacity": a.capacity, "open_tasks": store.tasks.open_tasks(a.id),
             "helper_of": p.id if (p := ws.principal(a.id)) else None,
             "may_delegate_to": a.delegates}
            for a in ws.people]


@public.get("/health", dependencies=[PUBLIC])
def health() -> dict[str, str]:
    return {"status": "ok"}
