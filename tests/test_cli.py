"""`assistenz triage` as CONTRACT §2 fixes it: JSON lines, input order, exit codes."""

from __future__ import annotations

import json
import mailbox
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES

CONFIG = str(FIXTURES / "workspace.yaml")
FIELDS = {"file", "message_id", "language", "category", "priority", "action", "assignee",
          "confidence", "draft", "planned_actions", "explanation"}
CATEGORIES = {"scheduling", "invoice_payment", "customer_inquiry", "support", "social_media",
              "admin", "personal", "newsletter", "spam", "other"}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistenz", *args], capture_output=True,
                          text=True, timeout=300)


def lines(proc: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    return [json.loads(x) for x in proc.stdout.splitlines()]


def check_shape(obj: dict[str, object]) -> None:
    assert obj.keys() >= FIELDS
    assert obj["category"] in CATEGORIES
    assert obj["priority"] in {"urgent", "high", "normal", "low"}
    assert obj["action"] in {"auto", "draft", "route", "notify", "ignore"}
    assert (obj["assignee"] is not None) == (obj["action"] == "route")
    assert isinstance(obj["confidence"], float) and 0 <= obj["confidence"] <= 1
    assert isinstance(obj["explanation"], str) and obj["explanation"]
    draft = obj["draft"]
    if obj["action"] == "draft":
        assert isinstance(draft, dict)
        assert set(draft) >= {"to", "cc", "subject", "body", "language"}
    for p in obj["planned_actions"]:  # type: ignore[attr-defined]
        assert p["type"] in {"send_email", "accept_invitation", "decline_invitation",
                             "create_event", "route_task", "notify_owner", "archive",
                             "remove_event"}


def test_folder_gives_one_line_per_file_in_name_order() -> None:
    folder = FIXTURES / "mail"
    proc = cli("triage", str(folder), "--config", CONFIG, "--json")
    assert proc.returncode == 0, proc.stderr
    out = lines(proc)
    names = sorted(p.name for p in folder.iterdir())
    assert [Path(str(o["file"])).name for o in out] == names
    assert all(o["file"] == str(folder / n) for o, n in zip(out, names, strict=True))
    for o in out:
        check_shape(o)


def test_single_file_and_message_id_with_brackets() -> None:
    path = FIXTURES / "mail" / "nested-multipart.eml"
    out = lines(cli("triage", str(path), "--config", CONFIG, "--json"))
    assert len(out) == 1
    assert out[0]["file"] == str(path)
    assert out[0]["message_id"] == "<nested-1@druckerei-hansen.de>"
    assert out[0]["category"] == "invoice_payment"


def test_mbox_and_maildir_use_hash_numbers(tmp_path: Path) -> None:
    files = sorted((FIXTURES / "forwarded").iterdir())[:3]
    box = mailbox.mbox(str(tmp_path / "inbox.mbox"))
    for f in files:
        box.add(f.read_bytes())
    box.flush()
    md = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    for i, f in enumerate(files):
        shutil.copy(f, md / ("new" if i % 2 else "cur") / f"17000000{i}.host:2,")
    proc = cli("triage", str(tmp_path / "inbox.mbox"), str(md), "--config", CONFIG, "--json")
    assert proc.returncode == 0, proc.stderr
    refs = [o["file"] for o in lines(proc)]
    assert refs == [f"{tmp_path / 'inbox.mbox'}#{n}" for n in (1, 2, 3)] + \
                  [f"{md}#{n}" for n in (1, 2, 3)]


def test_broken_messages_print_error_objects_and_exit_0(tmp_path: Path) -> None:
    good = FIXTURES / "mail" / "no-message-id.eml"
    unreadable = tmp_path / "locked.eml"
    unreadable.write_bytes(b"From: a@b.c\n\nx")
    unreadable.chmod(0)
    proc = cli("triage", str(good), str(unreadable), str(good), "--config", CONFIG, "--json")
    assert proc.returncode == 0
    out = lines(proc)
    assert len(out) == 3
    if "error" in out[1]:  # root can read a mode-0 file; then it is an ordinary message
        assert out[1]["file"] == str(unreadable)
    assert "error" not in out[0] and "error" not in out[2]


def test_bad_arguments_exit_2_with_one_line() -> None:
    for args in (["triage", "--config", CONFIG], ["triage", "/no/such/path", "--config", CONFIG],
                 ["triage", str(FIXTURES), "--config", CONFIG, "--bogus"], ["frobnicate"]):
        proc = cli(*args)
        assert proc.returncode == 2, args
        assert proc.stderr.strip().count("\n") == 0, proc.stderr
        assert proc.stdout == ""


def test_every_command_explains_itself_with_an_example() -> None:
    for command in ("triage", "run", "items", "serve", "retry", "passwd", "token", "task"):
        proc = cli(command, "--help")
        assert proc.returncode == 0
        assert "example:" in proc.stdout and f"assistenz {command}" in proc.stdout


def test_serve_refuses_public_addresses() -> None:
    proc = cli("serve", "--config", CONFIG, "--host", "0.0.0.0")
    assert proc.returncode == 2
    assert "127.0.0.1" in proc.stderr


def test_cpython_corpus_one_line_each_no_traceback() -> None:
    corpus = FIXTURES / "cpython_email"
    proc = cli("triage", str(corpus), "--config", CONFIG, "--json")
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr
    out = lines(proc)
    assert len(out) == len([p for p in corpus.iterdir() if not p.name.startswith(".")])
    assert sum("error" in o for o in out) == 0
