"""The mails and calendar objects that carry out a scheduling decision: the answer to an
invitation (an iTIP REPLY to the organizer), the invitation that goes with a confirmed
time, and the events to write to a writable calendar. Built here, before anything is
committed, so live mode only has to store and send them."""

from __future__ import annotations

from datetime import datetime

from agent.drafts import draft_language, signature_for
from agent.prompts import load_prompt, load_table
from agent.scheduling.fmt import slot_text
from core.config import Workspace
from core.ical.act import event_text, itip_for
from core.models import CreateEvent, Decision, Draft, EventOp, InvitationReply, Mail
from core.text import safe_text


def _summary(mail: Mail, action: InvitationReply) -> str:
    """The invited event's SUMMARY, else the mail's subject — written by the sender, so
    shortened and without links or addresses (core.text.safe_text)."""
    from core.ical.expand import parse_calendar

    for part in mail.calendar:
        try:
            for ev in parse_calendar(part.text).walk("VEVENT"):
                if str(ev.get("UID", "")) == action.uid:
                    return safe_text(str(ev.get("SUMMARY", ""))) or safe_text(mail.subject)
        except Exception:
            continue
    return safe_text(mail.subject)


def invitation_answer(mail: Mail, action: InvitationReply, ws: Workspace, now: datetime,
                      booked_text: str) -> Draft | None:
    """The accept/decline mail to the ORGANIZER, with the iTIP REPLY inside."""
    itip = itip_for(action, mail, ws.owner, now)
    if itip is None:
        return None
    language = draft_language(mail.language)
    accepted = action.type == "accept_invitation"
    summary = _summary(mail, action)
    prefix = load_table("scheduling/itip_subject")["accepted" if accepted else "declined"]
    body = load_prompt(f"scheduling/itip_reply.{language}").render(
        accepted=accepted, summary=summary, when=booked_text,
        signature=signature_for(ws, language))
    subject = f"{prefix[language]}: {summary}"
    refs = [*mail.references, *([mail.message_id] if mail.message_id else [])]
    return Draft(to=[action.organizer], subject=subject, body=body, language=language,
                 in_reply_to=mail.message_id, references=refs,
                 template=f"scheduling/itip_reply.{language}", itip=itip, itip_method="REPLY")


def materialise(mail: Mail, d: Decision, ws: Workspace, now: datetime) -> Decision:
    """Fill in the mails and calendar objects a scheduling decision's actions need."""
    update: dict[str, object] = {}
    booked = ", ".join(slot_text(s, ws.owner.zone, draft_language(mail.language))
                       for s in d.calendar.booked)
    answers = [p for p in d.planned_actions if isinstance(p, InvitationReply)]
    if answers and d.draft is None:
        update["draft"] = invitation_answer(mail, answers[0], ws, now, booked)
    creates = [p for p in d.planned_actions if isinstance(p, CreateEvent)]
    events = [EventOp(op="create", uid=p.uid, ics=event_text(p, mail, ws.owner, now))
              for p in creates]
    events += [EventOp(op="remove", uid=p.uid) for p in d.planned_actions
               if p.type == "remove_event"]
    if events:
        update["calendar"] = d.calendar.model_copy(update={"events": events})
    draft = d.draft
    if creates and not answers and draft is not None and draft.itip is None:
        # a time agreed in words: the confirmation carries the invitation for the sender
        invite = event_text(creates[0], mail, ws.owner, now, method="REQUEST")
        update["draft"] = draft.model_copy(update={"itip": invite, "itip_method": "REQUEST"})
    return d.model_copy(update=update) if update else d
