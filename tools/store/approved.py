"""The owner's approved replies (the `ApprovedReplies` port of core/ports.py): a reply she
edited before approving is kept with the text of the mail it answered; the next draft for
a similar mail — same category and language, nearest by embedding — starts from it.

A table plus embeddings, not a vector store: it is small (her edits), it lives in the same
database as the drafts (PostgreSQL for several workers), and a reply only counts while its
draft stays approved or sent — an undo or a stop takes it back at once. The vector is
computed on first use by the process that drafts (which has the embedder loaded anyway),
so approving in the web UI never loads the model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import select

from core.ports import ApprovedReply, Embedder
from tools.store.db import Database
from tools.store.messages import aware
from tools.store.models import ApprovedReplyRow, DraftRow

LIVE = ("approved", "queued", "sending", "sent", "uncertain")  # her reply still stands
MIN_SIMILARITY = 0.90  # e5 query/query cosine: the same matter (a misprint complaint), not
# merely the same category (0.88 for a broken contact form vs. a misprint; 0.91–0.98 alike)


class ApprovedStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, draft_id: int, message_id: int | None, category: str, language: str,
               mail_text: str, body: str, facts: dict[str, Any], recipient: str) -> None:
        """Keep (or renew, after an undo and a second approval) her approved reply."""
        with self.db.transaction() as s:
            row = s.scalar(select(ApprovedReplyRow).where(ApprovedReplyRow.draft_id == draft_id))
            if row is None:
                row = ApprovedReplyRow(draft_id=draft_id)
                s.add(row)
            row.message_id, row.category, row.language = message_id, category, language
            row.mail_text, row.body, row.facts = mail_text, body, facts
            row.recipient, row.vector = recipient[:998], None
            row.approved_at = self.db.clock()

    def count(self) -> int:
        with self.db.session() as s:
            return len(list(s.scalars(select(ApprovedReplyRow.id))))


class ApprovedReplyIndex:
    """`ApprovedReplies` over the table: nearest by cosine among her live replies of the
    same category and language."""

    def __init__(self, db: Database, embedder: Embedder,
                 min_similarity: float = MIN_SIMILARITY) -> None:
        self.db = db
        self.embedder = embedder
        self.min_similarity = min_similarity

    def _rows(self, category: str, language: str) -> list[ApprovedReplyRow]:
        with self.db.transaction() as s:
            rows = list(s.scalars(
                select(ApprovedReplyRow)
                .join(DraftRow, DraftRow.id == ApprovedReplyRow.draft_id)
                .where(ApprovedReplyRow.category == category,
                       ApprovedReplyRow.language == language, DraftRow.status.in_(LIVE))
                .order_by(ApprovedReplyRow.approved_at.desc())))
            missing = [r for r in rows if r.vector is None]
            if missing:
                vectors = self.embedder.queries([r.mail_text for r in missing])
                for r, v in zip(missing, vectors, strict=True):
                    r.vector = np.asarray(v, dtype=np.float32).tobytes()
            s.expunge_all()
            return rows

    def like(self, text: str, category: str, language: str) -> ApprovedReply | None:
        rows = self._rows(category, language)
        if not rows:
            return None
        query = np.asarray(self.embedder.queries([text])[0], dtype=np.float32)
        best: tuple[float, ApprovedReplyRow] | None = None
        for r in rows:
            v = np.frombuffer(r.vector or b"", dtype=np.float32)
            if v.shape != query.shape:
                continue
            sim = float(v @ query / ((np.linalg.norm(v) * np.linalg.norm(query)) or 1.0))
            if best is None or sim > best[0]:
                best = (sim, r)
        if best is None or best[0] < self.min_similarity:
            return None
        sim, r = best
        return ApprovedReply(draft_id=r.draft_id, body=r.body, facts=dict(r.facts or {}),
                             recipient=r.recipient, approved_at=aware(r.approved_at),
                             similarity=sim)
