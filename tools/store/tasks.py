"""Assistants (the config is the source of truth) and their open tasks."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.config import Assistant
from tools.store.db import Database
from tools.store.models import OPEN_TASK_STATES, AssistantRow, TaskRow


class Tasks:
    def __init__(self, db: Database) -> None:
        self.db = db

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
        """Tasks that count against the assistant's capacity."""
        with self.db.session() as s:
            q = select(func.count()).select_from(TaskRow).where(
                TaskRow.assistant_id == assistant_id, TaskRow.status.in_(OPEN_TASK_STATES))
            return int(s.scalar(q) or 0)
