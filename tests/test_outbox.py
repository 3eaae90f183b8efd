"""Sending replies: through a real SMTP receiver (aiosmtpd) with a copy in Dovecot's Sent
folder; never twice, never with injected headers, and honest about what is unknown."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from clocks import FIXED_NOW
from mailservers import (
    Dovecot,
    Received,
    ScriptedClassifier,
    SmtpReceiver,
    inquiry,
    write_workspace,
)
from sqlalchemy import delete, select

from core.clock import fixed_clock
from core.config import Workspace, load_config
from service.runner import open_store, run
from tools.compose import Reply, UnsafeHeader, compose
from tools.outbox import Outbox, identity_warning
from tools.sentfolder import SentFolder
from tools.smtp import SmtpSender
from tools.store.models import DraftRow, OutboxRow

pytestmark = pytest.mark.slow
FROM = "Anna Beispiel <assistenz@beispiel-design.de>"


@pytest.fixture(autouse=True)
def fast_classifier(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the mailbox; the kNN classifier only makes them slow."""
    import service.classifier as factory

    monkeypatch.setattr(factory, "build_classifier", lambda *_a, **_k: ScriptedClassifier())


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot().start()
    yield server
    server.cleanup()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver().start()
    yield receiver
    receiver.stop()


def workspace(tmp_path: Path, dovecot: Dovecot, smtp: SmtpReceiver | None) -> Workspace:
    return load_config(write_workspace(
        tmp_path / "ws", imap=dovecot.imap_config(sent_folder="Gesendet"),
        smtp=smtp.smtp_config() if smtp else None))


def outbox_rows(ws: Workspace) -> list[OutboxRow]:
    """The replies in the outbox (not the notices to the owner)."""
    with open_store(ws).db.session() as s:
        return list(s.scalars(select(OutboxRow).join(DraftRow, DraftRow.id == OutboxRow.draft_id)
                              .where(DraftRow.kind.in_(("auto", "draft")))
                              .order_by(OutboxRow.id)))


def replies(smtp: SmtpReceiver) -> list[Received]:
    """Mail to anyone but the owner (her notices and digest are not replies)."""
    return [r for r in smtp.received if r.rcpt_tos != ["anna@beispiel-design.de"]]


def to_owner(smtp: SmtpReceiver) -> list[str]:
    return [str(r.message["Subject"]) for r in smtp.received
            if r.rcpt_tos == ["anna@beispiel-design.de"]]


def outbox_for(ws: Workspace, now: datetime = FIXED_NOW) -> Outbox:
    assert ws.smtp is not None and ws.imap is not None
    store = open_store(ws, fixed_clock(now))
    return Outbox(store, ws, SmtpSender(ws.smtp), SentFolder(ws.imap))


def test_auto_replies_go_out_once_threaded_and_filed_in_sent(
        tmp_path: Path, dovecot: Dovecot, smtp: SmtpReceiver) -> None:
    dovecot.deliver([inquiry(1), inquiry(2)])
    ws = workspace(tmp_path, dovecot, smtp)
    assert run(ws, once=True) == 0
    assert len(smtp.received) == 2
    got = {r.rcpt_tos[0]: r for r in smtp.received}
    mail = got["kundin1@kunden-beispiel.de"].message
    assert mail["Subject"] == "AW: Anfrage Teamfotos 1"
    assert mail["In-Reply-To"] == "<anfrage-1@kunden-beispiel.de>"
    assert "<anfrage-1@kunden-beispiel.de>" in mail["References"]
    assert mail["From"] == FROM
    assert mail["Auto-Submitted"] == "auto-replied"
    assert got["kundin1@kunden-beispiel.de"].mail_from == "assistenz@beispiel-design.de"
    rows = outbox_rows(ws)
    assert {r.status for r in rows} == {"sent"} and all(r.sent_copy for r in rows)
    assert sorted(smtp.message_ids()) == sorted(r.rfc_message_id for r in rows)
    assert sorted(dovecot.message_ids("Gesendet")) == sorted(smtp.message_ids())
    # nothing goes out a second time
    assert run(ws, once=True) == 0
    assert len(smtp.received) == 2


def test_message_id_is_deterministic() -> None:
    reply = Reply(draft_id=7, to=["kundin@example.org"], subject="AW: x", body="Hallo")
    one = compose(reply, FROM, datetime(2026, 11, 27, tzinfo=UTC))
    two = compose(reply, FROM, datetime(2026, 11, 28, tzinfo=UTC))
    assert one.message_id == two.message_id
    assert one.message_id.endswith("@beispiel-design.de>")


