"""Learning from corrections: after the owner corrects a decision, the next similar mail is
decided the corrected way — also in a new process (the example store persists)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXED_NOW, FIXTURES

from agent.pipeline import triage
from core.config import Workspace
from core.models import Action, Category, RawMessage
from service.deps import default_deps
from service.learning import Correction, CorrectionError, correct
from service.runner import open_store, process_pending
from tools.store import Store

LEARN = FIXTURES / "learning"


@pytest.fixture
def live(ws: Workspace, tmp_path: Path) -> Workspace:
    return ws.model_copy(update={"data_dir": tmp_path / "data",
                                 "database": f"sqlite:///{tmp_path / 'data' / 'a.db'}"})


def stored(ws: Workspace, name: str) -> tuple[Store, int]:
    store = open_store(ws)
    data = (LEARN / name).read_bytes()
    row = store.messages.store_raw(RawMessage(ref=name, data=data, source="test", source_key=name))
    assert row is not None
    process_pending(store, default_deps(ws, load=store.tasks.open_tasks, clock=lambda: FIXED_NOW))
    return store, row


def fresh_triage(ws: Workspace, name: str):  # type: ignore[no-untyped-def]
    """A new process would build its classifier from the persisted store: so do we."""
    deps = default_deps(ws, clock=lambda: FIXED_NOW)
    return triage(RawMessage(ref=name, data=(LEARN / name).read_bytes()), deps)


def test_corrected_category_decides_the_next_similar_mail(live: Workspace) -> None:
    store, row = stored(live, "fest-1.eml")
    before = store.messages.items()[0]["category"]
    target = Category.other if before != "other" else Category.admin
    correct(live, store, Correction(message_id=row, category=target))
    assert store.messages.items()[0]["category"] == target.value  # the stored decision changed too
    out = fresh_triage(live, "fest-2.eml")
    assert out.classification.category is target
    assert out.classification.decided_by == "learned"
    assert "korrigiert" in out.explanation


def test_corrected_assignee_and_action_guide_the_next_similar_mail(live: Workspace) -> None:
    store, row = stored(live, "rechnung-1.eml")
    first = store.messages.items()[0]
    assert first["action"] == "route" and first["assignee"] == "lena"
    correct(live, store, Correction(message_id=row, assignee="tom"))
    assert store.tasks.open_tasks("tom") == 1 and store.tasks.open_tasks("lena") == 0  # task moved
    out = fresh_triage(live, "rechnung-2.eml")
    assert out.decision.action is Action.route and out.decision.assignee == "tom"
    assert out.decision.rule == "learned"
    correct(live, store, Correction(message_id=row, action=Action.ignore))
    assert fresh_triage(live, "rechnung-2.eml").decision.action is Action.ignore


def test_a_learned_action_cannot_lift_the_rules(live: Workspace) -> None:
    store, row = stored(live, "rechnung-1.eml")
    correct(live, store, Correction(message_id=row, action=Action.auto))
    out = fresh_triage(live, "rechnung-2.eml")
    assert out.decision.action is not Action.auto  # invoice_payment is `route`, not `auto`


def test_bad_corrections_are_refused(live: Workspace) -> None:
    store, row = stored(live, "fest-1.eml")
    with pytest.raises(CorrectionError, match="no assistant 'nobody'"):
        correct(live, store, Correction(message_id=row, assignee="nobody"))
    with pytest.raises(CorrectionError, match="no stored message"):
        correct(live, store, Correction(message_id=9999, category=Category.spam))
    with pytest.raises(CorrectionError, match="nothing to correct"):
        correct(live, store, Correction(message_id=row))


def test_correct_command(live: Workspace, tmp_path: Path) -> None:
    config = tmp_path / "ws.yaml"
    config.write_text((FIXTURES / "workspace.yaml").read_text(encoding="utf-8").replace(
        "data_dir: ../../.tmp/test-data", f"data_dir: {tmp_path / 'data'}\n"
        f"database: sqlite:///{tmp_path / 'data' / 'a.db'}"), encoding="utf-8")
    _, row = stored(live, "fest-1.eml")
    cmd = [sys.executable, "-m", "assistenz", "correct", str(row), "--config", str(config)]
    ok = subprocess.run([*cmd, "--category", "personal", "--json"], capture_output=True,
                        text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert '"personal"' in ok.stdout
    bad = subprocess.run([*cmd, "--assignee", "nobody"], capture_output=True, text=True,
                         timeout=300)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "nobody" in bad.stderr
