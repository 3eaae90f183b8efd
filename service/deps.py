"""`Deps` for a workspace: the decision stages wired to the world — the embedded offline
classifier and its example store, the router, the drafter, the configured LLM (if any),
the calendar, the stored offers, the reply ledger and the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from agent.classify.base import Classifier
from agent.drafts import Drafter, LLMDrafter, TemplateDrafter
from agent.learned import LearnedDrafter
from agent.pipeline import Deps
from agent.policy import ReplyLedger
from agent.routing import Router
from core.clock import Clock, system_clock
from core.config import Team, Workspace
from core.models import Mail, Proposal
from core.ports import LLMClient
from service.classifier import build_classifier
from service.scheduler import scheduler_for, stored_offers
from tools.embeddings import get_embedder
from tools.knowledge import open_knowledge
from tools.llm import build_llm
from tools.names import first_names
from tools.store import Store
from tools.store.approved import ApprovedReplyIndex
from tools.store.db import Database


def default_deps(ws: Workspace, classifier: Classifier | None = None,
                 load: Callable[[str], int] | None = None,
                 replied: Callable[[str, date], bool] | None = None,
                 clock: Clock = system_clock,
                 exclude_examples: object = None, llm: LLMClient | None = None,
                 offers: Callable[[Mail], Proposal | None] | None = None,
                 ibans: Callable[[Mail], list[str]] | None = None,
                 learn_from: Database | None = None,
                 teams: Callable[[], list[Team]] | None = None) -> Deps:
    """The embedded offline default, plus the configured LLM (or the `llm` given, e.g. a
    scripted one in tests) for unsure cases and for drafts. `offers` defaults to reading
    the workspace's database when it exists (read-only). With `learn_from` (the store's
    database), drafts start from the owner's approved wording for similar mail."""
    embedder = get_embedder()
    llm = llm or build_llm(ws.llm)
    planner = scheduler_for(ws, clock)
    drafter: Drafter = LLMDrafter(llm) if llm is not None else TemplateDrafter()
    if learn_from is not None:
        drafter = LearnedDrafter(drafter, ApprovedReplyIndex(learn_from, embedder))
    return Deps(
        ws=ws,
        classifier=classifier or build_classifier(ws, embedder,
                                                  skip_identical=exclude_examples is not None,
                                                  llm=llm),
        router=Router(ws, embedder),
        drafter=drafter,
        ledger=ReplyLedger(replied),
        load=load or (lambda _id: 0),
        clock=clock,
        schedule=planner,
        nights=planner.booked_nights if planner is not None else None,
        offers=(offers or stored_offers(ws, clock)) if planner is not None else None,
        knowledge=open_knowledge(ws.knowledge, ws.data_dir, embedder),
        gender_of=first_names(),
        ibans=ibans or stored_accounts(ws, clock),
        teams=teams or _config_teams(ws, clock),
    )


def _config_teams(ws: Workspace, clock: Clock) -> Callable[[], list[Team]]:
    """Without a store (`triage`): the config's teams whose time is not up."""
    def active() -> list[Team]:
        now = clock()
        return [t for t in ws.teams if t.until_at(ws.owner.zone) > now]
    return active


def stored_accounts(ws: Workspace, clock: Clock) -> Callable[[Mail], list[str]]:
    """The IBANs senders used before, from the workspace's database — for a read-only
    `triage` opened only when the database exists (and only once)."""
    url = ws.database_url
    opened: list[Store] = []

    def known(mail: Mail) -> list[str]:
        if mail.sender is None:
            return []
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            return []
        if not opened:
            opened.append(Store(url, clock))
        return opened[0].accounts.known(mail)

    return known
