"""Header values from untrusted mail, read through `email.policy.default` header objects.

`email.utils.parseaddr`/`getaddresses` are not used: before Python 3.11.10 they misread
crafted addresses. The policy's header parser is stricter, and every access is guarded
because a malformed header must never break the message.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.header import decode_header
from email.message import Message
from email.utils import parsedate_to_datetime

from agent.parse.addresses import parse_address_list, parse_mailbox
from core.models import Address, Automation
from core.text import clean

_MSGID = re.compile(r"<[^<>\s]+>")
_NOREPLY = re.compile(
    r"(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply|mailer[-_.]?daemon|postmaster|"
    r"bounces?|notifications?|automated|daemon|auto[-_.]?(?:reply|responder|mailer))"
    r"(?:[-+_.][^@]*|\d+[^@]*)?",
    re.IGNORECASE,
)


def _raw(msg: Message, name: str) -> str | None:
    lname = name.lower()
    try:
        return next((v for k, v in msg.raw_items() if k.lower() == lname), None)
    except Exception:
        return None


ADDRESS_HEADERS = frozenset({"from", "sender", "reply-to", "to", "cc", "bcc", "resent-from",
                             "resent-sender", "resent-to", "resent-cc", "resent-bcc",
                             "disposition-notification-to"})


def header(msg: Message, name: str) -> str | None:
    """The decoded value of a header, or None; never raises.

    Raw 8-bit bytes in a header (illegal, but common) are read as UTF-8, else as cp1252.
    Address headers come back as written (one line): agent/parse/addresses.py parses them
    piece by piece — the standard library's parser is not linear on a whole field.
    """
    raw = _raw(msg, name)
    if raw is None:
        return None
    if name.lower() in ADDRESS_HEADERS:
        return clean(raw)
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        return clean(raw)
    try:
        return clean(str(msg.get(name)))
    except Exception:
        return clean(raw)


def _encoded_break(raw: str) -> bool:
    """An encoded word in a raw value that decodes to CR or LF (each word on its own)."""
    pos = 0
    for _ in range(200):
        start = raw.find("=?", pos)
        end = raw.find("?=", start + 2) if start >= 0 else -1
        if end < 0:
            return False
        try:
            for data, charset in decode_header(raw[start:end + 2]):
                text = data.decode(charset or "latin-1", "replace") if isinstance(data, bytes) \
                    else data
                if "\r" in text or "\n" in text:
                    return True
        except Exception:
            pass
        pos = end + 2
    return False


def has_line_break(msg: Message, names: tuple[str, ...]) -> bool:
    """Does a decoded header carry CR or LF (smuggled in through an encoded word)?"""
    for name in names:
        if name.lower() in ADDRESS_HEADERS:
            raw = _raw(msg, name)
            if raw is not None and _encoded_break(raw):
                return True
            continue
        try:
            value = msg.get(name)
            if value is not None and ("\r" in str(value) or "\n" in str(value)):
                return True
        except Exception:
            continue
    return False


def all_values(msg: Message, name: str) -> list[str]:
    """Every raw value of a header that may appear more than once (Auto-Submitted …)."""
    lname = name.lower()
    try:
        return [clean(str(v)) for k, v in msg.raw_items() if k.lower() == lname]
    except Exception:
        return []


def count(msg: Message, name: str) -> int:
    lname = name.lower()
    try:
        return sum(1 for k, _ in msg.raw_items() if k.lower() == lname)
    except Exception:
        return 0


def mailbox(msg: Message, name: str) -> Address | None:
    """The one valid address of a single-address header (From, Sender, Reply-To); None when
    the header is missing, appears twice, or holds no or several addresses."""
    if count(msg, name) != 1:
        return None
    return parse_mailbox(header(msg, name), name)


def addresses(msg: Message, name: str) -> list[Address]:
    """The valid addresses of a list header (To, Cc); [] when missing or unreadable."""
    return parse_address_list(header(msg, name), name)


def is_noreply(email: str) -> bool:
    """noreply@, mailer-daemon@, notifications@ …: addresses no person reads."""
    return bool(_NOREPLY.fullmatch(email.rpartition("@")[0]))


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


# Subjects auto-responders and bounce messages use, in the languages the agent meets
_AUTO_SUBJECT = re.compile(
    r"(?:(?:re|aw|fwd?|wg)\s*:\s*)?(?:out of (?:the )?office|abwesenheitsnotiz|abwesenheit\b|"
    r"automatische antwort|automatic reply|auto(?:matic)?[- ]?reply|autoreply|auto:|"
    r"auto-?response|r[ée]ponse automatique|absence\b|respuesta autom[áa]tica|"
    r"fuera de la oficina|risposta automatica|fuori sede|automatisch antwoord|afwezig|"
    r"odpowied[źz] automatyczna|nieobecno|undeliverable|undelivered|unzustellbar|"
    r"nicht zustellbar|delivery status notification|mail delivery (?:failed|failure|system)|"
    r"returned mail|failure notice|delivery (?:has )?failed|delivery failure|non remis|"
    r"no entregado|non recapitabile|onbestelbaar|niedostarczon|mail system error|"
    r"zustellungsfehler|message not delivered|warning: could not send|übermittlungsstatus)",
    re.IGNORECASE,
)
_RESPONDER_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autogenerated",
                      "X-AutoReply-From", "X-Mail-Autoreply", "X-Auto-Reply", "X-Autoresponse",
                      "X-Vacation", "X-Precedence")
_LIST_HEADERS = ("List-Post", "List-Help", "List-Subscribe", "List-Owner", "List-Archive",
                 "Mailing-List", "X-Mailing-List", "X-BeenThere")
_RESPONDER_MAILER = re.compile(r"vacation|auto-?respon|auto-?reply|out of office|abwesenheit",
                               re.IGNORECASE)


def _responder_headers(msg: Message) -> list[str]:
    found = []
    for name in _RESPONDER_HEADERS:
        values = all_values(msg, name)
        if any(v.strip().lower() not in {"no", "false", "0"} for v in values):
            found.append(name)
    post = header(msg, "X-POST-MessageClass") or ""
    if "autoresponder" in post.lower():
        found.append("X-POST-MessageClass")
    return found


def _list_id(msg: Message) -> str | None:
    if count(msg, "List-Id"):
        return header(msg, "List-Id") or ""
    return next((name for name in _LIST_HEADERS if count(msg, name)), None)


def automation(msg: Message, sender: Address | None) -> Automation:
    ctype = msg.get_content_type()
    report = (msg.get_param("report-type") or "") if ctype == "multipart/report" else ""
    report = str(report).lower()
    bounce = report == "delivery-status" or bool(header(msg, "X-Failed-Recipients"))
    local = sender.email.rpartition("@")[0] if sender else ""
    suppress = header(msg, "X-Auto-Response-Suppress")
    subject = (header(msg, "Subject") or "")[:200].strip()
    auto_subject = _AUTO_SUBJECT.match(subject)
    mailer = (header(msg, "X-Mailer") or "")[:200]
    responders = _responder_headers(msg)
    if report == "disposition-notification":
        responders.append("read receipt")
    return Automation(
        auto_submitted=", ".join(all_values(msg, "Auto-Submitted")) or None,
        precedence=header(msg, "Precedence"),
        list_id=_list_id(msg),
        list_unsubscribe=header(msg, "List-Unsubscribe") is not None,
        bounce=bounce or (sender is not None and local.lower() in {"mailer-daemon", "postmaster"}),
        noreply_sender=bool(local and _NOREPLY.fullmatch(local)),
        null_return_path=(header(msg, "Return-Path") or "").replace(" ", "") == "<>",
        responder_headers=responders,
        suppress=suppress if suppress and suppress.strip().lower() != "none" else None,
        auto_subject=auto_subject.group(0).strip() if auto_subject else None,
        mailer=mailer if _RESPONDER_MAILER.search(mailer) else None,
        x_loop=[v[:300] for v in all_values(msg, "X-Loop")][:10],
    )
