"""The whole flow of one message, in one place.

    parse → view → thread → classify → schedule → decide (policy gate) → draft → explain

Each stage is a plain function taking and returning the typed models of `core/models.py`.
`triage()` runs them all and changes nothing: what the stages need from the world (the
calendar's busy times, the offer a thread answers, the reply ledger, open tasks per
assistant, the clock) arrives through `Deps` as plain callables or the narrow protocols of
`core/ports.py`, and what should change (a reply recorded, events to write, tasks to open)
comes back in the outcome. `service/runner.py` commits it and carries out what the gate
allowed; `service/deps.py` builds `Deps` from a workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from agent.classify.base import Classifier
from agent.classify.rules import certain_category
from agent.drafts import Drafter, draft_language
from agent.explain import explain
from agent.guidance import read_note
from agent.material import Examples, Nights, Sources, asks_the_business, gather
from agent.parse.mime import parse_message
from agent.policy import GateInput, ReplyLedger, decide, owner_decision
from agent.priority import priority_of
from agent.routing import RouteChoice, RouteMiss, Router
from agent.salutation import GenderOf
from agent.scheduling.replies import materialise
from agent.teams import match_team
from agent.view import build_view
from core.clock import Clock, day_in
from core.config import Team, Workspace
from core.models import (
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
from core.ports import KnowledgeSearch

STAGES = ("parse", "view", "thread", "classify", "schedule", "decide", "draft", "explain")
Scheduler = Callable[[MessageView, Proposal | None], SchedulePlan]


@dataclass
class Deps:
    """Everything a run needs, passed in one object (no globals, the clock injected)."""

    ws: Workspace
    classifier: Classifier
    router: Router
    drafter: Drafter
    ledger: ReplyLedger  # read-only here: the caller applies `Decision.replies`
    load: Callable[[str], int]  # open tasks per assistant id
    clock: Clock  # the agent's one clock (core/clock.py); nothing else reads the time
    schedule: Scheduler | None = None  # the calendar logic, when a calendar is configured
    nights: Nights | None = None  # the calendar's booked nights in a date range
    offers: Callable[[Mail], Proposal | None] | None = None  # slots offered in this thread
    knowledge: KnowledgeSearch | None = None  # the owner's knowledge (CONTRACT §4 knowledge:)
    gender_of: GenderOf | None = None  # first name → "f"/"m"/None, for "Herr"/"Frau"
    examples: Examples | None = None  # the owner's approved earlier replies (not stored yet)
    ibans: Callable[[Mail], list[str]] | None = None  # IBANs this sender/company used before
    teams: Callable[[], list[Team]] | None = None  # the teams for a job active now


# --- stages -----------------------------------------------------------------------------


def parse(raw: RawMessage, deps: Deps) -> ParsedMessage:
    return parse_message(raw, deps.ws.limits)


def view(parsed: ParsedMessage, deps: Deps, received_at: datetime | None = None) -> MessageView:
    return build_view(parsed, deps.ws, received_at or deps.clock(), deps.ibans)


def thread(v: MessageView, deps: Deps) -> Proposal | None:
    """The slots the agent offered in this thread, if the mail answers such an offer
    (looked up once; classify and schedule both read it)."""
    return deps.offers(v.mail) if deps.offers is not None else None


def classify(v: MessageView, guidance: NoteGuidance, offer: Proposal | None,
             deps: Deps) -> Classification:
    """Certain rules first, then the classifier; the owner's note may settle an unsure case."""
    if "limit:size" in v.parsed.flags:
        return Classification(category=Category.other, confidence=0.0, decided_by="limit",
                              priority=priority_of(v, Category.other), flags=["limit:size"])
    certain = certain_category(v, deps.ws.scheduling.appointment_types)
    if certain is not None:
        cat, rule = certain
        return Classification(category=cat, confidence=0.99, decided_by=rule,
                              priority=priority_of(v, cat))
    if offer is not None:
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
    if (result.category is Category.personal and deps.knowledge is not None
            and not v.mail.automation.automated
            and asks_the_business(v.mail.body.new or v.mail.body.full,
                                  draft_language(v.language), deps.knowledge)):
        # the questions are the ones the owner's knowledge answers: an enquiry, not private
        cat = Category.customer_inquiry
        return result.model_copy(update={"category": cat, "decided_by": "knowledge",
                                         "priority": priority_of(v, cat)})
    return result


def with_learned(note: NoteGuidance, c: Classification) -> NoteGuidance:
    """The owner's note wins; a corrected near-identical mail fills in what it leaves open."""
    if c.learned is None or note.action is not None or note.assignee is not None:
        return note
    return NoteGuidance(category=note.category, action=c.learned.action,
                        assignee=c.learned.assignee, source="learned")


def schedule(v: MessageView, c: Classification, offer: Proposal | None,
             deps: Deps) -> SchedulePlan | None:
    """The calendar's plan for a scheduling mail (CONTRACT §4 rule 4), before the gate
    decides how much of it may go ahead; None without a calendar or for other mail."""
    if deps.schedule is None or c.category is not Category.scheduling:
        return None
    return deps.schedule(v, offer)


def gate(v: MessageView, c: Classification, guidance: NoteGuidance, plan: SchedulePlan | None,
         deps: Deps) -> Decision:
    return decide(_gate_input(v, c, guidance, plan, deps), deps.ws)


