"""A mail as inert data for a prompt: headers, body and attachment names that cannot close
the data block they sit in (the prompt files put them between <<<EMAIL and EMAIL>>>)."""

from __future__ import annotations

from core.models import Mail

MAX_BODY = 4000


def inert(text: str) -> str:
    return text.replace("<<<EMAIL", "<<< EMAIL").replace("EMAIL>>>", "EMAIL >>>")


def email_block(mail: Mail, calendar_method: str | None = None) -> tuple[str, str, str]:
    """(headers, body, attachments) of a mail, each safe to place inside the data block."""
    lines = [f"From: {mail.sender.formatted() if mail.sender else ''}",
             f"Subject: {mail.subject}"]
    if mail.reply_to:
        lines.append("Reply-To: " + ", ".join(a.email for a in mail.reply_to))
    if mail.date:
        lines.append(f"Date: {mail.date.isoformat()}")
    if mail.automation.reasons:
        lines.append("Automated: " + ", ".join(mail.automation.reasons))
    if calendar_method:
        lines.append(f"Calendar method: {calendar_method}")
    names = ", ".join(a.filename or a.content_type for a in mail.attachments)
    body = (mail.body.new or mail.body.full)[:MAX_BODY]
    return inert("\n".join(lines)), inert(body), inert(names)
