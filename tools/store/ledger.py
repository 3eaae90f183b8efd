"""What later decisions read back: rule 5's reply ledger and the calendar slots offered."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.models import Proposal
from tools.store.db import Database
from tools.store.models import ReplyLedgerRow
from tools.store.proposals import find_offer


class Ledger:
    def __init__(self, db: Database) -> None:
        self.db = db

    def auto_replied(self, sender: str, day: date) -> bool:
        """Has this sender (`Address.key`) had an automatic reply for mail received on
        this owner-local day?"""
        with self.db.session() as s:
            q = select(ReplyLedgerRow.id).where(ReplyLedgerRow.sender == sender,
                                                ReplyLedgerRow.day == day.isoformat())
            return s.scalar(q.limit(1)) is not None

    def find_proposal(self, thread_ids: list[str]) -> Proposal | None:
        """The calendar offer a message answers (by its In-Reply-To/References)."""
        with self.db.session() as s:
            return find_offer(s, thread_ids)
