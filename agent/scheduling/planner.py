"""The calendar seam of the pipeline (`Deps.schedule`): a scheduling mail → a `SchedulePlan`.

Only the owner's calendar is read, and only as busy intervals without titles or people, so
nothing of its content can reach a reply except the free slots offered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from agent.scheduling.availability import Rules
from agent.scheduling.context import Run, rules_for
from agent.scheduling.invitation import read_invitation
from agent.scheduling.invites import plan_invitation
from agent.scheduling.pick import picked, without_deadlines
from agent.scheduling.requests import confirm, plan_words, request_text
from agent.scheduling.wish import read_wish
from agent.scheduling.zones import sender_zone
from core.config import Workspace
from core.ical.base import CalendarError, CalendarSource
from core.models import Action, Mail, MessageView, Proposal, SchedulePlan

log = logging.getLogger(__name__)
ProposalLookup = Callable[[Mail], Proposal | None]


class Planner:
    """The scheduling stage: a scheduling mail (and the offer its thread answers, looked up
    once by the pipeline) → a `SchedulePlan`. Reads the calendar's busy times through the
    `CalendarSource` protocol; changes nothing."""

    def __init__(self, ws: Workspace, source: CalendarSource, clock: Callable[[], datetime]
                 ) -> None:
        self.ws = ws
        self.source = source
        self.clock = clock
        self.rules: Rules = rules_for(ws)

    def __call__(self, view: MessageView, offer: Proposal | None = None) -> SchedulePlan:
        try:
            return self._plan(view, offer)
        except CalendarError as exc:
            log.warning("calendar unavailable: %s", exc)
            return SchedulePlan(action=Action.draft, reason="cal_unavailable",
                                draft_context={"mode": "unclear", "slots": ""})

    def booked_nights(self, first: date, last: date) -> list[date]:
        """The nights from `first` to the night before `last` on which the calendar is busy
        (an event over the night, 22:00–06:00 in the owner's zone: a stay, an all-day or a
        multi-day event — not an appointment during the day). [] when the calendar cannot be
        read is not said: a `CalendarError` reaches the caller."""
        zone = self.ws.owner.zone
        start = datetime.combine(first, time(22), zone)
        end = datetime.combine(last, time(6), zone)
        if end <= start:
            return []
        busy = self.source.busy(start, end)
        out = []
        day = first
        while day < last:
            night = (datetime.combine(day, time(22), zone),
                     datetime.combine(day + timedelta(days=1), time(6), zone))
            if any(b.start < night[1] and b.end > night[0] for b in busy):
                out.append(day)
            day += timedelta(days=1)
        return out

    def _run(self, view: MessageView, text: str, zone: ZoneInfo | None = None) -> Run:
        now = self.clock()  # the agent's clock: a sender's Date: never moves it
        owner = self.ws.owner.zone
        return Run(ws=self.ws, source=self.source, rules=self.rules, view=view, now=now,
                   zone=zone or sender_zone(text, view.mail.date, owner))

    def _plan(self, view: MessageView, proposal: Proposal | None) -> SchedulePlan:
        mail = view.mail
        if mail.calendar:
            limits = self.ws.limits
            inv = read_invitation(mail.calendar, self.ws.owner.zone,
                                  timedelta(days=limits.series_days), limits.max_occurrences)
            zone = ZoneInfo(inv.tzid) if inv and _known_zone(inv.tzid) else self.ws.owner.zone
            run = self._run(view, "", zone)
            if inv is None:
                return run.plan(Action.draft, "cal_unreadable", "unclear")
            return plan_invitation(run, inv)
        text = request_text(self._run(view, ""))
        if proposal is not None:
            return self._answer(view, text, proposal)
        return plan_words(self._run(view, text), text)

    def _answer(self, view: MessageView, text: str, proposal: Proposal) -> SchedulePlan:
        """A message in the thread of an offer: the slot picked, if it is still free."""
        zone = ZoneInfo(proposal.timezone) if _known_zone(proposal.timezone) else None
        text = without_deadlines(text)  # "bis Dienstag 12 Uhr schicken" picks nothing
        run = self._run(view, text, zone)
        slot = picked(text, proposal.slots, run.zone, run.today, view.language)
        if slot is not None:
            avail = run.availability(slot.start, slot.end)
            if avail.problem(slot.start, slot.end) is None:
                return confirm(run, slot, "cal_picked", "picked")
            return plan_words(run, text).model_copy(update={"reason": "cal_pick_taken"})
        last = max(s.start for s in proposal.slots).astimezone(run.zone).date() \
            if proposal.slots else None
        wish = read_wish(text, run.today, run.zone, view.language, (), anchor=last)
        if wish.explicit:
            return plan_words(run, text, last)
        return run.plan(Action.draft, "cal_pick_unclear", "unclear")


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return bool(name)
