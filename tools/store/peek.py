"""Message-ID, Subject and From of a message, read fast from the raw header block.

Ingest stores thousands of messages a second; a full `email` parse of every header block
would cost more than reading the mail from the server. This reads the three fields with a
regular expression over the header block, decodes RFC 2047 words only where there are any,
and never raises: broken input gives None / "".
"""

from __future__ import annotations

import contextlib
import re
from email.header import decode_header, make_header

from core.text import clean

HEAD_LIMIT = 262144
_END = re.compile(rb"\r?\n\r?\n")
_FIELD = re.compile(rb"^(message-id|subject|from)[ \t]*:(.*(?:\r?\n[ \t].*)*)",
                    re.IGNORECASE | re.MULTILINE)
_MSGID_FIELD = re.compile(rb"^message-id[ \t]*:(.*(?:\r?\n[ \t].*)*)",
                          re.IGNORECASE | re.MULTILINE)
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_MSGID = re.compile(r"<[^<>\s]+>")
_UNCLEAN = re.compile("[\x00-\x1f\x7f\udc80-\udcff]")  # control characters, raw 8-bit


def _decode(value: bytes) -> str:
    if value.isascii() and b"=?" not in value and b"\n" not in value:  # the common case
        text = value.decode("ascii").strip()
        return text if text.isprintable() else clean(text)
    text = _FOLD.sub("", value.decode("utf-8", "surrogateescape")).strip()
    if "=?" in text:
        with contextlib.suppress(Exception):  # a broken encoded word: keep the text as is
            text = str(make_header(decode_header(text)))
    return clean(text) if _UNCLEAN.search(text) else text


def peek_id(data: bytes) -> str | None:
    """Only the Message-ID (what deduplication needs): one search over the header block."""
    end = _END.search(data, 0, HEAD_LIMIT)
    m = _MSGID_FIELD.search(data, 0, end.start() if end else HEAD_LIMIT)
    if m is None:
        return None
    found = _MSGID.search(_decode(m.group(1)))
    return found.group(0) if found else None


def peek(data: bytes) -> tuple[str | None, str, str]:
    """(Message-ID with angle brackets or None, Subject, From) — first occurrence each."""
    end = _END.search(data, 0, HEAD_LIMIT)
    head = data[: end.start() if end else HEAD_LIMIT]
    found: dict[bytes, bytes] = {}
    for name, value in _FIELD.findall(head):
        found.setdefault(name.lower(), value)
    mid = _MSGID.search(_decode(found[b"message-id"])) if b"message-id" in found else None
    subject = _decode(found[b"subject"]) if b"subject" in found else ""
    sender = _decode(found[b"from"]) if b"from" in found else ""
    return (mid.group(0) if mid else None), subject, sender
