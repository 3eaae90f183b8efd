"""The seam every classifier fits: a view in, a classification out."""

from __future__ import annotations

from typing import Protocol

from core.models import Classification, MessageView


class Classifier(Protocol):
    def classify(self, view: MessageView) -> Classification: ...


def text_of(view: MessageView, limit: int = 2000) -> str:
    """What a classifier reads: sender, subject, attachment names and the new text — in
    that order, so the start of it (what is embedded, tools/embeddings.py) carries them all.

    Quoted history and signatures are left out: they describe earlier mail, not this one.
    The owner's note on a forward is left out too: it guides the gate, not the category.
    """
    mail = view.mail
    sender = mail.sender
    parts = []
    if sender is not None:
        parts.append(f"From: {sender.name} <{sender.domain}>".replace(" <", " <", 1).strip())
    parts.append(f"Subject: {mail.subject}")
    names = [a.filename for a in mail.attachments if a.filename]
    if names:
        parts.append("Attachments: " + ", ".join(names)[:200])
    parts.append(" ".join((mail.body.new or mail.body.full).split()))
    return "\n".join(p for p in parts if p)[:limit]
