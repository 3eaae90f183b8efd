"""`assistenz triage`: many inputs through the pipeline, one JSON object each, in order."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

from tqdm import tqdm

from agent.parse.headers import message_id
from agent.pipeline import Deps, triage, triage_batch
from core.clock import Clock, system_clock
from core.config import Workspace
from core.models import FailedMessage, RawMessage, TriageOutcome
from service.deps import default_deps
from tools.files import Unreadable, count_inputs, read_inputs

log = logging.getLogger(__name__)


def _message_id(raw: RawMessage) -> str | None:
    from email import policy
    from email.parser import BytesHeaderParser

    try:
        return message_id(BytesHeaderParser(policy=policy.default).parsebytes(raw.data[:65536]))
    except Exception:
        return None


BATCH = 16  # messages parsed and embedded together (one embedding call for all)


def _result(raw: RawMessage, outcome: TriageOutcome | Exception, deps: Deps) -> dict[str, object]:
    if isinstance(outcome, Exception):
        log.debug("triage failed for %s", raw.ref, exc_info=outcome)
        error = f"{type(outcome).__name__}: {outcome}"[:500]
        return FailedMessage(ref=raw.ref, message_id=_message_id(raw), error=error).to_json()
    deps.ledger.apply(outcome.decision.replies)  # rule 5 across the files of one run
    return outcome.to_json()


def triage_many(items: list[RawMessage | Unreadable], deps: Deps) -> Iterator[dict[str, object]]:
    """One result object per input, in order; readable messages go through the pipeline
    as one batch (their texts embedded together)."""
    raws = [r for r in items if isinstance(r, RawMessage)]
    outcomes = triage_batch(raws, deps)
    for item in items:
        if isinstance(item, Unreadable):
            yield FailedMessage(ref=item.ref, error=item.error).to_json()
        else:
            yield _result(item, next(outcomes), deps)


def triage_one(raw: RawMessage | Unreadable, deps: Deps) -> dict[str, object]:
    """One result object; a broken message yields an error object, never an exception."""
    if isinstance(raw, Unreadable):
        return FailedMessage(ref=raw.ref, error=raw.error).to_json()
    try:
        outcome = triage(raw, deps)
    except Exception as exc:  # one broken message must not stop the others
        log.debug("triage failed for %s", raw.ref, exc_info=True)
        error = f"{type(exc).__name__}: {exc}"[:500]
        return FailedMessage(ref=raw.ref, message_id=_message_id(raw), error=error).to_json()
    deps.ledger.apply(outcome.decision.replies)  # rule 5 across the files of one run
    return outcome.to_json()


def triage_inputs(ws: Workspace, paths: list[str], progress: bool | None = None,
                  deps: Deps | None = None,
                  clock: Clock = system_clock) -> Iterator[dict[str, object]]:
    deps = deps or default_deps(ws, clock=clock)
    disable = (not sys.stderr.isatty()) if progress is None else not progress
    bar = tqdm(total=count_inputs(paths), unit="mail", desc="triage", disable=disable,
               file=sys.stderr)
    with bar:
        chunk: list[RawMessage | Unreadable] = []
        for raw in read_inputs(paths):
            chunk.append(raw)
            if len(chunk) >= BATCH:
                for result in triage_many(chunk, deps):
                    yield result
                    bar.update(1)
                chunk = []
        for result in triage_many(chunk, deps):
            yield result
            bar.update(1)
