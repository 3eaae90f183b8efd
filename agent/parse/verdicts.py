"""The verdicts a provider's spam filter and authentication checks wrote into the headers.

Only verdicts *against* a mail are read: any header can be written by the sender, so a
"not spam" or "pass" proves nothing, while a sender gains nothing by calling their own
mail spam. Authentication-Results is read from the topmost header only (the one the
receiving provider added; lower ones travelled with the mail).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import Message

from core.models import FilterVerdict

_AUTH_FAIL = re.compile(r"\b(dmarc|spf|dkim)\s*=\s*fail\b", re.I)
_SUBJECT_TAG = re.compile(r"^\s*(?:\*{2,3}\s*spam\s*\*{2,3}|\[spam\]|\{spam\??\})", re.I)
_RSPAMD_SPAM_ACTIONS = {"reject", "add header", "rewrite subject"}


def _values(msg: Message, name: str) -> list[str]:
    try:
        return [str(v) for v in msg.get_all(name) or []]
    except Exception:  # a header that cannot be parsed proves nothing
        return []


def _first(msg: Message, name: str) -> str:
    values = _values(msg, name)
    return " ".join(values[0].split()).strip() if values else ""


def spam_verdict(msg: Message) -> str | None:
    """The header that called the mail spam, or None."""
    checks: tuple[tuple[str, Callable[[str], bool]], ...] = (
        ("X-Spam-Flag", lambda v: v.lower().startswith("yes")),
        ("X-Spam-Status", lambda v: v.lower().startswith("yes")),
        ("X-Spam", lambda v: v.lower().startswith(("yes", "true"))),
        ("X-Rspamd-Action", lambda v: v.lower() in _RSPAMD_SPAM_ACTIONS),
        ("X-Spamd-Result", lambda v: v.lower().startswith("default: true")),
        ("X-MS-Exchange-Organization-SCL", lambda v: v.isdigit() and 5 <= int(v) <= 9),
        ("X-Forefront-Antispam-Report", lambda v: "sfv:spm" in v.lower().replace(" ", "")),
    )
    for name, says_spam in checks:
        value = _first(msg, name)
        if value and says_spam(value):
            return f"{name}: {value[:60]}"
    subject = _first(msg, "Subject")
    if _SUBJECT_TAG.match(subject):
        return f"Subject: {subject[:40]}"
    return None


def auth_failures(msg: Message) -> list[str]:
    """Which of DMARC, SPF, DKIM the receiving provider saw fail (topmost header only)."""
    top = _first(msg, "Authentication-Results")
    return sorted({m.group(1).lower() for m in _AUTH_FAIL.finditer(top)})


def filter_verdict(msg: Message) -> FilterVerdict:
    return FilterVerdict(spam=spam_verdict(msg), auth_fail=auth_failures(msg))
