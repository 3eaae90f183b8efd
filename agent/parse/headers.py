"""Header values from untrusted mail, read through `email.policy.default` header objects.

`email.utils.parseaddr`/`getaddresses` are not used: before Python 3.11.10 they misread
crafted addresses. The policy's header parser is stricter, and every access is guarded
because a malformed header must never break the message.
"""

from __future__ import annotations

import re
from datetime import datetime
from email import policy
from email.message import Message
from email.utils import parsedate_to_datetime

from core.models import Address, Automation
from core.text import clean

_EMAIL = re.compile(r"[A-Za-z0-9._%+'=-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_MSGID = re.compile(r"<[^<>\s]+>")
_NOREPLY = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer-daemon|postmaster|bounces?|"
    r"notifications?|automated|daemon)([-+_.].*)?$",
    re.IGNORECASE,
)


def _raw(msg: Message, name: str) -> str | None:
    lname = name.lower()
    try:
        return next((v for k, v in msg.raw_items() if k.lower() == lname), None)
    except Exception:
        return None


def header(msg: Message, name: str) -> str | None:
    """The decoded value of a header, or None; never raises.

    Raw 8-bit bytes in a header (illegal, but common) are read as UTF-8, else as cp1252.
    """
    raw = _raw(msg, name)
    if raw is None:
        return None
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        return clean(raw)
    try:
        return clean(str(msg.get(name)))
    except Exception:
        return clean(raw)


def has_line_break(msg: Message, names: tuple[str, ...]) -> bool:
    """Does a decoded header carry CR or LF (smuggled in through an encoded word)?"""
    for name in names:
        try:
            value = msg.get(name)
            if value is not None and ("\r" in str(value) or "\n" in str(value)):
                return True
        except Exception:
            continue
    return False


def _address_from(display_name: str, addr_spec: str) -> Address | None:
    email = clean(addr_spec)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        return None
    if not _EMAIL.fullmatch(email):
        return None
    return Address(email=email, name=clean(display_name or ""))


def parse_addresses(value: str | None, header_name: str = "To") -> list[Address]:
    """Addresses from a header value (also one found in a forwarded block of text)."""
    if not value:
        return []
    # old Outlook forward format: 'Muster, Max [mailto:max@x.de]' (the comma is in the name)
    value = re.sub(r"^\s*\"?([^\"<\[]*?)\"?\s*\[mailto:([^\]\s]+)\]",
                   lambda m: f'"{m[1].strip()}" <{m[2]}>' if m[1].strip() else f"<{m[2]}>",
                   value)
    try:
        parsed = policy.default.header_factory(header_name, value)
        groups = getattr(parsed, "addresses", ())
        found = [a for a in (_address_from(x.display_name, x.addr_spec) for x in groups) if a]
    except Exception:
        found = []
    if found:
        return found
    return [Address(email=m) for m in _EMAIL.findall(value)]  # last resort: bare addresses


def addresses(msg: Message, name: str) -> list[Address]:
    """Addresses of an address header of the message; [] when missing or unreadable."""
    try:
        h = msg.get(name)
        if h is None:
            return []
        groups = getattr(h, "addresses", None)
        if groups is not None:
            found = [a for a in (_address_from(x.display_name, x.addr_spec) for x in groups) if a]
            if found:
                return found
    except Exception:
        pass
    return parse_addresses(header(msg, name), name)


def is_noreply(email: str) -> bool:
    """noreply@, mailer-daemon@, notifications@ …: addresses no person reads."""
    return bool(_NOREPLY.match(email.rpartition("@")[0]))


def parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return dt


def message_id(msg: Message, name: str = "Message-ID") -> str | None:
    value = header(msg, name)
    if not value:
        return None
    m = _MSGID.search(value)
    return m.group(0) if m else None


def references(msg: Message) -> list[str]:
    value = header(msg, "References") or ""
    return _MSGID.findall(value)[-50:]


def automation(msg: Message, sender: Address | None) -> Automation:
    ctype = msg.get_content_type()
    report = (msg.get_param("report-type") or "") if ctype == "multipart/report" else ""
    bounce = str(report).lower() == "delivery-status" or bool(header(msg, "X-Failed-Recipients"))
    local = sender.email.rpartition("@")[0] if sender else ""
    return Automation(
        auto_submitted=header(msg, "Auto-Submitted"),
        precedence=header(msg, "Precedence"),
        list_id=header(msg, "List-Id"),
        list_unsubscribe=header(msg, "List-Unsubscribe") is not None,
        bounce=bounce or (sender is not None and local.lower() in {"mailer-daemon", "postmaster"}),
        noreply_sender=bool(local and _NOREPLY.match(local)),
    )
