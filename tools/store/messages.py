"""Messages: ingest and deduplication, claiming work, failures and retries, listing.

Every message is committed as received before anything acts on it. Workers claim `new`
messages with a lease (`claim`): on PostgreSQL with `FOR UPDATE SKIP LOCKED`, on SQLite
under its single writer lock, so two `assistenz run` processes on one database never triage
the same message at the same time; a lease that runs out (a worker killed) frees its
messages for the others, and a worker on the same host sees at once that a dead process's
claims are void.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import RawMessage
from tools.store.db import Database
from tools.store.models import (
    AuditRow,
    DecisionRow,
    DraftRow,
    MessageKeyRow,
    MessageRow,
    OutboxRow,
)
from tools.store.peek import peek, peek_id
from tools.store.workers import alive_here, worker_id

__all__ = ["Messages", "aware", "content_hash", "item_json", "worker_id"]

LEASE = timedelta(minutes=10)  # a claim a dead worker on another host leaves behind expires


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """executemany of plain tuples: SQLAlchemy's per-row parameter handling costs more than
    SQLite's insert itself. Each column's own bind processor still converts the values;
    rows must share their keys."""
    mark = _PLACEHOLDER.get(conn.dialect.paramstyle)
    if mark is None:
        conn.execute(insert(table), rows)
        return
    cols = list(rows[0])
    procs = [table.c[c].type.bind_processor(conn.dialect) for c in cols]
    sql = (f"INSERT INTO {table.name} ({', '.join(cols)}) "
           f"VALUES ({', '.join([mark] * len(cols))})")
    conn.exec_driver_sql(sql, [tuple(p(r[c]) if p else r[c]
                                     for c, p in zip(cols, procs, strict=True)) for r in rows])


def _table(model: type[Any]) -> Table:
    """The Core table of a model: bulk inserts skip the ORM's per-row work."""
    return cast(Table, model.__table__)


def _message_values(raw: RawMessage, digest: str, mid: str | None,
                    now: datetime) -> dict[str, Any]:
    """A new row. Subject and From for listings are filled in when the message is processed
    (or fails): ingest only reads what deduplication needs."""
    return {"source": raw.source, "source_key": raw.source_key, "message_id": mid,
            "content_hash": digest, "raw": raw.data, "size": len(raw.data),
            "subject": "", "sender": "", "status": "new",
            "flags": [], "attempts": 0, "received_at": now, "updated_at": now}


