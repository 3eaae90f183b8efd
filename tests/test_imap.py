"""The IMAP mailbox against a real Dovecot: read without side effects, mark only after the
commit, never delete, survive restarts, renumbering and broken connections."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from mailservers import FIXTURES, CutProxy, Dovecot, ScriptedClassifier, inquiry, write_workspace
from sqlalchemy import func, select

from core.config import Imap, Workspace, load_config
from service.runner import ingest, open_store, run
from tools.imap import KEYWORD, ImapSource
from tools.sources import MailboxUnavailable
from tools.store.models import AuditRow, DecisionRow, MessageRow

pytestmark = pytest.mark.slow
FIXTURE_MAILS = sorted((FIXTURES / "mail").glob("*.eml")) + sorted(
    (FIXTURES / "forwarded").glob("*.eml"))


@pytest.fixture(autouse=True)
def fast_classifier(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the mailbox; the kNN classifier only makes them slow."""
    import service.classifier as factory

    monkeypatch.setattr(factory, "build_classifier", lambda *_a, **_k: ScriptedClassifier())


@pytest.fixture
def dovecot(tmp_path: Path) -> Iterator[Dovecot]:
    server = Dovecot().start()  # not under tmp_path: pytest resets its folder to 0700
    yield server
    server.cleanup()


def workspace(tmp_path: Path, dovecot: Dovecot, **imap: object) -> Workspace:
    return load_config(write_workspace(tmp_path / "ws", imap=dovecot.imap_config(**imap)))


def flags(dovecot: Dovecot, folder: str = "INBOX") -> list[set[bytes]]:
    return [set(d[b"FLAGS"]) for d in dovecot.messages(folder).values()]


def test_run_once_reads_without_side_effects_then_marks_processed(
        tmp_path: Path, dovecot: Dovecot) -> None:
    dovecot.deliver(p.read_bytes() for p in FIXTURE_MAILS)
    ws = workspace(tmp_path, dovecot)
    assert run(ws, once=True) == 0
    items = open_store(ws).messages.items()
    assert len(items) == len(FIXTURE_MAILS)
    assert Counter(i["status"] for i in items) == {"processed": len(FIXTURE_MAILS)}
    assert len({i["source_key"] for i in items}) == len(items)
    # nothing was marked read, nothing moved or deleted; every processed mail carries the mark
    on_server = flags(dovecot)
    assert len(on_server) == len(FIXTURE_MAILS)
    assert not any(b"\\Seen" in f or b"\\Deleted" in f for f in on_server)
    assert all(KEYWORD.encode() in f for f in on_server)
    # a second run finds nothing new
    assert run(ws, once=True) == 0
    assert len(open_store(ws).messages.items()) == len(FIXTURE_MAILS)


def test_processed_folder_moves_mail_and_never_deletes(tmp_path: Path, dovecot: Dovecot) -> None:
    mails = [inquiry(i) for i in range(5)]
    dovecot.deliver(mails)
    ws = workspace(tmp_path, dovecot, processed_folder="Assistenz/Erledigt")
    assert run(ws, once=True) == 0
    assert dovecot.messages("INBOX") == {}
    moved = dovecot.message_ids("Assistenz/Erledigt")
    assert sorted(moved) == sorted(f"<anfrage-{i}@kunden-beispiel.de>" for i in range(5))
    assert all(KEYWORD.encode() in f for f in flags(dovecot, "Assistenz/Erledigt"))


def test_server_without_idle_and_move_is_polled_and_copy_expunges_only_those_uids(
        tmp_path: Path) -> None:
    server = Dovecot(extra="imap_capability = IMAP4rev1 LITERAL+ UIDPLUS")
    server.start()
    try:
        server.deliver([inquiry(1)])
        owner_deleted = inquiry(2)  # the owner marked this one deleted; the agent keeps it
        server.deliver([owner_deleted])
        with server.client() as c:
            c.select_folder("INBOX")
            c.add_flags([2], [b"\\Deleted"])
        ws = workspace(tmp_path, server, processed_folder="Erledigt")
        source = ImapSource(Imap(**server.imap_config(processed_folder="Erledigt")))
        store = open_store(ws)
        assert ingest(source, store) == 2
        with store.db.session() as s:
            first = s.scalars(select(MessageRow).order_by(MessageRow.id)).first()
            assert first is not None
            first.status = "processed"
            s.commit()
        source.mark_processed(store.messages.done_keys(source.name))
        assert server.message_ids("Erledigt") == ["<anfrage-1@kunden-beispiel.de>"]
        assert server.message_ids("INBOX") == ["<anfrage-2@kunden-beispiel.de>"]
        started = time.monotonic()
        source.wait(0.3)  # no IDLE: a plain poll interval
        assert time.monotonic() - started >= 0.3
        source.close()
    finally:
        server.cleanup()


def test_idle_wakes_up_when_mail_arrives(dovecot: Dovecot) -> None:
    source = ImapSource(Imap(**dovecot.imap_config()))
    assert list(source.fetch(set())) == []
    timer = threading.Timer(0.5, dovecot.deliver, [[inquiry(7)]])
    timer.start()
    started = time.monotonic()
    source.wait(60)
    assert time.monotonic() - started < 15  # woken by the server, not by the timeout
    timer.join()
    fetched = list(source.fetch(set()))
    assert [m.data for m in fetched] == [inquiry(7)]
    source.close()


def test_reconnects_after_the_server_restarts(dovecot: Dovecot) -> None:
    source = ImapSource(Imap(**dovecot.imap_config()))
    dovecot.deliver([inquiry(1)])
    first = list(source.fetch(set()))
    dovecot.restart()
    dovecot.deliver([inquiry(2)])
    second = list(source.fetch({m.source_key for m in first if m.source_key}))
    assert [m.data for m in second] == [inquiry(2)]
    dovecot.stop()
    with pytest.raises(MailboxUnavailable):
        list(source.fetch(set()))
    source.close()


