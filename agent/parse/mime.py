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
from agent.parse.addresses import valid_email, written_address, written_list
from agent.parse.auth import sender_auth
from agent.parse.bounds import Bounded, bound_message, split_head
from agent.parse.forward import ForwardBlock, find_forward, is_forward_subject
from agent.parse.language import detect_language
from agent.parse.pdf import pdf_text
from agent.parse.text import decode_bytes, html_to_text, normalize, split_body
from agent.parse.verdicts import filter_verdict
from core.config import Limits
from core.models import Address, Attachment, CalendarPart, Mail, ParsedMessage, RawMessage
from core.text import clean

_MBOX_FROM = re.compile(rb"\AFrom [^\n]*\n")
_METHOD = re.compile(r"^METHOD:\s*([A-Za-z-]+)\s*$", re.M)
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


def _headers_within(part: Message, limits: Limits) -> bool:
    """A part's header block within the limits, judged on the raw strings (the header
    parser has not seen them yet: `email.policy.default` parses on access)."""
    total = 0
    try:
        for _, value in part.raw_items():
            size = len(value)
            total += size
            if (size > limits.max_header_field or total > limits.max_header_bytes
                    or value.count("=?") > limits.max_encoded_words):
                return False
    except Exception:
        return False
    return True


def _walk(part: Message, depth: int, found: _Parts, limits: Limits) -> None:
    found.count += 1
    if found.count > limits.max_parts:
        found.flags.add("limit:parts")
        return
    if depth > limits.max_depth:
        found.flags.add("limit:depth")
        return
    if not _headers_within(part, limits):
        found.flags.add("limit:header")
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
        found.attachments.append(Attachment(filename=filename, content_type=ctype,
                                            size=len(_payload(part)),
                                            text=_attachment_text(part, ctype, filename)))


def _attachment_text(part: Message, ctype: str, filename: str | None) -> str:
    """The start of an attachment's text (plain, HTML, PDF) for the risk check."""
    if ctype == "application/pdf" or (filename or "").lower().endswith(".pdf"):
        return pdf_text(_payload(part))
    if ctype == "text/html":
        return html_to_text(_text(part)[:_ATTACHMENT_TEXT * 4])[:_ATTACHMENT_TEXT]
    if part.get_content_maintype() == "text":
        return _text(part)[:_ATTACHMENT_TEXT]
    return ""


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


def _name_is_address(sender: Address) -> bool:
    """A display name that is itself an address, but not the one the mail comes from."""
    if "@" not in sender.name:
        return False
    tokens = sender.name.replace("<", " ").replace(">", " ").replace('"', " ").split()
    named = [e for e in (valid_email(t.strip("()[],;:'")) for t in tokens[:50]) if e]
    return any(e.lower() != sender.email.lower() for e in named)


def _identity(msg: Message, sender: Address | None) -> list[str]:
    """Doubts about who sent the mail (read by the view stage's owner and spoofing checks)."""
    doubts = []
    froms = h.count(msg, "From")
    if froms > 1:
        doubts.append("from-twice")
    elif froms == 1 and sender is None:
        doubts.append("from-invalid")  # no address, several, or a quoted local part
    if h.count(msg, "Sender"):
        other = h.mailbox(msg, "Sender")
        if other is None or sender is None or other.email.lower() != sender.email.lower():
            doubts.append("sender-differs")
    if h.count(msg, "Reply-To") and h.mailbox(msg, "Reply-To") is None:
        doubts.append("reply-to-invalid")
    if sender is not None and _name_is_address(sender):
        doubts.append("name-is-address")
    return doubts


def _mail(msg: Message, found: _Parts) -> Mail:
    froms = h.count(msg, "From")
    sender = h.mailbox(msg, "From") if froms else h.mailbox(msg, "Sender")
    text, from_html, raw_html = _body(found)
    body = split_body(text, from_html)
    subject = h.header(msg, "Subject") or ""
    defects = [type(d).__name__ for d in getattr(msg, "defects", [])][:20]
    if h.has_line_break(msg, ("Subject", "From", "Reply-To", "To", "Cc")):
        defects.append("HeaderLineBreak")  # an encoded CR/LF: someone tries header injection
    reply_to = h.mailbox(msg, "Reply-To")
    return Mail(
        message_id=h.message_id(msg),
        subject=subject,
        sender=sender,
        reply_to=[reply_to] if reply_to else [],
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
        auth=sender_auth(msg, sender.domain if sender else ""),
        identity=_identity(msg, sender),
    )


def _language_sample(subject: str, new: str, full: str) -> str:
    sample = f"{subject}\n{new}"
    return sample if len(new) >= 40 else f"{sample}\n{full[:2000]}"


def _mail_from_block(block: ForwardBlock) -> Mail:
    """A forwarded message rebuilt from the header block a mail client wrote into the text."""
    hd = block.headers
    body = split_body(block.body)
    subject = clean(hd.get("subject", ""))
    sender = written_address(hd.get("from"), "From")
    reply_to = written_address(hd.get("reply_to"), "Reply-To")
    return Mail(
        subject=subject,
        sender=sender,
        reply_to=[reply_to] if reply_to else [],
        to=written_list(hd.get("to"), "To"),
        cc=written_list(hd.get("cc"), "Cc"),
        identity=["reply-to-invalid"] if hd.get("reply_to") and reply_to is None else [],
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


def _headers_only(raw: RawMessage, data: bytes, bounded: Bounded, flags: set[str]
                  ) -> ParsedMessage:
    head, _ = split_head(bounded.data)
    msg = BytesHeaderParser(policy=policy.default).parsebytes(head)
    outer = _mail(msg, _Parts())
    return ParsedMessage(ref=raw.ref, size=len(data), outer=outer, flags=sorted(flags),
                         limits=bounded.notes)


def parse_message(raw: RawMessage, limits: Limits | None = None) -> ParsedMessage:
    """Parse one raw message. Its header block is bounded first (agent/parse/bounds.py);
    over the size or structure limits, only the headers are read and the message is
    flagged."""
    limits = limits or Limits()
    data = strip_mbox_line(raw.data)
    if len(data) > limits.max_bytes:
        bounded = bound_message(data[:limits.max_header_bytes + 2], limits)
        return _headers_only(raw, data, bounded, {"limit:size", *bounded.flags})
    bounded = bound_message(data, limits)
    if bounded.headers_only:
        return _headers_only(raw, data, bounded, bounded.flags)
    msg = BytesParser(policy=policy.default).parsebytes(bounded.data)
    outer, found = _parse_tree(msg, limits)
    inner, fmt, note = _forwarded(outer, found, msg, limits)
    if inner is not None:
        outer = outer.model_copy(update={"body": outer.body.model_copy(update={"new": note})})
    return ParsedMessage(ref=raw.ref, size=len(data), outer=outer, forwarded=inner,
                         forward_format=fmt, forward_note=note,
                         flags=sorted(found.flags | bounded.flags), limits=bounded.notes)
