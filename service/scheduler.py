"""Builds the scheduling stage for a workspace: its calendar, and the offers stored by `run`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from agent.scheduling.planner import Planner
from core.clock import Clock
from core.config import Workspace
from core.models import Mail, Proposal
from tools.calendar.factory import open_calendar
from tools.store import Store

OfferLookup = Callable[[Mail], Proposal | None]


def thread_ids(mail: Mail) -> list[str]:
    return [i for i in [mail.in_reply_to, *mail.references] if i]


def offers_from(store: Store) -> OfferLookup:
    """Offers the live runner stored, found by the answer's In-Reply-To/References."""

    def lookup(mail: Mail) -> Proposal | None:
        ids = thread_ids(mail)
        return store.ledger.find_proposal(ids) if ids else None

    return lookup


def stored_offers(ws: Workspace, clock: Clock) -> OfferLookup:
    """The same for a read-only `triage`: the database is opened only when it exists (and
    only once), so triage never creates one."""
    url = ws.database_url
    opened: list[Store] = []

    def lookup(mail: Mail) -> Proposal | None:
        ids = thread_ids(mail)
        if not ids:
            return None
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            return None
        if not opened:
            opened.append(Store(url, clock))
        return opened[0].ledger.find_proposal(ids)

    return lookup


def scheduler_for(ws: Workspace, clock: Clock) -> Planner | None:
    """The calendar logic for `Deps.schedule`, or None when no calendar is configured."""
    if ws.calendar is None:
        return None
    owners = [e for e in (ws.owner.email, ws.owner.agent_email) if e]
    source = open_calendar(ws.calendar, ws.owner.zone, owners)
    return Planner(ws, source, clock)
