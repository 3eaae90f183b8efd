"""Assistants (the config is the source of truth), their tasks and the task lifecycle's
storage (CONTRACT §8). Every transition is one conditional UPDATE from an allowed state,
committed together with its audit entry and the notifications it causes (the offer mail,
webhook rows), so a crash never leaves a state change without its notification."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from core.config import Assistant
from tools.store.access import digest
from tools.store.db import Database
from tools.store.models import (
    OPEN_TASK_STATES,
    AssistantRow,
    AuditRow,
    DecisionRow,
    DraftRow,
    MessageRow,
    TaskLinkRow,
    TaskRow,
    WebhookRow,
)

ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "accepted": ("offered", "delegated"),
    "declined": ("offered", "accepted"),
    "expired": ("offered",),
    "done": ("offered", "accepted", "delegated"),
    "delegated": ("offered", "accepted", "delegated"),  # another part handed on
    "cancelled": OPEN_TASK_STATES,
}
FINAL = ("done", "declined", "expired", "cancelled")


class ChainError(ValueError):
    """A delegation the chain's rules refuse; `status` is the HTTP answer."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


@dataclass(frozen=True)
class Task:
    id: int
    message_id: int
    assistant_id: str
    status: str
    title: str
    priority: str
    why: str
    reason: str
    offered_at: datetime | None
    expires_at: datetime | None
    accepted_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    result: str | None
    parent_id: int | None
    depth: int
    text: str | None
    shared: dict[str, Any]
    team_id: str | None

    def json(self) -> dict[str, Any]:
        """CONTRACT §8's list fields, plus a few a client needs."""
        return {"id": self.id, "status": self.status, "title": self.title,
                "priority": self.priority, "due": _iso(self.due_at),
                "offered_at": _iso(self.offered_at), "expires_at": _iso(self.expires_at),
                "assistant": self.assistant_id, "parent": self.parent_id,
                "result": self.result}


@dataclass(frozen=True)
class Moved:
    ok: bool
    status: str  # the task's status afterwards (or now, when nothing changed)


@dataclass(frozen=True)
class NewLink:
    token: str
    action: str


def _task(r: TaskRow) -> Task:
    return Task(id=r.id, message_id=r.message_id, assistant_id=r.assistant_id, status=r.status,
                title=r.title, priority=r.priority, why=r.why, reason=r.reason,
                offered_at=_aware(r.offered_at), expires_at=_aware(r.expires_at),
                accepted_at=_aware(r.accepted_at), due_at=_aware(r.due_at),
                finished_at=_aware(r.finished_at), result=r.result, parent_id=r.parent_id,
                depth=r.depth, text=r.text, shared=dict(r.shared or {}), team_id=r.team_id)


