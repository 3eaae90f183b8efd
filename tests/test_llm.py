"""The LLM path over real HTTP against a local OpenAI-compatible stub: valid answers are
used, every kind of failure keeps the offline decision and flags the mail for review."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXED_NOW, FIXTURES
from llm_stub import StubLLM, tool_answer

from agent.pipeline import triage
from core.config import LLM, Workspace
from core.models import Action, RawMessage
from service.deps import default_deps

MAIL = FIXTURES / "mail" / "no-message-id.eml"  # a German price inquiry


@pytest.fixture
def stub() -> Iterator[StubLLM]:
    with StubLLM() as s:
        yield s


def llm_ws(ws: Workspace, stub: StubLLM, threshold: float = 1.01, **kw: object) -> Workspace:
    cfg = LLM(model="stub-model", base_url=stub.base_url, timeout=2.0, max_retries=1,
              max_tokens=300, **kw)  # type: ignore[arg-type]
    return ws.model_copy(update={"llm": cfg, "triage": ws.triage.model_copy(
        update={"llm_below_confidence": threshold})})


def run(ws: Workspace, path: Path = MAIL):  # type: ignore[no-untyped-def]
    deps = default_deps(ws, clock=lambda: FIXED_NOW)
    return triage(RawMessage(ref=path.name, data=path.read_bytes()), deps), deps


def test_valid_answer_is_used_and_recorded(ws: Workspace, stub: StubLLM) -> None:
    stub.script.append(tool_answer(json.dumps(
        {"category": "customer_inquiry", "priority": "normal", "confidence": 0.9,
         "reason": "asks for a price"})))
    stub.script.append({"kind": "text", "text": "Guten Tag Petra Klein,\n\ndanke!\n\nAnna"})
    out, _ = run(llm_ws(ws, stub))
    c = out.classification
    assert c.decided_by == "llm" and c.model == "stub-model"
    assert c.prompt_version and "llm/triage_system@v" in c.prompt_version
    request = stub.requests[0]
    assert request["max_tokens"] == 300  # llama.cpp's server needs this one
    assert request["tools"][0]["function"]["name"] == "LLMTriage"
    system, user = request["messages"][0]["content"], request["messages"][1]["content"]
    assert "Logo-Redesign" not in system  # the mail is data in the user message only
    assert user.index("<<<EMAIL") < user.index("Logo-Redesign") < user.index("EMAIL>>>")
    # the draft came from the model, the headers from code
    assert out.decision.draft is not None
    assert out.decision.draft.body.startswith("Guten Tag Petra Klein")
    assert out.decision.draft.to == ["petra.klein@klein-events.de"]
    assert out.decision.draft.subject == "AW: Frage zu Ihrem Angebot"


@pytest.mark.parametrize("failure", [
    pytest.param([tool_answer("{not json")], id="malformed-json"),
    pytest.param([tool_answer(json.dumps({"category": "gossip", "priority": "low",
                                          "confidence": 2}))], id="schema-violation"),
    pytest.param([{"kind": "text", "text": "I think it is an inquiry."}], id="no-tool-call"),
    pytest.param([{"kind": "status", "code": 500}] * 2, id="http-500"),
    pytest.param([{"kind": "status", "code": 429}] * 2, id="http-429"),
    pytest.param([{"kind": "sleep", "seconds": 3.0,
                   "then": {"kind": "status", "code": 500}}] * 2, id="timeout"),
])
def test_any_failure_keeps_the_offline_decision(ws: Workspace, stub: StubLLM,
                                                failure: list[dict[str, object]]) -> None:
    stub.script.extend(failure)
    stub.script.extend([{"kind": "status", "code": 500}] * 2)  # the draft call fails too
    out, _ = run(llm_ws(ws, stub))
    c = out.classification
    assert c.decided_by in ("knn", "knn-words")
    assert "needs_review" in c.flags and "llm_failed" in c.flags
    assert out.decision.action is not Action.auto  # flagged for review: never automatic
    assert out.decision.draft is not None  # the template draft stands in
    assert "[Antwort" in out.decision.draft.body or "Anfrage" in out.decision.draft.body


def test_retry_after_429_then_success(ws: Workspace, stub: StubLLM) -> None:
    stub.script.append({"kind": "status", "code": 429})
    stub.script.append(tool_answer(json.dumps(
        {"category": "customer_inquiry", "priority": "normal", "confidence": 0.8})))
    out, _ = run(llm_ws(ws, stub))
    assert out.classification.decided_by == "llm"
    assert len([r for r in stub.requests if "tools" in r]) == 2


def test_confident_offline_decision_skips_the_model(ws: Workspace, stub: StubLLM) -> None:
    out, deps = run(llm_ws(ws, stub, threshold=0.0))
    assert out.classification.decided_by in ("knn", "knn-words")
    assert not [r for r in stub.requests if "tools" in r]
    assert deps.classifier.llm_calls == 0  # type: ignore[attr-defined]
