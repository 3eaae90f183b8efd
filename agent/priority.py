"""Priority (CONTRACT §2): urgent within 24 h, high within a week or money/legal, low when
there is nothing to do, else normal. Deterministic: dates and words in the mail decide."""

from __future__ import annotations

import re
from datetime import timedelta

from agent.facts import find_deadline
from core.models import Category, MessageView, Priority

_URGENT = re.compile(
    r"\b(?:dringend|eilt|eilig|sofort|umgehend|notfall|asap|urgent|emergency|immediately|"
    r"right away|as soon as possible|so schnell wie möglich|heute noch|noch heute|"
    r"bis heute|bis morgen|by tomorrow|by today|by end of day|\beod\b|"
    r"letzte mahnung|final (?:notice|reminder)|(?:ist|are|is) (?:down|offline)|"
    r"nicht (?:mehr )?erreichbar|geht nicht mehr|funktioniert (?:gar )?nicht mehr)",
    re.I,
)
_HIGH = re.compile(
    r"\b(?:mahnung|zahlungserinnerung|payment reminder|overdue|überfällig|fällig|due\b|"
    r"frist|deadline|anwalt|rechtsanwalt|lawyer|attorney|abmahnung|klage|lawsuit|"
    r"gericht|court|vertrag|contract|kündigung|termination|inkasso|collection agency|"
    r"finanzamt|tax office|steuerbescheid|diese woche|this week|bis freitag|by friday)",
    re.I,
)
_NOTHING_TO_DO = {Category.newsletter, Category.spam}
# an amount read from the start of its digits only (a digit run is not retried inside)
_MONEY = re.compile(r"(?<![\d.,])\d[\d.,]{0,40}\s?(?:€|eur|euro|usd|\$|chf|£)|(?:€|\$|£)\s?\d",
                    re.I)
PRIORITY_SIGNALS = ("p_urgent_words", "p_deadline_1d", "p_deadline_7d", "p_high_words",
                    "p_money", "p_automated", "p_question")


def priority_signals(view: MessageView) -> dict[str, int]:
    """The facts the priority rules read, as features for the learned priority model."""
    mail = view.mail
    text = f"{mail.subject}\n{mail.body.new}\n{view.owner_note}"
    ref = view.reference_time.date()
    deadline = find_deadline(text, ref)
    return {
        "p_urgent_words": int(bool(_URGENT.search(text))),
        "p_deadline_1d": int(deadline is not None and deadline <= ref + timedelta(days=1)),
        "p_deadline_7d": int(deadline is not None and deadline <= ref + timedelta(days=7)),
        "p_high_words": int(bool(_HIGH.search(text))),
        "p_money": int(bool(_MONEY.search(text))),
        "p_automated": int(mail.automation.automated),
        "p_question": int("?" in mail.body.new),
    }


def priority_of(view: MessageView, category: Category) -> Priority:
    mail = view.mail
    if category in _NOTHING_TO_DO:
        return Priority.low
    text = f"{mail.subject}\n{mail.body.new}\n{view.owner_note}"
    ref = view.reference_time.date()
    deadline = find_deadline(text, ref)
    if _URGENT.search(text) or (deadline is not None and deadline <= ref + timedelta(days=1)):
        return Priority.urgent
    if mail.automation.automated and category not in {Category.invoice_payment}:
        return Priority.low
    if (category is Category.invoice_payment or _HIGH.search(text)
            or (deadline is not None and deadline <= ref + timedelta(days=7))):
        return Priority.high
    return Priority.normal
