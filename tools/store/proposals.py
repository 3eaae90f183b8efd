"""Calendar offers: the slots a reply offered, kept to recognise the answer in the thread."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.models import Proposal, TimeSlot, TriageOutcome
from tools.store.models import Base, OutboxRow, clock_now


class OfferRow(Base):
    __tablename__ = "calendar_offers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    thread_id: Mapped[str] = mapped_column(String(998), index=True)  # the request's Message-ID
    slots: Mapped[list[Any]] = mapped_column(JSON)  # [[start ISO, end ISO], …]
    language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64), default="")
    subject: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)


def save_offer(s: Session, message_row: int, outcome: TriageOutcome) -> None:
    """Record the slots a decision's reply offers (inside the caller's transaction)."""
    d, mail = outcome.decision, outcome.view.mail
    if not d.calendar.offered or d.draft is None or not mail.message_id:
        return
    s.add(OfferRow(message_id=message_row, thread_id=mail.message_id,
                   slots=[[x.start.isoformat(), x.end.isoformat()] for x in d.calendar.offered],
                   language=d.draft.language, timezone=d.calendar.zone,
                   subject=mail.subject[:2000]))


def find_offer(s: Session, thread_ids: list[str]) -> Proposal | None:
    """The newest offer this mail answers: one whose reply went out and is among the mail's
    In-Reply-To/References. An offer in a draft the owner has not sent (or rejected), or a
    later mail in the same thread that does not answer the agent's reply, answers nothing:
    "schicken Sie die PDF bis Dienstag 12 Uhr" in a thread where slots were only drafted
    must not book Tuesday at noon."""
    q = (select(OfferRow)
         .join(OutboxRow, OutboxRow.message_id == OfferRow.message_id)
         .where(OutboxRow.rfc_message_id.in_(thread_ids[-50:]))
         .order_by(OfferRow.id.desc()).limit(1))
    row = s.scalars(q).first()
    if row is None:
        return None
    slots = [TimeSlot(start=datetime.fromisoformat(a), end=datetime.fromisoformat(b))
             for a, b in row.slots]
    return Proposal(thread_id=row.thread_id, slots=slots, language=row.language,
                    timezone=row.timezone, subject=row.subject)
