"""Shared test fixtures: the test workspace, the offline pipeline, real .eml files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from clocks import FIXED_NOW, FUTURE_DAYS
from pgserver import Postgres

from agent.pipeline import Deps, triage
from core.clock import fixed_clock
from core.config import Workspace, load_config
from core.models import RawMessage, TriageOutcome
from service.deps import default_deps

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
DEMO = ROOT / "demo"
__all__ = ["DEMO", "FIXED_NOW", "FIXTURES", "ROOT", "raw_of"]


# What depends on the time. `make test` runs these a second time with the real clock a
# year ahead (`pytest -m clock`, see tests/clocks.py).
CLOCK_MODULES = {
    # modules whose tests decide from dates in this process, and the CLI's reply limit
    # (`assistenz` subprocesses under libfaketime). Modules that move mail through servers
    # (Dovecot, Radicale, a browser) pin the clock with `--now` or a fixed clock; their
    # code is held to the one clock by the wall-clock scan (test_clock).
    "test_calendar_planner", "test_calendar_sources", "test_calendar_triage", "test_clock",
    "test_drafts", "test_forward", "test_policy", "test_reply_limit", "test_routing",
    "test_time_request", "test_wish", "test_hostile_calendar", "test_tasks",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__ in CLOCK_MODULES:
            item.add_marker(pytest.mark.clock)


@pytest.fixture(scope="session", autouse=True)
def _year_ahead() -> Iterator[None]:
    """In the year-ahead run (`ASSISTENZ_TEST_FUTURE_DAYS`), the real clock of the whole
    test process is that far in the future, ticking on: only a pinned clock keeps a test's
    dates where they were written."""
    if not FUTURE_DAYS:
        yield
        return
    import time_machine

    with time_machine.travel(datetime.now(UTC) + timedelta(days=FUTURE_DAYS), tick=True):
        yield


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One real PostgreSQL server for the session (installed when missing)."""
    server = Postgres().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Storage tests run against both databases the product supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'assistenz.db'}"
    server: Postgres = request.getfixturevalue("postgres")
    return server.database()


@pytest.fixture(scope="session")
def ws() -> Workspace:
    return load_config(FIXTURES / "workspace.yaml")


@pytest.fixture
def deps(ws: Workspace) -> Deps:
    return default_deps(ws, clock=fixed_clock(FIXED_NOW))


def raw_of(path: Path) -> RawMessage:
    return RawMessage(ref=str(path), data=path.read_bytes())


@pytest.fixture
def run_triage(deps: Deps) -> Callable[[str], TriageOutcome]:
    """Triage a fixture file given relative to tests/fixtures."""

    def go(name: str) -> TriageOutcome:
        return triage(raw_of(FIXTURES / name), deps)

    return go
