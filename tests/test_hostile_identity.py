"""Issue 11, class 3: the owner cannot be impersonated. Every forged variant of her address
is read as a stranger's own mail — her note has no effect, nothing is answered or ignored
on its word — and it is flagged as spoofing for her; only her authenticated mail counts.
Also the CEO fraud in her name from a free-mail address."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import FIXED_NOW, FIXTURES
from hostile_mail import ScriptedClassifier

from agent.parse.addresses import parse_mailbox, valid_email, written_address
from agent.pipeline import Deps, triage
from core.clock import fixed_clock
from core.config import Workspace
from core.models import RawMessage
from service.deps import default_deps

SPOOF = FIXTURES / "hostile" / "spoof"
FORGED = sorted(p for p in SPOOF.glob("*.eml")
                if not p.name.startswith(("owner-", "ceo-", "assistant-")))


@pytest.fixture(scope="module")
def fast(ws: Workspace) -> Deps:
    deps = default_deps(ws, classifier=ScriptedClassifier(), clock=fixed_clock(FIXED_NOW))
    warm = SPOOF / "owner-authenticated-reply.eml"  # loads the embedder the router uses
    triage(RawMessage(ref="warm-up", data=warm.read_bytes()), deps)
    return deps


def run(path: Path, deps: Deps) -> dict[str, object]:
    started = time.perf_counter()
    out = triage(RawMessage(ref=str(path), data=path.read_bytes()), deps).to_json()
    assert time.perf_counter() - started < 5.0
    return out


@pytest.mark.parametrize("path", FORGED, ids=lambda p: p.stem)
def test_a_forged_owner_is_a_stranger_and_her_note_does_nothing(path: Path,
                                                                 fast: Deps) -> None:
    out = run(path, fast)
    assert out["forwarded_by_owner"] is False
    assert out["action"] != "ignore"  # "Kann weg" from a forger ignores nothing
    mails = [p for p in out["planned_actions"] if p["type"] == "send_email"]  # type: ignore[union-attr,index]
    assert mails == []  # "bitte antworten" sends nothing to anyone
    if not path.stem.startswith("no-pass"):  # no result at all only costs her status
        assert "risk:spoofing" in out["flags"]  # type: ignore[operator]
        assert out["action"] == "notify"


def test_the_authenticated_owner_still_counts(fast: Deps) -> None:
    out = run(SPOOF / "owner-authenticated-reply.eml", fast)
    assert out["forwarded_by_owner"] is True
    assert out["rule"] == "owner-note" and out["action"] == "draft"
    assert out["draft"]["to"] == ["max@muster.example"]  # type: ignore[index]


def test_ceo_fraud_in_the_owners_name_is_never_automatic(fast: Deps) -> None:
    out = run(SPOOF / "ceo-fraud-freemail.eml", fast)
    assert out["action"] == "notify"
    assert {"risk:spoofing", "risk:payment_request", "spoof:name-of-owner"} <= set(out["flags"])  # type: ignore[arg-type]


def test_an_assistants_name_on_another_address_is_spoofing(fast: Deps) -> None:
    out = run(SPOOF / "assistant-name-elsewhere.eml", fast)
    assert out["action"] == "notify"
    assert "spoof:name-of-assistant:lena" in out["flags"]  # type: ignore[operator]


@pytest.mark.parametrize("value", [
    '"anna@beispiel-design.de"@evil.example',
    "anna@beispiel-design.de, mallory@evil.example",
    "=?utf-8?q?anna@beispiel-design.de?=",
    "Team: anna@beispiel-design.de, mallory@evil.example;",
    "anna@beispiel-design",
    "anna@@beispiel-design.de",
    "<>",
    "",
])
def test_no_single_valid_address_is_no_address(value: str) -> None:
    assert parse_mailbox(value) is None


@pytest.mark.parametrize(("value", "email"), [
    ("Anna Beispiel <Anna@Beispiel-Design.DE>", "Anna@beispiel-design.de"),
    ("=?utf-8?q?anna=40beispiel-design=2Ede?= <anna@evil.example>", "anna@evil.example"),
    ("max+rechnung@muster.example", "max+rechnung@muster.example"),
])
def test_one_valid_address_is_read_from_its_angle_brackets(value: str, email: str) -> None:
    found = parse_mailbox(value)
    assert found is not None and found.email == email


def test_forward_blocks_are_read_as_strictly() -> None:
    assert written_address("Muster, Max <max@muster.example>").email == "max@muster.example"  # type: ignore[union-attr]
    assert written_address("Max Muster [mailto:max@muster.example]").email == "max@muster.example"  # type: ignore[union-attr]
    assert written_address("schreib an anna@beispiel-design.de oder max@muster.example") is None


def test_plus_addresses_are_one_sender_for_the_daily_limit() -> None:
    a, b = parse_mailbox("x+1@muster.example"), parse_mailbox("X+2@Muster.example")
    assert a is not None and b is not None and a.key == b.key == "x@muster.example"


def test_address_checks_are_linear_on_huge_input() -> None:
    started = time.perf_counter()
    assert valid_email("a" * 1_000_000 + "@x.de") is None
    assert written_address(" " * 200_000 + "[mailto:" + "," * 200_000) is None
    assert time.perf_counter() - started < 2.0