def test_uidvalidity_change_resyncs_without_processing_anything_twice(
        tmp_path: Path, dovecot: Dovecot) -> None:
    dovecot.deliver(p.read_bytes() for p in FIXTURE_MAILS[:8])
    ws = workspace(tmp_path, dovecot)
    assert run(ws, once=True) == 0
    store = open_store(ws)
    before = {i["source_key"] for i in store.messages.items()}
    dovecot.stop()
    dovecot.change_uidvalidity()
    dovecot.start()
    dovecot.deliver([inquiry(99)])
    assert run(ws, once=True) == 0
    items = store.messages.items()
    assert len(items) == 9 and all(i["status"] == "processed" for i in items)
    with store.db.session() as s:
        per_message = Counter(s.scalars(select(DecisionRow.message_id)))
        assert set(per_message.values()) == {1}
        seen_again = s.scalar(select(func.count()).select_from(AuditRow)
                              .where(AuditRow.event == "seen_again"))
        assert seen_again == 8
    # the renumbered mails are known under their new keys: nothing is read a third time
    source = ImapSource(Imap(**dovecot.imap_config()))
    assert list(source.fetch(store.messages.known_keys(source.name))) == []
    assert {i["source_key"] for i in items} - before == {items[-1]["source_key"]}
    assert all(KEYWORD.encode() in f for f in flags(dovecot))
    source.close()


def test_connection_dropped_mid_fetch_loses_and_duplicates_nothing(
        tmp_path: Path, dovecot: Dovecot) -> None:
    padding = "Zeile mit Inhalt für eine größere Nachricht.\r\n" * 1500  # ~70 kB
    mails = [inquiry(i).replace(b"Viele Gr", padding.encode() + b"Viele Gr") for i in range(30)]
    dovecot.deliver(mails)
    proxy = CutProxy(dovecot.port, cut_after=1_000_000)
    ws = workspace(tmp_path, dovecot)
    store = open_store(ws)
    cfg = Imap(**{**dovecot.imap_config(), "port": proxy.port})
    source = ImapSource(cfg, batch_count=5)
    with pytest.raises(MailboxUnavailable):
        ingest(source, store)
    assert proxy.cuts == 1
    kept = len(store.messages.items())
    assert 0 < kept < 30  # what arrived before the cut is committed
    assert ingest(source, store) == 30 - kept  # the next round reconnects and reads the rest
    stored = sorted(bytes(r) for r in _raw_rows(store))
    assert stored == sorted(mails)
    source.close()
    proxy.close()


def _raw_rows(store: object) -> list[bytes]:
    with store.db.session() as s:  # type: ignore[attr-defined]
        return list(s.scalars(select(MessageRow.raw)))


def test_bad_input_from_the_wire_is_stored_whole_and_the_worker_keeps_going(
        tmp_path: Path, dovecot: Dovecot) -> None:
    big = inquiry(1).replace(b"Viele Gr", b"x" * 76 + b"\r\n") * 1  # base for the big one
    big = big + (b"A" * 76 + b"\r\n") * 80_000  # ~6 MB
    parts = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\nTeil %d\r\n" % i
                     for i in range(3000))
    many_parts = (b"From: viele@teile.de\r\nSubject: 3000 parts\r\nMessage-ID: <parts@x.de>\r\n"
                  b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                  + parts + b"--b--\r\n")
    twin_a = inquiry(5).replace(b"Kundin 5\r\n", b"Kundin 5 (erste Fassung)\r\n")
    twin_b = inquiry(5)  # the same Message-ID, other content: both are kept
    wire = [big, many_parts, twin_a, twin_b, twin_b] + [
        (FIXTURES / "mail" / n).read_bytes() for n in (
            "8bit-headers.eml", "unknown-charset.eml", "wrong-charset.eml",
            "no-message-id.eml", "huge-part-count.eml", "deep-nesting.eml")]
    dovecot.deliver(wire)
    ws = workspace(tmp_path, dovecot)
    assert run(ws, once=True) == 0
    store = open_store(ws)
    items = store.messages.items()
    assert len(items) == len(wire) - 1  # the exact copy of twin_b is recognised
    assert all(i["status"] in {"processed", "failed"} for i in items)
    assert all(i["error"] for i in items if i["status"] == "failed")
    sizes = sorted(len(r) for r in _raw_rows(store))
    on_server = dovecot.messages()
    assert max(sizes) > 6_000_000  # nothing truncated
    assert len(on_server) == len(wire)
    with store.db.session() as s:
        again = s.scalars(select(AuditRow).where(AuditRow.event == "seen_again")).all()
        assert len(again) == 1


def test_a_crash_between_commit_and_mark_is_caught_up_on_the_next_start(
        tmp_path: Path, dovecot: Dovecot) -> None:
    dovecot.deliver([inquiry(i) for i in range(4)])
    ws = workspace(tmp_path, dovecot)
    assert run(ws, once=True) == 0
    with dovecot.client() as c:  # as if the process died before it could set the keyword
        c.select_folder("INBOX")
        c.remove_flags(c.search(["ALL"]), [KEYWORD])
    assert not any(KEYWORD.encode() in f for f in flags(dovecot))
    assert run(ws, once=True) == 0
    assert all(KEYWORD.encode() in f for f in flags(dovecot))
    with open_store(ws).db.session() as s:
        assert s.scalar(select(func.count()).select_from(DecisionRow)) == 4  # not redone