def _queue_without_sending(tmp_path: Path, dovecot: Dovecot, smtp: SmtpReceiver,
                           count: int) -> Workspace:
    """Mail processed and replies queued in the outbox, nothing sent yet."""
    dovecot.deliver([inquiry(i) for i in range(count)])
    ws = workspace(tmp_path, dovecot, smtp)
    no_smtp = ws.model_copy(update={"smtp": None})
    assert run(no_smtp, once=True) == 0
    assert outbox_for(ws).enqueue() == count
    return ws


def test_after_a_crash_while_sending_the_sent_folder_decides_and_nothing_is_resent(
        tmp_path: Path, dovecot: Dovecot, smtp: SmtpReceiver) -> None:
    ws = _queue_without_sending(tmp_path, dovecot, smtp, 2)
    box = outbox_for(ws)
    first, second = box.rows.due(FIXED_NOW)
    # the process died after claiming both; the first had reached the Sent folder
    dead = "crashed-host:1"  # a worker on another machine, gone for longer than the lease
    assert box.rows.claim(first.id, dead) and box.rows.claim(second.id, dead)
    assert ws.imap is not None
    SentFolder(ws.imap).keep(first.message_id, first.data, FIXED_NOW)
    assert run(ws, once=True) == 0  # a restart
    status = {r.id: r.status for r in outbox_rows(ws)}
    assert status == {first.id: "sent", second.id: "uncertain"}
    assert smtp.received == []
    # the owner sees it in `assistenz items --json`
    assert sorted(r for i in open_store(ws).messages.items() for r in i["replies"]) == [
        "sent", "uncertain"]
    with open_store(ws).db.session() as s:
        draft = s.scalars(select(DraftRow).join(OutboxRow, OutboxRow.draft_id == DraftRow.id)
                          .where(OutboxRow.id == second.id)).one()
        assert draft.status == "uncertain"
    assert run(ws, once=True) == 0
    assert run(ws, once=True) == 0
    # nothing is resent; the owner is told once that one reply's delivery is uncertain
    [told] = smtp.received
    assert told.rcpt_tos == ["anna@beispiel-design.de"]
    assert str(told.message["Subject"]).startswith("Zustellung unklar: AW: Anfrage Teamfotos")


def test_connection_lost_during_data_is_uncertain_and_never_retried(
        tmp_path: Path, dovecot: Dovecot, smtp: SmtpReceiver) -> None:
    dovecot.deliver([inquiry(1)])
    smtp.behaviour.drop_in_data = 1
    ws = workspace(tmp_path, dovecot, smtp)
    assert run(ws, once=True) == 0
    assert run(ws, once=True) == 0
    [row] = outbox_rows(ws)
    assert row.status == "uncertain" and "DATA" in (row.error or "")
    assert row.attempts == 1
    assert [s for s in to_owner(smtp)] == ["Zustellung unklar: AW: Anfrage Teamfotos 1"]
    assert len(smtp.received) == 1  # the reply itself never again


def test_temporary_refusal_waits_and_permanent_refusal_fails(
        tmp_path: Path, dovecot: Dovecot, smtp: SmtpReceiver) -> None:
    ws = _queue_without_sending(tmp_path, dovecot, smtp, 2)
    now = FIXED_NOW
    smtp.behaviour.rcpt_reply = "450 4.2.0 mailbox busy, try later"
    assert outbox_for(ws, now).send_due()["deferred"] == 2
    assert {r.status for r in outbox_rows(ws)} == {"queued"}
    assert outbox_for(ws, now).send_due()["deferred"] == 0  # not before its time
    smtp.behaviour.rcpt_reply = None
    later = now + timedelta(minutes=2)
    first = outbox_rows(ws)[0]
    smtp.behaviour.rcpt_reply = "550 5.1.1 no such user"
    with open_store(ws).db.session() as s:  # only the first is due again
        s.get_one(OutboxRow, outbox_rows(ws)[1].id).next_try_at = later + timedelta(hours=1)
        s.commit()
    assert outbox_for(ws, later).send_due()["failed"] == 1
    smtp.behaviour.rcpt_reply = None
    assert outbox_for(ws, later + timedelta(hours=2)).send_due()["sent"] == 1
    status = {r.id: r.status for r in outbox_rows(ws)}
    assert status[first.id] == "failed" and list(status.values()).count("sent") == 1
    assert len(smtp.received) == 1


def test_without_smtp_replies_stay_queued_and_the_log_says_so_once(
        tmp_path: Path, dovecot: Dovecot, smtp: SmtpReceiver,
        caplog: pytest.LogCaptureFixture) -> None:
    dovecot.deliver([inquiry(1)])
    ws = workspace(tmp_path, dovecot, None)
    caplog.set_level(logging.WARNING)
    box = Outbox(open_store(ws), ws, None, None)
    assert run(ws, once=True) == 0
    box.run()
    box.run()
    said = [r for r in caplog.records if "no 'smtp' section" in r.getMessage()]
    assert len(said) == 2  # once by the run, once by this outbox: never per round
    with open_store(ws).db.session() as s:
        assert [d.status for d in s.scalars(select(DraftRow))] == ["queued"]
    with_smtp = workspace(tmp_path, dovecot, smtp)
    assert run(with_smtp, once=True) == 0
    assert len(smtp.received) == 1


