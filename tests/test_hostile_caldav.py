"""Issue 11, class 2 against a real CalDAV server (Radicale): a CANCEL or a same-UID REQUEST
from someone other than the event's organizer leaves the owner's calendar as it was — the
event keeps its SEQUENCE and title, nothing is mailed — while the organizer's own
cancellation still removes it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import caldav
import pytest
from hostile_mail import ScriptedClassifier, invitation
from mailservers import SmtpReceiver
from radicale_server import Radicale, radicale

from core.config import Workspace, load_config
from core.ical.expand import parse_calendar
from service.deps import default_deps
from service.runner import cycle, open_store
from tools.calendar.factory import open_calendar
from tools.outbox import open_outbox
from tools.sources import MaildirSource

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
OWNERS = "jour-fixe@beispiel-design.de"
CLIENTS = "projekt-x@muster.example"


def stored(uid: str, organizer: str, summary: str, sequence: int) -> str:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nSEQUENCE:{sequence}\r\nDTSTAMP:20261101T090000Z\r\n"
            f"ORGANIZER:mailto:{organizer}\r\nSUMMARY:{summary}\r\n"
            "DTSTART:20261202T090000Z\r\nDTEND:20261202T100000Z\r\n"
            "RRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Radicale]:
    folder = tmp_path / "radicale"
    folder.mkdir()
    with radicale(folder) as r:
        yield r


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver().start()
    yield receiver
    receiver.stop()


def workspace(tmp_path: Path, server: Radicale, smtp: SmtpReceiver) -> Workspace:
    client = caldav.DAVClient(url=server.url, username=server.username, password=server.password)
    cal: Any = client.principal().make_calendar(name="anna")
    cal.add_event(stored(OWNERS, "anna@beispiel-design.de", "Jour fixe", 3))
    cal.add_event(stored(CLIENTS, "max@muster.example", "Projekt X", 1))
    box = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
    config = tmp_path / "ws.yaml"
    config.write_text(f"""
owner: {{name: Anna Beispiel, email: anna@beispiel-design.de,
        agent_email: assistenz@beispiel-design.de, timezone: Europe/Berlin,
        languages: [de, en], working_hours: "Mo-Fr 09:00-17:00"}}
delegation: {{scheduling: auto}}
calendar: {{caldav: {{url: "{cal.url}", username: {server.username},
                      password: {server.password}}}}}
maildir: {box}
smtp: {{host: 127.0.0.1, port: {smtp.port}, tls: false,
       from: "Anna Beispiel <anna@beispiel-design.de>"}}
data_dir: {tmp_path / "data"}
""", encoding="utf-8")
    return load_config(config)


def deliver(ws: Workspace, name: str, data: bytes) -> None:
    assert ws.maildir is not None
    (ws.maildir / "new" / f"{name}.test").write_bytes(data)


def one_round(ws: Workspace) -> None:
    assert ws.maildir is not None
    store = open_store(ws, clock=lambda: NOW)  # one clock: the digest is due at 07:30 owner time
    deps = default_deps(ws, classifier=ScriptedClassifier(), load=store.tasks.open_tasks,
                        replied=store.ledger.auto_replied, clock=lambda: NOW)
    outbox = open_outbox(ws, store)
    try:
        assert ws.calendar is not None
        cycle(MaildirSource(ws.maildir), store, deps, outbox,
              calendar=open_calendar(ws.calendar, ws.owner.zone))
    finally:
        outbox.close()


def event(ws: Workspace, uid: str) -> tuple[int, str] | None:
    assert ws.calendar is not None
    source: Any = open_calendar(ws.calendar, ws.owner.zone)
    found = source.stored(uid)
    if found is None:
        return None
    text = source._by_uid(uid).data
    summary = str(next(iter(parse_calendar(text, strict=False).walk("VEVENT")))["SUMMARY"])
    return found.sequence, summary


@pytest.mark.slow
def test_only_the_organizer_changes_the_calendar(tmp_path: Path, server: Radicale,
                                                 smtp: SmtpReceiver) -> None:
    ws = workspace(tmp_path, server, smtp)
    before = event(ws, OWNERS), event(ws, CLIENTS)
    assert before[0] is not None and before[0][1] == "Jour fixe"
    deliver(ws, "1-foreign-cancel", invitation(method="CANCEL", uid=OWNERS,
                                               organizer="mailto:anna@beispiel-design.de"))
    deliver(ws, "2-foreign-request", invitation(uid=OWNERS, sequence=9,
                                                summary="GEWINN! Ihr Paket wartet"))
    deliver(ws, "3-spoofed-cancel", invitation(method="CANCEL", uid=CLIENTS,
                                               sender="Mallory <mallory@evil.example>"))
    one_round(ws)
    assert (event(ws, OWNERS), event(ws, CLIENTS)) == before  # same SEQUENCE, same title
    # nobody outside is answered; the owner alone is told (one notice mail)
    assert [r.rcpt_tos for r in smtp.received] == [["anna@beispiel-design.de"]]
    items = open_store(ws, clock=lambda: NOW).messages.items()
    assert [i["action"] for i in items] == ["notify", "notify", "notify"]

    deliver(ws, "4-organizer-cancel", invitation(method="CANCEL", uid=CLIENTS))
    one_round(ws)
    assert event(ws, CLIENTS) is None  # the organizer's own cancellation still works
    assert event(ws, OWNERS) == before[0]
