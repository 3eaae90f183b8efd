"""Live mode with a real CalDAV server and a real SMTP receiver: an invitation that fits is
accepted with an iTIP REPLY to the organizer and stored in the calendar; its cancellation
removes it and tells the owner."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import caldav
import pytest
from conftest import FIXTURES
from icalendar import Calendar as ICal
from mailservers import SmtpReceiver
from radicale_server import Radicale, radicale
from sqlalchemy import select

from core.config import Workspace, load_config
from service.deps import default_deps
from service.runner import cycle, open_store
from tools.calendar.factory import open_calendar
from tools.outbox import open_outbox
from tools.sources import MaildirSource
from tools.store.models import AuditRow, CalendarOpRow

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
UID = ("040000008200E00074C5B7101A82E0080000000070F1C2D3E4A5DA01000000000000000010000000"
       "A1B2C3D4E5F60718293A4B5C6D7E8F90")


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


def deliver(ws: Workspace, name: str) -> None:
    assert ws.maildir is not None
    shutil.copy(FIXTURES / "scheduling" / name, ws.maildir / "new" / f"{name}.test")


def one_round(ws: Workspace) -> None:
    assert ws.maildir is not None and ws.calendar is not None
    store = open_store(ws, clock=lambda: NOW)  # one clock for decisions, store and notices
    deps = default_deps(ws, load=store.tasks.open_tasks, replied=store.ledger.auto_replied,
                        clock=lambda: NOW)
    outbox = open_outbox(ws, store)
    try:
        cycle(MaildirSource(ws.maildir), store, deps, outbox,
              calendar=open_calendar(ws.calendar, ws.owner.zone))
    finally:
        outbox.close()


def test_invitation_is_accepted_stored_and_cancelled(tmp_path: Path, server: Radicale,
                                                   smtp: SmtpReceiver) -> None:
    ws = workspace(tmp_path, server, smtp)
    deliver(ws, "invite-fits-outlook.eml")
    one_round(ws)

    assert len(smtp.received) == 1
    mail = smtp.received[0]
    assert mail.rcpt_tos == ["j.hartmann@hartmann-ra.de"]  # the ORGANIZER, nobody else
    msg = mail.message
    parts = {p.get_content_type(): p for p in msg.walk()}
    assert parts["text/calendar"].get_param("method") == "REPLY"
    ics = ICal.from_ical(parts["text/calendar"].get_content())
    assert str(ics["METHOD"]) == "REPLY"
    event = next(iter(ics.walk("VEVENT")))
    assert str(event["UID"]) == UID
    attendee = event["ATTENDEE"]
    assert "anna@beispiel-design.de" in str(attendee).lower()
    assert attendee.params["PARTSTAT"] == "ACCEPTED"

    calendar = open_calendar(ws.calendar, ws.owner.zone)  # type: ignore[arg-type]
    assert calendar.sequence_of(UID) is not None  # stored in the owner's CalDAV calendar

    deliver(ws, "cancel-outlook.eml")
    one_round(ws)
    assert calendar.sequence_of(UID) is None  # removed
    assert len(smtp.received) == 1  # a cancellation is not answered by mail
    items = open_store(ws).messages.items()
    assert [i["action"] for i in items] == ["auto", "auto"]
    with open_store(ws).db.session() as s:
        events = [a.event for a in s.scalars(select(AuditRow))]
        assert "notify_owner" in events  # the owner is told about the cancellation
        assert [o.status for o in s.scalars(select(CalendarOpRow))] == ["done", "done"]
