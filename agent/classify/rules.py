"""Rules that are certain enough to decide a category without a model."""

from __future__ import annotations

import re

from agent.classify.signals import spoofed_brand
from core.models import Category, MessageView

_OOO = re.compile(
    r"^(?:auto(?:matische)?[- ]?(?:antwort|reply)|abwesenheits|out of (?:the )?office|"
    r"automatic reply|autoreply|abwesend|urlaubs?(?:abwesenheit|notiz)|away)",
    re.I,
)
_SOCIAL_DOMAINS = re.compile(
    r"(?:^|\.)(?:facebook|facebookmail|instagram|linkedin|twitter|x|tiktok|youtube|pinterest|"
    r"xing|yelp|trustpilot|google|threads|mastodon|snapchat)\.(?:com|net|de|social|io)$",
    re.I,
)


def certain_category(view: MessageView) -> tuple[Category, str] | None:
    """(category, rule name) when a deterministic rule is sure, else None."""
    mail = view.mail
    if mail.verdict.spam:  # the provider's filter said so (only "spam" verdicts are read)
        return Category.spam, "provider-verdict"
    if spoofed_brand(view):
        return Category.spam, "auth-fail:" + "+".join(mail.verdict.auth_fail)
    if view.calendar_method in {"REQUEST", "CANCEL", "COUNTER", "DECLINECOUNTER", "REPLY",
                                "ADD", "REFRESH"}:
        return Category.scheduling, f"calendar:{view.calendar_method}"
    if mail.automation.bounce:
        return Category.other, "bounce"
    auto = (mail.automation.auto_submitted or "").lower()
    if auto.startswith("auto-replied") or (auto and _OOO.match(mail.subject)):
        return Category.other, "auto-reply"
    return None


def social_sender(view: MessageView) -> bool:
    """Mail sent by a social platform's own systems."""
    sender = view.mail.sender
    return sender is not None and bool(_SOCIAL_DOMAINS.search(sender.domain))
