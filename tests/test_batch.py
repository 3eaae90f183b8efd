"""Mail triaged in batches (parsed together, embedded in one call) is decided exactly as
one by one — also rule 5's one automatic reply per sender and day — and a long backlog
tells how long it will take."""

from __future__ import annotations

import logging

import pytest
from conftest import FIXTURES

from agent.pipeline import Deps, triage
from agent.policy import ReplyLedger
from core.models import RawMessage
from service.batch import triage_many
from service.progress import Progress
from tools.files import Unreadable


def _raws() -> list[RawMessage]:
    paths = sorted((FIXTURES / "mail").glob("*.eml"))[:12]
    paths += sorted((FIXTURES / "spam").glob("*.eml"))
    raws = [RawMessage(ref=p.name, data=p.read_bytes()) for p in paths]
    return raws + raws[:3]  # the same senders again: rule 5 must see the first replies


def test_batches_decide_like_one_by_one(deps: Deps) -> None:
    raws = _raws()
    one_by_one = []
    for raw in raws:
        out = triage(raw, deps)
        deps.ledger.apply(out.decision.replies)
        one_by_one.append(out.to_json())
    deps.ledger = ReplyLedger()  # a fresh ledger for the second pass
    items: list[RawMessage | Unreadable] = [*raws[:5], Unreadable(ref="gone.eml",
                                                                  error="unreadable"),
                                            *raws[5:]]
    batched = list(triage_many(items, deps))
    assert batched[5] == {"file": "gone.eml", "message_id": None, "error": "unreadable"}
    del batched[5]
    keys = ("category", "action", "assignee", "confidence", "planned_actions")
    assert [{k: r[k] for k in keys} for r in batched] == \
        [{k: r[k] for k in keys} for r in one_by_one]


def test_a_backlog_without_terminal_logs_progress_and_time_left(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING), Progress(10_000, "process", bar=False,
                                                    every=0.0) as bar:
        bar.update(1)
    line = bar.line(elapsed=100.0)  # 1 mail in 100 s
    assert line.startswith("process: 1 of 10,000")
    assert line.endswith("about 277.8 h left")
    assert any("of 10,000" in r.getMessage() for r in caplog.records)
