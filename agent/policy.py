"""The policy gate: CONTRACT §4's actions and rules, in order, as code outside any model.

Input is what the classifier (rules, embeddings or an LLM) and the owner's note suggest;
output is the action that may really happen and the side effects it plans. Nothing a mail
says can widen what this module allows: it reads only headers, the category, the
confidence and the deterministic risk flags.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from agent.drafts import draft_language, reply_headers
from agent.parse.headers import is_noreply
from agent.routing import RouteChoice, RouteMiss, route_args
from agent.teams import TeamMatch
from core.config import Workspace
from core.models import (
    Action,
    CalendarOutcome,
    Category,
    Classification,
    Decision,
    Mail,
    MessageView,
    NoteGuidance,
    NotifyOwner,
    PlannedAction,
    ReplyRecord,
    RouteTask,
    SchedulePlan,
    SendEmail,
)


class ReplyLedger:
    """Automatic replies already planned or sent, per sender and owner-local day (rule 5).

    `replied` reads the store's ledger (`run`) and what this process planned before
    (`triage` over many files); the gate only reads it and returns a `ReplyRecord` for what
    it plans, which the caller applies once the decision stands.
    """

    def __init__(self, replied: Callable[[str, date], bool] | None = None) -> None:
        self._seen: set[tuple[str, date]] = set()
        self._replied = replied

    def replied(self, key: str, day: date) -> bool:
        return (key, day) in self._seen or bool(self._replied and self._replied(key, day))

    def apply(self, records: list[ReplyRecord]) -> None:
        self._seen.update((r.sender, r.day) for r in records)


@dataclass
class GateInput:
    view: MessageView
    classification: Classification
    guidance: NoteGuidance
    today: date  # the owner-local day the agent received the mail (its clock, never Date:)
    route: Callable[[Category], RouteChoice | RouteMiss]  # best fitting one, or why none
    route_to: Callable[[str], RouteChoice | None]  # a named assistant, if eligible
    ledger: ReplyLedger
    plan: SchedulePlan | None = None  # the scheduling stage's plan (a calendar is configured)
    team: TeamMatch | None = None  # the active team for a job this mail belongs to


def replyable(mail: Mail) -> bool:
    """Is there a person to answer? (not a noreply/bounce address, not an anonymous list)"""
    addr = mail.reply_address
    if addr is None or mail.automation.bounce:
        return False
    return not is_noreply(addr.email)


def automated(mail: Mail) -> bool:
    """RFC 3834: automated mail never gets an automatic reply (rule 5)."""
    return mail.automation.automated


def _fallback(view: MessageView, rule: str, reason: str) -> tuple[Action, str, str]:
    """Rule 3/4/5 fallback: draft where a reply makes sense, else notify."""
    if replyable(view.mail):
        return Action.draft, rule, reason
    return Action.notify, rule, reason


def _start(inp: GateInput, ws: Workspace) -> tuple[Action, str, str]:
    cat = inp.classification.category
    action, rule, reason = ws.action_for(cat), "delegation", "delegation"
    g = inp.guidance
    if g.action is not None:
        wanted = g.action
        if wanted is Action.auto and ws.action_for(cat) is not Action.auto:
            wanted = action  # a note cannot grant more than the owner's delegation
        if g.source == "learned":
            action, rule, reason = wanted, "learned", "learned"
        else:
            action, rule, reason = wanted, "owner-note", "owner_note"
    elif inp.team is not None and action is Action.notify:
        # the owner formed a team for this job: its mail goes to the team, not to her
        # (rules 1 and 2 still win: spam, personal mail and risks stay with her)
        action, rule, reason = Action.route, "team", "team"
    return action, rule, reason


def _rules(inp: GateInput, ws: Workspace, action: Action, rule: str,
           reason: str) -> tuple[Action, str, str]:
    """Rules 1–5 of CONTRACT §4, in order; the first that applies wins."""
    view, cat = inp.view, inp.classification.category
    mail = view.mail
    if cat in {Category.spam, Category.newsletter}:
        return Action.ignore, "r1-spam-newsletter", f"r1_{cat.value}"
    if cat is Category.personal:
        return Action.notify, "r1-personal", "r1_personal"
    if view.risks:
        return Action.notify, "r2-risk", "r2_risk"
    if action is Action.auto:
        if (inp.classification.confidence < ws.triage.auto_min_confidence
                or "needs_review" in inp.classification.flags):
            return _fallback(view, "r3-low-confidence", "r3_low_confidence")
        if view.unverified_owner:  # her address, unconfirmed: nothing happens on its word
            return _fallback(view, "r3-unverified-owner", "r3_unverified_owner")
        if any(f.startswith("limit:") for f in view.parsed.flags):  # read only in part
            return _fallback(view, "r3-limit", "r3_limit")
        if cat is Category.scheduling:
            if ws.calendar is None or inp.plan is None:
                return _fallback(view, "r4-no-calendar", "r4_no_calendar")
            if not (automated(mail) and view.calendar_method is None):
                return Action.auto, "r4-calendar", "r4_calendar"
        if automated(mail) or not replyable(mail):
            return _fallback(view, "r5-automated", "r5_automated")
        addr = mail.reply_address
        assert addr is not None
        if mail.sender and addr.domain != mail.sender.domain:
            return _fallback(view, "r5-reply-to-domain", "r5_reply_to_domain")
        if inp.ledger.replied(addr.key, inp.today):
            return _fallback(view, "r5-one-per-day", "r5_one_per_day")
    if action is Action.draft and not replyable(mail):
        return Action.notify, "draft-without-recipient", "no_recipient"
    return action, rule, reason


def decide(inp: GateInput, ws: Workspace) -> Decision:
    """The gate. Returns the action, the assignee and the planned side effects."""
    action, rule, reason = _rules(inp, ws, *_start(inp, ws))
    view = inp.view
    assignee: str | None = None
    args: dict[str, str] = {}
    if rule == "r4-calendar":
        assert inp.plan is not None
        return _from_plan(inp, inp.plan)
    if (action is Action.draft and inp.plan is not None
            and inp.classification.category is Category.scheduling):
        return _draft_from_plan(inp, inp.plan, rule, reason)
    if action is Action.route:
        action, rule, reason, assignee, args = _route(inp, rule, reason)
    if rule == "r2-risk" and view.known_ibans:  # both shown to the owner
        reason = "r2_iban_changed"
        args = {"new_iban": ", ".join(i for i in view.ibans if i not in view.known_ibans),
                "known_iban": ", ".join(view.known_ibans)}
    planned: list[PlannedAction] = []
    replies: list[ReplyRecord] = []
    if action is Action.route and assignee:
        planned.append(RouteTask(assignee=assignee, team=args.get("team_id")))
    elif action is Action.notify:
        planned.append(NotifyOwner(reason=rule))
    elif action is Action.auto:
        to, subject, _, _ = reply_headers(view.mail, draft_language(view.language))
        planned.append(SendEmail(to=to, subject=subject))
        replies.append(_record(view.mail, inp.today))
    return Decision(action=action, assignee=assignee, rule=rule, reason=reason, reason_args=args,
                    planned_actions=planned, replies=replies, flags=_flags(view))


def _flags(view: MessageView) -> list[str]:
    """Risks and the signs of a forged sender, for the owner and the audit."""
    return [*(f"risk:{r.value}" for r in view.risks), *(f"spoof:{s}" for s in view.spoofing)]


def _record(mail: Mail, today: date) -> ReplyRecord:
    addr = mail.reply_address
    assert addr is not None
    return ReplyRecord(sender=addr.key, day=today)


def _from_plan(inp: GateInput, plan: SchedulePlan) -> Decision:
    """Rule 4 with a calendar: the calendar logic's plan, still bound by rule 5's limits."""
    view, mail = inp.view, inp.view.mail
    planned = list(plan.planned_actions)
    replies: list[ReplyRecord] = []
    action, rule, reason = plan.action, "r4-calendar", plan.reason
    answers = any(p.type in ("accept_invitation", "decline_invitation") for p in planned)
    if action is Action.auto and answers and not _reply_to_ok(mail):
        # CONTRACT §4's Reply-To rule holds for the answer to an invitation too
        action, rule, reason = _fallback(view, "r5-reply-to-domain", "r5_reply_to_domain")
    elif action is Action.auto and plan.replies:
        addr = mail.reply_address
        if addr is None or not replyable(mail):
            action, rule, reason = _fallback(view, "r5-automated", "r5_automated")
        elif mail.sender and addr.domain != mail.sender.domain:
            action, rule, reason = _fallback(view, "r5-reply-to-domain", "r5_reply_to_domain")
        elif inp.ledger.replied(addr.key, inp.today):
            action, rule, reason = _fallback(view, "r5-one-per-day", "r5_one_per_day")
        else:
            to, subject, _, _ = reply_headers(mail, draft_language(view.language))
            planned.append(SendEmail(to=to, subject=subject))
            replies.append(_record(mail, inp.today))
    if action is not Action.auto:
        planned = [p for p in planned if p.type == "notify_owner"]
        if action is Action.notify and not planned:
            planned = [NotifyOwner(reason=rule)]
    booked = plan.booked if action is Action.auto else []
    calendar = CalendarOutcome(offered=plan.offered, booked=booked, zone=plan.timezone)
    return Decision(action=action, assignee=None, rule=rule, reason=reason,
                    reason_args=plan.reason_args, planned_actions=planned, replies=replies,
                    draft_context=plan.draft_context, calendar=calendar, flags=_flags(view))


def _reply_to_ok(mail: Mail) -> bool:
    """No Reply-To, or one on the From domain (and a readable one)."""
    if "reply-to-invalid" in mail.identity:
        return False
    return not mail.reply_to or (mail.sender is not None
                                 and mail.reply_to[0].domain == mail.sender.domain)


def _draft_from_plan(inp: GateInput, plan: SchedulePlan, rule: str, reason: str) -> Decision:
    """A scheduling mail the agent may not answer alone (unsure, or the owner's delegation
    says draft): the owner still gets the calendar's free slots in the draft, never an
    accepted invitation or a booking."""
    return Decision(action=Action.draft, assignee=None, rule=rule, reason=reason,
                    planned_actions=[], draft_context=plan.draft_context,
                    calendar=CalendarOutcome(offered=plan.offered, zone=plan.timezone),
                    flags=_flags(inp.view))


def _route(inp: GateInput, rule: str,
           reason: str) -> tuple[Action, str, str, str | None, dict[str, str]]:
    """Rule 6: the best-fitting assistant who reads the language and has capacity left;
    the one the owner's note names, when that one is eligible."""
    named = inp.route_to(inp.guidance.assignee) if inp.guidance.assignee else None
    choice = named or inp.route(inp.classification.category)
    team = _team_args(inp) if named is None else {}
    if isinstance(choice, RouteMiss):
        return Action.notify, "r6-no-assistant", f"r6_no_{choice.reason}", None, \
            {**route_args(choice), **team}
    a = choice.assistant
    args = {"assistant": a.name, "skills": a.skills, "eligible": str(choice.eligible),
            **route_args(choice), **team}
    if named is not None and inp.guidance.source == "learned":
        return Action.route, "learned", "route_learned", a.id, args
    if named is not None:
        return Action.route, "owner-note", "route_named", a.id, args
    return Action.route, rule, "route", a.id, args