class Messages:
    def __init__(self, db: Database) -> None:
        self.db = db

    def known(self, source: str, key: str) -> bool:
        with self.db.session() as s:
            q = select(MessageRow.id).where(MessageRow.source == source,
                                            MessageRow.source_key == key)
            return s.scalar(q) is not None

    def known_keys(self, source: str) -> set[str]:
        """Every key of this mailbox under which a stored message was seen."""
        with self.db.session() as s:
            q = select(MessageRow.source_key).where(MessageRow.source == source)
            keys = {k for k in s.scalars(q) if k is not None}
            keys.update(s.scalars(select(MessageKeyRow.source_key)
                                  .where(MessageKeyRow.source == source)))
            return keys

    def done_keys(self, source: str) -> set[str]:
        """Keys of this mailbox whose message is processed (may be marked on the server)."""
        with self.db.session() as s:
            done = MessageRow.status == "processed"
            q = select(MessageRow.source_key).where(MessageRow.source == source, done)
            keys = {k for k in s.scalars(q) if k is not None}
            keys.update(s.scalars(select(MessageKeyRow.source_key).join(MessageRow)
                                  .where(MessageKeyRow.source == source, done)))
            return keys

    def store_raw(self, raw: RawMessage) -> int | None:
        """Commit the message as received, before anything acts on it.

        Returns the new row id, or None when this message is already stored (same mailbox
        key, or same Message-ID with the same content from another place).
        """
        return self.store_batch([raw])[0]

    def store_batch(self, raws: list[RawMessage]) -> list[int | None]:
        """`store_raw` for many messages in one transaction (one commit, same guarantees).

        A message already stored under another key (a copy, or renumbered by the server)
        is not stored again; its new key is recorded so the mailbox is not read twice.
        The mailbox keys are checked by the database's unique constraints first; only when
        one fires (another worker stored some of these meanwhile) is each key looked up.
        """
        peeked = [(content_hash(r.data), peek_id(r.data)) for r in raws]
        try:
            with self.db.transaction() as s:
                return self._store(s, raws, peeked, set())
        except IntegrityError:
            with self.db.transaction() as s:
                return self._store(s, raws, peeked, self._existing_keys(s, raws))

    def _store(self, s: Session, raws: list[RawMessage], peeked: list[tuple[str, str | None]],
               seen: set[tuple[str, str]]) -> list[int | None]:
        known = self._existing_content(s, peeked)
        new: list[dict[str, Any]] = []
        refs: list[tuple[str, int] | None] = []  # ("row", id) / ("new"|"copy", index)
        batch: dict[tuple[str, str | None], int] = {}
        now = self.db.clock()
        for raw, (digest, mid) in zip(raws, peeked, strict=True):
            if raw.source_key is not None and (raw.source, raw.source_key) in seen:
                refs.append(None)
                continue
            if raw.source_key is not None:
                seen.add((raw.source, raw.source_key))
            if (digest, mid) in known:
                refs.append(("row", known[(digest, mid)]))
            elif (digest, mid) in batch:
                refs.append(("copy", batch[(digest, mid)]))
            else:
                batch[(digest, mid)] = len(new)
                refs.append(("new", len(new)))
                new.append(_message_values(raw, digest, mid, now))
        ids = self._insert_messages(s, new)
        return self._record(s, raws, refs, ids)

    @staticmethod
    def _insert_messages(s: Session, rows: list[dict[str, Any]]) -> list[int]:
        """One executemany for the rows with a mailbox key, their ids read back by key
        (RETURNING would cost one statement per row here); the others one by one."""
        conn, table = s.connection(), _table(MessageRow)
        keyed = [r for r in rows if r["source_key"] is not None]
        ids: dict[tuple[str, str], int] = {}
        if keyed:
            before = s.scalar(select(func.max(MessageRow.id))) or 0
            _insert_many(conn, table, keyed)
            q = select(MessageRow.id, MessageRow.source, MessageRow.source_key).where(
                MessageRow.id > before)
            ids.update(((src, key), row_id) for row_id, src, key in conn.execute(q) if key)
        out = []
        for r in rows:
            if r["source_key"] is not None:
                out.append(ids[(r["source"], r["source_key"])])
            else:
                out.append(conn.execute(insert(table).returning(table.c.id), r).scalar_one())
        return out

    @staticmethod
    def _record(s: Session, raws: list[RawMessage], refs: list[tuple[str, int] | None],
                ids: list[int]) -> list[int | None]:
        """Audit entries for every stored message, extra keys for every copy seen again."""
        audit: list[dict[str, Any]] = []
        keys: list[dict[str, Any]] = []
        out: list[int | None] = []
        for raw, ref in zip(raws, refs, strict=True):
            if ref is None:
                out.append(None)
                continue
            kind, value = ref
            row_id = value if kind == "row" else ids[value]
            if kind == "new":
                out.append(row_id)
                continue
            audit.append({"message_id": row_id, "actor": "agent", "event": "seen_again",
                          "detail": {"source": raw.source, "key": raw.source_key}})
            if raw.source_key is not None:
                keys.append({"source": raw.source, "source_key": raw.source_key,
                             "message_id": row_id})
            out.append(None)
        if ids:  # one entry per batch: the rows themselves hold source, key and time
            audit.append({"message_id": None, "actor": "agent", "event": "stored",
                          "detail": {"messages": ids, "sources": sorted({r.source for r in raws})}})
        if keys:
            s.connection().execute(insert(_table(MessageKeyRow)), keys)
        if audit:
            s.connection().execute(insert(_table(AuditRow)), audit)
        return out

    @staticmethod
    def _existing_keys(s: Session, raws: list[RawMessage]) -> set[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for source in {r.source for r in raws}:
            keys = [r.source_key for r in raws if r.source == source and r.source_key]
            for table in (MessageRow, MessageKeyRow):
                for i in range(0, len(keys), 500):
                    q = select(table.source_key).where(table.source == source,
                                                       table.source_key.in_(keys[i:i + 500]))
                    out.update((source, k) for k in s.scalars(q) if k is not None)
        return out

    @staticmethod
    def _existing_content(s: Session, pairs: list[tuple[str, str | None]]
                          ) -> dict[tuple[str, str | None], int]:
        hashes = sorted({h for h, _ in pairs})
        out: dict[tuple[str, str | None], int] = {}
        for i in range(0, len(hashes), 500):
            q = select(MessageRow.id, MessageRow.content_hash, MessageRow.message_id).where(
                MessageRow.content_hash.in_(hashes[i:i + 500])).order_by(MessageRow.id)
            for row_id, digest, mid in s.execute(q):
                out.setdefault((digest, mid), row_id)
        return out

    # --- claiming work ----------------------------------------------------------------

    def claim(self, worker: str, limit: int = 20, lease: timedelta = LEASE
              ) -> list[tuple[int, RawMessage]]:
        """Up to `limit` waiting messages for this worker, oldest first, each leased until
        now + `lease`. Messages another live worker holds are skipped, never waited for;
        [] only when nothing is left to claim."""
        self._release_dead()
        for _ in range(10):  # lost every race for the rows seen free: look again
            got, seen = self._claim(worker, limit, lease)
            if got or not seen:
                return got
        return []

    def _claim(self, worker: str, limit: int, lease: timedelta
               ) -> tuple[list[tuple[int, RawMessage]], bool]:
        now = self.db.clock()
        with self.db.transaction() as s:
            free = or_(MessageRow.claimed_until.is_(None), MessageRow.claimed_until < now,
                       MessageRow.claimed_by == worker)
            ids = list(s.scalars(  # mail never tried first: a retried one never blocks it
                select(MessageRow.id).where(MessageRow.status == "new", free)
                .order_by(MessageRow.attempts, MessageRow.id).limit(limit)
                .with_for_update(skip_locked=True)))
            if not ids:
                return [], False
            # conditional: on SQLite the SELECT above holds no lock, so another worker may
            # have taken some of these meanwhile; only what is still free becomes ours
            until = now + lease
            s.execute(update(MessageRow).where(MessageRow.id.in_(ids),
                                               MessageRow.status == "new", free)
                      .values(claimed_by=worker, claimed_until=until))
            rows = s.scalars(select(MessageRow).where(MessageRow.id.in_(ids),
                                                      MessageRow.claimed_by == worker,
                                                      MessageRow.status == "new")
                             .order_by(MessageRow.id))
            return [(r.id, _raw(r)) for r in rows], True

    def _release_dead(self) -> None:
        """Claims of workers on this host whose process is gone are void at once."""
        now = self.db.clock()
        with self.db.session() as s:
            holders = set(s.scalars(select(MessageRow.claimed_by).where(
                MessageRow.status == "new", MessageRow.claimed_until >= now).distinct()))
        dead = [w for w in holders if w and not alive_here(w)]
        if dead:
            with self.db.transaction() as s:
                s.execute(update(MessageRow).where(MessageRow.claimed_by.in_(dead),
                                                   MessageRow.status == "new")
                          .values(claimed_by=None, claimed_until=None))

    def release(self, row_id: int) -> None:
        """Give a claimed message back (e.g. another worker's reply won the day's limit:
        triage it again against the new state)."""
        with self.db.transaction() as s:
            s.execute(update(MessageRow).where(MessageRow.id == row_id,
                                               MessageRow.status == "new")
                      .values(claimed_by=None, claimed_until=None))

    def count(self, status: str) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(MessageRow)
                                .where(MessageRow.status == status)) or 0)

    def pending(self, limit: int = 1000) -> list[tuple[int, RawMessage]]:
        """Waiting messages, unclaimed (for reading; workers use `claim`)."""
        with self.db.session() as s:
            rows = s.scalars(select(MessageRow).where(MessageRow.status == "new")
                             .order_by(MessageRow.id).limit(limit))
            return [(r.id, _raw(r)) for r in rows]

    # --- failures ----------------------------------------------------------------------

    def mark_failed(self, row_id: int, error: str, retries: int = 0,
                    first_wait: timedelta = timedelta(minutes=5),
                    notice: FailureNotice | None = None) -> None:
        """`failed` with the reason. While the message has tries left (`retries` after the
        first) it is queued again after `first_wait`, doubled with every failure; with a
        `notice`, the owner is told (a notify decision, listed like any other)."""
        with self.db.transaction() as s:
            msg = s.get_one(MessageRow, row_id)
            if not msg.subject and not msg.sender:
                _, subject, sender = peek(msg.raw)
                msg.subject, msg.sender = subject[:2000], sender[:998]
            msg.status = "failed"
            msg.claimed_by = msg.claimed_until = None
            msg.error = error[:4000]
            msg.attempts += 1
            again = msg.attempts <= retries
            msg.retry_at = (self.db.clock() + first_wait * 2 ** (msg.attempts - 1)) if again \
                else None
            s.add(AuditRow(message_id=row_id, actor="agent", event="failed",
                           detail={"error": error[:1000], "attempts": msg.attempts,
                                   "retry_at": msg.retry_at.isoformat() if msg.retry_at
                                   else None}))
            if notice is not None:
                _notify_failure(s, msg, error, notice)

    def requeue_due(self) -> int:
        """Failed messages whose retry time has come are `new` again."""
        now = self.db.clock()
        with self.db.transaction() as s:
            q = (update(MessageRow).where(MessageRow.status == "failed",
                                          MessageRow.retry_at.is_not(None),
                                          MessageRow.retry_at <= now)
                 .values(status="new", retry_at=None))
            return int(s.execute(q).rowcount or 0)  # type: ignore[attr-defined]

    def retry(self, ids: list[int] | None = None) -> int:
        with self.db.transaction() as s:
            q = update(MessageRow).where(MessageRow.status == "failed")
            if ids:
                q = q.where(MessageRow.id.in_(ids))
            count = s.execute(q.values(status="new", retry_at=None)).rowcount  # type: ignore[attr-defined]
            s.add(AuditRow(actor="owner", event="retry", detail={"ids": ids or "all-failed"}))
            return int(count or 0)

    def items(self, status: str | None = None) -> list[dict[str, Any]]:
        with self.db.session() as s:
            q = select(MessageRow).order_by(MessageRow.id)
            if status:
                q = q.where(MessageRow.status == status)
            replies: dict[int, list[str]] = {}
            answers = (select(OutboxRow.message_id, OutboxRow.status)
                       .join(DraftRow, DraftRow.id == OutboxRow.draft_id)
                       .where(DraftRow.kind.in_(("auto", "draft")),
                              OutboxRow.message_id.is_not(None)).order_by(OutboxRow.id))
            for mid, state in s.execute(answers):
                if mid is not None:
                    replies.setdefault(mid, []).append(state)
            out = []
            for m in s.scalars(q):
                dec = next((d for d in reversed(m.decisions) if d.current), None)
                # the outbox state of each reply: queued, sending, sent, uncertain, failed
                out.append({**item_json(m, dec), "replies": replies.get(m.id, [])})
            return out




