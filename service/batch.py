"""`assistenz triage`: many inputs through the pipeline, one JSON object each, in order."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from functools import partial

from tqdm import tqdm

from agent.pipeline import Deps, triage
from core.clock import Clock, system_clock
from core.config import Workspace
from core.models import FailedMessage, RawMessage
from service.deps import default_deps
from service.worker import Budget, OverBudget, Worker, WorkerError
from tools.files import Unreadable, count_inputs, read_inputs
from tools.store.peek import peek_id

log = logging.getLogger(__name__)


def _message_id(raw: RawMessage) -> str | None:
    """The Message-ID of a message that could not be triaged: read with the linear peek
    (never the header parser: the message may be the one that broke it)."""
    try:
        return peek_id(raw.data)
    except Exception:
        return None


def triage_one(raw: RawMessage | Unreadable, deps: Deps | Worker) -> dict[str, object]:
    """One result object; a broken message — or one over its budget — yields an error
    object, never an exception."""
    if isinstance(raw, Unreadable):
        return FailedMessage(ref=raw.ref, error=raw.error).to_json()
    try:
        if isinstance(deps, Worker):
            outcome = deps.triage(raw)  # rule 5 across the files: the worker remembers
        else:
            outcome = triage(raw, deps)
            deps.ledger.apply(outcome.decision.replies)  # rule 5 across the files of one run
    except (OverBudget, WorkerError) as exc:
        log.warning("%s: %s", raw.ref, exc)
        return FailedMessage(ref=raw.ref, message_id=_message_id(raw),
                             error=str(exc)[:500]).to_json()
    except Exception as exc:  # one broken message must not stop the others
        log.debug("triage failed for %s", raw.ref, exc_info=True)
        error = f"{type(exc).__name__}: {exc}"[:500]
        return FailedMessage(ref=raw.ref, message_id=_message_id(raw), error=error).to_json()
    return outcome.to_json()


def triage_inputs(ws: Workspace, paths: list[str], progress: bool | None = None,
                  deps: Deps | None = None,
                  clock: Clock = system_clock) -> Iterator[dict[str, object]]:
    """Every message of the inputs, in order. Without `deps` (the command), each message is
    triaged in the budgeted worker process (service/worker.py)."""
    disable = (not sys.stderr.isatty()) if progress is None else not progress
    bar = tqdm(total=count_inputs(paths), unit="mail", desc="triage", disable=disable,
               file=sys.stderr)
    if deps is not None:
        with bar:
            for raw in read_inputs(paths):
                yield triage_one(raw, deps)
                bar.update(1)
        return
    with bar, Worker(partial(_worker_deps, ws), clock, Budget.of(ws)) as worker:
        for raw in read_inputs(paths):
            yield triage_one(raw, worker)
            bar.update(1)


def _worker_deps(ws: Workspace, clock: Clock) -> Deps:
    """The pipeline inside the triage worker (a module-level function: it is pickled)."""
    return default_deps(ws, clock=clock)
