"""`assistenz run`: ingest → store → triage → act, for the configured mailbox.

Every message is committed to the database before anything acts on it; its decision and
side effects are committed together with its `processed` status, so a crash at any point
leaves it either untouched (`new`, processed on the next start) or completely done.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from agent.explain import explain_failure
from agent.pipeline import Deps
from agent.scheduling.planner import Planner
from core.clock import Clock, system_clock
from core.config import Workspace
from core.ical.base import CalendarSource
from core.models import RawMessage, TriageOutcome
from service.deps import default_deps
from service.progress import Progress
from service.scheduler import offers_from, scheduler_for
from service.sender import one_round
from service.worker import Budget, InProcess, OverBudget, Triager, Worker, WorkerError
from tools.calendar.live import apply_pending
from tools.outbox import Outbox, open_outbox
from tools.sources import MailboxUnavailable, MailSource, NoMailbox, open_source
from tools.store import Store
from tools.store.messages import FailureNotice, worker_id
from tools.store.results import Conflict

log = logging.getLogger(__name__)
POLL_SECONDS = 30.0
COMMIT_COUNT = 1000  # messages per ingest transaction
COMMIT_BYTES = 16 * 1024 * 1024
BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
ONCE_ATTEMPTS = 3  # --once gives up after this many failed tries to reach the mailbox
CLAIM_BATCH = 20  # messages a worker leases at a time (several workers share the rest)
MAX_CONFLICTS = 3


def ingest(source: MailSource, store: Store) -> int:
    """Store every message the mailbox has that the database does not; returns the count.

    Messages are committed in batches; a broken connection keeps what was committed.
    """
    count = 0
    batch: list[RawMessage] = []
    size = 0
    try:
        for raw in source.fetch(store.messages.known_keys(source.name)):
            batch.append(raw)
            size += len(raw.data)
            if len(batch) >= COMMIT_COUNT or size >= COMMIT_BYTES:
                count += _commit(store, batch)
                batch, size = [], 0
    finally:
        count += _commit(store, batch)
    return count


def _commit(store: Store, batch: list[RawMessage]) -> int:
    return sum(row is not None for row in store.messages.store_batch(batch)) if batch else 0


def _triager(deps: Deps | Triager) -> Triager:
    return InProcess(deps) if isinstance(deps, Deps) else deps


def process_pending(store: Store, deps: Deps | Triager, progress: bool | None = None,
                    worker: str | None = None, policy: RetryPolicy | None = None
                    ) -> tuple[int, int]:
    """Triage and act on every stored `new` message this worker can claim; returns
    (processed, failed). Other workers on the same database take their own share. Failed
    messages whose retry time has come are queued again first; mail never tried before is
    claimed before mail that failed."""
    worker = worker or worker_id()
    triager = _triager(deps)
    policy = policy or (RetryPolicy.of(deps.ws) if isinstance(deps, Deps) else RetryPolicy())
    done = failed = 0
    conflicts: dict[int, int] = {}
    store.messages.requeue_due()
    # a bar with the time left on a terminal, else a log line every 30 s (service/progress.py)
    with Progress(store.messages.count("new"), "process", progress) as bar:
        while batch := store.messages.claim(worker, CLAIM_BATCH):
            outcomes = triager.triage_many([raw for _, raw in batch])  # one embedding call
            for (row_id, _raw), outcome in zip(batch, outcomes, strict=True):
                result = _process_one(store, outcome, worker, row_id, conflicts, policy)
                done += result == "done"
                failed += result == "failed"
                bar.update(1)
    return done, failed


def _process_one(store: Store, outcome: TriageOutcome | Exception, worker: str, row_id: int,
                 conflicts: dict[int, int], policy: RetryPolicy) -> str:
    try:
        if isinstance(outcome, Exception):
            raise outcome
        saved = store.results.save(row_id, outcome, worker)
    except Conflict as exc:  # another worker's reply used up today's one: decide again
        conflicts[row_id] = conflicts.get(row_id, 0) + 1
        if conflicts[row_id] < MAX_CONFLICTS:
            store.messages.release(row_id)
            return "again"
        _fail(store, row_id, f"Conflict: {exc}", policy)
        return "failed"
    except (OverBudget, WorkerError) as exc:  # one bad message must not stop the others
        log.warning("message %s failed: %s", row_id, exc)
        _fail(store, row_id, str(exc), policy)
        return "failed"
    except Exception as exc:  # the store itself: still only this message
        log.warning("message %s failed: %s: %s", row_id, type(exc).__name__, exc)
        _fail(store, row_id, f"{type(exc).__name__}: {exc}", policy)
        return "failed"
    return "done" if saved else "skipped"


@dataclass(frozen=True)
class RetryPolicy:
    """How failed messages are retried (`limits.retries`, `limits.retry_minutes`) and in
    which language the owner is told."""

    retries: int = 3
    first_wait: timedelta = timedelta(minutes=5)
    language: str = "de"

    @classmethod
    def of(cls, ws: Workspace) -> RetryPolicy:
        return cls(retries=ws.limits.retries,
                   first_wait=timedelta(minutes=ws.limits.retry_minutes),
                   language=ws.owner.languages[0])


def _fail(store: Store, row_id: int, error: str, policy: RetryPolicy) -> None:
    """Marked `failed` with the reason, the owner told (a notify item), and — while it has
    tries left — queued again after a wait that doubles each time."""
    notice = FailureNotice(explanation=explain_failure(error, policy.language),
                           language=policy.language)
    store.messages.mark_failed(row_id, error, policy.retries, policy.first_wait, notice)


def open_store(ws: Workspace, clock: Clock = system_clock) -> Store:
    store = Store(ws.database_url, clock)
    store.tasks.sync_assistants(ws.people)
    store.teams.sync(ws.teams, ws.owner.zone)
    return store


def cycle(source: MailSource, store: Store, deps: Deps | Triager, outbox: Outbox,
          progress: bool | None = None, calendar: CalendarSource | None = None,
          policy: RetryPolicy | None = None) -> None:
    """One round: ingest → process → mark on the server → calendar → send."""
    new = ingest(source, store)
    done, failed = process_pending(store, deps, progress, policy=policy)
    source.mark_processed(store.messages.done_keys(source.name))
    if calendar is not None:
        apply_pending(store, calendar)
    sent = one_round(store, outbox.ws, outbox)
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
    worker = Worker(partial(worker_deps, ws), clock, Budget.of(ws))
    outbox = open_outbox(ws, store)
    # the calendar the triage worker reads is written with what it accepted
    planner = scheduler_for(ws, clock)
    calendar = planner.source if isinstance(planner, Planner) else None
    failures = 0
    try:
        while True:
            try:
                cycle(source, store, worker, outbox, progress, calendar, RetryPolicy.of(ws))
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
        worker.close()


def worker_deps(ws: Workspace, clock: Clock) -> Deps:
    """The pipeline inside `run`'s triage worker, reading its own connection to the store
    (open tasks, rule 5's ledger, offered slots, the IBANs senders used)."""
    store = Store(ws.database_url, clock)
    return default_deps(ws, load=store.tasks.open_tasks, replied=store.ledger.auto_replied,
                        clock=clock, offers=offers_from(store), ibans=store.accounts.known,
                        learn_from=store.db, teams=lambda: store.teams.active(clock()))


def list_items(ws: Workspace, status: str | None = None) -> list[dict[str, Any]]:
    return open_store(ws).messages.items(status)


def retry(ws: Workspace, ids: list[int] | None = None) -> int:
    return open_store(ws).messages.retry(ids or None)
