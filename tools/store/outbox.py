"""The outbox table: each state change of an outgoing mail is one committed transaction.

The draft's status follows the outbox row (queued, sending, sent, uncertain, failed) so the
review UI shows it; every change also lands in the append-only audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tools.compose import OutMail, Reply
from tools.store.db import Database
from tools.store.models import AuditRow, DraftRow, OutboxRow
from tools.store.workers import alive_here, worker_id

NOTICE_KINDS = ("notice", "offer")  # mails the agent writes itself (to the owner, assistants)
SEND_LEASE = timedelta(minutes=10)  # an SMTP transaction takes seconds, not minutes


def _sendable(now: datetime) -> ColumnElement[bool]:
    """Allowed automatic replies, and drafts the owner approved (or notices to her) whose
    undo window has passed."""
    return or_((DraftRow.kind == "auto") & (DraftRow.status == "queued"),
               (DraftRow.status == "approved")
               & or_(DraftRow.send_after.is_(None), DraftRow.send_after <= now))


@dataclass(frozen=True)
class Outgoing:
    id: int
    message_id: str
    mail_from: str
    rcpt: list[str]
    data: bytes
    status: str
    sent_copy: bool
    attempts: int

    @property
    def mail(self) -> OutMail:
        return OutMail(message_id=self.message_id, mail_from=self.mail_from,
                       rcpt=list(self.rcpt), data=self.data)


def _outgoing(row: OutboxRow) -> Outgoing:
    return Outgoing(id=row.id, message_id=row.rfc_message_id, mail_from=row.mail_from,
                    rcpt=list(row.rcpt), data=row.raw, status=row.status,
                    sent_copy=row.sent_copy, attempts=row.attempts)


def reply_of(d: DraftRow) -> Reply:
    return Reply(draft_id=d.id, to=list(d.to or []), cc=list(d.cc or []), subject=d.subject,
                 body=d.body, in_reply_to=d.in_reply_to, references=list(d.references or []),
                 auto=d.kind == "auto", generated=d.kind in NOTICE_KINDS, itip=d.itip,
                 itip_method=d.itip_method)


class OutboxStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._factory = db.session
        self.clock = db.clock

    def _audit(self, s: Session, row: OutboxRow, event: str, **detail: object) -> None:
        s.add(AuditRow(message_id=row.message_id, actor="agent", event=event,
                       detail={"outbox": row.id, "message_id": row.rfc_message_id,
                               **detail}))

    def _set(self, s: Session, row: OutboxRow, status: str, event: str,
             **detail: object) -> None:
        row.status = status
        draft = s.get_one(DraftRow, row.draft_id)
        draft.status = status
        self._audit(s, row, event, **detail)

    def unqueued_drafts(self) -> list[int]:
        """Drafts ready to go out now, with no outbox row yet."""
        with self._factory() as s:
            q = (select(DraftRow.id).outerjoin(OutboxRow, OutboxRow.draft_id == DraftRow.id)
                 .where(_sendable(self.clock()), OutboxRow.id.is_(None))
                 .order_by(DraftRow.id))
            return list(s.scalars(q))

    def enqueue(self, draft_id: int, build: Callable[[Reply], OutMail]) -> str | None:
        """Write the outbox row with its Message-ID (before any sending). A draft that
        cannot be built safely is marked failed with the reason; returns that reason.
        Several workers may try the same draft: the draft row is locked, and the outbox's
        unique draft_id settles any race that gets past the lock (SQLite)."""
        try:
            return self._enqueue(draft_id, build)
        except IntegrityError:
            return None  # another worker queued it first

    def _enqueue(self, draft_id: int, build: Callable[[Reply], OutMail]) -> str | None:
        with self.db.transaction() as s:
            draft = s.scalars(select(DraftRow).where(DraftRow.id == draft_id,
                                                     _sendable(self.clock()))
                              .with_for_update()).one_or_none()
            if draft is None:  # undone, rejected or stopped since it was listed
                return None
            if s.scalar(select(OutboxRow.id).where(OutboxRow.draft_id == draft_id)):
                return None
            try:
                mail = build(reply_of(draft))
            except ValueError as exc:
                draft.status = "failed"
                s.add(AuditRow(message_id=draft.message_id, actor="agent", event="send_failed",
                               detail={"draft": draft_id, "error": str(exc)[:500]}))
                return str(exc)
            row = OutboxRow(draft_id=draft_id, message_id=draft.message_id,
                            rfc_message_id=mail.message_id, status="queued",
                            mail_from=mail.mail_from, rcpt=mail.rcpt, raw=mail.data,
                            attempts=0, sent_copy=False)
            s.add(row)
            s.flush()
            draft.status = "queued"
            self._audit(s, row, "send_queued", to=mail.rcpt)
            return None

    def due(self, now: datetime) -> list[Outgoing]:
        with self._factory() as s:
            q = select(OutboxRow).where(
                OutboxRow.status == "queued",
                or_(OutboxRow.next_try_at.is_(None), OutboxRow.next_try_at <= now),
            ).order_by(OutboxRow.id)
            return [_outgoing(r) for r in s.scalars(q)]

    def in_state(self, status: str, copied: bool | None = None) -> list[Outgoing]:
        with self._factory() as s:
            q = select(OutboxRow).where(OutboxRow.status == status)
            if copied is not None:
                q = q.where(OutboxRow.sent_copy.is_(copied))
            return [_outgoing(r) for r in s.scalars(q.order_by(OutboxRow.id))]

    def stale_sending(self) -> list[Outgoing]:
        """Rows left in `sending` by a worker that died (on this host: its process is gone;
        elsewhere: no word for SEND_LEASE). A live worker's mail in flight is not touched."""
        cutoff = self.clock() - SEND_LEASE
        with self._factory() as s:
            rows = s.scalars(select(OutboxRow).where(OutboxRow.status == "sending")
                             .order_by(OutboxRow.id))
            return [_outgoing(r) for r in rows
                    if r.sending_by is None or not alive_here(r.sending_by)
                    or _aware(r.updated_at) < cutoff]

    def count(self, status: str) -> int:
        return len(self.in_state(status))

    def claim(self, row_id: int, worker: str | None = None) -> bool:
        """queued → sending, committed before the SMTP connection opens. False when another
        worker took it first."""
        with self.db.transaction() as s:
            done = s.execute(update(OutboxRow).where(OutboxRow.id == row_id,
                                                     OutboxRow.status == "queued")
                             .values(status="sending", attempts=OutboxRow.attempts + 1,
                                     sending_by=worker or worker_id(),
                                     updated_at=self.clock()))
            if not done.rowcount:  # type: ignore[attr-defined]
                return False
            row = s.get_one(OutboxRow, row_id)
            self._set(s, row, "sending", "sending", attempt=row.attempts)
            return True

    def sent(self, row_id: int, answer: str, copied: bool = False) -> None:
        with self.db.transaction() as s:
            row = s.get_one(OutboxRow, row_id)
            row.sent_at = row.sent_at or self.clock()
            row.sent_copy = row.sent_copy or copied
            row.error = None
            self._set(s, row, "sent", "sent", answer=answer)

    def copied(self, row_id: int) -> None:
        with self.db.transaction() as s:
            s.get_one(OutboxRow, row_id).sent_copy = True

    def uncertain(self, row_id: int, reason: str) -> None:
        with self.db.transaction() as s:
            row = s.get_one(OutboxRow, row_id)
            row.error = reason[:4000]
            self._set(s, row, "uncertain", "delivery_uncertain", reason=reason[:500])

    def failed(self, row_id: int, reason: str) -> None:
        with self.db.transaction() as s:
            row = s.get_one(OutboxRow, row_id)
            row.error = reason[:4000]
            self._set(s, row, "failed", "send_failed", reason=reason[:500])

    def later(self, row_id: int, reason: str, next_try: datetime) -> None:
        """Refused for now before anything was delivered: queued again for `next_try`."""
        with self.db.transaction() as s:
            row = s.get_one(OutboxRow, row_id)
            row.error = reason[:4000]
            row.next_try_at = next_try
            self._set(s, row, "queued", "send_deferred", reason=reason[:500],
                      next_try=next_try.isoformat())


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
