"""Live mode: apply the calendar changes committed with the decisions to a writable
calendar (CalDAV). By UID, so a change applied twice after a crash does no harm; a
calendar file is never written — its changes are marked `skipped` (the owner was told)."""

from __future__ import annotations

import logging
from collections import Counter

from core.ical.base import CalendarSource
from tools.store import Store
from tools.store.calendar_ops import finish, pending

log = logging.getLogger(__name__)


def apply_pending(store: Store, source: CalendarSource) -> dict[str, int]:
    done: Counter[str] = Counter()
    for op in pending(store):
        if not source.writable:
            finish(store, op, "skipped")
            done["skipped"] += 1
            continue
        try:
            if op.op == "create":
                source.add_event(op.ics)
            else:
                source.remove_event(op.uid)
        except Exception as exc:  # the calendar server said no: the owner must look
            log.warning("calendar %s of %s failed: %s", op.op, op.uid, exc)
            finish(store, op, "failed", f"{type(exc).__name__}: {exc}"[:500])
            done["failed"] += 1
            continue
        finish(store, op, "done")
        done[op.op] += 1
    return dict(done)
