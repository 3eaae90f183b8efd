"""`serve` sends too: a background thread that writes due notices, queues approved drafts
once their undo window has passed, and sends the outbox — the same steps `run` takes each
round. Each outbox row is claimed atomically, so whichever process is up sends it once."""

from __future__ import annotations

import logging
import threading

from core.config import Workspace
from service.notices import queue_notices
from service.tasks import tick
from service.teams import dissolve_due
from tools.mailbox import MailboxUnavailable
from tools.outbox import Outbox, open_outbox
from tools.store import Store
from tools.webhooks import deliver_due

log = logging.getLogger(__name__)
INTERVAL = 2.0  # seconds between rounds: an approval goes out this soon after its window


def one_round(store: Store, ws: Workspace, outbox: Outbox) -> dict[str, int]:
    """Teams whose time is up dissolved, tasks (offers announced, expired, escalated),
    notices, then mail and webhooks out."""
    dissolved = dissolve_due(store, ws)
    counts = tick(store, ws)
    counts["teams_dissolved"] = dissolved
    queue_notices(store, ws)
    counts.update(outbox.run())
    hooks = deliver_due(store.webhooks, ws, store.clock)
    counts.update({f"webhook_{k}": v for k, v in hooks.items()})
    return counts


class Sender:
    def __init__(self, store: Store, ws: Workspace, interval: float = INTERVAL) -> None:
        self.store = store
        self.ws = ws
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="assistenz-sender", daemon=True)

    def start(self) -> Sender:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def _loop(self) -> None:
        outbox = open_outbox(self.ws, self.store)
        try:
            while not self._stop.is_set():
                try:
                    counts = one_round(self.store, self.ws, outbox)
                    if any(counts.values()):
                        log.warning("outbox: %s", ", ".join(f"{k} {v}" for k, v in
                                                            counts.items() if v))
                except MailboxUnavailable as exc:
                    log.warning("outbox: %s; trying again", exc)
                except Exception:  # the UI keeps serving; the next round tries again
                    log.exception("outbox round failed")
                self._stop.wait(self.interval)
        finally:
            outbox.close()
