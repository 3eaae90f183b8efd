"""`assistenz run`: ingest → store → triage → act, for the configured mailbox.

Every message is committed to the database before anything acts on it; its decision and
side effects are committed together with its `processed` status, so a crash at any point
leaves it either untouched (`new`, processed on the next start) or completely done.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from tqdm import tqdm

from agent.clock import Clock, system_clock
from agent.config import Workspace
from agent.models import RawMessage
from agent.pipeline import Deps, default_deps, triage
from agent.scheduling.planner import Planner
from tools.calendar.base import CalendarSource
from tools.calendar.live import apply_pending
from tools.outbox import Outbox, open_outbox
from tools.sources import MailboxUnavailable, MailSource, NoMailbox, open_source
from tools.store.repo import Store

log = logging.getLogger(__name__)
POLL_SECONDS = 30.0
COMMIT_COUNT = 1000  # messages per ingest transaction
COMMIT_BYTES = 16 * 1024 * 1024
BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
ONCE_ATTEMPTS = 3  # --once gives up after this many failed tries to reach the mailbox


def ingest(source: MailSource, store: Store) -> int:
    """Store every message the mailbox has that the database does not; returns the count.

    Messages are committed in batches; a broken connection keeps what was committed.
    """
    count = 0
    batch: list[RawMessage] = []
    size = 0
    try:
        for raw in source.fetch(store.known_keys(source.name)):
            batch.append(raw)
            size += len(raw.data)
            if len(batch) >= COMMIT_COUNT or size >= COMMIT_BYTES:
                count += _commit(store, batch)
                batch, size = [], 0
    finally:
        count += _commit(store, batch)
    return count


def _commit(store: Store, batch: list[RawMessage]) -> int:
    return sum(row is not None for row in store.store_batch(batch)) if batch else 0


def process_pending(store: Store, deps: Deps, progress: bool | None = None) -> tuple[int, int]:
    """Triage and act on every stored `new` message; returns (processed, failed)."""
    pending = store.pending()
    done = failed = 0
    disable = (not sys.stderr.isatty()) if progress is None else not progress
    with tqdm(total=len(pending), unit="mail", desc="process", disable=disable,
              file=sys.stderr) as bar:
        for row_id, raw in pending:
            try:
                outcome = triage(raw, deps)
                store.save_outcome(row_id, outcome)
                deps.ledger.apply(outcome.decision.replies)
                done += 1
            except Exception as exc:  # one bad message must not stop the others
                log.warning("message %s failed: %s: %s", row_id, type(exc).__name__, exc)
                store.mark_failed(row_id, f"{type(exc).__name__}: {exc}")
                failed += 1
            bar.update(1)
    return done, failed


def open_store(ws: Workspace, clock: Clock = system_clock) -> Store:
    store = Store(ws.database_url, clock)
    store.sync_assistants(ws.assistants)
    return store


def cycle(source: MailSource, store: Store, deps: Deps, outbox: Outbox,
          progress: bool | None = None, calendar: CalendarSource | None = None) -> None:
    """One round: ingest → process → mark on the server → calendar → send."""
    new = ingest(source, store)
    done, failed = process_pending(store, deps, progress)
    source.mark_processed(store.done_keys(source.name))
    if calendar is not None:
        apply_pending(store, calendar)
    sent = outbox.run()
    if new or done or failed or any(sent.values()):
        log.warning("stored %d new, processed %d, failed %d; outbox %s", new, done, failed,
                    ", ".join(f"{k} {v}" for k, v in sent.items() if v) or "-")


def run(ws: Workspace, once: bool = False, progress: bool | None = None,
        clock: Clock = system_clock) -> int:
    try:
        source = open_source(ws)
    except (NoMailbox, FileNotFoundError) as exc:
        sys.stderr.write(f"assistenz: error: {exc}\n")
        return 2
    store = open_store(ws, clock)
    deps = default_deps(ws, load=store.open_tasks, replied=store.auto_replied, clock=clock)
    outbox = open_outbox(ws, store)
    # the planner's own calendar: live mode writes what it accepted to the same source
    calendar = deps.schedule.source if isinstance(deps.schedule, Planner) else None
    failures = 0
    try:
        while True:
            try:
                cycle(source, store, deps, outbox, progress, calendar)
                failures = 0
            except MailboxUnavailable as exc:
                failures += 1
                if once and failures >= ONCE_ATTEMPTS:
                    sys.stderr.write(f"assistenz: error: {exc}\n")
                    return 1
                delay = BACKOFF[min(failures, len(BACKOFF)) - 1]
                log.warning("%s; trying again in %.0f s", exc, delay)
                time.sleep(delay)
                continue
            if once:
                return 0
            source.wait(POLL_SECONDS)
    finally:
        source.close()
        outbox.close()


def list_items(ws: Workspace, status: str | None = None) -> list[dict[str, Any]]:
    return open_store(ws).items(status)


def retry(ws: Workspace, ids: list[int] | None = None) -> int:
    return open_store(ws).retry(ids or None)