@dataclass(frozen=True)
class FailureNotice:
    """What the owner is told about a message the agent could not process."""

    explanation: str
    language: str = "de"


def _notify_failure(s: Session, msg: MessageRow, error: str, notice: FailureNotice) -> None:
    s.execute(update(DecisionRow).where(DecisionRow.message_id == msg.id)
              .values(current=False))
    notify = {"type": "notify_owner", "reason": error[:300]}
    result = {"file": f"{msg.source}#{msg.source_key or msg.id}", "message_id": msg.message_id,
              "error": error[:500], "category": "other", "action": "notify",
              "planned_actions": [notify], "explanation": notice.explanation,
              "forwarded_by_owner": False, "flags": ["failed"]}
    s.add(DecisionRow(message_id=msg.id, origin="agent", current=True,
                      language=notice.language, category="other", priority="normal",
                      action="notify", assignee=None, confidence=0.0, decided_by="failed",
                      rule="failed", explanation=notice.explanation, planned_actions=[notify],
                      flags=["failed"], result=result))
    s.add(AuditRow(message_id=msg.id, actor="agent", event="notify_owner", detail=notify))


def _raw(r: MessageRow) -> RawMessage:
    return RawMessage(ref=f"{r.source}#{r.source_key or r.id}", data=r.raw, source=r.source,
                      source_key=r.source_key, received_at=aware(r.received_at))


def aware(at: datetime) -> datetime:
    """SQLite hands back naive datetimes; the store writes UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def item_json(m: MessageRow, dec: DecisionRow | None) -> dict[str, Any]:
    return {
        "id": m.id,
        "message_id": m.message_id,
        "status": m.status,
        "category": dec.category if dec else None,
        "action": dec.action if dec else None,
        "assignee": dec.assignee if dec else None,
        "priority": dec.priority if dec else None,
        "confidence": round(dec.confidence, 3) if dec else None,
        "language": dec.language if dec else None,
        "subject": m.subject,
        "from": m.sender,
        "source": m.source,
        "source_key": m.source_key,
        "received_at": m.received_at.isoformat() if m.received_at else None,
        "error": m.error,
        "flags": m.flags or [],
    }
