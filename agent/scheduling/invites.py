"""Invitations (iTIP): REQUEST → accept when it fits, else a draft with the conflict and
alternatives; CANCEL → remove and tell the owner; COUNTER → draft; REPLY → tell the owner."""

from __future__ import annotations

from datetime import timedelta

from agent.scheduling.availability import Availability, Problem, spread
from agent.scheduling.context import Run
from agent.scheduling.invitation import Invitation
from core.ical.base import StoredEvent
from core.models import (
    Action,
    CreateEvent,
    InvitationReply,
    NotifyOwner,
    PlannedAction,
    RemoveEvent,
    SchedulePlan,
    TimeSlot,
)
from core.text import safe_text

ALTERNATIVE_DAYS = 7
_REASONS = {Problem.busy: "cal_conflict", Problem.outside_hours: "cal_outside_hours",
            Problem.holiday: "cal_outside_hours", Problem.notice: "cal_short_notice"}


def _sender(run: Run) -> str | None:
    """The sender's address when nothing casts doubt on it: one valid From, no sign of
    spoofing, no failed authentication. Reply-To, SENT-BY and a shared domain prove
    nothing about who sent a mail."""
    mail = run.mail
    if mail.sender is None or run.view.spoofing or mail.auth.failed:
        return None
    return mail.sender.email.lower()


def _organizer_ok(run: Run, inv: Invitation) -> bool:
    """Accept automatically only when the ORGANIZER is the (authenticated) sender; an
    invitation the owner herself forwarded counts as hers."""
    if run.view.owner_forwarded:
        return True
    return bool(inv.organizer) and inv.organizer == _sender(run)


def _may_change(run: Run, stored: StoredEvent) -> bool:
    """A stored event is changed or cancelled only by its ORGANIZER (the sender) or the
    owner; an event the owner organises, or her own private one, only by her."""
    if run.view.from_owner:
        return True
    owner = run.ws.owner.email.lower()
    return bool(stored.organizer) and stored.organizer != owner \
        and stored.organizer == _sender(run)


def plan_invitation(run: Run, inv: Invitation) -> SchedulePlan:
    method = inv.method
    if method == "REQUEST":
        return _request(run, inv)
    if method == "CANCEL":
        return _cancel(run, inv)
    if method == "COUNTER":
        asked = run.moment(inv.start) if inv.start else ""
        return run.plan(Action.draft, "cal_counter", "counter", context={"asked": asked})
    if method == "REPLY":
        return run.plan(Action.notify, "cal_reply", "none", replies=False,
                        planned=[NotifyOwner(reason="cal_reply")])
    return run.plan(Action.notify, "cal_other_method", "none", replies=False,
                    planned=[NotifyOwner(reason="cal_other_method")])


def _request(run: Run, inv: Invitation) -> SchedulePlan:
    event = run.source.stored(inv.uid)
    if event is not None and not _may_change(run, event):
        # someone else's REQUEST for an event in the owner's calendar: never replaced
        return run.plan(Action.notify, "cal_foreign_update", "none", replies=False,
                        planned=[NotifyOwner(reason="cal_foreign_update")])
    if not _organizer_ok(run, inv):
        return run.plan(Action.draft, "cal_organizer", "unclear")
    if inv.start is None or inv.end is None or inv.all_day:
        reason = "cal_all_day" if inv.all_day else "cal_unreadable"
        return run.plan(Action.draft, reason, "unclear")
    stored = event.sequence if event is not None else None
    if stored is not None and inv.sequence < stored:
        return run.plan(Action.notify, "cal_stale", "none", replies=False,
                        planned=[NotifyOwner(reason="cal_stale")])
    if inv.unchecked:  # more occurrences in the horizon than were checked
        return run.plan(Action.draft, "cal_series_unchecked", "unclear")
    occ = list(inv.occurrences) or [(inv.start, inv.end)]
    avail = run.availability(occ[0][0], occ[-1][1] + timedelta(days=ALTERNATIVE_DAYS))
    problems = [p for s, e in occ if (p := avail.problem(s, e, ignore_uid=inv.uid))]
    if not problems:
        return _accept(run, inv, update=stored is not None)
    if Problem.past in problems:
        return run.plan(Action.notify, "cal_past", "none", replies=False,
                        planned=[NotifyOwner(reason="cal_past")])
    first = problems[0]
    offered = _alternatives(run, avail, inv)
    return run.plan(Action.draft, _REASONS[first], "conflict", offered=offered,
                    context={"asked": run.moment(inv.start), "problem": first.value})


def _accept(run: Run, inv: Invitation, update: bool) -> SchedulePlan:
    assert inv.start is not None and inv.end is not None
    planned: list[PlannedAction] = [
        InvitationReply(type="accept_invitation", organizer=inv.organizer, uid=inv.uid)]
    if run.source.writable:
        planned.append(CreateEvent(uid=inv.uid, start=inv.start, end=inv.end,
                                   summary=safe_text(inv.summary)))
    return run.plan(Action.auto, "cal_update" if update else "cal_accept", "accept",
                    booked=[TimeSlot(start=inv.start, end=inv.end)], planned=planned,
                    replies=False)


def _alternatives(run: Run, avail: Availability, inv: Invitation) -> list[TimeSlot]:
    assert inv.start is not None and inv.end is not None
    length = inv.end - inv.start
    lo = inv.start.astimezone(run.owner_zone).replace(hour=0, minute=0)
    windows = [(lo, lo + timedelta(days=ALTERNATIVE_DAYS))]
    return spread(avail.candidates(windows, length, ignore_uid=inv.uid), 3, run.owner_zone)


def _cancel(run: Run, inv: Invitation) -> SchedulePlan:
    """A CANCEL removes the stored event only when its ORGANIZER (or the owner) sent it."""
    notify = NotifyOwner(reason="cal_cancel")
    if inv.recurrence_id or not run.source.writable:
        return run.plan(Action.notify, "cal_cancel_note", "none", replies=False, planned=[notify])
    event = run.source.stored(inv.uid)
    if event is None:
        return run.plan(Action.notify, "cal_cancel_unknown", "none", replies=False,
                        planned=[notify])
    if not _may_change(run, event):
        return run.plan(Action.notify, "cal_cancel_foreign", "none", replies=False,
                        planned=[NotifyOwner(reason="cal_cancel_foreign")])
    return run.plan(Action.auto, "cal_cancel", "none", replies=False,
                    planned=[RemoveEvent(uid=inv.uid), notify])
