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
from service.worker import Budget, InProcess, OverBudget, Triager, Worker, WorkerError
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


BATCH = 16  # messages parsed and embedded together (one embedding call for all)


def triage_many(items: list[RawMessage | Unreadable], triager: Triager | Deps
                ) -> Iterator[dict[str, object]]:
    """One result object per input, in order; readable messages go through the pipeline
    as one batch (their texts embedded together); a broken one, or one over its budget,
    yields an error object."""
    if isinstance(triager, Deps):
        triager = InProcess(triager)
    raws = [r for r in items if isinstance(r, RawMessage)]
    outcomes = iter(triager.triage_many(raws) if raws else [])
    for item in items:
        if isinstance(item, Unreadable):
            yield FailedMessage(ref=item.ref, error=item.error).to_json()
            continue
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            log.warning("%s: %s", item.ref, outcome)
            yield FailedMessage(ref=item.ref, message_id=_message_id(item),
                                error=str(outcome)[:500]).to_json()
        else:
            yield outcome.to_json()


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
    triager: Triager = InProcess(deps) if deps is not None else \
        Worker(partial(_worker_deps, ws), clock, Budget.of(ws))
    try:
        with bar:
            chunk: list[RawMessage | Unreadable] = []
            for raw in read_inputs(paths):
                chunk.append(raw)
                if len(chunk) >= BATCH:
                    for result in triage_many(chunk, triager):
                        yield result
                        bar.update(1)
                    chunk = []
            for result in triage_many(chunk, triager):
                yield result
                bar.update(1)
    finally:
        if isinstance(triager, Worker):
            triager.close()


def _worker_deps(ws: Workspace, clock: Clock) -> Deps:
    """The pipeline inside the triage worker (a module-level function: it is pickled)."""
    return default_deps(ws, clock=clock)
