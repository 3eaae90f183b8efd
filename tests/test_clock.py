"""One clock: nothing in `agent/`, `tools/` or `api/` reads the wall clock except
`agent/clock.py`, and every `dateparser` call is given the agent's "now" as its base."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT

from core.clock import clock_from, parse_now, reference_time

PACKAGES = ("core", "agent", "tools", "service", "api", "assistenz")
PROVIDER = ROOT / "core" / "clock.py"
# attribute calls that read the wall clock: datetime.now(), date.today(), time.time() …
WALL = {("datetime", "now"), ("datetime", "today"), ("datetime", "utcnow"),
        ("date", "today"), ("time", "time"), ("time", "time_ns"), ("time", "localtime"),
        ("time", "gmtime"), ("time", "ctime"), ("time", "strftime")}
WALL_NAMES = {"utcnow", "localtime", "gmtime", "time_ns"}  # from-imported under their name


def sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
                  if "migrations" not in p.parts or p.name != "env.py")


def wall_clock_reads(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute):
                base = f.value
                name = (base.attr if isinstance(base, ast.Attribute)
                        else base.id if isinstance(base, ast.Name) else "")
                if (name, f.attr) in WALL:
                    found.append(f"{path.name}:{node.lineno} {name}.{f.attr}()")
            elif isinstance(f, ast.Name) and f.id in WALL_NAMES:
                found.append(f"{path.name}:{node.lineno} {f.id}()")
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            found += [f"{path.name}:{node.lineno} from time import {a.name}"
                      for a in node.names if a.name in {"time", "time_ns", "localtime"}]
    return found


def test_nothing_but_the_clock_provider_reads_the_wall_clock() -> None:
    offenders = [hit for p in sources() if p != PROVIDER for hit in wall_clock_reads(p)]
    assert offenders == []


def test_the_scan_finds_each_way_of_reading_the_wall_clock(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import datetime, time\nfrom datetime import date\n"
                   "from time import time_ns\n"
                   "a = datetime.datetime.now()\nb = date.today()\nc = time.time()\n"
                   "d = datetime.datetime.utcnow()\n")
    assert len(wall_clock_reads(bad)) == 5
    assert [h.split(" ", 1)[1] for h in wall_clock_reads(PROVIDER)] == ["datetime.now()"]


def dateparser_calls() -> list[tuple[Path, ast.Call, ast.AST]]:
    """Every `….parse(…)`/`….search_dates(…)` on dateparser, with its enclosing function."""
    out = []
    for path in sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            for node in ast.walk(fn):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in {"parse", "search_dates"}
                        and "parser()" in ast.unparse(node.func.value)):
                    out.append((path, node, fn))
    return out


def test_every_dateparser_call_gets_a_relative_base() -> None:
    """dateparser reads "morgen" against the wall clock unless told what today is."""
    calls = dateparser_calls()
    assert len(calls) >= 2, "the scan no longer finds the dateparser calls"
    for path, call, fn in calls:
        where = f"{path.name}:{call.lineno}"
        settings = next((k.value for k in call.keywords if k.arg == "settings"), None)
        assert settings is not None, f"{where} passes no settings"
        # every settings dict built in the function (or passed inline) names the base
        dicts = [settings] if isinstance(settings, ast.Dict) else [
            n for n in ast.walk(fn) if isinstance(n, ast.Dict)
            and any(isinstance(k, ast.Constant) and k.value == "REQUIRE_PARTS" for k in n.keys)]
        assert dicts, f"{where}: settings not found"
        for d in dicts:
            keys = {k.value for k in d.keys if isinstance(k, ast.Constant)}
            assert "RELATIVE_BASE" in keys, f"{where}: a settings dict without RELATIVE_BASE"


def test_now_without_offset_is_the_owners_time_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    assert parse_now("2026-12-01T09:30", berlin) == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    assert parse_now("2026-07-01T09:30", berlin) == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
    assert parse_now("2026-12-01T09:30+00:00", berlin) == datetime(2026, 12, 1, 9, 30,
                                                                    tzinfo=UTC)
    with pytest.raises(ValueError, match="--now"):
        parse_now("tomorrow", berlin)


def test_a_started_clock_advances_from_its_start() -> None:
    ticks = iter([100.0, 100.0, 160.5])
    clock = clock_from(datetime(2026, 12, 1, 9, tzinfo=UTC), monotonic=lambda: next(ticks))
    assert clock() == datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert clock() == datetime(2026, 12, 1, 9, 1, 0, 500000, tzinfo=UTC)


def test_a_senders_date_never_moves_the_agents_clock() -> None:
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert reference_time(now + timedelta(days=30), now) == now  # forged future date
    assert reference_time(now - timedelta(days=2), now) == now - timedelta(days=2)
    assert reference_time(None, now) == now
    assert reference_time(datetime(2026, 11, 30, 9), now) == now  # no zone: not trusted
