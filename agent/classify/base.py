"""The seam every classifier fits: a view in, a classification out."""

from __future__ import annotations

from typing import Protocol

from agent.models import Classification, MessageView


class Classifier(Protocol):
    def classify(self, view: MessageView) -> Classification: ...


def text_of(view: MessageView, limit: int = 2000) -> str:
    """What a classifier reads: subject, the new text, attachment names, and the owner's note.

    Quoted history and signatures are left out: they describe earlier mail, not this one.
    """
    mail = view.mail
    parts = [mail.subject, mail.body.new or mail.body.full]
    names = [a.filename for a in mail.attachments if a.filename]
    if names:
        parts.append("Anhang: " + ", ".join(names))
    return "\n".join(p for p in parts if p)[:limit]
