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
from tools.store.models import AuditRow, DecisionRow, DraftRow, MessageRow, TaskRow


class TaskPublic(BaseModel):
    id: int
    message_id: int
    assistant_id: str
    status: str
    title: str
    reason: str
    created_at: str
    parent_id: int | None = None  # a part handed on from that task
    depth: int = 0
    team_id: str | None = None
    text: str | None = None  # what was passed on with a part
    attachments: list[str] = []
    result: str | None = None


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
    shared = t.shared.get("attachments", []) if isinstance(t.shared, dict) else []
    return TaskPublic(id=t.id, message_id=t.message_id, assistant_id=t.assistant_id,
                      status=t.status, title=t.title, reason=t.reason,
                      created_at=t.created_at.isoformat(), parent_id=t.parent_id,
                      depth=t.depth, team_id=t.team_id, text=t.text,
                      attachments=[str(a) for a in shared], result=t.result)


def chain_order(tasks: list[TaskPublic]) -> list[TaskPublic]:
    """Tasks as a chain: each part right after the task it was handed on from."""
    kids: dict[int | None, list[TaskPublic]] = {}
    ids = {t.id for t in tasks}
    for t in sorted(tasks, key=lambda t: t.id):
        kids.setdefault(t.parent_id if t.parent_id in ids else None, []).append(t)
    out: list[TaskPublic] = []

    def walk(parent: int | None) -> None:
        for t in kids.get(parent, []):
            out.append(t)
            walk(t.id)
    walk(None)
    return out


TASK_EVENTS = ("route_task", "task_offered", "task_announced", "task_accepted", "task_declined",
               "task_expired", "task_delegated", "task_part_back", "task_done",
               "task_cancelled", "task_viewed", "task_link_used")


def task_history(store: Store, message_id: int) -> list[dict[str, Any]]:
    """The audit trail of this mail's tasks, along the whole chain: who was offered,
    handed on, declined, completed, and every read of the mail or of what was passed on."""
    with store.db.session() as s:
        rows = s.scalars(select(AuditRow).where(AuditRow.message_id == message_id,
                                                AuditRow.event.in_(TASK_EVENTS))
                         .order_by(AuditRow.id))
        return [{"at": r.at.isoformat(), "actor": r.actor, "event": r.event,
                 "task": (r.detail or {}).get("task"), "detail": dict(r.detail or {})}
                for r in rows]


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
            tasks=chain_order([_task(t) for t in task_rows]),
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
