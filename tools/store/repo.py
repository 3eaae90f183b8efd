"""What the runner, the CLI and the API do with the database — each method one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from agent.clock import Clock
from agent.config import Assistant
from agent.models import Proposal, RawMessage, TriageOutcome
from agent.parse.headers import clean
from tools.store.db import session_factory, transaction
from tools.store.models import (
    OPEN_TASK_STATES,
    AssistantRow,
    AuditRow,
    CalendarOpRow,
    DecisionRow,
    DraftRow,
    MessageKeyRow,
    MessageRow,
    OutboxRow,
    ReplyLedgerRow,
    TaskRow,
)
from tools.store.peek import peek, peek_id
from tools.store.proposals import find_offer, save_offer


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


class Store:
    def __init__(self, url: str, clock: Clock) -> None:
        self.url = url
        self.clock = clock
        self._factory: sessionmaker[Session] = session_factory(url, clock)

    def session(self) -> Session:
        return self._factory()

    def transaction(self) -> AbstractContextManager[Session]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        return transaction(self._factory)

    # --- assistants --------------------------------------------------------------------

    def sync_assistants(self, assistants: Iterable[Assistant]) -> None:
        """The config is the source of truth; assistants removed from it become inactive."""
        with transaction(self._factory) as s:
            wanted = {a.id: a for a in assistants}
            for row in s.scalars(select(AssistantRow)):
                row.active = row.id in wanted
            for a in wanted.values():
                s.merge(AssistantRow(id=a.id, name=a.name, email=a.email,
                                     languages=list(a.languages), skills=a.skills,
                                     timezone=a.timezone, capacity=a.capacity, active=True))

    def open_tasks(self, assistant_id: str) -> int:
        with self.session() as s:
            q = select(func.count()).select_from(TaskRow).where(
                TaskRow.assistant_id == assistant_id, TaskRow.status.in_(OPEN_TASK_STATES))
            return int(s.scalar(q) or 0)

    # --- ingest ------------------------------------------------------------------------

    def known(self, source: str, key: str) -> bool:
        with self.session() as s:
            q = select(MessageRow.id).where(MessageRow.source == source,
                                            MessageRow.source_key == key)
            return s.scalar(q) is not None

    def known_keys(self, source: str) -> set[str]:
        """Every key of this mailbox under which a stored message was seen."""
        with self.session() as s:
            q = select(MessageRow.source_key).where(MessageRow.source == source)
            keys = {k for k in s.scalars(q) if k is not None}
            keys.update(s.scalars(select(MessageKeyRow.source_key)
                                  .where(MessageKeyRow.source == source)))
            return keys

    def done_keys(self, source: str) -> set[str]:
        """Keys of this mailbox whose message is processed (may be marked on the server)."""
        with self.session() as s:
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
            with transaction(self._factory) as s:
                return self._store(s, raws, peeked, set())
        except IntegrityError:
            with transaction(self._factory) as s:
                return self._store(s, raws, peeked, self._existing_keys(s, raws))

    def _store(self, s: Session, raws: list[RawMessage], peeked: list[tuple[str, str | None]],
               seen: set[tuple[str, str]]) -> list[int | None]:
        known = self._existing_content(s, peeked)
        new: list[dict[str, Any]] = []
        refs: list[tuple[str, int] | None] = []  # ("row", id) / ("new"|"copy", index)
        batch: dict[tuple[str, str | None], int] = {}
        now = self.clock()
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

    def pending(self, limit: int = 1000) -> list[tuple[int, RawMessage]]:
        with self.session() as s:
            rows = s.scalars(select(MessageRow).where(MessageRow.status == "new")
                             .order_by(MessageRow.id).limit(limit))
            return [(r.id, RawMessage(ref=f"{r.source}#{r.source_key or r.id}", data=r.raw,
                                      source=r.source, source_key=r.source_key,
                                      received_at=aware(r.received_at))) for r in rows]

    # --- results -----------------------------------------------------------------------

    def save_outcome(self, row_id: int, outcome: TriageOutcome) -> None:
        """Decision, draft, tasks, audit entries and the processed status: all or nothing."""
        c, d = outcome.classification, outcome.decision
        with transaction(self._factory) as s:
            msg = s.get_one(MessageRow, row_id)
            if msg.status == "processed":
                return  # exactly once: somebody else finished it
            s.execute(update(DecisionRow).where(DecisionRow.message_id == row_id)
                      .values(current=False))
            dec = DecisionRow(
                message_id=row_id, origin="agent", current=True, language=outcome.view.language,
                category=c.category.value, priority=c.priority.value, action=d.action.value,
                assignee=d.assignee, confidence=c.confidence, decided_by=c.decided_by,
                model=c.model, prompt_version=c.prompt_version, rule=d.rule,
                explanation=outcome.explanation,
                planned_actions=[p.model_dump(mode="json") for p in d.planned_actions],
                flags=sorted(set(c.flags) | set(d.flags)), result=outcome.to_json())
            s.add(dec)
            s.flush()
            self._act(s, msg, dec, outcome)
            msg.status = "processed"
            msg.error = None
            msg.attempts += 1
            msg.flags = sorted(set(outcome.view.parsed.flags))
            outer = outcome.view.parsed.outer
            msg.subject = msg.subject or clean(outer.subject)[:2000]
            msg.sender = msg.sender or (outer.sender.formatted() if outer.sender else "")[:998]

    def _act(self, s: Session, msg: MessageRow, dec: DecisionRow, outcome: TriageOutcome) -> None:
        d = outcome.decision
        reply_day = d.replies[0].day if d.replies else None
        if d.draft is not None:
            kind = "auto" if d.action.value == "auto" else "draft"
            s.add(DraftRow(message_id=msg.id, decision_id=dec.id, kind=kind,
                           status="queued" if kind == "auto" else "pending",
                           to=d.draft.to, cc=d.draft.cc, subject=d.draft.subject,
                           body=d.draft.body, language=d.draft.language,
                           in_reply_to=d.draft.in_reply_to, references=d.draft.references,
                           template=d.draft.template, itip=d.draft.itip,
                           itip_method=d.draft.itip_method,
                           reply_day=reply_day.isoformat() if kind == "auto" and reply_day
                           else None))
        for e in d.events:
            s.add(CalendarOpRow(message_id=msg.id, op=e.op, uid=e.uid, ics=e.ics))
        for p in d.planned_actions:
            if p.type == "route_task":
                s.add(TaskRow(message_id=msg.id, decision_id=dec.id, assistant_id=p.assignee,
                              status="open", title=outcome.view.mail.subject or "(no subject)",
                              reason=outcome.explanation))
            s.add(AuditRow(message_id=msg.id, actor="agent", event=p.type,
                           detail=p.model_dump(mode="json")))
        for r in d.replies:  # unique per sender and day: a second worker's reply fails here
            s.add(ReplyLedgerRow(sender=r.sender, day=r.day.isoformat(), message_id=msg.id))
        save_offer(s, msg.id, outcome)  # calendar slots offered, to recognise the answer

    def mark_failed(self, row_id: int, error: str) -> None:
        with transaction(self._factory) as s:
            msg = s.get_one(MessageRow, row_id)
            if not msg.subject and not msg.sender:
                _, subject, sender = peek(msg.raw)
                msg.subject, msg.sender = subject[:2000], sender[:998]
            msg.status = "failed"
            msg.error = error[:4000]
            msg.attempts += 1
            s.add(AuditRow(message_id=row_id, actor="agent", event="failed",
                           detail={"error": error[:1000]}))

    def retry(self, ids: list[int] | None = None) -> int:
        with transaction(self._factory) as s:
            q = update(MessageRow).where(MessageRow.status == "failed")
            if ids:
                q = q.where(MessageRow.id.in_(ids))
            count = s.execute(q.values(status="new")).rowcount  # type: ignore[attr-defined]
            s.add(AuditRow(actor="owner", event="retry", detail={"ids": ids or "all-failed"}))
            return int(count or 0)

    def auto_replied(self, sender: str, day: date) -> bool:
        """Has this sender (`Address.key`) had an automatic reply for mail received on this
        owner-local day?"""
        with self.session() as s:
            q = select(ReplyLedgerRow.id).where(ReplyLedgerRow.sender == sender,
                                                ReplyLedgerRow.day == day.isoformat())
            return s.scalar(q.limit(1)) is not None

    def find_proposal(self, thread_ids: list[str]) -> Proposal | None:
        """The calendar offer a message answers (by its In-Reply-To/References)."""
        with self.session() as s:
            return find_offer(s, thread_ids)

    # --- listing -----------------------------------------------------------------------

    def items(self, status: str | None = None) -> list[dict[str, Any]]:
        with self.session() as s:
            q = select(MessageRow).order_by(MessageRow.id)
            if status:
                q = q.where(MessageRow.status == status)
            replies: dict[int, list[str]] = {}
            for mid, state in s.execute(select(OutboxRow.message_id, OutboxRow.status)
                                        .order_by(OutboxRow.id)):
                replies.setdefault(mid, []).append(state)
            out = []
            for m in s.scalars(q):
                dec = next((d for d in reversed(m.decisions) if d.current), None)
                # the outbox state of each reply: queued, sending, sent, uncertain, failed
                out.append({**item_json(m, dec), "replies": replies.get(m.id, [])})
            return out


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
