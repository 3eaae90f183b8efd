"""Mails to the owner: what needs one, and writing each exactly once.

A notice is a draft of kind `notice`, already approved, to the owner; it goes out through
the outbox like any reply. The (kind, key) row is written in the same transaction and is
unique, so `run` and `serve` both looking never produce two mails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tools.store.db import Database
from tools.store.models import (
    AuditRow,
    DecisionRow,
    DraftRow,
    MessageRow,
    NoticeRow,
    OutboxRow,
)


@dataclass(frozen=True)
class Noticed:
    """A message the owner should hear about."""

    message: int
    sender: str
    subject: str
    received_at: datetime
    explanation: str
    flags: list[str]


@dataclass(frozen=True)
class Uncertain:
    outbox: int
    message: int | None
    to: list[str]
    subject: str


class Notices:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _noticed(self, kind: str) -> Any:
        return select(NoticeRow.key).where(NoticeRow.kind == kind)

    def risks(self, since: datetime) -> list[Noticed]:
        """Messages received since `since` that only notify the owner because of a risk
        (rule 2, spoofing), without a notice yet."""
        with self.db.session() as s:
            q = (select(MessageRow, DecisionRow)
                 .join(DecisionRow, DecisionRow.message_id == MessageRow.id)
                 .where(DecisionRow.current.is_(True), DecisionRow.action == "notify",
                        MessageRow.received_at >= since)
                 .order_by(MessageRow.id))
            done = set(s.scalars(self._noticed("risk")))
            return [_noticed(m, d) for m, d in s.execute(q)
                    if str(m.id) not in done and _risky(d)]

    def others(self, since: datetime) -> list[Noticed]:
        """Everything else that was laid before the owner since `since` (for the digest)."""
        with self.db.session() as s:
            q = (select(MessageRow, DecisionRow)
                 .join(DecisionRow, DecisionRow.message_id == MessageRow.id)
                 .where(DecisionRow.current.is_(True), DecisionRow.action == "notify",
                        MessageRow.received_at >= since)
                 .order_by(MessageRow.id))
            return [_noticed(m, d) for m, d in s.execute(q) if not _risky(d)]

    def uncertain(self) -> list[Uncertain]:
        with self.db.session() as s:
            done = set(s.scalars(self._noticed("uncertain")))
            q = (select(OutboxRow, DraftRow).join(DraftRow, DraftRow.id == OutboxRow.draft_id)
                 .where(OutboxRow.status == "uncertain", DraftRow.kind.in_(("auto", "draft")))
                 .order_by(OutboxRow.id))
            return [Uncertain(outbox=o.id, message=o.message_id, to=list(o.rcpt),
                              subject=d.subject)
                    for o, d in s.execute(q) if str(o.id) not in done]

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            drafts = s.scalar(select(func.count()).select_from(DraftRow).where(
                DraftRow.kind == "draft", DraftRow.status == "pending")) or 0
            failed = s.scalar(select(func.count()).select_from(MessageRow).where(
                MessageRow.status == "failed")) or 0
            return {"drafts": int(drafts), "failed": int(failed)}

    def done(self, kind: str, key: str) -> bool:
        with self.db.session() as s:
            return s.scalar(select(NoticeRow.id).where(NoticeRow.kind == kind,
                                                      NoticeRow.key == key)) is not None

    def add(self, kind: str, key: str, to: list[str], subject: str, body: str,
            language: str, message: int | None = None) -> bool:
        """Write the notice (and its mail, when there is a body); False when it exists."""
        try:
            with self.db.transaction() as s:
                draft_id = None
                if body:
                    draft = DraftRow(message_id=message, decision_id=None, kind="notice",
                                     status="approved", to=to, cc=[], subject=subject,
                                     body=body, language=language, references=[],
                                     template=f"notify/{kind}.{language}",
                                     approved_at=self.db.clock())
                    s.add(draft)
                    s.flush()
                    draft_id = draft.id
                s.add(NoticeRow(kind=kind, key=key, draft_id=draft_id))
                s.add(AuditRow(message_id=message, actor="agent", event=f"notice_{kind}",
                               detail={"key": key, "mailed": draft_id is not None}))
            return True
        except IntegrityError:
            return False  # another process wrote it first


def _risky(d: DecisionRow) -> bool:
    return d.rule == "r2-risk" or any(str(f).startswith(("risk:", "spoof"))
                                      for f in d.flags or [])


def _noticed(m: MessageRow, d: DecisionRow) -> Noticed:
    at = m.received_at if m.received_at.tzinfo else m.received_at.replace(tzinfo=UTC)
    result = d.result or {}
    return Noticed(message=m.id, sender=m.sender or str(result.get("from") or ""),
                   subject=m.subject or str(result.get("subject") or ""), received_at=at,
                   explanation=d.explanation, flags=[str(f) for f in d.flags or []])
