"""`assistenz run --once` on a Maildir: stored first, processed once, failures kept apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXED_NOW, FIXTURES
from sqlalchemy import select, text

from core.config import Workspace
from core.models import Classification, MessageView
from service.deps import default_deps
from service.runner import ingest, open_store, process_pending
from tools.sources import MaildirSource
from tools.store.models import AuditRow, DraftRow, MessageRow, TaskRow


def make_maildir(root: Path, files: list[Path]) -> Path:
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(files):
        shutil.copy(f, root / "new" / f"{1700000000 + i}.{f.stem}.test")
    return root


@pytest.fixture
def live_ws(ws: Workspace, tmp_path: Path) -> Workspace:
    files = sorted((FIXTURES / "forwarded").iterdir()) + sorted((FIXTURES / "mail").iterdir())
    box = make_maildir(tmp_path / "Maildir", files)
    return ws.model_copy(update={"maildir": box, "data_dir": tmp_path / "data",
                                 "database": f"sqlite:///{tmp_path / 'data' / 'a.db'}"})


def test_run_once_processes_everything_exactly_once(live_ws: Workspace) -> None:
    assert live_ws.maildir is not None
    store = open_store(live_ws)
    source = MaildirSource(live_ws.maildir)
    deps = default_deps(live_ws, load=store.tasks.open_tasks, replied=store.ledger.auto_replied,
                        clock=lambda: FIXED_NOW)
    total = len(list((live_ws.maildir / "new").iterdir()))
    assert ingest(source, store) == total
    assert process_pending(store, deps) == (total, 0)
    # a second round finds nothing new and changes nothing
    assert ingest(source, store) == 0
    assert process_pending(store, deps) == (0, 0)
    items = store.messages.items()
    assert len(items) == total and all(i["status"] == "processed" for i in items)
    with store.db.session() as s:
        tasks = s.scalars(select(TaskRow)).all()
        routed = [i for i in items if i["action"] == "route"]
        assert len(tasks) == len(routed) > 0
        drafts = s.scalars(select(DraftRow)).all()
        assert {d.kind for d in drafts} <= {"auto", "draft"}
        assert all(d.to for d in drafts)
        events = {a.event for a in s.scalars(select(AuditRow))}
        assert {"stored", "route_task"} <= events
    # the mailbox itself is untouched: the database is the record of what was done
    assert len(list((live_ws.maildir / "new").iterdir())) == total


def test_a_failing_message_does_not_stop_the_others_and_can_be_retried(
        live_ws: Workspace) -> None:
    assert live_ws.maildir is not None
    store = open_store(live_ws)
    ingest(MaildirSource(live_ws.maildir), store)

    class Flaky:
        def classify(self, view: MessageView) -> Classification:
            if "Speisekarte" in view.mail.subject:
                raise RuntimeError("model exploded")
            return real.classify(view)

    real = default_deps(live_ws).classifier
    deps = default_deps(live_ws, classifier=Flaky(), load=store.tasks.open_tasks,
                        replied=store.ledger.auto_replied)
    done, failed = process_pending(store, deps)
    assert failed == 1 and done > 10
    bad = store.messages.items("failed")
    assert len(bad) == 1 and "model exploded" in bad[0]["error"]
    assert store.messages.retry() == 1
    assert store.messages.items("failed") == []
    deps.classifier = real
    assert process_pending(store, deps) == (1, 0)


def test_same_message_from_two_places_is_stored_once(live_ws: Workspace,
                                                     tmp_path: Path) -> None:
    store = open_store(live_ws)
    f = FIXTURES / "mail" / "nested-multipart.eml"
    box2 = make_maildir(tmp_path / "Other", [f])
    assert live_ws.maildir is not None
    ingest(MaildirSource(live_ws.maildir), store)
    assert ingest(MaildirSource(box2), store) == 0  # same Message-ID and content


def test_audit_log_is_append_only(live_ws: Workspace) -> None:
    assert live_ws.maildir is not None
    store = open_store(live_ws)
    ingest(MaildirSource(live_ws.maildir), store)
    with store.db.session() as s, pytest.raises(Exception, match="append-only"):
        s.execute(text("UPDATE audit_log SET event = 'x'"))
    with store.db.session() as s:
        assert s.scalar(select(MessageRow).limit(1)) is not None