def _gate_input(v: MessageView, c: Classification, guidance: NoteGuidance,
                plan: SchedulePlan | None, deps: Deps) -> GateInput:
    today = received_day(v, deps.ws)  # who is away counts by the day the mail arrived
    team = match_team(v, deps.teams()) if deps.teams is not None else None

    def route(category: Category) -> RouteChoice | RouteMiss:
        only = team.team.members if team is not None else None
        return deps.router.choose(v, category, deps.load, today, only=only)

    def route_to(assistant_id: str) -> RouteChoice | None:
        return deps.router.named(assistant_id, v.language, deps.load, today)

    return GateInput(view=v, classification=c, guidance=guidance, today=today,
                     route=route, route_to=route_to, ledger=deps.ledger, plan=plan, team=team)


def draft(v: MessageView, c: Classification, d: Decision, deps: Deps) -> Decision:
    """Write the reply for a draft or a replying auto action, and the calendar objects a
    scheduling decision carries (the answer to an invitation, events to store)."""
    replies = d.action is Action.draft or any(p.type == "send_email" for p in d.planned_actions)
    if replies:
        kind = "auto" if d.action is Action.auto else "draft"
        sources = Sources(knowledge=deps.knowledge, gender_of=deps.gender_of,
                          examples=deps.examples,
                          schedule=deps.schedule if kind == "draft" else None,
                          nights=deps.nights if kind == "draft" else None)
        material = gather(v, c.category, d, draft_language(v.language), v.received_at, sources)
        text = deps.drafter.compose(v.mail, c.category, kind, deps.ws, v.received_at,
                                    d.draft_context, material)
        d = d.model_copy(update={"draft": text})
        if material.offered and not d.calendar.offered:  # slots offered to a non-scheduling mail
            d = d.model_copy(update={"calendar": d.calendar.model_copy(
                update={"offered": list(material.offered), "zone": material.zone})})
    if d.action is Action.auto and deps.schedule is not None:
        d = materialise(v.mail, d, deps.ws, deps.clock())
    return d


def triage(raw: RawMessage, deps: Deps) -> TriageOutcome:
    """parse → view → thread → classify → schedule → decide → draft → explain; changes
    nothing outside the returned outcome."""
    return decide_view(raw, view(parse(raw, deps), deps, raw.received_at), deps)


def decide_view(raw: RawMessage, v: MessageView, deps: Deps) -> TriageOutcome:
    """The stages after the view: thread → classify → schedule → decide → draft → explain."""
    offer = thread(v, deps)
    guidance = read_note(v, deps.ws)
    c = classify(v, guidance, offer, deps)
    guidance = with_learned(guidance, c)
    plan = schedule(v, c, offer, deps)
    d = draft(v, c, gate(v, c, guidance, plan, deps), deps)
    text = explain(v, c, d, deps.ws.owner.languages[0])
    return TriageOutcome(ref=raw.ref, view=v, classification=c, decision=d, explanation=text)


def redecide(raw: RawMessage, deps: Deps, category: Category, action: Action | None,
             assignee: str | None) -> TriageOutcome:
    """A stored message decided again after the owner's correction. With only a category,
    the rules decide the rest as for a new mail (CONTRACT §4); with an action (and an
    assistant), that is her decision and only its consequences come from code."""
    v = view(parse(raw, deps), deps, raw.received_at)
    c = Classification(category=category, confidence=1.0, decided_by="owner",
                       priority=priority_of(v, category))
    if action is None and assignee is None:
        d = gate(v, c, NoteGuidance(), schedule(v, c, thread(v, deps), deps), deps)
    else:
        d = owner_decision(_gate_input(v, c, NoteGuidance(), None, deps),
                           action or Action.route, assignee)
    if d.action is Action.auto:  # a correction is not an approval of a text: her draft
        d = owner_decision(_gate_input(v, c, NoteGuidance(), None, deps), Action.draft, None)
    d = draft(v, c, d, deps)
    text = explain(v, c, d, deps.ws.owner.languages[0])
    return TriageOutcome(ref=raw.ref, view=v, classification=c, decision=d, explanation=text)


def triage_batch(raws: list[RawMessage], deps: Deps,
                 prepared: Callable[[], None] | None = None
                 ) -> Iterator[TriageOutcome | Exception]:
    """triage() for several messages, in order: all are parsed first and the classifier
    embeds their texts in one batch (`prepare`, when it has one; `prepared` is called
    then); then each is decided in turn, lazily, so a caller that records each outcome
    (rule 5's ledger) before asking for the next sees the same decisions as with triage()
    one by one. A message that fails yields its exception."""
    views: list[MessageView | Exception] = []
    for raw in raws:
        try:
            views.append(view(parse(raw, deps), deps, raw.received_at))
        except Exception as exc:  # one broken message must not stop the others
            views.append(exc)
    prepare = getattr(deps.classifier, "prepare", None)
    if prepare is not None:
        prepare([v for v in views if isinstance(v, MessageView)
                 and certain_category(v, deps.ws.scheduling.appointment_types) is None])
    if prepared is not None:
        prepared()
    for raw, v in zip(raws, views, strict=True):
        if isinstance(v, Exception):
            yield v
            continue
        try:
            yield decide_view(raw, v, deps)
        except Exception as exc:
            yield exc


# --- helpers ----------------------------------------------------------------------------


def received_day(v: MessageView, ws: Workspace) -> date:
    """The owner-local day the agent received the mail: rule 5's daily limit counts by it."""
    return day_in(v.received_at, ws.owner.zone)
