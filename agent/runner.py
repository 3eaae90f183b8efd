"""`assistenz run`: ingest → store → triage → act, for the configured mailbox.

Every message is committed to the database before anything acts on it; its decision and
side effects are committed together with its `processed` status, so a crash at any point
leaves it either untouched (`new`, processed on the next start) or completely done.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from tqdm import tqdm

from agent.config import Workspace
from agent.pipeline import Deps, default_deps, triage
from tools.sources import MailSource, NoMailbox, open_source
from tools.store.repo import Store

log = logging.getLogger(__name__)
POLL_SECONDS = 30.0


def ingest(source: MailSource, store: Store) -> int:
    """Store every message the mailbox has that the database does not; returns the count."""
    count = 0
    for raw in source.fetch(store.known_keys(source.name)):
        if store.store_raw(raw) is not None:
            count += 1
    return count


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
                day = outcome.view.mail.date.date() if outcome.view.mail.date else None
                store.save_outcome(row_id, outcome, day)
                done += 1
            except Exception as exc:  # one bad message must not stop the others
                log.warning("message %s failed: %s: %s", row_id, type(exc).__name__, exc)
                store.mark_failed(row_id, f"{type(exc).__name__}: {exc}")
                failed += 1
            bar.update(1)
    return done, failed


def open_store(ws: Workspace) -> Store:
    store = Store(ws.database_url)
    store.sync_assistants(ws.assistants)
    return store


def run(ws: Workspace, once: bool = False, progress: bool | None = None) -> int:
    try:
        source = open_source(ws)
    except (NoMailbox, FileNotFoundError) as exc:
        sys.stderr.write(f"assistenz: error: {exc}\n")
        return 2
    store = open_store(ws)
    deps = default_deps(ws, load=store.open_tasks, replied=store.auto_replied)
    try:
        while True:
            new = ingest(source, store)
            done, failed = process_pending(store, deps, progress)
            if new or done or failed:
                log.warning("stored %d new, processed %d, failed %d", new, done, failed)
            if once:
                return 0
            source.wait(POLL_SECONDS)
    finally:
        source.close()


def list_items(ws: Workspace, status: str | None = None) -> list[dict[str, Any]]:
    return open_store(ws).items(status)


def retry(ws: Workspace, ids: list[int] | None = None) -> int:
    return open_store(ws).retry(ids or None)