class Tasks:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- assistants --------------------------------------------------------------------

    def sync_assistants(self, assistants: Iterable[Assistant]) -> None:
        """Assistants removed from the config become inactive; their rows stay. Two workers
        starting at once may race to insert the same row: the loser simply tries again."""
        wanted = list(assistants)
        for attempt in range(3):
            try:
                self._sync(wanted)
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    def _sync(self, assistants: list[Assistant]) -> None:
        with self.db.transaction() as s:
            wanted = {a.id: a for a in assistants}
            for row in s.scalars(select(AssistantRow)):
                row.active = row.id in wanted
            for a in wanted.values():
                s.merge(AssistantRow(id=a.id, name=a.name, email=a.email,
                                     languages=list(a.languages), skills=a.skills,
                                     timezone=a.timezone, capacity=a.capacity, active=True))

    def open_tasks(self, assistant_id: str) -> int:
        """Tasks that count against the assistant's capacity: offered, accepted, delegated."""
        with self.db.session() as s:
            q = select(func.count()).select_from(TaskRow).where(
                TaskRow.assistant_id == assistant_id, TaskRow.status.in_(OPEN_TASK_STATES))
            return int(s.scalar(q) or 0)

    # --- reading -----------------------------------------------------------------------

    def all(self, assistant_id: str | None = None, status: str | None = None) -> list[Task]:
        with self.db.session() as s:
            q = select(TaskRow).order_by(TaskRow.id.desc())
            if assistant_id is not None:
                q = q.where(TaskRow.assistant_id == assistant_id)
            if status:
                q = q.where(TaskRow.status == status)
            return [_task(r) for r in s.scalars(q)]

    def open_not_of(self, assistant_ids: Iterable[str]) -> list[Task]:
        """Open tasks held by anyone not named (e.g. no longer in the config), oldest first."""
        with self.db.session() as s:
            return [_task(r) for r in s.scalars(select(TaskRow).where(
                TaskRow.status.in_(OPEN_TASK_STATES),
                TaskRow.assistant_id.not_in(list(assistant_ids))).order_by(TaskRow.id))]

    def get(self, task_id: int) -> Task | None:
        with self.db.session() as s:
            r = s.get(TaskRow, task_id)
            return _task(r) if r else None

    def of_message(self, message_id: int) -> list[Task]:
        with self.db.session() as s:
            return [_task(r) for r in s.scalars(select(TaskRow).where(
                TaskRow.message_id == message_id).order_by(TaskRow.id))]

    def passed_over(self, message_id: int) -> set[str]:
        """Who declined or let an offer for this mail expire: never offered it again."""
        with self.db.session() as s:
            return set(s.scalars(select(TaskRow.assistant_id).where(
                TaskRow.message_id == message_id,
                TaskRow.status.in_(("declined", "expired")))))

    def mail(self, task_id: int) -> tuple[bytes, str, datetime] | None:
        """The raw mail behind a task, its category and when it arrived."""
        with self.db.session() as s:
            row = s.execute(select(MessageRow.raw, DecisionRow.category,
                                   MessageRow.received_at)
                            .join(TaskRow, TaskRow.message_id == MessageRow.id)
                            .outerjoin(DecisionRow, (DecisionRow.message_id == MessageRow.id)
                                       & DecisionRow.current.is_(True))
                            .where(TaskRow.id == task_id)).first()
            if row is None:
                return None
            return bytes(row[0]), str(row[1] or "other"), _aware(row[2]) or self.db.clock()

    def unannounced(self) -> list[Task]:
        with self.db.session() as s:
            return [_task(r) for r in s.scalars(select(TaskRow).where(
                TaskRow.status == "offered", TaskRow.announced_at.is_(None))
                .order_by(TaskRow.id))]

    def expired_offers(self, now: datetime) -> list[Task]:
        with self.db.session() as s:
            return [_task(r) for r in s.scalars(select(TaskRow).where(
                TaskRow.status == "offered", TaskRow.expires_at.is_not(None),
                TaskRow.expires_at <= now).order_by(TaskRow.id))]

    def overdue(self, now: datetime) -> list[Task]:
        with self.db.session() as s:
            return [_task(r) for r in s.scalars(select(TaskRow).where(
                TaskRow.status.in_(("accepted", "delegated")), TaskRow.due_at.is_not(None),
                TaskRow.due_at <= now, TaskRow.escalated_at.is_(None)).order_by(TaskRow.id))]

    # --- changing ----------------------------------------------------------------------

    def transition(self, task_id: int, to: str, actor: str, reason: str = "",
                   assistant_id: str | None = None, values: dict[str, Any] | None = None,
                   webhooks: list[dict[str, Any]] | None = None,
                   drafts: list[dict[str, Any]] | None = None) -> Moved:
        """Move a task to `to` when it is in a state that allows it (and, for an
        assistant's action, belongs to them); its audit entry, webhook rows and drafts
        (e.g. a reply for the owner's review) in the same transaction."""
        now = self.db.clock()
        fields = dict(values or {})
        if to in ("done", "declined", "expired", "cancelled"):
            fields.setdefault("finished_at", now)
        if to == "accepted":
            fields.setdefault("accepted_at", now)
        with self.db.transaction() as s:
            q = update(TaskRow).where(TaskRow.id == task_id,
                                      TaskRow.status.in_(ALLOWED_FROM[to]))
            if assistant_id is not None:
                q = q.where(TaskRow.assistant_id == assistant_id)
            done = s.execute(q.values(status=to, **fields))
            row = s.get(TaskRow, task_id)
            if not done.rowcount:  # type: ignore[attr-defined]
                return Moved(False, row.status if row else "")
            assert row is not None
            s.add(AuditRow(message_id=row.message_id, actor=actor, event=f"task_{to}",
                           detail={"task": task_id, "assistant": row.assistant_id,
                                   "reason": reason[:500]}))
            if to in FINAL:  # what was handed on ends with it (and its links)
                _end_parts(s, task_id, actor, f"the task it was part of is {to}", now)
            for w in webhooks or []:
                s.add(WebhookRow(**w))
            for d in drafts or []:
                s.add(DraftRow(**d))
            return Moved(True, to)

    def delegate(self, parent_id: int, by: str, to: str, title: str, text: str,
                 shared: dict[str, Any], due_at: datetime | None, max_depth: int,
                 webhooks: list[dict[str, Any]] | None = None) -> int:
        """Hand the task `parent_id` (held by `by`), or a part of it, on to `to`: a child
        task with only what `by` chose to pass on. The parent becomes `delegated` and stays
        with `by`. Refused: not theirs (404), settled (409), a cycle or a chain deeper than
        `max_depth` (422), a due time after the parent's (422)."""
        now = self.db.clock()
        with self.db.transaction() as s:
            parent = s.scalar(select(TaskRow).where(TaskRow.id == parent_id)
                              .with_for_update())
            if parent is None or parent.assistant_id != by:
                raise ChainError(404, f"no task {parent_id}")
            if parent.status not in ALLOWED_FROM["delegated"]:
                raise ChainError(409, f"task {parent_id} is {parent.status}; only an open "
                                 "task can be handed on")
            chain = [parent.assistant_id]
            up = parent
            while up.parent_id is not None:
                up = s.get_one(TaskRow, up.parent_id)
                chain.append(up.assistant_id)
            if to in chain:
                raise ChainError(422, f"{to} is already in this chain "
                                 f"({' → '.join(reversed(chain))}): no cycles")
            if parent.depth + 1 > max_depth:
                raise ChainError(422, f"the chain is already {parent.depth + 1} long "
                                 f"(at most {max_depth} hand-ons: tasks.max_depth)")
            parent_due = _aware(parent.due_at)
            if due_at is not None and parent_due is not None and due_at > parent_due:
                raise ChainError(422, "the part's due time must lie within the task's "
                                 f"(due {parent_due.isoformat()})")
            if due_at is not None and due_at <= now:
                raise ChainError(422, "the due time lies in the past")
            parent.status = "delegated"
            parent.accepted_at = parent.accepted_at or now
            child = TaskRow(message_id=parent.message_id, decision_id=None, assistant_id=to,
                            status="offered", title=title, reason=f"delegated by {by}",
                            why="", priority=parent.priority, parent_id=parent.id,
                            text=text, shared=shared, depth=parent.depth + 1,
                            team_id=parent.team_id, offered_at=now,
                            due_at=due_at or parent_due)
            s.add(child)
            s.flush()
            s.add(AuditRow(message_id=parent.message_id, actor=f"assistant:{by}",
                           event="task_delegated",
                           detail={"task": parent.id, "child": child.id, "to": to,
                                   "assistant": by, "depth": child.depth,
                                   "passed": {"text": len(text),
                                              "attachments": shared.get("attachments", [])}}))
            for w in webhooks or []:
                s.add(WebhookRow(**w))
            return child.id

    def parts(self, task_id: int) -> list[Task]:
        """The parts handed on from this task (its children), oldest first."""
        with self.db.session() as s:
            return [_task(r) for r in s.scalars(select(TaskRow).where(
                TaskRow.parent_id == task_id).order_by(TaskRow.id))]

    def open_parts(self, task_id: int) -> list[Task]:
        """The open parts handed on from this task, at every depth."""
        with self.db.session() as s:
            return [_task(r) for r in _descendants(s, task_id)
                    if r.status in OPEN_TASK_STATES]

    def back_from_part(self, parent_id: int, child: Task, why: str,
                       webhooks: list[dict[str, Any]] | None = None) -> bool:
        """A part came back (declined, expired, done): with no other part open the parent
        is the delegating assistant's own again (`accepted`)."""
        with self.db.transaction() as s:
            still = s.scalar(select(func.count()).select_from(TaskRow).where(
                TaskRow.parent_id == parent_id, TaskRow.status.in_(OPEN_TASK_STATES)))
            s.add(AuditRow(message_id=child.message_id, actor="agent", event="task_part_back",
                           detail={"task": parent_id, "child": child.id, "why": why,
                                   "assistant": child.assistant_id}))
            for w in webhooks or []:
                s.add(WebhookRow(**w))
            if still:
                return False
            done = s.execute(update(TaskRow).where(TaskRow.id == parent_id,
                                                   TaskRow.status == "delegated")
                             .values(status="accepted"))
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def offer(self, message_id: int, assignee: str, title: str, reason: str, why: str,
              priority: str, actor: str, parent_id: int | None = None,
              text: str | None = None, shared: dict[str, Any] | None = None, depth: int = 0,
              team_id: str | None = None) -> int:
        with self.db.transaction() as s:
            row = TaskRow(message_id=message_id, decision_id=None, assistant_id=assignee,
                          status="offered", title=title, reason=reason, why=why,
                          priority=priority, parent_id=parent_id, text=text,
                          shared=shared or {}, depth=depth, team_id=team_id,
                          offered_at=self.db.clock())
            s.add(row)
            s.flush()
            s.add(AuditRow(message_id=message_id, actor=actor, event="task_offered",
                           detail={"task": row.id, "assistant": assignee,
                                   "parent": parent_id}))
            return row.id

    def announce(self, task_id: int, expires_at: datetime, due_at: datetime | None,
                 links: list[tuple[str, datetime]], mail: dict[str, Any] | None,
                 webhooks: list[dict[str, Any]]) -> list[NewLink] | None:
        """Tell the assistant about an offer, once: links (only their hashes are kept), the
        offer mail and the webhook rows, with the offer's expiry and due time. None when
        another process announced it first."""
        now = self.db.clock()
        with self.db.transaction() as s:
            done = s.execute(update(TaskRow).where(TaskRow.id == task_id,
                                                   TaskRow.status == "offered",
                                                   TaskRow.announced_at.is_(None))
                             .values(announced_at=now, expires_at=expires_at,
                                     due_at=func.coalesce(TaskRow.due_at, due_at),
                                     offered_at=func.coalesce(TaskRow.offered_at, now)))
            if not done.rowcount:  # type: ignore[attr-defined]
                return None
            row = s.get_one(TaskRow, task_id)
            made = []
            for action, until in links:
                token = secrets.token_urlsafe(24)
                s.add(TaskLinkRow(digest=digest(token), task_id=task_id,
                                  assistant_id=row.assistant_id, action=action,
                                  expires_at=until))
                made.append(NewLink(token=token, action=action))
            if mail is not None:
                body = str(mail["body"])
                for link in made:
                    body = body.replace(f"{{link:{link.action}}}", link.token)
                s.add(DraftRow(**{**mail, "body": body}))
            for w in webhooks:
                s.add(WebhookRow(**w))
            s.add(AuditRow(message_id=row.message_id, actor="agent", event="task_announced",
                           detail={"task": task_id, "assistant": row.assistant_id,
                                   "mail": mail is not None, "webhooks": len(webhooks)}))
            return made

    def escalated(self, task_id: int) -> bool:
        with self.db.transaction() as s:
            done = s.execute(update(TaskRow).where(TaskRow.id == task_id,
                                                   TaskRow.escalated_at.is_(None))
                             .values(escalated_at=self.db.clock()))
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def log_access(self, task_id: int, who: str, what: str) -> None:
        """Every read by an assistant or through a link (GDPR: who saw which mail when)."""
        with self.db.transaction() as s:
            row = s.get(TaskRow, task_id)
            if row is not None:
                s.add(AuditRow(message_id=row.message_id, actor=who, event="task_viewed",
                               detail={"task": task_id, "what": what}))

    def access_log(self, message_id: int) -> list[dict[str, Any]]:
        with self.db.session() as s:
            rows = s.scalars(select(AuditRow).where(
                AuditRow.message_id == message_id,
                AuditRow.event.in_(("task_viewed", "task_link_used"))).order_by(AuditRow.id))
            return [{"at": _iso(_aware(r.at)), "who": r.actor, "event": r.event,
                     "task": (r.detail or {}).get("task"), "what": (r.detail or {}).get("what")}
                    for r in rows]

    # --- links -------------------------------------------------------------------------

    def link(self, token: str) -> tuple[TaskLinkRow, Task] | None:
        with self.db.session() as s:
            row = s.scalar(select(TaskLinkRow).where(TaskLinkRow.digest == digest(token)))
            if row is None:
                return None
            task = s.get_one(TaskRow, row.task_id)
            s.expunge(row)
            return row, _task(task)

    def use_link(self, link_id: int) -> bool:
        """Consume a link (works once); False when it was used already."""
        with self.db.transaction() as s:
            done = s.execute(update(TaskLinkRow).where(TaskLinkRow.id == link_id,
                                                       TaskLinkRow.used_at.is_(None))
                             .values(used_at=self.db.clock()))
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def end_links(self, task_id: int) -> None:
        """A task that is taken away ends its links at once."""
        with self.db.transaction() as s:
            _end_links(s, task_id, self.db.clock())


