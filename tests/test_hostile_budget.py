"""Issue 11, class 1: a small mail cannot stop all mail.

Every poison mail of the security review is read within bounds before parsing (time and
memory measured per mail here; 70,000 addresses stay in time even with the header bounds
lifted, since addresses reach the parser one by one). What still goes over — a stage that
eats memory or never returns — is stopped by the per-message budget of the worker
process: `triage` prints an error object for that file and goes on; `run` marks the mail
`failed` ("zu groß: …"), tells the owner, retries it later, and processes the mail behind
it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from clocks import FIXED_NOW, child_env, iso
from conftest import FIXTURES, ROOT
from hostile_mail import POISON, ScriptedClassifier, cc_addresses, mail

from agent.pipeline import triage
from core.clock import fixed_clock
from core.config import Workspace
from core.models import RawMessage
from service.deps import default_deps

RUNNER = Path(__file__).resolve().parent / "hostile_run.py"
NORMAL = FIXTURES / "hostile" / "automated-control.eml"
EXPECTED = {  # the flag that says why nothing happens automatically (None: no flag)
    "subject-1mb": "limit:header",
    "from-50000-encoded-words": "limit:header",
    "cc-70000-addresses": "limit:header",
    "mime-depth-1000": "limit:structure",
    "rrule-secondly": None,
    "rrule-minutely-count-100000": None,
    "vtimezone-secondly": None,
}


@pytest.mark.parametrize("name", sorted(POISON))
def test_poison_is_read_within_bounds(name: str, ws: Workspace) -> None:
    """Parse, view, classify, gate: under 10 s and 200 MB of Python allocations each."""
    deps = default_deps(ws, classifier=ScriptedClassifier(), clock=fixed_clock(FIXED_NOW))
    data = POISON[name]()
    tracemalloc.start()
    started = time.perf_counter()
    out = triage(RawMessage(ref=name, data=data), deps).to_json()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seconds < 10.0 and peak < 200 * 1024 * 1024, (seconds, peak)
    assert out["action"] in ("draft", "notify")  # read, never acted on alone
    assert not [p for p in out["planned_actions"] if p["type"] != "notify_owner"]  # type: ignore[attr-defined,index]
    flag = EXPECTED[name]
    if flag:
        assert flag in out["flags"]  # type: ignore[operator]


def workspace(folder: Path, **limits: object) -> Path:
    data = yaml.safe_load((FIXTURES / "workspace.yaml").read_text())
    data.update({"data_dir": str(ROOT / ".tmp" / "test-data"),
                 "database": f"sqlite:///{folder / 'db' / 'a.db'}",
                 "maildir": str(folder / "Maildir"),
                 "limits": {"message_seconds": 8, "message_mb": 512, "retries": 1,
                            "retry_minutes": 0, **limits}})
    for sub in ("cur", "new", "tmp"):
        (folder / "Maildir" / sub).mkdir(parents=True, exist_ok=True)
    path = folder / "workspace.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


# the header bounds lifted (before issue 11 the header parser took 70 s for 70,000 Cc:)
LIFTED = {"max_header_field": 8_000_000, "max_header_bytes": 8_000_000,
          "max_addresses": 1_000_000, "max_encoded_words": 1_000_000}


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(RUNNER), *args], capture_output=True,
                          text=True, timeout=timeout, env=child_env(), cwd=ROOT)


@pytest.mark.slow
def test_triage_goes_on_past_mail_over_its_budget(tmp_path: Path) -> None:
    config = workspace(tmp_path, **LIFTED)
    files = {"1-memory.eml": mail("From: Max <max@muster.example>\nSubject: SPEICHERFRESSER\n"),
             "2-normal.eml": NORMAL.read_bytes(),
             "3-endless.eml": mail("From: Max <max@muster.example>\nSubject: ENDLOSSCHLEIFE\n"),
             "4-normal.eml": NORMAL.read_bytes(),
             "5-parser.eml": cc_addresses(),  # bounds lifted: read piece by piece, in time
             "6-normal.eml": NORMAL.read_bytes()}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    paths = [str(tmp_path / name) for name in files]
    started = time.monotonic()
    done = cli("triage", *paths, "--config", str(config), "--json", "--now", iso(FIXED_NOW))
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["file"] for line in lines] == paths  # one object per message, in order
    assert "zu groß: brauchte mehr als 512 MB" in lines[0]["error"]
    assert "zu groß: Verarbeitung dauerte länger als 8 s" in lines[2]["error"]
    assert lines[4]["action"] in ("draft", "notify")  # 70,000 addresses, within the budget
    # the normal mails go on; the sender's one automatic reply of the day is remembered
    # across the worker's restarts (rule 5)
    assert [lines[i]["action"] for i in (1, 3, 5)] == ["auto", "draft", "draft"]
    assert [lines[i]["rule"] for i in (3, 5)] == ["r5-one-per-day", "r5-one-per-day"]
    assert time.monotonic() - started < 400


@pytest.mark.slow
def test_run_processes_the_mail_behind_a_poison_mail(tmp_path: Path) -> None:
    config = workspace(tmp_path, **LIFTED, message_seconds=4)  # a normal mail takes < 1 s
    box = tmp_path / "Maildir" / "new"
    poison = mail("From: Max <max@muster.example>\nSubject: ENDLOSSCHLEIFE\n")
    (box / "1700000000.poison.test").write_bytes(poison)
    shutil.copy(NORMAL, box / "1700000001.normal.test")
    done = cli("run", "--config", str(config), "--once", "--now", iso(FIXED_NOW))
    assert done.returncode == 0, done.stderr[-2000:]
    # the batch was decided message by message: the poison mail spent its budget once and
    # the batch was not triaged again one by one
    assert "each again alone" not in done.stderr
    items = [json.loads(line) for line in cli("items", "--config", str(config),
                                             "--json").stdout.splitlines()]
    poison, normal = items
    assert normal["status"] == "processed" and normal["action"] == "auto"
    assert poison["status"] == "failed"
    assert poison["error"].startswith("zu groß: Verarbeitung dauerte länger als 4 s")
    assert poison["action"] == "notify"  # the owner is told
    # one automatic retry (retries: 1, no wait), then it stays failed for the owner
    cli("run", "--config", str(config), "--once", "--now", iso(FIXED_NOW + timedelta(hours=1)))
    cli("run", "--config", str(config), "--once", "--now", iso(FIXED_NOW + timedelta(hours=2)))
    again = json.loads(cli("items", "--config", str(config), "--json").stdout.splitlines()[0])
    assert again["status"] == "failed"
    from tools.store import Store
    from tools.store.models import MessageRow

    store = Store(f"sqlite:///{tmp_path / 'db' / 'a.db'}", fixed_clock(FIXED_NOW))
    with store.db.session() as s:
        row = s.get_one(MessageRow, poison["id"])
        assert row.attempts == 2 and row.retry_at is None


@pytest.mark.slow
def test_the_worker_dies_with_its_parent(tmp_path: Path) -> None:
    """kill -9 of `assistenz` (as the crash trials do) leaves no worker behind."""
    import os
    import signal

    config = workspace(tmp_path)
    endless = tmp_path / "endless.eml"
    endless.write_bytes(mail("From: Max <max@muster.example>\nSubject: ENDLOSSCHLEIFE\n"))
    proc = subprocess.Popen([sys.executable, str(RUNNER), "triage", str(endless), "--config",
                             str(config), "--json", "--now", iso(FIXED_NOW)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=child_env(), cwd=ROOT)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    workers: list[int] = []
    deadline = time.monotonic() + 300
    while not workers and time.monotonic() < deadline:
        time.sleep(0.5)
        workers = [int(p) for p in children.read_text().split()] if children.exists() else []
    assert workers, "the worker did not start"
    time.sleep(2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    for _ in range(40):
        if not any(Path(f"/proc/{w}").exists() for w in workers):
            break
        time.sleep(0.25)
    assert not any(Path(f"/proc/{w}").exists() for w in workers)
