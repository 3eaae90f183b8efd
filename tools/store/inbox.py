"""What the owner's pages read: the morning queue (what needs her), the full list with
filters and search, and marking messages handled. Read models only, newest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from tools.store.db import Database
from tools.store.messages import aware
from tools.store.models import (
    OPEN_TASK_STATES,
    AuditRow,
    DecisionRow,
    DraftRow,
    MessageRow,
    OutboxRow,
    TaskRow,
)

BACK_STATES = ("declined", "expired")  # a task that came back to the owner (issue 14)
TROUBLE_STATES = ("uncertain", "failed")  # a reply whose delivery she must look at


@dataclass
class QueueItem:
    kind: str  # draft | risk | notify | unsure | task_back | delivery | failed
    message: int
    at: datetime
    sender: str
    subject: str
    category: str | None = None
    action: str | None = None
    assignee: str | None = None
    confidence: float | None = None
    flags: list[str] = field(default_factory=list)
    draft: int | None = None
    draft_body: str = ""
    task_status: str | None = None
    task_assistant: str | None = None
    outbox_status: str | None = None
    explanation: str = ""


@dataclass(frozen=True)
class Filters:
    category: str | None = None
    action: str | None = None
    assignee: str | None = None
    status: str | None = None  # new | processed | failed | open (in the queue) | handled
    since: datetime | None = None
    until: datetime | None = None
    q: str = ""
    offset: int = 0
    limit: int = 100


def risky(flags: list[str], rule: str | None) -> bool:
    return rule == "r2-risk" or any(f.startswith(("risk:", "spoof")) for f in flags)


def _after(at: datetime, handled: datetime | None) -> bool:
    return handled is None or aware(at) > aware(handled)


class Inbox:
    def __init__(self, db: Database) -> None:
        self.db = db

    def queue(self, unsure_below: float) -> list[QueueItem]:
        """What needs her, one item per message: drafts to approve, risks first, then
        everything newest first. An item leaves when she handled it (approved, rejected,
        corrected or archived) — and comes back when something newer happens to it."""
        with self.db.session() as s:
            items: dict[int, QueueItem] = {}
            self._failed(s, items)
            self._decisions(s, items, unsure_below)
            self._tasks_back(s, items)
            self._delivery(s, items)
            self._drafts(s, items)
        out = list(items.values())
        out.sort(key=lambda i: (aware(i.at), i.message), reverse=True)
        out.sort(key=lambda i: i.kind != "risk")
        return out

    @staticmethod
    def _item(kind: str, m: MessageRow, at: datetime, d: DecisionRow | None) -> QueueItem:
        return QueueItem(kind=kind, message=m.id, at=aware(at), sender=m.sender,
                         subject=m.subject, category=d.category if d else None,
                         action=d.action if d else None, assignee=d.assignee if d else None,
                         confidence=d.confidence if d else None,
                         flags=[str(f) for f in (d.flags if d else []) or []],
                         explanation=d.explanation if d else "")

    def _failed(self, s: Session, items: dict[int, QueueItem]) -> None:
        for m in s.scalars(select(MessageRow).where(MessageRow.status == "failed")):
            if _after(m.updated_at, m.handled_at):
                items[m.id] = self._item("failed", m, m.updated_at, None)

    def _decisions(self, s: Session, items: dict[int, QueueItem], unsure_below: float) -> None:
        q = (select(MessageRow, DecisionRow)
             .join(DecisionRow, and_(DecisionRow.message_id == MessageRow.id,
                                     DecisionRow.current.is_(True)))
             .where(or_(DecisionRow.action == "notify",
                        and_(DecisionRow.origin == "agent",
                             DecisionRow.confidence < unsure_below,
                             DecisionRow.action != "draft"))))
        for m, d in s.execute(q):
            if not _after(d.created_at, m.handled_at):
                continue
            flags = [str(f) for f in d.flags or []]
            kind = ("risk" if risky(flags, d.rule) else "notify") if d.action == "notify" \
                else "unsure"
            items[m.id] = self._item(kind, m, d.created_at, d)

    def _current(self, s: Session, message: int) -> DecisionRow | None:
        return s.scalar(select(DecisionRow).where(DecisionRow.message_id == message,
                                                  DecisionRow.current.is_(True)))

    def _tasks_back(self, s: Session, items: dict[int, QueueItem]) -> None:
        open_for = set(s.scalars(select(TaskRow.message_id)
                                 .where(TaskRow.status.in_(OPEN_TASK_STATES))))
        q = (select(TaskRow, MessageRow).join(MessageRow, MessageRow.id == TaskRow.message_id)
             .where(TaskRow.status.in_(BACK_STATES)).order_by(TaskRow.updated_at))
        for t, m in s.execute(q):
            if m.id in open_for or not _after(t.updated_at, m.handled_at):
                continue
            item = self._item("task_back", m, t.updated_at, self._current(s, m.id))
            item.task_status, item.task_assistant = t.status, t.assistant_id
            items[m.id] = item

    def _delivery(self, s: Session, items: dict[int, QueueItem]) -> None:
        q = (select(OutboxRow, MessageRow).join(MessageRow, MessageRow.id == OutboxRow.message_id)
             .where(OutboxRow.status.in_(TROUBLE_STATES)))
        for o, m in s.execute(q):
            if _after(o.updated_at, m.handled_at):
                item = self._item("delivery", m, o.updated_at, self._current(s, m.id))
                item.outbox_status, item.draft = o.status, o.draft_id
                items[m.id] = item

    def _drafts(self, s: Session, items: dict[int, QueueItem]) -> None:
        q = (select(DraftRow, MessageRow).join(MessageRow, MessageRow.id == DraftRow.message_id)
             .where(DraftRow.kind == "draft", DraftRow.status == "pending"))
        for dr, m in s.execute(q):
            if not _after(dr.created_at, m.handled_at):
                continue
            prior = items.get(m.id)
            if prior is not None and prior.kind == "risk":
                prior.draft, prior.draft_body = dr.id, dr.body
                continue
            item = self._item("draft", m, dr.created_at, self._current(s, m.id))
            item.draft, item.draft_body = dr.id, dr.body
            items[m.id] = item

    # --- the full list ---------------------------------------------------------------

    def listing(self, f: Filters, unsure_below: float) -> tuple[list[dict[str, Any]], int]:
        """Messages with their current decision, newest first, filtered; and the total."""
        with self.db.session() as s:
            q = (select(MessageRow, DecisionRow)
                 .outerjoin(DecisionRow, and_(DecisionRow.message_id == MessageRow.id,
                                              DecisionRow.current.is_(True))))
            conds: list[Any] = []
            for column, value in ((DecisionRow.category, f.category),
                                  (DecisionRow.action, f.action),
                                  (DecisionRow.assignee, f.assignee)):
                if value:
                    conds.append(column == value)
            if f.status in ("new", "processed", "failed"):
                conds.append(MessageRow.status == f.status)
            elif f.status == "handled":
                conds.append(MessageRow.handled_at.is_not(None))
            elif f.status == "open":
                conds.append(MessageRow.id.in_([i.message for i in self.queue(unsure_below)]))
            if f.since is not None:
                conds.append(MessageRow.received_at >= f.since)
            if f.until is not None:
                conds.append(MessageRow.received_at < f.until)
            if f.q.strip():
                conds.append(_search(f.q.strip()))
            if conds:
                q = q.where(and_(*conds))
            total = int(s.scalar(select(func.count()).select_from(q.subquery())) or 0)
            rows = s.execute(q.order_by(MessageRow.received_at.desc(), MessageRow.id.desc())
                             .offset(f.offset).limit(f.limit))
            pending = self._pending_drafts(s)
            out = [{"id": m.id, "sender": m.sender, "subject": m.subject,
                    "received_at": aware(m.received_at), "status": m.status,
                    "handled": m.handled_at is not None,
                    "category": d.category if d else None, "action": d.action if d else None,
                    "assignee": d.assignee if d else None,
                    "priority": d.priority if d else None,
                    "confidence": d.confidence if d else None,
                    "origin": d.origin if d else None,
                    "flags": [str(x) for x in (d.flags if d else []) or []],
                    "risk": bool(d and risky([str(x) for x in d.flags or []], d.rule)),
                    "draft": pending.get(m.id, (None, ""))[0],
                    "draft_body": pending.get(m.id, (None, ""))[1]}
                   for m, d in rows]
            return out, total

    @staticmethod
    def _pending_drafts(s: Session) -> dict[int, tuple[int, str]]:
        q = select(DraftRow.message_id, DraftRow.id, DraftRow.body).where(
            DraftRow.kind == "draft", DraftRow.status == "pending")
        return {mid: (did, body) for mid, did, body in s.execute(q) if mid is not None}

    def assignees(self) -> list[str]:
        with self.db.session() as s:
            return sorted({a for a in s.scalars(select(DecisionRow.assignee).where(
                DecisionRow.current.is_(True), DecisionRow.assignee.is_not(None))) if a})

    # --- handling -------------------------------------------------------------------

    def archive(self, ids: list[int], actor: str = "owner") -> list[int]:
        """Mark messages handled: they leave the queue. Returns the ids that exist."""
        now = self.db.clock()
        with self.db.transaction() as s:
            found = list(s.scalars(select(MessageRow.id).where(MessageRow.id.in_(ids))))
            if found:
                s.execute(update(MessageRow).where(MessageRow.id.in_(found))
                          .values(handled_at=now))
                for mid in found:
                    s.add(AuditRow(message_id=mid, actor=actor, event="archived", detail={}))
            return found

    def handled(self, message: int) -> datetime | None:
        with self.db.session() as s:
            at = s.scalar(select(MessageRow.handled_at).where(MessageRow.id == message))
            return aware(at) if at is not None else None


def _search(q: str) -> Any:
    """Sender or subject contains `q`, ignoring case. SQLite's lower() knows only ASCII, so
    the umlauts of "überweisung" also match as typed, capitalised and in capitals."""
    forms = {q.lower(), q, q.capitalize(), q.upper()}
    conds = []
    for form in forms:
        like = f"%{_escape_like(form)}%"
        for column in (MessageRow.sender, MessageRow.subject):
            conds.append(column.like(like, escape="\\"))
            conds.append(func.lower(column).like(like, escape="\\"))
    return or_(*conds)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