def _descendants(s: Any, task_id: int) -> list[TaskRow]:
    """Everything handed on from `task_id`, at any depth, parents before their parts."""
    out: list[TaskRow] = []
    todo = [task_id]
    while todo:
        for kid in s.scalars(select(TaskRow).where(TaskRow.parent_id == todo.pop())
                             .order_by(TaskRow.id)):
            out.append(kid)
            todo.append(kid.id)
    return out


def _end_links(s: Any, task_id: int, now: datetime) -> None:
    s.execute(update(TaskLinkRow).where(TaskLinkRow.task_id == task_id,
                                        TaskLinkRow.used_at.is_(None)).values(used_at=now))


def _withdraw(s: Any, row: TaskRow, actor: str, detail: dict[str, Any],
              now: datetime) -> None:
    row.status, row.finished_at = "cancelled", now
    s.add(AuditRow(message_id=row.message_id, actor=actor, event="task_cancelled",
                   detail={"task": row.id, "assistant": row.assistant_id, **detail}))
    _end_links(s, row.id, now)


def _end_parts(s: Any, task_id: int, actor: str, why: str, now: datetime) -> int:
    """Every open part handed on from `task_id`, at any depth, is cancelled and its links
    end: revoking a link of the chain revokes what it passed on."""
    ended = 0
    for kid in _descendants(s, task_id):
        if kid.status in OPEN_TASK_STATES:
            _withdraw(s, kid, actor, {"reason": why[:500]}, now)
            ended += 1
        else:
            _end_links(s, kid.id, now)
    return ended


def cancel_with_parts(s: Any, row: TaskRow, actor: str, why: str, now: datetime) -> None:
    """Cancel an open task inside the caller's transaction, with its parts and links."""
    _withdraw(s, row, actor, {"why": why}, now)
    _end_parts(s, row.id, actor, why, now)


def _aware(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None
