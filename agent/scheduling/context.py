"""What one planning run knows: the workspace's rules, the clock, the calendar's busy times."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

from agent.drafts import draft_language
from agent.scheduling.availability import Availability, Rules
from agent.scheduling.fmt import moment_text, slot_list, zone_label
from agent.scheduling.holidays import holiday_check
from core.clock import reference_time
from core.config import Workspace
from core.ical.base import CalendarSource
from core.models import Action, Mail, MessageView, PlannedAction, SchedulePlan, TimeSlot

PAD = timedelta(days=1)


def rules_for(ws: Workspace) -> Rules:
    cal = ws.calendar
    assert cal is not None
    return Rules(hours=ws.owner.hours, zone=ws.owner.zone,
                 buffer=timedelta(minutes=cal.buffer_minutes),
                 notice=timedelta(hours=cal.notice_hours), is_holiday=holiday_check(cal.holidays))


@dataclass(frozen=True)
class Run:
    """One message's planning: who asks, in which zone and language, and what is free."""

    ws: Workspace
    source: CalendarSource
    rules: Rules
    view: MessageView
    now: datetime
    zone: tzinfo  # the sender's

    @property
    def mail(self) -> Mail:
        return self.view.mail

    @property
    def owner_zone(self) -> ZoneInfo:
        return self.ws.owner.zone

    @property
    def language(self) -> str:
        return draft_language(self.view.language)

    @property
    def today(self) -> date:
        """The sender's today: what their "morgen" and "next week" count from (their Date:
        when it is not in the future; never later than the agent's clock)."""
        return reference_time(self.mail.date, self.now).astimezone(self.zone).date()

    @property
    def settings(self) -> tuple[timedelta, int]:
        cal = self.ws.calendar
        assert cal is not None
        return timedelta(minutes=cal.meeting_minutes), cal.search_days

    def availability(self, lo: datetime, hi: datetime) -> Availability:
        busy = self.source.busy(min(lo, self.now) - PAD, hi + PAD)
        return Availability(self.rules, tuple(busy), self.now)

    def horizon(self, days: int) -> tuple[date, ...]:
        first = max(self.today, (self.now + self.rules.notice).astimezone(self.zone).date())
        return tuple(first + timedelta(days=i) for i in range(days + 1))

    def label(self, at: datetime) -> str:
        """The zone's name, shown only when the sender's clock differs from the owner's."""
        if at.astimezone(self.zone).utcoffset() == at.astimezone(self.owner_zone).utcoffset():
            return ""
        return zone_label(self.zone, at)

    def slots_text(self, slots: list[TimeSlot]) -> str:
        if not slots:
            return ""
        return slot_list(slots, self.zone, self.language, self.label(slots[0].start))

    def moment(self, at: datetime) -> str:
        return moment_text(at, self.zone, self.language, self.label(at))

    def event_uid(self, start: datetime) -> str:
        seed = f"{self.mail.message_id or self.mail.subject}|{start.isoformat()}"
        return f"{uuid5(NAMESPACE_URL, seed)}@assistenz"

    def zone_name(self) -> str:
        return getattr(self.zone, "key", None) or str(self.zone)

    def plan(self, action: Action, reason: str, mode: str, *,
             offered: Sequence[TimeSlot] = (), booked: Sequence[TimeSlot] = (),
             planned: Sequence[PlannedAction] = (), replies: bool = True,
             context: dict[str, str] | None = None) -> SchedulePlan:
        """A plan whose draft context carries the mode and the offered slots as text."""
        draft_context = {"mode": mode, "slots": self.slots_text(list(offered)), **(context or {})}
        return SchedulePlan(action=action, reason=reason, draft_context=draft_context,
                            offered=list(offered), booked=list(booked),
                            planned_actions=list(planned), replies=replies,
                            timezone=self.zone_name())
