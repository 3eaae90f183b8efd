"""The parse stage: raw bytes → `ParsedMessage`, within limits, never raising on bad mail."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser

from agent.dates import parse_loose_datetime
from agent.parse import headers as h
from agent.parse.forward import ForwardBlock, find_forward, is_forward_subject
from agent.parse.language import detect_language
from agent.parse.text import decode_bytes, html_to_text, normalize, split_body
from agent.parse.verdicts import filter_verdict
from core.config import Limits
from core.models import Attachment, CalendarPart, Mail, ParsedMessage, RawMessage
from core.text import clean

_MBOX_FROM = re.compile(rb"\AFrom [^\n]*\n")
_METHOD = re.compile(r"^METHOD:\s*([A-Za-z-]+)\s*$", re.M)
_HEADER_PEEK = 256 * 1024
_ATTACHMENT_TEXT = 32 * 1024


@dataclass
class _Parts:
    """What a walk over the MIME tree found."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)  # HTML bodies to read text from
    all_html: list[str] = field(default_factory=list)  # every HTML body, also plain's twins
    attachments: list[Attachment] = field(default_factory=list)
    calendar: list[CalendarPart] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    count: int = 0
    flags: set[str] = field(default_factory=set)


def strip_mbox_line(data: bytes) -> bytes:
    """A single message saved from an mbox may start with a 'From ' line: drop it."""
    data = data.lstrip(b"\r\n") if data[:2].strip() == b"" else data
    return _MBOX_FROM.sub(b"", data, count=1)


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        return "(unreadable name)"
    return clean(name) if name else None


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""


def _text(part: Message) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return decode_bytes(_payload(part), charset)


def _calendar(part: Message, filename: str | None) -> CalendarPart:
    text = _text(part)
    method = part.get_param("method") if part.get_content_type() == "text/calendar" else None
    if not isinstance(method, str):
        m = _METHOD.search(text)
        method = m.group(1) if m else None
    return CalendarPart(method=method.upper() if method else None, text=text, filename=filename)


def _walk(part: Message, depth: int, found: _Parts, limits: Limits) -> None:
    found.count += 1
    if found.count > limits.max_parts:
        found.flags.add("limit:parts")
        return
    if depth > limits.max_depth:
        found.flags.add("limit:depth")
        return
    ctype = part.get_content_type()
    if part.is_multipart():
        _walk_multipart(part, ctype, depth, found, limits)
        return
    filename = _filename(part)
    disposition = part.get_content_disposition()
    if ctype == "message/rfc822" or (ctype.startswith("message/") and part.is_multipart()):
        _attached_message(part, filename, found)
    elif ctype in {"text/calendar", "application/ics"} or (filename or "").lower().endswith(".ics"):
        found.calendar.append(_calendar(part, filename))
        if filename or disposition == "attachment":
            found.attachments.append(Attachment(filename=filename, content_type=ctype,
                                                size=len(_payload(part))))
    elif ctype in {"text/plain", "text/html"} and disposition != "attachment" and not filename:
        if ctype == "text/plain":
            found.plain.append(_text(part))
        else:
            found.html.append(_text(part))
            found.all_html.append(found.html[-1])
    else:
        text = _text(part)[:_ATTACHMENT_TEXT] if part.get_content_maintype() == "text" else ""
        found.attachments.append(Attachment(filename=filename, content_type=ctype,
                                            size=len(_payload(part)), text=text))


def _attached_message(part: Message, filename: str | None, found: _Parts) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    size = 0
    if isinstance(inner, Message):
        found.messages.append(inner)
        try:
            size = len(inner.as_bytes())
        except Exception:  # a broken inner message: its size is unknown, not fatal
            size = 0
    found.attachments.append(Attachment(filename=filename or "message.eml",
                                        content_type="message/rfc822", size=size))


