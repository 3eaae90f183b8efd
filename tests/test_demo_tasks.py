"""The demo mailbox's routed work as assistants would live it: every task announced to its
assistant by mail; all of them completed → every assistant's open-task count back to 0;
all of them declined by everyone → the owner told about each, and nobody asked twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from clocks import FIXED_NOW
from conftest import DEMO
from sqlalchemy import select

from core.clock import fixed_clock
from core.config import Workspace, load_config
from service import tasks as lifecycle
from service.deps import default_deps
from service.runner import ingest, open_store, process_pending
from tools.sources import MaildirSource
from tools.store import Store
from tools.store.models import DraftRow, NoticeRow

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Path]:
    """The demo mailbox triaged once (its database file is copied for each test)."""
    tmp = tmp_path_factory.mktemp("demo")
    ws = load_config(DEMO / "workspace.yaml")
    ws = ws.model_copy(update={"data_dir": Path(".tmp/test-data").resolve(),
                               "database": f"sqlite:///{tmp / 'demo.db'}"})
    store = open_store(ws, fixed_clock(FIXED_NOW))
    assert ws.maildir is not None
    ingest(MaildirSource(ws.maildir), store)
    deps = default_deps(ws, load=store.tasks.open_tasks, replied=store.ledger.auto_replied,
                        clock=store.clock)
    assert process_pending(store, deps)[1] == 0
    return ws, tmp / "demo.db"


def copy(processed: tuple[Workspace, Path], tmp_path: Path) -> tuple[Workspace, Store]:
    ws, db = processed
    with sqlite3.connect(db) as src, sqlite3.connect(tmp_path / "demo.db") as dst:
        src.backup(dst)  # the WAL included
    ws = ws.model_copy(update={"database": f"sqlite:///{tmp_path / 'demo.db'}"})
    return ws, open_store(ws, fixed_clock(FIXED_NOW))


def test_every_routed_demo_task_is_offered_by_mail_and_completing_frees_capacity(
        processed: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, store = copy(processed, tmp_path)
    offered = store.tasks.all(status="offered")
    assert len(offered) >= 5
    assert lifecycle.tick(store, ws)["announced"] == len(offered)
    with store.db.session() as s:
        mails = s.scalars(select(DraftRow).where(DraftRow.kind == "offer")).all()
    emails = {a.id: a.email for a in ws.assistants}
    assert sorted(m.to[0] for m in mails) == sorted(emails[t.assistant_id] for t in offered)
    for t in offered:
        lifecycle.accept(store, ws, t.id, f"assistant:{t.assistant_id}", t.assistant_id)
        lifecycle.complete(store, ws, t.id, f"assistant:{t.assistant_id}", t.assistant_id,
                           "erledigt")
    assert {a.id: store.tasks.open_tasks(a.id) for a in ws.assistants} == {
        a.id: 0 for a in ws.assistants}


def test_when_everyone_declines_the_owner_is_told_and_nobody_is_asked_twice(
        processed: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, store = copy(processed, tmp_path)
    messages = {t.message_id for t in store.tasks.all(status="offered")}
    for _ in range(20):  # each round: everyone with an offer declines it
        offered = store.tasks.all(status="offered")
        if not offered:
            break
        for t in offered:
            lifecycle.decline(store, ws, t.id, f"assistant:{t.assistant_id}", t.assistant_id,
                              "keine Zeit")
    assert store.tasks.all(status="offered") == []
    for m in messages:
        asked = [t.assistant_id for t in store.tasks.of_message(m)]
        assert len(asked) == len(set(asked)), asked  # never offered twice to one person
    with store.db.session() as s:
        told = {n.key for n in s.scalars(select(NoticeRow).where(NoticeRow.kind == "unrouted"))}
    assert len(told) == len(messages)  # for every routed mail, the owner heard
    assert all(store.tasks.open_tasks(a.id) == 0 for a in ws.assistants)

