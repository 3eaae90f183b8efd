"""`assistenz triage`: many inputs through the pipeline, one JSON object each, in order."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

from tqdm import tqdm

from agent.parse.headers import message_id
from agent.pipeline import Deps, triage
from core.clock import Clock, system_clock
from core.config import Workspace
from core.models import FailedMessage, RawMessage
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
        for raw in read_inputs(paths):
            yield triage_one(raw, deps)
            bar.update(1)
