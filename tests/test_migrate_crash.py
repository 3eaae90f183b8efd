"""A process killed in the middle of creating the SQLite schema leaves a database the next
start can use (CI found it: `test_kill_9_at_random_moments…` killed a worker at start-up,
and every later start failed on "table already exists" — 200 mails never stored)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

# the child dies like kill -9 (no clean-up, no rollback of its own) after its fourth
# CREATE TABLE, in the middle of the first migration
_CHILD = """
import os, sys
from sqlalchemy import Engine, event
from tools.store import db

if sys.argv[2] == "die":
    made = [0]

    @event.listens_for(Engine, "after_cursor_execute")
    def after(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("CREATE TABLE"):
            made[0] += 1
            if made[0] == 4:
                os._exit(9)

db.migrate(db.make_engine("sqlite:///" + sys.argv[1]))
"""


def _migrate(path: Path, mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _CHILD, str(path), mode], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_a_start_killed_while_creating_the_schema_leaves_nothing_half_made(
        tmp_path: Path) -> None:
    path = tmp_path / "assistenz.db"
    killed = _migrate(path, "die")
    assert killed.returncode == 9, killed.stderr
    assert _tables(path) == set()  # all of the first migration or none of it
    again = _migrate(path, "live")
    assert again.returncode == 0, again.stderr
    assert {"alembic_version", "messages", "tasks"} <= _tables(path)


def test_two_processes_starting_on_a_new_database_both_come_up(tmp_path: Path) -> None:
    path = tmp_path / "assistenz.db"
    children = [subprocess.Popen([sys.executable, "-c", _CHILD, str(path), "live"], cwd=ROOT,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for child in children:
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
    assert "messages" in _tables(path)
