"""The owner's queue as JSON, and what the pages do with many messages at once: mark them
done (they leave the queue), ignore them (a correction), approve their drafts (only those
without placeholders or open points "Offen für Sie: …"). Owner token or owner session
(with its CSRF token)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from agent.review import open_points
from api.access import OWNER
from api.deps import RowId, StoreDep, WorkspaceDep
from core.models import Action
from service import review
from service.review import Edits, ReviewError

router = APIRouter(prefix="/api/v1", tags=["owner"], dependencies=[OWNER])


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"action": "archive", "messages": [3, 7]}, {"action": "approve", "messages": [4]}]})

    action: Literal["archive", "ignore", "approve"]
    messages: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(min_length=1,
                                                                      max_length=500)


class BulkOut(BaseModel):
    done: list[int] = Field(description="messages handled")
    skipped: dict[int, str] = Field(description="messages left as they were, and why")


@router.get("/queue")
def queue(store: StoreDep, ws: WorkspaceDep) -> list[dict[str, Any]]:
    """What needs the owner now (the start page): drafts, risks first, notices, unsure
    mail, tasks that came back, replies whose delivery is uncertain; newest first."""
    return [{"kind": i.kind, "message": i.message, "at": i.at.isoformat(),
             "sender": i.sender, "subject": i.subject, "draft": i.draft,
             "category": i.category, "action": i.action, "assignee": i.assignee}
            for i in store.inbox.queue(ws.triage.llm_below_confidence)]


@router.post("/messages/{message_id}/archive", responses={404: {"description": "no such message"}})
def archive(message_id: RowId, store: StoreDep) -> dict[str, Any]:
    """Done: the message leaves the queue (until something newer happens to it)."""
    if not store.inbox.archive([message_id]):
        raise HTTPException(404, "no such message")
    return {"message": message_id, "handled": True}


def _approve(store: StoreDep, ws: WorkspaceDep, message: int) -> str | None:
    pending = [d for d in store.review.drafts("pending")
               if d["message"] == message and d["kind"] == "draft"]
    if not pending:
        return "no pending draft"
    if open_points(str(pending[0]["body"])):  # her notes must not reach the recipient
        return "open points"
    try:
        review.approve(store, ws, int(pending[0]["id"]), Edits())
    except ReviewError as exc:
        return "placeholders" if exc.placeholders else exc.detail
    return None


@router.post("/bulk")
def bulk(body: BulkIn, request: Request, store: StoreDep, ws: WorkspaceDep) -> BulkOut:
    """The same action for several messages; each is handled on its own (one that cannot
    be, e.g. a draft with placeholders, is skipped with its reason)."""
    ids = list(dict.fromkeys(body.messages))
    if body.action == "archive":
        found = store.inbox.archive(ids)
        return BulkOut(done=found, skipped={i: "no such message" for i in ids
                                            if i not in found})
    done: list[int] = []
    skipped: dict[int, str] = {}
    for mid in ids:
        if body.action == "approve":
            why = _approve(store, ws, mid)
        else:
            try:
                review.correction(ws, store, mid, None, Action.ignore, None,
                                  request.app.state.deps())
                why = None
            except ReviewError as exc:
                why = exc.detail
        if why is None:
            done.append(mid)
        else:
            skipped[mid] = why
    return BulkOut(done=done, skipped=skipped)
