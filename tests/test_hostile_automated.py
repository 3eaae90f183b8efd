"""Issue 11, class 4: no automatic reply to automated mail, in all its real variants —
RFC 3834, list headers, what auto-responders and bounces really send, noreply senders
with digits, and the agent's own address (a loop with itself). The control, the same
inquiry without a machine sign, does get its automatic reply."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXED_NOW, FIXTURES
from hostile_mail import ScriptedClassifier

from agent.pipeline import Deps, triage
from core.clock import fixed_clock
from core.config import Workspace
from core.models import RawMessage
from service.deps import default_deps

HERE = FIXTURES / "hostile"
VARIANTS = sorted((HERE / "automated").glob("*.eml"))


@pytest.fixture(scope="module")
def fast(ws: Workspace) -> Deps:
    return default_deps(ws, classifier=ScriptedClassifier(), clock=fixed_clock(FIXED_NOW))


def run(path: Path, deps: Deps) -> dict[str, object]:
    return triage(RawMessage(ref=str(path), data=path.read_bytes()), deps).to_json()


def sends(out: dict[str, object]) -> list[object]:
    return [p for p in out["planned_actions"] if p["type"] == "send_email"]  # type: ignore[attr-defined,index]


def test_the_control_gets_its_automatic_reply(fast: Deps) -> None:
    out = run(HERE / "automated-control.eml", fast)
    assert out["action"] == "auto" and len(sends(out)) == 1


def test_there_are_enough_variants() -> None:
    assert len(VARIANTS) >= 26


@pytest.mark.parametrize("path", VARIANTS, ids=lambda p: p.stem)
def test_automated_mail_gets_no_automatic_reply(path: Path, fast: Deps) -> None:
    out = run(path, fast)
    assert sends(out) == [], out["explanation"]
    assert out["action"] != "auto"
