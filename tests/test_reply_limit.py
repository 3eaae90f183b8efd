"""CONTRACT §4 rule 5 as a sender would probe it: at most one automatic reply per sender and
day, counted by the agent's own clock (the day it received the mail, in the owner's time
zone), whatever `Date:` the sender writes and however they spell their address."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from clocks import assistenz
from mailservers import Received, SmtpReceiver, write_workspace

pytestmark = pytest.mark.slow

# Tuesday 1 Dec 2026, 10:00 in Berlin: the agent's clock for the first run
NOW = "2026-12-01T10:00"
DATES = [
    "Tue, 01 Dec 2026 09:40:00 +0100",  # today
    "Mon, 30 Nov 2026 09:40:00 +0100",  # yesterday
    None,  # no Date: at all
    "Wed, 02 Dec 2026 09:40:00 +0100",  # tomorrow
    "Tue, 01 Dec 2026 23:50:00 +1400",  # "today" somewhere far east: yesterday in Berlin
]
SENDERS = ["julia.brandt@brandt-moebel.de", "Julia.Brandt@Brandt-Moebel.de",
           "julia.brandt+1@brandt-moebel.de", "julia.brandt+2@brandt-moebel.de",
           "julia.brandt@brandt-moebel.de"]


def inquiry(n: int, sender: str, date: str | None) -> bytes:
    head = f"Date: {date}\r\n" if date else ""
    return (f"From: Julia Brandt <{sender}>\r\nTo: assistenz@beispiel-design.de\r\n"
            f"Subject: Anfrage Teamfotos {n}\r\nMessage-ID: <limit-{n}@brandt-moebel.de>\r\n"
            f"{head}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\nHallo Frau Beispiel,\r\n\r\n"
            "wir interessieren uns für ein Fotoshooting für unser Team (12 Personen). "
            "Was kostet das, und wann hätten Sie Zeit?\r\n\r\nViele Grüße\r\nJulia Brandt\r\n"
            ).encode()


def deliver(maildir: Path, name: str, data: bytes) -> None:
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    (maildir / "new" / name).write_bytes(data)


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver().start()
    yield receiver
    receiver.stop()


def replies(smtp: SmtpReceiver) -> list[Received]:
    """Replies to senders; the owner's daily digest ("Auto-Submitted: auto-generated",
    four drafts wait for her) is not an automatic reply."""
    return [r for r in smtp.received if r.message["Auto-Submitted"] != "auto-generated"]


def test_five_mails_with_varied_dates_and_spellings_get_one_automatic_reply(
        tmp_path: Path, smtp: SmtpReceiver) -> None:
    maildir = tmp_path / "Maildir"
    for n, (sender, date) in enumerate(zip(SENDERS, DATES, strict=True)):
        deliver(maildir, f"170000000{n}.limit{n}.test", inquiry(n, sender, date))
    config = str(write_workspace(tmp_path / "ws", smtp=smtp.smtp_config(), maildir=str(maildir)))

    proc = assistenz("run", "--once", "--config", config, "--now", NOW)
    assert proc.returncode == 0, proc.stderr
    assert len(replies(smtp)) == 1  # one automatic reply, whatever the dates said
    items = [json.loads(x) for x in
             assistenz("items", "--config", config, "--json").stdout.splitlines()]
    assert len(items) == 5 and {i["status"] for i in items} == {"processed"}
    assert sorted(i["action"] for i in items) == ["auto", "draft", "draft", "draft", "draft"]

    # the next day by the agent's clock, the same sender may get one again
    deliver(maildir, "1700000009.limit9.test", inquiry(9, SENDERS[0], DATES[0]))
    proc = assistenz("run", "--once", "--config", config, "--now", "2026-12-02T10:00")
    assert proc.returncode == 0, proc.stderr
    assert len(replies(smtp)) == 2
    assert {r.rcpt_tos[0].lower() for r in replies(smtp)} == {SENDERS[0]}
