"""Shared test fixtures: the test workspace, the offline pipeline, real .eml files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.config import Workspace, load_config
from agent.models import RawMessage, TriageOutcome
from agent.pipeline import Deps, default_deps, triage

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
DEMO = ROOT / "demo"
FIXED_NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def ws() -> Workspace:
    return load_config(FIXTURES / "workspace.yaml")


@pytest.fixture
def deps(ws: Workspace) -> Deps:
    return default_deps(ws, clock=lambda: FIXED_NOW)


def raw_of(path: Path) -> RawMessage:
    return RawMessage(ref=str(path), data=path.read_bytes())


@pytest.fixture
def run_triage(deps: Deps) -> Callable[[str], TriageOutcome]:
    """Triage a fixture file given relative to tests/fixtures."""

    def go(name: str) -> TriageOutcome:
        return triage(raw_of(FIXTURES / name), deps)

    return go
