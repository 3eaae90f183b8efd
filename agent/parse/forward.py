"""Finding a forwarded message inside a mail body (Gmail, Outlook, Apple Mail, Thunderbird).

The forwarder's note is what stands above the marker; the header block below it names the
original sender, date and subject; the rest is the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Markers that always mean "a forward follows", by client.
_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("gmail", re.compile(r"^-{9,}\s*(Forwarded message|Weitergeleitete Nachricht|Message transféré|"
                         r"Messaggio inoltrato|Mensaje reenviado|Doorgestuurd bericht)\s*-{3,}\s*$",
                         re.I | re.M)),
    ("thunderbird", re.compile(r"^-{4,8}\s*(Forwarded Message|Weitergeleitete Nachricht|"
                               r"Original-Nachricht|Original Message)\s*-{4,8}\s*$", re.I | re.M)),
    ("apple", re.compile(r"^(Begin forwarded message|Anfang der weitergeleiteten Nachricht|"
                         r"Début du message réexpédié|Inizio messaggio inoltrato)\s*:\s*$",
                         re.I | re.M)),
]
# Outlook writes the same block for replies and forwards: it counts only when the subject
# says the mail is a forward.
_OUTLOOK = re.compile(
    r"^(?:-{3,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{3,}\s*$"
    r"|_{10,}\s*$"
    r"|(?=(?:From|Von|De)\s*:\s*\S.*\n\s*(?:Sent|Gesendet|Envoyé|Date|Datum)\s*:))",
    re.I | re.M,
)
_FORWARD_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)?(fwd?|wg|weitergeleitet|tr|i|rv|doorst)\s*:", re.I)

_KEYS = {
    "from": "from", "von": "from", "de": "from", "da": "from", "van": "from",
    "date": "date", "datum": "date", "sent": "date", "gesendet": "date", "envoyé": "date",
    "inviato": "date", "verzonden": "date",
    "subject": "subject", "betreff": "subject", "objet": "subject", "oggetto": "subject",
    "onderwerp": "subject", "asunto": "subject",
    "to": "to", "an": "to", "à": "to", "a": "to", "aan": "to", "para": "to",
    "cc": "cc", "kopie": "cc",
    "reply-to": "reply_to", "antwort an": "reply_to", "antwort-an": "reply_to",
}
_HEADER_LINE = re.compile(
    r"^\s*(?:\*\s*)?([A-Za-zÀ-ÿ][A-Za-zÀ-ÿ -]{0,14}?)\s*(?:\*\s*)?:\s*(?:\*\s*)?(.*)$")


@dataclass
class ForwardBlock:
    format: str
    note: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


def is_forward_subject(subject: str) -> bool:
    return bool(_FORWARD_SUBJECT.match(subject or ""))


def _unquote(lines: list[str]) -> list[str]:
    """Apple Mail and some clients quote the forwarded part with '>'."""
    quoted = [ln for ln in lines if ln.strip()]
    if quoted and all(ln.lstrip().startswith(">") for ln in quoted[: min(len(quoted), 6)]):
        return [re.sub(r"^\s*> ?", "", ln) for ln in lines]
    return lines


def _read_headers(lines: list[str]) -> tuple[dict[str, str], int]:
    """Parse 'Key: value' lines (with continuation lines) until a blank line or body text."""
    headers: dict[str, str] = {}
    i, last = 0, None
    while i < len(lines) and not lines[i].strip():  # Apple Mail: blank line after the marker
        i += 1
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            if headers:
                break
            i += 1
            continue
        m = _HEADER_LINE.match(line)
        key = _KEYS.get(m.group(1).strip().lower()) if m else None
        if key:
            headers.setdefault(key, m.group(2).strip() if m else "")
            last = key
        elif last and line[:1] in " \t" and len(headers) < 6:
            headers[last] += " " + line.strip()  # folded value (long To: lists)
        else:
            break
        i += 1
    return headers, i


def _block(fmt: str, text: str, start: int, end: int) -> ForwardBlock | None:
    lines = _unquote(text[end:].split("\n"))
    headers, used = _read_headers(lines)
    if "from" not in headers:
        return None
    note = text[:start].rstrip()
    body = "\n".join(lines[used:]).strip()
    return ForwardBlock(format=fmt, note=note, headers=headers, body=body)


def find_forward(text: str, subject: str) -> ForwardBlock | None:
    """The first forwarded message in `text`, or None when the mail is not a forward."""
    hits: list[tuple[int, int, str]] = []
    for fmt, pattern in _MARKERS:
        m = pattern.search(text)
        if m:
            hits.append((m.start(), m.end(), fmt))
    if is_forward_subject(subject):
        m = _OUTLOOK.search(text)
        if m:
            hits.append((m.start(), m.end(), "outlook"))
    for start, end, fmt in sorted(hits):
        block = _block(fmt, text, start, end)
        if block:
            return block
    return None
