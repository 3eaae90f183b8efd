"""Webhooks for task events, the Standard Webhooks way, against a real HTTP receiver that
checks them with the README's example (examples/webhook_receiver.py): signed, delivered at
least once from an outbox, retried after a failure, replays and stale timestamps refused,
private addresses refused unless allowed."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from mailservers import free_port
from reviewkit import MovableClock, seeded_store

from core.config import Assistant, Webhook, Workspace
from service import tasks as lifecycle
from tools.store import Store
from tools.webhooks import deliver_due, public_address, sign

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
from webhook_receiver import Duplicate, Rejected, verify

SECRET = "whsec_" + "c2VjcmV0LWtleS1mb3ItYXNzaXN0ZW56LXRlc3Rz"


class Receiver:
    """An HTTP endpoint that verifies every request and fails the first `fail` ones."""

    def __init__(self, fail: int = 0) -> None:
        self.port = free_port()
        self.events: list[dict[str, object]] = []
        self.raw: list[tuple[dict[str, str], bytes]] = []
        self.fail = fail
        self.seen: set[str] = set()
        me = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                me.raw.append((headers, body))
                if me.fail:
                    me.fail -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                try:
                    me.events.append(verify(SECRET, headers, body, me.seen,
                                            now=float(headers["webhook-timestamp"])))
                    self.send_response(200)
                except Duplicate:
                    self.send_response(200)
                except Rejected:
                    self.send_response(400)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail=1)
    yield r
    r.close()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


def workspace(ws: Workspace, url: str, allow_private: bool = True) -> Workspace:
    hook = Webhook(url=url, secret=SECRET, allow_private=allow_private)
    lena = next(a for a in ws.assistants if a.id == "lena")
    lena = Assistant.model_validate({**lena.model_dump(by_alias=True), "notify": "webhook",
                                     "webhook": hook.model_dump()})
    others = [a for a in ws.assistants if a.id != "lena"]
    tools = Webhook(url=url, secret=SECRET, events=["task.accepted"],
                    allow_private=allow_private)
    return ws.model_copy(update={"assistants": [lena, *others], "webhooks": [tools]})


def test_task_events_arrive_signed_once_after_a_failure(ws: Workspace, tmp_path: Path,
                                                        receiver: Receiver,
                                                        clock: MovableClock) -> None:
    w = workspace(ws, receiver.url)
    store: Store = seeded_store(w, tmp_path, clock)
    lifecycle.tick(store, w)  # the offer: a webhook row, no mail (lena wants webhooks)
    tid = next(t.id for t in store.tasks.all("lena"))
    assert deliver_due(store.webhooks, w, store.clock) == {"delivered": 0, "retry": 1,
                                                           "failed": 0}
    assert deliver_due(store.webhooks, w, store.clock)["retry"] == 0  # not before its time
    clock.at += timedelta(seconds=6)
    assert deliver_due(store.webhooks, w, store.clock)["delivered"] == 1
    lifecycle.accept(store, w, tid, "assistant:lena", "lena")
    assert deliver_due(store.webhooks, w, store.clock)["delivered"] == 2  # lena + the tools
    types = [e["type"] for e in receiver.events]
    assert types == ["task.offered", "task.accepted", "task.accepted"]
    offered = receiver.events[0]["data"]
    assert offered["task"]["id"] == tid and offered["task"]["title"] == "Rechnung 4711"  # type: ignore[index]
    assert "Frage Nummer" not in json.dumps(receiver.events)  # no mail content in webhooks
    # the same delivery twice (at least once): the receiver answers 200 and skips it
    headers, body = receiver.raw[1]
    again = httpx.post(receiver.url, content=body, headers=headers)
    assert again.status_code == 200 and len(receiver.events) == 3


def test_the_readme_receiver_refuses_forgeries_and_replays() -> None:
    body = b'{"type":"task.offered"}'
    now = 1_800_000_000
    good = {"webhook-id": "msg_1", "webhook-timestamp": str(now),
            "webhook-signature": sign(SECRET, "msg_1", now, body)}
    seen: set[str] = set()
    assert verify(SECRET, good, body, seen, now=now)["type"] == "task.offered"
    with pytest.raises(Duplicate):
        verify(SECRET, good, body, seen, now=now)
    with pytest.raises(Rejected, match="timestamp"):
        verify(SECRET, {**good, "webhook-id": "msg_2"}, body, set(), now=now + 301)
    with pytest.raises(Rejected, match="signature"):
        verify(SECRET, good, body.replace(b"offered", b"cancelled"), set(), now=now)
    with pytest.raises(Rejected, match="signature"):
        verify("whsec_" + "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA==", good, body, set(), now=now)


def test_private_addresses_are_refused_unless_allowed(ws: Workspace, tmp_path: Path,
                                                      receiver: Receiver,
                                                      clock: MovableClock) -> None:
    assert public_address("http://127.0.0.1:9/x") is not None
    assert public_address("http://10.1.2.3/x") is not None
    w = workspace(ws, receiver.url, allow_private=False)
    store = seeded_store(w, tmp_path, clock)
    lifecycle.tick(store, w)
    assert deliver_due(store.webhooks, w, store.clock)["failed"] == 1
    assert receiver.raw == []
    [row] = store.webhooks.all()
    assert row["status"] == "failed" and "non-public" in str(row["error"])