def _walk_multipart(part: Message, ctype: str, depth: int, found: _Parts, limits: Limits) -> None:
    payload = part.get_payload()
    subparts = [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []
    if ctype == "message/rfc822" or part.get_content_maintype() == "message":
        for sub in subparts:
            found.messages.append(sub)
        return
    if ctype != "multipart/alternative":
        for sub in subparts:
            _walk(sub, depth + 1, found, limits)
        return
    alt = _Parts(count=found.count)
    for sub in subparts:
        _walk(sub, depth + 1, alt, limits)
    found.count = alt.count
    found.flags |= alt.flags
    has_plain = any(t.strip() for t in alt.plain)
    found.plain += alt.plain
    found.html += alt.html if not has_plain else []
    found.all_html += alt.all_html
    found.attachments += alt.attachments
    found.calendar += alt.calendar
    found.messages += alt.messages


def _body(found: _Parts) -> tuple[str, bool, str | None]:
    """(text, from_html, raw html) of what was found."""
    raw_html = found.all_html[0] if found.all_html else None
    plain = "\n\n".join(t for t in found.plain if t.strip())
    if plain.strip():
        return plain, False, raw_html
    if found.html:
        return "\n\n".join(html_to_text(x) for x in found.html), True, raw_html
    return "", False, raw_html


def _mail(msg: Message, found: _Parts) -> Mail:
    senders = h.addresses(msg, "From") or h.addresses(msg, "Sender")
    sender = senders[0] if senders else None
    text, from_html, raw_html = _body(found)
    body = split_body(text, from_html)
    subject = h.header(msg, "Subject") or ""
    defects = [type(d).__name__ for d in getattr(msg, "defects", [])][:20]
    if h.has_line_break(msg, ("Subject", "From", "Reply-To", "To", "Cc")):
        defects.append("HeaderLineBreak")  # an encoded CR/LF: someone tries header injection
    return Mail(
        message_id=h.message_id(msg),
        subject=subject,
        sender=sender,
        reply_to=h.addresses(msg, "Reply-To"),
        to=h.addresses(msg, "To"),
        cc=h.addresses(msg, "Cc"),
        date=h.parse_date(h.header(msg, "Date")),
        in_reply_to=h.message_id(msg, "In-Reply-To"),
        references=h.references(msg),
        automation=h.automation(msg, sender),
        verdict=filter_verdict(msg),
        body=body,
        html=raw_html,
        attachments=found.attachments,
        calendar=found.calendar,
        language=detect_language(_language_sample(subject, body.new, body.full)),
        defects=defects,
    )


def _language_sample(subject: str, new: str, full: str) -> str:
    sample = f"{subject}\n{new}"
    return sample if len(new) >= 40 else f"{sample}\n{full[:2000]}"


def _mail_from_block(block: ForwardBlock) -> Mail:
    """A forwarded message rebuilt from the header block a mail client wrote into the text."""
    hd = block.headers
    body = split_body(block.body)
    subject = clean(hd.get("subject", ""))
    senders = h.parse_addresses(hd.get("from"), "From")
    sender = senders[0] if senders else None
    return Mail(
        subject=subject,
        sender=sender,
        reply_to=h.parse_addresses(hd.get("reply_to"), "Reply-To"),
        to=h.parse_addresses(hd.get("to"), "To"),
        cc=h.parse_addresses(hd.get("cc"), "Cc"),
        date=_block_date(hd.get("date")),
        automation=h.automation(Message(), sender),
        body=body,
        language=detect_language(_language_sample(subject, body.new, body.full)),
    )


def _block_date(value: str | None) -> datetime | None:
    if not value:
        return None
    return h.parse_date(value) or parse_loose_datetime(value)


def _parse_tree(msg: Message, limits: Limits, depth: int = 0) -> tuple[Mail, _Parts]:
    found = _Parts()
    _walk(msg, depth, found, limits)
    return _mail(msg, found), found


def _forwarded(outer: Mail, found: _Parts, msg: Message,
               limits: Limits) -> tuple[Mail | None, str | None, str]:
    """(inner mail, format, note) when the outer mail forwards another one."""
    block = find_forward(outer.body.full, outer.subject)
    if block is not None:  # inline forward: the files attached to the forward are the original's
        inner = _mail_from_block(block).model_copy(
            update={"attachments": outer.attachments, "calendar": outer.calendar})
        return inner, block.format, normalize(block.note)
    is_report = msg.get_content_type() == "multipart/report"
    if found.messages and not is_report and (is_forward_subject(outer.subject)
                                             or len(outer.body.new) < 1500):
        inner, _ = _parse_tree(found.messages[0], limits, depth=1)
        return inner, "rfc822", outer.body.new
    return None, None, ""


def parse_message(raw: RawMessage, limits: Limits | None = None) -> ParsedMessage:
    """Parse one raw message. Over a limit, the headers are read and the message is flagged."""
    limits = limits or Limits()
    data = strip_mbox_line(raw.data)
    if len(data) > limits.max_bytes:
        msg = BytesHeaderParser(policy=policy.default).parsebytes(data[:_HEADER_PEEK])
        outer = _mail(msg, _Parts())
        return ParsedMessage(ref=raw.ref, size=len(data), outer=outer, flags=["limit:size"])
    msg = BytesParser(policy=policy.default).parsebytes(data)
    outer, found = _parse_tree(msg, limits)
    inner, fmt, note = _forwarded(outer, found, msg, limits)
    if inner is not None:
        outer = outer.model_copy(update={"body": outer.body.model_copy(update={"new": note})})
    return ParsedMessage(ref=raw.ref, size=len(data), outer=outer, forwarded=inner,
                         forward_format=fmt, forward_note=note, flags=sorted(found.flags))
