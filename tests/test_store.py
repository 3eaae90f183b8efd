"""The store on both databases the product supports: SQLite (the default) and a real
PostgreSQL server the tests start themselves. Migrations, ingest and dedup, claims by
several workers, results saved exactly once, rule 5's ledger, the outbox claim, the
append-only audit log, open tasks."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from clocks import FIXED_NOW
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from core.models import (
    Action,
    Address,
    BodyText,
    Category,
    Classification,
    Decision,
    Draft,
    Mail,
    MessageView,
    ParsedMessage,
    Priority,
    RawMessage,
    ReplyRecord,
    RouteTask,
    SendEmail,
    TriageOutcome,
)
from tools.compose import compose
from tools.store import Store
from tools.store.db import normalise_url
from tools.store.messages import LEASE, worker_id
from tools.store.models import AuditRow, MessageRow
from tools.store.outbox import OutboxStore
from tools.store.results import Conflict

TABLES = {"messages", "decisions", "drafts", "tasks", "assistants", "audit_log", "outbox",
          "message_keys", "corrections", "calendar_offers", "calendar_ops", "reply_ledger"}


class Clock:
    def __init__(self, at: datetime = FIXED_NOW) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def mail_bytes(n: int, sender: str = "kundin@kunden-beispiel.de") -> bytes:
    return (f"From: Kundin <{sender}>\r\nTo: assistenz@beispiel-design.de\r\n"
            f"Subject: Anfrage {n}\r\nMessage-ID: <m{n}@kunden-beispiel.de>\r\n\r\n"
            f"Hallo, Anfrage Nummer {n}.\r\n").encode()


def raw(n: int, key: str | None = None, sender: str = "kundin@kunden-beispiel.de"
        ) -> RawMessage:
    return RawMessage(ref=f"m{n}", data=mail_bytes(n, sender), source="imap:test",
                      source_key=key or f"1:{n}")


def outcome(n: int, action: Action = Action.auto, sender: str = "kundin@kunden-beispiel.de",
            assignee: str | None = None) -> TriageOutcome:
    mail = Mail(message_id=f"<m{n}@kunden-beispiel.de>", subject=f"Anfrage {n}",
                sender=Address(email=sender), body=BodyText(full="Hallo", new="Hallo"))
    view = MessageView(parsed=ParsedMessage(ref=f"m{n}", size=10, outer=mail), mail=mail,
                       received_at=FIXED_NOW)
    planned: list[SendEmail | RouteTask] = []
    draft, replies = None, []
    if action is Action.auto:
        planned = [SendEmail(to=[sender], subject=f"AW: Anfrage {n}")]
        draft = Draft(to=[sender], subject=f"AW: Anfrage {n}", body="Danke!", language="de",
                      in_reply_to=mail.message_id)
        replies = [ReplyRecord(sender=Address(email=sender).key, day=FIXED_NOW.date())]
    elif action is Action.route and assignee:
        planned = [RouteTask(assignee=assignee)]
    decision = Decision(action=action, assignee=assignee, rule="test", reason="test",
                        planned_actions=planned, draft=draft, replies=replies)
    c = Classification(category=Category.customer_inquiry, confidence=0.9,
                       priority=Priority.normal, decided_by="test")
    return TriageOutcome(ref=f"m{n}", view=view, classification=c, decision=decision,
                         explanation="test")


def test_migrations_build_the_schema_and_run_again_harmlessly(database_url: str) -> None:
    store = Store(database_url, Clock())
    Store(database_url, Clock())  # a second start migrates nothing
    from sqlalchemy import create_engine

    engine = create_engine(normalise_url(database_url))
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as con:
        assert con.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0013"
    engine.dispose()
    assert store.messages.count("new") == 0


def test_ingest_deduplicates_by_mailbox_key_and_by_content(database_url: str) -> None:
    store = Store(database_url, Clock())
    ids = store.messages.store_batch([raw(1), raw(2), raw(3)])
    assert all(isinstance(i, int) for i in ids)
    assert store.messages.store_batch([raw(1), raw(2), raw(3)]) == [None, None, None]
    copy = raw(2, key="2:99")  # the same mail renumbered by the server
    assert store.messages.store_batch([copy]) == [None]
    assert store.messages.known_keys("imap:test") == {"1:1", "1:2", "1:3", "2:99"}
    items = store.messages.items()
    assert [i["message_id"] for i in items] == [f"<m{n}@kunden-beispiel.de>" for n in (1, 2, 3)]
    assert {i["received_at"] for i in items} == {FIXED_NOW.isoformat()}


def test_two_workers_claim_disjoint_messages_and_a_lapsed_lease_frees_them(
        database_url: str) -> None:
    clock = Clock()
    store = Store(database_url, clock)
    store.messages.store_batch([raw(n) for n in range(1, 6)])
    first = store.messages.claim("hostA:1", limit=3)
    second = store.messages.claim("hostB:2", limit=3)
    assert len(first) == 3 and len(second) == 2
    assert not {i for i, _ in first} & {i for i, _ in second}
    assert store.messages.claim("hostB:2", limit=3) == [(i, r) for i, r in second]  # its own
    clock.at = FIXED_NOW + LEASE + timedelta(seconds=1)  # hostA vanished; its lease ran out
    taken = store.messages.claim("hostB:2", limit=10)
    assert {i for i, _ in taken} == {i for i, _ in first} | {i for i, _ in second}


def test_claims_of_a_dead_process_on_this_host_are_void_at_once(database_url: str) -> None:
    store = Store(database_url, Clock())
    store.messages.store_batch([raw(n) for n in range(1, 4)])
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = f"{worker_id().rpartition(':')[0]}:{gone.stdout.strip()}"
    assert len(store.messages.claim(dead, limit=10)) == 3
    assert len(store.messages.claim(worker_id(), limit=10)) == 3


def test_concurrent_claims_never_hand_one_message_to_two_workers(database_url: str) -> None:
    store = Store(database_url, Clock())
    store.messages.store_batch([raw(n) for n in range(1, 41)])
    got: dict[str, list[int]] = {}

    def work(name: str) -> None:
        mine: list[int] = []
        while batch := store.messages.claim(name, limit=3):
            mine += [i for i, _ in batch]
            for row_id, _ in batch:
                assert store.results.save(row_id, outcome(row_id, Action.notify), name)
        got[name] = mine

    threads = [threading.Thread(target=work, args=(f"host:{n}",)) for n in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    everything = [i for ids in got.values() for i in ids]
    assert sorted(everything) == sorted(set(everything)) and len(everything) == 40
    assert store.messages.count("processed") == 40


def test_results_are_saved_once_and_only_by_the_claim_holder(database_url: str) -> None:
    store = Store(database_url, Clock())
    [row_id] = store.messages.store_batch([raw(1)])
    assert row_id is not None
    store.messages.claim("host:1")
    assert store.results.save(row_id, outcome(1), "host:2") is False  # not its claim
    assert store.results.save(row_id, outcome(1), "host:1") is True
    assert store.results.save(row_id, outcome(1), "host:1") is False  # done already
    with store.db.session() as s:
        msg = s.get_one(MessageRow, row_id)
        assert msg.status == "processed" and len(msg.decisions) == 1
        assert msg.claimed_by is None


def test_rule5_ledger_holds_across_workers(database_url: str) -> None:
    store = Store(database_url, Clock())
    a, b = store.messages.store_batch([raw(1), raw(2)])
    assert a is not None and b is not None
    assert store.results.save(a, outcome(1, sender="Max+a@Kunde.de"))
    assert store.ledger.auto_replied("max@kunde.de", FIXED_NOW.date())
    with pytest.raises(Conflict):  # a second worker decided an auto reply meanwhile
        store.results.save(b, outcome(2, sender="max@kunde.de"))
    assert store.messages.count("new") == 1  # nothing of it was written


def test_the_outbox_claims_each_reply_once(database_url: str) -> None:
    store = Store(database_url, Clock())
    [row_id] = store.messages.store_batch([raw(1)])
    assert row_id is not None and store.results.save(row_id, outcome(1))
    box = OutboxStore(store.db)
    [draft_id] = box.unqueued_drafts()
    assert box.enqueue(draft_id, lambda r: compose(r, "Anna <anna@beispiel-design.de>",
                                                   FIXED_NOW)) is None
    [row] = box.due(FIXED_NOW)
    assert box.claim(row.id) is True and box.claim(row.id) is False
    assert box.count("sending") == 1


def test_the_audit_log_is_append_only(database_url: str) -> None:
    store = Store(database_url, Clock())
    store.messages.store_batch([raw(1)])
    with store.db.session() as s:
        row = s.scalars(select(AuditRow)).first()
        assert row is not None
        row.event = "rewritten"
        with pytest.raises(DBAPIError, match="append-only"):
            s.commit()


def test_open_tasks_count_against_capacity(database_url: str, tmp_path: Path) -> None:
    from core.config import Assistant

    store = Store(database_url, Clock())
    store.tasks.sync_assistants([Assistant(id="lena", name="Lena", email="lena@va.example",
                                           languages=["de"], skills="Buchhaltung")])
    a, b = store.messages.store_batch([raw(1), raw(2)])
    assert a is not None and b is not None
    store.results.save(a, outcome(1, Action.route, assignee="lena"))
    store.results.save(b, outcome(2, Action.notify))
    assert store.tasks.open_tasks("lena") == 1
