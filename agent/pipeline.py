"""The whole flow of one message, in one place.

    ingest (tools/) → parse → view → classify → decide (policy gate) → draft → explain → act

Each stage is a plain function taking and returning typed models (agent/models.py).
`triage()` runs everything up to `explain` and has no side effects; the live runner
(agent/runner.py) stores the result and carries out what the gate allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from agent.classify.base import Classifier
from agent.classify.rules import certain_category
from agent.clock import Clock, day_in, system_clock
from agent.config import Workspace
from agent.drafts import Drafter, LLMDrafter, TemplateDrafter
from agent.explain import explain
from agent.guidance import read_note
from agent.models import (
    Action,
    Category,
    Classification,
    Decision,
    Mail,
    MessageView,
    NoteGuidance,
    ParsedMessage,
    Proposal,
    RawMessage,
    SchedulePlan,
    TriageOutcome,
)
from agent.parse.mime import parse_message
from agent.policy import GateInput, ReplyLedger, decide
from agent.priority import priority_of
from agent.routing import RouteChoice, RouteMiss, Router
from agent.view import build_view
from tools.llm import LLMClient, build_llm

STAGES = ("parse", "view", "classify", "decide", "draft", "explain")


@dataclass
class Deps:
    """Everything a run needs, passed in one object (no globals, the clock injected)."""

    ws: Workspace
    classifier: Classifier
    router: Router
    drafter: Drafter
    ledger: ReplyLedger
    load: Callable[[str], int]  # open tasks per assistant id
    clock: Clock  # the agent's one clock (agent/clock.py); nothing else reads the time
    schedule: Callable[[MessageView], SchedulePlan] | None = None  # calendar logic (rule 4)
    offers: Callable[[Mail], Proposal | None] | None = None  # slots offered in this thread


# --- stages -----------------------------------------------------------------------------


def parse(raw: RawMessage, deps: Deps) -> ParsedMessage:
    return parse_message(raw, deps.ws.limits)


def view(parsed: ParsedMessage, deps: Deps, received_at: datetime | None = None) -> MessageView:
    return build_view(parsed, deps.ws, received_at or deps.clock())


def classify(v: MessageView, guidance: NoteGuidance, deps: Deps) -> Classification:
    """Certain rules first, then the classifier; the owner's note may settle an unsure case."""
    if "limit:size" in v.parsed.flags:
        return Classification(category=Category.other, confidence=0.0, decided_by="limit",
                              priority=priority_of(v, Category.other), flags=["limit:size"])
    certain = certain_category(v)
    if certain is not None:
        cat, rule = certain
        return Classification(category=cat, confidence=0.99, decided_by=rule,
                              priority=priority_of(v, cat))
    if deps.offers is not None and deps.offers(v.mail) is not None:
        # the answer in the thread of slots the agent offered: the calendar logic reads
        # which one was picked (and drafts for the owner when it cannot tell)
        cat = Category.scheduling
        return Classification(category=cat, confidence=0.99, decided_by="thread:offer",
                              priority=priority_of(v, cat))
    result = deps.classifier.classify(v)
    if guidance.category and result.confidence < deps.ws.triage.llm_below_confidence:
        cat = guidance.category
        return Classification(category=cat, confidence=max(result.confidence, 0.8),
                              decided_by="owner-note", priority=priority_of(v, cat),
                              scores=result.scores)
    return result


def with_learned(note: NoteGuidance, c: Classification) -> NoteGuidance:
    """The owner's note wins; a corrected near-identical mail fills in what it leaves open."""
    if c.learned is None or note.action is not None or note.assignee is not None:
        return note
    return NoteGuidance(category=note.category, action=c.learned.action,
                        assignee=c.learned.assignee, source="learned")


def gate(v: MessageView, c: Classification, guidance: NoteGuidance, deps: Deps) -> Decision:
    def route(category: Category) -> RouteChoice | RouteMiss:
        return deps.router.choose(v, category, deps.load)

    def route_to(assistant_id: str) -> RouteChoice | None:
        return deps.router.named(assistant_id, v.language, deps.load)

    inp = GateInput(view=v, classification=c, guidance=guidance, today=received_day(v, deps.ws),
                    route=route, route_to=route_to, ledger=deps.ledger, schedule=deps.schedule)
    return decide(inp, deps.ws)


def draft(v: MessageView, c: Classification, d: Decision, deps: Deps) -> Decision:
    """Write the reply for a draft or a replying auto action, and the calendar objects a
    scheduling decision carries (the answer to an invitation, events to store)."""
    replies = d.action is Action.draft or any(p.type == "send_email" for p in d.planned_actions)
    if replies:
        kind = "auto" if d.action is Action.auto else "draft"
        text = deps.drafter.compose(v.mail, c.category, kind, deps.ws, v.received_at,
                                    d.draft_context)
        d = d.model_copy(update={"draft": text})
    if d.action is Action.auto and deps.schedule is not None:
        from agent.scheduling.replies import materialise

        d = materialise(v.mail, d, deps.ws, deps.clock())
    return d


def triage(raw: RawMessage, deps: Deps) -> TriageOutcome:
    """parse → view → classify → decide → draft → explain, without side effects."""
    v = view(parse(raw, deps), deps, raw.received_at)
    guidance = read_note(v, deps.ws)
    c = classify(v, guidance, deps)
    guidance = with_learned(guidance, c)
    d = draft(v, c, gate(v, c, guidance, deps), deps)
    text = explain(v, c, d, deps.ws.owner.languages[0])
    return TriageOutcome(ref=raw.ref, view=v, classification=c, decision=d, explanation=text)


# --- helpers ----------------------------------------------------------------------------


def received_day(v: MessageView, ws: Workspace) -> date:
    """The owner-local day the agent received the mail: rule 5's daily limit counts by it."""
    return day_in(v.received_at, ws.owner.zone)


def default_deps(ws: Workspace, classifier: Classifier | None = None,
                 load: Callable[[str], int] | None = None,
                 replied: Callable[[str, date], bool] | None = None,
                 clock: Clock = system_clock,
                 exclude_examples: object = None, llm: LLMClient | None = None) -> Deps:
    """Deps for a workspace: the embedded offline default, plus the configured LLM (or the
    `llm` given, e.g. a scripted one in tests) for unsure cases and for drafts."""
    from agent.classify.factory import build_classifier
    from agent.scheduling.factory import scheduler_for
    from tools.embeddings import get_embedder

    embedder = get_embedder()
    llm = llm or build_llm(ws.llm)
    planner = scheduler_for(ws, clock)
    return Deps(
        ws=ws,
        classifier=classifier or build_classifier(ws, embedder,
                                                  skip_identical=exclude_examples is not None,
                                                  llm=llm),
        router=Router(ws, embedder),
        drafter=LLMDrafter(llm) if llm is not None else TemplateDrafter(),
        ledger=ReplyLedger(replied),
        load=load or (lambda _id: 0),
        clock=clock,
        schedule=planner,
        offers=planner.proposals if planner is not None else None,
    )
