"""The webhook outbox: rows written with the state change that causes them, delivered at
least once by the sender loop (tools/webhooks.py), retried with backoff."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select, update

from tools.store.db import Database
from tools.store.models import WebhookRow


def new_webhook(endpoint: str, url: str, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The values of a webhook row (its id is the `webhook-id` the receiver dedupes on)."""
    return {"id": "msg_" + secrets.token_hex(12), "endpoint": endpoint, "url": url,
            "event": event, "payload": payload, "status": "pending", "attempts": 0}


@dataclass(frozen=True)
class Delivery:
    id: str
    endpoint: str
    url: str
    event: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


class Webhooks:
    def __init__(self, db: Database) -> None:
        self.db = db

    def due(self, now: datetime, limit: int = 50) -> list[Delivery]:
        with self.db.session() as s:
            q = (select(WebhookRow).where(WebhookRow.status == "pending",
                                          or_(WebhookRow.next_try_at.is_(None),
                                              WebhookRow.next_try_at <= now))
                 .order_by(WebhookRow.created_at).limit(limit))
            return [Delivery(r.id, r.endpoint, r.url, r.event, dict(r.payload), r.attempts,
                             _aware(r.created_at)) for r in s.scalars(q)]

    def delivered(self, webhook_id: str) -> None:
        with self.db.transaction() as s:
            s.execute(update(WebhookRow).where(WebhookRow.id == webhook_id).values(
                status="delivered", delivered_at=self.db.clock(), last_error=None,
                attempts=WebhookRow.attempts + 1))

    def retry(self, webhook_id: str, error: str, at: datetime | None) -> None:
        """Try again at `at`; None: give up (failed), or disabled for a 410 Gone."""
        status = "pending" if at is not None else (
            "disabled" if error.startswith("410") else "failed")
        with self.db.transaction() as s:
            s.execute(update(WebhookRow).where(WebhookRow.id == webhook_id).values(
                status=status, next_try_at=at, last_error=error[:1000],
                attempts=WebhookRow.attempts + 1))

    def all(self) -> list[dict[str, Any]]:
        with self.db.session() as s:
            return [{"id": r.id, "endpoint": r.endpoint, "event": r.event, "status": r.status,
                     "attempts": r.attempts, "error": r.last_error}
                    for r in s.scalars(select(WebhookRow).order_by(WebhookRow.created_at))]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
