"""Pending calendar changes: read them, and record what became of each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tools.store import Store
from tools.store.models import AuditRow, CalendarOpRow


@dataclass(frozen=True)
class CalendarOp:
    id: int
    message_id: int
    op: str
    uid: str
    ics: str


def pending(store: Store) -> list[CalendarOp]:
    with store.db.session() as s:
        rows = s.scalars(select(CalendarOpRow).where(CalendarOpRow.status == "pending")
                         .order_by(CalendarOpRow.id))
        return [CalendarOp(r.id, r.message_id, r.op, r.uid, r.ics) for r in rows]


def finish(store: Store, op: CalendarOp, status: str, error: str | None = None) -> None:
    with store.db.transaction() as s:
        row = s.get_one(CalendarOpRow, op.id)
        row.status, row.error = status, error
        s.add(AuditRow(message_id=op.message_id, actor="agent", event=f"calendar_{op.op}",
                       detail={"uid": op.uid, "status": status, "error": error}))
