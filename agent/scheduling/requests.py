"""Requests in words: confirm one concrete free time, or offer two or three free slots
inside the asked window; reschedules and cancellations go to the owner as drafts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from agent.drafts import topic_of
from agent.scheduling.availability import Availability, spread
from agent.scheduling.context import Run
from agent.scheduling.wish import (
    WHOLE_DAY,
    DayHours,
    Wish,
    day_hours,
    default_duration,
    moved_at,
    own_day,
    read_wish,
)
from core.ical.base import Busy
from core.models import Action, CreateEvent, SchedulePlan, TimeSlot

COUNT = 3


def request_text(run: Run) -> str:
    """What the sender wrote now (the subject too, unless it is an old thread's) — above a
    message they forward (a doctor's referral below "Können wir ab nächster Woche …?"),
    whose header dates and times are no wish of theirs."""
    mail, parsed = run.mail, run.view.parsed
    subject = "" if mail.in_reply_to or mail.references else mail.subject
    body = mail.body.new or mail.body.full
    if parsed.forwarded is not None and not run.view.owner_forwarded and parsed.forward_note:
        body = parsed.forward_note
    return f"{subject}\n{body}".lower()


def owner_day(run: Run) -> DayHours | None:
    """The owner's working day per weekday, when the sender's clock is the owner's (a part
    of the day in words then follows it: "vormittags" from 7 for a day that starts at 7)."""
    if run.now.astimezone(run.zone).utcoffset() != run.now.astimezone(run.owner_zone).utcoffset():
        return None
    return day_hours(run.rules.hours.intervals)


def _horizon_windows(run: Run, days: int) -> list[tuple[datetime, datetime]]:
    hours = owner_day(run)
    return [(datetime.combine(d, a, tzinfo=run.zone), datetime.combine(d, b, tzinfo=run.zone))
            for d in run.horizon(days) for a, b in [own_day(*WHOLE_DAY, d, hours)]]


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


def working(run: Run, windows: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The windows cut to the owner's working hours ("ab 10" ends when the working day
    does, "vor 11" starts when it starts)."""
    zone, hours = run.owner_zone, run.rules.hours
    out: list[tuple[datetime, datetime]] = []
    for lo, hi in windows:
        day, last = lo.astimezone(zone).date(), hi.astimezone(zone).date()
        while day <= last:
            for a, b in hours.intervals.get(day.weekday(), ()):
                start = max(lo, datetime.combine(day, a, tzinfo=zone))
                end = min(hi, datetime.combine(day, b, tzinfo=zone))
                if start < end:
                    out.append((start, end))
            day += timedelta(days=1)
    return out


def plan_words(run: Run, text: str, anchor: date | None = None) -> SchedulePlan:
    """`anchor`: in an answer to an offer, the offer's last day ("the week after" follows
    it)."""
    meeting, search_days = run.settings
    types = run.ws.scheduling.appointment_types
    duration = default_duration(text, meeting, types, run.mail.subject.lower())
    wish = read_wish(text, run.today, run.zone, run.view.language, run.horizon(search_days),
                     types, anchor, owner_day(run))
    if wish.intent == "reschedule" and wish.moved is None and wish.moved_day is not None:
        wish = _from_calendar(run, wish, text)
    wide = _horizon_windows(run, search_days)
    windows = working(run, list(wish.windows)) or list(wish.windows) or wide
    lo, hi = _span(windows + wide + _moved_window(wish, duration))
    avail = run.availability(lo, hi)
    if wish.intent == "cancel":
        return run.plan(Action.draft, "cal_words_cancel", "cancel")
    if wish.intent == "reschedule" and _booked(avail, wish, duration, run):
        # the owner moves a booked appointment herself: a draft with free times as long as
        # it is (unless the sender names a length); the time it holds now is free for it
        held = _held(avail, wish, duration)
        if held is not None and wish.duration is None:
            duration = held.end - held.start
            if wish.exact:  # shifted ("eine Stunde später"): the same length from there
                windows = [(e, e + duration) for e in wish.exact]
        free = avail.candidates(windows, duration, held.uid if held else "")
        offered = spread([s for s in free if not _holds_moved(s, wish, held, duration)],
                         COUNT, run.owner_zone)
        return run.plan(Action.draft, "cal_reschedule", "reschedule", offered=offered)
    if wish.exact:
        return _exact(run, wish, avail, duration, windows)
    # times of day the sender prefers but is flexible about: else the rest of those days
    days = working(run, _whole_days(run, windows)) if wish.flexible else []
    return _offer(run, avail, windows, wide, duration, days)


def _whole_days(run: Run, windows: list[tuple[datetime, datetime]]
                ) -> list[tuple[datetime, datetime]]:
    zone = run.owner_zone
    dates = sorted({a.astimezone(zone).date() for a, _ in windows})
    return [(datetime.combine(d, time(0, 0), tzinfo=zone),
             datetime.combine(d, time(23, 59), tzinfo=zone)) for d in dates]


SERIES = timedelta(days=28)  # how far around the day a repeating event is looked for


def _from_calendar(run: Run, wish: Wish, text: str) -> Wish:
    """The sender named only the day of what they move: when the calendar holds one
    appointment that day, it is the one — or, among several, the one that is not part of a
    repeating series (a weekly team meeting, a building site every afternoon), since a
    customer's appointment is booked once."""
    assert wish.moved_day is not None
    zone = run.owner_zone
    lo = datetime.combine(wish.moved_day, time(0, 0), tzinfo=zone)
    around = run.availability(lo - SERIES, lo + SERIES).busy
    day = [b for b in around
           if not b.all_day and b.start.astimezone(zone).date() == wish.moved_day]
    if len(day) > 1:
        days_of = {b.uid: {c.start.astimezone(zone).date() for c in around if c.uid == b.uid}
                   for b in day if b.uid}
        day = [b for b in day if b.uid and len(days_of[b.uid]) == 1]
    return moved_at(wish, text, day[0].start) if len(day) == 1 else wish


def _moved_window(wish: Wish, duration: timedelta) -> list[tuple[datetime, datetime]]:
    return [(wish.moved, wish.moved + duration)] if wish.moved else []


def _held(avail: Availability, wish: Wish, duration: timedelta) -> Busy | None:
    """The calendar entry of the appointment being moved, when the time is known."""
    moved = wish.moved
    if moved is None:
        return None
    return next((b for b in avail.busy
                 if b.start <= moved < b.end or (moved <= b.start < moved + duration
                                                 and not b.all_day)), None)


def _holds_moved(slot: TimeSlot, wish: Wish, held: Busy | None, duration: timedelta) -> bool:
    """Does the slot overlap the time being moved? Its calendar entry counts as free for
    the move (so "eine Stunde später" may overlap it), but no draft offers the very time
    the sender asks to move away from — unless they asked for that slot ("an hour
    earlier")."""
    if slot.start in wish.exact:
        return False
    spans = [(held.start, held.end)] if held is not None else []
    if wish.moved is not None:
        spans.append((wish.moved, wish.moved + duration))
    return any(slot.start < b and a < slot.end for a, b in spans)


def _booked(avail: Availability, wish: Wish, duration: timedelta, run: Run) -> bool:
    """Is the appointment being moved in the calendar? Unknown (no day named) counts as
    booked: the owner knows which one is meant. Something never booked is a new request."""
    if wish.moved is not None:
        return any(b.start < wish.moved + duration and wish.moved < b.end for b in avail.busy)
    if wish.moved_day is None:
        return True
    zone = run.owner_zone
    return any(b.start.astimezone(zone).date() <= wish.moved_day <= b.end.astimezone(zone).date()
               and not b.all_day for b in avail.busy)


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
           wide: list[tuple[datetime, datetime]], duration: timedelta,
           days: list[tuple[datetime, datetime]] | None = None) -> SchedulePlan:
    for asked in (windows, days or []):
        offered = spread(avail.candidates(asked, duration), COUNT, run.owner_zone)
        if offered:
            return run.plan(Action.auto, "cal_propose", "propose", offered=offered)
    later = [w for w in wide if w[0] > max(b for _, b in windows)] or wide
    offered = spread(avail.candidates(later, duration), COUNT, run.owner_zone)
    return run.plan(Action.draft, "cal_no_slot", "no_slot", offered=offered)
