"""Read models for pages and the API, built from the store (no side effects)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from agent.parse.mime import parse_message
from core.config import Limits
from core.models import RawMessage
from tools.store import Store
from tools.store.messages import item_json
from tools.store.models import DecisionRow, DraftRow, MessageRow, TaskRow


class TaskPublic(BaseModel):
    id: int
    message_id: int
    assistant_id: str
    status: str
    title: str
    reason: str
    created_at: str


class DraftPublic(BaseModel):
    id: int
    kind: str
    status: str
    to: list[str]
    cc: list[str]
    subject: str
    body: str
    language: str
    edited: bool = False  # the owner changed the agent's text before approving
    learned: bool = False  # starts from the owner's approved wording
    send_after: str | None = None
    reject_reason: str | None = None


class MessageDetail(BaseModel):
    item: dict[str, Any]
    decision: dict[str, Any] | None
    drafts: list[DraftPublic]
    tasks: list[TaskPublic]
    headers: dict[str, str]
    text: str
    forwarded: dict[str, str] | None
    owner_note: str
    attachments: list[dict[str, Any]]
    replies: list[dict[str, Any]]  # what was (or will be) sent, when, and its outbox state
    forwarded_by_owner: bool  # the gate's verdict, not merely "a forward"
    corrected: bool = False  # the current decision is the owner's correction
    decided_at: str | None = None


def _task(t: TaskRow) -> TaskPublic:
    return TaskPublic(id=t.id, message_id=t.message_id, assistant_id=t.assistant_id,
                      status=t.status, title=t.title, reason=t.reason,
                      created_at=t.created_at.isoformat())


def tasks(store: Store) -> list[TaskPublic]:
    with store.db.session() as s:
        return [_task(t) for t in s.scalars(select(TaskRow).order_by(TaskRow.id.desc()))]


def message_detail(store: Store, message_id: int) -> MessageDetail | None:
    with store.db.session() as s:
        m = s.get(MessageRow, message_id)
        if m is None:
            return None
        dec = s.scalar(select(DecisionRow).where(DecisionRow.message_id == m.id,
                                                 DecisionRow.current.is_(True)))
        drafts = s.scalars(select(DraftRow).where(DraftRow.message_id == m.id))
        task_rows = s.scalars(select(TaskRow).where(TaskRow.message_id == m.id))
        parsed = parse_message(RawMessage(ref=str(m.id), data=m.raw), Limits())
        outer, inner = parsed.outer, parsed.forwarded
        return MessageDetail(
            item=item_json(m, dec),
            decision=dec.result if dec else None,
            drafts=[DraftPublic(id=d.id, kind=d.kind, status=d.status, to=d.to, cc=d.cc,
                                subject=d.subject, body=d.body, language=d.language,
                                edited=d.original is not None,
                                learned=(d.template or "").startswith("learned:"),
                                send_after=(d.send_after.isoformat() if d.send_after
                                            else None),
                                reject_reason=d.reject_reason)
                    for d in drafts],
            tasks=[_task(t) for t in task_rows],
            headers={"From": outer.sender.formatted() if outer.sender else "",
                     "To": ", ".join(a.formatted() for a in outer.to),
                     "Subject": outer.subject,
                     "Date": outer.date.isoformat() if outer.date else ""},
            text=(inner.body.full if inner else outer.body.full),
            forwarded=({"From": inner.sender.formatted() if inner.sender else "",
                        "Subject": inner.subject} if inner else None),
            owner_note=parsed.forward_note if inner else "",
            attachments=[a.model_dump() for a in (inner or outer).attachments],
            replies=store.review.replies(m.id),
            forwarded_by_owner=bool((dec.result or {}).get("forwarded_by_owner")) if dec
            else False,
            corrected=bool(dec and dec.origin == "owner"),
            decided_at=dec.created_at.isoformat() if dec else None,
        )
