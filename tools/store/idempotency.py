"""POSTs with an `Idempotency-Key`: the first answer is kept; a retry gets it again (and
has no second effect)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tools.store.db import Database
from tools.store.models import IdempotencyRow


class Idempotency:
    def __init__(self, db: Database) -> None:
        self.db = db

    def answer(self, principal: str, key: str) -> tuple[str, int, Any] | None:
        """(request, status, body) stored under this key for this caller, or None."""
        with self.db.session() as s:
            row = s.scalar(select(IdempotencyRow).where(IdempotencyRow.principal == principal,
                                                        IdempotencyRow.key == key))
            return (row.request, row.status, row.body) if row else None

    def keep(self, principal: str, key: str, request: str, status: int, body: Any) -> None:
        try:
            with self.db.transaction() as s:
                s.add(IdempotencyRow(principal=principal, key=key[:200], request=request[:300],
                                     status=status, body=body))
        except IntegrityError:
            pass  # a concurrent retry stored its answer first; both had one effect
