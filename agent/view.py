"""Which message the agent acts on, and the facts the rules need about it."""

from __future__ import annotations

from datetime import datetime

from agent.risks import find_risks
from core.config import Workspace
from core.models import Mail, MessageView, ParsedMessage


def _is_owner(mail: Mail, ws: Workspace) -> bool:
    return mail.sender is not None and mail.sender.email.lower() == ws.owner.email.lower()


def _localize(mail: Mail, ws: Workspace, fallback: datetime | None) -> Mail:
    """Forwarded header blocks carry no zone (or no date): assume the owner's zone."""
    date = mail.date or fallback
    if date is not None and date.tzinfo is None:
        date = date.replace(tzinfo=ws.owner.zone)
    return mail.model_copy(update={"date": date})


def _with_language(mail: Mail, ws: Workspace) -> Mail:
    if mail.language != "und":
        return mail
    return mail.model_copy(update={"language": ws.owner.languages[0]})


def build_view(parsed: ParsedMessage, ws: Workspace, received_at: datetime) -> MessageView:
    """The view stage: for mail the owner forwarded, the inner message and the owner's note.

    A forward from anyone else is that person's own message: its sender gets the answer,
    and nothing in it counts as the owner's word. `received_at` is when the agent got the
    mail, by its own clock.
    """
    outer = parsed.outer
    owner_forwarded = parsed.forwarded is not None and _is_owner(outer, ws)
    if owner_forwarded and parsed.forwarded is not None:
        mail = _localize(parsed.forwarded, ws, outer.date)
        note = parsed.forward_note
    else:
        body = outer.body
        if parsed.forwarded is not None:  # keep the forwarded text: it is what they sent
            body = body.model_copy(update={"new": body.full})
        mail = _localize(outer.model_copy(update={"body": body}), ws, None)
        note = ""
    mail = _with_language(mail, ws)
    methods = [c.method for c in mail.calendar if c.method]
    return MessageView(
        parsed=parsed,
        mail=mail,
        owner_forwarded=owner_forwarded,
        owner_note=note,
        risks=find_risks(mail, note),
        calendar_method=methods[0] if methods else None,
        received_at=received_at,
    )
