"""`assistenz serve` as a process, with a Maildir and a real SMTP receiver (aiosmtpd): an
approved, edited draft goes out exactly once with its threading headers; an undo inside
the window sends nothing; kill -9 during the window or while sending never sends twice;
the owner's risk notice and digest arrive once."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from browserkit import Served
from clocks import assistenz, assistenz_argv, child_env
from mailservers import SmtpReceiver, free_port, write_workspace

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent
PASSWORD = "ein-langes-passwort"


def complaint(n: int, what: str) -> bytes:
    return (f"From: Kundin {n} <kundin{n}@kunden-beispiel.de>\r\n"
            "To: assistenz@beispiel-design.de\r\n"
            f"Subject: Reklamation {what}\r\nMessage-ID: <rekl-{n}@kunden-beispiel.de>\r\n"
            "Date: Tue, 01 Dec 2026 08:30:00 +0100\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"Hallo Frau Beispiel,\r\n\r\ndie {what} sind leider falsch gedruckt, bitte "
            "korrigieren.\r\n\r\nViele Grüße\r\nKundin\r\n").encode()


BANK = ("From: Buchhaltung Druckerei Hansen <buchhaltung@druckerei-hansen.de>\r\n"
        "To: assistenz@beispiel-design.de\r\nSubject: Neue Bankverbindung\r\n"
        "Message-ID: <bank-1@druckerei-hansen.de>\r\nDate: Tue, 01 Dec 2026 08:40:00 +0100\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Sehr geehrte Damen und Herren,\r\n\r\nbitte überweisen Sie künftig alle Rechnungen "
        "auf unser neues Konto: IBAN DE89 3704 0044 0532 0130 00.\r\n\r\nMit freundlichen "
        "Grüßen\r\nBuchhaltung\r\n").encode()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver().start()
    yield receiver
    receiver.stop()


def wait_for(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def subjects(smtp: SmtpReceiver) -> list[str]:
    with smtp.lock:
        return [str(r.message["Subject"]) for r in smtp.received]


def test_serve_sends_approvals_once_and_tells_the_owner(tmp_path: Path,
                                                        smtp: SmtpReceiver) -> None:
    box = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
    mails = [complaint(1, "Visitenkarten"), complaint(2, "Flyer"), complaint(3, "Plakate"),
             BANK]
    for i, data in enumerate(mails):
        (box / "new" / f"17000000{i}.m{i}.test").write_bytes(data)
    port = free_port()
    config = str(write_workspace(
        tmp_path / "ws", smtp=smtp.smtp_config(), maildir=str(box),
        review={"undo_seconds": 2}, notifications={"digest_at": "00:00"},
        web={"base_url": f"http://127.0.0.1:{port}"}))
    # triage (the scripted classifier: "Reklamation" is support → a draft for the owner)
    done = subprocess.run([sys.executable, str(HERE / "fast_run.py"), "run", "--once",
                           "--config", config, "--now", "2026-12-01T09:00"],
                          capture_output=True, text=True, timeout=600, env=child_env())
    assert done.returncode == 0, done.stderr
    risk = [s for s in subjects(smtp) if s.startswith("Achtung")]
    assert risk == ["Achtung: Neue Bankverbindung"]  # told at once, by mail
    [notice] = [r for r in smtp.received if str(r.message["Subject"]).startswith("Achtung")]
    assert notice.rcpt_tos == ["anna@beispiel-design.de"]
    assert "telefonisch prüfen" in notice.message.get_content()
    assert sum(s.startswith("Assistenz:") for s in subjects(smtp)) == 1  # the day's digest

    assert assistenz("passwd", "--config", config, stdin=PASSWORD + "\n").returncode == 0
    token = assistenz("token", "create", "--config", config, "--owner").stdout.strip()
    auth = {"Authorization": f"Bearer {token}"}
    server = Served(config, port, program=assistenz_argv()).start()
    try:
        api = httpx.Client(base_url=server.base, headers=auth, timeout=10)
        drafts = {d["subject"]: d for d in api.get("/api/v1/drafts").json()}
        assert set(drafts) == {"AW: Reklamation Visitenkarten", "AW: Reklamation Flyer",
                               "AW: Reklamation Plakate"}

        # 1. approve an edited draft: exactly one mail, edited, threaded
        first = drafts["AW: Reklamation Visitenkarten"]
        edited = "Guten Tag,\n\ndas tut mir leid – ich drucke die Karten bis Freitag neu.\n"
        assert api.post(f"/api/v1/drafts/{first['id']}/approve",
                        json={"body": edited}).status_code == 200
        assert wait_for(lambda: "AW: Reklamation Visitenkarten" in subjects(smtp), 20)
        [got] = [r for r in smtp.received
                 if r.message["Subject"] == "AW: Reklamation Visitenkarten"]
        assert got.rcpt_tos == ["kundin1@kunden-beispiel.de"]
        assert "bis Freitag neu" in got.message.get_content()
        assert got.message["In-Reply-To"] == "<rekl-1@kunden-beispiel.de>"
        assert "<rekl-1@kunden-beispiel.de>" in got.message["References"]

        # 2. undo inside the window: nothing is sent
        second = drafts["AW: Reklamation Flyer"]
        fine = {"body": "Guten Tag,\n\ndas korrigiere ich sofort.\n"}
        assert api.post(f"/api/v1/drafts/{second['id']}/approve", json=fine).status_code == 200
        assert api.post(f"/api/v1/drafts/{second['id']}/undo").json()["status"] == "pending"
        time.sleep(5)
        assert "AW: Reklamation Flyer" not in subjects(smtp)

        # 3. kill -9 inside the window, start again: sent once
        third = drafts["AW: Reklamation Plakate"]
        assert api.post(f"/api/v1/drafts/{third['id']}/approve", json=fine).status_code == 200
        server.kill()
        server.start()
        assert wait_for(lambda: "AW: Reklamation Plakate" in subjects(smtp), 20)

        # 4. kill -9 while the SMTP server has the mail but has not answered yet
        smtp.behaviour.delay = 4.0
        assert api.post(f"/api/v1/drafts/{second['id']}/approve", json=fine).status_code == 200

        def sending() -> bool:
            return any(o["draft_id"] == second["id"] and o["status"] == "sending"
                       for o in api.get("/api/v1/outbox").json())

        assert wait_for(sending, 20)
        server.kill()
        smtp.behaviour.delay = 0.0
        time.sleep(4.5)  # the receiver finishes the DATA it had
        server.start()
        assert wait_for(lambda: any(o["draft_id"] == second["id"] and o["status"] in
                                    {"uncertain", "sent"}
                                    for o in api.get("/api/v1/outbox").json()), 20)
        time.sleep(3)
        counts = {s: subjects(smtp).count(s) for s in set(subjects(smtp))}
        assert counts["AW: Reklamation Visitenkarten"] == 1
        assert counts["AW: Reklamation Plakate"] == 1
        assert counts.get("AW: Reklamation Flyer", 0) <= 1  # once, or uncertain: never twice
        status = next(o["status"] for o in api.get("/api/v1/outbox").json()
                      if o["draft_id"] == second["id"])
        assert status == "uncertain"  # no Sent folder to ask: the owner is told
        assert wait_for(lambda: any(s.startswith("Zustellung unklar")
                                    for s in subjects(smtp)), 20)
        # every notice exactly once, whoever was running when
        assert counts["Achtung: Neue Bankverbindung"] == 1
        assert sum(c for s, c in counts.items() if s.startswith("Zustellung unklar")) <= 1
        detail = api.get(f"/api/v1/messages/{first['message']}").json()
        assert detail["replies"][0]["outbox_status"] == "sent"
        assert detail["replies"][0]["sent_at"]
        items = [json.loads(x) for x in
                 assistenz("items", "--config", config, "--json").stdout.splitlines()]
        assert len(items) == 4
    finally:
        server.stop()
