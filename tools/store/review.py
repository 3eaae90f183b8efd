"""The owner's review of drafts (CONTRACT §7): list, approve (optionally edited) with an undo
window, undo, reject, stop a queued automatic reply; and what went out.

Each change is one conditional UPDATE under a row lock, so a second approval, an undo after
the outbox took the draft, or two browser tabs racing cannot send anything twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tools.store.db import Database
from tools.store.models import AuditRow, DraftRow, MessageRow, OutboxRow

REVIEWABLE = ("draft",)  # kinds the owner approves; auto replies only get stopped


@dataclass(frozen=True)
class Verdict:
    ok: bool
    status: str  # the draft's status afterwards (or now, when nothing changed)
    reason: str = ""  # why nothing changed: not_found | not_pending | too_late


@dataclass(frozen=True)
class Edits:
    to: list[str] | None = None
    cc: list[str] | None = None
    subject: str | None = None
    body: str | None = None

    def changed(self, d: DraftRow) -> bool:
        return any(new is not None and new != old for new, old in (
            (self.to, list(d.to or [])), (self.cc, list(d.cc or [])),
            (self.subject, d.subject), (self.body, d.body)))


def draft_json(d: DraftRow, message_id: str | None) -> dict[str, Any]:
    return {"id": d.id, "message_id": message_id, "to": list(d.to or []),
            "cc": list(d.cc or []), "subject": d.subject, "body": d.body,
            "language": d.language, "status": d.status, "kind": d.kind,
            "message": d.message_id, "created_at": _iso(d.created_at),
            "send_after": _iso(d.send_after), "edited": d.original is not None,
            "learned": (d.template or "").startswith("learned:"),
            "reject_reason": d.reject_reason}


class Review:
    def __init__(self, db: Database) -> None:
        self.db = db

    def drafts(self, status: str | None = None) -> list[dict[str, Any]]:
        """Drafts for the owner (newest first), with the received mail's Message-ID."""
        with self.db.session() as s:
            q = (select(DraftRow, MessageRow.message_id)
                 .outerjoin(MessageRow, MessageRow.id == DraftRow.message_id)
                 .where(DraftRow.kind.in_(("draft", "auto"))).order_by(DraftRow.id.desc()))
            if status:
                q = q.where(DraftRow.status == status)
            return [draft_json(d, mid) for d, mid in s.execute(q)]

    def draft(self, draft_id: int) -> dict[str, Any] | None:
        with self.db.session() as s:
            row = s.execute(select(DraftRow, MessageRow.message_id)
                            .outerjoin(MessageRow, MessageRow.id == DraftRow.message_id)
                            .where(DraftRow.id == draft_id)).first()
            return draft_json(row[0], row[1]) if row else None

    def _locked(self, s: Session, draft_id: int) -> DraftRow | None:
        return s.scalars(select(DraftRow).where(DraftRow.id == draft_id)
                         .with_for_update()).one_or_none()

    def approve(self, draft_id: int, edits: Edits, send_after: datetime,
                actor: str = "owner") -> Verdict:
        now = self.db.clock()
        with self.db.transaction() as s:
            d = self._locked(s, draft_id)
            if d is None or d.kind not in REVIEWABLE:
                return Verdict(False, "", "not_found")
            if d.status != "pending":
                return Verdict(False, d.status, "not_pending")
            if edits.changed(d) and d.original is None:
                d.original = {"to": list(d.to or []), "cc": list(d.cc or []),
                              "subject": d.subject, "body": d.body}
            d.to = edits.to if edits.to is not None else d.to
            d.cc = edits.cc if edits.cc is not None else d.cc
            d.subject = edits.subject if edits.subject is not None else d.subject
            d.body = edits.body if edits.body is not None else d.body
            d.status, d.approved_at, d.send_after = "approved", now, send_after
            s.add(AuditRow(message_id=d.message_id, actor=actor, event="draft_approved",
                           detail={"draft": d.id, "edited": d.original is not None,
                                   "send_after": send_after.isoformat()}))
            return Verdict(True, "approved")

    def undo(self, draft_id: int, actor: str = "owner") -> Verdict:
        """Back to pending, only while the undo window runs and nothing was queued."""
        now = self.db.clock()
        with self.db.transaction() as s:
            d = self._locked(s, draft_id)
            if d is None or d.kind not in REVIEWABLE:
                return Verdict(False, "", "not_found")
            queued = s.scalar(select(OutboxRow.id).where(OutboxRow.draft_id == draft_id))
            if d.status != "approved" or queued is not None:
                return Verdict(False, d.status, "not_pending" if d.status == "pending"
                               else "too_late")
            if d.send_after is not None and _aware(d.send_after) <= now:
                return Verdict(False, d.status, "too_late")
            d.status, d.approved_at, d.send_after = "pending", None, None
            s.add(AuditRow(message_id=d.message_id, actor=actor, event="draft_undone",
                           detail={"draft": d.id}))
            return Verdict(True, "pending")

    def reject(self, draft_id: int, reason: str, actor: str = "owner") -> Verdict:
        with self.db.transaction() as s:
            d = self._locked(s, draft_id)
            if d is None or d.kind not in REVIEWABLE:
                return Verdict(False, "", "not_found")
            if d.status != "pending":
                return Verdict(False, d.status, "not_pending")
            d.status, d.reject_reason = "rejected", reason[:2000] or None
            s.add(AuditRow(message_id=d.message_id, actor=actor, event="draft_rejected",
                           detail={"draft": d.id, "reason": reason[:500]}))
            return Verdict(True, "rejected")

    def stop(self, draft_id: int, actor: str = "owner") -> Verdict:
        """Stop an automatic reply (or an approved draft) before it leaves: only while no
        worker has started sending it."""
        with self.db.transaction() as s:
            d = self._locked(s, draft_id)
            if d is None:
                return Verdict(False, "", "not_found")
            row = s.scalars(select(OutboxRow).where(OutboxRow.draft_id == draft_id)
                            .with_for_update()).one_or_none()
            waiting = (d.kind == "auto" and d.status == "queued") or d.status == "approved"
            if not waiting or (row is not None and row.status != "queued"):
                return Verdict(False, d.status, "too_late")
            if row is not None:
                row.status = "stopped"
            d.status = "stopped"
            s.add(AuditRow(message_id=d.message_id, actor=actor, event="send_stopped",
                           detail={"draft": d.id}))
            return Verdict(True, "stopped")

    def outbox(self) -> list[dict[str, Any]]:
        """Every outgoing mail with its state (CONTRACT §7), newest first."""
        with self.db.session() as s:
            rows = s.execute(select(OutboxRow, DraftRow.kind)
                             .join(DraftRow, DraftRow.id == OutboxRow.draft_id)
                             .order_by(OutboxRow.id.desc()))
            return [{"draft_id": r.draft_id, "message_id_header": r.rfc_message_id,
                     "to": list(r.rcpt), "status": r.status, "kind": kind,
                     "message": r.message_id, "sent_at": _iso(r.sent_at),
                     "attempts": r.attempts, "error": r.error} for r, kind in rows]

    def replies(self, message_row: int) -> list[dict[str, Any]]:
        """What was (or will be) sent in answer to one message, and its state."""
        with self.db.session() as s:
            rows = s.execute(select(DraftRow, OutboxRow)
                             .outerjoin(OutboxRow, OutboxRow.draft_id == DraftRow.id)
                             .where(DraftRow.message_id == message_row,
                                    DraftRow.kind.in_(("draft", "auto")))
                             .order_by(DraftRow.id))
            return [{"draft_id": d.id, "kind": d.kind, "status": d.status,
                     "to": list(d.to or []), "subject": d.subject,
                     "message_id_header": o.rfc_message_id if o else None,
                     "outbox_status": o.status if o else None,
                     "sent_at": _iso(o.sent_at) if o else None,
                     "send_after": _iso(d.send_after), "edited": d.original is not None}
                    for d, o in rows]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _iso(at: datetime | None) -> str | None:
    return _aware(at).isoformat() if at is not None else None
