"""Drafts that start from the owner's wording: when she edited and approved a reply, the
next draft for a similar mail (same category and language, nearest by embedding among her
approved replies — found through the `ApprovedReplies` port) is her text with the new
mail's facts put in: the greeting for the new sender, and every name, date, amount and
invoice number of the earlier mail replaced by the new mail's — or by a placeholder, which
blocks sending until she fills it in. Only drafts for her review, never an automatic reply.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from agent.drafts import Drafter, draft_language, topic_of
from agent.facts import extract_facts
from agent.material import DraftMaterial
from agent.prompts import load_table
from agent.salutation import greeting
from core.config import Workspace
from core.models import Category, Draft, LearnedFrom, Mail
from core.ports import ApprovedReplies, ApprovedReply

_MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]


def key_text(mail: Mail) -> str:
    """What the mail is about, as the index embeds it (subject and new text)."""
    return f"{mail.subject}\n{mail.body.new or mail.body.full}"[:2000]


def facts_record(mail: Mail, now: datetime) -> dict[str, Any]:
    """The facts of an answered mail, kept with her approved reply (JSON)."""
    f = extract_facts(mail, now)
    return {"first_name": f.first_name, "full_name": f.full_name,
            "dates": [d.isoformat() for d in f.dates], "amounts": f.amounts,
            "invoice_numbers": f.invoice_numbers, "topic": topic_of(mail.subject)}


def recipient_of(mail: Mail) -> str:
    sender = mail.reply_address
    if sender is None:
        return ""
    return sender.name.strip().strip('"') or sender.email


def _date_forms(d: date) -> list[str]:
    """How a date may stand in her text, longest first."""
    return [f"{d.day:02d}.{d.month:02d}.{d.year}", f"{d.day}.{d.month}.{d.year}",
            f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}", f"{d.day:02d}.{d.month:02d}.",
            f"{d.day}.{d.month}.", f"{d.day} {_MONTHS_EN[d.month - 1]}", d.isoformat()]


def _format_date(d: date, language: str) -> str:
    return f"{d.day}.{d.month}.{d.year}" if language == "de" else \
        f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def _swap(text: str, old: str, new: str) -> str:
    """Replace a whole word or number, not a part of one."""
    if not old.strip():
        return text
    pattern = re.compile(rf"(?<![\w.,]){re.escape(old)}(?![\w]|[.,]\d)")
    return pattern.sub(lambda _m: new, text)


def _greeting_line(line: str, words: list[str]) -> bool:
    low = line.strip().lower()
    return bool(low) and len(low) < 80 and any(
        low.startswith(w) and (len(low) == len(w) or not low[len(w)].isalpha()) for w in words)


def adapt(reply: ApprovedReply, mail: Mail, now: datetime, language: str,
          opening: str | None = None) -> str:
    """Her approved text with the new mail's facts in place of the earlier mail's; the
    greeting is the new sender's (`opening`, else written from the mail)."""
    table = load_table("drafts/learned")
    holes: dict[str, str] = table["placeholders"][language]
    new = extract_facts(mail, now)
    old = reply.facts
    lines = reply.body.split("\n")
    for i, line in enumerate(lines):
        if line.strip():
            if _greeting_line(line, table["greetings"]):
                lines[i] = opening or greeting(mail, language, new.informal)
            break
    text = "\n".join(lines)
    old_topic, new_topic = str(old.get("topic") or ""), topic_of(mail.subject)
    if len(old_topic) >= 4 and new_topic:
        text = _swap(text, old_topic, new_topic)
    old_full, old_first = str(old.get("full_name") or ""), str(old.get("first_name") or "")
    if old_full:
        text = _swap(text, old_full, new.full_name or holes["name"])
        old_last = old_full.split()[-1]
        new_last = new.full_name.split()[-1] if new.full_name else holes["name"]
        if old_last != old_first:
            text = _swap(text, old_last, new_last)
    if old_first:
        text = _swap(text, old_first, new.first_name or holes["name"])
    for i, iso in enumerate(old.get("dates") or []):
        replacement = _format_date(new.dates[i], language) if i < len(new.dates) \
            else holes["date"]
        for form in _date_forms(date.fromisoformat(iso)):
            text = _swap(text, form, replacement)
    for key, values, hole in (("amounts", new.amounts, "amount"),
                              ("invoice_numbers", new.invoice_numbers, "invoice")):
        for i, value in enumerate(old.get(key) or []):
            text = _swap(text, str(value), values[i] if i < len(values) else holes[hole])
    return text


class LearnedDrafter:
    """A drafter that starts from her approved wording when a similar mail has one, and
    asks the drafter it wraps otherwise (recipients, subject and threading always come
    from that drafter, i.e. from the headers, by code)."""

    def __init__(self, inner: Drafter, approved: ApprovedReplies) -> None:
        self.inner = inner
        self.approved = approved

    def compose(self, mail: Mail, category: Category, kind: str, ws: Workspace,
                now: datetime, extra: dict[str, str] | None = None,
                material: DraftMaterial | None = None) -> Draft:
        base = self.inner.compose(mail, category, kind, ws, now, extra, material)
        if kind != "draft" or extra:  # calendar slots and the like: the fresh draft knows them
            return base
        language = draft_language(mail.language)
        reply = self.approved.like(key_text(mail), category.value, language)
        if reply is None:
            return base
        on = reply.approved_at.astimezone(ws.owner.zone).date()
        return base.model_copy(update={
            "body": adapt(reply, mail, now, language,
                          material.greeting if material is not None else None),
            "template": f"learned:draft-{reply.draft_id}",
            "learned_from": LearnedFrom(draft_id=reply.draft_id, to=reply.recipient, on=on)})