def test_approved_drafts_are_sent_the_same_way(
        tmp_path: Path, dovecot: Dovecot, smtp: SmtpReceiver) -> None:
    complaint = inquiry(3).replace(b"Subject: Anfrage Teamfotos 3", b"Subject: Reklamation") \
        .replace(b"wir interessieren uns f\xc3\xbcr ein Fotoshooting",
                 b"die gelieferten Fotos sind unscharf und falsch beschnitten, bitte korrigieren")
    dovecot.deliver([complaint])
    ws = workspace(tmp_path, dovecot, smtp)
    assert run(ws, once=True) == 0
    assert replies(smtp) == []  # support: a draft for the owner
    with open_store(ws).db.session() as s:
        draft = s.scalars(select(DraftRow).where(DraftRow.kind == "draft")).one()
        assert draft.status == "pending"
        draft.status = "approved"  # what the review UI does
        s.commit()
    assert run(ws, once=True) == 0
    [got] = replies(smtp)
    assert got.message["Auto-Submitted"] is None
    assert got.message["In-Reply-To"] == "<anfrage-3@kunden-beispiel.de>"


def test_header_injection_is_impossible(tmp_path: Path, dovecot: Dovecot,
                                        smtp: SmtpReceiver) -> None:
    reply = Reply(draft_id=1, to=["kundin@example.org"], subject="Hallo\r\nBcc: evil@example.com",
                  body="Text\r\nBcc: evil@example.com", in_reply_to="<a@b>\r\nBcc: x@y.de",
                  references=["<ok@example.org>", "nonsense\nBcc: x@y.de"])
    out = compose(reply, FROM, FIXED_NOW)
    head = out.data.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in head and out.rcpt == ["kundin@example.org"]
    assert b"References: <ok@example.org>\r\n" in head and b"In-Reply-To" not in head
    for bad in (dict(to=["kundin@example.org\r\nBcc: evil@example.com"]),
                dict(cc=["a@b.de>, evil@example.com"]), dict(to=[])):
        with pytest.raises(UnsafeHeader):
            compose(Reply(**{**reply.__dict__, **bad}), FROM, FIXED_NOW)
    with pytest.raises(UnsafeHeader):
        compose(reply, "Anna <anna@beispiel.de>\r\nBcc: evil@example.com", FIXED_NOW)
    # end to end: a draft edited to carry a line break still goes out as one header
    ws = _queue_without_sending(tmp_path, dovecot, smtp, 1)
    with open_store(ws).db.session() as s:
        draft = s.scalars(select(DraftRow)).one()
        draft.subject = "AW: Anfrage\r\nBcc: evil@example.com"
        s.execute(delete(OutboxRow))  # queued before the edit: build it again
        s.commit()
    assert run(ws, once=True) == 0
    [got] = smtp.received
    assert got.rcpt_tos == ["kundin0@kunden-beispiel.de"]
    assert got.message["Bcc"] is None
    assert got.message["Subject"] == "AW: Anfrage Bcc: evil@example.com"


def test_an_injection_attempt_in_an_incoming_subject_reaches_nobody_else(
        tmp_path: Path, dovecot: Dovecot, smtp: SmtpReceiver) -> None:
    encoded = b"=?utf-8?q?Anfrage_Teamfotos=0D=0ABcc:_evil@example.com?="
    dovecot.deliver([inquiry(4).replace(b"Subject: Anfrage Teamfotos 4", b"Subject: " + encoded)])
    ws = workspace(tmp_path, dovecot, smtp)
    assert run(ws, once=True) == 0
    [item] = open_store(ws).messages.items()
    assert item["status"] == "processed"
    # today the gate only notifies the owner; whatever it decides, no header is injected
    for got in smtp.received:  # the sender, or the owner's own notice — nobody else
        assert got.rcpt_tos in (["kundin4@kunden-beispiel.de"], ["anna@beispiel-design.de"])
        assert got.message["Bcc"] is None


def test_a_from_address_the_login_cannot_send_as_is_reported(tmp_path: Path) -> None:
    ws = load_config(write_workspace(tmp_path, smtp={
        "host": "smtp.ionos.de", "username": "info@beispiel-design.de", "password": "x",
        "from": "Anna <anna@gmail.com>"}))
    warning = identity_warning(ws)
    assert warning and "DMARC" in warning and "gmail.com" in warning
    fine = ws.model_copy(update={"smtp": ws.smtp.model_copy(update={  # type: ignore[union-attr]
        "from_": "Anna <anna@beispiel-design.de>"})})
    assert identity_warning(fine) is None
