"""Bounds on a raw message, applied before any parser sees it (issue 11).

The standard library's header parser costs more than linear time on some inputs (a `From:`
of 50,000 encoded words grows memory quadratically; 70,000 `Cc:` addresses take 70 s), and
its MIME parser recurses once per nesting level. So the header block is read here first,
with plain byte operations that are linear in its length:

- the whole header block is cut at `limits.max_header_bytes`;
- a field longer than `max_header_field` (unfolded), with more than `max_encoded_words`
  encoded words or — in an address field — more than `max_addresses` addresses is cut
  (at an address boundary where there is one);
- a message with more than `max_containers` multipart/message parts is read for its
  headers only (this bounds the nesting depth too, far below the interpreter's recursion
  limit).

What was cut is returned as flags (`limit:header`, `limit:structure`) and notes, so the
message is still triaged — and the owner told — instead of stopping everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.config import Limits

ADDRESS_FIELDS = frozenset({
    b"from", b"sender", b"reply-to", b"to", b"cc", b"bcc", b"resent-from", b"resent-sender",
    b"resent-to", b"resent-cc", b"resent-bcc", b"disposition-notification-to",
})
_BLANK = re.compile(rb"\r?\n\r?\n")
# a Content-Type line of a container part, at a line start (the header may be folded)
_CONTAINER = re.compile(rb"(?im)^content-type:[ \t]*(?:\r?\n[ \t]+)?(?:multipart|message)/")


@dataclass
class Bounded:
    """The message as the parser may see it, and what had to be cut."""

    data: bytes
    flags: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    @property
    def headers_only(self) -> bool:
        return "limit:structure" in self.flags


def split_head(data: bytes) -> tuple[bytes, bytes]:
    """(header block incl. its blank line, body); no blank line: all header."""
    if data.startswith((b"\n", b"\r\n")):
        return b"", data
    m = _BLANK.search(data)
    if m is None:
        return data, b""
    return data[:m.end()], data[m.end():]


def _fields(head: bytes) -> list[bytes]:
    """The header block's fields, each with its folded continuation lines."""
    out: list[bytes] = []
    for line in head.splitlines(keepends=True):
        if out and line[:1] in (b" ", b"\t"):
            out[-1] += line
        elif line.strip():
            out.append(line)
    return out


def _top_level_commas(value: bytes, stop: int, wanted: int) -> list[int]:
    """Positions of commas that separate addresses (outside quotes, <> and comments),
    scanning no further than `stop` and no more than `wanted` of them."""
    found: list[int] = []
    quoted = escaped = False
    angle = paren = 0
    for i in range(min(len(value), stop)):
        ch = value[i]
        if escaped:
            escaped = False
        elif ch == 0x5C:  # backslash
            escaped = quoted or paren > 0
        elif quoted:
            quoted = ch != 0x22
        elif ch == 0x22:
            quoted = paren == 0
        elif ch == 0x28:
            paren += 1
        elif ch == 0x29 and paren:
            paren -= 1
        elif paren:
            continue
        elif ch == 0x3C:
            angle += 1
        elif ch == 0x3E and angle:
            angle -= 1
        elif ch == 0x2C and not angle:
            found.append(i)
            if len(found) >= wanted:
                break
    return found


def _nth(haystack: bytes, needle: bytes, n: int) -> int:
    """Position of the n-th (1-based) occurrence, or -1."""
    pos = -1
    for _ in range(n):
        pos = haystack.find(needle, pos + 1)
        if pos < 0:
            return -1
    return pos


def _cut_field(raw: bytes, limits: Limits) -> tuple[bytes, str | None]:
    """The field within the limits, and a note when it had to be cut."""
    name, sep, _ = raw.partition(b":")
    if not sep or (len(raw) <= limits.max_header_field
                   and raw.count(b"=?") <= limits.max_encoded_words
                   and raw.count(b",") < limits.max_addresses):
        return raw, None
    lname = name.strip().lower()
    cuts: list[tuple[int, str]] = []
    if len(raw) > limits.max_header_field:
        cuts.append((limits.max_header_field, f"{len(raw)} Bytes"))
    word = _nth(raw, b"=?", limits.max_encoded_words + 1)
    if word >= 0:
        cuts.append((word, f"mehr als {limits.max_encoded_words} kodierte Wörter"))
    boundary: list[int] = []
    if lname in ADDRESS_FIELDS:  # commas past the first cut do not matter: scan no further
        stop = min([len(raw), *(c for c, _ in cuts)])
        boundary = _top_level_commas(raw, stop, limits.max_addresses)
        if len(boundary) >= limits.max_addresses:
            cuts.append((boundary[-1], f"mehr als {limits.max_addresses} Adressen"))
    if not cuts:
        return raw, None
    at, why = min(cuts)
    if lname in ADDRESS_FIELDS:
        before = [b for b in boundary if b <= at]
        at = before[-1] if before else at
    else:
        lo = max(len(name) + 1, at - 200)  # a word boundary near the cut, else a hard cut
        space = max(raw.rfind(b" ", lo, at), raw.rfind(b"\t", lo, at))
        at = space if space > lo else at
    ending = b"\r\n" if raw.endswith(b"\r\n") else b"\n"
    kept = raw[:at].rstrip(b" \t\r\n,")
    return kept + ending, f"{name.decode('ascii', 'replace').strip()}: {why}"


def bound_message(data: bytes, limits: Limits) -> Bounded:
    """`data` with its header block within the limits (see the module's docstring)."""
    head, body = split_head(data)
    out = Bounded(data=data)
    kept: list[bytes] = []
    size = 0
    changed = False
    for raw in _fields(head[:limits.max_header_bytes + 1]):
        bounded, note = _cut_field(raw, limits)
        if size + len(bounded) > limits.max_header_bytes:
            out.notes.append(f"Kopfzeilen über {limits.max_header_bytes} Bytes")
            changed = True
            break
        if note:
            out.notes.append(note)
            changed = True
        kept.append(bounded)
        size += len(bounded)
    if len(head) > limits.max_header_bytes + 1 and not changed:
        out.notes.append(f"Kopfzeilen über {limits.max_header_bytes} Bytes")
        changed = True
    if changed:
        ending = b"\r\n" if head.endswith(b"\r\n") else b"\n"
        out.data = b"".join(kept) + ending + body
        out.flags.add("limit:header")
    for containers, _ in enumerate(_CONTAINER.finditer(body), start=1):
        if containers > limits.max_containers:
            out.flags.add("limit:structure")
            out.notes.append(f"mehr als {limits.max_containers} verschachtelte Teile")
            break
    return out
