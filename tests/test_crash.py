"""`assistenz run` as a process against real servers: killed with -9 at random moments,
restarted; the Dovecot restarted under a running worker; the CLI's --once and items."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from crash_trials import Lab, runner
from mailservers import FIXTURES, Dovecot, inquiry, write_workspace

from agent.parse.headers import message_id
from core.config import load_config
from service.runner import open_store

pytestmark = pytest.mark.slow
TRIALS = 1  # `make stress` runs 100+ (evals/stress_imap.py)


def test_kill_9_at_random_moments_loses_duplicates_and_double_sends_nothing() -> None:
    lab = Lab(messages=200)
    try:
        first = lab.calibrate()
        assert first.ok and first.sent > 0, first
        rng = random.Random(20261127)
        outcomes = [lab.trial(n, rng, kills=2 if n % 2 else 1) for n in range(1, TRIALS + 1)]
    finally:
        lab.close()
    for out in outcomes:
        assert out.ok, out
        assert out.stored == out.messages
        assert out.sent + out.uncertain >= first.sent
    sys.stderr.write("kills landed in: " + ", ".join(
        f"{stage}@{at}s" for o in outcomes for at, stage in o.kills) + "\n")


def test_two_workers_on_postgresql_killed_at_random_moments_process_each_mail_once() -> None:
    """Two `assistenz run` processes on one PostgreSQL database and one IMAP folder, each
    killed with SIGKILL at its own random moment, then both run to the end: every mail is
    processed once and every reply sent once (`make stress DATABASE=postgresql WORKERS=2`
    runs 50+ such trials)."""
    lab = Lab(messages=100, database="postgresql", workers=2)
    try:
        first = lab.calibrate()
        assert first.ok and first.sent > 0, first
        rng = random.Random(20261207)
        outcomes = [lab.trial(1, rng, kills=2)]  # both killed, restarted, killed again
    finally:
        lab.close()
    for out in outcomes:
        assert out.ok, out
        assert out.stored == out.messages
        assert out.sent + out.uncertain >= first.sent


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot().start()
    yield server
    server.cleanup()


def wait_for(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def test_worker_survives_a_server_restart_and_wakes_up_for_new_mail(
        tmp_path: Path, dovecot: Dovecot) -> None:
    config = write_workspace(tmp_path, imap=dovecot.imap_config())
    store = open_store(load_config(config))

    def processed() -> int:
        return len(store.messages.items("processed"))

    dovecot.deliver([inquiry(i) for i in range(3)])
    proc = runner(config)
    try:
        assert wait_for(lambda: processed() == 3, 120), proc.stderr
        dovecot.restart()  # drops the idling connection
        dovecot.deliver([inquiry(i) for i in range(3, 5)])
        assert wait_for(lambda: processed() == 5, 120)
        assert proc.poll() is None  # still running
    finally:
        proc.send_signal(signal.SIGTERM)  # SIGINT is ignored in background jobs
        proc.wait(30)
    assert len(store.messages.items()) == 5


def test_cli_run_once_against_dovecot_then_items_lists_each_message_once(
        tmp_path: Path, dovecot: Dovecot) -> None:
    files = [FIXTURES / "mail" / n for n in ("nested-multipart.eml", "no-message-id.eml",
                                             "8bit-headers.eml", "invitation.eml")]
    dovecot.deliver([f.read_bytes() for f in files] + [files[0].read_bytes()])  # one twice
    config = str(write_workspace(tmp_path, imap=dovecot.imap_config()))
    cli = [sys.executable, "-m", "assistenz"]
    done = subprocess.run([*cli, "run", "--once", "--config", config],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    listed = subprocess.run([*cli, "items", "--config", config, "--json"],
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    items = [json.loads(line) for line in listed.stdout.splitlines()]
    expected = [message_id(BytesParser(policy=policy.default).parsebytes(f.read_bytes()))
                for f in files]
    assert sorted(i["message_id"] or "" for i in items) == sorted(m or "" for m in expected)
    assert all(i["status"] == "processed" for i in items)
    assert len({i["source_key"] for i in items}) == len(items)