def _team_args(inp: GateInput) -> dict[str, str]:
    """For the explanation: the team the mail belongs to, and why."""
    if inp.team is None:
        return {}
    return {"team": inp.team.team.name, "team_id": inp.team.team.id,
            "team_by": inp.team.by, "team_what": inp.team.what}


def owner_decision(inp: GateInput, action: Action, assignee: str | None) -> Decision:
    """The owner's own decision (a correction in the review UI or `assistenz correct`): it
    replaces the agent's. Its consequences still come from code — a task for the assistant
    she named (or the best-fitting one), a draft for her approval (never an automatic
    reply: a correction is not an approval of a text), a note for her, or nothing."""
    view = inp.view
    flags = [f"risk:{r.value}" for r in view.risks]
    if action is Action.route:
        choice = inp.route_to(assignee) if assignee else inp.route(inp.classification.category)
        if isinstance(choice, RouteChoice):
            a = choice.assistant
            return Decision(action=Action.route, assignee=a.id, rule="owner", reason="owner_route",
                            reason_args={"assistant": a.name, "skills": a.skills},
                            planned_actions=[RouteTask(assignee=a.id)], flags=flags)
        args = {"assistant": assignee or ""}
        return Decision(action=Action.notify, rule="owner", reason="owner_route_blocked",
                        reason_args=args, planned_actions=[NotifyOwner(reason="owner")],
                        flags=flags)
    if action in (Action.draft, Action.auto):
        if not replyable(view.mail):
            return Decision(action=Action.notify, rule="owner", reason="no_recipient",
                            planned_actions=[NotifyOwner(reason="owner")], flags=flags)
        return Decision(action=Action.draft, rule="owner", reason="owner_draft", flags=flags)
    if action is Action.notify:
        return Decision(action=Action.notify, rule="owner", reason="owner_notify",
                        planned_actions=[NotifyOwner(reason="owner")], flags=flags)
    return Decision(action=Action.ignore, rule="owner", reason="owner_ignore", flags=flags)
