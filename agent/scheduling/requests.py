"""Requests in words: confirm one concrete free time, or offer two or three free slots
inside the asked window; reschedules and cancellations go to the owner as drafts."""

from __future__ import annotations

from datetime import datetime, timedelta

from agent.drafts import topic_of
from agent.scheduling.availability import Availability, spread
from agent.scheduling.context import Run
from agent.scheduling.wish import WHOLE_DAY, Wish, default_duration, read_wish
from core.models import Action, CreateEvent, SchedulePlan, TimeSlot

COUNT = 3


def request_text(run: Run) -> str:
    """What the sender wrote now (the subject too, unless it is an old thread's)."""
    mail = run.mail
    subject = "" if mail.in_reply_to or mail.references else mail.subject
    return f"{subject}\n{mail.body.new or mail.body.full}".lower()


def _horizon_windows(run: Run, days: int) -> list[tuple[datetime, datetime]]:
    a, b = WHOLE_DAY
    return [(datetime.combine(d, a, tzinfo=run.zone), datetime.combine(d, b, tzinfo=run.zone))
            for d in run.horizon(days)]


def _span(windows: list[tuple[datetime, datetime]]) -> tuple[datetime, datetime]:
    return min(a for a, _ in windows), max(b for _, b in windows)


def confirm(run: Run, slot: TimeSlot, reason: str, mode: str) -> SchedulePlan:
    """Book a time the sender proposed or picked: create the event, reply to confirm."""
    sender = run.mail.reply_address
    event = CreateEvent(uid=run.event_uid(slot.start), start=slot.start, end=slot.end,
                        summary=topic_of(run.mail.subject),
                        attendees=[sender.email] if sender else [])
    return run.plan(Action.auto, reason, mode, booked=[slot], planned=[event],
                    context={"asked": run.moment(slot.start)})


def plan_words(run: Run, text: str) -> SchedulePlan:
    meeting, search_days = run.settings
    duration = default_duration(text, meeting)
    wish = read_wish(text, run.today, run.zone, run.view.language, run.horizon(search_days))
    windows = list(wish.windows) or _horizon_windows(run, search_days)
    wide = _horizon_windows(run, search_days)
    lo, hi = _span(windows + wide)
    avail = run.availability(lo, hi)
    if wish.intent == "cancel":
        return run.plan(Action.draft, "cal_words_cancel", "cancel")
    if wish.intent == "reschedule":
        offered = spread(avail.candidates(windows, duration), COUNT, run.owner_zone)
        return run.plan(Action.draft, "cal_reschedule", "reschedule", offered=offered)
    if wish.exact:
        return _exact(run, wish, avail, duration, windows)
    return _offer(run, avail, windows, wide, duration)


def _exact(run: Run, wish: Wish, avail: Availability, duration: timedelta,
           windows: list[tuple[datetime, datetime]]) -> SchedulePlan:
    for start in wish.exact:
        slot = TimeSlot(start=start, end=start + duration)
        if avail.problem(slot.start, slot.end) is None:
            return confirm(run, slot, "cal_confirm", "confirm")
    asked = run.moment(wish.exact[0])
    offered = spread(avail.candidates(windows, duration), COUNT, run.owner_zone)
    if offered:
        return run.plan(Action.auto, "cal_propose_other", "propose_other", offered=offered,
                        context={"asked": asked})
    wide = _horizon_windows(run, run.settings[1])
    later = [w for w in wide if w[0] > max(b for _, b in windows)] or wide
    offered = spread(avail.candidates(later, duration), COUNT, run.owner_zone)
    return run.plan(Action.draft, "cal_no_slot", "no_slot", offered=offered,
                    context={"asked": asked})


def _offer(run: Run, avail: Availability, windows: list[tuple[datetime, datetime]],
           wide: list[tuple[datetime, datetime]], duration: timedelta) -> SchedulePlan:
    offered = spread(avail.candidates(windows, duration), COUNT, run.owner_zone)
    if offered:
        return run.plan(Action.auto, "cal_propose", "propose", offered=offered)
    later = [w for w in wide if w[0] > max(b for _, b in windows)] or wide
    offered = spread(avail.candidates(later, duration), COUNT, run.owner_zone)
    return run.plan(Action.draft, "cal_no_slot", "no_slot", offered=offered)
