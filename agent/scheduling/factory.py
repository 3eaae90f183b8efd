"""Builds the planner for a workspace: its calendar, and the offers stored by `run`."""

from __future__ import annotations

from pathlib import Path

from agent.clock import Clock
from agent.config import Workspace
from agent.models import Mail, Proposal
from agent.scheduling.planner import Planner, ProposalLookup
from tools.calendar.factory import open_calendar


def stored_proposals(ws: Workspace, clock: Clock) -> ProposalLookup:
    """Offers the live runner stored, found by the answer's In-Reply-To/References. Opens the
    database only when it exists, so a read-only `triage` never creates one."""
    url = ws.database_url

    def lookup(mail: Mail) -> Proposal | None:
        ids = [i for i in [mail.in_reply_to, *mail.references] if i]
        if not ids:
            return None
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            return None
        from tools.store.repo import Store

        return Store(url, clock).find_proposal(ids)

    return lookup


def scheduler_for(ws: Workspace, clock: Clock) -> Planner | None:
    """The calendar logic for `Deps.schedule`, or None when no calendar is configured."""
    if ws.calendar is None:
        return None
    owners = [e for e in (ws.owner.email, ws.owner.agent_email) if e]
    source = open_calendar(ws.calendar, ws.owner.zone, owners)
    return Planner(ws, source, clock, stored_proposals(ws, clock))
