"""One strict reading of e-mail addresses, used for every decision that rests on one: who
the sender is (and whether it is the owner), where a reply goes, whose daily limit counts,
who a task is about.

Addresses are read with `email.headerregistry` (the `email.policy.default` header parser)
and then checked again: exactly one mailbox, a plain dot-atom local part (no quoted local
parts such as `"julia@hoffmann-design.de"@evil.com`), one `@`, a domain of letters, digits
and hyphens with a dot. Anything else is no address — there is no fallback that searches
display names or raw text for something that looks like one.
"""

from __future__ import annotations

import re
from email import policy

from core.models import Address
from core.text import clean

_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TLD = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})")


def valid_email(addr_spec: str) -> str | None:
    """The address with its domain in lower case, or None when it is not a plain one."""
    if len(addr_spec) > 254 or addr_spec.count("@") != 1:
        return None
    local, _, domain = addr_spec.partition("@")
    if not local or len(local) > 64 or not _LOCAL.fullmatch(local):
        return None
    try:
        domain = domain.encode("idna").decode("ascii").lower() if not domain.isascii() \
            else domain.lower()
    except UnicodeError:
        return None
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    if not _TLD.fullmatch(labels[-1]):
        return None
    return f"{local}@{domain}"


def split_addresses(value: str) -> list[str]:
    """The value cut at the commas between addresses (outside quotes, <> and comments), in
    one pass: the standard library's address parser takes more than linear time on some
    inputs (16 KB of quote marks: half a minute), so it only ever sees one short piece."""
    pieces: list[str] = []
    start = 0
    quoted = escaped = False
    angle = paren = 0
    for i, ch in enumerate(value):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = quoted or paren > 0
        elif quoted:
            quoted = ch != '"'
        elif ch == '"':
            quoted = paren == 0
        elif ch == "(":
            paren += 1
        elif ch == ")" and paren:
            paren -= 1
        elif paren:
            continue
        elif ch == "<":
            angle += 1
        elif ch == ">" and angle:
            angle -= 1
        elif ch == "," and not angle:
            pieces.append(value[start:i])
            start = i + 1
    pieces.append(value[start:])
    return [p for p in (piece.strip() for piece in pieces) if p]


def _mailboxes(value: str, header_name: str) -> list[tuple[str, str]] | None:
    """(display name, addr_spec) of every mailbox in the value; None when it has a group
    or cannot be read. Pieces longer than MAX_MAILBOX are no address."""
    out: list[tuple[str, str]] = []
    for piece in split_addresses(value):
        if len(piece) > MAX_MAILBOX:
            out.append(("", ""))
            continue
        try:
            groups = policy.default.header_factory(header_name, piece).groups
        except Exception:
            return None
        for group in groups:
            if group.display_name is not None:
                return None  # "undisclosed: a@b, c@d;" is a list, not a person
            out += [(a.display_name or "", a.addr_spec or "") for a in group.addresses]
    return out


MAX_MAILBOX = 512  # one address with its display name; longer is no address
MAX_LIST = 16 * 1024  # a list header as the parser may see it (cut at an address boundary)


def parse_mailbox(value: str | None, header_name: str = "From") -> Address | None:
    """Exactly one valid address in `value`, or None."""
    if not value or len(value) > MAX_MAILBOX:
        return None
    boxes = _mailboxes(value, header_name)
    if boxes is None or len(boxes) != 1:
        return None
    name, spec = boxes[0]
    email = valid_email(spec)
    return Address(email=email, name=clean(name)) if email else None


def parse_address_list(value: str | None, header_name: str = "To",
                       limit: int = 200) -> list[Address]:
    """The valid addresses of a list header (To, Cc); invalid entries are left out."""
    if not value:
        return []
    if len(value) > MAX_LIST:  # the header parser is slower than linear: bounded input
        value = value[:value.rfind(",", 0, MAX_LIST)] if "," in value[:MAX_LIST] else ""
    boxes = _mailboxes(value, header_name) or []
    out: list[Address] = []
    for name, spec in boxes[:limit]:
        email = valid_email(spec)
        if email:
            out.append(Address(email=email, name=clean(name)))
    return out


def _normalise_written(value: str) -> str:
    """Outlook's "Max Muster [mailto:max@x.de]" and an unquoted "Muster, Max <max@x.de>"
    as header syntax (plain string operations: linear in the length)."""
    text = value.strip()
    start = text.find("[mailto:")
    if start >= 0 and text.endswith("]") and text.count("[") == 1:
        name = text[:start].strip().replace('"', "")
        spec = text[start + len("[mailto:"):-1].strip()
        return f'"{name}" <{spec}>' if name else f"<{spec}>"
    if text.count("<") == 1 and text.endswith(">") and '"' not in text:
        name, _, rest = text.partition("<")
        if "," in name:
            return f'"{name.strip()}" <{rest}'
    return text


def written_address(value: str | None, header_name: str = "From") -> Address | None:
    """An address as a mail client writes it into a forwarded block ("Muster, Max
    <max@x.de>", Outlook's "Max Muster [mailto:max@x.de]"): the layout is normalised, the
    address itself is read as strictly as a header."""
    if not value:
        return None
    return parse_mailbox(_normalise_written(value), header_name)


def written_list(value: str | None, header_name: str = "To") -> list[Address]:
    if not value:
        return []
    single = written_address(value, header_name)
    return [single] if single else parse_address_list(value, header_name)
