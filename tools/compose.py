"""An outgoing reply as RFC 5322 bytes, built so that header injection cannot happen.

Every header value passes `_one_line` (CR, LF and NUL are refused for addresses and
Message-IDs, replaced by a space in free text), addresses are parsed into
`email.headerregistry.Address` objects, and the message is built with `EmailMessage` and
`policy.SMTP`, which itself refuses any header value with a line break.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import format_datetime

_BREAK = re.compile(r"[\r\n\x00]")
_MSGID = re.compile(r"^<[!-;=?-~]+@[!-;=?-~]+>$")  # printable, no spaces, no angle brackets


class UnsafeHeader(ValueError):
    """A header value that would change the message's structure (or is not an address)."""


@dataclass(frozen=True)
class Reply:
    """What goes out: the stored draft's fields (to/cc/subject/body/threading)."""

    draft_id: int
    to: list[str]
    subject: str
    body: str
    cc: list[str] = field(default_factory=list)
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    auto: bool = False  # an automatic reply: Auto-Submitted: auto-replied (RFC 3834)
    generated: bool = False  # a notice the agent wrote itself: Auto-Submitted: auto-generated
    itip: str | None = None  # an iCalendar object to send along (RFC 6047)
    itip_method: str | None = None


@dataclass(frozen=True)
class OutMail:
    message_id: str
    mail_from: str  # envelope sender (the address of the From header)
    rcpt: list[str]  # envelope recipients: To and Cc
    data: bytes


def _one_line(value: str, what: str) -> str:
    if _BREAK.search(value):
        raise UnsafeHeader(f"{what} contains a line break: {value[:80]!r}")
    return value


def _text(value: str) -> str:
    """Free text (a subject): line breaks become spaces, never new headers."""
    return " ".join(_BREAK.sub(" ", value).split())


def address(value: str, what: str) -> Address:
    """One bare address (`name@domain`), strictly parsed."""
    _one_line(value, what)
    try:
        addr = Address(addr_spec=value.strip())
    except (ValueError, IndexError) as exc:
        raise UnsafeHeader(f"{what}: not an e-mail address: {value[:80]!r}") from exc
    if not addr.username or "." not in addr.domain:
        raise UnsafeHeader(f"{what}: not an e-mail address: {value[:80]!r}")
    return addr


def sender(value: str) -> Address:
    """The configured identity, e.g. "Anna Beispiel <anna@beispiel.de>"."""
    _one_line(value, "smtp.from")
    try:
        parsed = default.header_factory("From", value)
        addresses = list(parsed.addresses)
    except (ValueError, IndexError, AttributeError) as exc:
        raise UnsafeHeader(f"smtp.from: not an address: {value[:80]!r}") from exc
    if len(addresses) != 1 or parsed.defects:
        raise UnsafeHeader(f"smtp.from: expected one address, got {value[:80]!r}")
    bare = address(addresses[0].addr_spec, "smtp.from")
    return Address(display_name=_text(addresses[0].display_name), username=bare.username,
                   domain=bare.domain)


def message_id_for(reply: Reply, domain: str) -> str:
    """Deterministic: the same draft always gets the same Message-ID (for the Sent check)."""
    digest = hashlib.sha256("\x1f".join(
        [str(reply.draft_id), *reply.to, "|", *reply.cc, reply.subject, reply.body,
         reply.in_reply_to or "", reply.itip or ""]).encode()).hexdigest()[:20]
    return f"<assistenz.{reply.draft_id}.{digest}@{domain}>"


def _ids(values: list[str]) -> list[str]:
    """Message-IDs for In-Reply-To/References; anything not shaped like one is dropped."""
    return [v for v in (x.strip() for x in values) if _MSGID.match(v)]


def compose(reply: Reply, from_: str, when: datetime) -> OutMail:
    """The reply as bytes with CRLF line ends, ready for SMTP and for the Sent folder."""
    me = sender(from_)
    to = [address(a, "to") for a in reply.to]
    cc = [address(a, "cc") for a in reply.cc]
    if not to:
        raise UnsafeHeader("a reply needs at least one recipient")
    mid = message_id_for(reply, me.domain)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = me
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = _text(reply.subject)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = mid
    parent = _ids([reply.in_reply_to or ""])
    if parent:
        msg["In-Reply-To"] = parent[0]
    refs = _ids(reply.references)
    if refs:
        msg["References"] = " ".join(refs)
    if reply.auto:
        msg["Auto-Submitted"] = "auto-replied"
    elif reply.generated:
        msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(reply.body, charset="utf-8", cte="quoted-printable")
    if reply.itip:  # RFC 6047: the calendar object as an alternative to the text
        method = _one_line(reply.itip_method or "REQUEST", "itip method").upper()
        msg.add_alternative(reply.itip, subtype="calendar", charset="utf-8",
                            params={"method": method})
    return OutMail(message_id=mid, mail_from=me.addr_spec,
                   rcpt=[a.addr_spec for a in to + cc], data=msg.as_bytes())
